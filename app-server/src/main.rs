//! `codex-app-server`: parse the command line, send logs to stderr, then serve stdio or a listener, or
//! export the schema.

use std::sync::Arc;

use clap::Parser;
use codex_app_server::cli::Action;
use codex_app_server::cli::AppServerArgs;
use codex_app_server::cli::Cli;
use codex_app_server::cli::ExportCommand;
use codex_app_server::cli::ListenTransport;
use codex_app_server::listener::Bound;
use codex_app_server::otel::OtelMetricsExport;
use codex_app_server::server_state::ServerState;
use codex_app_server::server_state::remove_interrupted_writes;
use codex_app_server::ws_auth::WsAuthPolicy;
use codex_app_server_protocol::ConfigWarningNotification;
use codex_core::sandbox::SandboxSettings;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    let logs = if std::env::var("LOG_FORMAT").is_ok_and(|format| format == "json") {
        logs.json().boxed()
    } else {
        logs.boxed()
    };
    tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .init();

    let args = match cli.into_action() {
        Action::Export(export) => return export_schema(&export),
        Action::Serve(args) => *args,
    };
    let transport = args.transport();
    let auth = ws_auth_policy(&transport, &args)?;

    configure_sandbox();

    let mut state = ServerState::from_cli(&args)?;
    remove_interrupted_writes(&state.resolved_codex_home());
    let otel_export = match state.config.as_ref() {
        Some(config) => match OtelMetricsExport::start(&config.otel) {
            Ok(export) => export,
            Err(error) => {
                tracing::warn!("OTLP metrics export disabled: {error}");
                state.startup_warnings.push(ConfigWarningNotification {
                    summary: format!("[otel] metrics are not exported: {error}"),
                    details: None,
                    path: None,
                    range: None,
                });
                None
            }
        },
        None => None,
    };
    if let Some(export) = &otel_export {
        state.metrics = export.metrics();
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let served = runtime.block_on(serve(transport, Arc::new(state), auth));
    // stdin's blocking reader thread may still be parked; the answer is flushed, so do not wait for it.
    runtime.shutdown_background();
    if let Some(otel_export) = otel_export {
        otel_export.shutdown();
    }
    served
}

fn export_schema(export: &ExportCommand) -> anyhow::Result<()> {
    match export {
        ExportCommand::GenerateJsonSchema(export) => {
            codex_app_server_protocol::generate_json_schema(&export.out).map_err(|error| {
                anyhow::anyhow!("writing JSON Schema to {}: {error}", export.out.display())
            })
        }
        ExportCommand::GenerateTs(export) => codex_app_server_protocol::generate_ts(&export.out)
            .map_err(|error| {
                anyhow::anyhow!("writing TypeScript to {}: {error}", export.out.display())
            }),
    }
}

/// The WebSocket auth policy; its flags apply only to `ws://` listeners, so elsewhere they are an error.
fn ws_auth_policy(
    transport: &ListenTransport,
    args: &AppServerArgs,
) -> anyhow::Result<WsAuthPolicy> {
    let policy = WsAuthPolicy::from_args(&args.ws_auth)?;
    match transport {
        ListenTransport::WebSocket(_) => Ok(policy),
        ListenTransport::Stdio | ListenTransport::Unix(_) | ListenTransport::Off
            if policy.is_enabled() =>
        {
            anyhow::bail!("`--ws-auth` applies only to `--listen ws://IP:PORT`")
        }
        ListenTransport::Stdio | ListenTransport::Unix(_) | ListenTransport::Off => Ok(policy),
    }
}

/// Serves the chosen transport until it ends (stdin EOF or SIGTERM for stdio, a signal for listeners).
async fn serve(
    transport: ListenTransport,
    state: Arc<ServerState>,
    auth: WsAuthPolicy,
) -> anyhow::Result<()> {
    let bound = match transport {
        ListenTransport::Stdio => {
            codex_app_server::stdio::run_stdio_server(state).await;
            return Ok(());
        }
        ListenTransport::Off => {
            anyhow::bail!("no transport configured; use --listen (remote control is not supported)")
        }
        ListenTransport::Unix(path) => {
            let path = path.unwrap_or_else(|| {
                codex_app_server::unix_socket::default_socket_path(&state.resolved_codex_home())
            });
            Bound::Unix(codex_app_server::unix_socket::bind(&path)?)
        }
        ListenTransport::WebSocket(address) => Bound::tcp(address, &auth).await?,
    };
    codex_app_server::listener::serve_listener(state, bound, auth).await;
    Ok(())
}

/// Overrides how many tasks (processes and threads) one sandboxed command may have at once.
const SANDBOX_MAX_PROCESSES_ENV_VAR: &str = "CODEX_SANDBOX_MAX_PROCESSES";

/// Reads the sandbox's settings from the environment.
fn configure_sandbox() {
    let default = SandboxSettings::default();
    let max_processes = match std::env::var(SANDBOX_MAX_PROCESSES_ENV_VAR) {
        Ok(value) => value.parse().unwrap_or_else(|_| {
            tracing::warn!(
                "ignoring {SANDBOX_MAX_PROCESSES_ENV_VAR}={value:?}: not a number; using {}",
                default.max_processes
            );
            default.max_processes
        }),
        Err(_) => default.max_processes,
    };
    codex_core::sandbox::configure_sandbox(SandboxSettings { max_processes });
}

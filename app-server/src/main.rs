//! `codex-app-server`: parse the command line, send logs to stderr, then serve stdio or export the schema.

use std::sync::Arc;

use clap::Parser;
use codex_app_server::cli::Cli;
use codex_app_server::cli::Command;
use codex_app_server::otel::OtelMetricsExport;
use codex_app_server::otel::metrics_layer::OTEL_TARGET;
use codex_app_server::otel::metrics_layer::OtelMetricsLayer;
use codex_app_server::server_state::ServerState;
use codex_app_server::server_state::remove_interrupted_writes;
use codex_app_server_protocol::ConfigWarningNotification;
use codex_core::sandbox::SandboxSettings;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::filter::Targets;
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
    // The metrics layer has its own filter so RUST_LOG never hides measurements from the exporter.
    let otel_metrics = OtelMetricsLayer::default();
    tracing_subscriber::registry()
        .with(logs.with_filter(filter))
        .with(
            otel_metrics
                .clone()
                .with_filter(Targets::new().with_target(OTEL_TARGET, LevelFilter::TRACE)),
        )
        .init();

    let args = match cli.command {
        Some(Command::GenerateJsonSchema(export)) => {
            codex_app_server_protocol::generate_json_schema(&export.out).map_err(|error| {
                anyhow::anyhow!("writing JSON Schema to {}: {error}", export.out.display())
            })?;
            return Ok(());
        }
        Some(Command::GenerateTs(export)) => {
            codex_app_server_protocol::generate_ts(&export.out).map_err(|error| {
                anyhow::anyhow!("writing TypeScript to {}: {error}", export.out.display())
            })?;
            return Ok(());
        }
        Some(Command::AppServer(args)) => cli.server.merged_with(args),
        None => cli.server,
    };

    configure_sandbox();

    let mut state = ServerState::from_cli(&args)?;
    remove_interrupted_writes(&state.resolved_codex_home());
    let otel_export = match state.config.as_ref() {
        Some(config) => match OtelMetricsExport::start(&config.otel, &otel_metrics) {
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

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(codex_app_server::stdio::run_stdio_server(Arc::new(state)));
    // stdin's blocking reader thread may still be parked; the answer is flushed, so do not wait for it.
    runtime.shutdown_background();
    if let Some(otel_export) = otel_export {
        otel_export.shutdown();
    }
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

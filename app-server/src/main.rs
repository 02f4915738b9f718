//! `codex-app-server`: parse the command line, send logs to stderr, then serve stdio or export the schema.

use std::sync::Arc;

use clap::Parser;
use codex_app_server::cli::Cli;
use codex_app_server::cli::Command;
use codex_app_server::server_state::ServerState;
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false);
    if std::env::var("LOG_FORMAT").is_ok_and(|format| format == "json") {
        logs.json().init();
    } else {
        logs.init();
    }

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

    let state = ServerState::from_cli(&args)?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(codex_app_server::stdio::run_stdio_server(Arc::new(state)));
    // stdin's blocking reader thread may still be parked; the answer is flushed, so do not wait for it.
    runtime.shutdown_background();
    Ok(())
}

//! A fresh server for one scenario: its own `CODEX_HOME` and working directory, `-c` overrides pointing it
//! at a mock provider, and the `initialize` / `thread/start` handshake every scenario begins with.

use std::path::Path;
use std::time::Instant;

use serde_json::json;

use crate::failure::BenchFailure;
use crate::options::BenchOptions;
use crate::server_process::MOCK_API_KEY_ENV;
use crate::server_process::ServerProcess;
use crate::workload::MODEL;

/// Spawns `command_line` with a fresh `CODEX_HOME` and working directory (kept alive by the returned
/// guard), returning the instant just before the spawn.
pub(crate) fn spawn_in_scratch(
    options: &BenchOptions,
    command_line: &str,
    extra_args: &[String],
    stderr_log: &Path,
) -> Result<(tempfile::TempDir, Instant, ServerProcess), BenchFailure> {
    let scratch = tempfile::tempdir().map_err(|error| BenchFailure::Spawn(error.to_string()))?;
    let codex_home = scratch.path().join("codex-home");
    let project = scratch.path().join("project");
    for dir in [&codex_home, &project] {
        std::fs::create_dir_all(dir).map_err(|error| BenchFailure::Spawn(error.to_string()))?;
    }
    let spawned_at = Instant::now();
    let server = ServerProcess::spawn(
        command_line,
        extra_args,
        &codex_home,
        &project,
        stderr_log,
        options.timeout,
    )?;
    Ok((scratch, spawned_at, server))
}

/// `-c` overrides running the server's commands unsandboxed and without approvals: for a comparison of
/// what a scenario measures, not of the sandbox (upstream's does not start in every environment).
pub(crate) fn unsandboxed_args() -> [String; 4] {
    [
        "-c".to_string(),
        "sandbox_mode=\"danger-full-access\"".to_string(),
        "-c".to_string(),
        "approval_policy=\"never\"".to_string(),
    ]
}

/// `-c` overrides selecting the mock provider (a dummy `env_key`, no OpenAI auth); with websockets also
/// the provider flag and the feature gate.
pub(crate) fn mock_provider_args(mock_uri: &str, websockets: bool) -> Vec<String> {
    let mut args = vec![
        "-c".to_string(),
        "model_provider=\"mock\"".to_string(),
        "-c".to_string(),
        format!(
            "model_providers.mock={{name=\"mock\",base_url=\"{mock_uri}/v1\",wire_api=\"responses\",\
             env_key=\"{MOCK_API_KEY_ENV}\",requires_openai_auth=false,supports_websockets={websockets}}}"
        ),
        "-c".to_string(),
        format!("model=\"{MODEL}\""),
    ];
    if websockets {
        args.extend([
            "-c".to_string(),
            "features.responses_websockets=true".to_string(),
        ]);
    }
    args
}

/// `initialize`, `initialized` and `thread/start {}`; returns when the initialize response arrived and
/// the new thread's id.
pub(crate) async fn initialize_and_start_thread(
    server: &mut ServerProcess,
) -> Result<(Instant, String), BenchFailure> {
    let initialize = server
        .send_request(
            "initialize",
            json!({"clientInfo": {"name": "bench", "title": "Codex app-server bench", "version": "0.1.0"}}),
        )
        .await?;
    let initialized = server.wait_for_response(initialize, "initialize").await?;
    server
        .send(json!({"jsonrpc": "2.0", "method": "initialized"}))
        .await?;

    let thread_start = server.send_request("thread/start", json!({})).await?;
    let thread = server
        .wait_for_response(thread_start, "thread/start")
        .await?;
    let thread_id = thread.message["result"]["thread"]["id"]
        .as_str()
        .ok_or_else(|| BenchFailure::ErrorResponse {
            method: "thread/start",
            error: format!("no result.thread.id in {}", thread.message),
        })?
        .to_string();
    Ok((initialized.received_at, thread_id))
}

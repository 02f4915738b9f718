//! The MCP figures: a thread's stdio MCP server (the MCP test server, `echo` only, approved by config) from
//! `thread/start` to its `ready` start-up status, and one call of its tool through the model, from the
//! `mcpToolCall` item's `item/started` to its `item/completed` (the daemon's and the server's share of a
//! tool turn). The model calls the tool in upstream 0.171's namespaced form, which both columns route.

use std::path::Path;
use std::time::Instant;

use codex_app_server_tests::mcp_server::mcp_test_server_binary;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use serde_json::Value;
use serde_json::json;

use crate::failure::BenchFailure;
use crate::figures::IterationSamples;
use crate::options::BenchOptions;
use crate::scratch::mock_provider_args;
use crate::scratch::spawn_in_scratch;
use crate::server_process::ServerProcess;
use crate::server_process::millis;
use crate::workload::SHORT_ANSWER_CHUNKS;

/// The configured server's name (the model's namespace is `mcp__bench`).
const SERVER: &str = "bench";

/// One fresh mock and server: the start-up figure, then the tool call figure.
pub(crate) async fn mcp_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let binary =
        mcp_test_server_binary().map_err(|error| BenchFailure::Spawn(error.to_string()))?;
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None));
    let mut args = mock_provider_args(&mock.uri(), false);
    let command = toml_string(&binary.display().to_string());
    args.extend([
        "-c".to_string(),
        format!(
            "mcp_servers.{SERVER}={{command={command},args=[\"--tools\",\"echo\"],\
             default_tools_approval_mode=\"approve\"}}"
        ),
    ]);
    let (_scratch, _, mut server) = spawn_in_scratch(options, command_line, &args, stderr_log)?;
    let measured = async {
        let thread_id = start_thread_until_ready(&mut server, samples).await?;
        mock.push_responses([
            MockResponse::sse(vec![
                sse::response_created("resp_mcp"),
                sse::namespaced_function_call(
                    "call_mcp",
                    &format!("mcp__{SERVER}"),
                    "echo",
                    r#"{"text":"bench"}"#,
                ),
                sse::completed("resp_mcp"),
            ]),
            MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None),
        ]);
        match mcp_call(&mut server, &thread_id).await? {
            Some(call_ms) => samples.mcp_call_ms = Some(call_ms),
            None => notes.push("the MCP tool turn showed no completed mcpToolCall item".into()),
        }
        Ok(())
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// `initialize`, then `thread/start` -> the server's `ready` status (0.171's notification, or 0.105's
/// legacy `mcp_startup_update` event); returns the thread's id.
async fn start_thread_until_ready(
    server: &mut ServerProcess,
    samples: &mut IterationSamples,
) -> Result<String, BenchFailure> {
    let initialize = server
        .send_request(
            "initialize",
            json!({"clientInfo": {"name": "bench", "version": "0.1.0"}}),
        )
        .await?;
    server.wait_for_response(initialize, "initialize").await?;
    server
        .send(json!({"jsonrpc": "2.0", "method": "initialized"}))
        .await?;
    let started_at = Instant::now();
    let thread_start = server.send_request("thread/start", json!({})).await?;
    let deadline = tokio::time::Instant::now() + server.timeout();
    let mut thread_id = None;
    let mut ready_at = None;
    while thread_id.is_none() || ready_at.is_none() {
        let incoming = server.next_message(deadline, "MCP server ready").await?;
        let message = &incoming.message;
        if message.get("id").and_then(Value::as_i64) == Some(thread_start) {
            thread_id = message["result"]["thread"]["id"]
                .as_str()
                .map(str::to_string);
            if thread_id.is_none() {
                return Err(BenchFailure::ErrorResponse {
                    method: "thread/start",
                    error: message.to_string(),
                });
            }
        } else if is_ready(message) {
            ready_at = Some(incoming.received_at);
        }
    }
    samples.mcp_ready_ms = ready_at.map(|at| millis(started_at, at));
    Ok(thread_id.unwrap_or_default())
}

fn is_ready(message: &Value) -> bool {
    let params = &message["params"];
    match message["method"].as_str() {
        Some("mcpServer/startupStatus/updated") => {
            params["name"] == SERVER && params["status"] == "ready"
        }
        Some("codex/event/mcp_startup_update") => {
            params["msg"]["server"] == SERVER && params["msg"]["status"]["state"] == "ready"
        }
        _ => false,
    }
}

/// A turn whose model calls the tool once: the call's item/started -> item/completed, if it completed.
async fn mcp_call(
    server: &mut ServerProcess,
    thread_id: &str,
) -> Result<Option<f64>, BenchFailure> {
    let params = json!({"threadId": thread_id, "input": [{"type": "text", "text": "echo", "text_elements": []}]});
    server.send_request("turn/start", params).await?;
    let deadline = tokio::time::Instant::now() + server.timeout();
    let mut call_started = None;
    let mut call_ms = None;
    loop {
        let incoming = server.next_message(deadline, "turn/completed").await?;
        let message = &incoming.message;
        let is_call = message["params"]["item"]["type"] == "mcpToolCall";
        match message["method"].as_str() {
            Some("item/started") if is_call => call_started = Some(incoming.received_at),
            Some("item/completed")
                if is_call && message["params"]["item"]["status"] == "completed" =>
            {
                call_ms = call_started.map(|at| millis(at, incoming.received_at));
            }
            Some("turn/completed") => return Ok(call_ms),
            _ => {}
        }
    }
}

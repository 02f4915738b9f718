//! MCP servers that misbehave, through the real binary: one that prints garbage, hangs at start-up, exits
//! at once or does not exist gets a clear start-up status while the others serve; a `required` one that
//! fails refuses the thread; one that dies mid-call fails that call and is started again on next use; an
//! oversized result or a call past its time limit fails clearly; and no server outlives the daemon (closed
//! stdin, SIGKILL).

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;
use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mcp_server::stdio_server_flags;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

async fn spawn(model: &MockModelServer, flags: Vec<String>) -> anyhow::Result<AppServer> {
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend(flags);
    args.extend(["-c".to_string(), "approval_policy=\"never\"".to_string()]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

const APPROVE: (&str, &str) = ("default_tools_approval_mode", "\"approve\"");

fn model_calls(model: &MockModelServer, name: &str, arguments: Value) {
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call("call_1", name, &arguments.to_string()),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
}

/// Runs a turn in which the model makes one MCP call; its completed `mcpToolCall` item.
async fn call_through_model(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
    name: &str,
    arguments: Value,
) -> anyhow::Result<Value> {
    model_calls(model, name, arguments);
    let started = server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "go", "text_elements": []}]}),
        )
        .await?;
    let turn_id = started["turn"]["id"].as_str().unwrap().to_string();
    let item = server
        .read_until(|m| {
            m["method"] == "item/completed"
                && m["params"]["turnId"] == turn_id.as_str()
                && m["params"]["item"]["type"] == "mcpToolCall"
        })
        .await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    Ok(item["params"]["item"].clone())
}

/// The pids a server logged with `--start-log`.
fn started_pids(log: &Path) -> Vec<i32> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.strip_prefix("started ")?.parse().ok())
        .collect()
}

/// Whether `pid` is gone (or a zombie waiting for its parent).
fn is_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

/// Waits (up to 10 s) for the kernel to end `pid`.
async fn wait_gone(pid: i32) -> bool {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        if is_gone(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    is_gone(pid)
}

#[tokio::test]
async fn bad_servers_get_a_clear_status_and_the_good_ones_serve() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut flags = stdio_server_flags(
        "noisy",
        &["--garbage", "--log-stderr", "--tools", "echo"],
        &[APPROVE],
    );
    flags.extend(stdio_server_flags(
        "hung",
        &["--hang"],
        &[("startup_timeout_sec", "0.5")],
    ));
    flags.extend(stdio_server_flags("quitter", &["--exit-immediately"], &[]));
    flags.extend([
        "-c".to_string(),
        "mcp_servers.missing={command=\"/nonexistent/mcp-server\"}".to_string(),
    ]);
    let mut server = spawn(&model, flags).await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    let mut settled = Vec::new();
    while settled.len() < 4 {
        let status = server
            .read_notification("mcpServer/startupStatus/updated")
            .await?;
        if status["params"]["status"] != "starting" {
            settled.push(status["params"].clone());
        }
    }
    settled.sort_by_key(|status| status["name"].as_str().unwrap().to_string());
    let quitter_error = settled[3]["error"].as_str().unwrap_or_default().to_string();
    assert!(
        quitter_error.starts_with("MCP client for `quitter` failed to start: MCP startup failed: "),
        "{quitter_error}"
    );
    settled[3]["error"] = json!("<checked>");
    assert_eq!(
        settled,
        vec![
            json!({"name": "hung", "status": "failed", "threadId": thread_id,
                   "error": "MCP client for `hung` timed out after 0.5 seconds. Add or adjust `startup_timeout_sec` in your config.toml:\n[mcp_servers.hung]\nstartup_timeout_sec = XX"}),
            json!({"name": "missing", "status": "failed", "threadId": thread_id,
                   "error": "MCP client for `missing` failed to start: MCP startup failed: could not start `/nonexistent/mcp-server`: No such file or directory (os error 2)"}),
            json!({"name": "noisy", "status": "ready", "threadId": thread_id}),
            json!({"name": "quitter", "status": "failed", "threadId": thread_id, "error": "<checked>"}),
        ]
    );
    let item = call_through_model(
        &mut server,
        &model,
        &thread_id,
        "mcp__noisy__echo",
        json!({"text": "hi"}),
    )
    .await?;
    assert_eq!(item["status"], "completed");
    Ok(())
}

#[tokio::test]
async fn a_required_server_that_fails_refuses_the_thread() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let flags = stdio_server_flags("needed", &["--exit-immediately"], &[("required", "true")]);
    let mut server = spawn(&model, flags).await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let response = server.read_response(id).await?;
    assert_eq!(response["error"]["code"], -32603);
    let message = response["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "Internal error: error creating thread: required MCP servers failed to initialize: needed: MCP client for `needed` failed to start"
        ),
        "{message}"
    );
    // The daemon keeps serving.
    server.call("thread/loaded/list", json!({})).await?;
    Ok(())
}

#[tokio::test]
async fn a_server_that_dies_mid_call_fails_it_and_starts_again_on_next_use() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let log = tempfile::NamedTempFile::new()?;
    let log_path = log.path().display().to_string();
    let flags = stdio_server_flags("flaky", &["--start-log", &log_path], &[APPROVE]);
    let mut server = spawn(&model, flags).await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    let crashed = call_through_model(
        &mut server,
        &model,
        &thread_id,
        "mcp__flaky__crash",
        json!({}),
    )
    .await?;
    assert_eq!(crashed["status"], "failed");
    let error = crashed["error"]["message"].as_str().unwrap();
    assert!(
        error.starts_with("the MCP server exited") || error.starts_with("the MCP server closed"),
        "{error}"
    );
    let echoed = call_through_model(
        &mut server,
        &model,
        &thread_id,
        "mcp__flaky__echo",
        json!({"text": "back"}),
    )
    .await?;
    assert_eq!(
        echoed["result"]["content"],
        json!([{"type": "text", "text": "echo: back"}])
    );
    assert_eq!(started_pids(log.path()).len(), 2);
    // The model read the failure in upstream's words.
    let bodies = model.responses_request_bodies().await;
    let output = bodies[1]["input"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|item| item["type"] == "function_call_output")
        .unwrap()["output"][1]["text"]
        .clone();
    assert_eq!(
        output,
        json!(format!(
            "tool call error: tool call failed for `flaky/crash`\n\nCaused by:\n    {error}"
        ))
    );
    Ok(())
}

#[tokio::test]
async fn an_oversized_result_and_a_slow_call_fail_clearly() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    // The huge result takes its time to make and read on a loaded machine: no tight limit on that server.
    let mut flags = stdio_server_flags("big", &["--tools", "huge,echo"], &[APPROVE]);
    flags.extend(stdio_server_flags(
        "slowpoke",
        &["--tools", "slow"],
        &[APPROVE, ("tool_timeout_sec", "0.5")],
    ));
    let mut server = spawn(&model, flags).await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    let huge = call_through_model(
        &mut server,
        &model,
        &thread_id,
        "mcp__big__huge",
        json!({"bytes": 9 * 1024 * 1024}),
    )
    .await?;
    let error = huge["error"]["message"].as_str().unwrap();
    assert!(
        error.ends_with("bytes, over the limit of 8388608 bytes"),
        "{error}"
    );
    let slow = call_through_model(
        &mut server,
        &model,
        &thread_id,
        "mcp__slowpoke__slow",
        json!({"ms": 10_000}),
    )
    .await?;
    assert_eq!(
        slow["error"],
        json!({"message": "timed out awaiting tools/call after 0.5s"})
    );
    let echoed = call_through_model(
        &mut server,
        &model,
        &thread_id,
        "mcp__big__echo",
        json!({"text": "ok"}),
    )
    .await?;
    assert_eq!(echoed["status"], "completed");
    Ok(())
}

#[tokio::test]
async fn no_server_outlives_the_daemon() -> anyhow::Result<()> {
    for kill in [false, true] {
        let model = MockModelServer::start().await;
        let log = tempfile::NamedTempFile::new()?;
        let log_path = log.path().display().to_string();
        let flags =
            stdio_server_flags("child", &["--start-log", &log_path, "--tools", "echo"], &[]);
        let mut server = spawn(&model, flags).await?;
        server.call("thread/start", json!({})).await?;
        let ready = server
            .read_until(|m| m["params"]["status"] == "ready")
            .await?;
        assert_eq!(ready["params"]["name"], "child");
        let pids = started_pids(log.path());
        assert_eq!(pids.len(), 1);
        if kill {
            server.kill().await?;
        } else {
            server.close_stdin();
            server.wait_exit(Duration::from_secs(10)).await?;
        }
        assert!(
            wait_gone(pids[0]).await,
            "the MCP server {} outlived the daemon (killed: {kill})",
            pids[0]
        );
    }
    Ok(())
}

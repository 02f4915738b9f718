//! An MCP tool call in our rollout, read by upstream 0.105 (the real binary, installed from npm): our
//! rollout carries upstream's `mcp_tool_call_end` line beside our own, so upstream shows the call as an
//! `mcpToolCall` item of the turn.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mcp_server::stdio_server_flags;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use codex_app_server_tests::upstream::UPSTREAM_0_105;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

#[tokio::test]
async fn upstream_0105_shows_the_mcp_calls_of_our_threads() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call("call_1", "mcp__test__echo", r#"{"text":"hi"}"#),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend(stdio_server_flags(
        "test",
        &["--tools", "echo"],
        &[("default_tools_approval_mode", "\"approve\"")],
    ));
    let mut ours = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    ours.initialize().await?;
    let started = ours.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    let id = ours.send_turn_start(&thread_id, "Echo hi.").await?;
    ours.read_response(id).await?;
    ours.read_notification("turn/completed").await?;
    let codex_home = ours.stop_for_codex_home(Duration::from_secs(10)).await?;

    let mut theirs = codex_app_server_tests::mock_provider::spawn_upstream_in(
        UPSTREAM_0_105,
        codex_home,
        &model.uri(),
    )
    .await?;
    let read = theirs
        .call(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    let calls: Vec<Value> = read["thread"]["turns"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "mcpToolCall")
        .map(|item| {
            json!({"id": item["id"], "server": item["server"], "tool": item["tool"],
                   "status": item["status"], "arguments": item["arguments"],
                   "content": item["result"]["content"]})
        })
        .collect();
    assert_eq!(
        calls,
        vec![
            json!({"id": "call_1", "server": "test", "tool": "echo", "status": "completed",
                    "arguments": {"text": "hi"}, "content": [{"type": "text", "text": "echo: hi"}]})
        ]
    );
    Ok(())
}

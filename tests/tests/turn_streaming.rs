//! A streamed turn through the real binary: thread/start's own messages, every message from the turn/start
//! response to turn/completed as whole objects, and the request the model received.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeMap;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::final_answer;
use codex_app_server_tests::app_server::now_unix_ms;
use codex_app_server_tests::app_server::strip_item_stamps;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

async fn spawn_initialized(model: &MockModelServer) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        // The environment context names the user's shell.
        env: vec![("SHELL".to_string(), "/bin/bash".to_string())],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

#[tokio::test]
async fn thread_start_sends_idle_status_then_the_response_then_thread_started() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    let mut server = spawn_initialized(&model).await?;
    let workspace = tempfile::tempdir()?;
    let cwd = workspace.path().to_string_lossy().into_owned();

    let thread_start_id = server
        .send_request("thread/start", json!({"cwd": cwd}))
        .await?;
    let messages = vec![
        server.read_message().await?,
        server.read_message().await?,
        server.read_message().await?,
    ];

    let thread = &messages[1]["result"]["thread"];
    let thread_id = thread["id"].as_str().unwrap_or_default().to_string();
    let path = thread["path"].as_str().unwrap_or_default().to_string();
    let sessions_dir = server.codex_home().join("sessions");
    assert!(
        path.starts_with(&*sessions_dir.to_string_lossy())
            && path.ends_with(&format!("{thread_id}.jsonl")),
        "rollout path {path} should be under {} and named after the thread",
        sessions_dir.display()
    );
    assert!(thread["createdAt"].is_i64(), "{thread}");
    let expected_thread = json!({
        "id": thread_id,
        "preview": "",
        "modelProvider": "mock",
        "createdAt": thread["createdAt"],
        "updatedAt": thread["createdAt"],
        "status": {"type": "idle"},
        "path": path,
        "cwd": cwd,
        "cliVersion": env!("CARGO_PKG_VERSION"),
        "source": "vscode",
        "agentNickname": null,
        "agentRole": null,
        "gitInfo": null,
        "name": null,
        "turns": [],
        "ephemeral": false,
        "sessionId": thread_id,
        "projectId": null,
    });
    assert_eq!(
        messages,
        vec![
            json!({
                "method": "thread/status/changed",
                "params": {"threadId": thread_id, "status": {"type": "idle"}},
            }),
            json!({
                "id": thread_start_id,
                "result": {
                    "thread": expected_thread,
                    "model": "gpt-5.2-codex",
                    "modelProvider": "mock",
                    "cwd": cwd,
                    "approvalPolicy": "on-request",
                    "sandbox": {"type": "readOnly", "access": {"type": "fullAccess"}},
                    "reasoningEffort": null,
                    "approvalsReviewer": "user",
                    "serviceTier": null,
                },
            }),
            json!({"method": "thread/started", "params": {"thread": expected_thread}}),
        ]
    );
    Ok(())
}

/// Reasoning with a streamed summary, then an answer in two deltas, then usage.
fn reasoning_then_answer() -> MockResponse {
    MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::reasoning_item_added("rs_1"),
        sse::reasoning_summary_part_added(0),
        sse::reasoning_summary_text_delta("Checking ", 0),
        sse::reasoning_summary_text_delta("the facts.", 0),
        sse::reasoning_item_done("rs_1", &["Checking the facts."], None),
        sse::output_item_added_message("msg_1", Some("final_answer")),
        sse::output_text_delta("Hello"),
        sse::output_text_delta(" world"),
        sse::output_item_done_message("msg_1", "Hello world", Some("final_answer")),
        sse::completed_with_usage("resp_1", 1200, 200, 96, 12, 1296),
    ])
}

#[tokio::test]
async fn a_streamed_turn_sends_every_message_in_order() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(reasoning_then_answer());
    let mut server = spawn_initialized(&model).await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    server.read_notification("thread/started").await?;
    assert_eq!(
        server.take_buffered(),
        vec![json!({
            "method": "thread/status/changed",
            "params": {"threadId": thread_id, "status": {"type": "idle"}},
        })]
    );

    let sent_at_ms = now_unix_ms();
    let turn_request_id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "Say hello.", "text_elements": []}],
            }),
        )
        .await?;
    let mut messages = Vec::new();
    loop {
        let message = server.read_message().await?;
        let is_last = message["method"] == "turn/completed";
        messages.push(message);
        if is_last {
            break;
        }
    }
    strip_item_stamps(&mut messages, sent_at_ms)?;

    let turn = &messages[0]["result"]["turn"];
    let turn_id = turn["id"].as_str().unwrap_or_default().to_string();
    let started_at = turn["startedAt"].clone();
    assert!(started_at.is_i64(), "{turn}");
    let user_message_id = messages[3]["params"]["item"]["id"].clone();
    let completed_turn = &messages.last().unwrap_or(&Value::Null)["params"]["turn"];
    assert!(completed_turn["completedAt"].is_i64(), "{completed_turn}");
    assert!(completed_turn["durationMs"].is_i64(), "{completed_turn}");
    let in_progress_turn = json!({
        "id": turn_id,
        "items": [],
        "itemsView": "notLoaded",
        "status": "inProgress",
        "error": null,
        "startedAt": started_at,
        "completedAt": null,
        "durationMs": null,
    });
    let user_message = json!({
        "type": "userMessage",
        "id": user_message_id,
        "content": [{"type": "text", "text": "Say hello.", "text_elements": []}],
    });
    let item_event = |method: &str, item: Value| json!({"method": method, "params": {"item": item, "threadId": thread_id, "turnId": turn_id}});
    let usage = json!({
        "totalTokens": 1296,
        "inputTokens": 1200,
        "cachedInputTokens": 200,
        "outputTokens": 96,
        "reasoningOutputTokens": 12,
    });
    let expected = vec![
        json!({"id": turn_request_id, "result": {"turn": in_progress_turn}}),
        json!({"method": "turn/started", "params": {"threadId": thread_id, "turn": in_progress_turn}}),
        json!({
            "method": "thread/status/changed",
            "params": {"threadId": thread_id, "status": {"type": "active", "activeFlags": []}},
        }),
        item_event("item/started", user_message.clone()),
        item_event("item/completed", user_message),
        item_event(
            "item/started",
            json!({"type": "reasoning", "id": "rs_1", "summary": [], "content": []}),
        ),
        json!({
            "method": "item/reasoning/summaryPartAdded",
            "params": {"threadId": thread_id, "turnId": turn_id, "itemId": "rs_1", "summaryIndex": 0},
        }),
        json!({
            "method": "item/reasoning/summaryTextDelta",
            "params": {
                "threadId": thread_id, "turnId": turn_id, "itemId": "rs_1",
                "delta": "Checking ", "summaryIndex": 0,
            },
        }),
        json!({
            "method": "item/reasoning/summaryTextDelta",
            "params": {
                "threadId": thread_id, "turnId": turn_id, "itemId": "rs_1",
                "delta": "the facts.", "summaryIndex": 0,
            },
        }),
        item_event(
            "item/completed",
            json!({"type": "reasoning", "id": "rs_1", "summary": ["Checking the facts."], "content": []}),
        ),
        item_event(
            "item/started",
            json!({"type": "agentMessage", "id": "msg_1", "text": "", "phase": "final_answer"}),
        ),
        json!({
            "method": "item/agentMessage/delta",
            "params": {"threadId": thread_id, "turnId": turn_id, "itemId": "msg_1", "delta": "Hello"},
        }),
        json!({
            "method": "item/agentMessage/delta",
            "params": {"threadId": thread_id, "turnId": turn_id, "itemId": "msg_1", "delta": " world"},
        }),
        item_event(
            "item/completed",
            json!({"type": "agentMessage", "id": "msg_1", "text": "Hello world", "phase": "final_answer"}),
        ),
        json!({
            "method": "thread/tokenUsage/updated",
            "params": {
                "threadId": thread_id,
                "turnId": turn_id,
                "tokenUsage": {
                    "total": usage,
                    "last": usage,
                    "modelContextWindow": messages[14]["params"]["tokenUsage"]["modelContextWindow"],
                },
            },
        }),
        json!({
            "method": "thread/status/changed",
            "params": {"threadId": thread_id, "status": {"type": "idle"}},
        }),
        json!({
            "method": "turn/completed",
            "params": {
                "threadId": thread_id,
                "turn": {
                    "id": turn_id,
                    "items": [final_answer("msg_1", "Hello world")],
                    "itemsView": "summary",
                    "status": "completed",
                    "error": null,
                    "startedAt": started_at,
                    "completedAt": completed_turn["completedAt"],
                    "durationMs": completed_turn["durationMs"],
                },
            },
        }),
    ];
    assert_eq!(messages, expected);
    assert!(
        messages[14]["params"]["tokenUsage"]["modelContextWindow"].is_i64(),
        "{}",
        messages[14]
    );
    Ok(())
}

#[tokio::test]
async fn the_model_request_carries_context_user_message_and_session_headers() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Hi"], None));
    let mut server = spawn_initialized(&model).await?;
    let workspace = tempfile::tempdir()?;
    let cwd = workspace.path().to_string_lossy().into_owned();
    let id = server
        .send_request("thread/start", json!({"cwd": cwd}))
        .await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "Say hello.", "text_elements": []}],
            }),
        )
        .await?;
    server.read_notification("turn/completed").await?;

    let requests = model.responses_requests().await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    let mut body = request.body_json.clone().unwrap_or_default();
    body["tools"] = request.tool_summary();
    let instructions = body["instructions"].as_str().unwrap_or_default();
    assert!(!instructions.is_empty(), "instructions missing: {body}");
    assert_eq!(
        body,
        json!({
            "model": "gpt-5.2-codex",
            "instructions": instructions,
            "input": [
                {
                    "type": "message",
                    "role": "user",
                    "content": [{
                        "type": "input_text",
                        "text": format!(
                            "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>read-only</sandbox_mode>\n  <network_access>restricted</network_access>\n  <shell>bash</shell>\n</environment_context>"
                        ),
                    }],
                },
                {
                    "type": "message",
                    "role": "user",
                    "content": [{"type": "input_text", "text": "Say hello."}],
                },
            ],
            // The shell tool and apply_patch in the model's flavour with update_plan and request_user_input
            // (offered in every mode, as upstream) between them, view_image (the model reads images), then web
            // search (cached results by default; no eligibility header is involved).
            "tools": [
                {"type": "function", "name": "exec_command"},
                {"type": "function", "name": "write_stdin"},
                {"type": "function", "name": "update_plan"},
                {"type": "function", "name": "request_user_input"},
                {"type": "custom", "name": "apply_patch"},
                {"type": "function", "name": "view_image"},
                {"type": "web_search", "external_web_access": false},
            ],
            "tool_choice": "auto",
            "parallel_tool_calls": true,
            "reasoning": {"effort": "medium", "summary": "auto"},
            "store": false,
            "stream": true,
            "include": ["reasoning.encrypted_content"],
            "prompt_cache_key": thread_id,
        })
    );
    let headers: BTreeMap<&str, Option<&str>> = ["session_id", "originator", "accept"]
        .into_iter()
        .map(|name| (name, request.header(name)))
        .collect();
    assert_eq!(
        headers,
        BTreeMap::from([
            ("session_id", Some(thread_id.as_str())),
            ("originator", Some("codex_test")),
            ("accept", Some("text/event-stream")),
        ])
    );
    assert!(
        request
            .header("user-agent")
            .is_some_and(|agent| agent.starts_with("codex_test/")),
        "{:?}",
        request.headers
    );
    Ok(())
}

#[tokio::test]
async fn token_usage_totals_add_up_across_turns_while_last_is_the_latest_turn() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::completed_with_usage("resp_1", 100, 20, 10, 3, 110),
    ]));
    model.push_response(MockResponse::sse(vec![
        sse::response_created("resp_2"),
        sse::completed_with_usage("resp_2", 300, 100, 30, 5, 330),
    ]));
    let mut server = spawn_initialized(&model).await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"].clone();

    let mut usages = Vec::new();
    for text in ["One", "Two"] {
        server
            .send_request(
                "turn/start",
                json!({"threadId": thread_id, "input": [{"type": "text", "text": text, "text_elements": []}]}),
            )
            .await?;
        let usage = server
            .read_notification("thread/tokenUsage/updated")
            .await?;
        usages.push(usage["params"]["tokenUsage"].clone());
        server.read_notification("turn/completed").await?;
    }

    let window = usages[0]["modelContextWindow"].clone();
    let breakdown = |total: i64, input: i64, cached: i64, output: i64, reasoning: i64| {
        json!({
            "totalTokens": total,
            "inputTokens": input,
            "cachedInputTokens": cached,
            "outputTokens": output,
            "reasoningOutputTokens": reasoning,
        })
    };
    assert_eq!(
        usages,
        vec![
            json!({
                "total": breakdown(110, 100, 20, 10, 3),
                "last": breakdown(110, 100, 20, 10, 3),
                "modelContextWindow": window,
            }),
            json!({
                "total": breakdown(440, 400, 120, 40, 8),
                "last": breakdown(330, 300, 100, 30, 5),
                "modelContextWindow": window,
            }),
        ]
    );
    Ok(())
}

//! Client-side web search through the real binary: the `web_search` tool is offered per config (cached by
//! default, live under `danger-full-access` or on request, disabled on request), no eligibility header is sent, and the model's web search calls
//! surface as `webSearch` items.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// Runs one turn answered by `response` with extra `-c` flags; returns the notifications and the request.
async fn run_turn(
    extra_args: &[&str],
    response: MockResponse,
) -> anyhow::Result<(Vec<Value>, Value)> {
    let model = MockModelServer::start().await;
    model.push_response(response);
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend(extra_args.iter().map(|arg| arg.to_string()));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let thread_id = server.read_response(id).await?["result"]["thread"]["id"].clone();
    server.take_buffered();
    server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "news?", "text_elements": []}]}),
        )
        .await?;
    server.read_notification("turn/completed").await?;
    let notifications = server.take_buffered();
    let requests = model.responses_requests().await;
    let request = requests
        .first()
        .ok_or_else(|| anyhow::anyhow!("no model request"))?;
    assert_eq!(request.header("x-oai-web-search-eligible"), None);
    let mut body = request.body_json.clone().unwrap_or(Value::Null);
    body["tools"] = request.tool_summary();
    Ok((notifications, body))
}

#[tokio::test]
async fn web_search_calls_become_web_search_items() -> anyhow::Result<()> {
    let response = MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::web_search_call("ws_1", "rust 2024 edition"),
        sse::output_item_added_message("msg_1", Some("final_answer")),
        sse::output_text_delta("Found it."),
        sse::output_item_done_message("msg_1", "Found it.", Some("final_answer")),
        sse::completed("resp_1"),
    ]);
    let (notifications, request) = run_turn(&[], response).await?;
    assert_eq!(
        request["tools"],
        json!([
            {"type": "function", "name": "exec_command"},
            {"type": "function", "name": "write_stdin"},
            {"type": "function", "name": "update_plan"},
            {"type": "function", "name": "request_user_input"},
            {"type": "custom", "name": "apply_patch"},
            {"type": "function", "name": "view_image"},
            {"type": "web_search", "external_web_access": false},
        ])
    );
    let web_search: Vec<(String, Value)> = notifications
        .iter()
        .filter(|message| message["params"]["item"]["type"] == "webSearch")
        .map(|message| {
            (
                message["method"].as_str().unwrap_or_default().to_string(),
                message["params"]["item"].clone(),
            )
        })
        .collect();
    let item =
        json!({"type": "webSearch", "id": "ws_1", "query": "rust 2024 edition", "action": null});
    assert_eq!(
        web_search,
        vec![
            ("item/started".to_string(), item.clone()),
            ("item/completed".to_string(), item)
        ]
    );
    Ok(())
}

#[tokio::test]
async fn config_chooses_live_or_no_web_search() -> anyhow::Result<()> {
    let (_, live) = run_turn(
        &["-c", "web_search=\"live\""],
        MockResponse::assistant_message(&["ok"], None),
    )
    .await?;
    assert_eq!(
        live["tools"],
        json!([
            {"type": "function", "name": "exec_command"},
            {"type": "function", "name": "write_stdin"},
            {"type": "function", "name": "update_plan"},
            {"type": "function", "name": "request_user_input"},
            {"type": "custom", "name": "apply_patch"},
            {"type": "function", "name": "view_image"},
            {"type": "web_search", "external_web_access": true},
        ])
    );
    let (_, disabled) = run_turn(
        &["-c", "web_search=\"disabled\""],
        MockResponse::assistant_message(&["ok"], None),
    )
    .await?;
    assert_eq!(
        disabled["tools"],
        json!([
            {"type": "function", "name": "exec_command"},
            {"type": "function", "name": "write_stdin"},
            {"type": "function", "name": "update_plan"},
            {"type": "function", "name": "request_user_input"},
            {"type": "custom", "name": "apply_patch"},
            {"type": "function", "name": "view_image"},
        ])
    );
    Ok(())
}

/// Without a `web_search` setting, a `danger-full-access` sandbox gets live results (as upstream); an explicit
/// setting still wins.
#[tokio::test]
async fn danger_full_access_defaults_to_live_web_search() -> anyhow::Result<()> {
    let (_, full_access) = run_turn(
        &["-c", "sandbox_mode=\"danger-full-access\""],
        MockResponse::assistant_message(&["ok"], None),
    )
    .await?;
    let (_, cached_anyway) = run_turn(
        &[
            "-c",
            "sandbox_mode=\"danger-full-access\"",
            "-c",
            "web_search=\"cached\"",
        ],
        MockResponse::assistant_message(&["ok"], None),
    )
    .await?;
    let (_, workspace) = run_turn(
        &["-c", "sandbox_mode=\"workspace-write\""],
        MockResponse::assistant_message(&["ok"], None),
    )
    .await?;
    let web_search = |body: &Value| {
        body["tools"]
            .as_array()
            .and_then(|tools| tools.iter().find(|tool| tool["type"] == "web_search"))
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        (
            web_search(&full_access),
            web_search(&cached_anyway),
            web_search(&workspace)
        ),
        (
            json!({"type": "web_search", "external_web_access": true}),
            json!({"type": "web_search", "external_web_access": false}),
            json!({"type": "web_search", "external_web_access": false}),
        )
    );
    Ok(())
}

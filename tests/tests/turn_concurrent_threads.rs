//! Turns on two threads of one daemon at the same time: each thread's notifications carry its own ids,
//! keep the per-turn order, and both turns finish with their own answers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

#[tokio::test]
async fn two_threads_stream_turns_at_once_without_mixing_them_up() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    // Both answers are the same text, so which thread gets which script does not matter; the delays make
    // the two streams overlap.
    for _ in 0..2 {
        model.push_response(
            MockResponse::assistant_message(&["one ", "two ", "three"], None)
                .with_delay_between_events(Duration::from_millis(30)),
        );
    }
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let mut thread_ids = Vec::new();
    for _ in 0..2 {
        let id = server.send_request("thread/start", json!({})).await?;
        let started = server.read_response(id).await?;
        thread_ids.push(started["result"]["thread"]["id"].clone());
    }
    server.read_notification("thread/started").await?;
    server.read_notification("thread/started").await?;
    server.take_buffered();

    for thread_id in &thread_ids {
        server
            .send_request(
                "turn/start",
                json!({"threadId": thread_id, "input": [{"type": "text", "text": "Count", "text_elements": []}]}),
            )
            .await?;
    }
    let mut messages = Vec::new();
    let mut completed_turns = 0;
    while completed_turns < 2 {
        let message = server.read_message().await?;
        if message["method"] == "turn/completed" {
            completed_turns += 1;
        }
        messages.push(message);
    }

    let per_thread: Vec<(Vec<String>, String)> = thread_ids
        .iter()
        .map(|thread_id| {
            let own: Vec<&Value> = messages
                .iter()
                .filter(|message| &message["params"]["threadId"] == thread_id)
                .collect();
            let methods = own
                .iter()
                .map(|message| message["method"].as_str().unwrap_or_default().to_string())
                .collect();
            let text = own
                .iter()
                .filter(|message| message["method"] == "item/agentMessage/delta")
                .map(|message| message["params"]["delta"].as_str().unwrap_or_default())
                .collect();
            (methods, text)
        })
        .collect();
    let expected_methods: Vec<String> = [
        "turn/started",
        "thread/status/changed",
        "item/started",
        "item/completed",
        "item/started",
        "item/agentMessage/delta",
        "item/agentMessage/delta",
        "item/agentMessage/delta",
        "item/completed",
        "thread/tokenUsage/updated",
        "thread/status/changed",
        "turn/completed",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(
        per_thread,
        vec![
            (expected_methods.clone(), "one two three".to_string()),
            (expected_methods, "one two three".to_string()),
        ]
    );
    let unscoped: Vec<&Value> = messages
        .iter()
        .filter(|message| {
            message.get("method").is_some() && !thread_ids.contains(&message["params"]["threadId"])
        })
        .collect();
    assert_eq!(unscoped, Vec::<&Value>::new());
    Ok(())
}

//! `turn/interrupt` on a turn whose model stream stalls: the turn ends as `interrupted` at once and the
//! daemon keeps serving the thread.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::expected_turn_completed;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

#[tokio::test]
async fn interrupting_a_stalled_turn_ends_it_promptly_and_the_thread_serves_again()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    // created, item added, one delta, then nothing: the stream stays open and silent.
    model
        .push_response(MockResponse::assistant_message(&["Partial", " rest"], None).stall_after(3));
    model.push_response(MockResponse::assistant_message(&["After."], None));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let id = server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "Go", "text_elements": []}]}),
        )
        .await?;
    let turn = server.read_response(id).await?["result"]["turn"].clone();
    let turn_id = turn["id"].as_str().unwrap_or_default().to_string();
    server.read_notification("item/agentMessage/delta").await?;

    // The stream would only end at the idle timeout (10 s, past the harness's read timeout): a turn that
    // completes `interrupted` was ended by the interrupt.
    let id = server
        .send_request(
            "turn/interrupt",
            json!({"threadId": thread_id, "turnId": turn_id}),
        )
        .await?;
    let interrupt_response = server.read_response(id).await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(interrupt_response, json!({"id": id, "result": {}}));
    assert_eq!(
        (completed.clone(), &completed["params"]["turn"]["startedAt"]),
        (
            expected_turn_completed(
                &completed,
                &json!(thread_id),
                &json!(turn_id),
                "interrupted",
                Value::Null,
                Vec::new(),
            ),
            &turn["startedAt"]
        )
    );

    server.take_buffered();
    server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "Again", "text_elements": []}]}),
        )
        .await?;
    let agent_message = server
        .read_until(|message| {
            message["method"] == "item/completed"
                && message["params"]["item"]["type"] == "agentMessage"
        })
        .await?;
    assert_eq!(
        agent_message["params"]["item"],
        json!({"type": "agentMessage", "id": "msg_1", "text": "After.", "phase": null})
    );
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    Ok(())
}

#[tokio::test]
async fn interrupting_when_no_turn_runs_is_an_error_and_changes_nothing() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Fine."], None));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"].clone();

    let id = server
        .send_request(
            "turn/interrupt",
            json!({"threadId": thread_id, "turnId": "no-such-turn"}),
        )
        .await?;
    let refused = server.read_response(id).await?;
    assert_eq!(
        refused,
        json!({
            "id": id,
            "error": {
                "code": -32600,
                "message": format!(
                    "no turn no-such-turn is running in thread {}",
                    thread_id.as_str().unwrap_or_default()
                ),
            },
        })
    );

    server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "Hi", "text_elements": []}]}),
        )
        .await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    Ok(())
}

/// An interrupt that races a turn's end either wins (the turn ends `interrupted`) or is refused because the
/// turn already ended; it never answers success for a turn that then ends `completed`.
#[tokio::test]
async fn an_interrupt_racing_the_end_of_a_turn_is_either_obeyed_or_refused() -> anyhow::Result<()> {
    const ROUNDS: usize = 40;
    let model = MockModelServer::start().await;
    for _ in 0..ROUNDS {
        model.push_response(MockResponse::assistant_message(&["Done."], None));
    }
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let cwd = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(cwd.path()).await?;
    let (mut obeyed, mut refused) = (0, 0);
    for _ in 0..ROUNDS {
        let id = server.send_turn_start(&thread_id, "Go").await?;
        let turn_id = server.read_response(id).await?["result"]["turn"]["id"].clone();
        // The model's answer is complete: the turn is about to end when the interrupt arrives.
        server
            .read_until(|message| {
                message["method"] == "item/completed"
                    && message["params"]["item"]["type"] == "agentMessage"
            })
            .await?;
        let id = server
            .send_request(
                "turn/interrupt",
                json!({"threadId": thread_id, "turnId": turn_id}),
            )
            .await?;
        let answer = server.read_response(id).await?;
        let completed = server.read_notification("turn/completed").await?;
        let status = completed["params"]["turn"]["status"].clone();
        server.take_buffered();
        if answer.get("result").is_some() {
            assert_eq!(
                (answer, status),
                (json!({"id": id, "result": {}}), json!("interrupted"))
            );
            obeyed += 1;
        } else {
            let message = format!(
                "turn {} already ended in thread {}",
                turn_id.as_str().unwrap_or_default(),
                thread_id
            );
            assert_eq!(
                (answer, status),
                (
                    json!({"id": id, "error": {"code": -32600, "message": message}}),
                    json!("completed")
                )
            );
            refused += 1;
        }
    }
    assert_eq!(obeyed + refused, ROUNDS);
    Ok(())
}

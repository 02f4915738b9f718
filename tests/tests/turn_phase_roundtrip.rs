//! The `phase` of assistant messages (commentary vs final answer) survives the whole round trip: item
//! notifications, the next request to the model, the rollout on disk, and a restart of the daemon.

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

/// A server on a `CODEX_HOME` the test owns, so a second server can pick up where the first stopped.
async fn spawn_on_home(
    model: &MockModelServer,
    codex_home: &std::path::Path,
) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        env: vec![(
            "CODEX_HOME".to_string(),
            codex_home.to_string_lossy().into_owned(),
        )],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

/// Starts a turn and returns every message up to and including its `turn/completed`.
async fn run_turn(
    server: &mut AppServer,
    thread_id: &str,
    text: &str,
) -> anyhow::Result<Vec<Value>> {
    server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": text, "text_elements": []}]}),
        )
        .await?;
    let mut messages = Vec::new();
    loop {
        let message = server.read_message().await?;
        let is_last = message["method"] == "turn/completed";
        messages.push(message);
        if is_last {
            return Ok(messages);
        }
    }
}

fn agent_message_events(messages: &[Value]) -> Vec<(String, Value)> {
    messages
        .iter()
        .filter(|message| {
            matches!(
                message["method"].as_str(),
                Some("item/started" | "item/completed")
            ) && message["params"]["item"]["type"] == "agentMessage"
        })
        .map(|message| {
            (
                message["method"].as_str().unwrap_or_default().to_string(),
                message["params"]["item"].clone(),
            )
        })
        .collect()
}

/// The assistant messages of a model request's `input`.
fn assistant_inputs(body: &Option<Value>) -> Vec<Value> {
    body.as_ref()
        .and_then(|body| body["input"].as_array())
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|item| item["role"] == "assistant")
        .cloned()
        .collect()
}

#[tokio::test]
async fn phases_reach_items_requests_history_and_a_restarted_daemon() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::output_item_added_message("msg_commentary", Some("commentary")),
        sse::output_text_delta("Looking it up."),
        sse::output_item_done_message("msg_commentary", "Looking it up.", Some("commentary")),
        sse::output_item_added_message("msg_answer", Some("final_answer")),
        sse::output_text_delta("It is 42."),
        sse::output_item_done_message("msg_answer", "It is 42.", Some("final_answer")),
        sse::completed("resp_1"),
    ]));
    model.push_response(MockResponse::assistant_message(&["Second."], None));
    model.push_response(MockResponse::assistant_message(&["Third."], None));
    let codex_home = tempfile::tempdir()?;

    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    let first_turn = run_turn(&mut server, &thread_id, "What is the answer?").await?;
    let commentary = json!({"type": "agentMessage", "id": "msg_commentary", "text": "Looking it up.", "phase": "commentary"});
    let answer = json!({"type": "agentMessage", "id": "msg_answer", "text": "It is 42.", "phase": "final_answer"});
    assert_eq!(
        agent_message_events(&first_turn),
        vec![
            (
                "item/started".to_string(),
                json!({"type": "agentMessage", "id": "msg_commentary", "text": "", "phase": "commentary"}),
            ),
            ("item/completed".to_string(), commentary.clone()),
            (
                "item/started".to_string(),
                json!({"type": "agentMessage", "id": "msg_answer", "text": "", "phase": "final_answer"}),
            ),
            ("item/completed".to_string(), answer.clone()),
        ]
    );

    run_turn(&mut server, &thread_id, "And again?").await?;
    let both_assistant_messages = vec![
        json!({
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "Looking it up."}],
            "phase": "commentary",
        }),
        json!({
            "type": "message",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "It is 42."}],
            "phase": "final_answer",
        }),
    ];
    let requests = model.responses_requests().await;
    assert_eq!(
        assistant_inputs(&requests[1].body_json),
        both_assistant_messages
    );

    let id = server
        .send_request(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    let before_restart = server.read_response(id).await?["result"]["thread"].clone();
    let first_turn_items = &before_restart["turns"][0]["items"];
    assert_eq!(
        first_turn_items,
        &json!([
            {
                "type": "userMessage",
                "id": first_turn_items[0]["id"],
                "content": [{"type": "text", "text": "What is the answer?", "text_elements": []}],
            },
            commentary,
            answer,
        ])
    );
    server.close_stdin();
    server.wait_exit(std::time::Duration::from_secs(10)).await?;

    let mut restarted = spawn_on_home(&model, codex_home.path()).await?;
    let id = restarted
        .send_request("thread/resume", json!({"threadId": thread_id}))
        .await?;
    let resumed = restarted.read_response(id).await?["result"]["thread"].clone();
    assert_eq!(resumed["turns"], before_restart["turns"]);

    let id = restarted
        .send_request(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    let read_after_restart = restarted.read_response(id).await?["result"]["thread"].clone();
    assert_eq!(read_after_restart["turns"], before_restart["turns"]);

    run_turn(&mut restarted, &thread_id, "Once more?").await?;
    let requests = model.responses_requests().await;
    let mut expected_third = both_assistant_messages;
    expected_third.push(json!({
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "Second."}],
    }));
    assert_eq!(assistant_inputs(&requests[2].body_json), expected_third);
    Ok(())
}

/// A `phase` this daemon does not know (a newer model's, e.g. `analysis`) does not fail the turn: the message
/// is kept with `phase: null` and the turn completes.
#[tokio::test]
async fn an_unknown_phase_is_kept_as_null_and_the_turn_completes() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(
        &["Thinking ", "aloud."],
        Some("analysis"),
    ));
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let cwd = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(cwd.path()).await?;
    server.take_buffered();
    let messages = run_turn(&mut server, &thread_id, "Go").await?;
    let completed = messages.last().cloned().unwrap_or_default();
    let agent_message = messages
        .iter()
        .find(|message| {
            message["method"] == "item/completed"
                && message["params"]["item"]["type"] == "agentMessage"
        })
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            agent_message["params"]["item"].clone(),
            completed["params"]["turn"]["status"].clone(),
            completed["params"]["turn"]["error"].clone(),
        ),
        (
            json!({"type": "agentMessage", "id": "msg_1", "text": "Thinking aloud.", "phase": null}),
            json!("completed"),
            Value::Null,
        )
    );
    Ok(())
}

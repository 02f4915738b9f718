//! Automatic compaction through the real binary: a thread whose context passed
//! `model_auto_compact_token_limit` asks the model for a summary before its next request, sends the
//! compacted history (shorter, the user's messages and the summary, not the old answers), and a daemon
//! restarted on the same `CODEX_HOME` resumes the compacted history from the rollout; the compaction is a
//! `contextCompaction` item of its turn, and `thread/compact/start` compacts on demand.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const SUMMARY: &str = "SUMMARY: the user asked two questions; the first was answered.";

fn options(model: &MockModelServer) -> AppServerOptions {
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend([
        "-c".to_string(),
        "model_auto_compact_token_limit=1000".to_string(),
    ]);
    AppServerOptions {
        args,
        ..AppServerOptions::default()
    }
}

async fn run_turn(server: &mut AppServer, thread_id: &Value, text: &str) -> anyhow::Result<Value> {
    server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": text, "text_elements": []}]}),
        )
        .await?;
    server.read_notification("turn/completed").await
}

/// The texts of a request's input messages, in order.
fn input_texts(body: &Value) -> Vec<String> {
    body["input"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item["content"].as_array())
        .flat_map(|content| content.iter().filter_map(|part| part["text"].as_str()))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn a_thread_past_its_limit_compacts_and_resumes_compacted_after_a_restart()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::assistant_message(&["first answer"], None).with_total_tokens(5_000),
        MockResponse::assistant_message(&[SUMMARY], None),
        MockResponse::assistant_message(&["second answer"], None),
        MockResponse::assistant_message(&["third answer"], None),
    ]);
    let mut server = AppServer::spawn_with(options(&model)).await?;
    server.initialize().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].clone();

    let first = run_turn(&mut server, &thread_id, "first question").await?;
    assert_eq!(first["params"]["turn"]["status"], "completed");
    let second = run_turn(&mut server, &thread_id, "second question").await?;
    assert_eq!(second["params"]["turn"]["status"], "completed");

    let bodies = model.responses_request_bodies().await;
    assert_eq!(bodies.len(), 3, "turn 1, the compaction, turn 2");
    let compaction = input_texts(&bodies[1]);
    assert!(
        compaction
            .last()
            .is_some_and(|text| text.starts_with("You are writing a handoff")),
        "the compaction request ends with its prompt: {compaction:?}"
    );
    assert!(compaction.iter().any(|text| text == "first answer"));
    let after = input_texts(&bodies[2]);
    assert!(
        after.iter().any(|text| text == "first question"),
        "{after:?}"
    );
    assert!(
        after.iter().any(|text| text == "second question"),
        "{after:?}"
    );
    assert!(
        after.iter().any(|text| text.ends_with(SUMMARY)),
        "{after:?}"
    );
    assert!(
        !after.iter().any(|text| text == "first answer"),
        "the old answer lives on in the summary only: {after:?}"
    );
    assert!(
        bodies[2]["input"].to_string().len() < bodies[1]["input"].to_string().len(),
        "the request after the compaction is shorter than the history it replaced"
    );

    // A new daemon on the same CODEX_HOME rebuilds the compacted history from the rollout.
    let codex_home = server.into_codex_home().await?;
    let mut server = AppServer::spawn_in(codex_home, options(&model)).await?;
    server.initialize().await?;
    let resumed = server
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    let turns = resumed["thread"]["turns"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(turns.len(), 2, "the user still sees every turn");
    let item_types: Vec<&str> = turns[1]["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item["type"].as_str())
        .collect();
    assert_eq!(
        item_types,
        vec!["contextCompaction", "userMessage", "agentMessage"],
        "the compaction is an item of the turn it happened in"
    );
    let third = run_turn(&mut server, &thread_id, "third question").await?;
    assert_eq!(third["params"]["turn"]["status"], "completed");
    let bodies = model.responses_request_bodies().await;
    assert_eq!(bodies.len(), 4);
    let resumed_input = input_texts(&bodies[3]);
    assert!(
        resumed_input.iter().any(|text| text.ends_with(SUMMARY)),
        "{resumed_input:?}"
    );
    assert!(
        !resumed_input.iter().any(|text| text == "first answer"),
        "{resumed_input:?}"
    );
    assert!(
        resumed_input.iter().any(|text| text == "second answer"),
        "{resumed_input:?}"
    );
    Ok(())
}

#[tokio::test]
async fn thread_compact_start_compacts_on_demand_as_a_turn_of_its_own() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::assistant_message(&["first answer"], None),
        MockResponse::assistant_message(&[SUMMARY], None),
        MockResponse::assistant_message(&["second answer"], None),
    ]);
    let mut server = AppServer::spawn_with(options(&model)).await?;
    server.initialize().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].clone();
    let first = run_turn(&mut server, &thread_id, "first question").await?;
    let first_turn_id = first["params"]["turn"]["id"].clone();

    let answer = server
        .call("thread/compact/start", json!({"threadId": thread_id}))
        .await?;
    assert_eq!(answer, json!({}));
    // Notifications of turn 1 that were read past are still there to read; skip to the compaction's turn.
    let turn_id = loop {
        let turn_started = server.read_notification("turn/started").await?;
        if turn_started["params"]["turn"]["id"] != first_turn_id {
            break turn_started["params"]["turn"]["id"].clone();
        }
    };
    loop {
        let item = server.read_notification("item/completed").await?;
        if item["params"]["item"]["type"] == "contextCompaction" {
            assert_eq!(item["params"]["turnId"], turn_id);
            break;
        }
    }
    let compacted = server.read_notification("thread/compacted").await?;
    assert_eq!(
        compacted["params"],
        json!({"threadId": thread_id, "turnId": turn_id})
    );
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");

    run_turn(&mut server, &thread_id, "second question").await?;
    let bodies = model.responses_request_bodies().await;
    assert_eq!(bodies.len(), 3);
    let after = input_texts(&bodies[2]);
    assert!(
        after.iter().any(|text| text.ends_with(SUMMARY)),
        "{after:?}"
    );
    assert!(
        !after.iter().any(|text| text == "first answer"),
        "{after:?}"
    );

    // An unknown thread is refused.
    let missing = server
        .send_request(
            "thread/compact/start",
            json!({"threadId": "no-such-thread"}),
        )
        .await?;
    let refused = server.read_response(missing).await?;
    assert!(refused.get("error").is_some(), "{refused}");
    Ok(())
}

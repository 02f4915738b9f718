//! Undo through the real binary: 0.105's `thread/rollback` and 0.171's `thread/revert` drop a thread's last
//! turns from what the model reads next, from `thread/read` and from the rollout (a restarted daemon's
//! resumed thread agrees, and so does upstream's `thread_rolled_back` line); files stay as they are.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::mock_provider_options;
use codex_app_server_tests::model_input::conversation;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// Runs a turn saying `text` (the model answers `answer <text>`); returns its id.
async fn turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
    text: &str,
) -> anyhow::Result<String> {
    model.push_response(MockResponse::assistant_message(
        &[&format!("answer {text}")],
        Some("final_answer"),
    ));
    let started = server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input(text)]}),
        )
        .await?;
    let turn_id = started["turn"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    Ok(turn_id)
}

/// The user messages of the thread's turns, one list a turn.
fn turn_texts(thread: &Value) -> Vec<Vec<String>> {
    thread["turns"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|turn| {
            turn["items"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|item| match item["type"].as_str() {
                    Some("userMessage") => item["content"][0]["text"].as_str().map(str::to_string),
                    Some("agentMessage") => item["text"].as_str().map(str::to_string),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

async fn start(model: &MockModelServer) -> anyhow::Result<(AppServer, String)> {
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok((server, thread_id))
}

#[tokio::test]
async fn rollback_drops_the_last_turns_for_the_model_the_host_and_a_resume() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model).await?;
    for text in ["one", "two", "three"] {
        turn(&mut server, &model, &thread_id, text).await?;
    }
    let rolled = server
        .call(
            "thread/rollback",
            json!({"threadId": thread_id, "numTurns": 1}),
        )
        .await?;
    assert_eq!(
        turn_texts(&rolled["thread"]),
        vec![vec!["one", "answer one"], vec!["two", "answer two"]]
    );
    turn(&mut server, &model, &thread_id, "four").await?;
    let bodies = model.responses_request_bodies().await;
    assert_eq!(
        conversation(bodies.last().expect("requests")),
        vec![
            "user: one",
            "assistant: answer one",
            "user: two",
            "assistant: answer two",
            "user: four"
        ]
    );
    let read = server
        .call(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    assert_eq!(turn_texts(&read["thread"]).len(), 3);

    // A daemon started again on the same CODEX_HOME resumes the thread as it was left.
    let codex_home = server
        .stop_for_codex_home(std::time::Duration::from_secs(10))
        .await?;
    let mut again =
        AppServer::spawn_in(codex_home, mock_provider_options(&model.uri(), &[])).await?;
    again.initialize().await?;
    let resumed = again
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    assert_eq!(
        turn_texts(&resumed["thread"]),
        vec![
            vec!["one", "answer one"],
            vec!["two", "answer two"],
            vec!["four", "answer four"]
        ]
    );
    turn(&mut again, &model, &thread_id, "five").await?;
    let bodies = model.responses_request_bodies().await;
    let resent = conversation(bodies.last().expect("requests"));
    assert!(
        !resent.iter().any(|line| line.contains("three")),
        "{resent:?}"
    );
    assert_eq!(resent.last().map(String::as_str), Some("user: five"));
    Ok(())
}

#[tokio::test]
async fn revert_drops_a_turn_and_every_later_one_and_says_so() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model).await?;
    let mut turn_ids = Vec::new();
    for text in ["one", "two", "three"] {
        turn_ids.push(turn(&mut server, &model, &thread_id, text).await?);
    }
    server.take_buffered();
    let reverted = server
        .call(
            "thread/revert",
            json!({"threadId": thread_id, "beforeTurnId": turn_ids[1]}),
        )
        .await?;
    assert_eq!(reverted["thread"]["turns"], json!([]));
    assert_eq!(
        server.read_notification("thread/reverted").await?["params"],
        json!({"threadId": thread_id})
    );
    // The cursors page what is left backwards, starting with the last turn and its last item.
    let turns = server
        .call(
            "thread/turns/list",
            json!({"threadId": thread_id, "cursor": reverted["turnsBackwardsCursor"],
                "sortDirection": "desc", "itemsView": "full"}),
        )
        .await?;
    assert_eq!(
        turns["data"].as_array().map(|turns| turns
            .iter()
            .map(|turn| turn["id"].clone())
            .collect::<Vec<_>>()),
        Some(vec![json!(turn_ids[0])])
    );
    let items = server
        .call(
            "thread/items/list",
            json!({"threadId": thread_id, "cursor": reverted["itemsBackwardsCursor"],
                "sortDirection": "desc"}),
        )
        .await?;
    assert_eq!(items["data"][0]["item"]["text"], "answer one");
    turn(&mut server, &model, &thread_id, "again").await?;
    let bodies = model.responses_request_bodies().await;
    assert_eq!(
        conversation(bodies.last().expect("requests")),
        vec!["user: one", "assistant: answer one", "user: again"]
    );
    Ok(())
}

#[tokio::test]
async fn undo_is_refused_clearly() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model).await?;
    turn(&mut server, &model, &thread_id, "one").await?;
    let mut refused = Vec::new();
    for (method, params) in [
        (
            "thread/rollback",
            json!({"threadId": thread_id, "numTurns": 0}),
        ),
        (
            "thread/revert",
            json!({"threadId": thread_id, "beforeTurnId": "nope"}),
        ),
        (
            "thread/rollback",
            json!({"threadId": "00000000-0000-0000-0000-000000000000", "numTurns": 1}),
        ),
    ] {
        let id = server.send_request(method, params).await?;
        refused.push(server.read_response(id).await?["error"].clone());
    }
    assert_eq!(
        refused,
        vec![
            json!({"code": -32600, "message": "numTurns must be >= 1"}),
            json!({"code": -32600, "message": "turn not found: nope"}),
            json!({"code": -32600, "message": "thread not found: 00000000-0000-0000-0000-000000000000"}),
        ]
    );
    // More turns than the thread has: every one goes.
    let rolled = server
        .call(
            "thread/rollback",
            json!({"threadId": thread_id, "numTurns": 9}),
        )
        .await?;
    assert_eq!(rolled["thread"]["turns"], json!([]));
    Ok(())
}

/// Upstream 0.105 (the real binary, installed from npm) reads our rollback: the `thread_rolled_back` line
/// is its own, so it shows the thread without the dropped turn.
#[tokio::test]
async fn upstream_0105_reads_our_rollback() -> anyhow::Result<()> {
    use codex_app_server_tests::upstream::UPSTREAM_0_105;

    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model).await?;
    for text in ["one", "two", "three"] {
        turn(&mut server, &model, &thread_id, text).await?;
    }
    server
        .call(
            "thread/rollback",
            json!({"threadId": thread_id, "numTurns": 2}),
        )
        .await?;
    let codex_home = server
        .stop_for_codex_home(std::time::Duration::from_secs(10))
        .await?;
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
    assert_eq!(turn_texts(&read["thread"]), vec![vec!["one", "answer one"]]);
    Ok(())
}

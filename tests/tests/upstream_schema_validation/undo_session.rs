//! The undo part of the schema tour: three turns, then 0.105's `thread/rollback` (as a 0.105 client
//! sends it) and 0.171's `thread/revert` with its `thread/reverted` (as a 0.171 client sends it).

use codex_app_server_tests::app_server::Transcribed;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::upstream::UPSTREAM_0_105;
use codex_app_server_tests::upstream::UPSTREAM_0_171;
use serde_json::json;

use super::ONLY;
use super::finish;
use super::spawn;
use super::start_turn;

pub(super) async fn undo_session() -> anyhow::Result<Vec<Transcribed>> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model, &[]).await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut turn_ids = Vec::new();
    for text in ["one", "two", "three"] {
        model.push_response(MockResponse::assistant_message(
            &[text],
            Some("final_answer"),
        ));
        let turn_id = start_turn(&mut server, &thread_id, text).await?;
        server
            .read_turn_notification("turn/completed", &turn_id)
            .await?;
        turn_ids.push(turn_id);
    }
    let rollback = format!("{ONLY}{UPSTREAM_0_105}-rollback");
    server
        .send_json(&json!({"id": rollback, "method": "thread/rollback",
            "params": {"threadId": thread_id, "numTurns": 1}}))
        .await?;
    server.read_response(rollback.as_str()).await?;
    let revert = format!("{ONLY}{UPSTREAM_0_171}-revert");
    server
        .send_json(&json!({"id": revert, "method": "thread/revert",
            "params": {"threadId": thread_id, "beforeTurnId": turn_ids[1]}}))
        .await?;
    server.read_response(revert.as_str()).await?;
    server.read_notification("thread/reverted").await?;
    finish(server).await
}

//! Shutdown through the real binary: stdin EOF or SIGTERM in the middle of a streaming turn ends the turn
//! (the client gets its `turn/completed`), flushes the rollout (the turn's started record and every item
//! completed so far) and exits 0 within 2 s.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;
use std::time::Instant;

use anyhow::Context;
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

const EXIT_DEADLINE: Duration = Duration::from_secs(2);

/// A finished commentary message, then a final answer that would stream for 10 s.
fn long_turn() -> MockResponse {
    let mut events = vec![
        sse::response_created("resp_long"),
        sse::output_item_added_message("msg_commentary", Some("commentary")),
        sse::output_text_delta("working"),
        sse::output_item_done_message("msg_commentary", "working", Some("commentary")),
        sse::output_item_added_message("msg_answer", Some("final_answer")),
    ];
    events.extend((0..400).map(|_| sse::output_text_delta("x")));
    events.push(sse::completed("resp_long"));
    MockResponse::sse(events).with_delay_between_events(Duration::from_millis(25))
}

enum Stop {
    StdinEof,
    Sigterm,
}

/// Starts a long turn, stops the daemon once the commentary completed and a delta of the answer arrived,
/// and checks the exit and the rollout.
async fn stop_mid_turn(stop: Stop) -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(long_turn());
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let thread_id = server.read_response(id).await?["result"]["thread"]["id"].clone();
    let id = server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "go", "text_elements": []}]}),
        )
        .await?;
    let turn_id = server.read_response(id).await?["result"]["turn"]["id"].clone();
    server
        .read_until(|message| {
            message["method"] == "item/completed"
                && message["params"]["item"]["id"] == "msg_commentary"
        })
        .await?;
    server.read_notification("item/agentMessage/delta").await?;
    let completed_before_stop: Vec<Value> = server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == "item/completed")
        .map(|message| message["params"]["item"]["id"].clone())
        .chain([json!("msg_commentary")])
        .collect();

    let stopped_at = Instant::now();
    match stop {
        Stop::StdinEof => server.close_stdin(),
        Stop::Sigterm => {
            let pid = server.pid().context("server pid")?;
            let sent = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await?;
            assert!(sent.success());
        }
    }
    let status = server.wait_exit(EXIT_DEADLINE).await?;
    let took = stopped_at.elapsed();
    assert_eq!(status.code(), Some(0), "stderr:\n{}", server.stderr());
    assert!(took < EXIT_DEADLINE, "exit took {took:?}");
    let endings: Vec<Value> = server
        .read_remaining()
        .await?
        .into_iter()
        .filter(|message| message["method"] == "turn/completed")
        .map(|message| message["params"]["turn"]["status"].clone())
        .collect();
    assert_eq!(
        endings,
        vec![json!("interrupted")],
        "the client is told how the turn ended"
    );

    let records = server.rollout_records()?;
    let turn_records: Vec<Value> = records
        .iter()
        .filter(|record| record["payload"]["turn_id"] == turn_id)
        // Item lines are checked below; `event_msg` lines are the same turn told for upstream Codex.
        .filter(|record| record["type"] != "item_completed" && record["type"] != "event_msg")
        .map(|record| json!({"type": record["type"], "status": record["payload"]["status"]}))
        .collect();
    assert_eq!(
        turn_records,
        vec![
            json!({"type": "turn_started", "status": null}),
            json!({"type": "turn_completed", "status": "interrupted"}),
        ]
    );
    let rollout_items: Vec<Value> = records
        .iter()
        .filter(|record| record["type"] == "item_completed")
        .map(|record| record["payload"]["item"]["id"].clone())
        .collect();
    let missing: Vec<&Value> = completed_before_stop
        .iter()
        .filter(|id| !rollout_items.contains(id))
        .collect();
    assert_eq!(
        missing,
        Vec::<&Value>::new(),
        "rollout items: {rollout_items:?}"
    );
    Ok(())
}

#[tokio::test]
async fn stdin_eof_mid_turn_flushes_the_rollout_and_exits_zero() -> anyhow::Result<()> {
    stop_mid_turn(Stop::StdinEof).await
}

#[tokio::test]
async fn sigterm_mid_turn_flushes_the_rollout_and_exits_zero() -> anyhow::Result<()> {
    stop_mid_turn(Stop::Sigterm).await
}

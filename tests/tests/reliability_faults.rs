//! Model-side faults through the real binary: each turn either recovers by retrying or fails with a readable
//! error and its `codexErrorInfo`; either way the items completed before the fault are in the rollout and
//! the daemon then serves a normal turn on the same thread.

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

/// A daemon on a mock model with one thread started.
struct FaultBench {
    model: MockModelServer,
    server: AppServer,
    thread_id: String,
}

impl FaultBench {
    async fn start(provider: MockProviderOptions) -> anyhow::Result<Self> {
        let model = MockModelServer::start().await;
        Self::start_on(model, provider, AppServerOptions::default()).await
    }

    /// Starts the daemon on `model`; a provider supporting websockets also gets the websocket feature.
    async fn start_on(
        model: MockModelServer,
        provider: MockProviderOptions,
        options: AppServerOptions,
    ) -> anyhow::Result<Self> {
        let mut args = mock_provider_args(&model.uri(), &provider);
        if provider.supports_websockets {
            args.extend(["--enable".to_string(), "responses_websockets".to_string()]);
        }
        let mut server = AppServer::spawn_with(AppServerOptions { args, ..options }).await?;
        server.initialize().await?;
        let id = server.send_request("thread/start", json!({})).await?;
        let started = server.read_response(id).await?;
        let thread_id = started["result"]["thread"]["id"]
            .as_str()
            .with_context(|| format!("thread/start answer: {started}"))?
            .to_string();
        Ok(Self {
            model,
            server,
            thread_id,
        })
    }

    /// Runs one turn and returns the messages of that turn, up to and including `turn/completed`.
    async fn run_turn(&mut self, text: &str) -> anyhow::Result<Vec<Value>> {
        let id = self
            .server
            .send_request(
                "turn/start",
                json!({
                    "threadId": self.thread_id,
                    "input": [{"type": "text", "text": text, "text_elements": []}],
                }),
            )
            .await?;
        let answer = self.server.read_response(id).await?;
        anyhow::ensure!(
            answer.get("result").is_some(),
            "turn/start failed: {answer}"
        );
        let mut messages = Vec::new();
        loop {
            let message = self.server.read_message().await?;
            let done = message["method"] == "turn/completed";
            messages.push(message);
            if done {
                return Ok(messages);
            }
        }
    }

    /// After a fault: every item the client saw complete is in the rollout, and a normal turn works.
    async fn assert_recovered(&mut self, fault_turn: &[Value]) -> anyhow::Result<()> {
        assert_rollout_holds_completed_items(&self.server, fault_turn)?;
        self.model.push_response(MockResponse::assistant_message(
            &["all ", "good"],
            Some("final_answer"),
        ));
        let normal_turn = self.run_turn("and now?").await?;
        assert_eq!(turn_status(&normal_turn), json!("completed"));
        assert_eq!(agent_texts(&normal_turn), vec!["all good".to_string()]);
        assert_rollout_holds_completed_items(&self.server, &normal_turn)?;
        Ok(())
    }
}

/// A reasoning item completes, then an answer starts streaming: a fault at [`FAULT_AFTER`] events hits
/// after the reasoning item and two deltas of the answer.
fn reasoning_then_answer() -> MockResponse {
    MockResponse::sse(vec![
        sse::response_created("resp_fault"),
        sse::reasoning_item_added("rs_fault"),
        sse::reasoning_item_done("rs_fault", &["Thinking it over."], None),
        sse::output_item_added_message("msg_fault", Some("final_answer")),
        sse::output_text_delta("par"),
        sse::output_text_delta("tial"),
        sse::output_item_done_message("msg_fault", "partial", Some("final_answer")),
        sse::completed("resp_fault"),
    ])
}

const FAULT_AFTER: usize = 6;

fn recovered_answer() -> MockResponse {
    MockResponse::assistant_message(&["recovered"], Some("final_answer"))
}

fn turn_status(turn: &[Value]) -> Value {
    turn.last()
        .map_or(Value::Null, |last| last["params"]["turn"]["status"].clone())
}

fn turn_error(turn: &[Value]) -> Value {
    turn.last()
        .map_or(Value::Null, |last| last["params"]["turn"]["error"].clone())
}

fn completed_items(turn: &[Value]) -> Vec<Value> {
    turn.iter()
        .filter(|message| message["method"] == "item/completed")
        .map(|message| message["params"]["item"].clone())
        .collect()
}

fn completed_item_types(turn: &[Value]) -> Vec<String> {
    completed_items(turn)
        .iter()
        .map(|item| item["type"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn agent_texts(turn: &[Value]) -> Vec<String> {
    completed_items(turn)
        .iter()
        .filter(|item| item["type"] == "agentMessage")
        .map(|item| item["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn retry_notices(turn: &[Value]) -> usize {
    turn.iter()
        .filter(|message| message["method"] == "error" && message["params"]["willRetry"] == true)
        .count()
}

fn assert_rollout_holds_completed_items(server: &AppServer, turn: &[Value]) -> anyhow::Result<()> {
    let records = server.rollout_records()?;
    let rollout_item_ids: Vec<Value> = records
        .iter()
        .filter(|record| record["type"] == "item_completed")
        .map(|record| record["payload"]["item"]["id"].clone())
        .collect();
    let missing: Vec<Value> = completed_items(turn)
        .into_iter()
        .filter(|item| !rollout_item_ids.contains(&item["id"]))
        .collect();
    assert_eq!(
        missing,
        Vec::<Value>::new(),
        "items completed but not in the rollout"
    );
    let turn_id = turn
        .last()
        .map(|last| last["params"]["turn"]["id"].clone())
        .unwrap_or_default();
    let turn_records: Vec<&str> = records
        .iter()
        .filter(|record| record["payload"]["turn_id"] == turn_id)
        .filter_map(|record| record["type"].as_str())
        .filter(|kind| *kind == "turn_started" || *kind == "turn_completed")
        .collect();
    assert_eq!(turn_records, vec!["turn_started", "turn_completed"]);
    Ok(())
}

#[tokio::test]
async fn connection_reset_mid_stream_is_retried() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions::default()).await?;
    bench.model.push_responses([
        reasoning_then_answer().cut_after(FAULT_AFTER),
        recovered_answer(),
    ]);
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("completed"));
    assert_eq!(retry_notices(&turn), 1);
    assert_eq!(agent_texts(&turn), vec!["recovered".to_string()]);
    assert_eq!(
        completed_item_types(&turn),
        vec!["userMessage", "reasoning", "agentMessage"]
    );
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn a_stalled_stream_times_out_and_is_retried() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        stream_idle_timeout_ms: 300,
        ..MockProviderOptions::default()
    })
    .await?;
    bench.model.push_responses([
        reasoning_then_answer().stall_after(FAULT_AFTER),
        recovered_answer(),
    ]);
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("completed"));
    assert_eq!(retry_notices(&turn), 1);
    assert_eq!(agent_texts(&turn), vec!["recovered".to_string()]);
    assert_eq!(
        completed_item_types(&turn),
        vec!["userMessage", "reasoning", "agentMessage"]
    );
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn a_stream_stalling_on_every_attempt_fails_the_turn_clearly() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        stream_idle_timeout_ms: 300,
        stream_max_retries: 0,
        ..MockProviderOptions::default()
    })
    .await?;
    bench
        .model
        .push_response(reasoning_then_answer().stall_after(FAULT_AFTER));
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("failed"));
    let error = turn_error(&turn);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{error}"
    );
    assert!(error["codexErrorInfo"].is_object(), "{error}");
    assert_eq!(
        completed_item_types(&turn),
        vec!["userMessage", "reasoning"]
    );
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn malformed_sse_fails_the_turn_clearly() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        stream_max_retries: 0,
        request_max_retries: 0,
        ..MockProviderOptions::default()
    })
    .await?;
    bench.model.push_response(MockResponse::raw_sse(
        "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"r\"}}\n\n\
         event: response.output_text.delta\ndata: {this is not json\n\n\
         data: \u{1}\u{2}garbage without an event name\n\n",
    ));
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("failed"));
    let error = turn_error(&turn);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{error}"
    );
    assert!(error["codexErrorInfo"].is_object(), "{error}");
    assert_eq!(completed_item_types(&turn), vec!["userMessage"]);
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn server_errors_500_502_503_are_retried() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        request_max_retries: 3,
        ..MockProviderOptions::default()
    })
    .await?;
    for status in [500, 502, 503] {
        bench.model.push_response(MockResponse::error(
            status,
            json!({"error": {"type": "server_error", "message": format!("upstream {status}")}}),
        ));
    }
    bench.model.push_response(recovered_answer());
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("completed"));
    assert_eq!(agent_texts(&turn), vec!["recovered".to_string()]);
    assert_eq!(bench.model.responses_requests().await.len(), 4);
    assert_eq!(
        completed_item_types(&turn),
        vec!["userMessage", "agentMessage"]
    );
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn server_errors_past_the_retry_budget_fail_the_turn_clearly() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        request_max_retries: 1,
        ..MockProviderOptions::default()
    })
    .await?;
    for _ in 0..2 {
        bench.model.push_response(MockResponse::error(
            503,
            json!({"error": {"type": "server_error", "message": "overloaded"}}),
        ));
    }
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("failed"));
    let error = turn_error(&turn);
    assert_eq!(
        error["codexErrorInfo"],
        json!({"responseTooManyFailedAttempts": {"httpStatusCode": 503}})
    );
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| message.contains("503")),
        "{error}"
    );
    assert_eq!(completed_item_types(&turn), vec!["userMessage"]);
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn too_many_requests_waits_for_retry_after() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        request_max_retries: 2,
        ..MockProviderOptions::default()
    })
    .await?;
    bench.model.push_response(
        MockResponse::error(
            429,
            json!({"error": {"type": "rate_limit_exceeded", "message": "slow down"}}),
        )
        .with_header("retry-after", "1"),
    );
    bench.model.push_response(recovered_answer());
    let started = Instant::now();
    let turn = bench.run_turn("hello").await?;
    let elapsed = started.elapsed();
    assert_eq!(turn_status(&turn), json!("completed"));
    assert_eq!(agent_texts(&turn), vec!["recovered".to_string()]);
    assert!(
        elapsed >= Duration::from_millis(950),
        "retried after {elapsed:?}, before the 1 s Retry-After"
    );
    assert_eq!(
        completed_item_types(&turn),
        vec!["userMessage", "agentMessage"]
    );
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn a_stream_closed_before_response_completed_is_retried() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions::default()).await?;
    bench.model.push_responses([
        reasoning_then_answer().close_after(FAULT_AFTER),
        recovered_answer(),
    ]);
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("completed"));
    assert_eq!(retry_notices(&turn), 1);
    assert_eq!(agent_texts(&turn), vec!["recovered".to_string()]);
    assert_eq!(
        completed_item_types(&turn),
        vec!["userMessage", "reasoning", "agentMessage"]
    );
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn a_stream_never_completing_fails_the_turn_clearly() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        stream_max_retries: 0,
        ..MockProviderOptions::default()
    })
    .await?;
    bench
        .model
        .push_response(reasoning_then_answer().close_after(FAULT_AFTER));
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("failed"));
    let error = turn_error(&turn);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{error}"
    );
    assert!(error["codexErrorInfo"].is_object(), "{error}");
    assert_eq!(
        completed_item_types(&turn),
        vec!["userMessage", "reasoning"]
    );
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn a_websocket_closed_mid_turn_is_recovered() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        supports_websockets: true,
        ..MockProviderOptions::default()
    })
    .await?;
    bench.model.push_responses([
        reasoning_then_answer().cut_after(FAULT_AFTER),
        recovered_answer(),
    ]);
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("completed"));
    assert_eq!(agent_texts(&turn), vec!["recovered".to_string()]);
    assert!(
        bench.model.handshake_count() >= 1,
        "the turn never tried the websocket"
    );
    assert_eq!(
        completed_item_types(&turn),
        vec!["userMessage", "reasoning", "agentMessage"]
    );
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn a_malformed_websocket_frame_fails_the_turn_clearly() -> anyhow::Result<()> {
    let mut bench = FaultBench::start(MockProviderOptions {
        supports_websockets: true,
        stream_max_retries: 0,
        request_max_retries: 0,
        ..MockProviderOptions::default()
    })
    .await?;
    // Over a WebSocket a raw body is sent as one text frame: here, not JSON at all.
    bench
        .model
        .push_response(MockResponse::raw_sse("{this frame is not json"));
    let turn = bench.run_turn("hello").await?;
    assert_eq!(turn_status(&turn), json!("failed"));
    let error = turn_error(&turn);
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{error}"
    );
    assert!(!error["codexErrorInfo"].is_null(), "{error}");
    assert!(
        bench.model.handshake_count() >= 1,
        "the turn never tried the websocket"
    );
    assert_eq!(completed_item_types(&turn), vec!["userMessage"]);
    bench.assert_recovered(&turn).await
}

#[tokio::test]
async fn a_hanging_websocket_handshake_falls_back_within_the_connect_timeout() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.set_ws_handshake_hang();
    let mut bench = FaultBench::start_on(
        model,
        MockProviderOptions {
            supports_websockets: true,
            websocket_connect_timeout_ms: Some(300),
            ..MockProviderOptions::default()
        },
        AppServerOptions::default(),
    )
    .await?;
    bench.model.push_response(recovered_answer());
    let started = Instant::now();
    let turn = bench.run_turn("hello").await?;
    let elapsed = started.elapsed();
    assert_eq!(turn_status(&turn), json!("completed"), "{turn:#?}");
    assert_eq!(agent_texts(&turn), vec!["recovered".to_string()]);
    assert!(
        bench.model.handshake_count() >= 1,
        "the turn never tried the websocket"
    );
    // The provider's connect timeout (300 ms here, 15 s by default) bounds the wait; slack for a loaded
    // machine.
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    bench.assert_recovered(&turn).await
}

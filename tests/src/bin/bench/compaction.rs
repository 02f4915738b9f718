//! The compaction scenarios: a thread with a few turns of history compacted on demand
//! (`thread/compact/start`) and the ordinary turn after it; and a turn that compacts automatically
//! before its request because the previous answer reported usage past `model_auto_compact_token_limit`.

use std::path::Path;
use std::time::Instant;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use serde_json::Value;
use serde_json::json;

use crate::failure::BenchFailure;
use crate::figures::IterationSamples;
use crate::options::BenchOptions;
use crate::scratch::initialize_and_start_thread;
use crate::scratch::mock_provider_args;
use crate::scratch::spawn_in_scratch;
use crate::server_process::ServerProcess;
use crate::server_process::millis;
use crate::workload::AUTO_COMPACT_REPORTED_TOKENS;
use crate::workload::AUTO_COMPACT_TOKEN_LIMIT;
use crate::workload::HISTORY_ANSWER_CHUNK_BYTES;
use crate::workload::HISTORY_ANSWER_CHUNKS;
use crate::workload::HISTORY_TURNS;
use crate::workload::HISTORY_USER_MESSAGE_BYTES;
use crate::workload::SHORT_ANSWER_CHUNKS;

/// The start of the summary the mock writes, looked for in the request after the compaction.
const SUMMARY_MARKER: &str = "BENCH-SUMMARY:";

/// What a `thread/compact/start` is expected to produce, in order (`response` is its `{}` answer).
const EXPECTED_COMPACTION_EVENTS: [&str; 6] = [
    "response",
    "turn/started",
    "item/started contextCompaction",
    "item/completed contextCompaction",
    "thread/compacted",
    "turn/completed",
];

/// Two fresh mocks and servers: one compacts on demand and runs a turn after it, one compacts
/// automatically at the start of a turn. Each log goes beside `stderr_log`.
pub(crate) async fn compaction_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    manual_compaction(
        options,
        command_line,
        &stderr_log.with_extension("compaction.log"),
        samples,
        notes,
    )
    .await?;
    auto_compaction(
        options,
        command_line,
        &stderr_log.with_extension("auto-compaction.log"),
        samples,
        notes,
    )
    .await
}

/// `HISTORY_TURNS` turns, then `thread/compact/start` -> the compaction turn's `turn/completed`, then an
/// ordinary turn's `turn/start` -> `turn/completed`.
async fn manual_compaction(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None));
    let (_scratch, _, mut server) = spawn_in_scratch(
        options,
        command_line,
        &mock_provider_args(&mock.uri(), false),
        stderr_log,
    )?;
    let measured = async {
        let (_, thread_id) = initialize_and_start_thread(&mut server).await?;
        seed_history(&mut server, &mock, &thread_id, None).await?;
        let requests_before = model_request_count(&mock).await;
        mock.push_response(summary());
        let compaction = compact(&mut server, &thread_id, options).await?;
        samples.compaction_ms = Some(millis(compaction.started_at, compaction.completed_at));
        if compaction.events != EXPECTED_COMPACTION_EVENTS {
            notes.push(format!(
                "thread/compact/start produced: {}",
                compaction.events.join(", ")
            ));
        }
        let summarization_requests = model_request_count(&mock)
            .await
            .saturating_sub(requests_before);
        if summarization_requests != 1 {
            notes.push(format!(
                "the compaction made {summarization_requests} model requests instead of 1"
            ));
        }
        let after = server.run_turn(&thread_id).await?;
        samples.turn_after_compaction_ms = Some(millis(after.started_at, after.completed_at));
        if !last_request_carries_summary(&mock).await {
            notes.push("the turn after the compaction did not send the summary".into());
        }
        Ok(())
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

/// With `model_auto_compact_token_limit` set, `HISTORY_TURNS` turns whose last answer reports usage past
/// it, then the next turn's `turn/start` -> `turn/completed` across the summary request and its own.
async fn auto_compaction(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None));
    let mut args = mock_provider_args(&mock.uri(), false);
    args.extend([
        "-c".to_string(),
        format!("model_auto_compact_token_limit={AUTO_COMPACT_TOKEN_LIMIT}"),
    ]);
    let (_scratch, _, mut server) = spawn_in_scratch(options, command_line, &args, stderr_log)?;
    let measured = async {
        let (_, thread_id) = initialize_and_start_thread(&mut server).await?;
        seed_history(
            &mut server,
            &mock,
            &thread_id,
            Some(AUTO_COMPACT_REPORTED_TOKENS),
        )
        .await?;
        let requests_before = model_request_count(&mock).await;
        mock.push_responses([
            summary(),
            MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None),
        ]);
        let turn = server.run_turn(&thread_id).await?;
        samples.auto_compaction_turn_ms = Some(millis(turn.started_at, turn.completed_at));
        if turn.compactions_completed != 1 {
            notes.push(format!(
                "the auto-compacting turn completed {} contextCompaction items instead of 1",
                turn.compactions_completed
            ));
        }
        let requests = model_request_count(&mock)
            .await
            .saturating_sub(requests_before);
        if requests != 2 {
            notes.push(format!(
                "the auto-compacting turn made {requests} model requests instead of 2"
            ));
        }
        if !last_request_carries_summary(&mock).await {
            notes.push("the auto-compacting turn's own request did not send the summary".into());
        }
        Ok(())
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

/// `HISTORY_TURNS` turns of a long user message and a long answer; with `last_total_tokens`, the last
/// answer's `response.completed` reports that many tokens.
async fn seed_history(
    server: &mut ServerProcess,
    mock: &MockModelServer,
    thread_id: &str,
    last_total_tokens: Option<i64>,
) -> Result<(), BenchFailure> {
    for turn in 0..HISTORY_TURNS {
        let chunks: Vec<String> = (0..HISTORY_ANSWER_CHUNKS)
            .map(|chunk| {
                filler(
                    &format!("Answer {turn}, part {chunk}:"),
                    HISTORY_ANSWER_CHUNK_BYTES,
                )
            })
            .collect();
        let chunks: Vec<&str> = chunks.iter().map(String::as_str).collect();
        let mut answer = MockResponse::assistant_message(&chunks, None);
        if let Some(total) = last_total_tokens.filter(|_| turn + 1 == HISTORY_TURNS) {
            let last = answer.events().len().saturating_sub(1);
            answer = answer.with_event_at(
                last,
                sse::completed_with_usage("resp_1", total - 10, 0, 10, 0, total),
            );
        }
        mock.push_response(answer);
        let question = filler(&format!("Question {turn}:"), HISTORY_USER_MESSAGE_BYTES);
        server.run_turn_saying(thread_id, &question).await?;
    }
    Ok(())
}

/// `prefix` followed by numbered sentences, about `bytes` long in all.
fn filler(prefix: &str, bytes: usize) -> String {
    let mut text = prefix.to_string();
    let mut sentence = 0;
    while text.len() < bytes {
        text.push_str(&format!(
            " Sentence {sentence} describes module {} and the test that covers it.",
            sentence % 7
        ));
        sentence += 1;
    }
    text
}

/// The summary the mock writes when asked to compact.
fn summary() -> MockResponse {
    let summary = filler(SUMMARY_MARKER, 600);
    MockResponse::assistant_message(&[summary.as_str()], None)
}

async fn model_request_count(mock: &MockModelServer) -> usize {
    mock.responses_requests().await.len()
}

/// Whether the last model request's input carries the summary.
async fn last_request_carries_summary(mock: &MockModelServer) -> bool {
    mock.responses_requests()
        .await
        .last()
        .and_then(|request| request.body_json.as_ref())
        .is_some_and(|body| body["input"].to_string().contains(SUMMARY_MARKER))
}

/// When a compaction was asked for, when its turn completed, and what the server sent in between.
struct CompactionTimings {
    started_at: Instant,
    completed_at: Instant,
    /// The answer, turn and item notifications and `thread/compacted`, in arrival order.
    events: Vec<String>,
}

/// Sends `thread/compact/start` and follows the compaction's turn to `turn/completed`.
async fn compact(
    server: &mut ServerProcess,
    thread_id: &str,
    options: &BenchOptions,
) -> Result<CompactionTimings, BenchFailure> {
    let started_at = Instant::now();
    let id = server
        .send_request("thread/compact/start", json!({"threadId": thread_id}))
        .await?;
    let deadline = tokio::time::Instant::now() + options.timeout;
    let mut events = Vec::new();
    loop {
        let incoming = server
            .next_message(deadline, "the compaction's turn/completed")
            .await?;
        let message = &incoming.message;
        if message.get("id").and_then(Value::as_i64) == Some(id) {
            if let Some(error) = message.get("error") {
                return Err(BenchFailure::ErrorResponse {
                    method: "thread/compact/start",
                    error: error.to_string(),
                });
            }
            events.push("response".to_string());
            continue;
        }
        let method = message.get("method").and_then(Value::as_str);
        match method {
            Some(method @ ("item/started" | "item/completed")) => {
                let item_type = message["params"]["item"]["type"].as_str().unwrap_or("?");
                events.push(format!("{method} {item_type}"));
            }
            Some(method @ ("turn/started" | "thread/compacted")) => events.push(method.to_string()),
            Some("turn/completed") => {
                events.push("turn/completed".to_string());
                let turn = &message["params"]["turn"];
                let status = turn["status"].as_str().unwrap_or("missing").to_string();
                if status != "completed" {
                    return Err(BenchFailure::TurnNotCompleted {
                        status,
                        error: turn["error"].to_string(),
                    });
                }
                return Ok(CompactionTimings {
                    started_at,
                    completed_at: incoming.received_at,
                    events,
                });
            }
            _ => {}
        }
    }
}

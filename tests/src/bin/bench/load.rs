//! The load scenario: many threads of one server streaming at once.

use std::path::Path;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use serde_json::Value;
use serde_json::json;

use crate::failure::BenchFailure;
use crate::options::BenchOptions;
use crate::peak_rss::peak_rss_mb;
use crate::scratch::initialize_and_start_thread;
use crate::scratch::mock_provider_args;
use crate::scratch::spawn_in_scratch;
use crate::workload::LOAD_DELTAS;
use crate::workload::LOAD_THREADS;

/// A fresh mock and server; `LOAD_THREADS` threads each run one `LOAD_DELTAS`-delta turn, all started at
/// once. Returns the deltas per second over all of them (first delta to last) and the peak RSS.
pub(crate) async fn load_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
) -> Result<(Option<f64>, Option<f64>), BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::many_deltas(LOAD_DELTAS));
    let (_scratch, _, mut server) = spawn_in_scratch(
        options,
        command_line,
        &mock_provider_args(&mock.uri(), false),
        stderr_log,
    )?;
    let measured = async {
        let (_, first_thread) = initialize_and_start_thread(&mut server).await?;
        let mut threads = vec![first_thread];
        while threads.len() < LOAD_THREADS {
            let id = server.send_request("thread/start", json!({})).await?;
            let started = server.wait_for_response(id, "thread/start").await?;
            threads.push(
                started.message["result"]["thread"]["id"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            );
        }
        for thread_id in &threads {
            server
                .send_request(
                    "turn/start",
                    json!({"threadId": thread_id, "input": [{"type": "text", "text": "hi", "text_elements": []}]}),
                )
                .await?;
        }
        let deadline = tokio::time::Instant::now() + options.timeout;
        let (mut first, mut last, mut deltas, mut completed) = (None, None, 0_usize, 0_usize);
        while completed < LOAD_THREADS {
            let incoming = server.next_message(deadline, "turn/completed").await?;
            match incoming.message.get("method").and_then(Value::as_str) {
                Some("item/agentMessage/delta") => {
                    deltas += 1;
                    first.get_or_insert(incoming.received_at);
                    last = Some(incoming.received_at);
                }
                Some("turn/completed") => completed += 1,
                _ => {}
            }
        }
        let rate = match (first, last) {
            (Some(first), Some(last)) if deltas > 1 => {
                Some((deltas - 1) as f64 / last.duration_since(first).as_secs_f64())
            }
            _ => None,
        };
        Ok((rate, server.pid.and_then(peak_rss_mb)))
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

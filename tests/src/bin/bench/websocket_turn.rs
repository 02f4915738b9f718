//! The websocket scenarios: the first turn of a fresh server over a Responses websocket, with an instant
//! or a slow handshake, after the preconnect finished or while it is still in flight.

use std::path::Path;
use std::time::Duration;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;

use crate::failure::BenchFailure;
use crate::figures::IterationSamples;
use crate::options::BenchOptions;
use crate::scratch::initialize_and_start_thread;
use crate::scratch::mock_provider_args;
use crate::scratch::spawn_in_scratch;
use crate::server_process::millis;
use crate::workload::PRECONNECT_SETTLE;
use crate::workload::SHORT_ANSWER_CHUNKS;
use crate::workload::SLOW_HANDSHAKE;

/// Three fresh servers whose first turn goes over a websocket: instant handshake; slow handshake with the
/// preconnect done; slow handshake with `turn/start` sent at once. Each log goes beside `stderr_log`.
pub(crate) async fn websocket_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let websocket_cases = [
        (None, Some(PRECONNECT_SETTLE), "ws-instant"),
        (
            Some(SLOW_HANDSHAKE),
            Some(PRECONNECT_SETTLE),
            "ws-slow-preconnected",
        ),
        (Some(SLOW_HANDSHAKE), None, "ws-slow-immediate"),
    ];
    for (handshake_delay, settle_before_turn, log_suffix) in websocket_cases {
        let first_delta_ms = websocket_first_delta_ms(
            options,
            command_line,
            &stderr_log.with_extension(format!("{log_suffix}.log")),
            handshake_delay,
            settle_before_turn,
        )
        .await?;
        if first_delta_ms.is_none() {
            notes.push(format!(
                "the {log_suffix} turn completed without any agentMessage delta"
            ));
        }
        match (handshake_delay, settle_before_turn) {
            (None, _) => samples.websocket_first_delta_ms = first_delta_ms,
            (Some(_), Some(_)) => {
                samples.websocket_slow_preconnected_first_delta_ms = first_delta_ms;
            }
            (Some(_), None) => samples.websocket_slow_immediate_first_delta_ms = first_delta_ms,
        }
    }
    Ok(())
}

/// A fresh mock and server whose turns go over a websocket, each handshake delayed by `handshake_delay`;
/// `turn/start` follows the `thread/start` response after `settle_before_turn` (or at once). Returns
/// `turn/start` -> first agentMessage delta of that first turn.
async fn websocket_first_delta_ms(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    handshake_delay: Option<Duration>,
    settle_before_turn: Option<Duration>,
) -> Result<Option<f64>, BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None));
    if let Some(delay) = handshake_delay {
        mock.set_ws_handshake_delay(delay);
    }
    let (_scratch, _, mut server) = spawn_in_scratch(
        options,
        command_line,
        &mock_provider_args(&mock.uri(), true),
        stderr_log,
    )?;
    let measured = async {
        let (_, thread_id) = initialize_and_start_thread(&mut server).await?;
        if let Some(settle) = settle_before_turn {
            tokio::time::sleep(settle).await;
        }
        let turn = server.run_turn(&thread_id).await?;
        if mock.handshake_count() == 0 {
            return Err(BenchFailure::NoWebSocket);
        }
        Ok(turn
            .first_delta_at
            .map(|first_delta_at| millis(turn.started_at, first_delta_at)))
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

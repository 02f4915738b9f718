//! The HTTP scenario: one server answers `initialize`, then runs a short turn, a tool turn, a turn of two
//! tool calls that may run at once, and a long stream over the Responses HTTP transport.

use std::path::Path;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use serde_json::json;

use crate::failure::BenchFailure;
use crate::figures::IterationSamples;
use crate::options::BenchOptions;
use crate::peak_rss::peak_rss_mb;
use crate::scratch::initialize_and_start_thread;
use crate::scratch::mock_provider_args;
use crate::scratch::spawn_in_scratch;
use crate::server_process::ServerProcess;
use crate::server_process::millis;
use crate::workload::PARALLEL_SLEEP_SECONDS;
use crate::workload::SHORT_ANSWER_CHUNKS;

/// A fresh mock and server: the initialize latency, the short turn, the tool turn, the stream's throughput
/// and the peak RSS after it.
pub(crate) async fn http_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.set_default_response(MockResponse::assistant_message(&SHORT_ANSWER_CHUNKS, None));
    let (_scratch, spawned_at, mut server) = spawn_in_scratch(
        options,
        command_line,
        &mock_provider_args(&mock.uri(), false),
        stderr_log,
    )?;
    let measured = async {
        let (initialized_at, thread_id) = initialize_and_start_thread(&mut server).await?;
        samples.initialize_ms = Some(millis(spawned_at, initialized_at));
        short_turn(&mut server, &thread_id, samples, notes).await?;
        tool_turn(&mut server, &mock, &thread_id, samples, notes).await?;
        parallel_tool_turn(&mut server, &mock, &thread_id, samples, notes).await?;
        mock.set_default_response(MockResponse::many_deltas(options.delta_count));
        stream_turn(&mut server, &thread_id, options.delta_count, samples, notes).await?;
        samples.peak_rss_mb = server.pid.and_then(peak_rss_mb);
        Ok(())
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

/// A three-delta answer: turn/start -> first delta, and -> turn/completed.
async fn short_turn(
    server: &mut ServerProcess,
    thread_id: &str,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let short_turn = server.run_turn(thread_id).await?;
    samples.turn_ms = Some(millis(short_turn.started_at, short_turn.completed_at));
    match short_turn.first_delta_at {
        Some(first_delta_at) => {
            samples.first_delta_ms = Some(millis(short_turn.started_at, first_delta_at));
        }
        None => notes.push("the short turn completed without any agentMessage delta".into()),
    }
    Ok(())
}

/// The model calls `shell_command` with `echo hi` once: turn/start -> turn/completed across both model
/// requests and the command.
async fn tool_turn(
    server: &mut ServerProcess,
    mock: &MockModelServer,
    thread_id: &str,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    mock.push_response(MockResponse::sse(vec![
        sse::response_created("resp_tool"),
        sse::function_call(
            "call_bench",
            "shell_command",
            &json!({"command": "echo hi", "login": false}).to_string(),
        ),
        sse::completed("resp_tool"),
    ]));
    let tool_turn = server.run_turn(thread_id).await?;
    samples.tool_turn_ms = Some(millis(tool_turn.started_at, tool_turn.completed_at));
    if tool_turn.commands_completed != 1 {
        notes.push(format!(
            "the tool turn completed {} commands instead of 1",
            tool_turn.commands_completed
        ));
    }
    Ok(())
}

/// The model calls `shell_command` with `sleep` twice in one response: turn/start -> turn/completed. Run
/// at once, the turn takes one sleep; one after the other, two.
async fn parallel_tool_turn(
    server: &mut ServerProcess,
    mock: &MockModelServer,
    thread_id: &str,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let arguments = json!({"command": format!("sleep {PARALLEL_SLEEP_SECONDS}"), "login": false});
    mock.push_response(MockResponse::sse(vec![
        sse::response_created("resp_parallel"),
        sse::function_call("call_sleep_1", "shell_command", &arguments.to_string()),
        sse::function_call("call_sleep_2", "shell_command", &arguments.to_string()),
        sse::completed("resp_parallel"),
    ]));
    let turn = server.run_turn(thread_id).await?;
    samples.parallel_tool_turn_ms = Some(millis(turn.started_at, turn.completed_at));
    if turn.commands_completed != 2 {
        notes.push(format!(
            "the parallel tool turn completed {} commands instead of 2",
            turn.commands_completed
        ));
    }
    Ok(())
}

/// A `delta_count`-delta answer: deltas per second from the first delta to the last.
async fn stream_turn(
    server: &mut ServerProcess,
    thread_id: &str,
    delta_count: usize,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let stream_turn = server.run_turn(thread_id).await?;
    if stream_turn.delta_count != delta_count {
        notes.push(format!(
            "the stream turn produced {} agentMessage deltas for {} model deltas",
            stream_turn.delta_count, delta_count
        ));
    }
    if let (Some(first), Some(last)) = (stream_turn.first_delta_at, stream_turn.last_delta_at)
        && stream_turn.delta_count > 1
    {
        let seconds = last.duration_since(first).as_secs_f64();
        samples.deltas_per_second = Some((stream_turn.delta_count - 1) as f64 / seconds);
    }
    Ok(())
}

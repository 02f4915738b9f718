//! The unified exec figures (no sandbox, no login shell), each from the moment the mock model hands out a
//! call: one `exec_command` of `echo`, to its `commandExecution` item's `item/completed` (reading the call,
//! starting the session, seeing it end); and a keystroke into a PTY session (`cat` on a terminal), to the
//! `outputDelta` carrying the terminal's echo of the `write_stdin`.

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Instant;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::scripted_model;
use codex_app_server_tests::scripted_model::Next;
use codex_app_server_tests::scripted_model::Step;
use codex_app_server_tests::scripted_model::answer;
use codex_app_server_tests::scripted_model::function_call;
use codex_app_server_tests::scripted_model::respond;
use serde_json::Value;
use serde_json::json;

use crate::failure::BenchFailure;
use crate::figures::IterationSamples;
use crate::options::BenchOptions;
use crate::scratch::initialize_and_start_thread;
use crate::scratch::mock_provider_args;
use crate::scratch::spawn_in_scratch;
use crate::scratch::unsandboxed_args;
use crate::server_process::ServerProcess;
use crate::server_process::millis;

/// What the bench types into the terminal.
const KEYSTROKES: &str = "ping\n";

/// When the mock handed out the call being measured.
type HandedOut = Arc<Mutex<Option<Instant>>>;

/// One fresh mock and server: the `echo` figure's turn, then the keystroke figure's turn.
pub(crate) async fn unified_exec_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let mock = MockModelServer::start().await;
    let (echo_called, keys_typed) = (HandedOut::default(), HandedOut::default());
    install_script(&mock, &echo_called, &keys_typed);
    let mut args = mock_provider_args(&mock.uri(), false);
    // Unsandboxed, for a comparison of the sessions themselves.
    args.extend(unsandboxed_args());
    let (_scratch, _, mut server) = spawn_in_scratch(options, command_line, &args, stderr_log)?;
    let measured = async {
        let (_, thread_id) = initialize_and_start_thread(&mut server).await?;
        let echoed = run_turn(&mut server, &thread_id, "echo", |message| {
            message["method"] == "item/completed" && message["params"]["item"]["id"] == "ue_echo"
        })
        .await?;
        match since(&echo_called, echoed) {
            Some(ms) => samples.unified_exec_echo_ms = Some(ms),
            None => notes.push("the unified exec turn showed no completed `echo` item".into()),
        }
        let typed = run_turn(&mut server, &thread_id, "type", |message| {
            message["method"] == "item/commandExecution/outputDelta"
                && message["params"]["itemId"] == "ue_cat"
                && message["params"]["delta"]
                    .as_str()
                    .is_some_and(|delta| delta.contains("ping"))
        })
        .await?;
        match since(&keys_typed, typed) {
            Some(ms) => samples.unified_exec_keystroke_ms = Some(ms),
            None => notes.push("the PTY session's echo of the keystrokes was not seen".into()),
        }
        Ok(())
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

/// Milliseconds from the call being handed out to `seen`, if both happened in that order.
fn since(handed_out: &HandedOut, seen: Option<Instant>) -> Option<f64> {
    let handed_out = (*handed_out.lock().unwrap_or_else(|e| e.into_inner()))?;
    let seen = seen?;
    (seen >= handed_out).then(|| millis(handed_out, seen))
}

/// Turn 1: `exec_command echo`; turn 2: `exec_command cat` on a PTY, then `write_stdin` to it.
fn install_script(mock: &MockModelServer, echo_called: &HandedOut, keys_typed: &HandedOut) {
    let echo = handing_out(echo_called, |_| {
        function_call(
            "ue_echo",
            "exec_command",
            &json!({"cmd": "echo bench", "login": false, "yield_time_ms": 10000}),
        )
    });
    let type_keys = handing_out(keys_typed, |body| {
        let output = scripted_model::tool_output(body, "ue_cat");
        let id = scripted_model::session_id(&output).unwrap_or_default();
        function_call(
            "ue_key",
            "write_stdin",
            &json!({"session_id": id, "chars": KEYSTROKES, "yield_time_ms": 500}),
        )
    });
    scripted_model::install(
        mock,
        vec![
            echo,
            respond(answer("echoed")),
            respond(function_call(
                "ue_cat",
                "exec_command",
                &json!({"cmd": "cat", "tty": true, "login": false, "yield_time_ms": 250}),
            )),
            type_keys,
            respond(answer("typed")),
        ],
    );
}

/// A step answering with `call(body)`, noting when it was handed out.
fn handing_out(
    handed_out: &HandedOut,
    call: impl Fn(&Value) -> MockResponse + Send + 'static,
) -> Step {
    let handed_out = Arc::clone(handed_out);
    Box::new(move |body: &Value| {
        let response = call(body);
        *handed_out.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        Next::Respond(response)
    })
}

/// Runs a turn to its `turn/completed`; returns when the first message `mark` picked arrived.
async fn run_turn(
    server: &mut ServerProcess,
    thread_id: &str,
    text: &str,
    mark: impl Fn(&Value) -> bool,
) -> Result<Option<Instant>, BenchFailure> {
    let params = json!({"threadId": thread_id, "input": [{"type": "text", "text": text, "text_elements": []}]});
    server.send_request("turn/start", params).await?;
    let deadline = tokio::time::Instant::now() + server.timeout();
    let mut marked = None;
    loop {
        let incoming = server.next_message(deadline, "turn/completed").await?;
        if marked.is_none() && mark(&incoming.message) {
            marked = Some(incoming.received_at);
        }
        if incoming.message["method"] == "turn/completed" {
            return Ok(marked);
        }
    }
}

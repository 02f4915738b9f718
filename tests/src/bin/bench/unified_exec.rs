//! The unified exec figures: one `exec_command` of `echo` through the model, from its `commandExecution`
//! item's `item/started` to its `item/completed` (starting a session, reading it, seeing it end); and a
//! keystroke into a PTY session (`cat` on a terminal): from the moment the mock model hands out the
//! `write_stdin` call to the `outputDelta` carrying the terminal's echo of it.

use std::path::Path;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Instant;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::scripted_model;
use codex_app_server_tests::scripted_model::Next;
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
use crate::server_process::ServerProcess;
use crate::server_process::millis;

/// What the bench types into the terminal.
const KEYSTROKES: &str = "ping\n";

/// One fresh mock and server: the `echo` figure's turn, then the keystroke figure's turn.
pub(crate) async fn unified_exec_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let mock = MockModelServer::start().await;
    let typed_at: Arc<Mutex<Option<Instant>>> = Arc::default();
    install_script(&mock, Arc::clone(&typed_at));
    let args = mock_provider_args(&mock.uri(), false);
    let (_scratch, _, mut server) = spawn_in_scratch(options, command_line, &args, stderr_log)?;
    let measured = async {
        let (_, thread_id) = initialize_and_start_thread(&mut server).await?;
        let echo = run_turn(&mut server, &thread_id, "echo", |_| false).await?;
        match item_span(&echo, "ue_echo") {
            Some(ms) => samples.unified_exec_echo_ms = Some(ms),
            None => notes.push("the unified exec turn showed no completed `echo` item".into()),
        }
        let typing = run_turn(&mut server, &thread_id, "type", |message| {
            message["method"] == "item/commandExecution/outputDelta"
                && message["params"]["itemId"] == "ue_cat"
                && message["params"]["delta"]
                    .as_str()
                    .is_some_and(|delta| delta.contains("ping"))
        })
        .await?;
        let typed = *typed_at.lock().unwrap_or_else(|e| e.into_inner());
        match (typed, typing.marked) {
            (Some(typed), Some(echoed)) if echoed >= typed => {
                samples.unified_exec_keystroke_ms = Some(millis(typed, echoed));
            }
            _ => notes.push("the PTY session's echo of the keystrokes was not seen".into()),
        }
        Ok(())
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

/// Turn 1: `exec_command echo`; turn 2: `exec_command cat` on a PTY, then `write_stdin` to it (the
/// instant the call is handed out is kept in `typed_at`).
fn install_script(mock: &MockModelServer, typed_at: Arc<Mutex<Option<Instant>>>) {
    let type_keys: scripted_model::Step = Box::new(move |body: &Value| {
        let output = scripted_model::tool_output(body, "ue_cat");
        let id = scripted_model::session_id(&output).unwrap_or_default();
        *typed_at.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
        Next::Respond(function_call(
            "ue_key",
            "write_stdin",
            &json!({"session_id": id, "chars": KEYSTROKES, "yield_time_ms": 500}),
        ))
    });
    scripted_model::install(
        mock,
        vec![
            respond(function_call(
                "ue_echo",
                "exec_command",
                &json!({"cmd": "echo bench", "yield_time_ms": 10000}),
            )),
            respond(answer("echoed")),
            respond(function_call(
                "ue_cat",
                "exec_command",
                &json!({"cmd": "cat", "tty": true, "yield_time_ms": 250}),
            )),
            type_keys,
            respond(answer("typed")),
        ],
    );
}

/// A turn's messages with their arrival instants, and when the first message `mark` picked arrived.
struct TurnMessages {
    messages: Vec<(Instant, Value)>,
    marked: Option<Instant>,
}

async fn run_turn(
    server: &mut ServerProcess,
    thread_id: &str,
    text: &str,
    mark: impl Fn(&Value) -> bool,
) -> Result<TurnMessages, BenchFailure> {
    let params = json!({"threadId": thread_id, "input": [{"type": "text", "text": text, "text_elements": []}]});
    server.send_request("turn/start", params).await?;
    let deadline = tokio::time::Instant::now() + server.timeout();
    let mut turn = TurnMessages {
        messages: Vec::new(),
        marked: None,
    };
    loop {
        let incoming = server.next_message(deadline, "turn/completed").await?;
        if turn.marked.is_none() && mark(&incoming.message) {
            turn.marked = Some(incoming.received_at);
        }
        let done = incoming.message["method"] == "turn/completed";
        turn.messages.push((incoming.received_at, incoming.message));
        if done {
            return Ok(turn);
        }
    }
}

/// `item_id`'s item/started -> item/completed, if it completed.
fn item_span(turn: &TurnMessages, item_id: &str) -> Option<f64> {
    let at = |method: &str| {
        turn.messages
            .iter()
            .find(|(_, message)| {
                message["method"] == method && message["params"]["item"]["id"] == item_id
            })
            .map(|(at, _)| *at)
    };
    Some(millis(at("item/started")?, at("item/completed")?))
}

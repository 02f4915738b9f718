//! The demo: starts the mock model server, spawns `codex-app-server` the way an IDE does, runs two turns
//! over stdio JSON-RPC and prints the conversation as it streams: a plain answer, then a turn where the model
//! runs a command that the host (this demo) approves. Offline; nothing leaves loopback.
//!
//! Run it with `cargo run -q -p codex-app-server-tests --bin demo`.

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use anyhow::bail;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use serde_json::Value;
use serde_json::json;

const QUESTION: &str = "Why is the sky blue? One short paragraph, please.";
const TASK: &str = "Leave me a note in this directory.";
const NOTE_SCRIPT: &str = "echo 'remember the Rayleigh scattering' > note.txt && cat note.txt";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([scripted_answer(), scripted_command(), scripted_note_done()]);
    let workspace = tempfile::tempdir().context("create the demo workspace")?;

    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;

    let initialize = server.initialize().await?;
    println!(
        "▸ initialize   → {}",
        initialize["result"]["userAgent"].as_str().unwrap_or("?")
    );

    let id = server.send_request("model/list", json!({})).await?;
    let models = result_of(server.read_response(id).await?)?;
    let names: Vec<String> = models["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|model| {
            let id = model["id"].as_str().unwrap_or("?");
            if model["isDefault"] == json!(true) {
                format!("{id} (default)")
            } else {
                id.to_string()
            }
        })
        .collect();
    println!("▸ model/list   → {}", names.join(", "));

    // `untrusted`: the daemon asks the host before any command that is not known to be read-only;
    // `workspace-write`: commands may write only in the thread's cwd (and /tmp), enforced by Landlock.
    let id = server
        .send_request(
            "thread/start",
            json!({
                "cwd": workspace.path().display().to_string(),
                "approvalPolicy": "untrusted",
                "sandbox": "workspace-write",
            }),
        )
        .await?;
    let started = result_of(server.read_response(id).await?)?;
    let thread_id = started["thread"]["id"]
        .as_str()
        .context("thread id")?
        .to_string();
    println!(
        "▸ thread/start → thread {thread_id} · model {} via provider {}",
        started["model"].as_str().unwrap_or("?"),
        started["modelProvider"].as_str().unwrap_or("?")
    );

    run_turn(&mut server, &thread_id, QUESTION).await?;
    run_turn(&mut server, &thread_id, TASK).await?;
    println!(
        "▸ note.txt     → {:?}",
        std::fs::read_to_string(workspace.path().join("note.txt")).unwrap_or_default()
    );

    let requests = model.responses_requests().await;
    server.close_stdin();
    server
        .wait_exit(std::time::Duration::from_secs(5))
        .await
        .context("daemon exit")?;
    // The daemon's CODEX_HOME and the workspace are temporary and go when the demo ends, so the last line
    // says what was saved rather than where.
    let records = server.rollout_records()?;
    println!(
        "▸ the mock model received {} request(s); the daemon saved the thread as a {}-line rollout in its \
         temporary CODEX_HOME, removed with the workspace when the demo exits",
        requests.len(),
        records.len()
    );
    Ok(())
}

/// Sends one turn and prints what streams back until `turn/completed`, approving the commands the daemon
/// asks about the way an IDE would after the user clicked "Allow".
async fn run_turn(server: &mut AppServer, thread_id: &str, text: &str) -> anyhow::Result<()> {
    println!("\nyou> {text}");
    let turn_sent = Instant::now();
    let id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": text, "text_elements": []}],
            }),
        )
        .await?;
    result_of(server.read_response(id).await?)?;

    let mut stdout = std::io::stdout();
    let mut first_delta_ms = None;
    loop {
        let message = server.read_message().await?;
        let params = &message["params"];
        let method = message["method"].as_str().unwrap_or_default();
        if message.get("id").is_some() && method == "item/commandExecution/requestApproval" {
            println!(
                "▸ approval?    → run `{}` in {} — the host answers: accept",
                params["command"].as_str().unwrap_or("?"),
                params["cwd"].as_str().unwrap_or("?")
            );
            server
                .send_json(&json!({"id": message["id"], "result": {"decision": "accept"}}))
                .await?;
            continue;
        }
        match method {
            "item/started" if params["item"]["type"] == "agentMessage" => {
                let label = match params["item"]["phase"].as_str() {
                    Some("commentary") => "assistant (commentary)",
                    Some(_) | None => "assistant",
                };
                print!("{label}> ");
            }
            "item/started" if params["item"]["type"] == "reasoning" => print!("  (thinking) "),
            "item/started" if params["item"]["type"] == "commandExecution" => {
                println!("  $ {}", params["item"]["command"].as_str().unwrap_or("?"));
            }
            "item/agentMessage/delta" | "item/reasoning/summaryTextDelta" => {
                first_delta_ms.get_or_insert(turn_sent.elapsed().as_millis());
                print!("{}", params["delta"].as_str().unwrap_or_default());
                stdout.flush()?;
            }
            "item/commandExecution/outputDelta" => {
                print!("  | {}", params["delta"].as_str().unwrap_or_default());
                stdout.flush()?;
            }
            "item/completed" if params["item"]["type"] == "commandExecution" => {
                println!(
                    "  ({}, exit code {}, {} ms)",
                    params["item"]["status"].as_str().unwrap_or("?"),
                    params["item"]["exitCode"],
                    params["item"]["durationMs"]
                );
            }
            "item/completed"
                if matches!(
                    params["item"]["type"].as_str(),
                    Some("agentMessage" | "reasoning")
                ) =>
            {
                println!();
            }
            "thread/tokenUsage/updated" => {
                let total = &params["tokenUsage"]["total"];
                println!(
                    "▸ tokens       → {} total ({} input, {} cached, {} output, {} reasoning)",
                    total["totalTokens"],
                    total["inputTokens"],
                    total["cachedInputTokens"],
                    total["outputTokens"],
                    total["reasoningOutputTokens"]
                );
            }
            "error" if params["willRetry"] == json!(false) => {
                println!("▸ error        → {}", params["error"]["message"]);
            }
            "turn/completed" => {
                println!(
                    "▸ turn/completed → {} in {} ms (first token after {} ms)",
                    params["turn"]["status"].as_str().unwrap_or("?"),
                    turn_sent.elapsed().as_millis(),
                    first_delta_ms.unwrap_or_default()
                );
                return Ok(());
            }
            _ => {}
        }
    }
}

/// The model's first answer to the task: a `shell` call writing the note.
fn scripted_command() -> MockResponse {
    let arguments = json!({"command": ["bash", "-c", NOTE_SCRIPT]}).to_string();
    MockResponse::sse(vec![
        sse::response_created("resp_command"),
        sse::function_call("call_note", "shell", &arguments),
        sse::completed("resp_command"),
    ])
}

/// The model's answer once it has the command's output.
fn scripted_note_done() -> MockResponse {
    let answer = "Done: note.txt says to remember the Rayleigh scattering.";
    MockResponse::sse(vec![
        sse::response_created("resp_done"),
        sse::output_item_added_message("msg_done", Some("final_answer")),
        sse::output_text_delta(answer),
        sse::output_item_done_message("msg_done", answer, Some("final_answer")),
        sse::completed("resp_done"),
    ])
}

/// A reasoning summary, a commentary message and a streamed final answer, as a real model sends them.
fn scripted_answer() -> MockResponse {
    let answer = [
        "Sunlight ",
        "is a mix of colours. ",
        "Air molecules scatter short (blue) wavelengths ",
        "far more than long (red) ones — Rayleigh scattering — ",
        "so blue light reaches your eyes from every direction of the sky.",
    ];
    let mut events = vec![
        sse::response_created("resp_demo"),
        sse::reasoning_item_added("rs_demo"),
        sse::reasoning_summary_part_added(0),
        sse::reasoning_summary_text_delta("Recalling Rayleigh scattering.", 0),
        sse::reasoning_item_done("rs_demo", &["Recalling Rayleigh scattering."], None),
        sse::output_item_added_message("msg_commentary", Some("commentary")),
        sse::output_text_delta("Short physics answer coming up."),
        sse::output_item_done_message(
            "msg_commentary",
            "Short physics answer coming up.",
            Some("commentary"),
        ),
        sse::output_item_added_message("msg_answer", Some("final_answer")),
    ];
    events.extend(answer.iter().map(|chunk| sse::output_text_delta(chunk)));
    events.push(sse::output_item_done_message(
        "msg_answer",
        &answer.concat(),
        Some("final_answer"),
    ));
    events.push(sse::completed_with_usage(
        "resp_demo",
        1200,
        0,
        96,
        12,
        1296,
    ));
    MockResponse::sse(events).with_delay_between_events(std::time::Duration::from_millis(40))
}

fn result_of(response: Value) -> anyhow::Result<Value> {
    if let Some(error) = response.get("error") {
        bail!("the daemon answered an error: {error}");
    }
    Ok(response["result"].clone())
}

//! The demo: starts the mock model server, spawns `codex-app-server` the way an IDE does, runs one whole
//! turn over stdio JSON-RPC, and prints the conversation as it streams. Offline; nothing leaves loopback.
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

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(scripted_answer());

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

    let id = server.send_request("thread/start", json!({})).await?;
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

    println!("\nyou> {QUESTION}");
    let turn_sent = Instant::now();
    let id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": QUESTION, "text_elements": []}],
            }),
        )
        .await?;
    result_of(server.read_response(id).await?)?;

    let mut stdout = std::io::stdout();
    let mut first_delta_ms = None;
    loop {
        let message = server.read_message().await?;
        let params = &message["params"];
        match message["method"].as_str().unwrap_or_default() {
            "item/started" if params["item"]["type"] == "agentMessage" => {
                let label = match params["item"]["phase"].as_str() {
                    Some("commentary") => "assistant (commentary)",
                    Some(_) | None => "assistant",
                };
                print!("{label}> ");
            }
            "item/started" if params["item"]["type"] == "reasoning" => print!("  (thinking) "),
            "item/agentMessage/delta" | "item/reasoning/summaryTextDelta" => {
                first_delta_ms.get_or_insert(turn_sent.elapsed().as_millis());
                print!("{}", params["delta"].as_str().unwrap_or_default());
                stdout.flush()?;
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
                break;
            }
            _ => {}
        }
    }

    let requests = model.responses_requests().await;
    println!(
        "▸ the mock model received {} request(s); the thread is saved under {}",
        requests.len(),
        server.codex_home().join("sessions").display()
    );
    server.close_stdin();
    server
        .wait_exit(std::time::Duration::from_secs(5))
        .await
        .context("daemon exit")?;
    Ok(())
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

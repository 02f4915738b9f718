//! Responses over WebSocket through the real binary (issue 6): turns over a socket, one handshake per
//! turn, the preconnected socket adopted (ready or still in flight), sticky fallback to HTTP after a
//! refused handshake, `prefer_websockets` from the model catalog, and the sticky-routing token.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::RecordedRequest;
use codex_app_server_tests::mock_model_server::Transport;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);
const WEBSOCKETS_GATE: [&str; 2] = ["--enable", "responses_websockets"];

async fn spawn_server(model: &MockModelServer, extra_args: &[&str]) -> anyhow::Result<AppServer> {
    let mut args = mock_provider_args(
        &model.uri(),
        &MockProviderOptions {
            supports_websockets: true,
            ..MockProviderOptions::default()
        },
    );
    args.extend(extra_args.iter().map(|arg| arg.to_string()));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

async fn start_thread(server: &mut AppServer) -> anyhow::Result<String> {
    let id = server.send_request("thread/start", json!({})).await?;
    let response = server.read_response(id).await?;
    Ok(response["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("thread/start failed: {response}"))
        .to_string())
}

/// Runs one turn and returns every message up to and including `turn/completed`.
async fn run_turn(server: &mut AppServer, thread_id: &str) -> anyhow::Result<Vec<Value>> {
    let id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "hi", "text_elements": []}],
            }),
        )
        .await?;
    let response = server.read_response(id).await?;
    assert!(
        response.get("result").is_some(),
        "turn/start failed: {response}"
    );
    let mut messages = server.take_buffered();
    loop {
        let message = server.read_message().await?;
        let done = message["method"] == "turn/completed";
        messages.push(message);
        if done {
            return Ok(messages);
        }
    }
}

/// The final `agentMessage` texts of a turn, and its status.
fn agent_texts_and_status(messages: &[Value]) -> (Vec<String>, String) {
    let texts = messages
        .iter()
        .filter(|message| {
            message["method"] == "item/completed"
                && message["params"]["item"]["type"] == "agentMessage"
        })
        .map(|message| {
            message["params"]["item"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    let status = messages
        .last()
        .and_then(|message| message["params"]["turn"]["status"].as_str())
        .unwrap_or_default()
        .to_string();
    (texts, status)
}

fn transports(requests: &[RecordedRequest]) -> Vec<Transport> {
    requests.iter().map(|request| request.transport).collect()
}

fn completed_turn(text: &str) -> (Vec<String>, String) {
    (vec![text.to_string()], "completed".to_string())
}

#[tokio::test]
async fn a_turn_runs_over_the_websocket() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Hello", " socket"], None));
    let mut server = spawn_server(&model, &WEBSOCKETS_GATE).await?;
    let thread_id = start_thread(&mut server).await?;

    let messages = run_turn(&mut server, &thread_id).await?;

    assert_eq!(
        agent_texts_and_status(&messages),
        completed_turn("Hello socket")
    );
    let requests = model.responses_requests().await;
    assert_eq!(
        transports(&requests),
        vec![Transport::WebSocket { connection: 0 }]
    );
    let body = requests[0].body_json.clone().expect("a JSON frame");
    assert_eq!(
        (
            body["type"].clone(),
            body["model"].clone(),
            body["stream"].clone()
        ),
        (
            json!("response.create"),
            json!("gpt-5.2-codex"),
            json!(true)
        )
    );
    let handshakes = model.websocket_handshakes().await;
    assert_eq!(handshakes.len(), 1);
    assert_eq!(handshakes[0].path, "/v1/responses");
    assert_eq!(
        handshakes[0].header("openai-beta"),
        Some("responses_websockets=2026-02-04")
    );
    Ok(())
}

#[tokio::test]
async fn a_two_request_turn_uses_one_handshake() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::function_call("call_1", "no_such_tool", r#"{"x":1}"#),
        sse::completed("resp_1"),
    ]));
    model.push_response(MockResponse::assistant_message(&["Done"], None));
    let mut server = spawn_server(&model, &WEBSOCKETS_GATE).await?;
    let thread_id = start_thread(&mut server).await?;

    let messages = run_turn(&mut server, &thread_id).await?;

    assert_eq!(agent_texts_and_status(&messages), completed_turn("Done"));
    let requests = model.responses_requests().await;
    assert_eq!(
        transports(&requests),
        vec![
            Transport::WebSocket { connection: 0 },
            Transport::WebSocket { connection: 0 },
        ]
    );
    assert_eq!(model.handshake_count(), 1);
    // The follow-up carries the unsupported tool's error output so the model can go on.
    let follow_up = requests[1].body_json.clone().expect("a JSON frame");
    let tool_output = follow_up["input"]
        .as_array()
        .and_then(|input| {
            input
                .iter()
                .find(|item| item["type"] == "function_call_output")
        })
        .cloned()
        .expect("a function_call_output in the follow-up");
    assert_eq!(tool_output["call_id"], "call_1");
    Ok(())
}

#[tokio::test]
async fn the_preconnected_socket_is_adopted_by_the_first_turn() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["First"], None));
    model.push_response(MockResponse::assistant_message(&["Second"], None));
    let mut server = spawn_server(&model, &WEBSOCKETS_GATE).await?;

    assert_eq!(model.handshake_count(), 0);
    let thread_id = start_thread(&mut server).await?;
    model.wait_for_handshakes(1, WAIT).await?;
    assert_eq!(model.received_frames().await, Vec::new());

    let first = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&first), completed_turn("First"));
    assert_eq!(model.handshake_count(), 1);
    let frame_types: Vec<Option<Value>> = model
        .received_frames()
        .await
        .into_iter()
        .map(|frame| frame.json.map(|json| json["type"].clone()))
        .collect();
    assert_eq!(frame_types, vec![Some(json!("response.create"))]);
    assert_eq!(
        transports(&model.responses_requests().await),
        vec![Transport::WebSocket { connection: 0 }]
    );

    // The next turn reuses the thread's socket while the server keeps it open.
    let second = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&second), completed_turn("Second"));
    assert_eq!(model.handshake_count(), 1);
    assert_eq!(
        transports(&model.responses_requests().await),
        vec![
            Transport::WebSocket { connection: 0 },
            Transport::WebSocket { connection: 0 },
        ]
    );
    Ok(())
}

/// A server that closes an idle socket (the preconnected one before the first turn, or the kept one between
/// turns) does not send the thread to HTTP: the next turn opens a new socket.
#[tokio::test]
async fn an_idle_socket_the_server_closed_is_replaced_not_abandoned_for_http() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["First"], None));
    model.push_response(MockResponse::assistant_message(&["Second"], None));
    let mut server = spawn_server(&model, &WEBSOCKETS_GATE).await?;
    let thread_id = start_thread(&mut server).await?;
    model.wait_for_handshakes(1, WAIT).await?;
    model.close_idle_websockets(WAIT).await?;

    let first = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&first), completed_turn("First"));
    model.close_idle_websockets(WAIT).await?;
    let second = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&second), completed_turn("Second"));

    assert_eq!(
        transports(&model.responses_requests().await),
        vec![
            Transport::WebSocket { connection: 1 },
            Transport::WebSocket { connection: 2 },
        ]
    );
    assert_eq!(model.handshake_count(), 3);
    Ok(())
}

#[tokio::test]
async fn an_in_flight_preconnect_is_awaited_instead_of_connecting_again() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_ws_handshake_delay(Duration::from_millis(500));
    model.push_response(MockResponse::assistant_message(&["Waited"], None));
    let mut server = spawn_server(&model, &WEBSOCKETS_GATE).await?;
    let thread_id = start_thread(&mut server).await?;

    // Sent while the preconnect's handshake is still being delayed.
    let messages = run_turn(&mut server, &thread_id).await?;

    assert_eq!(agent_texts_and_status(&messages), completed_turn("Waited"));
    assert_eq!(model.handshake_count(), 1);
    assert_eq!(
        transports(&model.responses_requests().await),
        vec![Transport::WebSocket { connection: 0 }]
    );
    Ok(())
}

/// A refused handshake (the preconnect's, then the turn's own attempt) switches the session to HTTP for
/// good: the turn completes over HTTP and the next turn does not try the socket again.
async fn assert_refused_handshake_falls_back_to_http(status: u16) -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.refuse_ws_handshake(status);
    model.push_response(MockResponse::assistant_message(&["Over HTTP"], None));
    model.push_response(MockResponse::assistant_message(&["Still HTTP"], None));
    let mut server = spawn_server(&model, &WEBSOCKETS_GATE).await?;
    let thread_id = start_thread(&mut server).await?;
    model.wait_for_handshakes(1, WAIT).await?;

    let first = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&first), completed_turn("Over HTTP"));
    assert_eq!(
        model.handshake_count(),
        2,
        "preconnect + the turn's attempt"
    );
    assert_eq!(
        transports(&model.responses_requests().await),
        vec![Transport::Http]
    );

    let second = run_turn(&mut server, &thread_id).await?;
    assert_eq!(
        agent_texts_and_status(&second),
        completed_turn("Still HTTP")
    );
    assert_eq!(model.handshake_count(), 2);
    assert_eq!(
        transports(&model.responses_requests().await),
        vec![Transport::Http, Transport::Http]
    );
    Ok(())
}

#[tokio::test]
async fn a_426_handshake_falls_back_to_http() -> anyhow::Result<()> {
    assert_refused_handshake_falls_back_to_http(426).await
}

#[tokio::test]
async fn a_500_handshake_falls_back_to_http() -> anyhow::Result<()> {
    assert_refused_handshake_falls_back_to_http(500).await
}

#[tokio::test]
async fn prefer_websockets_in_the_catalog_uses_the_socket_with_the_gate_off() -> anyhow::Result<()>
{
    let catalog_dir = tempfile::tempdir()?;
    let catalog_path = catalog_dir.path().join("models.json");
    std::fs::write(
        &catalog_path,
        json!({"models": [{
            "slug": "gpt-5.2-codex",
            "display_name": "gpt-5.2-codex",
            "description": "prefers websockets",
            "supports_reasoning_summaries": true,
            "prefer_websockets": true,
        }]})
        .to_string(),
    )?;
    let catalog_arg = format!("model_catalog_json=\"{}\"", catalog_path.display());

    let preferring = MockModelServer::start().await;
    preferring.push_response(MockResponse::assistant_message(&["Socket"], None));
    let mut server = spawn_server(&preferring, &["-c", &catalog_arg]).await?;
    let thread_id = start_thread(&mut server).await?;
    let messages = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&messages), completed_turn("Socket"));
    assert_eq!(
        transports(&preferring.responses_requests().await),
        vec![Transport::WebSocket { connection: 0 }]
    );

    // Control: the built-in entry does not prefer websockets, so with the gate off the turn uses HTTP.
    let plain = MockModelServer::start().await;
    plain.push_response(MockResponse::assistant_message(&["Plain"], None));
    let mut server = spawn_server(&plain, &[]).await?;
    let thread_id = start_thread(&mut server).await?;
    let messages = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&messages), completed_turn("Plain"));
    assert_eq!(
        transports(&plain.responses_requests().await),
        vec![Transport::Http]
    );
    assert_eq!(plain.handshake_count(), 0);
    Ok(())
}

#[tokio::test]
async fn the_turn_state_from_the_handshake_is_echoed_within_the_turn_only() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_ws_handshake_response_headers([(
        "x-codex-turn-state".to_string(),
        "ts-1".to_string(),
    )]);
    // The first stream dies mid-way, so the turn reconnects and must replay the token.
    model.push_response(MockResponse::assistant_message(&["a", "b", "c"], None).cut_after(2));
    model.push_response(MockResponse::assistant_message(&["abc"], None));
    model.push_response(MockResponse::assistant_message(&["next"], None));
    let mut server = spawn_server(&model, &WEBSOCKETS_GATE).await?;
    let thread_id = start_thread(&mut server).await?;
    model.wait_for_handshakes(1, WAIT).await?;

    let first = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&first).1, "completed");
    // The server closes the idle socket, so the second turn handshakes again, without the first's token.
    model.close_idle_websockets(WAIT).await?;
    let second = run_turn(&mut server, &thread_id).await?;
    assert_eq!(agent_texts_and_status(&second), completed_turn("next"));

    let handshakes = model.websocket_handshakes().await;
    let sent_turn_state: Vec<Option<&str>> = handshakes
        .iter()
        .map(|handshake| handshake.header("x-codex-turn-state"))
        .collect();
    // Preconnect (nothing captured yet), the first turn's reconnect (echoed), the second turn (fresh).
    assert_eq!(sent_turn_state, vec![None, Some("ts-1"), None]);
    Ok(())
}

/// What a two-request turn sends over the socket, for `extra_args`: the handshakes' `openai-beta` and
/// `x-codex-turn-metadata`, and each `response.create`'s `previous_response_id`, input length and
/// `client_metadata` turn metadata.
async fn two_request_turn_frames(
    extra_args: &[&str],
) -> anyhow::Result<(Vec<(Option<String>, bool)>, Vec<(Value, usize, bool)>)> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::function_call("call_1", "no_such_tool", r#"{"x":1}"#),
        sse::completed("resp_1"),
    ]));
    model.push_response(MockResponse::assistant_message(&["Done"], None));
    let mut server = spawn_server(&model, extra_args).await?;
    let thread_id = start_thread(&mut server).await?;
    model.wait_for_handshakes(1, WAIT).await?;
    run_turn(&mut server, &thread_id).await?;
    let handshakes = model
        .websocket_handshakes()
        .await
        .iter()
        .map(|handshake| {
            (
                handshake.header("openai-beta").map(str::to_string),
                handshake.header("x-codex-turn-metadata").is_some(),
            )
        })
        .collect();
    let frames = model
        .received_frames()
        .await
        .into_iter()
        .filter_map(|frame| frame.json)
        .map(|frame| {
            (
                frame["previous_response_id"].clone(),
                frame["input"].as_array().map_or(0, Vec::len),
                frame["client_metadata"]["x-codex-turn-metadata"]
                    .as_str()
                    .is_some_and(|metadata| metadata.contains("\"turn_id\"")),
            )
        })
        .collect();
    Ok((handshakes, frames))
}

/// `responses_websockets` speaks v1: every request is a full `response.create`. `responses_websockets_v2`
/// announces v2 and sends a follow-up as the new items with `previous_response_id`. Either way the preconnect's
/// handshake carries the thread's turn metadata and every frame the turn's, in `client_metadata`.
#[tokio::test]
async fn v1_sends_full_requests_and_v2_incremental_ones() -> anyhow::Result<()> {
    let (v1_handshakes, v1_frames) = two_request_turn_frames(&WEBSOCKETS_GATE).await?;
    let (v2_handshakes, v2_frames) = two_request_turn_frames(&[
        "--enable",
        "responses_websockets",
        "--enable",
        "responses_websockets_v2",
    ])
    .await?;
    let v1_full_input = v1_frames.get(1).map_or(0, |frame| frame.1);
    assert!(v1_full_input > 2, "{v1_frames:?}");
    assert_eq!(
        (
            v1_handshakes,
            v1_frames
                .iter()
                .map(|frame| (frame.0.clone(), frame.2))
                .collect::<Vec<_>>()
        ),
        (
            vec![(Some("responses_websockets=2026-02-04".to_string()), true)],
            vec![(Value::Null, true), (Value::Null, true)],
        )
    );
    assert_eq!(
        (v2_handshakes, v2_frames),
        (
            vec![(Some("responses_websockets=2026-02-06".to_string()), true)],
            vec![
                (Value::Null, v2_frames_first_input(&v1_frames), true),
                (json!("resp_1"), 1, true),
            ],
        )
    );
    Ok(())
}

fn v2_frames_first_input(v1_frames: &[(Value, usize, bool)]) -> usize {
    v1_frames.first().map_or(0, |frame| frame.1)
}

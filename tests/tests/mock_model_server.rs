//! Tests of the mock Responses server: SSE rendering, the response queue, recording, faults, the usage
//! endpoint and the websocket transport, driven by real HTTP (reqwest) and websocket (tungstenite) clients.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;
use std::time::Instant;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockRateLimitWindow;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::RecordedRequest;
use codex_app_server_tests::mock_model_server::Transport;
use codex_app_server_tests::mock_model_server::codex_rate_limit_headers;
use codex_app_server_tests::mock_model_server::sse;
use futures::SinkExt;
use futures::StreamExt;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type ClientSocket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

const WAIT: Duration = Duration::from_secs(10);

/// Splits an SSE body into `(event name, data JSON)` pairs, failing on anything malformed.
fn parse_sse(body: &str) -> Vec<(String, Value)> {
    body.split_terminator("\n\n")
        .map(|frame| {
            let (event_line, data_line) = frame.split_once('\n').expect("two lines per frame");
            let event = event_line.strip_prefix("event: ").expect("event line");
            let data = data_line.strip_prefix("data: ").expect("data line");
            (
                event.to_string(),
                serde_json::from_str(data).expect("data is JSON"),
            )
        })
        .collect()
}

async fn post_responses(server: &MockModelServer, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{}/v1/responses", server.uri()))
        .json(&body)
        .send()
        .await
        .expect("request reaches the mock")
}

async fn connect_ws(server: &MockModelServer) -> ClientSocket {
    let mut request = format!("{}/v1/responses", server.ws_uri())
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "OpenAI-Beta",
        "responses_websockets=2026-02-04".parse().unwrap(),
    );
    let (socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket
}

async fn send_create(socket: &mut ClientSocket, model: &str) {
    let frame = json!({"type": "response.create", "model": model, "input": []});
    socket
        .send(Message::Text(frame.to_string().into()))
        .await
        .unwrap();
}

/// Reads text frames until one of type `response.completed` or `error`, returning all of them.
async fn read_response_frames(socket: &mut ClientSocket) -> Vec<Value> {
    let mut frames = Vec::new();
    loop {
        let message = tokio::time::timeout(WAIT, socket.next())
            .await
            .expect("frame in time")
            .expect("socket open")
            .expect("valid frame");
        let Message::Text(text) = message else {
            panic!("unexpected frame {message:?}");
        };
        let frame: Value = serde_json::from_str(&text).unwrap();
        let done = matches!(frame["type"].as_str(), Some("response.completed" | "error"));
        frames.push(frame);
        if done {
            return frames;
        }
    }
}

#[tokio::test]
async fn sse_body_has_one_frame_per_event_and_the_request_is_recorded() {
    let server = MockModelServer::start().await;
    let response = MockResponse::assistant_message(&["Hel", "lo"], Some("final_answer"))
        .with_header("x-codex-turn-state", "ts-1");
    let expected_events = response.events();
    server.push_response(response);

    let http = reqwest::Client::new()
        .post(format!("{}/v1/responses", server.uri()))
        .header("Session_ID", "thread-1")
        .json(&json!({"model": "gpt-5.2-codex", "stream": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(http.status(), 200);
    assert_eq!(http.headers()["content-type"], "text/event-stream");
    assert_eq!(http.headers()["x-codex-turn-state"], "ts-1");
    let frames = parse_sse(&http.text().await.unwrap());
    let expected: Vec<(String, Value)> = expected_events
        .into_iter()
        .map(|event| (event["type"].as_str().unwrap().to_string(), event))
        .collect();
    assert_eq!(frames, expected);
    assert_eq!(
        frames
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>(),
        vec![
            "response.created",
            "response.output_item.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_item.done",
            "response.completed",
        ]
    );
    assert_eq!(frames[5].1["response"]["usage"]["total_tokens"], 110);

    let requests = server.requests().await;
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/responses");
    assert_eq!(request.header("session_id"), Some("thread-1"));
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(
        request.body_json,
        Some(json!({"model": "gpt-5.2-codex", "stream": true}))
    );
    assert_eq!(request.transport, Transport::Http);
    assert_eq!(server.responses_requests().await, requests);
}

#[tokio::test]
async fn responses_are_served_in_order_then_the_default_answers() {
    let server = MockModelServer::start().await;
    server.push_responses([
        MockResponse::sse(vec![sse::response_created("first")]),
        MockResponse::sse(vec![sse::response_created("second")]),
    ]);
    for expected in ["first", "second"] {
        let body = post_responses(&server, json!({}))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            parse_sse(&body),
            vec![(
                "response.created".to_string(),
                sse::response_created(expected)
            )]
        );
    }

    let unscripted = post_responses(&server, json!({})).await;
    assert_eq!(unscripted.status(), 500);
    assert_eq!(
        unscripted.json::<Value>().await.unwrap(),
        json!({"error": {"type": "mock_error", "message": "mock: no response scripted"}})
    );

    server.set_default_response(MockResponse::sse(vec![sse::completed("fallback")]));
    let body = post_responses(&server, json!({}))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        parse_sse(&body),
        vec![("response.completed".to_string(), sse::completed("fallback"))]
    );
    assert_eq!(server.pending_responses(), 0);
}

#[tokio::test]
async fn a_responder_answers_from_the_request_once_the_queue_is_empty() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::sse(vec![sse::response_created("queued")]));
    server.set_responder(|body| {
        let model = body["model"].as_str().unwrap_or_default();
        MockResponse::sse(vec![sse::response_created(&format!("for {model}"))])
    });
    for (model, expected) in [("a", "queued"), ("b", "for b"), ("c", "for c")] {
        let body = post_responses(&server, json!({"model": model}))
            .await
            .text()
            .await
            .unwrap();
        assert_eq!(
            parse_sse(&body),
            vec![(
                "response.created".to_string(),
                sse::response_created(expected)
            )]
        );
    }
}

#[tokio::test]
async fn any_path_ending_in_responses_is_served() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::sse(vec![sse::completed("a")]));
    server.push_response(MockResponse::sse(vec![sse::completed("b")]));
    for path in ["/responses", "/backend-api/codex/responses"] {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", server.uri()))
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let paths: Vec<String> = server
        .responses_requests()
        .await
        .into_iter()
        .map(|request| request.path)
        .collect();
    assert_eq!(paths, vec!["/responses", "/backend-api/codex/responses"]);
}

#[tokio::test]
async fn error_body_keeps_status_headers_and_json() {
    let server = MockModelServer::start().await;
    let body = json!({"error": {"type": "usage_limit_reached", "message": "limit", "plan_type": "plus", "resets_at": 1739000000}});
    server.push_response(MockResponse::error(429, body.clone()).with_headers(
        codex_rate_limit_headers(MockRateLimitWindow::new(100.0, 300, 1739000000), None),
    ));
    let response = post_responses(&server, json!({})).await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-codex-primary-used-percent"], "100");
    assert_eq!(response.headers()["x-codex-primary-window-minutes"], "300");
    assert_eq!(response.json::<Value>().await.unwrap(), body);
}

#[tokio::test]
async fn raw_sse_is_sent_verbatim() {
    let server = MockModelServer::start().await;
    let raw = "event: response.created\ndata: {not json\n\n";
    server.push_response(MockResponse::raw_sse(raw));
    let response = post_responses(&server, json!({})).await;
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    assert_eq!(response.text().await.unwrap(), raw);
}

#[tokio::test]
async fn cut_after_delivers_the_first_events_then_breaks_the_connection() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::assistant_message(&["a", "b", "c"], None).cut_after(3));
    let response = post_responses(&server, json!({})).await;
    let mut stream = response.bytes_stream();
    let mut received = Vec::new();
    let mut failed = false;
    while let Some(chunk) = stream.next().await {
        match chunk {
            Ok(bytes) => received.extend_from_slice(&bytes),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "a cut stream must end in an error, not a clean end");
    let frames = parse_sse(&String::from_utf8(received).unwrap());
    assert_eq!(
        frames.into_iter().map(|(_, data)| data).collect::<Vec<_>>(),
        vec![
            sse::response_created("resp_1"),
            sse::output_item_added_message("msg_1", None),
            sse::output_text_delta("a"),
        ]
    );
}

#[tokio::test]
async fn close_after_ends_the_body_cleanly_without_completed() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::assistant_message(&["a"], None).close_after(2));
    let body = post_responses(&server, json!({}))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        parse_sse(&body)
            .into_iter()
            .map(|(name, _)| name)
            .collect::<Vec<_>>(),
        vec!["response.created", "response.output_item.added"]
    );
}

#[tokio::test]
async fn stall_after_sends_nothing_more_while_the_connection_stays_open() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::assistant_message(&["a"], None).stall_after(1));
    let response = post_responses(&server, json!({})).await;
    let mut stream = response.bytes_stream();
    let first = stream.next().await.unwrap().unwrap();
    assert_eq!(
        parse_sse(std::str::from_utf8(&first).unwrap()),
        vec![(
            "response.created".to_string(),
            sse::response_created("resp_1")
        )]
    );
    let more = tokio::time::timeout(Duration::from_millis(300), stream.next()).await;
    assert!(
        more.is_err(),
        "a stalled stream must send nothing: {more:?}"
    );
}

#[tokio::test]
async fn hang_never_sends_headers_and_delays_are_honoured() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::sse(vec![]).hang());
    let hung = tokio::time::timeout(
        Duration::from_millis(300),
        post_responses(&server, json!({})),
    )
    .await;
    assert!(hung.is_err(), "headers must never arrive");

    server.push_response(
        MockResponse::assistant_message(&["a", "b"], None)
            .with_delay_before_headers(Duration::from_millis(150))
            .with_delay_between_events(Duration::from_millis(20)),
    );
    let started = Instant::now();
    let response = post_responses(&server, json!({})).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    let body = response.text().await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150 + 5 * 20));
    assert_eq!(parse_sse(&body).len(), 6);
}

#[tokio::test]
async fn twenty_thousand_deltas_stream_quickly() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::many_deltas(20_000));
    let started = Instant::now();
    let body = post_responses(&server, json!({}))
        .await
        .text()
        .await
        .unwrap();
    let frames = parse_sse(&body);
    assert_eq!(frames.len(), 20_004);
    assert_eq!(frames[20_001].1, sse::output_text_delta("d19999 "));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn usage_endpoint_and_mounted_routes_answer_scripted_json() {
    let server = MockModelServer::start().await;
    let usage = json!({"plan_type": "pro", "rate_limit": null});
    server.set_usage_response(200, usage.clone());
    server.mount_json(
        "POST",
        "/oauth/token",
        200,
        json!({"access_token": "fresh"}),
    );
    let client = reqwest::Client::new();
    for path in ["/backend-api/wham/usage", "/api/codex/usage"] {
        let response = client
            .get(format!("{}{path}", server.uri()))
            .header("Authorization", "Bearer t")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.json::<Value>().await.unwrap(), usage);
    }
    let token = client
        .post(format!("{}/oauth/token", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        token.json::<Value>().await.unwrap(),
        json!({"access_token": "fresh"})
    );
    let missing = client
        .get(format!("{}/nowhere", server.uri()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let requests = server.requests().await;
    let summary: Vec<(String, String)> = requests
        .iter()
        .map(|request| (request.method.clone(), request.path.clone()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("GET".to_string(), "/backend-api/wham/usage".to_string()),
            ("GET".to_string(), "/api/codex/usage".to_string()),
            ("POST".to_string(), "/oauth/token".to_string()),
            ("GET".to_string(), "/nowhere".to_string()),
        ]
    );
    assert_eq!(requests[0].header("authorization"), Some("Bearer t"));
    assert_eq!(
        server.responses_requests().await,
        Vec::<RecordedRequest>::new()
    );
}

#[tokio::test]
async fn wait_for_requests_wakes_on_arrival_and_times_out_otherwise() {
    let server = MockModelServer::start().await;
    let timed_out = server
        .wait_for_responses_requests(1, Duration::from_millis(50))
        .await;
    assert!(timed_out.is_err());

    server.push_response(MockResponse::sse(vec![sse::completed("r")]));
    let uri = server.uri();
    let client_task = tokio::spawn(async move {
        reqwest::Client::new()
            .post(format!("{uri}/v1/responses"))
            .body(r#"{"n":1}"#)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    let requests = server.wait_for_responses_requests(1, WAIT).await.unwrap();
    assert_eq!(requests[0].body_json, Some(json!({"n": 1})));
    client_task.await.unwrap();
}

#[tokio::test]
async fn websocket_serves_several_creates_on_one_connection_and_records_them() {
    let server = MockModelServer::start().await;
    server.set_ws_handshake_response_headers([
        ("x-codex-turn-state".to_string(), "sticky".to_string()),
        ("openai-model".to_string(), "gpt-5.2-codex".to_string()),
    ]);
    let first = MockResponse::assistant_message(&["one"], None);
    let second = MockResponse::sse(vec![
        sse::rate_limits_event(Some("plus"), Some("codex_other"), None, None, None),
        sse::completed("resp_2"),
    ]);
    let (first_events, second_events) = (first.events(), second.events());
    server.push_responses([first, second]);

    let mut request = format!("{}/v1/responses", server.ws_uri())
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "OpenAI-Beta",
        "responses_websockets=2026-02-04".parse().unwrap(),
    );
    let (mut socket, handshake) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(handshake.status(), 101);
    assert_eq!(handshake.headers()["x-codex-turn-state"], "sticky");
    assert_eq!(handshake.headers()["openai-model"], "gpt-5.2-codex");

    send_create(&mut socket, "m1").await;
    assert_eq!(read_response_frames(&mut socket).await, first_events);
    send_create(&mut socket, "m2").await;
    assert_eq!(read_response_frames(&mut socket).await, second_events);

    assert_eq!(server.handshake_count(), 1);
    let handshakes = server.websocket_handshakes().await;
    assert_eq!(handshakes.len(), 1);
    assert_eq!(
        handshakes[0].header("openai-beta"),
        Some("responses_websockets=2026-02-04")
    );
    assert_eq!(handshakes[0].path, "/v1/responses");
    let creates: Vec<(Transport, Option<Value>)> = server
        .responses_requests()
        .await
        .into_iter()
        .map(|request| (request.transport, request.body_json))
        .collect();
    assert_eq!(
        creates,
        vec![
            (
                Transport::WebSocket { connection: 0 },
                Some(json!({"type": "response.create", "model": "m1", "input": []}))
            ),
            (
                Transport::WebSocket { connection: 0 },
                Some(json!({"type": "response.create", "model": "m2", "input": []}))
            ),
        ]
    );
    let frames = server.received_frames().await;
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1].json.as_ref().unwrap()["model"], "m2");

    let _second_socket = connect_ws(&server).await;
    let handshakes = server.wait_for_handshakes(2, WAIT).await.unwrap();
    assert_eq!(
        handshakes[1].transport,
        Transport::WebSocket { connection: 1 }
    );
    assert_eq!(server.handshake_count(), 2);
}

#[tokio::test]
async fn refused_handshake_answers_the_status() {
    let server = MockModelServer::start().await;
    server.refuse_ws_handshake(426);
    let url = format!("{}/v1/responses", server.ws_uri());
    let error = tokio_tungstenite::connect_async(url.as_str())
        .await
        .expect_err("handshake must be refused");
    let tokio_tungstenite::tungstenite::Error::Http(response) = error else {
        panic!("expected an HTTP status, got {error:?}");
    };
    assert_eq!(response.status(), 426);
    assert_eq!(server.handshake_count(), 1);

    server.accept_ws_handshakes();
    let _socket = connect_ws(&server).await;
    assert_eq!(server.handshake_count(), 2);
}

#[tokio::test]
async fn handshake_delay_and_hang_are_honoured() {
    let server = MockModelServer::start().await;
    server.set_ws_handshake_delay(Duration::from_millis(200));
    let started = Instant::now();
    let _socket = connect_ws(&server).await;
    assert!(started.elapsed() >= Duration::from_millis(200));

    server.set_ws_handshake_hang();
    let url = format!("{}/v1/responses", server.ws_uri());
    let hung = tokio::time::timeout(
        Duration::from_millis(300),
        tokio_tungstenite::connect_async(url.as_str()),
    )
    .await;
    assert!(hung.is_err(), "the handshake must never complete");
}

#[tokio::test]
async fn websocket_error_frames_wrap_status_error_and_headers() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::ws_error_frame(
        429,
        "rate_limit_exceeded",
        "slow down",
        json!({"x-codex-primary-used-percent": "100"}),
    ));
    server.push_response(
        MockResponse::error(401, json!({"error": {"message": "bad token"}}))
            .with_header("x-request-id", "req-1"),
    );
    let mut socket = connect_ws(&server).await;

    send_create(&mut socket, "m").await;
    assert_eq!(
        read_response_frames(&mut socket).await,
        vec![json!({
            "type": "error",
            "status": 429,
            "error": {"type": "rate_limit_exceeded", "code": "rate_limit_exceeded", "message": "slow down"},
            "headers": {"x-codex-primary-used-percent": "100"},
        })]
    );
    send_create(&mut socket, "m").await;
    assert_eq!(
        read_response_frames(&mut socket).await,
        vec![json!({
            "type": "error",
            "status": 401,
            "error": {"message": "bad token"},
            "headers": {"x-request-id": "req-1"},
        })]
    );
    send_create(&mut socket, "m").await;
    assert_eq!(
        read_response_frames(&mut socket).await,
        vec![json!({
            "type": "error",
            "status": 500,
            "error": {"type": "mock_error", "message": "mock: no response scripted"},
            "headers": {},
        })]
    );
}

#[tokio::test]
async fn websocket_cut_drops_the_socket_and_close_sends_a_close_frame() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::assistant_message(&["a"], None).cut_after(2));
    let mut socket = connect_ws(&server).await;
    send_create(&mut socket, "m").await;
    let mut texts = 0;
    let ending = loop {
        match tokio::time::timeout(WAIT, socket.next()).await.unwrap() {
            Some(Ok(Message::Text(_))) => texts += 1,
            other => break other,
        }
    };
    assert_eq!(texts, 2);
    assert!(
        !matches!(ending, Some(Ok(Message::Close(_)))),
        "a cut must not close cleanly: {ending:?}"
    );

    server.push_response(MockResponse::assistant_message(&["a"], None).close_after(1));
    let mut socket = connect_ws(&server).await;
    send_create(&mut socket, "m").await;
    let first = socket.next().await.unwrap().unwrap();
    assert!(matches!(first, Message::Text(_)));
    let second = socket.next().await.unwrap().unwrap();
    assert!(matches!(second, Message::Close(_)), "{second:?}");
}

#[tokio::test]
async fn websocket_streams_twenty_thousand_deltas_quickly() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::many_deltas(20_000));
    let mut socket = connect_ws(&server).await;
    let started = Instant::now();
    send_create(&mut socket, "m").await;
    let frames = read_response_frames(&mut socket).await;
    assert_eq!(frames.len(), 20_004);
    assert_eq!(frames[2], sse::output_text_delta("d0 "));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn websocket_stall_keeps_the_socket_open_and_silent() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::assistant_message(&["a"], None).stall_after(1));
    let mut socket = connect_ws(&server).await;
    send_create(&mut socket, "m").await;
    let first = socket.next().await.unwrap().unwrap();
    assert_eq!(
        first,
        Message::Text(sse::response_created("resp_1").to_string().into())
    );
    let more = tokio::time::timeout(Duration::from_millis(300), socket.next()).await;
    assert!(
        more.is_err(),
        "a stalled socket must send nothing: {more:?}"
    );
}

#[tokio::test]
async fn shutdown_releases_stalled_streams_and_hanging_answers() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::assistant_message(&["a"], None).stall_after(1));
    server.push_response(MockResponse::sse(vec![]).hang());
    let stalled = post_responses(&server, json!({})).await;
    let uri = server.uri();
    let hanging = tokio::spawn(async move {
        reqwest::Client::new()
            .post(format!("{uri}/v1/responses"))
            .send()
            .await
    });
    server.wait_for_responses_requests(2, WAIT).await.unwrap();
    let mut ws = connect_ws(&server).await;

    tokio::time::timeout(WAIT, server.shutdown())
        .await
        .expect("shutdown finishes although streams were stalled");
    let stalled_body = tokio::time::timeout(WAIT, stalled.text()).await.unwrap();
    assert!(stalled_body.is_err(), "a stalled stream ends in an error");
    let hanging = tokio::time::timeout(WAIT, hanging).await.unwrap().unwrap();
    assert!(hanging.is_err() || hanging.is_ok_and(|r| r.status() == 503));
    let ws_end = tokio::time::timeout(WAIT, ws.next()).await.unwrap();
    assert!(!matches!(ws_end, Some(Ok(Message::Text(_)))));
}

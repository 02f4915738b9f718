//! The Responses websocket transport end to end against the mock model server: event parity with HTTP,
//! one socket per turn with incremental follow-ups, turn state, preconnect, HTTP fallback, transport
//! selection, wrapped error and rate-limit frames, and telemetry.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockRateLimitWindow;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::Transport;
use codex_app_server_tests::mock_model_server::codex_rate_limit_headers;
use codex_app_server_tests::mock_model_server::sse;
use codex_core::client::ApiError;
use codex_core::client::ModelClient;
use codex_core::client::ModelClientParams;
use codex_core::client::ModelClientSession;
use codex_core::client::Prompt;
use codex_core::client::ResponseEvent;
use codex_core::client::TelemetrySnapshot;
use codex_core::client::UsageLimitReachedError;
use codex_core::model::info::ModelInfo;
use codex_core::model::info::ReasoningSummaryMode;
use codex_core::model::provider::ModelProviderInfo;
use codex_core::protocol::rate_limit::RateLimitSnapshot;
use codex_core::protocol::rate_limit::RateLimitWindow;
use codex_core::protocol::response_item::ContentItem;
use codex_core::protocol::response_item::FunctionCallOutputBody;
use codex_core::protocol::response_item::ResponseItem;
use codex_core::protocol::turn_outcome::CodexErrorInfo;
use futures::StreamExt;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(10);
const TURN_METADATA: &str = r#"{"turn_id":"t1","sandbox":"seccomp"}"#;

fn provider(server: &MockModelServer, supports_websockets: bool) -> ModelProviderInfo {
    ModelProviderInfo {
        base_url: Some(format!("{}/v1", server.uri())),
        experimental_bearer_token: Some("sk-test".to_string()),
        request_max_retries: Some(0),
        stream_idle_timeout_ms: Some(5_000),
        supports_websockets,
        ..ModelProviderInfo::openai()
    }
}

fn client(provider: ModelProviderInfo, gate: bool) -> ModelClient {
    ModelClient::new(ModelClientParams {
        conversation_id: "conv-1".to_string(),
        provider,
        auth_manager: None,
        originator: "codex_vscode".to_string(),
        user_agent: "codex_vscode/0.105.0".to_string(),
        session_source_header: None,
        model_verbosity: None,
        beta_features_header: None,
        http: None,
        enable_responses_websockets: gate,
        // The incremental requests these tests check are v2's.
        websocket_protocol: codex_core::client::WebSocketProtocol::V2,
    })
}

fn model_info(prefer_websockets: bool) -> ModelInfo {
    serde_json::from_value(json!({
        "slug": "gpt-5.2-codex",
        "display_name": "gpt-5.2-codex",
        "description": "",
        "default_reasoning_level": "medium",
        "supports_reasoning_summaries": true,
        "prefer_websockets": prefer_websockets,
    }))
    .unwrap()
}

fn user_message(text: &str) -> ResponseItem {
    ResponseItem::Message {
        id: None,
        role: "user".to_string(),
        content: vec![ContentItem::InputText {
            text: text.to_string(),
        }],
        end_turn: None,
        phase: None,
    }
}

fn prompt(input: Vec<ResponseItem>) -> Prompt {
    Prompt {
        input,
        tools: Vec::new(),
        parallel_tool_calls: true,
        base_instructions: "You are Codex.".to_string(),
        output_schema: None,
        service_tier: None,
    }
}

async fn stream(
    session: &mut ModelClientSession,
    prompt: &Prompt,
    model_info: &ModelInfo,
) -> Result<Vec<Result<ResponseEvent, String>>, ApiError> {
    let stream = session
        .stream(
            prompt,
            model_info,
            None,
            ReasoningSummaryMode::Auto,
            Some(TURN_METADATA),
        )
        .await?;
    Ok(stream
        .map(|event| event.map_err(|err| err.to_string()))
        .collect()
        .await)
}

fn hello_response() -> MockResponse {
    MockResponse::assistant_message(&["Hel", "lo"], Some("final_answer"))
}

fn hello_events() -> Vec<Result<ResponseEvent, String>> {
    let message = |text: Option<&str>| ResponseItem::Message {
        id: Some("msg_1".to_string()),
        role: "assistant".to_string(),
        content: text
            .map(|text| {
                vec![ContentItem::OutputText {
                    text: text.to_string(),
                }]
            })
            .unwrap_or_default(),
        end_turn: None,
        phase: Some(codex_core::protocol::response_item::MessagePhase::FinalAnswer),
    };
    vec![
        Ok(ResponseEvent::Created),
        Ok(ResponseEvent::OutputItemAdded(message(None))),
        Ok(ResponseEvent::OutputTextDelta("Hel".to_string())),
        Ok(ResponseEvent::OutputTextDelta("lo".to_string())),
        Ok(ResponseEvent::OutputItemDone(message(Some("Hello")))),
        Ok(ResponseEvent::Completed {
            response_id: "resp_1".to_string(),
            token_usage: Some(codex_core::protocol::token_usage::TokenUsage {
                input_tokens: 100,
                cached_input_tokens: 20,
                output_tokens: 10,
                reasoning_output_tokens: 3,
                total_tokens: 110,
            }),
            end_turn: None,
        }),
    ]
}

fn frame_json(frames: &[codex_app_server_tests::mock_model_server::ReceivedFrame]) -> Vec<Value> {
    frames
        .iter()
        .map(|frame| frame.json.clone().unwrap_or(Value::Null))
        .collect()
}

#[tokio::test]
async fn websocket_stream_yields_the_events_of_http_but_not_the_handshakes_rate_limits() {
    let metadata_headers = [
        ("openai-model", "gpt-5.2-codex-2026"),
        ("x-models-etag", "etag-7"),
        ("x-reasoning-included", "true"),
    ];
    let rate_limit_headers =
        codex_rate_limit_headers(MockRateLimitWindow::new(12.5, 300, 1738888888), None);
    let websocket_server = MockModelServer::start().await;
    websocket_server.set_ws_handshake_response_headers(
        metadata_headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .chain(rate_limit_headers.clone()),
    );
    websocket_server.push_response(hello_response());
    let http_server = MockModelServer::start().await;
    let mut http_response = hello_response();
    for (name, value) in metadata_headers {
        http_response = http_response.with_header(name, value);
    }
    http_response = http_response.with_headers(rate_limit_headers);
    http_server.push_response(http_response);

    let prompt = prompt(vec![user_message("hi")]);
    let model = model_info(false);
    let websocket_client = client(provider(&websocket_server, true), true);
    let websocket_events = stream(&mut websocket_client.new_session(), &prompt, &model)
        .await
        .unwrap();
    let http_client = client(provider(&http_server, true), false);
    let http_events = stream(&mut http_client.new_session(), &prompt, &model)
        .await
        .unwrap();

    let metadata = vec![
        Ok(ResponseEvent::ServerModel("gpt-5.2-codex-2026".to_string())),
        Ok(ResponseEvent::ModelsEtag("etag-7".to_string())),
        Ok(ResponseEvent::ServerReasoningIncluded(true)),
    ];
    let header_rate_limits = Ok(ResponseEvent::RateLimits(RateLimitSnapshot {
        limit_id: Some("codex".to_string()),
        limit_name: None,
        primary: Some(RateLimitWindow {
            used_percent: 12.5,
            window_minutes: Some(300),
            resets_at: Some(1738888888),
        }),
        secondary: None,
        credits: None,
        plan_type: None,
    }));
    // Over HTTP the response headers carry rate limits; a 101's are ignored (as upstream): over a socket they
    // come from the `codex.rate_limits` event.
    let mut expected_http = metadata.clone();
    expected_http.push(header_rate_limits);
    expected_http.extend(hello_events());
    let mut expected_websocket = metadata;
    expected_websocket.extend(hello_events());
    assert_eq!(websocket_events, expected_websocket);
    assert_eq!(http_events, expected_http);
    assert_eq!(http_server.handshake_count(), 0);

    let handshakes = websocket_server.websocket_handshakes().await;
    assert_eq!(handshakes.len(), 1);
    assert_eq!(handshakes[0].path, "/v1/responses");
    let wanted_headers = [
        ("authorization", Some("Bearer sk-test")),
        ("openai-beta", Some("responses_websockets=2026-02-06")),
        ("originator", Some("codex_vscode")),
        ("session_id", Some("conv-1")),
        ("user-agent", Some("codex_vscode/0.105.0")),
        ("x-codex-turn-metadata", Some(TURN_METADATA)),
        ("x-codex-turn-state", None),
    ];
    assert_eq!(
        wanted_headers
            .iter()
            .map(|(name, _)| (*name, handshakes[0].header(name)))
            .collect::<Vec<_>>(),
        wanted_headers.to_vec()
    );
    let mut http_body = http_server.responses_requests().await[0]
        .body_json
        .clone()
        .unwrap();
    http_body["type"] = json!("response.create");
    // A frame carries what HTTP sends as per-request headers, as upstream.
    http_body["client_metadata"] = json!({"x-codex-turn-metadata": TURN_METADATA});
    assert_eq!(
        frame_json(&websocket_server.received_frames().await),
        vec![http_body]
    );
}

#[tokio::test]
async fn follow_up_requests_reuse_the_socket_and_send_only_new_items() {
    let server = MockModelServer::start().await;
    server.set_ws_handshake_response_headers([(
        "x-codex-turn-state".to_string(),
        "sticky-1".to_string(),
    )]);
    server.push_response(MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::function_call("call_1", "shell_command", r#"{"command":"ls"}"#),
        sse::completed("resp_1"),
    ]));
    server.push_response(hello_response());
    let client = client(provider(&server, true), true);
    let model = model_info(false);
    let mut session = client.new_session();

    let first_prompt = prompt(vec![user_message("hi")]);
    let first = stream(&mut session, &first_prompt, &model).await.unwrap();
    let Some(Ok(ResponseEvent::OutputItemDone(call))) = first.get(1).cloned() else {
        panic!("expected the function call, got {first:?}");
    };
    let call_output = ResponseItem::FunctionCallOutput {
        call_id: "call_1".to_string(),
        output: FunctionCallOutputBody::Text("README.md".to_string()),
    };
    let second_prompt = prompt(vec![user_message("hi"), call, call_output]);
    let second = stream(&mut session, &second_prompt, &model).await.unwrap();
    assert_eq!(second, hello_events());

    assert_eq!(server.handshake_count(), 1);
    assert_eq!(session.turn_state(), Some("sticky-1"));
    let frames = server.received_frames().await;
    assert_eq!(
        frames
            .iter()
            .map(|frame| frame.connection)
            .collect::<Vec<_>>(),
        vec![0, 0]
    );
    assert_eq!(
        frame_json(&frames)[1],
        json!({
            "type": "response.create",
            "model": "gpt-5.2-codex",
            "instructions": "You are Codex.",
            "input": [{"type": "function_call_output", "call_id": "call_1", "output": "README.md"}],
            "tools": [],
            "tool_choice": "auto",
            "parallel_tool_calls": true,
            "reasoning": {"effort": "medium", "summary": "auto"},
            "store": false,
            "stream": true,
            "include": ["reasoning.encrypted_content"],
            "prompt_cache_key": "conv-1",
            "previous_response_id": "resp_1",
            "client_metadata": {
                "x-codex-turn-metadata": TURN_METADATA,
                "x-codex-turn-state": "sticky-1",
            },
        })
    );
}

#[tokio::test]
async fn changed_settings_send_the_full_input_again() {
    let server = MockModelServer::start().await;
    server.push_responses([hello_response(), hello_response()]);
    let client = client(provider(&server, true), true);
    let model = model_info(false);
    let mut session = client.new_session();
    let first_prompt = prompt(vec![user_message("hi")]);
    stream(&mut session, &first_prompt, &model).await.unwrap();
    let mut second_prompt = prompt(vec![user_message("hi"), user_message("more")]);
    second_prompt.base_instructions = "Other instructions.".to_string();
    stream(&mut session, &second_prompt, &model).await.unwrap();

    let second_frame = frame_json(&server.received_frames().await)[1].clone();
    assert_eq!(
        (
            second_frame.get("previous_response_id"),
            second_frame["input"].as_array().map(Vec::len)
        ),
        (None, Some(2))
    );
}

#[tokio::test]
async fn turn_state_is_sent_on_reconnect_handshakes_of_the_turn() {
    let server = MockModelServer::start().await;
    server.set_ws_handshake_response_headers([(
        "x-codex-turn-state".to_string(),
        "sticky-1".to_string(),
    )]);
    server.push_responses([hello_response().close_after(2), hello_response()]);
    let client = client(provider(&server, true), true);
    let model = model_info(false);
    let mut session = client.new_session();
    let prompt = prompt(vec![user_message("hi")]);

    let cut = stream(&mut session, &prompt, &model).await.unwrap();
    assert_eq!(
        cut.last().cloned(),
        Some(Err(
            "websocket closed by server before response.completed".to_string()
        ))
    );
    assert_eq!(
        stream(&mut session, &prompt, &model).await.unwrap(),
        hello_events()
    );

    let handshakes = server.websocket_handshakes().await;
    assert_eq!(
        handshakes
            .iter()
            .map(|handshake| handshake.header("x-codex-turn-state"))
            .collect::<Vec<_>>(),
        vec![None, Some("sticky-1")]
    );
    assert!(!client.websockets_disabled());
}

#[tokio::test]
async fn preconnect_warms_one_socket_that_the_first_turn_adopts() {
    let server = MockModelServer::start().await;
    server.set_ws_handshake_response_headers([(
        "x-codex-turn-state".to_string(),
        "warm".to_string(),
    )]);
    server.push_response(hello_response());
    let client = client(provider(&server, true), true);
    let model = model_info(false);
    client.preconnect(&model, None);
    let handshakes = server.wait_for_handshakes(1, WAIT).await.unwrap();
    assert_eq!(handshakes[0].header("x-codex-turn-metadata"), None);
    assert_eq!(server.received_frames().await, Vec::new());

    let mut session = client.new_session();
    let events = stream(&mut session, &prompt(vec![user_message("hi")]), &model)
        .await
        .unwrap();
    assert_eq!(events, hello_events());
    assert_eq!(server.handshake_count(), 1);
    assert_eq!(server.received_frames().await.len(), 1);
    assert_eq!(session.turn_state(), Some("warm"));

    // The next turn reuses the thread's socket while the server keeps it open.
    server.push_response(hello_response());
    let mut next_turn = client.new_session();
    stream(&mut next_turn, &prompt(vec![user_message("hi")]), &model)
        .await
        .unwrap();
    assert_eq!(server.handshake_count(), 1);
    assert_eq!(server.received_frames().await.len(), 2);
}

#[tokio::test]
async fn an_in_flight_preconnect_is_awaited_instead_of_a_second_handshake() {
    let server = MockModelServer::start().await;
    server.set_ws_handshake_delay(Duration::from_millis(300));
    server.push_response(hello_response());
    let client = client(provider(&server, true), true);
    let model = model_info(false);
    client.preconnect(&model, None);
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model,
    )
    .await
    .unwrap();
    assert_eq!(events, hello_events());
    assert_eq!(server.handshake_count(), 1);
}

#[tokio::test]
async fn upgrade_required_falls_back_to_http_in_the_same_call_and_for_later_turns() {
    let server = MockModelServer::start().await;
    server.refuse_ws_handshake(426);
    server.push_responses([hello_response(), hello_response()]);
    let client = client(provider(&server, true), true);
    let model = model_info(false);

    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model,
    )
    .await
    .unwrap();
    assert_eq!(events, hello_events());
    assert!(client.websockets_disabled());
    client.preconnect(&model, None);
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model,
    )
    .await
    .unwrap();
    assert_eq!(events, hello_events());

    assert_eq!(server.handshake_count(), 1);
    assert_eq!(
        server
            .responses_requests()
            .await
            .iter()
            .map(|request| request.transport)
            .collect::<Vec<_>>(),
        vec![Transport::Http, Transport::Http]
    );
    let telemetry = client.telemetry();
    assert_eq!(
        telemetry,
        TelemetrySnapshot {
            http_requests: 2,
            websocket_requests: 0,
            websocket_handshakes: 1,
            failed_requests: 0,
            events: 12,
            fallbacks_to_http: 1,
            ..telemetry
        }
    );
}

#[tokio::test]
async fn refused_handshake_falls_back_to_http() {
    let server = MockModelServer::start().await;
    server.refuse_ws_handshake(500);
    server.push_response(hello_response());
    let client = client(provider(&server, true), true);
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap();
    assert_eq!(events, hello_events());
    assert_eq!(server.handshake_count(), 1);
    assert_eq!(client.telemetry().fallbacks_to_http, 1);
}

#[tokio::test]
async fn a_socket_that_dies_before_any_frame_falls_back_to_http() {
    let server = MockModelServer::start().await;
    server.push_responses([hello_response().cut_after(0), hello_response()]);
    let client = client(provider(&server, true), true);
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap();
    assert_eq!(events, hello_events());
    assert_eq!(
        server
            .responses_requests()
            .await
            .iter()
            .map(|request| request.transport)
            .collect::<Vec<_>>(),
        vec![Transport::WebSocket { connection: 0 }, Transport::Http]
    );
    assert!(client.websockets_disabled());
}

#[tokio::test]
async fn prefer_websockets_uses_websockets_with_the_gate_off() {
    let server = MockModelServer::start().await;
    server.push_response(hello_response());
    let client = client(provider(&server, true), false);
    let model = model_info(true);
    assert!(client.responses_websocket_enabled(&model));
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model,
    )
    .await
    .unwrap();
    assert_eq!(events, hello_events());
    assert_eq!(server.handshake_count(), 1);
    assert_eq!(server.received_frames().await.len(), 1);
}

#[tokio::test]
async fn providers_without_websocket_support_never_use_them() {
    let server = MockModelServer::start().await;
    server.push_response(hello_response());
    let client = client(provider(&server, false), true);
    let model = model_info(true);
    assert!(!client.responses_websocket_enabled(&model));
    client.preconnect(&model, None);
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model,
    )
    .await
    .unwrap();
    assert_eq!(events, hello_events());
    assert_eq!(server.handshake_count(), 0);
    assert_eq!(client.telemetry().fallbacks_to_http, 0);
}

#[tokio::test]
async fn gate_off_and_no_preference_uses_http() {
    let server = MockModelServer::start().await;
    server.push_response(hello_response());
    let client = client(provider(&server, true), false);
    stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap();
    assert_eq!(server.handshake_count(), 0);
}

#[tokio::test]
async fn usage_limit_error_frame_is_the_same_error_as_over_http() {
    let server = MockModelServer::start().await;
    let headers: serde_json::Map<String, Value> =
        codex_rate_limit_headers(MockRateLimitWindow::new(100.0, 300, 1739000000), None)
            .into_iter()
            .map(|(name, value)| (name, Value::String(value)))
            .collect();
    server.push_response(MockResponse::ws_error_frame_with_error(
        429,
        json!({"type": "usage_limit_reached", "message": "limit", "plan_type": "plus", "resets_at": 1739000000}),
        Value::Object(headers),
    ));
    let client = client(provider(&server, true), true);
    let error = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap_err();
    let ApiError::UsageLimitReached(usage_limit) = error else {
        panic!("expected a usage-limit error, got {error:?}");
    };
    assert_eq!(
        *usage_limit,
        UsageLimitReachedError {
            plan_type: Some("plus".to_string()),
            resets_at: Some(1739000000),
            rate_limits: Some(RateLimitSnapshot {
                limit_id: Some("codex".to_string()),
                limit_name: None,
                primary: Some(RateLimitWindow {
                    used_percent: 100.0,
                    window_minutes: Some(300),
                    resets_at: Some(1739000000),
                }),
                secondary: None,
                credits: None,
                plan_type: None,
            }),
            promo_message: None,
        }
    );
    assert!(!client.websockets_disabled());
}

#[tokio::test]
async fn error_frame_mid_stream_ends_the_stream_with_the_mapped_error() {
    let server = MockModelServer::start().await;
    server.push_response(MockResponse::sse(vec![
        sse::response_created("resp_1"),
        json!({"type": "error", "status": 400, "error": {"type": "invalid_request_error", "message": "bad input"}, "headers": {}}),
    ]));
    let client = client(provider(&server, true), true);
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap();
    assert_eq!(
        events,
        vec![
            Ok(ResponseEvent::Created),
            Err("unexpected status 400 Bad Request: bad input".to_string()),
        ]
    );
}

#[tokio::test]
async fn rate_limit_frames_become_rate_limit_events() {
    let server = MockModelServer::start().await;
    server.push_response(hello_response().with_event_at(
        1,
        sse::rate_limits_event(
            Some("plus"),
            Some("codex"),
            Some(MockRateLimitWindow::new(42.0, 300, 1738888888)),
            None,
            None,
        ),
    ));
    let client = client(provider(&server, true), true);
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap();
    let mut expected = hello_events();
    expected.insert(
        1,
        Ok(ResponseEvent::RateLimits(RateLimitSnapshot {
            limit_id: Some("codex".to_string()),
            limit_name: None,
            primary: Some(RateLimitWindow {
                used_percent: 42.0,
                window_minutes: Some(300),
                resets_at: Some(1738888888),
            }),
            secondary: None,
            credits: None,
            plan_type: Some("plus".to_string()),
        })),
    );
    assert_eq!(events, expected);
}

#[tokio::test]
async fn websocket_telemetry_counts_requests_handshakes_and_events() {
    let server = MockModelServer::start().await;
    server.push_response(hello_response());
    let client = client(provider(&server, true), true);
    stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap();
    let telemetry = client.telemetry();
    assert_eq!(
        telemetry,
        TelemetrySnapshot {
            http_requests: 0,
            websocket_requests: 1,
            websocket_handshakes: 1,
            failed_requests: 0,
            events: 6,
            fallbacks_to_http: 0,
            last_http_request_duration: None,
            ..telemetry
        }
    );
    assert_eq!(
        (
            telemetry.last_websocket_request_duration.is_some(),
            telemetry.last_time_to_first_event.is_some(),
            telemetry.last_event_processing_duration.is_some(),
        ),
        (true, true, true)
    );
}

#[tokio::test]
async fn refused_handshake_with_401_is_unauthorized_not_a_fallback() {
    let server = MockModelServer::start().await;
    server.refuse_ws_handshake_with_body(401, json!({"error": {"message": "token revoked"}}));
    let client = client(provider(&server, true), true);
    let error = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap_err();
    assert_eq!(
        (error.to_string(), error.codex_error_info()),
        (
            "unauthorized: token revoked".to_string(),
            CodexErrorInfo::Unauthorized
        )
    );
    assert!(!client.websockets_disabled());
    assert_eq!(server.responses_requests().await, Vec::new());
}

#[tokio::test]
async fn an_abandoned_response_makes_the_next_request_reconnect() {
    let server = MockModelServer::start().await;
    server.push_responses([hello_response().stall_after(2), hello_response()]);
    let client = client(provider(&server, true), true);
    let model = model_info(false);
    let mut session = client.new_session();
    let prompt = prompt(vec![user_message("hi")]);
    let mut abandoned = session
        .stream(&prompt, &model, None, ReasoningSummaryMode::Auto, None)
        .await
        .unwrap();
    assert_eq!(
        abandoned
            .next()
            .await
            .map(|event| event.map_err(|err| err.to_string())),
        Some(Ok(ResponseEvent::Created))
    );
    drop(abandoned);
    assert_eq!(
        stream(&mut session, &prompt, &model).await.unwrap(),
        hello_events()
    );
    assert_eq!(server.handshake_count(), 2);
}

#[tokio::test]
async fn a_silent_socket_hits_the_idle_timeout() {
    let server = MockModelServer::start().await;
    server.push_response(hello_response().stall_after(1));
    let provider = ModelProviderInfo {
        stream_idle_timeout_ms: Some(200),
        ..provider(&server, true)
    };
    let client = client(provider, true);
    let events = stream(
        &mut client.new_session(),
        &prompt(vec![user_message("hi")]),
        &model_info(false),
    )
    .await
    .unwrap();
    assert_eq!(
        events,
        vec![
            Ok(ResponseEvent::Created),
            Err(ApiError::IdleTimeout.to_string()),
        ]
    );
}

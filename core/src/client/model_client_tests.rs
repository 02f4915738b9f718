//! Tests of `ModelClientSession::stream` against a mock Responses server: request shape, event mapping,
//! stream failures, retries and 401 recovery.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;

use async_trait::async_trait;
use futures::StreamExt;
use pretty_assertions::assert_eq;
use serde_json::json;
use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;
use wiremock::Mock;
use wiremock::MockServer;
use wiremock::ResponseTemplate;
use wiremock::matchers::header;
use wiremock::matchers::method;
use wiremock::matchers::path;

use super::*;
use crate::auth::AuthError;
use crate::auth::ExternalAuthRefresher;
use crate::client::error_response::parse_retry_after;
use crate::client::response_event::ResponseEvent;
use crate::client::usage_limit::UsageLimitReachedError;
use crate::protocol::rate_limit::RateLimitSnapshot;
use crate::protocol::rate_limit::RateLimitWindow;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::MessagePhase;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_usage::TokenUsage;

const COMPLETED: &str = r#"{"type":"response.completed","response":{"id":"resp_1","usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":20},"output_tokens":10,"output_tokens_details":{"reasoning_tokens":3},"total_tokens":110}}}"#;

fn sse(events: &[&str]) -> String {
    events
        .iter()
        .map(|data| {
            let kind = serde_json::from_str::<serde_json::Value>(data)
                .ok()
                .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
                .unwrap_or_default();
            format!("event: {kind}\ndata: {data}\n\n")
        })
        .collect()
}

fn sse_response(events: &[&str]) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/event-stream")
        .set_body_string(sse(events))
}

fn provider(base_url: &str) -> ModelProviderInfo {
    ModelProviderInfo {
        base_url: Some(format!("{base_url}/v1")),
        request_max_retries: Some(2),
        stream_idle_timeout_ms: Some(5_000),
        ..ModelProviderInfo::openai()
    }
}

/// A provider with its own key, for clients without an auth manager.
fn keyed_provider(base_url: &str) -> ModelProviderInfo {
    ModelProviderInfo {
        experimental_bearer_token: Some("sk-test".to_string()),
        ..provider(base_url)
    }
}

fn client(provider: ModelProviderInfo, auth_manager: Option<Arc<AuthManager>>) -> ModelClient {
    ModelClient::new(ModelClientParams {
        conversation_id: "conv-1".to_string(),
        provider,
        auth_manager,
        originator: "codex_vscode".to_string(),
        user_agent: "codex_vscode/0.105.0".to_string(),
        session_source_header: None,
        model_verbosity: None,
        beta_features_header: None,
        http: None,
        enable_responses_websockets: false,
        websocket_protocol: crate::client::WebSocketProtocol::V1,
    })
}

fn api_key_manager(home: &std::path::Path, key: &str) -> Arc<AuthManager> {
    let manager = Arc::new(AuthManager::new(home.to_path_buf()));
    manager.set_external_auth(Some(CodexAuth::ApiKey {
        key: key.to_string(),
    }));
    manager
}

fn model_info() -> ModelInfo {
    serde_json::from_value(json!({
        "slug": "gpt-5.2-codex",
        "display_name": "gpt-5.2-codex",
        "description": "",
        "default_reasoning_level": "medium",
        "supports_reasoning_summaries": true,
    }))
    .unwrap()
}

fn prompt() -> Prompt {
    Prompt {
        input: vec![ResponseItem::Message {
            id: None,
            role: "user".to_string(),
            content: vec![ContentItem::InputText {
                text: "hi".to_string(),
            }],
            end_turn: None,
            phase: None,
        }],
        tools: vec![json!({"type": "web_search", "external_web_access": true})],
        parallel_tool_calls: true,
        base_instructions: "You are Codex.".to_string(),
        output_schema: None,
        service_tier: None,
    }
}

async fn run(session: &mut ModelClientSession) -> Result<ResponseStream, ApiError> {
    session
        .stream(
            &prompt(),
            &model_info(),
            None,
            ReasoningSummaryMode::Auto,
            Some(r#"{"turn_id":"t1","sandbox":"seccomp"}"#),
        )
        .await
}

async fn collect(stream: ResponseStream) -> Vec<Result<ResponseEvent, String>> {
    stream
        .map(|event| event.map_err(|err| err.to_string()))
        .collect()
        .await
}

#[tokio::test]
async fn request_body_and_headers_for_chatgpt_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/responses"))
        .respond_with(sse_response(&[COMPLETED]).insert_header("x-codex-turn-state", "sticky-1"))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("auth.json"),
        r#"{"OPENAI_API_KEY":null,"tokens":{"id_token":"x","access_token":"chatgpt-token","refresh_token":"r","account_id":"acc_1"}}"#,
    )
    .unwrap();
    let manager = Arc::new(AuthManager::new(home.path().to_path_buf()));
    let mut session = client(provider(&server.uri()), Some(manager)).new_session();
    collect(run(&mut session).await.unwrap()).await;
    collect(run(&mut session).await.unwrap()).await;

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 2);
    let body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        body,
        json!({
            "model": "gpt-5.2-codex",
            "instructions": "You are Codex.",
            "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
            "tools": [{"type": "web_search", "external_web_access": true}],
            "tool_choice": "auto",
            "parallel_tool_calls": true,
            "reasoning": {"effort": "medium", "summary": "auto"},
            "store": false,
            "stream": true,
            "include": ["reasoning.encrypted_content"],
            "prompt_cache_key": "conv-1",
        })
    );
    let headers_of = |index: usize| -> BTreeMap<String, String> {
        requests[index]
            .headers
            .iter()
            .filter(|(name, _)| !matches!(name.as_str(), "host" | "content-length"))
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_string()))
            .collect()
    };
    let mut expected: BTreeMap<String, String> = [
        ("accept", "text/event-stream"),
        ("authorization", "Bearer chatgpt-token"),
        ("chatgpt-account-id", "acc_1"),
        ("content-type", "application/json"),
        ("originator", "codex_vscode"),
        ("session_id", "conv-1"),
        ("user-agent", "codex_vscode/0.105.0"),
        (
            "x-codex-turn-metadata",
            r#"{"turn_id":"t1","sandbox":"seccomp"}"#,
        ),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value.to_string()))
    .collect();
    assert_eq!(headers_of(0), expected);
    expected.insert("x-codex-turn-state".to_string(), "sticky-1".to_string());
    assert_eq!(headers_of(1), expected);
    assert_eq!(session.turn_state(), Some("sticky-1"));
}

#[tokio::test]
async fn sse_and_response_headers_become_events() {
    let server = MockServer::start().await;
    let response = sse_response(&[
        r#"{"type":"response.created","response":{"id":"resp_1"}}"#,
        r#"{"type":"response.output_item.added","item":{"type":"message","role":"assistant","content":[],"phase":"commentary"}}"#,
        r#"{"type":"response.content_part.added","part":{"type":"output_text","text":""}}"#,
        r#"{"type":"response.output_text.delta","delta":"Running the tests."}"#,
        r#"{"type":"response.output_item.done","item":{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Running the tests."}],"phase":"commentary"}}"#,
        COMPLETED,
    ])
    .insert_header("openai-model", "gpt-5.2-codex")
    .insert_header("x-models-etag", "etag-1")
    .insert_header("x-reasoning-included", "true")
    .insert_header("x-codex-primary-used-percent", "12.5")
    .insert_header("x-codex-primary-window-minutes", "300")
    .insert_header("x-codex-other-primary-used-percent", "70")
    .insert_header("x-codex-other-limit-name", "gpt-5.2-codex-sonic");
    Mock::given(method("POST"))
        .respond_with(response)
        .mount(&server)
        .await;
    let mut session = client(keyed_provider(&server.uri()), None).new_session();
    let events = collect(run(&mut session).await.unwrap()).await;
    let message = |content: Vec<ContentItem>| ResponseItem::Message {
        id: None,
        role: "assistant".to_string(),
        content,
        end_turn: None,
        phase: Some(MessagePhase::Commentary),
    };
    assert_eq!(
        events,
        vec![
            Ok(ResponseEvent::ServerModel("gpt-5.2-codex".to_string())),
            Ok(ResponseEvent::ModelsEtag("etag-1".to_string())),
            Ok(ResponseEvent::ServerReasoningIncluded(true)),
            Ok(ResponseEvent::RateLimits(RateLimitSnapshot {
                limit_id: Some("codex".to_string()),
                primary: Some(RateLimitWindow {
                    used_percent: 12.5,
                    window_minutes: Some(300),
                    resets_at: None,
                }),
                ..RateLimitSnapshot::default()
            })),
            Ok(ResponseEvent::RateLimits(RateLimitSnapshot {
                limit_id: Some("codex_other".to_string()),
                limit_name: Some("gpt-5.2-codex-sonic".to_string()),
                primary: Some(RateLimitWindow {
                    used_percent: 70.0,
                    window_minutes: None,
                    resets_at: None,
                }),
                ..RateLimitSnapshot::default()
            })),
            Ok(ResponseEvent::Created),
            Ok(ResponseEvent::OutputItemAdded(message(Vec::new()))),
            Ok(ResponseEvent::OutputTextDelta(
                "Running the tests.".to_string()
            )),
            Ok(ResponseEvent::OutputItemDone(message(vec![
                ContentItem::OutputText {
                    text: "Running the tests.".to_string()
                }
            ]))),
            Ok(ResponseEvent::Completed {
                response_id: "resp_1".to_string(),
                token_usage: Some(TokenUsage {
                    input_tokens: 100,
                    cached_input_tokens: 20,
                    output_tokens: 10,
                    reasoning_output_tokens: 3,
                    total_tokens: 110,
                }),
                end_turn: None,
            }),
        ]
    );
}

#[tokio::test]
async fn stream_without_completed_is_a_retryable_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(sse_response(&[
            r#"{"type":"response.created","response":{"id":"resp_1"}}"#,
        ]))
        .mount(&server)
        .await;
    let mut session = client(keyed_provider(&server.uri()), None).new_session();
    let events: Vec<_> = run(&mut session).await.unwrap().collect().await;
    assert_eq!(events.len(), 2);
    let err = events.into_iter().last().unwrap().unwrap_err();
    assert_eq!(err.to_string(), "stream closed before response.completed");
    assert_eq!(err.is_retryable(), true);
}

#[tokio::test]
async fn idle_stream_times_out() {
    // A raw server that sends headers and one event, then stays silent with the connection open.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut buf).await.unwrap();
        let event = sse(&[r#"{"type":"response.created","response":{"id":"r"}}"#]);
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n{:x}\r\n{event}\r\n",
            event.len()
        );
        socket.write_all(head.as_bytes()).await.unwrap();
        std::future::pending::<()>().await;
    });
    let provider = ModelProviderInfo {
        stream_idle_timeout_ms: Some(100),
        ..keyed_provider(&format!("http://{addr}"))
    };
    let mut session = client(provider, None).new_session();
    let events = collect(run(&mut session).await.unwrap()).await;
    assert_eq!(
        events,
        vec![
            Ok(ResponseEvent::Created),
            Err("idle timeout waiting for SSE".to_string())
        ]
    );
    server.abort();
}

#[tokio::test]
async fn rate_limited_request_is_retried_after_the_server_delay() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("retry-after", "0")
                .set_body_json(
                    json!({"error": {"type": "rate_limit_exceeded", "message": "slow down"}}),
                ),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(sse_response(&[COMPLETED]))
        .mount(&server)
        .await;
    let mut session = client(keyed_provider(&server.uri()), None).new_session();
    let events = collect(run(&mut session).await.unwrap()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn server_errors_are_retried_until_exhausted() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(500)
                .insert_header("retry-after-ms", "1")
                .set_body_json(json!({"error": {"message": "upstream exploded"}})),
        )
        .mount(&server)
        .await;
    let mut session = client(keyed_provider(&server.uri()), None).new_session();
    let err = run(&mut session).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "exceeded retry limit, last status: 500 Internal Server Error; upstream exploded"
    );
    // One attempt plus `request_max_retries` (2) retries.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_carry_the_server_message() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-request-id", "req_9")
                .set_body_json(json!({"error": {"message": "Unsupported parameter: 'foo'"}})),
        )
        .mount(&server)
        .await;
    let mut session = client(keyed_provider(&server.uri()), None).new_session();
    let err = run(&mut session).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "unexpected status 400 Bad Request: Unsupported parameter: 'foo' (request id: req_9)"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn usage_limit_429_is_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-codex-primary-used-percent", "100")
                .insert_header("x-codex-promo-message", "Try Pro")
                .set_body_json(json!({"error": {"type": "usage_limit_reached", "message": "limit", "plan_type": "plus", "resets_at": 1739000000}})),
        )
        .mount(&server)
        .await;
    let mut session = client(keyed_provider(&server.uri()), None).new_session();
    let err = run(&mut session).await.unwrap_err();
    let ApiError::UsageLimitReached(limit) = err else {
        panic!("expected a usage-limit error, got {err:?}");
    };
    assert_eq!(
        *limit,
        UsageLimitReachedError {
            plan_type: Some("plus".to_string()),
            resets_at: Some(1_739_000_000),
            rate_limits: Some(RateLimitSnapshot {
                limit_id: Some("codex".to_string()),
                primary: Some(RateLimitWindow {
                    used_percent: 100.0,
                    window_minutes: None,
                    resets_at: None,
                }),
                ..RateLimitSnapshot::default()
            }),
            promo_message: Some("Try Pro".to_string()),
        }
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

struct CountingRefresher {
    calls: AtomicUsize,
    new_key: Option<&'static str>,
}

#[async_trait]
impl ExternalAuthRefresher for CountingRefresher {
    async fn refresh(&self, _previous: Option<&CodexAuth>) -> Result<Option<CodexAuth>, AuthError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(self.new_key.map(|key| CodexAuth::ApiKey {
            key: key.to_string(),
        }))
    }
}

#[tokio::test]
async fn unauthorized_recovers_once_then_retries_with_new_auth() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", "Bearer new-key"))
        .respond_with(sse_response(&[COMPLETED]))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let manager = api_key_manager(home.path(), "old-key");
    let refresher = Arc::new(CountingRefresher {
        calls: AtomicUsize::new(0),
        new_key: Some("new-key"),
    });
    manager.set_external_refresher(refresher.clone());
    let mut session = client(provider(&server.uri()), Some(manager)).new_session();
    let events = collect(run(&mut session).await.unwrap()).await;
    assert_eq!(events.len(), 1);
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn unauthorized_without_new_auth_is_an_error_after_one_recovery() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("x-request-id", "req_401")
                .set_body_json(serde_json::json!({"error": {"message": "token revoked"}})),
        )
        .mount(&server)
        .await;
    let home = tempfile::tempdir().unwrap();
    let manager = api_key_manager(home.path(), "old-key");
    let refresher = Arc::new(CountingRefresher {
        calls: AtomicUsize::new(0),
        new_key: None,
    });
    manager.set_external_refresher(refresher.clone());
    let mut session = client(provider(&server.uri()), Some(manager)).new_session();
    let err = run(&mut session).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "unauthorized: token revoked (request id: req_401)"
    );
    assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[test]
fn retry_after_forms_and_backoff_growth() {
    let mut headers = HeaderMap::new();
    headers.insert("retry-after", HeaderValue::from_static("3"));
    assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(3)));
    headers.insert("retry-after-ms", HeaderValue::from_static("250"));
    assert_eq!(
        parse_retry_after(&headers),
        Some(Duration::from_millis(250))
    );
    let mut dated = HeaderMap::new();
    dated.insert(
        "retry-after",
        HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
    );
    assert_eq!(parse_retry_after(&dated), Some(Duration::ZERO));
    assert_eq!(parse_retry_after(&HeaderMap::new()), None);

    for (attempt, base_ms) in [(1u64, 200u64), (2, 400), (3, 800)] {
        let ms = backoff(attempt).as_millis() as u64;
        assert!(
            (base_ms * 9 / 10..=base_ms * 11 / 10).contains(&ms),
            "attempt {attempt}: {ms}ms"
        );
    }
}

#[test]
fn missing_provider_key_is_an_auth_error_naming_the_variable() {
    let provider = ModelProviderInfo {
        env_key: Some("CODEX_TEST_UNSET_PROVIDER_KEY".to_string()),
        requires_openai_auth: false,
        ..ModelProviderInfo::openai()
    };
    let err = client(provider, None).current_client_setup().unwrap_err();
    assert_eq!(
        err.to_string(),
        "missing environment variable `CODEX_TEST_UNSET_PROVIDER_KEY`"
    );
}

#[tokio::test]
async fn dropping_the_stream_closes_the_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (closed_tx, closed_rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        let _ = socket.read(&mut buf).await.unwrap();
        let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
        socket.write_all(head.as_bytes()).await.unwrap();
        // The client sends nothing more, so the next read only returns once it closed the socket.
        let read = socket.read(&mut buf).await.unwrap_or(0);
        let _ = closed_tx.send(read);
    });
    let mut session = client(keyed_provider(&format!("http://{addr}")), None).new_session();
    let stream = run(&mut session).await.unwrap();
    drop(stream);
    let read = tokio::time::timeout(Duration::from_secs(5), closed_rx)
        .await
        .expect("connection was not closed after the stream was dropped")
        .unwrap();
    assert_eq!(read, 0);
}

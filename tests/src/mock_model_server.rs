//! A mock of the OpenAI Responses API on loopback, for core's tests, the end-to-end suites, the benchmark
//! and the demo. It answers `POST .../responses` with scripted SSE streams, serves the same scripts over a
//! websocket on the same path, answers the usage endpoint and any mounted JSON route, records every
//! request, and injects faults (delays, cut or stalled streams, malformed SSE, refused handshakes).
//!
//! Responses are a FIFO queue: each `POST .../responses` and each websocket `response.create` (or
//! `response.append`) frame takes the next one; with the queue empty the server asks the responder, if
//! one is set, else answers the default (HTTP 500 `mock: no response scripted` unless changed), so a test
//! that forgot a script fails clearly.
//!
//! Scripting one turn that calls a tool and then answers, and checking what the client sent:
//!
//! ```no_run
//! use codex_app_server_tests::mock_model_server::MockModelServer;
//! use codex_app_server_tests::mock_model_server::MockResponse;
//! use codex_app_server_tests::mock_model_server::sse;
//! use std::time::Duration;
//!
//! # async fn scripted_turn() -> anyhow::Result<()> {
//! let server = MockModelServer::start().await;
//! server.push_response(MockResponse::sse(vec![
//!     sse::response_created("resp_1"),
//!     sse::function_call("call_1", "shell_command", r#"{"command":"ls"}"#),
//!     sse::completed("resp_1"),
//! ]));
//! server.push_response(MockResponse::assistant_message(&["Hello", " world"], Some("final_answer")));
//! let provider_base_url = format!("{}/v1", server.uri());
//! // ... point the client at `provider_base_url` and start a turn ...
//! let requests = server.wait_for_responses_requests(2, Duration::from_secs(10)).await?;
//! assert_eq!(requests[1].body_json.as_ref().unwrap()["stream"], true);
//! # Ok(())
//! # }
//! ```
//!
//! Faults and error bodies:
//!
//! ```no_run
//! use codex_app_server_tests::mock_model_server::MockModelServer;
//! use codex_app_server_tests::mock_model_server::MockResponse;
//! use codex_app_server_tests::mock_model_server::MockRateLimitWindow;
//! use codex_app_server_tests::mock_model_server::codex_rate_limit_headers;
//! use serde_json::json;
//!
//! # async fn faults() {
//! let server = MockModelServer::start().await;
//! // The stream dies after two events, then the retry succeeds.
//! server.push_response(MockResponse::assistant_message(&["a", "b", "c"], None).cut_after(2));
//! server.push_response(MockResponse::assistant_message(&["abc"], None));
//! // A usage-limit error with rate-limit headers.
//! server.push_response(
//!     MockResponse::error(
//!         429,
//!         json!({"error": {"type": "usage_limit_reached", "message": "limit", "plan_type": "plus", "resets_at": 1739000000}}),
//!     )
//!     .with_headers(codex_rate_limit_headers(MockRateLimitWindow::new(100.0, 300, 1739000000), None)),
//! );
//! // Websockets: refuse the upgrade so the client falls back to HTTP.
//! server.refuse_ws_handshake(426);
//! # }
//! ```

mod context_window;
mod http_answer;
mod mock_response;
mod rate_limit_headers;
mod recorded_request;
mod request_routing;
pub mod sse;
mod websocket;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::MutexGuard;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use axum::Router;
use serde_json::Value;
use serde_json::json;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use context_window::request_tokens;
pub use mock_response::MockResponse;
pub use mock_response::StreamFault;
pub use rate_limit_headers::MockCredits;
pub use rate_limit_headers::MockRateLimitWindow;
pub use rate_limit_headers::codex_rate_limit_headers;
pub use rate_limit_headers::credits_headers;
pub use rate_limit_headers::named_rate_limit_headers;
pub use rate_limit_headers::promo_message_header;
pub use recorded_request::ReceivedFrame;
pub use recorded_request::RecordedRequest;
pub use recorded_request::Transport;
pub use recorded_request::WEBSOCKET_FRAME_METHOD;

use websocket::WsHandshakeScript;

/// Errors of the waiting helpers.
#[derive(Debug, thiserror::Error)]
pub enum MockServerError {
    #[error("mock: waited {waited:?} for {wanted} requests, saw {seen}")]
    Timeout {
        wanted: usize,
        seen: usize,
        waited: Duration,
    },
}

/// A running mock server on `127.0.0.1`; dropping it stops it (open streams and sockets end).
pub struct MockModelServer {
    address: SocketAddr,
    state: Arc<ServerState>,
    serve_task: Option<JoinHandle<()>>,
}

/// State shared by the request handlers of one server.
pub(crate) struct ServerState {
    script: Mutex<ServerScript>,
    /// Number of records of any kind / of model requests, for awaiting them without polling.
    pub(crate) request_count: watch::Sender<usize>,
    pub(crate) responses_request_count: watch::Sender<usize>,
    /// Websocket upgrade attempts, bumped once the handshake is recorded.
    pub(crate) handshake_count: watch::Sender<usize>,
    pub(crate) next_connection: AtomicUsize,
    pub(crate) shutdown: CancellationToken,
    /// Websockets open now, and the signal that closes the idle ones (`close_idle_websockets`).
    pub(crate) open_websockets: watch::Sender<usize>,
    pub(crate) close_idle_websockets: tokio::sync::broadcast::Sender<()>,
}

/// Everything a test scripts or reads back.
pub(crate) struct ServerScript {
    queue: VecDeque<MockResponse>,
    default_response: MockResponse,
    requests: Vec<RecordedRequest>,
    frames: Vec<ReceivedFrame>,
    pub(crate) ws_handshake: WsHandshakeScript,
    pub(crate) usage_response: (u16, Value),
    /// How long the usage endpoint waits before answering.
    pub(crate) usage_delay: std::time::Duration,
    pub(crate) mounted: Vec<MountedJson>,
    /// The model's context window in tokens, when the mock enforces one.
    context_window: Option<i64>,
    /// Answers a request the queue has nothing for, from its JSON (see `set_responder`).
    responder: Option<Responder>,
}

/// A function of a model request's JSON to its answer.
type Responder = Arc<dyn Fn(&Value) -> MockResponse + Send + Sync>;

/// A fixed JSON answer for one method and exact path.
pub(crate) struct MountedJson {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) status: u16,
    pub(crate) body: Value,
}

impl ServerState {
    pub(crate) fn lock(&self) -> MutexGuard<'_, ServerScript> {
        // A panicking test thread must not hide the records from the others.
        self.script
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        let is_responses_request = request.is_responses_request();
        self.lock().requests.push(request);
        self.request_count.send_modify(|count| *count += 1);
        if is_responses_request {
            self.responses_request_count
                .send_modify(|count| *count += 1);
        }
    }

    pub(crate) fn record_frame(&self, frame: ReceivedFrame, request: RecordedRequest) {
        self.lock().frames.push(frame);
        self.record(request);
    }

    fn next_scripted(&self, request: Option<&Value>) -> MockResponse {
        let mut script = self.lock();
        if let Some(response) = script.queue.pop_front() {
            return response;
        }
        match (script.responder.clone(), request) {
            (Some(responder), Some(request)) => {
                drop(script);
                responder(request)
            }
            _ => script.default_response.clone(),
        }
    }

    /// The answer to a model request whose JSON (body or websocket frame) is `request`: the next
    /// scripted one, unless a context window is enforced and the request does not fit in it.
    pub(crate) fn next_response(&self, request: Option<&Value>) -> MockResponse {
        let context_window = self.lock().context_window;
        match context_window {
            Some(limit) => {
                context_window::answer_within(limit, request, || self.next_scripted(request))
            }
            None => self.next_scripted(request),
        }
    }
}

impl MockModelServer {
    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("mock: bind 127.0.0.1:0");
        let address = listener.local_addr().expect("mock: local address");
        let state = Arc::new(ServerState {
            script: Mutex::new(ServerScript {
                queue: VecDeque::new(),
                default_response: MockResponse::error(
                    500,
                    json!({"error": {"type": "mock_error", "message": "mock: no response scripted"}}),
                ),
                requests: Vec::new(),
                frames: Vec::new(),
                ws_handshake: WsHandshakeScript::default(),
                usage_response: (
                    404,
                    json!({"error": {"message": "mock: no usage response scripted"}}),
                ),
                usage_delay: std::time::Duration::ZERO,
                mounted: Vec::new(),
                context_window: None,
                responder: None,
            }),
            request_count: watch::Sender::new(0),
            responses_request_count: watch::Sender::new(0),
            handshake_count: watch::Sender::new(0),
            open_websockets: watch::Sender::new(0),
            close_idle_websockets: tokio::sync::broadcast::channel(8).0,
            next_connection: AtomicUsize::new(0),
            shutdown: CancellationToken::new(),
        });
        let router = Router::new()
            .fallback(request_routing::handle_request)
            .with_state(Arc::clone(&state));
        let shutdown = state.shutdown.clone();
        let serve_task = tokio::spawn(async move {
            let served = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown.cancelled_owned())
                .await;
            if let Err(error) = served {
                tracing::warn!("mock: server stopped: {error}");
            }
        });
        Self {
            address,
            state,
            serve_task: Some(serve_task),
        }
    }

    /// `http://127.0.0.1:PORT`; a provider `base_url` may be this or `{uri}/v1`.
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// `ws://127.0.0.1:PORT`; the websocket endpoint is any `.../responses` path under it.
    pub fn ws_uri(&self) -> String {
        format!("ws://{}", self.address)
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Queues the answer to the next model request.
    pub fn push_response(&self, response: MockResponse) {
        self.state.lock().queue.push_back(response);
    }

    /// Queues several answers, in order.
    pub fn push_responses(&self, responses: impl IntoIterator<Item = MockResponse>) {
        self.state.lock().queue.extend(responses);
    }

    /// Scripted answers not consumed yet.
    pub fn pending_responses(&self) -> usize {
        self.state.lock().queue.len()
    }

    /// Enforces a context window of `tokens` (at four bytes of request JSON a token, see
    /// `request_tokens`): larger requests are refused with 400 `context_length_exceeded`, and answered
    /// ones report their input size as usage.
    pub fn enforce_context_window(&self, tokens: i64) {
        self.state.lock().context_window = Some(tokens);
    }

    /// Answers every model request the queue has nothing for with `responder(request JSON)`, instead of
    /// the default response: for long runs whose answers depend on what was asked (e.g. a summary for a
    /// compaction request, a plain answer otherwise).
    pub fn set_responder(
        &self,
        responder: impl Fn(&Value) -> MockResponse + Send + Sync + 'static,
    ) {
        self.state.lock().responder = Some(Arc::new(responder));
    }

    /// The answer given when the queue is empty (and no responder is set).
    pub fn set_default_response(&self, response: MockResponse) {
        self.state.lock().default_response = response;
    }

    /// Every record so far, in arrival order: HTTP requests, websocket handshakes and websocket text
    /// frames.
    pub async fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().requests.clone()
    }

    /// Only the model requests: HTTP `POST .../responses` and websocket `response.create`/`append` frames.
    pub async fn responses_requests(&self) -> Vec<RecordedRequest> {
        self.state
            .lock()
            .requests
            .iter()
            .filter(|request| request.is_responses_request())
            .cloned()
            .collect()
    }

    /// The JSON bodies of the model requests, in order (`null` for one that was not JSON).
    pub async fn responses_request_bodies(&self) -> Vec<Value> {
        self.responses_requests()
            .await
            .into_iter()
            .map(|request| request.body_json.unwrap_or(Value::Null))
            .collect()
    }

    /// Only the websocket handshakes (method `GET`, the client's upgrade headers).
    pub async fn websocket_handshakes(&self) -> Vec<RecordedRequest> {
        self.state
            .lock()
            .requests
            .iter()
            .filter(|request| request.is_websocket_handshake())
            .cloned()
            .collect()
    }

    /// Waits until at least `count` records of any kind exist and returns them all.
    pub async fn wait_for_requests(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, MockServerError> {
        wait_for_count(&self.state.request_count, count, timeout).await?;
        Ok(self.requests().await)
    }

    /// Waits until at least `count` model requests arrived and returns them.
    pub async fn wait_for_responses_requests(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, MockServerError> {
        wait_for_count(&self.state.responses_request_count, count, timeout).await?;
        Ok(self.responses_requests().await)
    }

    /// Websocket upgrade attempts so far, refused ones included.
    pub fn handshake_count(&self) -> usize {
        *self.state.handshake_count.borrow()
    }

    /// Waits until at least `count` websocket upgrade attempts arrived (e.g. a preconnect) and returns
    /// their records.
    pub async fn wait_for_handshakes(
        &self,
        count: usize,
        timeout: Duration,
    ) -> Result<Vec<RecordedRequest>, MockServerError> {
        wait_for_count(&self.state.handshake_count, count, timeout).await?;
        Ok(self.websocket_handshakes().await)
    }

    /// Closes every websocket that is waiting for its next request, as a server does with idle sockets, and
    /// returns once none is open.
    pub async fn close_idle_websockets(&self, timeout: Duration) -> Result<(), MockServerError> {
        // No receiver means no socket is open.
        let _ = self.state.close_idle_websockets.send(());
        let mut open = self.state.open_websockets.subscribe();
        match tokio::time::timeout(timeout, open.wait_for(|open| *open == 0)).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) | Err(_) => Err(MockServerError::Timeout {
                wanted: 0,
                seen: *self.state.open_websockets.borrow(),
                waited: timeout,
            }),
        }
    }

    /// Every text frame websocket clients sent, in arrival order.
    pub async fn received_frames(&self) -> Vec<ReceivedFrame> {
        self.state.lock().frames.clone()
    }

    /// Waits this long before answering each websocket handshake.
    pub fn set_ws_handshake_delay(&self, delay: Duration) {
        self.state.lock().ws_handshake.delay = Some(delay);
    }

    /// Headers added to every 101 answer (`x-codex-turn-state`, `x-models-etag`, `openai-model`,
    /// `x-reasoning-included`, rate-limit headers...).
    pub fn set_ws_handshake_response_headers(
        &self,
        headers: impl IntoIterator<Item = (String, String)>,
    ) {
        self.state.lock().ws_handshake.response_headers = headers.into_iter().collect();
    }

    /// Answers every handshake with `status` (e.g. 426 or 500) and a JSON error body instead of 101.
    pub fn refuse_ws_handshake(&self, status: u16) {
        self.refuse_ws_handshake_with_body(
            status,
            json!({"error": {"message": "mock: websocket handshake refused"}}),
        );
    }

    /// Answers every handshake with `status` and `body` instead of 101.
    pub fn refuse_ws_handshake_with_body(&self, status: u16, body: Value) {
        self.state.lock().ws_handshake.refusal = Some((status, body));
    }

    /// Never answers websocket handshakes.
    pub fn set_ws_handshake_hang(&self) {
        self.state.lock().ws_handshake.hang = true;
    }

    /// Undoes `refuse_ws_handshake*` and `set_ws_handshake_hang`.
    pub fn accept_ws_handshakes(&self) {
        let mut script = self.state.lock();
        script.ws_handshake.refusal = None;
        script.ws_handshake.hang = false;
    }

    /// The answer of `GET .../wham/usage` and `GET .../api/codex/usage` (default: 404).
    pub fn set_usage_response(&self, status: u16, body: Value) {
        self.state.lock().usage_response = (status, body);
    }

    /// Makes the usage endpoint wait `delay` before answering (a slow backend).
    pub fn set_usage_delay(&self, delay: std::time::Duration) {
        self.state.lock().usage_delay = delay;
    }

    /// Answers `method` on exactly `path` with `status` and `body`; mounted routes win over built-in ones
    /// and the latest mount of a route wins.
    pub fn mount_json(&self, method: &str, path: &str, status: u16, body: Value) {
        self.state.lock().mounted.insert(
            0,
            MountedJson {
                method: method.to_ascii_uppercase(),
                path: path.to_string(),
                status,
                body,
            },
        );
    }

    /// Stops the server: open streams end, stalled and hanging answers are released.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        if let Some(serve_task) = self.serve_task.take() {
            // Connections a client keeps busy must not block the test forever.
            if tokio::time::timeout(Duration::from_secs(5), serve_task)
                .await
                .is_err()
            {
                tracing::warn!("mock: connections still open after shutdown");
            }
        }
    }
}

impl Drop for MockModelServer {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}

async fn wait_for_count(
    counter: &watch::Sender<usize>,
    wanted: usize,
    timeout: Duration,
) -> Result<(), MockServerError> {
    let mut receiver = counter.subscribe();
    let reached = tokio::time::timeout(timeout, receiver.wait_for(|seen| *seen >= wanted)).await;
    match reached {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(_)) | Err(_) => Err(MockServerError::Timeout {
            wanted,
            seen: *counter.borrow(),
            waited: timeout,
        }),
    }
}

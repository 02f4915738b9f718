//! `ModelClient` (session-scoped, cheap to clone) and `ModelClientSession` (turn-scoped): auth and provider
//! resolution in one place, transport selection (websocket when enabled, sticky fallback to HTTP),
//! websocket preconnect, the HTTP SSE request with its headers, request-level retries and 401 recovery.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::time::Duration;
use std::time::Instant;

use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use reqwest::header::HeaderName;
use reqwest::header::HeaderValue;
use tokio::sync::mpsc;

use crate::auth::AuthError;
use crate::auth::AuthManager;
use crate::auth::CodexAuth;
use crate::auth::provider_auth;
use crate::client::api_error::ApiError;
use crate::client::client_setup::ClientSetup;
use crate::client::error_response::ErrorResponse;
use crate::client::error_response::classify_error_response;
use crate::client::error_response::unauthorized_error;
use crate::client::headers::ACCOUNT_ID_HEADER;
use crate::client::headers::BETA_FEATURES_HEADER;
use crate::client::headers::OPENAI_BETA_HEADER;
use crate::client::headers::SUBAGENT_HEADER;
use crate::client::headers::TURN_METADATA_HEADER;
use crate::client::headers::TURN_STATE_HEADER;
use crate::client::metrics::Metrics;
use crate::client::metrics::TransportKind;
use crate::client::preconnect::PreconnectState;
use crate::client::prompt::Prompt;
use crate::client::response_headers::header_text;
use crate::client::response_headers::response_header_events;
use crate::client::response_sse::pump_sse;
use crate::client::response_stream::ResponseStream;
use crate::client::responses_request::ResponsesApiRequest;
use crate::client::telemetry::ClientTelemetry;
use crate::client::telemetry::TelemetrySnapshot;
use crate::client::websocket_connection::ConnectError;
use crate::client::websocket_connection::WebSocketConnection;
use crate::client::websocket_connection::connect_websocket;
use crate::client::websocket_connection::websocket_url;
use crate::client::websocket_stream::FrameContext;
use crate::client::websocket_stream::WebSocketProtocol;
use crate::client::websocket_stream::WebSocketSetback;
use crate::client::websocket_stream::WebSocketSlot;
use crate::client::websocket_stream::start_websocket_response;
use crate::model::info::ModelInfo;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningSummaryMode;
use crate::model::info::Verbosity;
use crate::model::provider::ModelProviderInfo;
use crate::model::provider::WireApi;
use crate::transport_error::describe_http_error;

/// Room for a whole response's deltas so a slow consumer rarely stalls the reader.
const EVENT_CHANNEL_CAPACITY: usize = 1600;
const INITIAL_BACKOFF_MS: f64 = 200.0;

/// What a [`ModelClient`] is built from.
pub struct ModelClientParams {
    /// The thread id: `prompt_cache_key` and the `session_id` header.
    pub conversation_id: String,
    pub provider: ModelProviderInfo,
    /// Absent for tests and providers that need no OpenAI account.
    pub auth_manager: Option<Arc<AuthManager>>,
    pub originator: String,
    pub user_agent: String,
    /// Value of `x-openai-subagent` for sub-agent sessions.
    pub session_source_header: Option<String>,
    pub model_verbosity: Option<Verbosity>,
    /// Comma-joined enabled beta feature keys, sent as `x-codex-beta-features`.
    pub beta_features_header: Option<String>,
    /// A shared HTTP client; a new one is built when absent.
    pub http: Option<reqwest::Client>,
    /// The `responses_websockets` feature gate: use websockets with every model of a provider that
    /// supports them (models with `prefer_websockets` use them regardless).
    pub enable_responses_websockets: bool,
    /// `responses_websockets_v2` picks v2 (incremental follow-ups); v1 otherwise.
    pub websocket_protocol: WebSocketProtocol,
}

struct ModelClientState {
    conversation_id: String,
    provider: ModelProviderInfo,
    auth_manager: Option<Arc<AuthManager>>,
    originator: String,
    user_agent: String,
    session_source_header: Option<String>,
    model_verbosity: Option<Verbosity>,
    beta_features_header: Option<String>,
    http: reqwest::Client,
    enable_responses_websockets: bool,
    websocket_protocol: WebSocketProtocol,
    /// Sticky for the whole session once a websocket failed at the transport level.
    disable_websockets: AtomicBool,
    preconnect: Mutex<PreconnectState>,
    /// The thread's socket, kept across turns while the server keeps it open.
    websocket: Arc<tokio::sync::Mutex<WebSocketSlot>>,
    telemetry: Arc<ClientTelemetry>,
}

/// The model API client of one thread.
#[derive(Clone)]
pub struct ModelClient {
    state: Arc<ModelClientState>,
}

impl std::fmt::Debug for ModelClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelClient")
            .field("conversation_id", &self.state.conversation_id)
            .field("provider", &self.state.provider.name)
            .finish_non_exhaustive()
    }
}

impl ModelClient {
    /// A client whose measurements go nowhere but its own [`ModelClient::telemetry`].
    pub fn new(params: ModelClientParams) -> Self {
        ModelClient::with_metrics(params, Metrics::default())
    }

    /// A client that also reports its measurements to `metrics`.
    pub fn with_metrics(params: ModelClientParams, metrics: Metrics) -> Self {
        ModelClient {
            state: Arc::new(ModelClientState {
                conversation_id: params.conversation_id,
                provider: params.provider,
                auth_manager: params.auth_manager,
                originator: params.originator,
                user_agent: params.user_agent,
                session_source_header: params.session_source_header,
                model_verbosity: params.model_verbosity,
                beta_features_header: params.beta_features_header,
                http: params.http.unwrap_or_default(),
                enable_responses_websockets: params.enable_responses_websockets,
                websocket_protocol: params.websocket_protocol,
                disable_websockets: AtomicBool::new(false),
                preconnect: Mutex::new(PreconnectState::Idle),
                websocket: Arc::new(tokio::sync::Mutex::new(WebSocketSlot::default())),
                telemetry: Arc::new(ClientTelemetry::new(metrics)),
            }),
        }
    }

    /// A fresh turn-scoped session.
    pub fn new_session(&self) -> ModelClientSession {
        ModelClientSession {
            client: self.clone(),
            turn_state: Arc::new(OnceLock::new()),
            websocket: Arc::clone(&self.state.websocket),
        }
    }

    /// Whether requests for `model_info` may go over a websocket (before the session fallback flag).
    pub fn responses_websocket_enabled(&self, model_info: &ModelInfo) -> bool {
        let provider = &self.state.provider;
        let responses_api = match provider.wire_api {
            WireApi::Responses => true,
            WireApi::Chat => false,
        };
        responses_api
            && provider.supports_websockets
            && (self.state.enable_responses_websockets || model_info.prefer_websockets)
    }

    /// Whether a transport failure switched this session to HTTP for good.
    pub fn websockets_disabled(&self) -> bool {
        self.state.disable_websockets.load(Ordering::Relaxed)
    }

    /// The request and stream measurements of this session so far.
    pub fn telemetry(&self) -> TelemetrySnapshot {
        self.state.telemetry.snapshot()
    }

    /// Starts the websocket handshake in the background so the first turn finds a socket ready. Does
    /// nothing when websockets are not used for `model_info` or a preconnect already exists; failures are
    /// only logged (the turn then connects itself).
    pub fn preconnect(&self, model_info: &ModelInfo, thread_metadata: Option<String>) {
        if !self.responses_websocket_enabled(model_info) || self.websockets_disabled() {
            return;
        }
        let mut preconnect = self.lock_preconnect();
        match &*preconnect {
            PreconnectState::Idle => {}
            PreconnectState::InFlight(_) => return,
        }
        let client = self.clone();
        *preconnect = PreconnectState::InFlight(tokio::spawn(async move {
            let setup = match client.current_client_setup() {
                Ok(setup) => setup,
                Err(err) => {
                    tracing::debug!("websocket preconnect skipped: {err}");
                    return None;
                }
            };
            let target = websocket_url(&setup).and_then(|url| {
                let headers = client.websocket_headers(&setup, None, thread_metadata.as_deref())?;
                Ok((url, headers))
            });
            let (url, headers) = match target {
                Ok(target) => target,
                Err(err) => {
                    tracing::debug!("websocket preconnect skipped: {err}");
                    return None;
                }
            };
            match client.connect_websocket_measured(&url, headers).await {
                Ok(connection) => Some(connection),
                // A handshake that hangs for the whole connect timeout would hang the turn's own attempt
                // too: the session goes to HTTP now instead of paying the timeout twice.
                Err(err @ ConnectError::Timeout { .. }) => {
                    client.activate_http_fallback(&format!("websocket preconnect: {err}"));
                    None
                }
                Err(err) => {
                    tracing::debug!("websocket preconnect failed: {err}");
                    None
                }
            }
        }));
    }

    fn lock_preconnect(&self) -> std::sync::MutexGuard<'_, PreconnectState> {
        self.state
            .preconnect
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The warmed socket, awaited as the turn's first connection attempt (bounded like a normal connect).
    /// Single use: the slot is empty afterwards. `Err` when the handshake did not finish within the connect
    /// timeout: the caller falls back instead of waiting a second timeout.
    async fn take_preconnected(&self) -> Result<Option<WebSocketConnection>, String> {
        let handle = match std::mem::take(&mut *self.lock_preconnect()) {
            PreconnectState::Idle => return Ok(None),
            PreconnectState::InFlight(handle) => handle,
        };
        let abort = handle.abort_handle();
        let timeout = self.state.provider.websocket_connect_timeout();
        match tokio::time::timeout(timeout, handle).await {
            Ok(Ok(connection)) => Ok(connection),
            Ok(Err(err)) => {
                tracing::debug!("websocket preconnect task ended: {err}");
                Ok(None)
            }
            Err(_) => {
                abort.abort();
                Err(ConnectError::Timeout { timeout }.to_string())
            }
        }
    }

    async fn connect_websocket_measured(
        &self,
        url: &reqwest::Url,
        headers: HeaderMap,
    ) -> Result<WebSocketConnection, ConnectError> {
        let started = Instant::now();
        let timeout = self.state.provider.websocket_connect_timeout();
        let connected = connect_websocket(url, headers, timeout).await;
        let error = connected.as_ref().err().map(ToString::to_string);
        self.state
            .telemetry
            .on_websocket_handshake(started.elapsed(), error.as_deref());
        connected
    }

    /// Switches the session to HTTP for good and drops any warmed socket.
    fn activate_http_fallback(&self, reason: &str) {
        if !self.state.disable_websockets.swap(true, Ordering::Relaxed) {
            tracing::info!("falling back to HTTP for the rest of the session: {reason}");
            self.state.telemetry.on_fallback_to_http(reason);
        }
        match std::mem::take(&mut *self.lock_preconnect()) {
            PreconnectState::Idle => {}
            PreconnectState::InFlight(handle) => handle.abort(),
        }
    }

    /// A handshake's headers: every request's, plus the `OpenAI-Beta` that names the socket protocol.
    fn websocket_headers(
        &self,
        setup: &ClientSetup,
        turn_state: Option<&str>,
        turn_metadata: Option<&str>,
    ) -> Result<HeaderMap, ApiError> {
        let mut headers = self.request_headers(setup, turn_state, turn_metadata)?;
        insert_header(
            &mut headers,
            OPENAI_BETA_HEADER,
            self.state.websocket_protocol.beta_header_value(),
        )?;
        Ok(headers)
    }

    /// Headers every model request carries, on either transport: auth and provider headers, identity,
    /// session, beta features, the turn's sticky token and metadata.
    fn request_headers(
        &self,
        setup: &ClientSetup,
        turn_state: Option<&str>,
        turn_metadata_header: Option<&str>,
    ) -> Result<HeaderMap, ApiError> {
        let state = &self.state;
        let mut headers = setup.headers.clone();
        insert_header(&mut headers, "originator", &state.originator)?;
        insert_header(&mut headers, "user-agent", &state.user_agent)?;
        insert_header(&mut headers, "session_id", &state.conversation_id)?;
        if let Some(subagent) = &state.session_source_header {
            insert_header(&mut headers, SUBAGENT_HEADER, subagent)?;
        }
        if let Some(beta) = state
            .beta_features_header
            .as_deref()
            .filter(|b| !b.is_empty())
        {
            insert_header(&mut headers, BETA_FEATURES_HEADER, beta)?;
        }
        if let Some(turn_state) = turn_state {
            insert_header(&mut headers, TURN_STATE_HEADER, turn_state)?;
        }
        if let Some(metadata) = turn_metadata_header {
            insert_header(&mut headers, TURN_METADATA_HEADER, metadata)?;
        }
        Ok(headers)
    }

    pub fn provider(&self) -> &ModelProviderInfo {
        &self.state.provider
    }

    pub fn conversation_id(&self) -> &str {
        &self.state.conversation_id
    }

    pub fn auth_manager(&self) -> Option<&Arc<AuthManager>> {
        self.state.auth_manager.as_ref()
    }

    /// Resolves the current auth and the provider's target for it.
    pub fn current_client_setup(&self) -> Result<ClientSetup, ApiError> {
        let provider = &self.state.provider;
        let auth = match &self.state.auth_manager {
            Some(manager) => manager.auth_for_provider(provider),
            None => provider_auth(provider, || None),
        }?;
        let base_url =
            provider.effective_base_url(auth.as_ref().is_some_and(CodexAuth::is_chatgpt));
        let mut headers = HeaderMap::new();
        if let Some(auth) = &auth {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", auth.bearer_token()))
                .map_err(|_| AuthError::CredentialNotAHeaderValue)?;
            value.set_sensitive(true);
            headers.insert(reqwest::header::AUTHORIZATION, value);
            if let Some(account_id) = auth.account_id() {
                insert_header(&mut headers, ACCOUNT_ID_HEADER, account_id)?;
            }
        }
        for (name, value) in provider.http_headers.iter().flatten() {
            insert_header(&mut headers, name, value)?;
        }
        for (name, var) in provider.env_http_headers.iter().flatten() {
            if let Ok(value) = std::env::var(var)
                && !value.trim().is_empty()
            {
                insert_header(&mut headers, name, &value)?;
            }
        }
        let query_params = provider
            .query_params
            .iter()
            .flatten()
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect();
        Ok(ClientSetup {
            base_url,
            auth,
            headers,
            query_params,
        })
    }
}

fn insert_header(headers: &mut HeaderMap, name: &str, value: &str) -> Result<(), ApiError> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| ApiError::InvalidRequest(format!("invalid header name `{name}`")))?;
    let header_value = HeaderValue::from_str(value)
        .map_err(|_| ApiError::InvalidRequest(format!("invalid value for header `{name}`")))?;
    headers.insert(header_name, header_value);
    Ok(())
}

/// The model API client of one turn; holds the sticky-routing token the server hands out and the
/// turn's websocket.
#[derive(Debug)]
pub struct ModelClientSession {
    client: ModelClient,
    turn_state: Arc<OnceLock<String>>,
    websocket: Arc<tokio::sync::Mutex<WebSocketSlot>>,
}

/// A websocket request's setback, and whether its socket was opened before this request (kept from an
/// earlier turn or preconnected), in which case the server may simply have closed it while idle.
struct SocketSetback {
    setback: WebSocketSetback,
    opened_earlier: bool,
}

impl SocketSetback {
    fn fresh(setback: WebSocketSetback) -> Self {
        Self {
            setback,
            opened_earlier: false,
        }
    }
}

/// Why one HTTP attempt failed and may be retried.
struct RetryableAttempt {
    error: ApiError,
    server_delay: Option<Duration>,
}

impl ModelClientSession {
    /// The provider this turn's requests go to.
    pub fn provider(&self) -> &ModelProviderInfo {
        self.client.provider()
    }

    /// The sticky-routing token captured in this turn, if any.
    pub fn turn_state(&self) -> Option<&str> {
        self.turn_state.get().map(String::as_str)
    }

    /// Sends one sampling request and returns its event stream once the response started. Uses the
    /// turn's websocket when enabled for `model_info`; a websocket transport failure switches the
    /// session to HTTP and this same call continues there. Over HTTP, retries 429/5xx/connection
    /// failures up to the provider's `request_max_retries`; either transport recovers from one 401
    /// through the auth manager.
    pub async fn stream(
        &mut self,
        prompt: &Prompt,
        model_info: &ModelInfo,
        effort: Option<ReasoningEffort>,
        summary: ReasoningSummaryMode,
        turn_metadata_header: Option<&str>,
    ) -> Result<ResponseStream, ApiError> {
        let state = Arc::clone(&self.client.state);
        let request = ResponsesApiRequest::new(
            prompt,
            model_info,
            effort,
            summary,
            state.model_verbosity,
            &state.conversation_id,
        );
        if self.client.responses_websocket_enabled(model_info) && !self.client.websockets_disabled()
        {
            match self.stream_websocket(&request, turn_metadata_header).await {
                Ok(stream) => return Ok(stream),
                Err(WebSocketSetback::Failed(error)) => return Err(error),
                Err(WebSocketSetback::FallbackToHttp(reason)) => {
                    self.websocket.lock().await.reset();
                    self.client.activate_http_fallback(&reason);
                }
            }
        }
        self.stream_http(&request, turn_metadata_header).await
    }

    /// One request over the thread's socket. A socket this request did not open (kept from an earlier
    /// turn, or warmed by the preconnect) may have been closed by the server while idle: when it dies before
    /// the first frame, a new socket is opened and the request sent again. Only a failed handshake or a new
    /// socket that dies before its first frame switch the thread to HTTP.
    async fn stream_websocket(
        &mut self,
        request: &ResponsesApiRequest<'_>,
        turn_metadata_header: Option<&str>,
    ) -> Result<ResponseStream, WebSocketSetback> {
        match self
            .stream_websocket_once(request, turn_metadata_header)
            .await
        {
            Err(SocketSetback {
                setback: WebSocketSetback::FallbackToHttp(reason),
                opened_earlier: true,
            }) => {
                tracing::debug!("the kept websocket was closed ({reason}); opening a new one");
                self.stream_websocket_once(request, turn_metadata_header)
                    .await
                    .map_err(|setback| setback.setback)
            }
            other => other.map_err(|setback| setback.setback),
        }
    }

    async fn stream_websocket_once(
        &mut self,
        request: &ResponsesApiRequest<'_>,
        turn_metadata_header: Option<&str>,
    ) -> Result<ResponseStream, SocketSetback> {
        let mut slot = Arc::clone(&self.websocket).lock_owned().await;
        if slot
            .connection
            .as_ref()
            .is_some_and(|connection| connection.awaiting_response)
        {
            tracing::debug!("previous websocket response was abandoned; reconnecting");
            slot.reset();
        }
        let mut opened_earlier = true;
        if slot.connection.is_none() {
            let (connection, preconnected) = self
                .open_websocket(turn_metadata_header)
                .await
                .map_err(SocketSetback::fresh)?;
            opened_earlier = preconnected;
            if let Some(turn_state) = &connection.turn_state {
                // First value wins for the whole turn.
                let _ = self.turn_state.set(turn_state.clone());
            }
            slot.install(connection);
        }
        let state = &self.client.state;
        let context = FrameContext {
            protocol: state.websocket_protocol,
            turn_metadata: turn_metadata_header,
            turn_state: self.turn_state(),
        };
        start_websocket_response(
            slot,
            request,
            context,
            state.provider.stream_idle_timeout(),
            Arc::clone(&state.telemetry),
        )
        .await
        .map_err(|setback| SocketSetback {
            setback,
            opened_earlier,
        })
    }

    /// The turn's socket: the preconnected one if any (then `true`), else a new handshake (with one 401
    /// recovery).
    async fn open_websocket(
        &self,
        turn_metadata_header: Option<&str>,
    ) -> Result<(WebSocketConnection, bool), WebSocketSetback> {
        match self.client.take_preconnected().await {
            Ok(Some(connection)) => {
                tracing::debug!("adopting the preconnected websocket");
                return Ok((connection, true));
            }
            Ok(None) if self.client.websockets_disabled() => {
                return Err(WebSocketSetback::FallbackToHttp(
                    "websocket preconnect timed out".to_string(),
                ));
            }
            Ok(None) => {}
            Err(reason) => return Err(WebSocketSetback::FallbackToHttp(reason)),
        }
        let mut auth_recovered = false;
        loop {
            let setup = self
                .client
                .current_client_setup()
                .map_err(WebSocketSetback::Failed)?;
            let url = websocket_url(&setup).map_err(WebSocketSetback::Failed)?;
            let headers = self
                .client
                .websocket_headers(&setup, self.turn_state(), turn_metadata_header)
                .map_err(WebSocketSetback::Failed)?;
            match self.client.connect_websocket_measured(&url, headers).await {
                Ok(connection) => return Ok((connection, false)),
                Err(ConnectError::Refused {
                    status: 401,
                    headers,
                    body,
                }) => {
                    let retry = self
                        .recover_from_unauthorized(&mut auth_recovered)
                        .await
                        .map_err(WebSocketSetback::Failed)?;
                    if !retry {
                        return Err(WebSocketSetback::Failed(unauthorized_error(
                            &headers, &body,
                        )));
                    }
                }
                Err(err) => return Err(WebSocketSetback::FallbackToHttp(err.to_string())),
            }
        }
    }

    /// One auth-recovery step per request: true when the request should be sent again.
    async fn recover_from_unauthorized(&self, recovered: &mut bool) -> Result<bool, ApiError> {
        let Some(manager) = self.client.state.auth_manager.as_ref() else {
            return Ok(false);
        };
        if *recovered {
            return Ok(false);
        }
        *recovered = true;
        Ok(manager.recover_from_unauthorized().await?)
    }

    async fn stream_http(
        &self,
        request: &ResponsesApiRequest<'_>,
        turn_metadata_header: Option<&str>,
    ) -> Result<ResponseStream, ApiError> {
        let body = serde_json::to_vec(request)
            .map_err(|err| ApiError::InvalidRequest(format!("failed to encode request: {err}")))?;
        let (response, started) = self
            .post_with_retries(
                "responses",
                body,
                "text/event-stream",
                turn_metadata_header,
                None,
            )
            .await?;
        Ok(self.start_stream(response, started))
    }

    /// POSTs `body` to `path` under the provider's base URL until it is answered with success: 429, 5xx
    /// and connection failures are retried up to the provider's `request_max_retries` (after the
    /// server's `Retry-After` or a backoff), one 401 goes through auth recovery, anything else is final.
    /// Returns the successful response and when its attempt started.
    async fn post_with_retries(
        &self,
        path: &str,
        body: Vec<u8>,
        accept: &str,
        turn_metadata_header: Option<&str>,
        timeout: Option<Duration>,
    ) -> Result<(reqwest::Response, Instant), ApiError> {
        let state = Arc::clone(&self.client.state);
        let max_retries = state.provider.request_max_retries();
        let mut attempt: u64 = 0;
        let mut auth_recovered = false;
        loop {
            let setup = self.client.current_client_setup()?;
            let mut headers =
                self.client
                    .request_headers(&setup, self.turn_state(), turn_metadata_header)?;
            insert_header(&mut headers, "accept", accept)?;
            insert_header(&mut headers, "content-type", "application/json")?;
            tracing::debug!(url = %setup.url(path), attempt, "POST {path}");
            let started = Instant::now();
            let mut request = state
                .http
                .post(setup.url(path))
                .query(&setup.query_params)
                .headers(headers)
                .body(body.clone());
            if let Some(timeout) = timeout {
                request = request.timeout(timeout);
            }
            let sent = request.send().await;
            let outcome = match &sent {
                Ok(response) if response.status().is_success() => None,
                Ok(response) => Some(response.status().to_string()),
                Err(err) if err.is_timeout() => Some("request timed out".to_string()),
                Err(_) => Some("connection failed".to_string()),
            };
            state
                .telemetry
                .on_request(TransportKind::Http, started.elapsed(), outcome.as_deref());
            let failure = match sent {
                Ok(response) if response.status().is_success() => return Ok((response, started)),
                Ok(response) => {
                    let status = response.status();
                    if status == StatusCode::UNAUTHORIZED
                        && self.recover_from_unauthorized(&mut auth_recovered).await?
                    {
                        continue;
                    }
                    let headers = response.headers().clone();
                    let text = response.text().await.unwrap_or_default();
                    match classify_error_response(status, &headers, &text) {
                        ErrorResponse::Final(error) => return Err(error),
                        ErrorResponse::Retryable {
                            status,
                            message,
                            server_delay,
                        } => RetryableAttempt {
                            error: ApiError::RetryLimit {
                                status: Some(status),
                                last: message,
                            },
                            server_delay,
                        },
                    }
                }
                Err(err) if err.is_builder() => {
                    return Err(ApiError::InvalidRequest(describe_http_error(err)));
                }
                Err(err) => RetryableAttempt {
                    error: ApiError::ConnectionFailed {
                        message: describe_http_error(err),
                        status: None,
                    },
                    server_delay: None,
                },
            };
            if attempt >= max_retries {
                return Err(failure.error);
            }
            attempt += 1;
            let delay = failure.server_delay.unwrap_or_else(|| backoff(attempt));
            tracing::warn!(
                "model request failed ({}); retry {attempt}/{max_retries} in {delay:?}",
                failure.error
            );
            tokio::time::sleep(delay).await;
        }
    }

    /// Turns response headers into the early events and spawns the body reader.
    fn start_stream(&self, response: reqwest::Response, started: Instant) -> ResponseStream {
        let headers = response.headers();
        if let Some(turn_state) = header_text(headers, TURN_STATE_HEADER) {
            // First value wins for the whole turn.
            let _ = self.turn_state.set(turn_state.to_string());
        }
        let header_events = response_header_events(headers);
        let mut early = header_events.metadata;
        early.extend(header_events.rate_limits);
        let (tx, rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY.max(early.len() + 1));
        for event in early {
            // Capacity exceeds the number of early events, so this cannot fail.
            let _ = tx.try_send(Ok(event));
        }
        let state = &self.client.state;
        let idle_timeout = state.provider.stream_idle_timeout();
        let body = response.bytes_stream();
        let reader = tokio::spawn(pump_sse(
            body,
            idle_timeout,
            tx,
            Arc::clone(&state.telemetry),
            started,
        ));
        ResponseStream {
            rx,
            reader: Some(reader),
        }
    }
}

/// Exponential backoff for retry `attempt` (1-based): ~200ms * 2^(attempt-1), with 10% jitter.
pub fn backoff(attempt: u64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20) as i32;
    let jitter = rand::rng().random_range(0.9..1.1);
    Duration::from_millis((INITIAL_BACKOFF_MS * 2f64.powi(exponent) * jitter) as u64)
}

mod remote_compaction;

#[cfg(test)]
#[path = "model_client_tests.rs"]
mod tests;

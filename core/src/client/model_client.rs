//! `ModelClient` (session-scoped, cheap to clone) and `ModelClientSession` (turn-scoped): auth and provider
//! resolution in one place, the HTTP SSE request with its headers, request-level retries and 401 recovery.

use std::sync::Arc;
use std::sync::OnceLock;
use std::time::Duration;

use rand::Rng;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use reqwest::header::HeaderName;
use reqwest::header::HeaderValue;
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::auth::AuthManager;
use crate::auth::CodexAuth;
use crate::auth::provider_auth;
use crate::client::api_error::ApiError;
use crate::client::prompt::Prompt;
use crate::client::rate_limit_headers::parse_promo_message;
use crate::client::rate_limit_headers::parse_rate_limit_updates;
use crate::client::response_event::ResponseEvent;
use crate::client::response_sse::pump_sse;
use crate::client::response_stream::ResponseStream;
use crate::client::responses_request::ResponsesApiRequest;
use crate::client::usage_limit::UsageLimitReachedError;
use crate::model_info::ModelInfo;
use crate::model_info::ReasoningEffort;
use crate::model_info::ReasoningSummaryMode;
use crate::model_info::Verbosity;
use crate::model_provider::ModelProviderInfo;
use crate::rate_limit::DEFAULT_LIMIT_ID;

const TURN_STATE_HEADER: &str = "x-codex-turn-state";
const TURN_METADATA_HEADER: &str = "x-codex-turn-metadata";
const SUBAGENT_HEADER: &str = "x-openai-subagent";
const BETA_FEATURES_HEADER: &str = "x-codex-beta-features";
const ACCOUNT_ID_HEADER: &str = "chatgpt-account-id";
const REQUEST_ID_HEADER: &str = "x-request-id";
/// Room for a whole response's deltas so a slow consumer rarely stalls the reader.
const EVENT_CHANNEL_CAPACITY: usize = 1600;
const INITIAL_BACKOFF_MS: f64 = 200.0;
/// Error bodies can be whole HTML pages; keep messages readable.
const MAX_ERROR_BODY_CHARS: usize = 1000;

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

/// The resolved target of a request for the current auth: base URL, auth and provider headers, query.
/// Every transport (HTTP, WebSocket, preconnect, usage) starts from this, so they cannot diverge.
#[derive(Clone)]
pub struct ClientSetup {
    pub base_url: String,
    pub auth: Option<CodexAuth>,
    /// `authorization`, `chatgpt-account-id` and the provider's static and env headers.
    pub headers: HeaderMap,
    pub query_params: Vec<(String, String)>,
}

impl std::fmt::Debug for ClientSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSetup")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl ClientSetup {
    /// `{base_url}/{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
    }
}

impl ModelClient {
    pub fn new(params: ModelClientParams) -> Self {
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
            }),
        }
    }

    /// A fresh turn-scoped session.
    pub fn new_session(&self) -> ModelClientSession {
        ModelClientSession {
            client: self.clone(),
            turn_state: Arc::new(OnceLock::new()),
        }
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
        }
        .map_err(|err| ApiError::Auth(err.to_string()))?;
        let base_url =
            provider.effective_base_url(auth.as_ref().is_some_and(CodexAuth::is_chatgpt));
        let mut headers = HeaderMap::new();
        if let Some(auth) = &auth {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", auth.bearer_token()))
                .map_err(|_| {
                    ApiError::Auth("the API key contains invalid characters".to_string())
                })?;
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

/// The model API client of one turn; holds the sticky-routing token the server hands out.
#[derive(Debug)]
pub struct ModelClientSession {
    client: ModelClient,
    turn_state: Arc<OnceLock<String>>,
}

/// Why one HTTP attempt failed and may be retried.
struct RetryableAttempt {
    error: ApiError,
    server_delay: Option<Duration>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorBodyDetails,
}

#[derive(Deserialize)]
struct ErrorBodyDetails {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    plan_type: Option<String>,
    #[serde(default)]
    resets_at: Option<i64>,
}

impl ModelClientSession {
    /// The sticky-routing token captured in this turn, if any.
    pub fn turn_state(&self) -> Option<&str> {
        self.turn_state.get().map(String::as_str)
    }

    /// Sends one sampling request and returns its event stream once the response headers arrived.
    /// Retries 429/5xx/connection failures up to the provider's `request_max_retries` and recovers from
    /// one 401 through the auth manager.
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
        let body = serde_json::to_vec(&request)
            .map_err(|err| ApiError::InvalidRequest(format!("failed to encode request: {err}")))?;
        let max_retries = state.provider.request_max_retries();
        let mut attempt: u64 = 0;
        let mut auth_recovered = false;
        loop {
            let setup = self.client.current_client_setup()?;
            let headers = self.request_headers(&setup, turn_metadata_header)?;
            tracing::debug!(url = %setup.url("responses"), attempt, "POST responses");
            let sent = state
                .http
                .post(setup.url("responses"))
                .query(&setup.query_params)
                .headers(headers)
                .body(body.clone())
                .send()
                .await;
            let failure = match sent {
                Ok(response) if response.status().is_success() => {
                    return Ok(self.start_stream(response));
                }
                Ok(response) => {
                    let status = response.status();
                    if status == StatusCode::UNAUTHORIZED {
                        if !auth_recovered && let Some(manager) = &state.auth_manager {
                            auth_recovered = true;
                            let retry = manager
                                .recover_from_unauthorized()
                                .await
                                .map_err(|err| ApiError::Auth(err.to_string()))?;
                            if retry {
                                continue;
                            }
                        }
                        return Err(ApiError::Unauthorized);
                    }
                    classify_error_response(response).await?
                }
                Err(err) if err.is_builder() => {
                    return Err(ApiError::InvalidRequest(err.without_url().to_string()));
                }
                Err(err) => RetryableAttempt {
                    error: ApiError::ConnectionFailed {
                        message: err.without_url().to_string(),
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

    fn request_headers(
        &self,
        setup: &ClientSetup,
        turn_metadata_header: Option<&str>,
    ) -> Result<HeaderMap, ApiError> {
        let state = &self.client.state;
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
        if let Some(turn_state) = self.turn_state.get() {
            insert_header(&mut headers, TURN_STATE_HEADER, turn_state)?;
        }
        if let Some(metadata) = turn_metadata_header {
            insert_header(&mut headers, TURN_METADATA_HEADER, metadata)?;
        }
        insert_header(&mut headers, "accept", "text/event-stream")?;
        insert_header(&mut headers, "content-type", "application/json")?;
        Ok(headers)
    }

    /// Turns response headers into the early events and spawns the body reader.
    fn start_stream(&self, response: reqwest::Response) -> ResponseStream {
        let headers = response.headers();
        if let Some(turn_state) = header_text(headers, TURN_STATE_HEADER) {
            // First value wins for the whole turn.
            let _ = self.turn_state.set(turn_state.to_string());
        }
        let mut early = Vec::new();
        if let Some(model) = header_text(headers, "openai-model") {
            early.push(ResponseEvent::ServerModel(model.to_string()));
        }
        if let Some(etag) = header_text(headers, "x-models-etag") {
            early.push(ResponseEvent::ModelsEtag(etag.to_string()));
        }
        if headers.contains_key("x-reasoning-included") {
            early.push(ResponseEvent::ServerReasoningIncluded(true));
        }
        let snapshots = parse_rate_limit_updates(headers);
        // Without any rate-limit header the parser still yields an empty `codex` snapshot; reporting it
        // would tell the UI every limit is unknown.
        let has_rate_limits = snapshots.iter().any(|snapshot| {
            snapshot.primary.is_some() || snapshot.secondary.is_some() || snapshot.credits.is_some()
        });
        if has_rate_limits {
            early.extend(snapshots.into_iter().map(ResponseEvent::RateLimits));
        }
        let (tx, rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY.max(early.len() + 1));
        for event in early {
            // Capacity exceeds the number of early events, so this cannot fail.
            let _ = tx.try_send(Ok(event));
        }
        let idle_timeout = self.client.state.provider.stream_idle_timeout();
        let body = response.bytes_stream();
        let reader = tokio::spawn(pump_sse(body, idle_timeout, tx));
        ResponseStream {
            rx,
            reader: Some(reader),
        }
    }
}

/// Turns a non-success, non-401 response into either a final error or a retryable attempt.
async fn classify_error_response(
    response: reqwest::Response,
) -> Result<RetryableAttempt, ApiError> {
    let status = response.status();
    let headers = response.headers().clone();
    let request_id = header_text(&headers, REQUEST_ID_HEADER).map(str::to_string);
    let text = response.text().await.unwrap_or_default();
    let parsed = serde_json::from_str::<ErrorBody>(&text)
        .ok()
        .map(|body| body.error);
    if status == StatusCode::TOO_MANY_REQUESTS
        && let Some(error) = &parsed
    {
        let kind = error.kind.as_deref().or(error.code.as_deref());
        match kind {
            Some("usage_limit_reached") => {
                let rate_limits = parse_rate_limit_updates(&headers)
                    .into_iter()
                    .find(|snapshot| {
                        snapshot.limit_id.as_deref() != Some(DEFAULT_LIMIT_ID)
                            || snapshot.primary.is_some()
                            || snapshot.secondary.is_some()
                    });
                return Err(ApiError::UsageLimitReached(Box::new(
                    UsageLimitReachedError {
                        plan_type: error.plan_type.clone(),
                        resets_at: error.resets_at,
                        rate_limits,
                        promo_message: parse_promo_message(&headers),
                    },
                )));
            }
            Some("usage_not_included") => return Err(ApiError::UsageNotIncluded),
            _ => {}
        }
    }
    let message = parsed
        .and_then(|error| error.message)
        .unwrap_or_else(|| text.trim().chars().take(MAX_ERROR_BODY_CHARS).collect());
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Ok(RetryableAttempt {
            error: ApiError::RetryLimit {
                status: Some(status.as_u16()),
                last: message,
            },
            server_delay: parse_retry_after(&headers),
        });
    }
    Err(ApiError::Http {
        status: status.as_u16(),
        message,
        request_id,
    })
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)?
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// The delay a response asks for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP-date.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = header_text(headers, "retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = header_text(headers, "retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// Exponential backoff for retry `attempt` (1-based): ~200ms * 2^(attempt-1), with 10% jitter.
pub fn backoff(attempt: u64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20) as i32;
    let jitter = rand::rng().random_range(0.9..1.1);
    Duration::from_millis((INITIAL_BACKOFF_MS * 2f64.powi(exponent) * jitter) as u64)
}

#[cfg(test)]
#[path = "model_client_tests.rs"]
mod tests;

//! `BackendClient`: calls to the ChatGPT backend at `chatgpt_base_url`, today the usage endpoint that
//! reports every rate limit of the signed-in account (CORE 8.4).

use reqwest::StatusCode;
use reqwest::header::ACCEPT;
use reqwest::header::AUTHORIZATION;
use reqwest::header::USER_AGENT;

use crate::auth::AuthError;
use crate::auth::AuthManager;
use crate::auth::CodexAuth;
use crate::backend::UsagePayload;
use crate::protocol::rate_limit::RateLimitSnapshot;
use crate::transport_error::describe_http_error;

const CHATGPT_ACCOUNT_ID_HEADER: &str = "chatgpt-account-id";
/// Error bodies are quoted in messages only up to this many characters.
const MAX_ERROR_BODY_CHARS: usize = 500;

/// Why the usage endpoint gave no rate limits. Messages never contain the bearer token.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("not signed in with ChatGPT: the usage endpoint needs ChatGPT credentials")]
    NotSignedIn,
    #[error("the usage endpoint rejected the credentials (401 Unauthorized); sign in again")]
    Unauthorized,
    #[error("the usage endpoint answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("could not reach the usage endpoint: {0}")]
    Request(String),
    #[error("the usage endpoint sent an unreadable answer: {0}")]
    InvalidPayload(String),
    #[error(transparent)]
    Auth(#[from] AuthError),
}

/// Client of the ChatGPT backend. Cheap to clone (the `reqwest::Client` is shared).
#[derive(Debug, Clone)]
pub struct BackendClient {
    base_url: String,
    http: reqwest::Client,
    user_agent: String,
}

impl BackendClient {
    /// `chatgpt_base_url` is the config value (e.g. `https://chatgpt.com/backend-api/`). Like upstream, a
    /// bare `https://chatgpt.com` or `https://chat.openai.com` gets `/backend-api` appended.
    pub fn new(chatgpt_base_url: String, http: reqwest::Client, user_agent: String) -> Self {
        let mut base_url = chatgpt_base_url.trim_end_matches('/').to_string();
        let is_chatgpt_host = base_url.starts_with("https://chatgpt.com")
            || base_url.starts_with("https://chat.openai.com");
        if is_chatgpt_host && !base_url.contains("/backend-api") {
            base_url.push_str("/backend-api");
        }
        BackendClient {
            base_url,
            http,
            user_agent,
        }
    }

    /// `{base}/wham/usage` for a ChatGPT-style base (containing `/backend-api`), else
    /// `{base}/api/codex/usage`.
    pub fn usage_url(&self) -> String {
        let base = &self.base_url;
        if base.contains("/backend-api") {
            format!("{base}/wham/usage")
        } else {
            format!("{base}/api/codex/usage")
        }
    }

    /// One `GET` of the usage endpoint with `auth`'s bearer token and account id: the `codex` snapshot
    /// first, then one per additional limit (see [`UsagePayload::into_snapshots`]).
    pub async fn fetch_rate_limits(
        &self,
        auth: &CodexAuth,
    ) -> Result<Vec<RateLimitSnapshot>, BackendError> {
        let token = auth.bearer_token();
        let mut request = self
            .http
            .get(self.usage_url())
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .header(USER_AGENT, &self.user_agent)
            .header(ACCEPT, "*/*");
        if let Some(account_id) = auth.account_id() {
            request = request.header(CHATGPT_ACCOUNT_ID_HEADER, account_id);
        }
        let response = request
            .send()
            .await
            .map_err(|err| BackendError::Request(describe_http_error(err)))?;
        let status = response.status();
        tracing::debug!(url = %self.usage_url(), %status, "usage endpoint answered");
        let body = response
            .text()
            .await
            .map_err(|err| BackendError::Request(describe_http_error(err)))?;
        if status == StatusCode::UNAUTHORIZED {
            return Err(BackendError::Unauthorized);
        }
        if !status.is_success() {
            // The server has no business echoing the token, but a message must never risk carrying it.
            let body = if token.is_empty() {
                body
            } else {
                body.replace(token, "<redacted>")
            };
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|json| {
                    let error = json.get("error").unwrap_or(&json);
                    error
                        .get("message")
                        .or_else(|| json.get("detail"))
                        .and_then(serde_json::Value::as_str)
                        .map(str::to_string)
                })
                .unwrap_or(body);
            let message = if message.trim().is_empty() {
                status
                    .canonical_reason()
                    .unwrap_or("no details")
                    .to_string()
            } else {
                message.chars().take(MAX_ERROR_BODY_CHARS).collect()
            };
            return Err(BackendError::Status {
                status: status.as_u16(),
                message,
            });
        }
        let payload: UsagePayload = serde_json::from_str(&body)
            .map_err(|err| BackendError::InvalidPayload(err.to_string()))?;
        Ok(payload.into_snapshots())
    }

    /// [`BackendClient::fetch_rate_limits`] with the manager's current ChatGPT credentials; on a 401 runs
    /// [`AuthManager::recover_from_unauthorized`] and, when the credentials changed, retries exactly once.
    /// An API key is never sent here: without ChatGPT credentials this is [`BackendError::NotSignedIn`].
    pub async fn fetch_rate_limits_with_recovery(
        &self,
        auth_manager: &AuthManager,
    ) -> Result<Vec<RateLimitSnapshot>, BackendError> {
        let chatgpt_auth = || {
            auth_manager
                .auth()
                .filter(CodexAuth::is_chatgpt)
                .ok_or(BackendError::NotSignedIn)
        };
        let first_attempt = self.fetch_rate_limits(&chatgpt_auth()?).await;
        if !matches!(first_attempt, Err(BackendError::Unauthorized)) {
            return first_attempt;
        }
        if !auth_manager.recover_from_unauthorized().await? {
            return first_attempt;
        }
        self.fetch_rate_limits(&chatgpt_auth()?).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn usage_url(base: &str) -> String {
        BackendClient::new(base.to_string(), reqwest::Client::new(), "ua".to_string()).usage_url()
    }

    #[test]
    fn usage_path_depends_on_backend_api_base() {
        assert_eq!(
            [
                usage_url("https://chatgpt.com/backend-api/"),
                usage_url("https://chatgpt.com"),
                usage_url("http://127.0.0.1:9/backend-api"),
                usage_url("http://127.0.0.1:9/"),
            ],
            [
                "https://chatgpt.com/backend-api/wham/usage".to_string(),
                "https://chatgpt.com/backend-api/wham/usage".to_string(),
                "http://127.0.0.1:9/backend-api/wham/usage".to_string(),
                "http://127.0.0.1:9/api/codex/usage".to_string(),
            ]
        );
    }
}

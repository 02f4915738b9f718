//! The external ChatGPT auth mode's refresher: on a 401 the engine asks the host for fresh tokens with the
//! `account/chatgptAuthTokens/refresh` server request and waits at most [`HOST_REFRESH_TIMEOUT`].

use std::time::Duration;

use async_trait::async_trait;
use codex_app_server_protocol::ChatgptAuthTokensRefreshParams;
use codex_app_server_protocol::ChatgptAuthTokensRefreshReason;
use codex_app_server_protocol::ChatgptAuthTokensRefreshResponse;
use codex_app_server_protocol::ServerRequestPayload;
use codex_core::auth::AuthError;
use codex_core::auth::CodexAuth;
use codex_core::auth::ExternalAuthRefresher;

use crate::outgoing::OutgoingMessageSender;
use crate::outgoing::ServerRequestError;

/// How long the host has to answer a refresh request.
pub const HOST_REFRESH_TIMEOUT: Duration = Duration::from_secs(10);

pub struct HostTokenRefresher {
    pub outgoing: OutgoingMessageSender,
}

#[async_trait]
impl ExternalAuthRefresher for HostTokenRefresher {
    async fn refresh(&self, previous: Option<&CodexAuth>) -> Result<Option<CodexAuth>, AuthError> {
        let request =
            ServerRequestPayload::ChatgptAuthTokensRefresh(ChatgptAuthTokensRefreshParams {
                reason: ChatgptAuthTokensRefreshReason::Unauthorized,
                previous_account_id: previous.and_then(CodexAuth::account_id).map(str::to_string),
            });
        let answer = match self
            .outgoing
            .send_request(request, HOST_REFRESH_TIMEOUT)
            .await
        {
            Ok(answer) => answer,
            // The host answering with an error is how it declines.
            Err(ServerRequestError::ClientError { .. }) => return Ok(None),
            Err(ServerRequestError::TimedOut { timeout, .. }) => {
                return Err(AuthError::ExternalRefreshTimedOut {
                    timeout_ms: timeout.as_millis(),
                });
            }
            Err(error @ ServerRequestError::ConnectionClosed { .. }) => {
                return Err(AuthError::ExternalRefreshFailed(error.to_string()));
            }
        };
        let tokens: ChatgptAuthTokensRefreshResponse =
            serde_json::from_value(answer).map_err(|error| {
                AuthError::ExternalRefreshFailed(format!(
                    "the host's answer is not a token refresh response: {error}"
                ))
            })?;
        Ok(Some(CodexAuth::ChatGpt {
            access_token: tokens.access_token,
            account_id: Some(tokens.chatgpt_account_id),
            plan_type: tokens.chatgpt_plan_type,
        }))
    }
}

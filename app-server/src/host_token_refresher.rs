//! The external ChatGPT auth mode's refresher: on a 401 the engine asks the host for fresh tokens with the
//! `account/chatgptAuthTokens/refresh` server request, sent to the oldest connection (the engine's auth is
//! shared, no thread owns it). The auth manager bounds the wait (`chatgpt_auth_tokens_refresh_timeout_ms`);
//! a refresh it abandons forgets its request.

use std::sync::Arc;

use async_trait::async_trait;
use codex_app_server_protocol::ChatgptAuthTokensRefreshParams;
use codex_app_server_protocol::ChatgptAuthTokensRefreshReason;
use codex_app_server_protocol::ChatgptAuthTokensRefreshResponse;
use codex_app_server_protocol::ServerRequestPayload;
use codex_core::auth::AuthError;
use codex_core::auth::CodexAuth;
use codex_core::auth::ExternalAuthRefresher;

use crate::connection_hub::ConnectionHub;
use crate::outgoing::ServerRequestError;

pub struct HostTokenRefresher {
    pub connections: Arc<ConnectionHub>,
}

#[async_trait]
impl ExternalAuthRefresher for HostTokenRefresher {
    async fn refresh(&self, previous: Option<&CodexAuth>) -> Result<Option<CodexAuth>, AuthError> {
        let request =
            ServerRequestPayload::ChatgptAuthTokensRefresh(ChatgptAuthTokensRefreshParams {
                reason: ChatgptAuthTokensRefreshReason::Unauthorized,
                previous_account_id: previous.and_then(CodexAuth::account_id).map(str::to_string),
            });
        let Some(pending) = self.connections.request_oldest(request) else {
            return Err(AuthError::ExternalRefreshFailed(
                "no host is connected to ask for new tokens".to_string(),
            ));
        };
        let answer = match pending.answer().await {
            Ok(answer) => answer,
            // The host answering with an error is how it declines.
            Err(ServerRequestError::ClientError { .. }) => return Ok(None),
            Err(
                error @ (ServerRequestError::ConnectionClosed { .. }
                | ServerRequestError::TimedOut { .. }),
            ) => {
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

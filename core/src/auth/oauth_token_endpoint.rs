//! Calls to the issuer's `/oauth/token` endpoint: exchanging a login's authorization code (form-encoded)
//! and refreshing tokens with the refresh token (JSON), as upstream does.

use serde::Deserialize;
use serde_json::Value;

use super::AuthError;
use crate::transport_error::describe_http_error;

pub const DEFAULT_ISSUER: &str = "https://auth.openai.com";
/// Upstream's public (non-secret) OAuth client id for Codex.
pub const DEFAULT_CLIENT_ID: &str = "app_EMoamEEZ73f0CkXaXp7hrann";
const REFRESH_SCOPE: &str = "openid profile email";
/// Refresh error codes after which only a new login helps.
const PERMANENT_REFRESH_ERRORS: [&str; 4] = [
    "refresh_token_expired",
    "refresh_token_reused",
    "refresh_token_invalidated",
    "invalid_grant",
];

/// Which OAuth server and client the tokens belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthIssuer {
    pub issuer: String,
    pub client_id: String,
}

impl Default for OAuthIssuer {
    fn default() -> Self {
        OAuthIssuer {
            issuer: DEFAULT_ISSUER.to_string(),
            client_id: DEFAULT_CLIENT_ID.to_string(),
        }
    }
}

/// The token endpoint's answer; a refresh may omit tokens that did not change.
#[derive(Deserialize)]
pub(crate) struct TokenResponse {
    #[serde(default)]
    pub id_token: Option<String>,
    #[serde(default)]
    pub access_token: Option<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
}

impl OAuthIssuer {
    fn token_url(&self) -> String {
        format!("{}/oauth/token", self.issuer.trim_end_matches('/'))
    }

    pub(crate) async fn exchange_code(
        &self,
        http: &reqwest::Client,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<TokenResponse, AuthError> {
        let response = http
            .post(self.token_url())
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("client_id", self.client_id.as_str()),
                ("code_verifier", code_verifier),
            ])
            .send()
            .await
            .map_err(|err| {
                AuthError::LoginFailed(format!(
                    "token exchange failed: {}",
                    describe_http_error(err)
                ))
            })?;
        let status = response.status();
        if !status.is_success() {
            return Err(AuthError::LoginFailed(format!(
                "token endpoint returned status {status}"
            )));
        }
        response.json().await.map_err(|_| {
            AuthError::LoginFailed("token endpoint returned an invalid response".to_string())
        })
    }

    pub(crate) async fn refresh(
        &self,
        http: &reqwest::Client,
        refresh_token: &str,
    ) -> Result<TokenResponse, AuthError> {
        let response = http
            .post(self.token_url())
            .json(&serde_json::json!({
                "client_id": self.client_id,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "scope": REFRESH_SCOPE,
            }))
            .send()
            .await
            .map_err(|err| AuthError::RefreshFailed(describe_http_error(err)))?;
        let status = response.status();
        if status.is_success() {
            return response.json().await.map_err(|_| {
                AuthError::RefreshFailed("token endpoint returned an invalid response".to_string())
            });
        }
        let body: Value = response.json().await.unwrap_or(Value::Null);
        let error = body.get("error");
        let code = error
            .and_then(|error| error.get("code"))
            .or(error)
            .and_then(Value::as_str)
            .unwrap_or_default();
        if PERMANENT_REFRESH_ERRORS.contains(&code) {
            return Err(AuthError::RefreshTokenRevoked(code.to_string()));
        }
        Err(AuthError::RefreshFailed(format!(
            "token endpoint returned status {status}"
        )))
    }
}

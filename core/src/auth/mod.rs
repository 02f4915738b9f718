//! Authentication: which credentials a request carries (`CodexAuth`), the session-wide `AuthManager` that
//! owns the account (API key or ChatGPT tokens in `CODEX_HOME/auth.json`, or host-supplied ChatGPT tokens
//! held in memory), the ChatGPT browser sign-in, and provider-level credential resolution.

mod account_info;
mod auth_dot_json;
mod auth_manager;
mod chatgpt_login;
mod codex_auth;
mod jwt_claims;
mod login_callback_server;
mod oauth_token_endpoint;

pub use account_info::AccountInfo;
pub use account_info::AuthEvent;
pub use account_info::AuthMode;
pub use auth_dot_json::AUTH_FILE_NAME;
pub use auth_manager::AuthManager;
pub use auth_manager::AuthManagerOptions;
pub use auth_manager::DEFAULT_EXTERNAL_REFRESH_TIMEOUT;
pub use chatgpt_login::DEFAULT_LOGIN_PORT;
pub use chatgpt_login::LoginCanceller;
pub use chatgpt_login::LoginCompletion;
pub use chatgpt_login::LoginHandle;
pub use chatgpt_login::LoginOptions;
pub use chatgpt_login::start_chatgpt_login;
pub use codex_auth::CodexAuth;
pub use jwt_claims::JwtClaims;
pub use login_callback_server::CallbackTimeouts;
pub use oauth_token_endpoint::DEFAULT_CLIENT_ID;
pub use oauth_token_endpoint::DEFAULT_ISSUER;
pub use oauth_token_endpoint::OAuthIssuer;

use async_trait::async_trait;

use crate::model::provider::ModelProviderInfo;

const OPENAI_API_KEY_ENV_VAR: &str = "OPENAI_API_KEY";

/// Why credentials could not be resolved, stored, or renewed. Messages name variables, files and account
/// ids, never key or token values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("missing environment variable `{var}`{instructions}")]
    MissingEnvVar { var: String, instructions: String },
    #[error("failed to read {path}: {message}")]
    AuthFileUnreadable { path: String, message: String },
    #[error("failed to write {path}: {message}")]
    AuthFileUnwritable { path: String, message: String },
    #[error("the API key is empty")]
    EmptyCredential,
    /// The provider needs an OpenAI account and there is none: no login, no host tokens, no
    /// `OPENAI_API_KEY`.
    #[error(
        "Not signed in: set OPENAI_API_KEY or sign in with account/login/start (API key or ChatGPT)"
    )]
    NotSignedIn,
    #[error("the credentials contain characters that cannot be sent in an HTTP header")]
    CredentialNotAHeaderValue,
    #[error(
        "the host application manages the ChatGPT tokens (external auth is active); log out before signing in another way"
    )]
    ExternalAuthActive,
    #[error("failed to refresh auth tokens: {0}")]
    RefreshFailed(String),
    #[error("your ChatGPT sign-in has expired or was revoked ({0}); please sign in again")]
    RefreshTokenRevoked(String),
    #[error("the host application declined to refresh the ChatGPT tokens")]
    ExternalRefreshDeclined,
    #[error("the host application did not refresh the ChatGPT tokens within {timeout_ms} ms")]
    ExternalRefreshTimedOut { timeout_ms: u128 },
    #[error("external ChatGPT token refresh failed: {0}")]
    ExternalRefreshFailed(String),
    #[error(
        "the host application returned tokens for account {actual} but this session uses account {expected}"
    )]
    ExternalAccountMismatch { expected: String, actual: String },
    #[error("ChatGPT sign-in failed: {0}")]
    LoginFailed(String),
    #[error("ChatGPT sign-in was cancelled")]
    LoginCancelled,
}

/// Host-supplied token refresh (the app-server asks its client with `account/chatgptAuthTokens/refresh`).
/// Set on the manager with [`AuthManager::set_external_refresher`]; consulted on a 401 while the tokens
/// come from the host. `previous` is the auth in use; its `account_id()` is the `previousAccountId`.
#[async_trait]
pub trait ExternalAuthRefresher: Send + Sync {
    /// New credentials to retry with, or `None` when the host has none (declined).
    async fn refresh(&self, previous: Option<&CodexAuth>) -> Result<Option<CodexAuth>, AuthError>;
}

/// Provider-level resolution, shared by [`AuthManager::auth_for_provider`] and clients without a manager.
/// Upstream precedence: the provider's `env_key` variable, its `experimental_bearer_token`, the OpenAI
/// account (then `OPENAI_API_KEY`) when the provider requires one, else none. A provider that requires an
/// OpenAI account and finds none is [`AuthError::NotSignedIn`]: a request without credentials could only
/// be refused.
pub fn provider_auth(
    provider: &ModelProviderInfo,
    account_auth: impl FnOnce() -> Option<CodexAuth>,
) -> Result<Option<CodexAuth>, AuthError> {
    if let Some(var) = &provider.env_key {
        return match std::env::var(var) {
            Ok(key) if !key.trim().is_empty() => Ok(Some(CodexAuth::ApiKey { key })),
            _ => Err(AuthError::MissingEnvVar {
                var: var.clone(),
                instructions: provider
                    .env_key_instructions
                    .as_ref()
                    .map(|text| format!(". {text}"))
                    .unwrap_or_default(),
            }),
        };
    }
    if let Some(token) = &provider.experimental_bearer_token {
        return Ok(Some(CodexAuth::ApiKey { key: token.clone() }));
    }
    if provider.requires_openai_auth {
        if let Some(auth) = account_auth() {
            return Ok(Some(auth));
        }
        return match std::env::var(OPENAI_API_KEY_ENV_VAR) {
            Ok(key) if !key.trim().is_empty() => Ok(Some(CodexAuth::ApiKey { key })),
            _ => Err(AuthError::NotSignedIn),
        };
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn provider_env_key_missing_names_the_variable() {
        let provider = ModelProviderInfo {
            env_key: Some("CODEX_TEST_SURELY_UNSET_KEY".to_string()),
            requires_openai_auth: false,
            ..ModelProviderInfo::openai()
        };
        let err = provider_auth(&provider, || None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing environment variable `CODEX_TEST_SURELY_UNSET_KEY`"
        );
    }

    #[test]
    fn bearer_token_and_no_auth_providers() {
        let provider = ModelProviderInfo {
            experimental_bearer_token: Some("tok".to_string()),
            requires_openai_auth: false,
            ..ModelProviderInfo::openai()
        };
        assert_eq!(
            provider_auth(&provider, || None).unwrap(),
            Some(CodexAuth::ApiKey {
                key: "tok".to_string()
            })
        );
        let provider = ModelProviderInfo {
            requires_openai_auth: false,
            ..ModelProviderInfo::openai()
        };
        assert_eq!(provider_auth(&provider, || None).unwrap(), None);
    }

    #[test]
    fn a_provider_requiring_an_account_without_one_is_not_signed_in() {
        // Only meaningful where the test process itself has no key.
        if std::env::var_os(OPENAI_API_KEY_ENV_VAR).is_some() {
            return;
        }
        let provider = ModelProviderInfo::openai();
        assert_eq!(
            provider_auth(&provider, || None),
            Err(AuthError::NotSignedIn)
        );
        let account = CodexAuth::ApiKey {
            key: "sk-stored".to_string(),
        };
        assert_eq!(
            provider_auth(&provider, || Some(account.clone())),
            Ok(Some(account))
        );
    }
}

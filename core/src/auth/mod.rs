//! Authentication: which credentials a request carries (`CodexAuth`) and the session-wide `AuthManager`
//! that reads `CODEX_HOME/auth.json`, resolves credentials per provider and recovers from a 401.

mod codex_auth;

pub use codex_auth::CodexAuth;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::SystemTime;

use async_trait::async_trait;
use serde::Deserialize;

use crate::model_provider::ModelProviderInfo;

const AUTH_FILE_NAME: &str = "auth.json";
const OPENAI_API_KEY_ENV_VAR: &str = "OPENAI_API_KEY";

/// Why credentials could not be resolved. Messages name variables and files, never their values.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("missing environment variable `{var}`{instructions}")]
    MissingEnvVar { var: String, instructions: String },
    #[error("failed to read {path}: {message}")]
    AuthFileUnreadable { path: String, message: String },
    #[error("failed to refresh auth tokens: {0}")]
    RefreshFailed(String),
}

/// Host-supplied token refresh (e.g. the app-server asking its client for new ChatGPT tokens). Set on the
/// manager with [`AuthManager::set_external_refresher`]; consulted on a 401 before giving up.
#[async_trait]
pub trait ExternalAuthRefresher: Send + Sync {
    /// New credentials to retry with, or `None` when the host has none.
    async fn refresh(&self, previous: Option<&CodexAuth>) -> Result<Option<CodexAuth>, AuthError>;
}

/// The upstream `auth.json` layout.
#[derive(Deserialize)]
struct AuthDotJson {
    #[serde(default)]
    auth_mode: Option<String>,
    #[serde(rename = "OPENAI_API_KEY", default)]
    openai_api_key: Option<String>,
    #[serde(default)]
    tokens: Option<AuthDotJsonTokens>,
}

#[derive(Deserialize)]
struct AuthDotJsonTokens {
    #[serde(default)]
    id_token: Option<String>,
    access_token: String,
    #[serde(default)]
    account_id: Option<String>,
}

/// The parsed auth file together with the modification time it was read at.
struct CachedAuthFile {
    modified: Option<SystemTime>,
    auth: Option<CodexAuth>,
}

#[derive(Default)]
struct AuthManagerState {
    file: Option<CachedAuthFile>,
    /// Credentials supplied by the host; they take precedence over `auth.json`.
    external: Option<CodexAuth>,
}

/// Session-wide credentials source, shared as `Arc<AuthManager>`.
pub struct AuthManager {
    codex_home: PathBuf,
    state: Mutex<AuthManagerState>,
    external_refresher: Mutex<Option<Arc<dyn ExternalAuthRefresher>>>,
}

impl std::fmt::Debug for AuthManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthManager")
            .field("codex_home", &self.codex_home)
            .finish_non_exhaustive()
    }
}

impl AuthManager {
    pub fn new(codex_home: PathBuf) -> Self {
        AuthManager {
            codex_home,
            state: Mutex::new(AuthManagerState::default()),
            external_refresher: Mutex::new(None),
        }
    }

    fn auth_file_path(&self) -> PathBuf {
        self.codex_home.join(AUTH_FILE_NAME)
    }

    /// The current account credentials: host-supplied ones if set, else `auth.json` (re-read when its
    /// modification time changed).
    pub fn auth(&self) -> Option<CodexAuth> {
        let mut state = self.lock_state();
        if let Some(external) = &state.external {
            return Some(external.clone());
        }
        let path = self.auth_file_path();
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        let stale = match &state.file {
            Some(cached) => cached.modified != modified,
            None => true,
        };
        if stale {
            let auth = match read_auth_file(&path) {
                Ok(auth) => auth,
                Err(err) => {
                    tracing::warn!("{err}");
                    None
                }
            };
            state.file = Some(CachedAuthFile { modified, auth });
        }
        state.file.as_ref().and_then(|cached| cached.auth.clone())
    }

    /// Replaces host-supplied credentials (`None` clears them).
    pub fn set_external_auth(&self, auth: Option<CodexAuth>) {
        self.lock_state().external = auth;
    }

    pub fn set_external_refresher(&self, refresher: Arc<dyn ExternalAuthRefresher>) {
        *self
            .external_refresher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(refresher);
    }

    /// The credentials a request to `provider` carries, by the upstream precedence: the provider's `env_key`
    /// variable, its `experimental_bearer_token`, the OpenAI account (auth.json, then `OPENAI_API_KEY`) when
    /// the provider requires one, else none.
    pub fn auth_for_provider(
        &self,
        provider: &ModelProviderInfo,
    ) -> Result<Option<CodexAuth>, AuthError> {
        provider_auth(provider, || self.auth())
    }

    /// Called after a 401. Returns true when credentials changed and the request should be retried once.
    pub async fn recover_from_unauthorized(&self) -> Result<bool, AuthError> {
        let refresher = self
            .external_refresher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let has_external = self.lock_state().external.is_some();
        if let (Some(refresher), true) = (refresher, has_external) {
            let previous = self.lock_state().external.clone();
            return match refresher.refresh(previous.as_ref()).await? {
                Some(auth) => {
                    self.set_external_auth(Some(auth));
                    Ok(true)
                }
                None => Ok(false),
            };
        }
        let before = self
            .lock_state()
            .file
            .as_ref()
            .map(|cached| cached.modified);
        let path = self.auth_file_path();
        let modified_now = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        if before == Some(modified_now) {
            return Ok(false);
        }
        let before_auth = self
            .lock_state()
            .file
            .as_ref()
            .and_then(|cached| cached.auth.clone());
        Ok(self.auth() != before_auth)
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, AuthManagerState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Provider-level resolution, shared by [`AuthManager::auth_for_provider`] and clients without a manager.
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
        return Ok(std::env::var(OPENAI_API_KEY_ENV_VAR)
            .ok()
            .filter(|key| !key.trim().is_empty())
            .map(|key| CodexAuth::ApiKey { key }));
    }
    Ok(None)
}

fn read_auth_file(path: &std::path::Path) -> Result<Option<CodexAuth>, AuthError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(AuthError::AuthFileUnreadable {
                path: path.display().to_string(),
                message: err.to_string(),
            });
        }
    };
    // serde_json's message can quote input, which may be a secret, so only its position is kept.
    let parsed: AuthDotJson =
        serde_json::from_str(&text).map_err(|err| AuthError::AuthFileUnreadable {
            path: path.display().to_string(),
            message: format!(
                "invalid JSON at line {} column {}",
                err.line(),
                err.column()
            ),
        })?;
    let api_key = parsed.openai_api_key.filter(|key| !key.trim().is_empty());
    let prefers_api_key = parsed
        .auth_mode
        .as_deref()
        .is_some_and(|mode| mode.eq_ignore_ascii_case("apikey"));
    match (parsed.tokens, api_key) {
        (Some(_), Some(key)) if prefers_api_key => Ok(Some(CodexAuth::ApiKey { key })),
        (Some(tokens), _) => {
            let plan_type = tokens
                .id_token
                .as_deref()
                .and_then(codex_auth::jwt_plan_type);
            Ok(Some(CodexAuth::ChatGpt {
                access_token: tokens.access_token,
                account_id: tokens.account_id,
                plan_type,
            }))
        }
        (None, Some(key)) => Ok(Some(CodexAuth::ApiKey { key })),
        (None, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn write_auth(dir: &std::path::Path, json: &str) {
        std::fs::write(dir.join(AUTH_FILE_NAME), json).unwrap();
    }

    #[test]
    fn reads_api_key_and_chatgpt_tokens_from_auth_json() {
        let home = tempfile::tempdir().unwrap();
        let manager = AuthManager::new(home.path().to_path_buf());
        assert_eq!(manager.auth(), None);

        write_auth(home.path(), r#"{"OPENAI_API_KEY":"sk-test","tokens":null}"#);
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ApiKey {
                key: "sk-test".to_string()
            })
        );

        let manager = AuthManager::new(home.path().to_path_buf());
        write_auth(
            home.path(),
            r#"{"OPENAI_API_KEY":null,"tokens":{"id_token":"x","access_token":"at","refresh_token":"rt","account_id":"acc_1"}}"#,
        );
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ChatGpt {
                access_token: "at".to_string(),
                account_id: Some("acc_1".to_string()),
                plan_type: None,
            })
        );
    }

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

    #[tokio::test]
    async fn recovery_reports_changed_auth_file_only() {
        let home = tempfile::tempdir().unwrap();
        write_auth(home.path(), r#"{"OPENAI_API_KEY":"sk-old"}"#);
        let manager = AuthManager::new(home.path().to_path_buf());
        manager.auth();
        assert_eq!(manager.recover_from_unauthorized().await.unwrap(), false);

        // Some filesystems keep mtime at second resolution; force a distinct one.
        let file = std::fs::File::options()
            .write(true)
            .open(home.path().join(AUTH_FILE_NAME))
            .unwrap();
        write_auth(home.path(), r#"{"OPENAI_API_KEY":"sk-new"}"#);
        file.set_modified(SystemTime::now() + std::time::Duration::from_secs(5))
            .unwrap();
        assert_eq!(manager.recover_from_unauthorized().await.unwrap(), true);
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ApiKey {
                key: "sk-new".to_string()
            })
        );
    }
}

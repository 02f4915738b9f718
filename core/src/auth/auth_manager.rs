//! `AuthManager`: the one place every request path asks for credentials. It owns the account in whichever
//! mode it is (API key or Codex-managed ChatGPT tokens in `auth.json`, or host-supplied ChatGPT tokens held
//! only in memory), logs in and out, refreshes ChatGPT tokens before they expire, recovers from a 401 with
//! a single shared refresh, and broadcasts an [`AuthEvent`] whenever the mode changes.

use std::future::Future;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::time::Duration;
use std::time::Instant;
use std::time::SystemTime;

use chrono::Utc;
use tokio::sync::broadcast;

use super::AccountInfo;
use super::AuthError;
use super::AuthEvent;
use super::AuthMode;
use super::CodexAuth;
use super::ExternalAuthRefresher;
use super::JwtClaims;
use super::LoginCompletion;
use super::LoginHandle;
use super::LoginOptions;
use super::OAuthIssuer;
use super::auth_dot_json::AuthDotJson;
use super::auth_dot_json::StoredTokens;
use super::auth_dot_json::auth_file_path;
use super::auth_dot_json::read_auth_file;
use super::auth_dot_json::remove_auth_file;
use super::auth_dot_json::write_auth_file;
use super::chatgpt_login::start_chatgpt_login;
use super::provider_auth;
use crate::model::provider::ModelProviderInfo;

/// How long the host gets to answer `account/chatgptAuthTokens/refresh` by default (upstream: 10 s); set with
/// `chatgpt_auth_tokens_refresh_timeout_ms`.
pub const DEFAULT_EXTERNAL_REFRESH_TIMEOUT: Duration = Duration::from_secs(10);
/// Refresh when the access token expires within this window…
const ACCESS_TOKEN_EXPIRY_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// …or when the tokens were last refreshed longer ago than this (upstream's rule).
const MAX_TOKEN_AGE: chrono::TimeDelta = chrono::TimeDelta::days(8);
/// After a failed background refresh, requests keep their token this long before trying again, so a dead
/// refresh token does not turn every request into a token-endpoint call.
const PROACTIVE_REFRESH_BACKOFF: Duration = Duration::from_secs(60);
const EVENT_CHANNEL_CAPACITY: usize = 16;

/// Where the manager refreshes tokens and how long it waits for the host.
#[derive(Debug, Clone)]
pub struct AuthManagerOptions {
    pub issuer: OAuthIssuer,
    pub external_refresh_timeout: Duration,
    /// The ChatGPT sign-in's callback port on 127.0.0.1 (0: any free port). The real issuer only accepts
    /// the default; another one is for tests against a mock issuer.
    pub login_callback_port: u16,
}

impl Default for AuthManagerOptions {
    fn default() -> Self {
        AuthManagerOptions {
            issuer: OAuthIssuer::default(),
            external_refresh_timeout: DEFAULT_EXTERNAL_REFRESH_TIMEOUT,
            login_callback_port: super::DEFAULT_LOGIN_PORT,
        }
    }
}

/// The parsed auth file together with the modification time it was read at.
struct CachedAuthFile {
    modified: Option<SystemTime>,
    contents: Option<AuthDotJson>,
}

/// Who put credentials into memory.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExternalOrigin {
    /// `login_with_external_tokens`: the `chatgptAuthTokens` mode; the host must refresh on a 401.
    HostTokens,
    /// `set_external_auth`: credentials injected by an embedder; a declined refresh just means "no retry".
    Injected,
}

#[derive(Clone)]
struct ExternalAuth {
    auth: CodexAuth,
    email: Option<String>,
    origin: ExternalOrigin,
}

#[derive(Default)]
struct AuthManagerState {
    file: Option<CachedAuthFile>,
    /// In-memory credentials; they take precedence over `auth.json` and are never written to disk.
    external: Option<ExternalAuth>,
}

struct AuthManagerInner {
    codex_home: PathBuf,
    options: AuthManagerOptions,
    http: reqwest::Client,
    state: Mutex<AuthManagerState>,
    external_refresher: Mutex<Option<Arc<dyn ExternalAuthRefresher>>>,
    /// Single flight: the running refresh holds this lock; it keeps the last outcome for the callers that
    /// waited on it.
    refresh: tokio::sync::Mutex<Option<Result<bool, AuthError>>>,
    refresh_generation: AtomicU64,
    proactive_refresh_running: AtomicBool,
    proactive_refresh_failed_at: Mutex<Option<Instant>>,
    events: broadcast::Sender<AuthEvent>,
}

/// Session-wide credentials source, shared as `Arc<AuthManager>` (cloning it is also cheap and shares the
/// same state).
#[derive(Clone)]
pub struct AuthManager {
    inner: Arc<AuthManagerInner>,
}

impl std::fmt::Debug for AuthManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthManager")
            .field("codex_home", &self.inner.codex_home)
            .finish_non_exhaustive()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether stored ChatGPT tokens should be refreshed now (only tokens that can be).
fn tokens_need_refresh(file: &AuthDotJson, now: chrono::DateTime<Utc>) -> bool {
    let Some(tokens) = file.active_tokens() else {
        return false;
    };
    if tokens.refresh_token.is_none() {
        return false;
    }
    let expiring = tokens
        .claims()
        .expires_at
        .is_some_and(|expires_at| expires_at <= now + ACCESS_TOKEN_EXPIRY_MARGIN);
    let old = file
        .last_refresh()
        .is_some_and(|refreshed| refreshed < now - MAX_TOKEN_AGE);
    expiring || old
}

impl AuthManager {
    pub fn new(codex_home: PathBuf) -> Self {
        AuthManager::with_options(codex_home, AuthManagerOptions::default())
    }

    pub fn with_options(codex_home: PathBuf, options: AuthManagerOptions) -> Self {
        let (events, _) = broadcast::channel(EVENT_CHANNEL_CAPACITY);
        AuthManager {
            inner: Arc::new(AuthManagerInner {
                codex_home,
                options,
                http: reqwest::Client::new(),
                state: Mutex::new(AuthManagerState::default()),
                external_refresher: Mutex::new(None),
                refresh: tokio::sync::Mutex::new(None),
                refresh_generation: AtomicU64::new(0),
                proactive_refresh_running: AtomicBool::new(false),
                proactive_refresh_failed_at: Mutex::new(None),
                events,
            }),
        }
    }

    pub fn codex_home(&self) -> &Path {
        &self.inner.codex_home
    }

    /// Auth-mode changes (login, logout, external login) for `account/updated`. Receivers that lag lose
    /// old events, never the channel.
    pub fn subscribe(&self) -> broadcast::Receiver<AuthEvent> {
        self.inner.events.subscribe()
    }

    /// Defaults for [`AuthManager::start_chatgpt_login`]: this manager's home and issuer.
    pub fn login_options(&self) -> LoginOptions {
        LoginOptions {
            issuer: self.inner.options.issuer.issuer.clone(),
            client_id: self.inner.options.issuer.client_id.clone(),
            port: self.inner.options.login_callback_port,
            ..LoginOptions::new(self.inner.codex_home.clone())
        }
    }

    /// The current account credentials: in-memory ones if set, else `auth.json` (re-read when its
    /// modification time changed). Stored ChatGPT tokens close to expiry are refreshed in the background
    /// (inside a tokio runtime); the current token is returned meanwhile and a 401 awaits that refresh.
    pub fn auth(&self) -> Option<CodexAuth> {
        let (auth, needs_refresh) = {
            let mut state = lock(&self.inner.state);
            if let Some(external) = &state.external {
                return Some(external.auth.clone());
            }
            let file = self.reload_file_if_changed(&mut state);
            (
                file.and_then(AuthDotJson::to_codex_auth),
                file.is_some_and(|file| tokens_need_refresh(file, Utc::now())),
            )
        };
        if needs_refresh {
            self.spawn_proactive_refresh();
        }
        auth
    }

    /// Re-reads `auth.json` when its mtime differs from the cached one; returns the current contents.
    fn reload_file_if_changed<'a>(
        &self,
        state: &'a mut AuthManagerState,
    ) -> Option<&'a AuthDotJson> {
        let path = auth_file_path(&self.inner.codex_home);
        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
        let stale = match &state.file {
            Some(cached) => cached.modified != modified,
            None => true,
        };
        if stale {
            let contents = read_auth_file(&path).unwrap_or_else(|err| {
                tracing::warn!("{err}");
                None
            });
            state.file = Some(CachedAuthFile { modified, contents });
        }
        state
            .file
            .as_ref()
            .and_then(|cached| cached.contents.as_ref())
    }

    fn spawn_proactive_refresh(&self) {
        let backing_off = lock(&self.inner.proactive_refresh_failed_at)
            .is_some_and(|failed_at| failed_at.elapsed() < PROACTIVE_REFRESH_BACKOFF);
        if backing_off {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        if self
            .inner
            .proactive_refresh_running
            .swap(true, Ordering::SeqCst)
        {
            return;
        }
        let manager = self.clone();
        runtime.spawn(async move {
            if let Err(err) = manager.refresh_if_stale().await {
                tracing::warn!("background token refresh failed: {err}");
                *lock(&manager.inner.proactive_refresh_failed_at) = Some(Instant::now());
            }
            manager
                .inner
                .proactive_refresh_running
                .store(false, Ordering::SeqCst);
        });
    }

    /// How the account is signed in, `None` when it is not.
    pub fn auth_mode(&self) -> Option<AuthMode> {
        self.account_info().map(|info| info.auth_mode)
    }

    /// The account for `account/read`.
    pub fn account_info(&self) -> Option<AccountInfo> {
        let mut state = lock(&self.inner.state);
        if let Some(external) = &state.external {
            let auth_mode = match (external.origin, &external.auth) {
                (ExternalOrigin::HostTokens, _) => AuthMode::ChatGptAuthTokens,
                (ExternalOrigin::Injected, CodexAuth::ApiKey { .. }) => AuthMode::ApiKey,
                (ExternalOrigin::Injected, CodexAuth::ChatGpt { .. }) => AuthMode::ChatGpt,
            };
            return Some(AccountInfo {
                auth_mode,
                email: external.email.clone(),
                plan_type: external.auth.plan_type().map(str::to_string),
                account_id: external.auth.account_id().map(str::to_string),
            });
        }
        let file = self.reload_file_if_changed(&mut state)?;
        let auth = file.to_codex_auth()?;
        Some(match auth {
            CodexAuth::ApiKey { .. } => AccountInfo {
                auth_mode: AuthMode::ApiKey,
                email: None,
                plan_type: None,
                account_id: None,
            },
            CodexAuth::ChatGpt {
                account_id,
                plan_type,
                ..
            } => AccountInfo {
                auth_mode: AuthMode::ChatGpt,
                email: file
                    .active_tokens()
                    .and_then(|tokens| tokens.claims().email),
                plan_type,
                account_id,
            },
        })
    }

    fn emit_account_update(&self) {
        let info = self.account_info();
        // No receiver is fine: nobody is listening for account updates yet.
        let _ = self.inner.events.send(AuthEvent {
            auth_mode: info.as_ref().map(|info| info.auth_mode),
            plan_type: info.and_then(|info| info.plan_type),
        });
    }

    /// Replaces injected in-memory credentials (`None` clears them). Prefer
    /// [`AuthManager::login_with_external_tokens`] for host-owned ChatGPT tokens.
    pub fn set_external_auth(&self, auth: Option<CodexAuth>) {
        lock(&self.inner.state).external = auth.map(|auth| ExternalAuth {
            auth,
            email: None,
            origin: ExternalOrigin::Injected,
        });
    }

    pub fn set_external_refresher(&self, refresher: Arc<dyn ExternalAuthRefresher>) {
        *lock(&self.inner.external_refresher) = Some(refresher);
    }

    /// The credentials a request to `provider` carries (see [`provider_auth`]).
    pub fn auth_for_provider(
        &self,
        provider: &ModelProviderInfo,
    ) -> Result<Option<CodexAuth>, AuthError> {
        provider_auth(provider, || self.auth())
    }

    /// Stores `key` in `auth.json` (0600, atomic) and uses it from now on.
    pub fn login_with_api_key(&self, key: &str) -> Result<(), AuthError> {
        self.check_api_key_login(key)?;
        let key = key.trim();
        self.store_auth_file(AuthDotJson::api_key(key.to_string()))?;
        self.emit_account_update();
        Ok(())
    }

    /// Whether [`AuthManager::login_with_api_key`] would accept `key` now (only writing `auth.json` may
    /// still fail).
    pub fn check_api_key_login(&self, key: &str) -> Result<(), AuthError> {
        if key.trim().is_empty() {
            return Err(AuthError::EmptyCredential);
        }
        if lock(&self.inner.state).external.is_some() {
            return Err(AuthError::ExternalAuthActive);
        }
        Ok(())
    }

    /// Writes `auth.json` and caches what was written, so the next `auth()` does not re-read it.
    fn store_auth_file(&self, contents: AuthDotJson) -> Result<(), AuthError> {
        let mut state = lock(&self.inner.state);
        write_auth_file(&self.inner.codex_home, &contents)?;
        let modified = std::fs::metadata(auth_file_path(&self.inner.codex_home))
            .and_then(|m| m.modified())
            .ok();
        state.file = Some(CachedAuthFile {
            modified,
            contents: Some(contents),
        });
        *lock(&self.inner.proactive_refresh_failed_at) = None;
        Ok(())
    }

    /// Forgets every credential: in-memory ones and `auth.json`. `Ok(true)` when there was any.
    pub fn logout(&self) -> Result<bool, AuthError> {
        let removed = {
            let mut state = lock(&self.inner.state);
            let had_external = state.external.take().is_some();
            let removed_file = remove_auth_file(&self.inner.codex_home)?;
            state.file = Some(CachedAuthFile {
                modified: None,
                contents: None,
            });
            had_external || removed_file
        };
        self.emit_account_update();
        Ok(removed)
    }

    /// The `chatgptAuthTokens` mode: the host owns these tokens; they live only in memory (auth.json is
    /// neither read for requests nor written) until logout. Plan and email come from the access token's
    /// claims; an explicit `chatgpt_plan_type` wins.
    pub fn login_with_external_tokens(
        &self,
        access_token: String,
        chatgpt_account_id: String,
        chatgpt_plan_type: Option<String>,
    ) -> Result<(), AuthError> {
        if access_token.trim().is_empty() {
            return Err(AuthError::EmptyCredential);
        }
        lock(&self.inner.state).external = Some(host_tokens_auth(
            access_token,
            chatgpt_account_id,
            chatgpt_plan_type,
        ));
        self.emit_account_update();
        Ok(())
    }

    /// Starts the ChatGPT browser sign-in (see [`start_chatgpt_login`]); `options.codex_home` should be
    /// this manager's (use [`AuthManager::login_options`]). On success the new account is in use and an
    /// [`AuthEvent`] is sent before the completion resolves.
    pub async fn start_chatgpt_login(
        &self,
        options: LoginOptions,
    ) -> Result<LoginHandle, AuthError> {
        if lock(&self.inner.state).external.is_some() {
            return Err(AuthError::ExternalAuthActive);
        }
        let handle = start_chatgpt_login(options).await?;
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let manager = self.clone();
        let login = handle.completion;
        tokio::spawn(async move {
            let outcome = login.await;
            if outcome.is_ok() {
                lock(&manager.inner.state).file = None;
                *lock(&manager.inner.proactive_refresh_failed_at) = None;
                manager.emit_account_update();
            }
            let _ = done_tx.send(outcome);
        });
        Ok(LoginHandle {
            completion: LoginCompletion::new(done_rx),
            ..handle
        })
    }

    /// Refreshes stored ChatGPT tokens when the access token expires within 5 minutes or they are older
    /// than 8 days. `Ok(true)` when new tokens are in use. Shares a refresh already running.
    pub async fn refresh_if_stale(&self) -> Result<bool, AuthError> {
        self.single_flight(|| async {
            let file = {
                let mut state = lock(&self.inner.state);
                if state.external.is_some() {
                    return Ok(false);
                }
                self.reload_file_if_changed(&mut state).cloned()
            };
            match file {
                Some(file) if tokens_need_refresh(&file, Utc::now()) => {
                    self.refresh_stored_tokens(file).await.map(|()| true)
                }
                Some(_) | None => Ok(false),
            }
        })
        .await
    }

    /// `account/read {refreshToken: true}`: reloads `auth.json` if another process rewrote it, else
    /// refreshes stored ChatGPT tokens now. Host-owned tokens are left alone (`Ok(false)`).
    pub async fn refresh_token(&self) -> Result<bool, AuthError> {
        if lock(&self.inner.state).external.is_some() {
            return Ok(false);
        }
        self.single_flight(|| self.recover_stored()).await
    }

    /// Called after a 401. Returns true when credentials changed and the request should be retried once.
    /// Host tokens: asks the [`ExternalAuthRefresher`] (bounded by the configured timeout) and checks the
    /// new tokens are for the same account. Stored account: reloads `auth.json` if another process
    /// rewrote it, else refreshes ChatGPT tokens with the refresh token. Concurrent callers share one
    /// refresh and its outcome.
    pub async fn recover_from_unauthorized(&self) -> Result<bool, AuthError> {
        self.single_flight(|| async {
            let external = lock(&self.inner.state).external.clone();
            match external {
                Some(external) => self.refresh_external(external).await,
                None => self.recover_stored().await,
            }
        })
        .await
    }

    async fn single_flight<F, Fut>(&self, refresh: F) -> Result<bool, AuthError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<bool, AuthError>>,
    {
        let generation_seen = self.inner.refresh_generation.load(Ordering::SeqCst);
        let mut last_outcome = self.inner.refresh.lock().await;
        if self.inner.refresh_generation.load(Ordering::SeqCst) != generation_seen
            && let Some(outcome) = last_outcome.as_ref()
        {
            return outcome.clone();
        }
        let outcome = refresh().await;
        *last_outcome = Some(outcome.clone());
        self.inner.refresh_generation.fetch_add(1, Ordering::SeqCst);
        outcome
    }

    async fn refresh_external(&self, external: ExternalAuth) -> Result<bool, AuthError> {
        let refresher = lock(&self.inner.external_refresher).clone();
        let Some(refresher) = refresher else {
            return match external.origin {
                ExternalOrigin::HostTokens => Err(AuthError::ExternalRefreshFailed(
                    "no token refresher is registered".to_string(),
                )),
                ExternalOrigin::Injected => Ok(false),
            };
        };
        let timeout = self.inner.options.external_refresh_timeout;
        let refreshed = tokio::time::timeout(timeout, refresher.refresh(Some(&external.auth)))
            .await
            .map_err(|_| AuthError::ExternalRefreshTimedOut {
                timeout_ms: timeout.as_millis(),
            })?;
        let new_auth = match (external.origin, refreshed) {
            (ExternalOrigin::HostTokens, Err(err)) => {
                return Err(AuthError::ExternalRefreshFailed(err.to_string()));
            }
            (ExternalOrigin::Injected, Err(err)) => return Err(err),
            (ExternalOrigin::HostTokens, Ok(None)) => {
                return Err(AuthError::ExternalRefreshDeclined);
            }
            (ExternalOrigin::Injected, Ok(None)) => return Ok(false),
            (ExternalOrigin::HostTokens | ExternalOrigin::Injected, Ok(Some(auth))) => auth,
        };
        let replacement = match (external.origin, new_auth) {
            (ExternalOrigin::HostTokens, new_auth) => {
                if let Some(expected) = external.auth.account_id()
                    && new_auth.account_id() != Some(expected)
                {
                    return Err(AuthError::ExternalAccountMismatch {
                        expected: expected.to_string(),
                        actual: new_auth.account_id().unwrap_or("<none>").to_string(),
                    });
                }
                match new_auth {
                    CodexAuth::ChatGpt {
                        access_token,
                        account_id,
                        plan_type,
                    } => host_tokens_auth(access_token, account_id.unwrap_or_default(), plan_type),
                    CodexAuth::ApiKey { .. } => {
                        return Err(AuthError::ExternalRefreshFailed(
                            "the host returned an API key instead of ChatGPT tokens".to_string(),
                        ));
                    }
                }
            }
            (ExternalOrigin::Injected, new_auth) => ExternalAuth {
                auth: new_auth,
                email: None,
                origin: ExternalOrigin::Injected,
            },
        };
        let mut state = lock(&self.inner.state);
        // A logout or re-login while the host was answering wins over this refresh.
        let still_current = state
            .external
            .as_ref()
            .is_some_and(|current| current.auth == external.auth);
        if !still_current {
            return Ok(state.external.is_some());
        }
        state.external = Some(replacement);
        Ok(true)
    }

    async fn recover_stored(&self) -> Result<bool, AuthError> {
        let (changed_on_disk, file) = {
            let mut state = lock(&self.inner.state);
            let before = state.file.as_ref().map(|cached| cached.modified);
            let path = auth_file_path(&self.inner.codex_home);
            let modified_now = std::fs::metadata(&path).and_then(|m| m.modified()).ok();
            let before_auth = state
                .file
                .as_ref()
                .and_then(|cached| cached.contents.as_ref())
                .and_then(AuthDotJson::to_codex_auth);
            let file = self.reload_file_if_changed(&mut state).cloned();
            let changed = before != Some(modified_now)
                && file.as_ref().and_then(AuthDotJson::to_codex_auth) != before_auth;
            (changed, file)
        };
        if changed_on_disk {
            return Ok(true);
        }
        match file {
            Some(file)
                if file
                    .active_tokens()
                    .is_some_and(|tokens| tokens.refresh_token.is_some()) =>
            {
                self.refresh_stored_tokens(file).await.map(|()| true)
            }
            Some(_) | None => Ok(false),
        }
    }

    /// Exchanges the refresh token of `file` for new tokens and stores them.
    async fn refresh_stored_tokens(&self, file: AuthDotJson) -> Result<(), AuthError> {
        let Some(tokens) = file.active_tokens().cloned() else {
            return Ok(());
        };
        let Some(refresh_token) = tokens.refresh_token.clone() else {
            return Ok(());
        };
        tracing::debug!("refreshing ChatGPT tokens");
        let response = self
            .inner
            .options
            .issuer
            .refresh(&self.inner.http, &refresh_token)
            .await?;
        let refreshed = StoredTokens {
            id_token: response.id_token.or(tokens.id_token),
            access_token: response.access_token.unwrap_or(tokens.access_token),
            refresh_token: response.refresh_token.or(tokens.refresh_token),
            account_id: tokens.account_id,
            other_fields: tokens.other_fields,
        };
        self.store_auth_file(AuthDotJson {
            tokens: Some(refreshed),
            last_refresh: Some(Utc::now().to_rfc3339()),
            ..file
        })
    }
}

fn host_tokens_auth(
    access_token: String,
    chatgpt_account_id: String,
    chatgpt_plan_type: Option<String>,
) -> ExternalAuth {
    let claims = JwtClaims::parse(&access_token).unwrap_or_default();
    ExternalAuth {
        auth: CodexAuth::ChatGpt {
            access_token,
            account_id: Some(chatgpt_account_id),
            plan_type: chatgpt_plan_type.or(claims.plan_type),
        },
        email: claims.email,
        origin: ExternalOrigin::HostTokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::jwt_claims::fake_jwt;
    use pretty_assertions::assert_eq;
    use serde_json::json;
    use std::sync::atomic::AtomicUsize;
    use wiremock::Mock;
    use wiremock::MockServer;
    use wiremock::ResponseTemplate;
    use wiremock::matchers::body_json;
    use wiremock::matchers::method;
    use wiremock::matchers::path;

    fn write_auth(dir: &Path, json: &str) {
        std::fs::write(auth_file_path(dir), json).unwrap();
    }

    /// Rewrites auth.json with a distinct mtime, as another process would (some filesystems keep
    /// second resolution).
    fn rewrite_auth_as_other_process(dir: &Path, json: &str) {
        write_auth(dir, json);
        std::fs::File::options()
            .write(true)
            .open(auth_file_path(dir))
            .unwrap()
            .set_modified(SystemTime::now() + Duration::from_secs(5))
            .unwrap();
    }

    #[test]
    fn reads_api_key_and_chatgpt_tokens_from_auth_json() {
        let home = tempfile::tempdir().unwrap();
        let manager = AuthManager::new(home.path().to_path_buf());
        assert_eq!(manager.auth(), None);
        assert_eq!(manager.auth_mode(), None);

        write_auth(home.path(), r#"{"OPENAI_API_KEY":"sk-test","tokens":null}"#);
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ApiKey {
                key: "sk-test".to_string()
            })
        );

        let manager = AuthManager::new(home.path().to_path_buf());
        let id_token = fake_jwt(&json!({
            "email": "u@example.com",
            "https://api.openai.com/auth": {"chatgpt_plan_type": "plus", "chatgpt_account_id": "acc_1"}
        }));
        write_auth(
            home.path(),
            &json!({"OPENAI_API_KEY": null, "tokens": {"id_token": id_token, "access_token": "at", "refresh_token": "rt"}})
                .to_string(),
        );
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ChatGpt {
                access_token: "at".to_string(),
                account_id: Some("acc_1".to_string()),
                plan_type: Some("plus".to_string()),
            })
        );
        assert_eq!(
            manager.account_info(),
            Some(AccountInfo {
                auth_mode: AuthMode::ChatGpt,
                email: Some("u@example.com".to_string()),
                plan_type: Some("plus".to_string()),
                account_id: Some("acc_1".to_string()),
            })
        );
    }

    #[tokio::test]
    async fn recovery_reloads_auth_json_rewritten_by_another_process() {
        let home = tempfile::tempdir().unwrap();
        write_auth(home.path(), r#"{"OPENAI_API_KEY":"sk-old"}"#);
        let manager = AuthManager::new(home.path().to_path_buf());
        manager.auth();
        assert_eq!(manager.recover_from_unauthorized().await, Ok(false));

        rewrite_auth_as_other_process(home.path(), r#"{"OPENAI_API_KEY":"sk-new"}"#);
        assert_eq!(manager.recover_from_unauthorized().await, Ok(true));
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ApiKey {
                key: "sk-new".to_string()
            })
        );
    }

    #[tokio::test]
    async fn api_key_login_and_logout_store_and_remove_auth_json() {
        let home = tempfile::tempdir().unwrap();
        let manager = AuthManager::new(home.path().join("codex"));
        let mut events = manager.subscribe();

        manager.login_with_api_key("sk-login").unwrap();
        let file = auth_file_path(manager.codex_home());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(&file).unwrap())
                .unwrap(),
            json!({"auth_mode":"apikey","OPENAI_API_KEY":"sk-login","tokens":null,"last_refresh":null})
        );
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ApiKey {
                key: "sk-login".to_string()
            })
        );
        assert_eq!(
            AuthManager::new(manager.codex_home().to_path_buf()).auth_mode(),
            Some(AuthMode::ApiKey)
        );
        assert_eq!(
            events.recv().await.unwrap(),
            AuthEvent {
                auth_mode: Some(AuthMode::ApiKey),
                plan_type: None
            }
        );

        assert_eq!(manager.logout(), Ok(true));
        assert!(!file.exists());
        assert_eq!(manager.auth(), None);
        assert_eq!(
            events.recv().await.unwrap(),
            AuthEvent {
                auth_mode: None,
                plan_type: None
            }
        );
        assert_eq!(manager.logout(), Ok(false));
        assert_eq!(
            manager.login_with_api_key("  "),
            Err(AuthError::EmptyCredential)
        );
    }

    #[tokio::test]
    async fn external_tokens_stay_in_memory_and_block_api_key_login() {
        let home = tempfile::tempdir().unwrap();
        write_auth(home.path(), r#"{"OPENAI_API_KEY":"sk-stored"}"#);
        let manager = AuthManager::new(home.path().to_path_buf());
        let mut events = manager.subscribe();
        let access_token = fake_jwt(&json!({
            "https://api.openai.com/profile": {"email": "host@example.com"},
            "https://api.openai.com/auth": {"chatgpt_plan_type": "team"}
        }));

        manager
            .login_with_external_tokens(access_token.clone(), "acc_ext".to_string(), None)
            .unwrap();
        assert_eq!(
            manager.account_info(),
            Some(AccountInfo {
                auth_mode: AuthMode::ChatGptAuthTokens,
                email: Some("host@example.com".to_string()),
                plan_type: Some("team".to_string()),
                account_id: Some("acc_ext".to_string()),
            })
        );
        assert_eq!(
            events.recv().await.unwrap(),
            AuthEvent {
                auth_mode: Some(AuthMode::ChatGptAuthTokens),
                plan_type: Some("team".to_string())
            }
        );
        assert_eq!(
            std::fs::read_to_string(auth_file_path(home.path())).unwrap(),
            r#"{"OPENAI_API_KEY":"sk-stored"}"#
        );
        assert_eq!(
            manager.login_with_api_key("sk-other"),
            Err(AuthError::ExternalAuthActive)
        );

        manager
            .login_with_external_tokens(
                access_token,
                "acc_ext".to_string(),
                Some("pro".to_string()),
            )
            .unwrap();
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ChatGpt {
                access_token: manager.auth().unwrap().bearer_token().to_string(),
                account_id: Some("acc_ext".to_string()),
                plan_type: Some("pro".to_string()),
            })
        );
        let debug = format!("{manager:?}");
        assert!(
            !debug.contains(manager.auth().unwrap().bearer_token()),
            "{debug}"
        );
    }

    /// Answers every refresh after one scheduling round, so concurrent callers overlap it.
    struct ScriptedRefresher {
        calls: AtomicUsize,
        answer: Option<CodexAuth>,
        hang: bool,
    }

    #[async_trait::async_trait]
    impl ExternalAuthRefresher for ScriptedRefresher {
        async fn refresh(
            &self,
            previous: Option<&CodexAuth>,
        ) -> Result<Option<CodexAuth>, AuthError> {
            assert_eq!(previous.and_then(CodexAuth::account_id), Some("acc_1"));
            self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            if self.hang {
                std::future::pending::<()>().await;
            }
            Ok(self.answer.clone())
        }
    }

    fn external_manager(
        home: &Path,
        answer: Option<CodexAuth>,
        hang: bool,
    ) -> (AuthManager, Arc<ScriptedRefresher>) {
        let manager = AuthManager::with_options(
            home.to_path_buf(),
            AuthManagerOptions {
                external_refresh_timeout: Duration::from_millis(50),
                ..AuthManagerOptions::default()
            },
        );
        manager
            .login_with_external_tokens("old-token".to_string(), "acc_1".to_string(), None)
            .unwrap();
        let refresher = Arc::new(ScriptedRefresher {
            calls: AtomicUsize::new(0),
            answer,
            hang,
        });
        manager.set_external_refresher(refresher.clone());
        (manager, refresher)
    }

    fn chatgpt(token: &str, account_id: &str) -> CodexAuth {
        CodexAuth::ChatGpt {
            access_token: token.to_string(),
            account_id: Some(account_id.to_string()),
            plan_type: Some("plus".to_string()),
        }
    }

    #[tokio::test]
    async fn concurrent_unauthorized_recoveries_share_one_external_refresh() {
        let home = tempfile::tempdir().unwrap();
        let (manager, refresher) =
            external_manager(home.path(), Some(chatgpt("new-token", "acc_1")), false);
        let outcomes =
            futures::future::join_all((0..5).map(|_| manager.recover_from_unauthorized())).await;
        assert_eq!(outcomes, vec![Ok(true); 5]);
        assert_eq!(refresher.calls.load(Ordering::SeqCst), 1);
        assert_eq!(manager.auth(), Some(chatgpt("new-token", "acc_1")));
        assert_eq!(manager.auth_mode(), Some(AuthMode::ChatGptAuthTokens));
    }

    #[tokio::test]
    async fn declined_timed_out_and_wrong_account_refreshes_fail_clearly() {
        let home = tempfile::tempdir().unwrap();
        let (manager, _) = external_manager(home.path(), None, false);
        let declined = manager.recover_from_unauthorized().await.unwrap_err();
        assert_eq!(declined, AuthError::ExternalRefreshDeclined);
        assert_eq!(
            declined.to_string(),
            "the host application declined to refresh the ChatGPT tokens"
        );

        let (manager, _) = external_manager(home.path(), None, true);
        assert_eq!(
            manager.recover_from_unauthorized().await,
            Err(AuthError::ExternalRefreshTimedOut { timeout_ms: 50 })
        );

        let (manager, _) =
            external_manager(home.path(), Some(chatgpt("other-token", "acc_2")), false);
        let mismatch = manager.recover_from_unauthorized().await.unwrap_err();
        assert_eq!(
            mismatch.to_string(),
            "the host application returned tokens for account acc_2 but this session uses account acc_1"
        );
        assert_eq!(manager.auth().unwrap().bearer_token(), "old-token");
    }

    fn expired_chatgpt_file(issued_tokens: &str) -> String {
        let access_token = fake_jwt(&json!({"exp": 1_000_000}));
        json!({
            "auth_mode": "chatgpt",
            "OPENAI_API_KEY": null,
            "tokens": {"id_token": null, "access_token": access_token, "refresh_token": issued_tokens, "account_id": "acc_1"},
            "last_refresh": "2026-01-01T00:00:00Z"
        })
        .to_string()
    }

    async fn issuer_with_token_endpoint(response: ResponseTemplate) -> MockServer {
        let issuer = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/oauth/token"))
            .and(body_json(json!({
                "client_id": "client-test",
                "grant_type": "refresh_token",
                "refresh_token": "rt-1",
                "scope": "openid profile email"
            })))
            .respond_with(response)
            .mount(&issuer)
            .await;
        issuer
    }

    fn manager_for_issuer(home: &Path, issuer: &MockServer) -> AuthManager {
        AuthManager::with_options(
            home.to_path_buf(),
            AuthManagerOptions {
                issuer: OAuthIssuer {
                    issuer: issuer.uri(),
                    client_id: "client-test".to_string(),
                },
                ..AuthManagerOptions::default()
            },
        )
    }

    #[tokio::test]
    async fn expired_access_token_is_refreshed_once() {
        let new_access = fake_jwt(&json!({"exp": 4_000_000_000_i64}));
        let issuer = issuer_with_token_endpoint(
            ResponseTemplate::new(200)
                .set_body_json(json!({"access_token": new_access, "refresh_token": "rt-2"})),
        )
        .await;
        let home = tempfile::tempdir().unwrap();
        write_auth(home.path(), &expired_chatgpt_file("rt-1"));
        let manager = manager_for_issuer(home.path(), &issuer);

        // auth() hands out the current token and starts the refresh in the background.
        assert_eq!(manager.auth().unwrap().account_id(), Some("acc_1"));
        // Whether this joins the background refresh or runs it, the endpoint sees one call.
        manager.refresh_if_stale().await.unwrap();
        assert_eq!(manager.refresh_if_stale().await, Ok(false));
        assert_eq!(manager.auth().unwrap().bearer_token(), new_access);
        assert_eq!(issuer.received_requests().await.unwrap().len(), 1);

        let stored: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(auth_file_path(home.path())).unwrap())
                .unwrap();
        assert_eq!(stored["tokens"]["refresh_token"], "rt-2");
        assert_eq!(stored["tokens"]["account_id"], "acc_1");
        assert_ne!(stored["last_refresh"], "2026-01-01T00:00:00Z");
    }

    #[tokio::test]
    async fn revoked_refresh_token_asks_the_user_to_sign_in_again() {
        let issuer = issuer_with_token_endpoint(
            ResponseTemplate::new(401)
                .set_body_json(json!({"error": {"code": "refresh_token_reused"}})),
        )
        .await;
        let home = tempfile::tempdir().unwrap();
        write_auth(home.path(), &expired_chatgpt_file("rt-1"));
        let manager = manager_for_issuer(home.path(), &issuer);
        assert!(manager.auth().is_some());
        let err = manager.recover_from_unauthorized().await.unwrap_err();
        assert_eq!(
            err,
            AuthError::RefreshTokenRevoked("refresh_token_reused".to_string())
        );
        assert!(!err.to_string().contains("rt-1"));
    }

    #[test]
    fn refresh_is_due_near_expiry_or_after_eight_days() {
        let now = Utc::now();
        let file = |exp: Option<chrono::DateTime<Utc>>,
                    last_refresh: chrono::DateTime<Utc>,
                    refresh_token: Option<&str>| {
            AuthDotJson::chatgpt(
                StoredTokens {
                    id_token: None,
                    access_token: fake_jwt(&json!({"exp": exp.map(|exp| exp.timestamp())})),
                    refresh_token: refresh_token.map(str::to_string),
                    account_id: None,
                    other_fields: serde_json::Map::new(),
                },
                last_refresh,
            )
        };
        let cases = [
            (
                file(Some(now + chrono::TimeDelta::hours(1)), now, Some("rt")),
                false,
            ),
            (
                file(Some(now + chrono::TimeDelta::minutes(4)), now, Some("rt")),
                true,
            ),
            (
                file(Some(now - chrono::TimeDelta::hours(1)), now, Some("rt")),
                true,
            ),
            (
                file(None, now - chrono::TimeDelta::days(7), Some("rt")),
                false,
            ),
            (
                file(None, now - chrono::TimeDelta::days(9), Some("rt")),
                true,
            ),
            (
                file(Some(now - chrono::TimeDelta::hours(1)), now, None),
                false,
            ),
            (AuthDotJson::api_key("sk".to_string()), false),
        ];
        let due: Vec<bool> = cases
            .iter()
            .map(|(file, _)| tokens_need_refresh(file, now))
            .collect();
        let expected: Vec<bool> = cases.iter().map(|(_, due)| *due).collect();
        assert_eq!(due, expected);
    }

    #[tokio::test]
    async fn explicit_refresh_uses_the_refresh_token_and_debug_hides_tokens() {
        let issuer = issuer_with_token_endpoint(
            ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-new"})),
        )
        .await;
        let home = tempfile::tempdir().unwrap();
        let fresh = json!({
            "auth_mode": "chatgpt",
            "tokens": {"access_token": "at-secret", "refresh_token": "rt-1", "account_id": "acc_1"},
            "last_refresh": Utc::now().to_rfc3339()
        });
        write_auth(home.path(), &fresh.to_string());
        let manager = manager_for_issuer(home.path(), &issuer);
        assert_eq!(manager.auth().unwrap().bearer_token(), "at-secret");
        let debug = format!("{manager:?} {:?}", manager.auth());
        assert!(
            !debug.contains("at-secret") && !debug.contains("rt-1"),
            "{debug}"
        );

        assert_eq!(manager.refresh_if_stale().await, Ok(false));
        assert_eq!(manager.refresh_token().await, Ok(true));
        assert_eq!(manager.auth().unwrap().bearer_token(), "at-new");
        assert_eq!(issuer.received_requests().await.unwrap().len(), 1);
    }

    #[test]
    fn auth_follows_a_rewrite_by_another_process() {
        let home = tempfile::tempdir().unwrap();
        write_auth(home.path(), r#"{"OPENAI_API_KEY":"sk-old"}"#);
        let manager = AuthManager::new(home.path().to_path_buf());
        assert_eq!(manager.auth_mode(), Some(AuthMode::ApiKey));
        rewrite_auth_as_other_process(
            home.path(),
            r#"{"tokens":{"access_token":"at","account_id":"acc_9"}}"#,
        );
        assert_eq!(
            manager.auth(),
            Some(CodexAuth::ChatGpt {
                access_token: "at".to_string(),
                account_id: Some("acc_9".to_string()),
                plan_type: None,
            })
        );
        assert_eq!(manager.auth_mode(), Some(AuthMode::ChatGpt));
    }
}

//! The OAuth credentials of HTTP MCP servers in `$CODEX_HOME/.credentials.json`, as upstream stores them with
//! `mcp_oauth_credentials_store = "file"` (one JSON object: an entry per server under `<server>|<hash>`), and
//! their refresh through rmcp's `AuthorizationManager`. Tokens are secrets: never logged, never in errors.

use std::path::Path;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;
use std::time::SystemTime;

use oauth2::AccessToken;
use oauth2::EmptyExtraTokenFields;
use oauth2::RefreshToken;
use oauth2::Scope;
use oauth2::TokenResponse;
use oauth2::basic::BasicTokenType;
use rmcp::transport::auth::AuthError;
use rmcp::transport::auth::CredentialStore;
use rmcp::transport::auth::OAuthTokenResponse;
use rmcp::transport::auth::StoredCredentials;
use serde::Deserialize;
use serde::Serialize;
use serde_json::Map;
use serde_json::Value;
use sha2::Digest;

use crate::atomic_write::FileMode;
use crate::atomic_write::write_atomic;
use crate::mcp::oauth_discovery::authorization_server;
use crate::mcp::oauth_discovery::discover_authorization_server;

/// The credentials file in `CODEX_HOME`.
pub(crate) const CREDENTIALS_FILE: &str = ".credentials.json";

/// A token expiring sooner than this is refreshed before use.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Serializes the read-modify-write of the file within the daemon (logins and refreshes of several servers).
static FILE_LOCK: Mutex<()> = Mutex::new(());

/// One server's entry in the file. Holds secrets, hence no `Debug`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredOauthTokens {
    pub(crate) server_name: String,
    pub(crate) server_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) issuer: Option<String>,
    pub(crate) client_id: String,
    pub(crate) access_token: String,
    /// Epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<String>,
    #[serde(default)]
    pub(crate) scopes: Vec<String>,
    /// Keys this version does not know, written back as read.
    #[serde(flatten)]
    pub(crate) other: Map<String, Value>,
}

impl StoredOauthTokens {
    /// Takes the tokens of a token endpoint's answer; the refresh token and scopes stored before stay when the
    /// answer has none (a refresh answer usually repeats neither).
    pub(crate) fn take_token_response(&mut self, response: &OAuthTokenResponse) {
        self.access_token = response.access_token().secret().clone();
        self.expires_at = response.expires_in().map(|lifetime| {
            now_ms().saturating_add(u64::try_from(lifetime.as_millis()).unwrap_or(u64::MAX))
        });
        if let Some(refresh_token) = response.refresh_token() {
            self.refresh_token = Some(refresh_token.secret().clone());
        }
        if let Some(scopes) = response.scopes() {
            self.scopes = scopes.iter().map(|scope| scope.to_string()).collect();
        }
    }

    /// Whether the access token is expired at `now_ms` (an entry without `expires_at` never expires).
    fn expired_at(&self, now_ms: u64) -> bool {
        self.expires_at
            .is_some_and(|expires_at| expires_at <= now_ms)
    }

    /// The entry as rmcp's token response, for its refresh.
    fn to_token_response(&self) -> OAuthTokenResponse {
        let mut response = OAuthTokenResponse::new(
            AccessToken::new(self.access_token.clone()),
            BasicTokenType::Bearer,
            EmptyExtraTokenFields {},
        );
        if let Some(expires_at) = self.expires_at {
            let remaining = Duration::from_millis(expires_at.saturating_sub(now_ms()));
            response.set_expires_in(Some(&remaining));
        }
        response.set_refresh_token(self.refresh_token.clone().map(RefreshToken::new));
        if !self.scopes.is_empty() {
            response.set_scopes(Some(self.scopes.iter().cloned().map(Scope::new).collect()));
        }
        response
    }
}

/// The key of `server` at `url`: upstream's `<server>|` and the first 16 hex digits of the SHA-256 of the
/// server's compact JSON description.
pub(crate) fn credentials_key(server: &str, url: &str) -> String {
    let url_json = Value::String(url.to_string()).to_string();
    let description = format!(r#"{{"type":"http","url":{url_json},"headers":{{}}}}"#);
    let digest = sha2::Sha256::digest(description.as_bytes());
    let hex: String = digest
        .iter()
        .take(8)
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("{server}|{hex}")
}

/// The stored, unexpired access token for `server` at `url` (what the tests read back).
#[cfg(test)]
pub(crate) fn stored_access_token(codex_home: &Path, server: &str, url: &str) -> Option<String> {
    load_credentials(codex_home, server, url)
        .filter(|tokens| !tokens.expired_at(now_ms()) && !tokens.access_token.is_empty())
        .map(|tokens| tokens.access_token)
}

/// The access token to use now: the stored one, or, when it expired (or expires within 60 s) and a refresh
/// token is stored, a refreshed one (token endpoint from the stored issuer's metadata), saved back.
/// None when nothing usable is stored or the refresh failed (logged without secrets); a token that expires
/// within the 60 s but has not yet is still returned when it cannot be refreshed.
#[allow(
    dead_code,
    reason = "used by the MCP connections once they refresh tokens"
)]
pub(crate) async fn fresh_access_token(
    codex_home: &Path,
    server: &str,
    url: &str,
    http: &reqwest::Client,
) -> Option<String> {
    let stored = load_credentials(codex_home, server, url)?;
    let now = now_ms();
    let margin = u64::try_from(REFRESH_MARGIN.as_millis()).unwrap_or(u64::MAX);
    if !stored.expired_at(now.saturating_add(margin)) {
        return Some(stored.access_token);
    }
    let still_valid = (!stored.expired_at(now)).then(|| stored.access_token.clone());
    if stored.refresh_token.is_none() {
        return still_valid;
    }
    match refresh(codex_home, server, url, &stored, http).await {
        Ok(access_token) => {
            tracing::info!("refreshed the OAuth token of MCP server `{server}`");
            Some(access_token)
        }
        Err(reason) => {
            tracing::warn!("refreshing the OAuth token of MCP server `{server}` failed: {reason}");
            still_valid
        }
    }
}

/// Whether any credentials are stored for `server` at `url`.
#[allow(
    dead_code,
    reason = "used by the host's MCP views once they tell logged-out servers"
)]
pub(crate) fn has_stored_credentials(codex_home: &Path, server: &str, url: &str) -> bool {
    load_credentials(codex_home, server, url).is_some()
}

/// Refreshes `stored` through rmcp: the issuer's metadata (or, without a stored issuer, the server's
/// discovery), the stored client id, and this file as rmcp's credential store, which saves the answer.
async fn refresh(
    codex_home: &Path,
    server: &str,
    url: &str,
    stored: &StoredOauthTokens,
    http: &reqwest::Client,
) -> Result<String, String> {
    let found = match &stored.issuer {
        Some(issuer) => authorization_server(issuer, http).await?,
        None => {
            let parsed =
                reqwest::Url::parse(url).map_err(|_| "the server URL is not valid".to_string())?;
            discover_authorization_server(&parsed, http).await?
        }
    };
    let mut manager = found.manager;
    manager.set_credential_store(FileCredentialStore {
        codex_home: codex_home.to_path_buf(),
        server: server.to_string(),
        url: url.to_string(),
    });
    manager
        .configure_client_id(&stored.client_id)
        .map_err(|err| err.to_string())?;
    let response = manager
        .refresh_token()
        .await
        .map_err(|err| err.to_string())?;
    Ok(response.access_token().secret().clone())
}

/// This file as rmcp's credential store for one server, during a refresh.
struct FileCredentialStore {
    codex_home: PathBuf,
    server: String,
    url: String,
}

#[async_trait::async_trait]
impl CredentialStore for FileCredentialStore {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        Ok(
            load_credentials(&self.codex_home, &self.server, &self.url).map(|tokens| {
                StoredCredentials {
                    client_id: tokens.client_id.clone(),
                    token_response: Some(tokens.to_token_response()),
                }
            }),
        )
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        let Some(response) = credentials.token_response else {
            return Ok(());
        };
        let key = credentials_key(&self.server, &self.url);
        update_credentials(&self.codex_home, &key, |stored| {
            stored.map(|mut tokens| {
                tokens.client_id = credentials.client_id;
                tokens.take_token_response(&response);
                tokens
            })
        })
        .map_err(AuthError::InternalError)
    }

    async fn clear(&self) -> Result<(), AuthError> {
        let key = credentials_key(&self.server, &self.url);
        update_credentials(&self.codex_home, &key, |_| None).map_err(AuthError::InternalError)
    }
}

/// The entry of `server` at `url`, if the file holds a valid one.
pub(crate) fn load_credentials(
    codex_home: &Path,
    server: &str,
    url: &str,
) -> Option<StoredOauthTokens> {
    let entries = match read_entries(codex_home) {
        Ok(entries) => entries,
        Err(reason) => {
            tracing::warn!("{reason}");
            return None;
        }
    };
    let entry = entries.get(&credentials_key(server, url))?.clone();
    match serde_json::from_value(entry) {
        Ok(tokens) => Some(tokens),
        Err(_) => {
            // serde's message may quote a value of the entry, which may be a token.
            tracing::warn!(
                "the OAuth credentials of MCP server `{server}` in {CREDENTIALS_FILE} are not valid"
            );
            None
        }
    }
}

/// Stores `tokens` as the entry of their server and URL, keeping every other entry.
pub(crate) fn save_credentials(
    codex_home: &Path,
    tokens: &StoredOauthTokens,
) -> Result<(), String> {
    let key = credentials_key(&tokens.server_name, &tokens.server_url);
    update_credentials(codex_home, &key, |_| Some(tokens.clone()))
}

/// Replaces the entry under `key` by what `update` makes of it (`None` removes it), keeping every other entry;
/// the file is replaced atomically, owner-only (0600).
fn update_credentials(
    codex_home: &Path,
    key: &str,
    update: impl FnOnce(Option<StoredOauthTokens>) -> Option<StoredOauthTokens>,
) -> Result<(), String> {
    let _guard = FILE_LOCK
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut entries = read_entries(codex_home)?;
    let current = entries
        .get(key)
        .and_then(|entry| serde_json::from_value(entry.clone()).ok());
    match update(current) {
        Some(tokens) => {
            let entry = serde_json::to_value(&tokens)
                .map_err(|err| format!("cannot encode the OAuth credentials: {err}"))?;
            entries.insert(key.to_string(), entry);
        }
        None => {
            entries.remove(key);
        }
    }
    let bytes = serde_json::to_vec_pretty(&Value::Object(entries))
        .map_err(|err| format!("cannot encode {CREDENTIALS_FILE}: {err}"))?;
    std::fs::create_dir_all(codex_home)
        .map_err(|err| format!("cannot create {}: {err}", codex_home.display()))?;
    write_atomic(&credentials_path(codex_home), &bytes, FileMode::OwnerOnly)
        .map_err(|err| err.to_string())
}

/// The file's entries; none when it does not exist. A file that is not a JSON object is an error (and is not
/// overwritten).
fn read_entries(codex_home: &Path) -> Result<Map<String, Value>, String> {
    let path = credentials_path(codex_home);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Map::new()),
        Err(err) => return Err(format!("cannot read {}: {err}", path.display())),
    };
    if text.trim().is_empty() {
        return Ok(Map::new());
    }
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(entries)) => Ok(entries),
        // A syntax error's message names a line and column, never the content.
        Ok(_) => Err(format!("{} is not a JSON object", path.display())),
        Err(err) => Err(format!("{} is not valid JSON: {err}", path.display())),
    }
}

fn credentials_path(codex_home: &Path) -> PathBuf {
    codex_home.join(CREDENTIALS_FILE)
}

/// Now, in epoch milliseconds.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|since| u64::try_from(since.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
#[path = "oauth_store_tests.rs"]
mod tests;

//! `AuthDotJson`: the upstream `CODEX_HOME/auth.json` layout, how it is read, and how it is written
//! (owner-only 0600, atomically via a temp file in the same directory and a rename).

use std::path::Path;
use std::path::PathBuf;

use chrono::DateTime;
use chrono::Utc;
use serde::Deserialize;
use serde::Serialize;

use super::AuthError;
use super::CodexAuth;
use super::jwt_claims::JwtClaims;
use crate::atomic_write::FileMode;
use crate::atomic_write::write_atomic;

pub const AUTH_FILE_NAME: &str = "auth.json";
pub(crate) const AUTH_MODE_API_KEY: &str = "apikey";
pub(crate) const AUTH_MODE_CHATGPT: &str = "chatgpt";

/// The stored account. Field order matches upstream's file.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AuthDotJson {
    #[serde(default)]
    pub auth_mode: Option<String>,
    #[serde(rename = "OPENAI_API_KEY", default)]
    pub openai_api_key: Option<String>,
    #[serde(default)]
    pub tokens: Option<StoredTokens>,
    /// RFC 3339 time of the last token refresh.
    #[serde(default)]
    pub last_refresh: Option<String>,
    /// Keys a newer upstream writes (e.g. an agent identity), kept as they are when we rewrite the
    /// file (a token refresh), so sharing `CODEX_HOME` with upstream loses none of its state.
    #[serde(flatten)]
    pub other_fields: serde_json::Map<String, serde_json::Value>,
}

/// ChatGPT OAuth tokens as stored by our login flow (or upstream's).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredTokens {
    #[serde(default)]
    pub id_token: Option<String>,
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
    /// Token fields a newer upstream writes, kept on rewrite.
    #[serde(flatten)]
    pub other_fields: serde_json::Map<String, serde_json::Value>,
}

impl AuthDotJson {
    pub(super) fn api_key(key: String) -> Self {
        AuthDotJson {
            auth_mode: Some(AUTH_MODE_API_KEY.to_string()),
            openai_api_key: Some(key),
            tokens: None,
            last_refresh: None,
            other_fields: serde_json::Map::new(),
        }
    }

    pub(super) fn chatgpt(tokens: StoredTokens, refreshed_at: DateTime<Utc>) -> Self {
        AuthDotJson {
            auth_mode: Some(AUTH_MODE_CHATGPT.to_string()),
            openai_api_key: None,
            tokens: Some(tokens),
            last_refresh: Some(refreshed_at.to_rfc3339()),
            other_fields: serde_json::Map::new(),
        }
    }

    /// The ChatGPT tokens when they are the credentials in use (an explicit `apikey` mode with a key wins).
    pub(super) fn active_tokens(&self) -> Option<&StoredTokens> {
        let prefers_api_key = self
            .auth_mode
            .as_deref()
            .is_some_and(|mode| mode.eq_ignore_ascii_case(AUTH_MODE_API_KEY));
        match (&self.tokens, self.usable_api_key()) {
            (Some(_), Some(_)) if prefers_api_key => None,
            (tokens, _) => tokens.as_ref(),
        }
    }

    fn usable_api_key(&self) -> Option<&str> {
        self.openai_api_key
            .as_deref()
            .filter(|key| !key.trim().is_empty())
    }

    pub(super) fn last_refresh(&self) -> Option<DateTime<Utc>> {
        self.last_refresh
            .as_deref()
            .and_then(|text| DateTime::parse_from_rfc3339(text).ok())
            .map(|time| time.with_timezone(&Utc))
    }

    /// The credentials this file grants.
    pub(super) fn to_codex_auth(&self) -> Option<CodexAuth> {
        match self.active_tokens() {
            Some(tokens) => {
                let claims = tokens.claims();
                Some(CodexAuth::ChatGpt {
                    access_token: tokens.access_token.clone(),
                    account_id: tokens.account_id.clone().or(claims.account_id),
                    plan_type: claims.plan_type,
                })
            }
            None => self.usable_api_key().map(|key| CodexAuth::ApiKey {
                key: key.to_string(),
            }),
        }
    }
}

impl StoredTokens {
    /// Id token claims first (profile, plan), then the access token's (expiry).
    pub(super) fn claims(&self) -> JwtClaims {
        JwtClaims::merged(
            self.id_token
                .as_deref()
                .into_iter()
                .chain([self.access_token.as_str()]),
        )
    }
}

pub(crate) fn auth_file_path(codex_home: &Path) -> PathBuf {
    codex_home.join(AUTH_FILE_NAME)
}

/// `Ok(None)` when there is no file.
pub(crate) fn read_auth_file(path: &Path) -> Result<Option<AuthDotJson>, AuthError> {
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
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|err| AuthError::AuthFileUnreadable {
            path: path.display().to_string(),
            message: format!(
                "invalid JSON at line {} column {}",
                err.line(),
                err.column()
            ),
        })
}

/// Writes `auth` to `codex_home/auth.json` so that no reader ever sees a partial file or a moment where
/// it is readable by others.
pub(crate) fn write_auth_file(codex_home: &Path, auth: &AuthDotJson) -> Result<(), AuthError> {
    let path = auth_file_path(codex_home);
    let write_error = |err: std::io::Error| AuthError::AuthFileUnwritable {
        path: path.display().to_string(),
        message: err.to_string(),
    };
    std::fs::create_dir_all(codex_home).map_err(write_error)?;
    let json = serde_json::to_string_pretty(auth).map_err(|err| AuthError::AuthFileUnwritable {
        path: path.display().to_string(),
        message: format!("failed to encode: {err}"),
    })?;
    write_atomic(&path, json.as_bytes(), FileMode::OwnerOnly).map_err(|err| {
        AuthError::AuthFileUnwritable {
            path: path.display().to_string(),
            message: err.to_string(),
        }
    })
}

/// Removes the file; `Ok(true)` when there was one.
pub(crate) fn remove_auth_file(codex_home: &Path) -> Result<bool, AuthError> {
    let path = auth_file_path(codex_home);
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(err) => Err(AuthError::AuthFileUnwritable {
            path: path.display().to_string(),
            message: err.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn api_key_file_matches_upstream_layout() {
        let home = tempfile::tempdir().unwrap();
        write_auth_file(home.path(), &AuthDotJson::api_key("sk-1".to_string())).unwrap();
        let text = std::fs::read_to_string(auth_file_path(home.path())).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"auth_mode":"apikey","OPENAI_API_KEY":"sk-1","tokens":null,"last_refresh":null})
        );
        let leftovers: Vec<_> = std::fs::read_dir(home.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(leftovers, vec![std::ffi::OsString::from(AUTH_FILE_NAME)]);
    }

    #[test]
    fn unreadable_json_error_does_not_quote_the_file() {
        let home = tempfile::tempdir().unwrap();
        let path = auth_file_path(home.path());
        std::fs::write(&path, r#"{"OPENAI_API_KEY": sk-secret-value}"#).unwrap();
        let err = read_auth_file(&path).err().unwrap().to_string();
        assert!(!err.contains("sk-secret"), "{err}");
    }

    #[test]
    fn explicit_api_key_mode_wins_over_tokens() {
        let file = AuthDotJson {
            auth_mode: Some("apikey".to_string()),
            openai_api_key: Some("sk-1".to_string()),
            tokens: Some(StoredTokens {
                id_token: None,
                access_token: "at".to_string(),
                refresh_token: None,
                account_id: None,
                other_fields: serde_json::Map::new(),
            }),
            last_refresh: None,
            other_fields: serde_json::Map::new(),
        };
        assert_eq!(
            file.to_codex_auth(),
            Some(CodexAuth::ApiKey {
                key: "sk-1".to_string()
            })
        );
    }

    #[test]
    fn fields_a_newer_upstream_writes_survive_our_rewrite() {
        let home = tempfile::tempdir().unwrap();
        let path = auth_file_path(home.path());
        let upstream = serde_json::json!({
            "auth_mode": "chatgpt",
            "OPENAI_API_KEY": null,
            "tokens": {
                "id_token": "id", "access_token": "at", "refresh_token": "rt",
                "account_id": "acct", "token_kind": "future",
            },
            "last_refresh": "2026-12-04T23:58:12Z",
            "agent_identity": {"id": "agent-1"},
        });
        std::fs::write(&path, upstream.to_string()).unwrap();
        let file = read_auth_file(&path).unwrap().unwrap();
        write_auth_file(home.path(), &file).unwrap();
        let rewritten: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(rewritten, upstream);
    }
}

//! WebSocket authentication (`--ws-auth`), with upstream's semantics: the client presents
//! `Authorization: Bearer <token>` on the upgrade request; a capability token is compared by SHA-256 digest
//! in constant time, a signed bearer token is an HS256 JWT checked for `exp`, `nbf`, `iss` and `aud`.
//! Tokens and secrets never reach a log or an error message.

use std::path::Path;
use std::path::PathBuf;

use sha2::Digest;
use sha2::Sha256;

use crate::cli::WsAuthArgs;
use crate::cli::WsAuthMode;
use crate::ws_auth_rejection::WsAuthRejection;

/// `--ws-max-clock-skew-seconds` when absent, as upstream.
pub const DEFAULT_MAX_CLOCK_SKEW_SECONDS: u64 = 30;

/// HS256 secrets shorter than this are refused at startup, as upstream.
pub const MIN_SHARED_SECRET_BYTES: usize = 32;

/// Why the auth flags cannot be used; the daemon does not start.
#[derive(Debug, thiserror::Error)]
pub enum WsAuthConfigError {
    #[error(
        "`--ws-token-file` or `--ws-token-sha256` is required with `--ws-auth capability-token`"
    )]
    MissingToken,
    #[error("`--ws-token-file` and `--ws-token-sha256` are mutually exclusive")]
    TwoTokens,
    #[error("--ws-token-sha256 must be a 64-character hex SHA-256 digest")]
    BadTokenDigest,
    #[error("`--ws-shared-secret-file` is required with `--ws-auth signed-bearer-token`")]
    MissingSharedSecret,
    #[error("{flags} require `--ws-auth {mode}`")]
    FlagsOfOtherMode {
        flags: &'static str,
        mode: &'static str,
    },
    #[error(
        "websocket auth flags require `--ws-auth capability-token` or `--ws-auth signed-bearer-token`"
    )]
    FlagsWithoutMode,
    #[error("{flag} must be an absolute path, not {}", path.display())]
    RelativePath { flag: &'static str, path: PathBuf },
    #[error("failed to read websocket auth secret {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("websocket auth secret {} must not be empty", path.display())]
    EmptySecret { path: PathBuf },
    #[error("signed websocket bearer secret {} must be at least {MIN_SHARED_SECRET_BYTES} bytes", path.display())]
    ShortSecret { path: PathBuf },
    #[error("--ws-max-clock-skew-seconds is too large")]
    SkewTooLarge,
}

/// How upgrades are checked; `None` lets every upgrade through.
#[derive(Clone)]
pub enum WsAuthPolicy {
    None,
    CapabilityToken {
        token_sha256: [u8; 32],
    },
    SignedBearerToken {
        shared_secret: Vec<u8>,
        issuer: Option<String>,
        audience: Option<String>,
        max_clock_skew_seconds: i64,
    },
}

impl std::fmt::Debug for WsAuthPolicy {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the digest or the secret.
        formatter.write_str(match self {
            WsAuthPolicy::None => "WsAuthPolicy::None",
            WsAuthPolicy::CapabilityToken { .. } => "WsAuthPolicy::CapabilityToken",
            WsAuthPolicy::SignedBearerToken { .. } => "WsAuthPolicy::SignedBearerToken",
        })
    }
}

impl WsAuthPolicy {
    /// Checks the flags' combination and reads the token or secret file.
    pub fn from_args(args: &WsAuthArgs) -> Result<WsAuthPolicy, WsAuthConfigError> {
        let jwt_flags = args.shared_secret_file.is_some()
            || args.issuer.is_some()
            || args.audience.is_some()
            || args.max_clock_skew_seconds.is_some();
        let token_flags = args.token_file.is_some() || args.token_sha256.is_some();
        match args.mode {
            None if jwt_flags || token_flags => Err(WsAuthConfigError::FlagsWithoutMode),
            None => Ok(WsAuthPolicy::None),
            Some(WsAuthMode::CapabilityToken) if jwt_flags => {
                Err(WsAuthConfigError::FlagsOfOtherMode {
                    flags: "`--ws-shared-secret-file`, `--ws-issuer`, `--ws-audience` and `--ws-max-clock-skew-seconds`",
                    mode: "signed-bearer-token",
                })
            }
            Some(WsAuthMode::CapabilityToken) => capability_token(args),
            Some(WsAuthMode::SignedBearerToken) if token_flags => {
                Err(WsAuthConfigError::FlagsOfOtherMode {
                    flags: "`--ws-token-file` and `--ws-token-sha256`",
                    mode: "capability-token",
                })
            }
            Some(WsAuthMode::SignedBearerToken) => signed_bearer_token(args),
        }
    }

    pub fn is_enabled(&self) -> bool {
        !matches!(self, WsAuthPolicy::None)
    }

    /// Checks the `Authorization` header of an upgrade request.
    pub fn authorize(&self, authorization: Option<&[u8]>) -> Result<(), WsAuthRejection> {
        let token = match self {
            WsAuthPolicy::None => return Ok(()),
            WsAuthPolicy::CapabilityToken { .. } | WsAuthPolicy::SignedBearerToken { .. } => {
                bearer_token(authorization)?
            }
        };
        match self {
            WsAuthPolicy::None => Ok(()),
            WsAuthPolicy::CapabilityToken { token_sha256 } => {
                if constant_time_eq(token_sha256, &sha256(token.as_bytes())) {
                    Ok(())
                } else {
                    Err(WsAuthRejection::WrongToken)
                }
            }
            WsAuthPolicy::SignedBearerToken {
                shared_secret,
                issuer,
                audience,
                max_clock_skew_seconds,
            } => {
                let claims = crate::ws_jwt::verify_hs256(token, shared_secret)
                    .map_err(|_| WsAuthRejection::InvalidJwt)?;
                claims.check(
                    issuer.as_deref(),
                    audience.as_deref(),
                    *max_clock_skew_seconds,
                    unix_now(),
                )
            }
        }
    }
}

fn capability_token(args: &WsAuthArgs) -> Result<WsAuthPolicy, WsAuthConfigError> {
    let token_sha256 = match (&args.token_file, &args.token_sha256) {
        (Some(_), Some(_)) => return Err(WsAuthConfigError::TwoTokens),
        (None, None) => return Err(WsAuthConfigError::MissingToken),
        (Some(path), None) => sha256(read_secret("--ws-token-file", path)?.as_bytes()),
        (None, Some(hex)) => parse_sha256_hex(hex).ok_or(WsAuthConfigError::BadTokenDigest)?,
    };
    Ok(WsAuthPolicy::CapabilityToken { token_sha256 })
}

fn signed_bearer_token(args: &WsAuthArgs) -> Result<WsAuthPolicy, WsAuthConfigError> {
    let path = args
        .shared_secret_file
        .as_ref()
        .ok_or(WsAuthConfigError::MissingSharedSecret)?;
    let shared_secret = read_secret("--ws-shared-secret-file", path)?.into_bytes();
    if shared_secret.len() < MIN_SHARED_SECRET_BYTES {
        return Err(WsAuthConfigError::ShortSecret { path: path.clone() });
    }
    let non_blank = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_string)
    };
    let max_clock_skew_seconds = i64::try_from(
        args.max_clock_skew_seconds
            .unwrap_or(DEFAULT_MAX_CLOCK_SKEW_SECONDS),
    )
    .map_err(|_| WsAuthConfigError::SkewTooLarge)?;
    Ok(WsAuthPolicy::SignedBearerToken {
        shared_secret,
        issuer: non_blank(&args.issuer),
        audience: non_blank(&args.audience),
        max_clock_skew_seconds,
    })
}

/// The file's content without surrounding whitespace; it must be absolute and non-empty.
fn read_secret(flag: &'static str, path: &Path) -> Result<String, WsAuthConfigError> {
    if !path.is_absolute() {
        return Err(WsAuthConfigError::RelativePath {
            flag,
            path: path.to_path_buf(),
        });
    }
    let raw = std::fs::read_to_string(path).map_err(|source| WsAuthConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(WsAuthConfigError::EmptySecret {
            path: path.to_path_buf(),
        });
    }
    Ok(trimmed.to_string())
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
fn bearer_token(authorization: Option<&[u8]>) -> Result<&str, WsAuthRejection> {
    let header = authorization.ok_or(WsAuthRejection::MissingToken)?;
    let header = std::str::from_utf8(header).map_err(|_| WsAuthRejection::InvalidHeader)?;
    let (scheme, token) = header
        .split_once(' ')
        .ok_or(WsAuthRejection::InvalidHeader)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(WsAuthRejection::InvalidHeader);
    }
    Ok(token)
}

pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn parse_sha256_hex(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim().as_bytes();
    if hex.len() != 64 {
        return None;
    }
    let mut digest = [0u8; 32];
    for (byte, pair) in digest.iter_mut().zip(hex.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(digest)
}

/// Equal digests, in time independent of where they differ.
fn constant_time_eq(expected: &[u8; 32], actual: &[u8; 32]) -> bool {
    expected
        .iter()
        .zip(actual)
        .fold(0u8, |difference, (left, right)| difference | (left ^ right))
        == 0
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    /// Signs `claims` as an HS256 JWT.
    fn sign_hs256(claims: &serde_json::Value, shared_secret: &[u8]) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{payload}");
        let signature = crate::ws_jwt::hmac_sha256(shared_secret, signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn jwt_policy() -> WsAuthPolicy {
        WsAuthPolicy::SignedBearerToken {
            shared_secret: SECRET.to_vec(),
            issuer: Some("issuer".to_string()),
            audience: Some("codex".to_string()),
            max_clock_skew_seconds: 30,
        }
    }

    fn bearer(token: &str) -> Vec<u8> {
        format!("Bearer {token}").into_bytes()
    }

    #[test]
    fn capability_token_is_compared_by_digest() {
        let policy = WsAuthPolicy::CapabilityToken {
            token_sha256: sha256(b"s3cret"),
        };
        let results = [
            policy.authorize(Some(&bearer("s3cret"))),
            policy.authorize(Some(b"bearer  s3cret ")),
            policy.authorize(Some(&bearer("s3cret2"))),
            policy.authorize(Some(b"Basic s3cret")),
            policy.authorize(Some(b"Bearer")),
            policy.authorize(None),
        ];
        assert_eq!(
            results,
            [
                Ok(()),
                Ok(()),
                Err(WsAuthRejection::WrongToken),
                Err(WsAuthRejection::InvalidHeader),
                Err(WsAuthRejection::InvalidHeader),
                Err(WsAuthRejection::MissingToken),
            ]
        );
    }

    #[test]
    fn signed_bearer_token_checks_signature_and_claims() {
        let now = unix_now();
        let good = json!({"exp": now + 60, "iss": "issuer", "aud": ["other", "codex"]});
        let cases = [
            (sign_hs256(&good, SECRET), Ok(())),
            (
                sign_hs256(&good, b"another secret another secret 12"),
                Err(WsAuthRejection::InvalidJwt),
            ),
            (
                sign_hs256(
                    &json!({"exp": now - 31, "iss": "issuer", "aud": "codex"}),
                    SECRET,
                ),
                Err(WsAuthRejection::Expired),
            ),
            (
                sign_hs256(
                    &json!({"exp": now - 10, "iss": "issuer", "aud": "codex"}),
                    SECRET,
                ),
                Ok(()),
            ),
            (
                sign_hs256(
                    &json!({"exp": now + 60, "nbf": now + 100, "iss": "issuer", "aud": "codex"}),
                    SECRET,
                ),
                Err(WsAuthRejection::NotYetValid),
            ),
            (
                sign_hs256(
                    &json!({"exp": now + 60, "iss": "x", "aud": "codex"}),
                    SECRET,
                ),
                Err(WsAuthRejection::WrongIssuer),
            ),
            (
                sign_hs256(
                    &json!({"exp": now + 60, "iss": "issuer", "aud": "x"}),
                    SECRET,
                ),
                Err(WsAuthRejection::WrongAudience),
            ),
            (
                sign_hs256(&json!({"iss": "issuer", "aud": "codex"}), SECRET),
                Err(WsAuthRejection::InvalidJwt),
            ),
            ("not.a.jwt".to_string(), Err(WsAuthRejection::InvalidJwt)),
        ];
        let policy = jwt_policy();
        for (token, expected) in cases {
            assert_eq!(policy.authorize(Some(&bearer(&token))), expected, "{token}");
        }
    }

    #[test]
    fn flag_combinations_are_checked() {
        let token_sha256 = Some("ab".repeat(32));
        let cases = [
            (
                WsAuthArgs {
                    issuer: Some("i".to_string()),
                    ..WsAuthArgs::default()
                },
                "websocket auth flags require",
            ),
            (
                WsAuthArgs {
                    mode: Some(WsAuthMode::CapabilityToken),
                    ..WsAuthArgs::default()
                },
                "is required with `--ws-auth capability-token`",
            ),
            (
                WsAuthArgs {
                    mode: Some(WsAuthMode::CapabilityToken),
                    token_sha256: Some("abc".to_string()),
                    ..WsAuthArgs::default()
                },
                "64-character hex",
            ),
            (
                WsAuthArgs {
                    mode: Some(WsAuthMode::CapabilityToken),
                    token_sha256: token_sha256.clone(),
                    token_file: Some(PathBuf::from("/t")),
                    ..WsAuthArgs::default()
                },
                "mutually exclusive",
            ),
            (
                WsAuthArgs {
                    mode: Some(WsAuthMode::SignedBearerToken),
                    token_sha256,
                    ..WsAuthArgs::default()
                },
                "require `--ws-auth capability-token`",
            ),
            (
                WsAuthArgs {
                    mode: Some(WsAuthMode::SignedBearerToken),
                    shared_secret_file: Some(PathBuf::from("relative")),
                    ..WsAuthArgs::default()
                },
                "must be an absolute path",
            ),
        ];
        for (args, expected) in cases {
            let error = WsAuthPolicy::from_args(&args).expect_err("must fail");
            assert!(error.to_string().contains(expected), "{error}");
        }
    }

    #[test]
    fn a_short_shared_secret_is_refused_and_files_are_trimmed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let short = dir.path().join("short");
        std::fs::write(&short, "too short\n").expect("write");
        let token = dir.path().join("token");
        std::fs::write(&token, "  tok\n").expect("write");
        let error = WsAuthPolicy::from_args(&WsAuthArgs {
            mode: Some(WsAuthMode::SignedBearerToken),
            shared_secret_file: Some(short),
            ..WsAuthArgs::default()
        })
        .expect_err("short");
        assert!(error.to_string().contains("at least 32 bytes"), "{error}");
        let policy = WsAuthPolicy::from_args(&WsAuthArgs {
            mode: Some(WsAuthMode::CapabilityToken),
            token_file: Some(token),
            ..WsAuthArgs::default()
        })
        .expect("policy");
        assert_eq!(policy.authorize(Some(&bearer("tok"))), Ok(()));
    }
}

//! `JwtClaims`: the account facts Codex reads from an OpenAI id/access token payload (email, plan, workspace
//! id, expiry). Signatures are not verified: the claims only label the account and time refreshes, they
//! grant nothing; the backend checks the token itself.

use base64::Engine;
use chrono::DateTime;
use chrono::Utc;
use serde_json::Value;

const AUTH_CLAIMS_NAMESPACE: &str = "https://api.openai.com/auth";
const PROFILE_CLAIMS_NAMESPACE: &str = "https://api.openai.com/profile";

/// The claims of one JWT that Codex cares about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwtClaims {
    pub email: Option<String>,
    pub plan_type: Option<String>,
    pub account_id: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl JwtClaims {
    /// Decodes the payload of `jwt`; `None` when it is not a JWT with a JSON object payload.
    pub fn parse(jwt: &str) -> Option<JwtClaims> {
        let payload = jwt.split('.').nth(1)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload.trim_end_matches('='))
            .ok()?;
        let claims: Value = serde_json::from_slice(&bytes).ok()?;
        if !claims.is_object() {
            return None;
        }
        let string_at = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
        let auth = claims.get(AUTH_CLAIMS_NAMESPACE);
        Some(JwtClaims {
            email: string_at(claims.get("email")).or_else(|| {
                string_at(
                    claims
                        .get(PROFILE_CLAIMS_NAMESPACE)
                        .and_then(|p| p.get("email")),
                )
            }),
            plan_type: string_at(auth.and_then(|a| a.get("chatgpt_plan_type"))),
            account_id: string_at(auth.and_then(|a| a.get("chatgpt_account_id"))),
            expires_at: claims
                .get("exp")
                .and_then(Value::as_i64)
                .and_then(|exp| DateTime::from_timestamp(exp, 0)),
        })
    }

    /// Claims of the first token that parses, with each missing field filled from the next one (the id
    /// token carries the profile, the access token the expiry).
    pub fn merged<'a>(tokens: impl IntoIterator<Item = &'a str>) -> JwtClaims {
        tokens
            .into_iter()
            .filter_map(JwtClaims::parse)
            .fold(JwtClaims::default(), |acc, next| JwtClaims {
                email: acc.email.or(next.email),
                plan_type: acc.plan_type.or(next.plan_type),
                account_id: acc.account_id.or(next.account_id),
                expires_at: acc.expires_at.or(next.expires_at),
            })
    }
}

#[cfg(test)]
pub(crate) fn fake_jwt(claims: &Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = engine.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = engine.encode(claims.to_string());
    format!("{header}.{payload}.sig")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn reads_namespaced_claims_and_expiry() {
        let jwt = fake_jwt(&json!({
            "email": "u@example.com",
            "exp": 1_700_000_000,
            "https://api.openai.com/auth": {
                "chatgpt_plan_type": "pro",
                "chatgpt_account_id": "acc_1"
            }
        }));
        assert_eq!(
            JwtClaims::parse(&jwt),
            Some(JwtClaims {
                email: Some("u@example.com".to_string()),
                plan_type: Some("pro".to_string()),
                account_id: Some("acc_1".to_string()),
                expires_at: DateTime::from_timestamp(1_700_000_000, 0),
            })
        );
    }

    #[test]
    fn email_falls_back_to_the_profile_namespace() {
        let jwt = fake_jwt(&json!({"https://api.openai.com/profile": {"email": "p@example.com"}}));
        assert_eq!(
            JwtClaims::parse(&jwt),
            Some(JwtClaims {
                email: Some("p@example.com".to_string()),
                ..JwtClaims::default()
            })
        );
    }

    #[test]
    fn non_jwts_have_no_claims_and_merge_fills_gaps() {
        assert_eq!(JwtClaims::parse("garbage"), None);
        assert_eq!(JwtClaims::parse("a.!!!.c"), None);
        let id = fake_jwt(&json!({"email": "u@example.com"}));
        let access = fake_jwt(&json!({"exp": 10, "email": "other@example.com"}));
        assert_eq!(
            JwtClaims::merged(["garbage", id.as_str(), access.as_str()]),
            JwtClaims {
                email: Some("u@example.com".to_string()),
                plan_type: None,
                account_id: None,
                expires_at: DateTime::from_timestamp(10, 0),
            }
        );
    }
}

//! Unsigned JWTs shaped like the ChatGPT tokens an issuer or a host hands over (the server only reads their
//! claims), for the sign-in suites.

use base64::Engine;
use serde_json::Value;

/// An unsigned JWT carrying `claims`.
pub fn fake_jwt(claims: &Value) -> String {
    let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = engine.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let payload = engine.encode(claims.to_string());
    format!("{header}.{payload}.sig")
}

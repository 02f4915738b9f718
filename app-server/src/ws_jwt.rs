//! The HS256 JSON Web Tokens of `--ws-auth signed-bearer-token`: signature check (only `alg: HS256` is
//! accepted, so a token cannot choose a weaker algorithm) and the time, issuer and audience claims.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac;
use serde::Deserialize;

use crate::ws_auth_rejection::WsAuthRejection;

type HmacSha256 = hmac::Hmac<sha2::Sha256>;

/// Why a token's signature or shape is unusable; reported to the client only as "invalid websocket jwt".
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    #[error("not three base64url segments")]
    Malformed,
    #[error("header algorithm is not HS256")]
    WrongAlgorithm,
    #[error("signature mismatch")]
    BadSignature,
    #[error("claims are not a JSON object with a numeric `exp`")]
    BadClaims,
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

/// The claims the daemon checks; `exp` is required.
#[derive(Debug, Deserialize)]
pub struct Claims {
    exp: i64,
    nbf: Option<i64>,
    iss: Option<String>,
    aud: Option<Audience>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Audience {
    One(String),
    Many(Vec<String>),
}

/// The HMAC-SHA256 of `message` (tests mint tokens with it).
#[cfg(test)]
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Checks the signature of `token` with `secret` and returns its claims.
pub fn verify_hs256(token: &str, secret: &[u8]) -> Result<Claims, JwtError> {
    let mut segments = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) = (
        segments.next(),
        segments.next(),
        segments.next(),
        segments.next(),
    ) else {
        return Err(JwtError::Malformed);
    };
    let decode = |segment: &str| {
        URL_SAFE_NO_PAD
            .decode(segment)
            .map_err(|_| JwtError::Malformed)
    };
    let header: Header =
        serde_json::from_slice(&decode(header)?).map_err(|_| JwtError::Malformed)?;
    if header.alg != "HS256" {
        return Err(JwtError::WrongAlgorithm);
    }
    let signing_input_len = token.len() - signature.len() - 1;
    let mut mac =
        <HmacSha256 as Mac>::new_from_slice(secret).map_err(|_| JwtError::BadSignature)?;
    mac.update(&token.as_bytes()[..signing_input_len]);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&decode(signature)?)
        .map_err(|_| JwtError::BadSignature)?;
    serde_json::from_slice(&decode(payload)?).map_err(|_| JwtError::BadClaims)
}

impl Claims {
    /// `exp` and `nbf` with `skew` seconds of tolerance, then the issuer and audience when expected.
    pub fn check(
        &self,
        issuer: Option<&str>,
        audience: Option<&str>,
        skew: i64,
        now: i64,
    ) -> Result<(), WsAuthRejection> {
        if now > self.exp.saturating_add(skew) {
            return Err(WsAuthRejection::Expired);
        }
        if self.nbf.is_some_and(|nbf| now < nbf.saturating_sub(skew)) {
            return Err(WsAuthRejection::NotYetValid);
        }
        if issuer.is_some_and(|issuer| self.iss.as_deref() != Some(issuer)) {
            return Err(WsAuthRejection::WrongIssuer);
        }
        if let Some(expected) = audience {
            let matches = match &self.aud {
                Some(Audience::One(audience)) => audience == expected,
                Some(Audience::Many(audiences)) => audiences.iter().any(|aud| aud == expected),
                None => false,
            };
            if !matches {
                return Err(WsAuthRejection::WrongAudience);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|byte| format!("{byte:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn a_token_naming_another_algorithm_is_refused() {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let payload = URL_SAFE_NO_PAD.encode(br#"{"exp":1}"#);
        assert_eq!(
            verify_hs256(&format!("{header}.{payload}."), b"k").map(|_| ()),
            Err(JwtError::WrongAlgorithm)
        );
    }
}

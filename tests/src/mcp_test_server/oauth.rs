//! The `--oauth` mode of the streamable HTTP transport: `/mcp` as an OAuth-protected resource and, on the
//! same origin, its authorization server. RFC 9728 protected-resource metadata, RFC 8414 metadata, dynamic
//! client registration (RFC 7591), an `/authorize` that approves at once (a user who says yes: 302 to the
//! `redirect_uri` with a fresh code), and a `/token` that checks the code and its PKCE S256 verifier, then
//! issues an access token `/mcp` accepts from then on.

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::Arc;
use std::sync::Mutex;

use axum::Form;
use axum::Json;
use axum::Router;
use axum::extract::Query;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use serde_json::json;
use sha2::Digest;
use sha2::Sha256;

/// The authorization server's state: the codes handed out (with their PKCE challenge) and the tokens issued.
pub(super) struct Oauth {
    /// `http://ADDR`, the origin of `/mcp` and of every OAuth endpoint.
    base: String,
    state: Mutex<Issued>,
}

#[derive(Default)]
struct Issued {
    /// Each unused code and the `code_challenge` of its `/authorize`.
    codes: HashMap<String, String>,
    access_tokens: HashSet<String>,
    refresh_tokens: HashSet<String>,
}

impl Oauth {
    pub(super) fn new(base: String) -> Oauth {
        Oauth {
            base,
            state: Mutex::new(Issued::default()),
        }
    }

    /// Whether the request carries `Authorization: Bearer <an issued access token>`.
    pub(super) fn authorized(&self, headers: &HeaderMap) -> bool {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        let Some(token) = token else {
            return false;
        };
        self.state
            .lock()
            .is_ok_and(|state| state.access_tokens.contains(token))
    }

    /// The 401 that points at the protected-resource metadata.
    pub(super) fn challenge(&self) -> Response {
        let value = format!(
            "Bearer resource_metadata=\"{}/.well-known/oauth-protected-resource/mcp\"",
            self.base
        );
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::try_from(value) {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        (
            StatusCode::UNAUTHORIZED,
            headers,
            "an OAuth access token is required",
        )
            .into_response()
    }
}

/// The metadata and authorization-server endpoints, to merge beside `/mcp`.
pub(super) fn routes(oauth: Arc<Oauth>) -> Router {
    Router::new()
        .route(
            "/.well-known/oauth-protected-resource/mcp",
            get(protected_resource),
        )
        .route(
            "/.well-known/oauth-protected-resource",
            get(protected_resource),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(authorization_server),
        )
        .route("/register", post(register))
        .route("/authorize", get(authorize))
        .route("/token", post(token))
        .with_state(oauth)
}

async fn protected_resource(State(oauth): State<Arc<Oauth>>) -> Json<Value> {
    let base = &oauth.base;
    Json(json!({"resource": format!("{base}/mcp"), "authorization_servers": [base]}))
}

async fn authorization_server(State(oauth): State<Arc<Oauth>>) -> Json<Value> {
    let base = &oauth.base;
    Json(json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "registration_endpoint": format!("{base}/register"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
    }))
}

async fn register(Json(registration): Json<Value>) -> Json<Value> {
    Json(json!({
        "client_id": format!("test-client-{}", random_hex()),
        "redirect_uris": registration["redirect_uris"],
        "token_endpoint_auth_method": "none",
    }))
}

/// Approves at once: 302 to `redirect_uri` with a fresh code and the client's `state`.
async fn authorize(
    State(oauth): State<Arc<Oauth>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| query.get(name).map(String::as_str);
    let (Some(redirect_uri), Some(challenge), Some("S256")) = (
        field("redirect_uri"),
        field("code_challenge"),
        field("code_challenge_method"),
    ) else {
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri, code_challenge and code_challenge_method=S256 are required",
        )
            .into_response();
    };
    let code = random_hex();
    if let Ok(mut state) = oauth.state.lock() {
        state.codes.insert(code.clone(), challenge.to_string());
    }
    let separator = if redirect_uri.contains('?') { '&' } else { '?' };
    let mut location = format!("{redirect_uri}{separator}code={code}");
    if let Some(state) = field("state") {
        location.push_str(&format!("&state={}", percent_encode(state)));
    }
    match HeaderValue::try_from(location) {
        Ok(location) => (StatusCode::FOUND, [(header::LOCATION, location)]).into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "bad redirect_uri").into_response(),
    }
}

/// The code (with its PKCE verifier) or a refresh token for a new pair of tokens.
async fn token(
    State(oauth): State<Arc<Oauth>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str);
    let Ok(mut state) = oauth.state.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let granted = match field("grant_type") {
        Some("authorization_code") => {
            let challenge = field("code").and_then(|code| state.codes.remove(code));
            match (challenge, field("code_verifier")) {
                (Some(challenge), Some(verifier)) => s256(verifier) == challenge,
                _ => false,
            }
        }
        Some("refresh_token") => field("refresh_token")
            .is_some_and(|refresh_token| state.refresh_tokens.remove(refresh_token)),
        _ => false,
    };
    if !granted {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response();
    }
    let access_token = random_hex();
    let refresh_token = random_hex();
    state.access_tokens.insert(access_token.clone());
    state.refresh_tokens.insert(refresh_token.clone());
    Json(json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": refresh_token,
    }))
    .into_response()
}

/// RFC 7636's S256: base64url (no padding) of the verifier's SHA-256.
fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn random_hex() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

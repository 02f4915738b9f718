//! Tests of the MCP OAuth login against `MockOauthServer`, a protected MCP resource with its authorization
//! server (axum on 127.0.0.1), which the store's refresh tests use too.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::Method;
use axum::http::StatusCode;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::response::Response;
use base64::Engine;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;
use sha2::Digest;

use super::*;
use crate::mcp::oauth_discovery::resource_metadata_param;
use crate::mcp::oauth_store::CREDENTIALS_FILE;
use crate::mcp::oauth_store::credentials_key;
use crate::mcp::oauth_store::now_ms;

/// A protected MCP resource at `/mcp` and its authorization server on one origin: RFC 9728 and RFC 8414
/// metadata (unless built without OAuth), registration (`cid123`), and a token endpoint that takes the code
/// `code123` (tokens `at123`/`rt123`) and the refresh token `rt123` (tokens `at456`/`rt456`).
pub(crate) struct MockOauthServer {
    pub(crate) base: String,
    state: Arc<MockState>,
}

struct MockState {
    base: String,
    oauth: bool,
    /// `<METHOD> <path>` and the body of every request, in order.
    requests: Mutex<Vec<(String, String)>>,
}

impl MockOauthServer {
    pub(crate) async fn start(oauth: bool) -> MockOauthServer {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(MockState {
            base: base.clone(),
            oauth,
            requests: Mutex::new(Vec::new()),
        });
        let router = Router::new().fallback(handle).with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, router).await });
        MockOauthServer { base, state }
    }

    pub(crate) fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base)
    }

    /// `<METHOD> <path>` of the requests so far.
    pub(crate) fn requests(&self) -> Vec<String> {
        let requests = self.state.requests.lock().unwrap();
        requests
            .iter()
            .map(|(request, _)| request.clone())
            .collect()
    }

    /// The body of the last request to `request` (`<METHOD> <path>`).
    pub(crate) fn body_of(&self, request: &str) -> String {
        let requests = self.state.requests.lock().unwrap();
        let found = requests.iter().rev().find(|(seen, _)| seen == request);
        found.map(|(_, body)| body.clone()).unwrap()
    }
}

async fn handle(
    State(mock): State<Arc<MockState>>,
    method: Method,
    uri: Uri,
    body: String,
) -> Response {
    let request = format!("{method} {}", uri.path());
    mock.state_push(&request, &body);
    let base = mock.base.as_str();
    match (request.as_str(), mock.oauth) {
        ("GET /mcp" | "POST /mcp", _) => (
            StatusCode::UNAUTHORIZED,
            [(reqwest::header::WWW_AUTHENTICATE, "Bearer")],
        )
            .into_response(),
        ("GET /.well-known/oauth-protected-resource/mcp", true) => Json(json!({
            "resource": format!("{base}/mcp"),
            "authorization_servers": [base],
        }))
        .into_response(),
        ("GET /.well-known/oauth-authorization-server", true) => Json(json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/authorize"),
            "token_endpoint": format!("{base}/token"),
            "registration_endpoint": format!("{base}/register"),
            "response_types_supported": ["code"],
            "code_challenge_methods_supported": ["S256"],
        }))
        .into_response(),
        ("POST /register", _) => {
            let registration: Value = serde_json::from_str(&body).unwrap();
            Json(json!({
                "client_id": "cid123",
                "redirect_uris": registration["redirect_uris"],
            }))
            .into_response()
        }
        ("POST /token", _) => token(&form_fields(&body)),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

impl MockState {
    fn state_push(&self, request: &str, body: &str) {
        let mut requests = self.requests.lock().unwrap();
        requests.push((request.to_string(), body.to_string()));
    }
}

fn token(form: &BTreeMap<String, String>) -> Response {
    let field = |name: &str| form.get(name).map(String::as_str);
    match (field("grant_type"), field("code"), field("refresh_token")) {
        (Some("authorization_code"), Some("code123"), _) => Json(json!({
            "access_token": "at123",
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "rt123",
            "scope": "read",
        }))
        .into_response(),
        (Some("refresh_token"), _, Some("rt123")) => Json(json!({
            "access_token": "at456",
            "token_type": "Bearer",
            "expires_in": 3600,
            "refresh_token": "rt456",
        }))
        .into_response(),
        _ => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant"})),
        )
            .into_response(),
    }
}

/// The fields of a form body.
pub(crate) fn form_fields(body: &str) -> BTreeMap<String, String> {
    query_pairs(&format!("http://form/?{body}"))
        .into_iter()
        .collect()
}

fn query_pairs(url: &str) -> Vec<(String, String)> {
    let url = Url::parse(url).unwrap();
    url.query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

fn pair(name: &str, value: &str) -> (String, String) {
    (name.to_string(), value.to_string())
}

async fn start(
    mock: &MockOauthServer,
    codex_home: &Path,
    timeout: Duration,
) -> Result<McpOauthLogin, McpOauthError> {
    start_oauth_login(
        codex_home,
        "oa",
        &mock.mcp_url(),
        &["read".to_string()],
        timeout,
        None,
        &reqwest::Client::new(),
    )
    .await
}

/// The `redirect_uri` and `state` of an authorization URL.
fn redirect_and_state(authorization_url: &str) -> (String, String) {
    let pairs = query_pairs(authorization_url);
    let value = |name: &str| {
        let found = pairs.iter().find(|(key, _)| key == name);
        found.map(|(_, value)| value.clone()).unwrap()
    };
    (value("redirect_uri"), value("state"))
}

/// The browser following the authorization server's redirect.
async fn browser_callback(redirect_uri: &str, query: &[(&str, &str)]) -> (u16, String) {
    let answer = reqwest::Client::new()
        .get(redirect_uri)
        .query(query)
        .send()
        .await
        .unwrap();
    (answer.status().as_u16(), answer.text().await.unwrap())
}

#[tokio::test]
async fn login_discovers_registers_and_stores_the_tokens() {
    let mock = MockOauthServer::start(true).await;
    let home = tempfile::tempdir().unwrap();
    let started_ms = now_ms();
    let login = start(&mock, home.path(), Duration::from_secs(60))
        .await
        .unwrap();

    assert_eq!(
        mock.requests(),
        vec![
            "GET /mcp",
            "GET /.well-known/oauth-protected-resource/mcp",
            "GET /.well-known/oauth-authorization-server",
            "POST /register",
        ]
    );
    let uuid = uuid::Uuid::parse_str(&login.login_id).unwrap();
    assert_eq!(uuid.get_version_num(), 7);
    let (redirect_uri, state) = redirect_and_state(&login.authorization_url);
    let redirect = Url::parse(&redirect_uri).unwrap();
    assert_eq!(redirect.host_str(), Some("127.0.0.1"));
    assert!(redirect.path().starts_with("/callback/"), "{redirect_uri}");
    assert_eq!(
        serde_json::from_str::<Value>(&mock.body_of("POST /register")).unwrap(),
        json!({
            "client_name": "Codex",
            "redirect_uris": [redirect_uri],
            "grant_types": ["authorization_code", "refresh_token"],
            "token_endpoint_auth_method": "none",
            "response_types": ["code"],
            "application_type": "native",
        })
    );
    let pairs = query_pairs(&login.authorization_url);
    let challenge = pairs[3].1.clone();
    assert!(
        login
            .authorization_url
            .starts_with(&format!("{}/authorize?", mock.base))
    );
    assert_eq!(
        pairs,
        vec![
            pair("response_type", "code"),
            pair("client_id", "cid123"),
            pair("state", &state),
            pair("code_challenge", &challenge),
            pair("code_challenge_method", "S256"),
            pair("redirect_uri", &redirect_uri),
            pair("scope", "read"),
            pair("resource", &mock.mcp_url()),
        ]
    );

    let answer = browser_callback(&redirect_uri, &[("code", "code123"), ("state", &state)]).await;
    assert_eq!(
        answer,
        (
            200,
            "Authentication complete. You may close this window.".to_string()
        )
    );
    assert_eq!(login.completion.await.unwrap(), Ok(()));
    let finished_ms = now_ms();

    let token_form = form_fields(&mock.body_of("POST /token"));
    let verifier = token_form["code_verifier"].clone();
    let verifier_hash = sha2::Sha256::digest(verifier.as_bytes());
    assert_eq!(
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(verifier_hash),
        challenge
    );
    let expected_form: BTreeMap<String, String> = [
        pair("grant_type", "authorization_code"),
        pair("code", "code123"),
        pair("code_verifier", &verifier),
        pair("client_id", "cid123"),
        pair("redirect_uri", &redirect_uri),
        pair("resource", &mock.mcp_url()),
    ]
    .into_iter()
    .collect();
    assert_eq!(token_form, expected_form);

    let path = home.path().join(CREDENTIALS_FILE);
    let mut file: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let key = credentials_key("oa", &mock.mcp_url());
    let expires_at = file[&key]["expires_at"].as_u64().unwrap();
    assert!(
        (started_ms + 3_600_000..=finished_ms + 3_600_000).contains(&expires_at),
        "expires_at {expires_at} is not in ms an hour from now"
    );
    file[&key]["expires_at"] = json!("<an hour later, in ms>");
    assert_eq!(
        file,
        json!({
            key: {
                "server_name": "oa",
                "server_url": mock.mcp_url(),
                "issuer": mock.base,
                "client_id": "cid123",
                "access_token": "at123",
                "expires_at": "<an hour later, in ms>",
                "refresh_token": "rt123",
                "scopes": ["read"],
            }
        })
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_callback_with_a_wrong_state_fails_the_login() {
    let mock = MockOauthServer::start(true).await;
    let home = tempfile::tempdir().unwrap();
    let login = start(&mock, home.path(), Duration::from_secs(60))
        .await
        .unwrap();
    let (redirect_uri, _) = redirect_and_state(&login.authorization_url);

    let (status, _) =
        browser_callback(&redirect_uri, &[("code", "code123"), ("state", "forged")]).await;

    assert_eq!(status, 400);
    assert_eq!(
        login.completion.await.unwrap(),
        Err("the callback's state does not match this login".to_string())
    );
    assert!(!mock.requests().contains(&"POST /token".to_string()));
    assert!(!home.path().join(CREDENTIALS_FILE).exists());
}

#[tokio::test]
async fn a_callback_with_an_error_fails_the_login() {
    let mock = MockOauthServer::start(true).await;
    let home = tempfile::tempdir().unwrap();
    let login = start(&mock, home.path(), Duration::from_secs(60))
        .await
        .unwrap();
    let (redirect_uri, state) = redirect_and_state(&login.authorization_url);

    let (status, _) = browser_callback(
        &redirect_uri,
        &[("error", "access_denied"), ("state", &state)],
    )
    .await;

    assert_eq!(status, 400);
    assert_eq!(
        login.completion.await.unwrap(),
        Err("the authorization server answered `access_denied`".to_string())
    );
}

#[tokio::test]
async fn a_login_without_callback_times_out() {
    let mock = MockOauthServer::start(true).await;
    let home = tempfile::tempdir().unwrap();
    let login = start(&mock, home.path(), Duration::from_millis(500))
        .await
        .unwrap();

    assert_eq!(
        login.completion.await.unwrap(),
        Err("the OAuth login timed out after 0.5 s".to_string())
    );
    assert!(!home.path().join(CREDENTIALS_FILE).exists());
}

#[tokio::test]
async fn a_server_without_oauth_metadata_does_not_support_oauth() {
    let mock = MockOauthServer::start(false).await;
    let home = tempfile::tempdir().unwrap();

    let err = start(&mock, home.path(), Duration::from_secs(60))
        .await
        .unwrap_err();

    assert_eq!(
        err.to_string(),
        "OAuth discovery for MCP server `oa` failed: the server does not support OAuth"
    );
    assert!(!mock.requests().contains(&"POST /register".to_string()));
}

#[tokio::test]
async fn a_url_that_is_not_http_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let err = start_oauth_login(
        home.path(),
        "oa",
        "npx some-server",
        &[],
        Duration::from_secs(60),
        None,
        &reqwest::Client::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, McpOauthError::NotHttpServer(_)), "{err}");
}

#[tokio::test]
async fn a_configured_callback_port_in_use_fails_to_bind() {
    let mock = MockOauthServer::start(true).await;
    let home = tempfile::tempdir().unwrap();
    let taken = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let port = taken.local_addr().unwrap().port();

    let err = start_oauth_login(
        home.path(),
        "oa",
        &mock.mcp_url(),
        &[],
        Duration::from_secs(60),
        Some(port),
        &reqwest::Client::new(),
    )
    .await
    .unwrap_err();

    assert!(
        matches!(err, McpOauthError::CallbackBind { port: p, .. } if p == port),
        "{err}"
    );
}

#[test]
fn the_resource_metadata_parameter_is_read_from_a_challenge() {
    assert_eq!(
        resource_metadata_param(
            r#"Bearer error="invalid_token", resource_metadata="https://a.example/.well-known/oauth-protected-resource""#
        ),
        Some("https://a.example/.well-known/oauth-protected-resource".to_string())
    );
    assert_eq!(
        resource_metadata_param("Bearer Resource_Metadata=/prm, realm=x"),
        Some("/prm".to_string())
    );
    assert_eq!(resource_metadata_param("Bearer realm=\"x\""), None);
}

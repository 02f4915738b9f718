//! The OAuth login of a streamable-HTTP MCP server, as upstream 0.171 does it: discovery (the server's RFC 9728
//! protected-resource metadata, then its authorization server's RFC 8414 metadata through rmcp), dynamic client
//! registration (RFC 7591), a loopback callback server, the authorization URL with PKCE (rmcp) and the RFC 8707
//! `resource`, then the code exchange and the tokens stored in `oauth_store`.

use std::collections::HashMap;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::time::Duration;

use axum::Router;
use axum::extract::Query;
use axum::extract::State;
use axum::http::StatusCode;
use oauth2::AuthorizationCode;
use oauth2::ClientId;
use oauth2::ClientSecret;
use oauth2::PkceCodeVerifier;
use oauth2::RedirectUrl;
use oauth2::RequestTokenError;
use oauth2::TokenUrl;
use oauth2::basic::BasicClient;
use oauth2::basic::BasicErrorResponse;
use reqwest::Url;
use rmcp::transport::auth::AuthorizationManager;
use rmcp::transport::auth::AuthorizationMetadata;
use rmcp::transport::auth::InMemoryStateStore;
use rmcp::transport::auth::OAuthClientConfig;
use rmcp::transport::auth::StateStore;
use serde::Deserialize;
use serde::Serialize;
use tokio::sync::oneshot;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::mcp::oauth_discovery::discover_authorization_server;
use crate::mcp::oauth_store::StoredOauthTokens;
use crate::mcp::oauth_store::save_credentials;

/// Each discovery, registration and token request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long the callback server may take to answer the requests in flight once the login is over.
const SERVER_DRAIN: Duration = Duration::from_secs(5);
const CALLBACK_COMPLETE: &str = "Authentication complete. You may close this window.";

/// A login in progress: the URL for the user to open, and its outcome.
#[derive(Debug)]
pub struct McpOauthLogin {
    pub authorization_url: String,
    /// A UUID v7.
    pub login_id: String,
    /// Resolves when the login finished: Ok(()) once tokens are stored, Err(readable reason) otherwise.
    pub completion: oneshot::Receiver<Result<(), String>>,
}

/// Why a login could not start.
#[derive(Debug, thiserror::Error)]
pub enum McpOauthError {
    #[error(
        "`{0}` is not an HTTP MCP server URL; OAuth login is only for servers configured with `url`"
    )]
    NotHttpServer(String),
    #[error("OAuth discovery for MCP server `{server}` failed: {reason}")]
    Discovery { server: String, reason: String },
    #[error("OAuth client registration for MCP server `{server}` failed: {reason}")]
    Registration { server: String, reason: String },
    #[error("the OAuth callback server could not listen on 127.0.0.1:{port}: {source}")]
    CallbackBind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("building the OAuth authorization URL for MCP server `{server}` failed: {reason}")]
    AuthorizationUrl { server: String, reason: String },
    #[error("the OAuth login for MCP server `{server}` timed out after {secs} s")]
    TimedOut { server: String, secs: f64 },
}

/// What the callback task needs for the code exchange. Holds secrets, hence no `Debug`.
struct PendingLogin {
    codex_home: PathBuf,
    server: String,
    server_url: String,
    resource: String,
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    token_endpoint: String,
    redirect_uri: String,
    pkce_verifier: String,
    scopes: Vec<String>,
}

/// Starts a login for the HTTP server `server` at `url`: discovery, registration, the local callback server;
/// returns the URL for the user to open. The rest runs in a background task until the callback comes, the
/// timeout passes (counted from this call), or the returned receiver is dropped.
pub async fn start_oauth_login(
    codex_home: &Path,
    server: &str,
    url: &str,
    scopes: &[String],
    timeout: Duration,
    callback_port: Option<u16>,
    http: &reqwest::Client,
) -> Result<McpOauthLogin, McpOauthError> {
    let deadline = Instant::now() + timeout;
    let resource = Url::parse(url)
        .ok()
        .filter(|parsed| matches!(parsed.scheme(), "http" | "https"))
        .ok_or_else(|| McpOauthError::NotHttpServer(url.to_string()))?;
    let prepared = tokio::time::timeout_at(
        deadline,
        prepare_login(
            codex_home,
            server,
            url,
            &resource,
            scopes,
            callback_port,
            http,
        ),
    )
    .await
    .map_err(|_| McpOauthError::TimedOut {
        server: server.to_string(),
        secs: timeout.as_secs_f64(),
    })??;
    let authorization_url = prepared.authorization_url.clone();
    let login_id = uuid::Uuid::now_v7().to_string();
    let (completion_tx, completion) = oneshot::channel();
    tokio::spawn(run_login(prepared, completion_tx, deadline, timeout));
    tracing::info!("MCP server `{server}`: OAuth login {login_id} started");
    Ok(McpOauthLogin {
        authorization_url,
        login_id,
        completion,
    })
}

/// A login ready for the user: its URL, the listener of its callback server and what the exchange needs.
struct PreparedLogin {
    authorization_url: String,
    pending: PendingLogin,
    listener: tokio::net::TcpListener,
    /// The random last segment of the callback path.
    callback_path: String,
    /// The `state` of the authorization URL.
    state: String,
}

/// Discovery, the callback listener, registration and the authorization URL.
async fn prepare_login(
    codex_home: &Path,
    server: &str,
    url: &str,
    resource: &Url,
    scopes: &[String],
    callback_port: Option<u16>,
    http: &reqwest::Client,
) -> Result<PreparedLogin, McpOauthError> {
    let found = discover_authorization_server(resource, http)
        .await
        .map_err(|reason| McpOauthError::Discovery {
            server: server.to_string(),
            reason,
        })?;
    let port = callback_port.unwrap_or(0);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|source| McpOauthError::CallbackBind { port, source })?;
    let bound_port = listener
        .local_addr()
        .map_err(|source| McpOauthError::CallbackBind { port, source })?
        .port();
    let callback_path = uuid::Uuid::new_v4().simple().to_string();
    let redirect_uri = format!("http://127.0.0.1:{bound_port}/callback/{callback_path}");
    let (client_id, client_secret) = register_client(&found.metadata, &redirect_uri, http)
        .await
        .map_err(|reason| McpOauthError::Registration {
            server: server.to_string(),
            reason,
        })?;
    let client = OAuthClientConfig {
        client_id: client_id.clone(),
        client_secret: client_secret.clone(),
        scopes: scopes.to_vec(),
        redirect_uri: redirect_uri.clone(),
    };
    let authorization = authorization_url(found.manager, client, resource)
        .await
        .map_err(|reason| McpOauthError::AuthorizationUrl {
            server: server.to_string(),
            reason,
        })?;
    let pending = PendingLogin {
        codex_home: codex_home.to_path_buf(),
        server: server.to_string(),
        server_url: url.to_string(),
        resource: resource.to_string(),
        issuer: found.issuer,
        client_id,
        client_secret,
        token_endpoint: found.metadata.token_endpoint.clone(),
        redirect_uri,
        pkce_verifier: authorization.pkce_verifier,
        scopes: scopes.to_vec(),
    };
    Ok(PreparedLogin {
        authorization_url: authorization.url,
        pending,
        listener,
        callback_path,
        state: authorization.state,
    })
}

/// An authorization URL and what it commits the login to. Holds the PKCE verifier, hence no `Debug`.
struct Authorization {
    url: String,
    state: String,
    pkce_verifier: String,
}

/// The authorization URL for `client`: rmcp's (PKCE S256 challenge, random `state`, scopes), with RFC 8707's
/// `resource` added (rmcp 0.15 leaves it out); the verifier is read back from rmcp's state store.
async fn authorization_url(
    mut manager: AuthorizationManager,
    client: OAuthClientConfig,
    resource: &Url,
) -> Result<Authorization, String> {
    let states = InMemoryStateStore::new();
    manager.set_state_store(states.clone());
    let scopes = client.scopes.clone();
    manager
        .configure_client(client)
        .map_err(|err| err.to_string())?;
    let scope_refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    let rmcp_url = manager
        .get_authorization_url(&scope_refs)
        .await
        .map_err(|err| err.to_string())?;
    let mut url = Url::parse(&rmcp_url).map_err(|err| format!("rmcp's URL is not valid: {err}"))?;
    let state = url
        .query_pairs()
        .find(|(name, _)| name == "state")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| "rmcp's URL has no state".to_string())?;
    let pkce_verifier = states
        .load(&state)
        .await
        .ok()
        .flatten()
        .ok_or_else(|| "rmcp kept no PKCE verifier".to_string())?
        .pkce_verifier;
    url.query_pairs_mut()
        .append_pair("resource", resource.as_str());
    Ok(Authorization {
        url: url.into(),
        state,
        pkce_verifier,
    })
}

/// RFC 7591's registration request, as upstream sends it (rmcp 0.15's lacks `application_type`).
#[derive(Serialize)]
struct RegistrationRequest<'a> {
    client_name: &'a str,
    redirect_uris: [&'a str; 1],
    grant_types: [&'a str; 2],
    token_endpoint_auth_method: &'a str,
    response_types: [&'a str; 1],
    application_type: &'a str,
}

#[derive(Deserialize)]
struct RegistrationResponse {
    client_id: String,
    client_secret: Option<String>,
}

/// Registers a public client for `redirect_uri`; its id and, if the server gave one, its secret.
async fn register_client(
    metadata: &AuthorizationMetadata,
    redirect_uri: &str,
    http: &reqwest::Client,
) -> Result<(String, Option<String>), String> {
    let endpoint = metadata.registration_endpoint.as_deref().ok_or_else(|| {
        "the authorization server does not offer dynamic client registration".to_string()
    })?;
    let request = RegistrationRequest {
        client_name: "Codex",
        redirect_uris: [redirect_uri],
        grant_types: ["authorization_code", "refresh_token"],
        token_endpoint_auth_method: "none",
        response_types: ["code"],
        application_type: "native",
    };
    let response = http
        .post(endpoint)
        .timeout(REQUEST_TIMEOUT)
        .json(&request)
        .send()
        .await
        .map_err(|err| format!("the request failed: {}", err.without_url()))?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        let body: String = body.chars().take(300).collect();
        return Err(format!("the server answered HTTP {status}: {body}"));
    }
    let registered: RegistrationResponse = response
        .json()
        .await
        .map_err(|_| "the server's answer is not a client registration".to_string())?;
    let secret = registered.client_secret.filter(|secret| !secret.is_empty());
    Ok((registered.client_id, secret))
}

/// What the callback handler shares: the expected state and where the outcome goes (once).
struct CallbackShared {
    state: String,
    outcome: Mutex<Option<oneshot::Sender<Result<String, String>>>>,
}

/// The background part of a login: serves the callback until it comes, the deadline passes or the receiver
/// is dropped; exchanges the code, stores the tokens, reports, and stops the callback server.
async fn run_login(
    prepared: PreparedLogin,
    mut completion: oneshot::Sender<Result<(), String>>,
    deadline: Instant,
    timeout: Duration,
) {
    let PreparedLogin {
        pending,
        listener,
        callback_path,
        state,
        ..
    } = prepared;
    let (outcome_tx, outcome_rx) = oneshot::channel();
    let shared = Arc::new(CallbackShared {
        state,
        outcome: Mutex::new(Some(outcome_tx)),
    });
    let router = Router::new()
        .route(
            &format!("/callback/{callback_path}"),
            axum::routing::get(callback),
        )
        .with_state(shared);
    let stop = CancellationToken::new();
    let serve =
        axum::serve(listener, router).with_graceful_shutdown(stop.clone().cancelled_owned());
    let mut server_task = tokio::spawn(async move {
        if let Err(err) = serve.await {
            tracing::debug!("the OAuth callback server failed: {err}");
        }
    });
    let work = async {
        let code = outcome_rx
            .await
            .map_err(|_| "the callback server stopped".to_string())??;
        exchange_and_store(&pending, &code).await
    };
    let result = tokio::select! {
        finished = tokio::time::timeout_at(deadline, work) => Some(finished.unwrap_or_else(|_| {
            Err(format!("the OAuth login timed out after {} s", timeout.as_secs_f64()))
        })),
        () = completion.closed() => None,
    };
    stop.cancel();
    let server = &pending.server;
    match result {
        Some(Ok(())) => tracing::info!("MCP server `{server}`: OAuth login complete"),
        Some(Err(ref reason)) => {
            tracing::warn!("MCP server `{server}`: OAuth login failed: {reason}")
        }
        None => tracing::info!("MCP server `{server}`: OAuth login abandoned"),
    }
    if let Some(result) = result {
        // The host may have stopped waiting meanwhile; nothing else to tell.
        let _ = completion.send(result);
    }
    if tokio::time::timeout(SERVER_DRAIN, &mut server_task)
        .await
        .is_err()
    {
        server_task.abort();
    }
}

/// The browser's redirect: 200 and the code handed on when it carries the login's state and a code, 400 and
/// the login failed otherwise.
async fn callback(
    State(shared): State<Arc<CallbackShared>>,
    Query(params): Query<HashMap<String, String>>,
) -> (StatusCode, &'static str) {
    let (outcome, answer) = if let Some(error) = params.get("error") {
        let detail = params
            .get("error_description")
            .map(|description| format!(" ({description})"))
            .unwrap_or_default();
        (
            Err(format!(
                "the authorization server answered `{error}`{detail}"
            )),
            (
                StatusCode::BAD_REQUEST,
                "Authentication failed: the authorization server returned an error.",
            ),
        )
    } else if params.get("state") != Some(&shared.state) {
        (
            Err("the callback's state does not match this login".to_string()),
            (
                StatusCode::BAD_REQUEST,
                "Authentication failed: the state does not match.",
            ),
        )
    } else if let Some(code) = params.get("code").filter(|code| !code.is_empty()) {
        (Ok(code.clone()), (StatusCode::OK, CALLBACK_COMPLETE))
    } else {
        (
            Err("the callback carries no authorization code".to_string()),
            (
                StatusCode::BAD_REQUEST,
                "Authentication failed: no authorization code.",
            ),
        )
    };
    let sender = shared
        .outcome
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .take();
    match sender {
        Some(sender) => {
            let _ = sender.send(outcome);
            answer
        }
        None => (StatusCode::BAD_REQUEST, "This login is already over."),
    }
}

/// Exchanges `code` at the token endpoint (PKCE verifier, redirect URI and the RFC 8707 `resource`) and stores
/// the tokens.
async fn exchange_and_store(pending: &PendingLogin, code: &str) -> Result<(), String> {
    let token_url = TokenUrl::new(pending.token_endpoint.clone())
        .map_err(|_| "the token endpoint is not a valid URL".to_string())?;
    let redirect_url = RedirectUrl::new(pending.redirect_uri.clone())
        .map_err(|_| "the redirect URI is not valid".to_string())?;
    let mut client = BasicClient::new(ClientId::new(pending.client_id.clone()))
        .set_token_uri(token_url)
        .set_redirect_uri(redirect_url);
    if let Some(secret) = &pending.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    // No redirects for token requests (as rmcp and the oauth2 crate advise).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(|err| format!("cannot build the HTTP client: {err}"))?;
    let response = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .add_extra_param("resource", pending.resource.clone())
        .request_async(&http)
        .await
        .map_err(|err| format!("the token exchange failed: {}", describe_token_error(err)))?;
    let mut tokens = StoredOauthTokens {
        server_name: pending.server.clone(),
        server_url: pending.server_url.clone(),
        issuer: Some(pending.issuer.clone()),
        client_id: pending.client_id.clone(),
        access_token: String::new(),
        expires_at: None,
        refresh_token: None,
        scopes: pending.scopes.clone(),
        other: serde_json::Map::new(),
    };
    tokens.take_token_response(&response);
    save_credentials(&pending.codex_home, &tokens)
        .map_err(|reason| format!("storing the tokens failed: {reason}"))
}

/// A token request's failure, without the answer's body (which may hold tokens).
fn describe_token_error<E: std::error::Error>(
    err: RequestTokenError<E, BasicErrorResponse>,
) -> String {
    match err {
        RequestTokenError::ServerResponse(answer) => {
            let description = answer
                .error_description()
                .map(|description| format!(" ({description})"))
                .unwrap_or_default();
            format!(
                "the token endpoint answered `{}`{description}",
                answer.error()
            )
        }
        RequestTokenError::Request(err) => format!("the request failed: {err}"),
        RequestTokenError::Parse(..) => {
            "the token endpoint's answer is not a token response".to_string()
        }
        RequestTokenError::Other(reason) => reason,
    }
}

#[cfg(test)]
#[path = "oauth_login_tests.rs"]
pub(crate) mod tests;

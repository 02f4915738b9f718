//! The ChatGPT browser sign-in: an OAuth authorization-code flow with PKCE (S256) whose redirect lands on
//! an HTTP server on 127.0.0.1 (`/auth/callback`, see `login_callback_server`) that lives until the sign-in
//! finishes; the code is exchanged at `{issuer}/oauth/token` and the tokens are stored in `auth.json`.
//! [`start_chatgpt_login`] returns as soon as the server listens.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::task::Context;
use std::task::Poll;

use axum::Router;
use axum::extract::RawQuery;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use base64::Engine;
use rand::RngCore;
use sha2::Digest;
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::AuthError;
use super::auth_dot_json::AuthDotJson;
use super::auth_dot_json::StoredTokens;
use super::auth_dot_json::write_auth_file;
use super::jwt_claims::JwtClaims;
use super::login_callback_server::CallbackTimeouts;
use super::login_callback_server::serve_until_finished;
use super::oauth_token_endpoint::OAuthIssuer;

pub const DEFAULT_LOGIN_PORT: u16 = 1455;
const CALLBACK_PATH: &str = "/auth/callback";
const LOGIN_SCOPE: &str = "openid profile email offline_access";
const ORIGINATOR: &str = "codex_cli_rs";
const SUCCESS_PAGE: &str = "<!doctype html><html><head><title>Signed in to Codex</title></head>\
<body><h1>Signed in to Codex</h1><p>You can close this window and return to your editor.</p></body></html>";
const FAILURE_PAGE: &str = "<!doctype html><html><head><title>Codex sign-in failed</title></head>\
<body><h1>Sign-in failed</h1><p>Return to your editor for details and try again.</p></body></html>";

/// Parameters of one sign-in.
#[derive(Debug, Clone)]
pub struct LoginOptions {
    pub issuer: String,
    pub client_id: String,
    /// Callback port on 127.0.0.1; 0 picks any free port.
    pub port: u16,
    /// Where `auth.json` is written; use the `AuthManager`'s home so it sees the new account.
    pub codex_home: PathBuf,
    pub open_browser: bool,
    /// How long one connection to the callback server may take.
    pub callback_timeouts: CallbackTimeouts,
}

impl LoginOptions {
    pub fn new(codex_home: PathBuf) -> Self {
        let issuer = OAuthIssuer::default();
        LoginOptions {
            issuer: issuer.issuer,
            client_id: issuer.client_id,
            port: DEFAULT_LOGIN_PORT,
            codex_home,
            open_browser: false,
            callback_timeouts: CallbackTimeouts::default(),
        }
    }
}

/// A running sign-in: show `auth_url` to the user, await `completion`, or `cancel()` it.
#[derive(Debug)]
pub struct LoginHandle {
    pub login_id: String,
    pub auth_url: String,
    pub completion: LoginCompletion,
    pub canceller: LoginCanceller,
}

impl LoginHandle {
    pub fn cancel(&self) {
        self.canceller.cancel();
    }
}

/// Stops a sign-in (`account/login/cancel`): the server closes and the completion yields
/// [`AuthError::LoginCancelled`].
#[derive(Debug, Clone)]
pub struct LoginCanceller(CancellationToken);

impl LoginCanceller {
    pub fn cancel(&self) {
        self.0.cancel();
    }
}

/// Resolves when the sign-in finished: `Ok` once the tokens are stored.
#[derive(Debug)]
pub struct LoginCompletion(oneshot::Receiver<Result<(), AuthError>>);

impl LoginCompletion {
    pub(crate) fn new(receiver: oneshot::Receiver<Result<(), AuthError>>) -> Self {
        LoginCompletion(receiver)
    }
}

impl Future for LoginCompletion {
    type Output = Result<(), AuthError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|received| {
            received.unwrap_or_else(|_| {
                Err(AuthError::LoginFailed(
                    "the login flow ended unexpectedly".to_string(),
                ))
            })
        })
    }
}

/// The PKCE pair: the verifier stays here, the S256 challenge goes into the authorize URL.
struct PkceCodes {
    verifier: String,
    challenge: String,
}

fn random_url_safe(byte_count: usize) -> String {
    let mut bytes = vec![0u8; byte_count];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

impl PkceCodes {
    fn generate() -> Self {
        let verifier = random_url_safe(64);
        let challenge =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(&verifier));
        PkceCodes {
            verifier,
            challenge,
        }
    }
}

/// Binds the callback server and starts waiting for the browser; the returned handle's completion resolves
/// after the tokens are written to `options.codex_home/auth.json`.
pub async fn start_chatgpt_login(options: LoginOptions) -> Result<LoginHandle, AuthError> {
    let listener = TcpListener::bind(("127.0.0.1", options.port))
        .await
        .map_err(|err| {
            AuthError::LoginFailed(format!(
                "cannot listen on 127.0.0.1:{}: {err}",
                options.port
            ))
        })?;
    let port = listener
        .local_addr()
        .map_err(|err| AuthError::LoginFailed(err.to_string()))?
        .port();
    let redirect_uri = format!("http://localhost:{port}{CALLBACK_PATH}");
    let pkce = PkceCodes::generate();
    let state = random_url_safe(32);
    let auth_url = authorize_url(&options, &redirect_uri, &pkce, &state)?;
    if options.open_browser {
        open_browser(&auth_url);
    }

    let callbacks = Arc::new(CallbackState {
        flow: CallbackFlow {
            issuer: OAuthIssuer {
                issuer: options.issuer,
                client_id: options.client_id,
            },
            codex_home: options.codex_home,
            redirect_uri,
            code_verifier: pkce.verifier,
            state,
            http: reqwest::Client::new(),
        },
        handling: tokio::sync::Mutex::new(()),
        outcome: Mutex::new(None),
        finished: CancellationToken::new(),
    });
    let cancel = CancellationToken::new();
    let (done_tx, done_rx) = oneshot::channel();
    tokio::spawn(run_callback_server(
        listener,
        callbacks,
        options.callback_timeouts,
        cancel.clone(),
        done_tx,
    ));
    Ok(LoginHandle {
        login_id: uuid::Uuid::new_v4().to_string(),
        auth_url,
        completion: LoginCompletion::new(done_rx),
        canceller: LoginCanceller(cancel),
    })
}

fn authorize_url(
    options: &LoginOptions,
    redirect_uri: &str,
    pkce: &PkceCodes,
    state: &str,
) -> Result<String, AuthError> {
    let url = reqwest::Url::parse_with_params(
        &format!("{}/oauth/authorize", options.issuer.trim_end_matches('/')),
        &[
            ("response_type", "code"),
            ("client_id", options.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("scope", LOGIN_SCOPE),
            ("code_challenge", pkce.challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("id_token_add_organizations", "true"),
            ("codex_cli_simplified_flow", "true"),
            ("state", state),
            ("originator", ORIGINATOR),
        ],
    )
    .map_err(|err| AuthError::LoginFailed(format!("invalid issuer URL: {err}")))?;
    Ok(url.to_string())
}

fn open_browser(auth_url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    // Its output must never reach our stdout, which carries the protocol.
    let spawned = std::process::Command::new(opener)
        .arg(auth_url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(err) = spawned {
        tracing::warn!("could not open a browser with {opener}: {err}");
    }
}

/// Serves the callback routes until the sign-in finishes (then the browser gets its page before the
/// completion resolves) or is cancelled (then the server closes at once).
async fn run_callback_server(
    listener: TcpListener,
    callbacks: Arc<CallbackState>,
    timeouts: CallbackTimeouts,
    cancel: CancellationToken,
    done: oneshot::Sender<Result<(), AuthError>>,
) {
    let router = Router::new()
        .route(CALLBACK_PATH, axum::routing::get(callback))
        .fallback(not_found)
        .with_state(callbacks.clone());
    let served = serve_until_finished(listener, router, timeouts, callbacks.finished.clone());
    let outcome = tokio::select! {
        served = served => match served {
            Ok(()) => callbacks.take_outcome(),
            Err(err) => Err(AuthError::LoginFailed(format!("callback server failed: {err}"))),
        },
        () = cancel.cancelled() => Err(AuthError::LoginCancelled),
    };
    let _ = done.send(outcome);
}

async fn not_found() -> (StatusCode, Html<&'static str>) {
    (StatusCode::NOT_FOUND, Html("not found"))
}

/// `GET /auth/callback`. The work runs in a task of its own: a browser that closes the connection during
/// the token exchange must not abort the sign-in.
async fn callback(
    State(callbacks): State<Arc<CallbackState>>,
    RawQuery(query): RawQuery,
) -> (StatusCode, Html<String>) {
    let handled = tokio::spawn(async move { callbacks.handle(query.as_deref()).await });
    handled.await.unwrap_or_else(|err| {
        tracing::warn!("login callback task failed: {err}");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html(FAILURE_PAGE.to_string()),
        )
    })
}

/// What the callback routes share.
struct CallbackState {
    flow: CallbackFlow,
    /// Held while a callback is handled, so that two requests never exchange a code at once.
    handling: tokio::sync::Mutex<()>,
    /// Set once, by the callback that finished the sign-in.
    outcome: Mutex<Option<Result<(), AuthError>>>,
    /// Cancelled once `outcome` is set: the server then stops.
    finished: CancellationToken,
}

impl CallbackState {
    async fn handle(&self, query: Option<&str>) -> (StatusCode, Html<String>) {
        let _handling = self.handling.lock().await;
        if self.finished.is_cancelled() {
            return (
                StatusCode::GONE,
                Html("the sign-in has already finished".to_string()),
            );
        }
        let result = match self.flow.handle_callback(query.unwrap_or_default()).await {
            CallbackOutcome::Ignored { status, body } => return (status, Html(body)),
            CallbackOutcome::Finished(result) => result,
        };
        let page = match &result {
            Ok(()) => (StatusCode::OK, Html(SUCCESS_PAGE.to_string())),
            // The details go to the editor, not into a page that would echo query text.
            Err(_) => (StatusCode::BAD_REQUEST, Html(FAILURE_PAGE.to_string())),
        };
        *self
            .outcome
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(result);
        self.finished.cancel();
        page
    }

    fn take_outcome(&self) -> Result<(), AuthError> {
        self.outcome
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
            .unwrap_or_else(|| {
                Err(AuthError::LoginFailed(
                    "the login flow ended unexpectedly".to_string(),
                ))
            })
    }
}

/// The state one sign-in's callback server needs.
struct CallbackFlow {
    issuer: OAuthIssuer,
    codex_home: PathBuf,
    redirect_uri: String,
    code_verifier: String,
    state: String,
    http: reqwest::Client,
}

/// What the browser brought to `/auth/callback`.
enum CallbackOutcome {
    /// Not our redirect (wrong state): answer and keep listening.
    Ignored {
        status: StatusCode,
        body: String,
    },
    Finished(Result<(), AuthError>),
}

impl CallbackFlow {
    /// Checks the callback's query (`state`, then `error` or `code`) and, for a code, exchanges it and stores
    /// the tokens.
    async fn handle_callback(&self, query: &str) -> CallbackOutcome {
        let pairs: Vec<(String, String)> =
            reqwest::Url::parse(&format!("http://localhost/?{query}"))
                .map(|url| url.query_pairs().into_owned().collect())
                .unwrap_or_default();
        let param = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        if param("state").as_deref() != Some(self.state.as_str()) {
            return CallbackOutcome::Ignored {
                status: StatusCode::BAD_REQUEST,
                body: "State mismatch".to_string(),
            };
        }
        if let Some(error) = param("error") {
            let description = param("error_description")
                .map(|text| format!(": {text}"))
                .unwrap_or_default();
            return CallbackOutcome::Finished(Err(AuthError::LoginFailed(format!(
                "the issuer refused the sign-in: {error}{description}"
            ))));
        }
        let Some(code) = param("code").filter(|code| !code.is_empty()) else {
            return CallbackOutcome::Finished(Err(AuthError::LoginFailed(
                "the callback carried no authorization code".to_string(),
            )));
        };
        CallbackOutcome::Finished(self.store_tokens_for(&code).await)
    }

    /// Exchanges `code` at the issuer and writes the tokens to `auth.json`.
    async fn store_tokens_for(&self, code: &str) -> Result<(), AuthError> {
        let response = self
            .issuer
            .exchange_code(&self.http, code, &self.redirect_uri, &self.code_verifier)
            .await?;
        let (Some(access_token), Some(refresh_token)) =
            (response.access_token, response.refresh_token)
        else {
            return Err(AuthError::LoginFailed(
                "the token endpoint returned no access or refresh token".to_string(),
            ));
        };
        let account_id = JwtClaims::merged(
            response
                .id_token
                .as_deref()
                .into_iter()
                .chain([access_token.as_str()]),
        )
        .account_id;
        let tokens = StoredTokens {
            id_token: response.id_token,
            access_token,
            refresh_token: Some(refresh_token),
            account_id,
            other_fields: serde_json::Map::new(),
        };
        write_auth_file(
            &self.codex_home,
            &AuthDotJson::chatgpt(tokens, chrono::Utc::now()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn pkce_challenge_is_the_s256_of_the_verifier() {
        let codes = PkceCodes::generate();
        assert_eq!(codes.verifier.len(), 86);
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(codes.verifier.as_bytes()));
        assert_eq!(codes.challenge, expected);
        assert_ne!(PkceCodes::generate().verifier, codes.verifier);
    }
}

//! The ChatGPT browser sign-in: an OAuth authorization-code flow with PKCE (S256) whose redirect lands on
//! a one-shot HTTP server on 127.0.0.1 (`/auth/callback`); the code is exchanged at `{issuer}/oauth/token`
//! and the tokens are stored in `auth.json`. [`start_chatgpt_login`] returns as soon as the server listens.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::Context;
use std::task::Poll;

use base64::Engine;
use rand::RngCore;
use sha2::Digest;
use sha2::Sha256;
use tokio::io::AsyncReadExt;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::AuthError;
use super::auth_dot_json::AuthDotJson;
use super::auth_dot_json::StoredTokens;
use super::auth_dot_json::write_auth_file;
use super::jwt_claims::JwtClaims;
use super::oauth_token_endpoint::OAuthIssuer;

pub const DEFAULT_LOGIN_PORT: u16 = 1455;
const CALLBACK_PATH: &str = "/auth/callback";
const LOGIN_SCOPE: &str = "openid profile email offline_access";
const ORIGINATOR: &str = "codex_cli_rs";
/// A browser request head is far smaller; anything bigger is not our redirect.
const MAX_REQUEST_HEAD_BYTES: usize = 16 * 1024;
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
    let auth_url = reqwest::Url::parse_with_params(
        &format!("{}/oauth/authorize", options.issuer.trim_end_matches('/')),
        &[
            ("response_type", "code"),
            ("client_id", options.client_id.as_str()),
            ("redirect_uri", redirect_uri.as_str()),
            ("scope", LOGIN_SCOPE),
            ("code_challenge", pkce.challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("id_token_add_organizations", "true"),
            ("codex_cli_simplified_flow", "true"),
            ("state", state.as_str()),
            ("originator", ORIGINATOR),
        ],
    )
    .map_err(|err| AuthError::LoginFailed(format!("invalid issuer URL: {err}")))?
    .to_string();
    if options.open_browser {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        // Its output must never reach our stdout, which carries the protocol.
        let spawned = std::process::Command::new(opener)
            .arg(&auth_url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Err(err) = spawned {
            tracing::warn!("could not open a browser with {opener}: {err}");
        }
    }

    let cancel = CancellationToken::new();
    let (done_tx, done_rx) = oneshot::channel();
    let flow = CallbackFlow {
        issuer: OAuthIssuer {
            issuer: options.issuer,
            client_id: options.client_id,
        },
        codex_home: options.codex_home,
        redirect_uri,
        code_verifier: pkce.verifier,
        state,
        http: reqwest::Client::new(),
    };
    let server_cancel = cancel.clone();
    tokio::spawn(async move {
        let outcome = tokio::select! {
            outcome = flow.serve(listener) => outcome,
            () = server_cancel.cancelled() => Err(AuthError::LoginCancelled),
        };
        let _ = done_tx.send(outcome);
    });
    Ok(LoginHandle {
        login_id: uuid::Uuid::new_v4().to_string(),
        auth_url,
        completion: LoginCompletion::new(done_rx),
        canceller: LoginCanceller(cancel),
    })
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
    /// Not our redirect (wrong path, wrong state): answer and keep listening.
    Ignored {
        status: &'static str,
        body: String,
    },
    Finished(Result<(), AuthError>),
}

impl CallbackFlow {
    async fn serve(&self, listener: TcpListener) -> Result<(), AuthError> {
        loop {
            let (mut stream, _) = listener
                .accept()
                .await
                .map_err(|err| AuthError::LoginFailed(format!("callback server failed: {err}")))?;
            let Some(target) = read_request_target(&mut stream).await else {
                continue;
            };
            match self.handle_callback(&target).await {
                CallbackOutcome::Ignored { status, body } => {
                    respond(&mut stream, status, &body).await;
                }
                CallbackOutcome::Finished(Ok(())) => {
                    respond(&mut stream, "200 OK", SUCCESS_PAGE).await;
                    return Ok(());
                }
                CallbackOutcome::Finished(Err(err)) => {
                    // The details go to the editor, not into a page that would echo query text.
                    respond(&mut stream, "400 Bad Request", FAILURE_PAGE).await;
                    return Err(err);
                }
            }
        }
    }

    async fn handle_callback(&self, target: &str) -> CallbackOutcome {
        let Ok(url) = reqwest::Url::parse(&format!("http://localhost{target}")) else {
            return CallbackOutcome::Ignored {
                status: "400 Bad Request",
                body: "bad request".to_string(),
            };
        };
        if url.path() != CALLBACK_PATH {
            return CallbackOutcome::Ignored {
                status: "404 Not Found",
                body: "not found".to_string(),
            };
        }
        let param = |name: &str| {
            url.query_pairs()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.into_owned())
        };
        if param("state").as_deref() != Some(self.state.as_str()) {
            return CallbackOutcome::Ignored {
                status: "400 Bad Request",
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
        let stored = async {
            let response = self
                .issuer
                .exchange_code(&self.http, &code, &self.redirect_uri, &self.code_verifier)
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
        };
        CallbackOutcome::Finished(stored.await)
    }
}

/// The request target of an HTTP/1 request line (`GET <target> HTTP/1.1`), once the head is complete.
async fn read_request_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut chunk = [0u8; 2048];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 || head.len() + read > MAX_REQUEST_HEAD_BYTES {
            return None;
        }
        head.extend_from_slice(&chunk[..read]);
    }
    let head = String::from_utf8_lossy(&head);
    let mut request_line = head.lines().next()?.split(' ');
    match (request_line.next(), request_line.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_string()),
        _ => None,
    }
}

async fn respond(stream: &mut TcpStream, status: &str, body: &str) {
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if let Err(err) = stream.write_all(response.as_bytes()).await {
        tracing::debug!("login callback response not delivered: {err}");
    }
    let _ = stream.shutdown().await;
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

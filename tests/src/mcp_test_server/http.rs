//! The streamable HTTP transport of `mcp_test_server`: rmcp's service at `/mcp` behind the bearer-token (or
//! OAuth, see `oauth`) and required-header checks, the `listening` line, and the variant that accepts
//! connections and never answers.

use std::io::Write;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::Request;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::HeaderName;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header;
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use rmcp::transport::StreamableHttpServerConfig;
use rmcp::transport::StreamableHttpService;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

use super::handler::TestServer;
use super::oauth::Oauth;
use super::options::Options;

/// What every request must carry.
struct Gate {
    /// `Bearer <token>`.
    authorization: Option<HeaderValue>,
    /// With `--oauth`: an access token the authorization server issued.
    oauth: Option<Arc<Oauth>>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

/// Binds, prints `listening http://ADDR/mcp`, then serves until killed (or never answers, with `--hang`).
pub(super) async fn serve(
    options: &Options,
    server: TestServer,
    address: std::net::SocketAddr,
) -> anyhow::Result<()> {
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("bind {address}"))?;
    let bound = listener.local_addr().context("the bound address")?;
    let oauth = options
        .oauth
        .then(|| Arc::new(Oauth::new(format!("http://{bound}"))));
    let gate = Arc::new(gate(options, oauth.clone())?);
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening http://{bound}/mcp").context("write the listening line")?;
    stdout.flush().context("flush stdout")?;
    drop(stdout);
    if options.hang {
        return hang(listener).await;
    }
    let service = StreamableHttpService::new(
        move || Ok(server.clone()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let mut router = axum::Router::new()
        .nest_service("/mcp", service)
        .layer(axum::middleware::from_fn_with_state(gate, check));
    if let Some(oauth) = oauth {
        router = router.merge(super::oauth::routes(oauth));
    }
    axum::serve(listener, router)
        .await
        .context("serve streamable HTTP")
}

fn gate(options: &Options, oauth: Option<Arc<Oauth>>) -> anyhow::Result<Gate> {
    let authorization = options
        .bearer_token
        .as_ref()
        .map(|token| HeaderValue::try_from(format!("Bearer {token}")))
        .transpose()
        .context("--bearer-token is not a valid header value")?;
    let headers = options
        .require_headers
        .iter()
        .map(|(name, value)| {
            let name = HeaderName::try_from(name.as_str())
                .with_context(|| format!("--require-header: bad header name {name:?}"))?;
            let value = HeaderValue::try_from(value.as_str())
                .with_context(|| format!("--require-header: bad value for {name}"))?;
            Ok((name, value))
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(Gate {
        authorization,
        oauth,
        headers,
    })
}

/// 401 without the bearer token (or an issued OAuth token), 400 without a required header; the request goes
/// on otherwise.
async fn check(State(gate): State<Arc<Gate>>, request: Request, next: Next) -> Response {
    if let Some(oauth) = &gate.oauth
        && !oauth.authorized(request.headers())
    {
        return oauth.challenge();
    }
    if let Some(expected) = &gate.authorization
        && request.headers().get(header::AUTHORIZATION) != Some(expected)
    {
        let mut headers = HeaderMap::new();
        headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return (
            StatusCode::UNAUTHORIZED,
            headers,
            "missing or wrong bearer token",
        )
            .into_response();
    }
    for (name, value) in &gate.headers {
        if request.headers().get(name) != Some(value) {
            return (
                StatusCode::BAD_REQUEST,
                format!("missing or wrong required header {name}"),
            )
                .into_response();
        }
    }
    next.run(request).await
}

/// Accepts connections and reads them without ever answering.
async fn hang(listener: TcpListener) -> anyhow::Result<()> {
    loop {
        let (mut connection, _) = listener.accept().await.context("accept")?;
        tokio::spawn(async move {
            let mut sink = [0u8; 4096];
            while connection.read(&mut sink).await.is_ok_and(|read| read > 0) {}
        });
    }
}

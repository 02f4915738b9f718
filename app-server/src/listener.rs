//! The listening transports (`--listen unix://[PATH]`, `--listen ws://IP:PORT`): WebSocket connections, each
//! its own JSON-RPC session over the daemon's one engine, plus `GET /readyz` and `GET /healthz`. SIGTERM (or
//! SIGINT) stops accepting, closes every connection, ends every thread and removes the socket file.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::header::ORIGIN;
use axum::middleware::Next;
use axum::response::IntoResponse;
use axum::response::Response;
use axum::routing::get;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::connection_hub::Overflow;
use crate::engine::Engine;
use crate::listener_error::ListenerError;
use crate::message_processor::Session;
use crate::server_state::ServerState;
use crate::stdio::MAX_LINE_BYTES;
use crate::unix_socket::BoundUnixSocket;
use crate::websocket::serve_websocket;
use crate::ws_auth::WsAuthPolicy;

/// Connections served at once at most; an upgrade beyond that is answered 503.
pub const MAX_CONNECTIONS: usize = 128;

/// Announces the message size limit on a unix socket's upgrade response, as upstream does.
const MAX_MESSAGE_HEADER: &str = "x-codex-websocket-max-unfragmented-message-bytes";

/// A bound listener, ready to serve.
pub enum Bound {
    Tcp(tokio::net::TcpListener),
    Unix(BoundUnixSocket),
}

impl Bound {
    /// Binds a TCP address; a non-loopback one only with auth.
    pub async fn tcp(address: SocketAddr, auth: &WsAuthPolicy) -> Result<Bound, ListenerError> {
        if !address.ip().is_loopback() && !auth.is_enabled() {
            return Err(ListenerError::UnauthenticatedNonLoopback(address));
        }
        tokio::net::TcpListener::bind(address)
            .await
            .map(Bound::Tcp)
            .map_err(|source| ListenerError::Tcp { address, source })
    }

    /// What `--help` users and tests see on stderr once the listener is up (port 0 resolved).
    fn banner(&self) -> String {
        match self {
            Bound::Tcp(listener) => {
                let address = listener
                    .local_addr()
                    .map_or_else(|error| error.to_string(), |address| address.to_string());
                format!(
                    "codex app-server (WebSockets)\n  listening on: ws://{address}\n  readyz: http://{address}/readyz\n  healthz: http://{address}/healthz"
                )
            }
            Bound::Unix(socket) => format!(
                "codex app-server (WebSockets over a unix socket)\n  listening on: unix://{}",
                socket.guard.path().display()
            ),
        }
    }
}

/// What every connection of a listener shares.
struct Listener {
    state: Arc<ServerState>,
    engine: Arc<Engine>,
    auth: WsAuthPolicy,
    sessions: TaskTracker,
    shutdown: CancellationToken,
    /// Whether upgrade responses carry [`MAX_MESSAGE_HEADER`] (the unix socket's do).
    announce_max_message: bool,
}

/// Serves `bound` until SIGTERM or SIGINT, then closes every connection and ends every thread.
pub async fn serve_listener(state: Arc<ServerState>, bound: Bound, auth: WsAuthPolicy) {
    eprintln!("{}", bound.banner());
    let engine = Engine::start(&state);
    let listener = Arc::new(Listener {
        state,
        engine: Arc::clone(&engine),
        auth,
        sessions: TaskTracker::new(),
        shutdown: CancellationToken::new(),
        announce_max_message: matches!(bound, Bound::Unix(_)),
    });
    tokio::spawn(cancel_on_signal(listener.shutdown.clone()));
    let router = router(Arc::clone(&listener));
    let stopped = listener.shutdown.clone().cancelled_owned();
    let served = match bound {
        Bound::Tcp(tcp) => {
            axum::serve(tcp, router)
                .with_graceful_shutdown(stopped)
                .await
        }
        Bound::Unix(BoundUnixSocket {
            listener: unix,
            guard,
        }) => {
            let served = axum::serve(unix, router)
                .with_graceful_shutdown(stopped)
                .await;
            drop(guard);
            served
        }
    };
    if let Err(error) = served {
        tracing::error!("listener failed: {error}");
        listener.shutdown.cancel();
    }
    listener.sessions.close();
    listener.sessions.wait().await;
    engine.threads.shutdown_all().await;
}

fn router(listener: Arc<Listener>) -> Router {
    Router::new()
        .route("/readyz", get(|| async { StatusCode::OK }))
        .route("/healthz", get(|| async { StatusCode::OK }))
        .fallback(upgrade)
        .layer(axum::middleware::from_fn(refuse_browser_origins))
        .with_state(listener)
}

/// A browser page must not drive the daemon: requests carrying `Origin` are refused (403), as upstream.
async fn refuse_browser_origins(request: Request, next: Next) -> Response {
    if request.headers().contains_key(ORIGIN) {
        return StatusCode::FORBIDDEN.into_response();
    }
    next.run(request).await
}

/// Authenticates and upgrades a request, then serves the WebSocket as a connection of its own.
async fn upgrade(
    State(listener): State<Arc<Listener>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let authorization = headers.get(AUTHORIZATION).map(|value| value.as_bytes());
    if let Err(rejection) = listener.auth.authorize(authorization) {
        tracing::info!("refused a websocket upgrade: {rejection}");
        return (StatusCode::UNAUTHORIZED, rejection.to_string()).into_response();
    }
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    if listener.sessions.len() >= MAX_CONNECTIONS || listener.shutdown.is_cancelled() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("at most {MAX_CONNECTIONS} connections are served at once"),
        )
            .into_response();
    }
    let sessions = listener.sessions.clone();
    let announce_max_message = listener.announce_max_message;
    let mut response = upgrade
        .max_message_size(MAX_LINE_BYTES)
        .max_frame_size(MAX_LINE_BYTES)
        .on_upgrade(move |socket| sessions.track_future(serve_session(socket, listener)));
    if announce_max_message {
        response.headers_mut().insert(
            MAX_MESSAGE_HEADER,
            axum::http::HeaderValue::from(MAX_LINE_BYTES),
        );
    }
    response
}

/// One connection's life; the threads it leaves without subscribers are unloaded once idle.
async fn serve_session(socket: axum::extract::ws::WebSocket, listener: Arc<Listener>) {
    let session = Session {
        state: Arc::clone(&listener.state),
        engine: Arc::clone(&listener.engine),
        overflow: Overflow::Disconnect,
        closer: listener.shutdown.child_token(),
    };
    let orphaned = serve_websocket(socket, session).await;
    if listener.shutdown.is_cancelled() {
        // Every thread is ended at shutdown anyway.
        return;
    }
    for thread_id in orphaned {
        // Dropped at once: nobody is left to see an answer first.
        let (_outcome, _unload_now) = listener.engine.threads.unsubscribe(&thread_id);
    }
}

/// Cancels `shutdown` on SIGTERM or SIGINT.
async fn cancel_on_signal(shutdown: CancellationToken) {
    use tokio::signal::unix::SignalKind;
    use tokio::signal::unix::signal;
    let (terminate, interrupt) = match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(terminate), Ok(interrupt)) => (terminate, interrupt),
        (Err(error), _) | (_, Err(error)) => {
            tracing::warn!("cannot watch SIGTERM/SIGINT: {error}");
            return;
        }
    };
    let (mut terminate, mut interrupt) = (terminate, interrupt);
    tokio::select! {
        _ = terminate.recv() => tracing::info!("SIGTERM: shutting down"),
        _ = interrupt.recv() => tracing::info!("SIGINT: shutting down"),
    }
    shutdown.cancel();
}

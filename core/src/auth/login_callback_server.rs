//! The loopback HTTP server behind the ChatGPT sign-in's redirect: an axum router served by hyper, one request
//! per connection, each connection bounded by a header-read timeout and an overall deadline, so a client that
//! connects and sends nothing neither blocks the browser's real callback nor stays connected.

use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::rt::TokioTimer;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::net::TcpStream;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How long a connection to the callback server may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackTimeouts {
    /// From accepting the connection to the end of the request head.
    pub header_read: Duration,
    /// From accepting the connection to the end of the response; the sign-in itself goes on if a slow token
    /// exchange outlives it, only that browser connection is dropped.
    pub connection: Duration,
}

impl Default for CallbackTimeouts {
    fn default() -> Self {
        CallbackTimeouts {
            header_read: Duration::from_secs(10),
            connection: Duration::from_secs(60),
        }
    }
}

/// Serves `router` on `listener` until `finished` is cancelled, then stops accepting, lets the connections in
/// flight deliver their response (within their timeouts) and returns. Errors only when accepting fails.
pub(crate) async fn serve_until_finished(
    listener: TcpListener,
    router: Router,
    timeouts: CallbackTimeouts,
    finished: CancellationToken,
) -> std::io::Result<()> {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            () = finished.cancelled() => break,
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                connections.spawn(serve_connection(
                    stream,
                    router.clone(),
                    timeouts,
                    finished.clone(),
                ));
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(listener);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// One connection: a single request (no keep-alive), closed gracefully once `shutdown` is cancelled and
/// dropped when `timeouts` run out.
async fn serve_connection(
    stream: TcpStream,
    router: Router,
    timeouts: CallbackTimeouts,
    shutdown: CancellationToken,
) {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.header_read)
        .keep_alive(false);
    let connection =
        builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(router));
    let mut connection = std::pin::pin!(connection);
    let served = tokio::time::timeout(timeouts.connection, async {
        tokio::select! {
            served = connection.as_mut() => served,
            () = shutdown.cancelled() => {
                // An idle connection closes at once; one with a request in flight answers it first.
                connection.as_mut().graceful_shutdown();
                connection.as_mut().await
            }
        }
    })
    .await;
    match served {
        Ok(Ok(())) => {}
        Ok(Err(err)) => tracing::debug!("login callback connection failed: {err}"),
        Err(_) => tracing::debug!("login callback connection dropped after {timeouts:?}"),
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::AsyncReadExt;
    use tokio::io::AsyncWriteExt;

    use super::*;

    /// Far longer than the timeouts under test, so a loaded machine does not fail the test.
    const PATIENCE: Duration = Duration::from_secs(20);

    async fn start(timeouts: CallbackTimeouts) -> (std::net::SocketAddr, CancellationToken) {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        let address = listener.local_addr().expect("address");
        let router = Router::new().route("/ping", axum::routing::get(|| async { "pong" }));
        let finished = CancellationToken::new();
        tokio::spawn(serve_until_finished(
            listener,
            router,
            timeouts,
            finished.clone(),
        ));
        (address, finished)
    }

    async fn get(address: std::net::SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(address).await.expect("connect");
        stream
            .write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes())
            .await
            .expect("send");
        let mut response = String::new();
        tokio::time::timeout(PATIENCE, stream.read_to_string(&mut response))
            .await
            .expect("answered in time")
            .expect("read");
        response
    }

    /// Reads until the server closes `stream`; the bytes it sent meanwhile.
    async fn closed_by_server(mut stream: TcpStream) -> Vec<u8> {
        let mut received = Vec::new();
        tokio::time::timeout(PATIENCE, stream.read_to_end(&mut received))
            .await
            .expect("closed by the server")
            .ok();
        received
    }

    #[tokio::test]
    async fn a_silent_client_blocks_no_one_and_is_dropped() {
        let (address, _finished) = start(CallbackTimeouts {
            header_read: Duration::from_millis(200),
            connection: Duration::from_secs(60),
        })
        .await;
        let silent = TcpStream::connect(address).await.expect("connect");
        let mut partial = TcpStream::connect(address).await.expect("connect");
        partial
            .write_all(b"GET /ping HTTP/1.1\r\nHost: loc")
            .await
            .expect("send");

        let response = get(address, "/ping").await;
        assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
        assert!(response.ends_with("pong"), "{response}");
        assert!(response.contains("connection: close"), "{response}");

        closed_by_server(silent).await;
        closed_by_server(partial).await;
    }

    #[tokio::test]
    async fn a_slow_request_is_dropped_at_the_connection_deadline() {
        let (address, _finished) = start(CallbackTimeouts {
            header_read: Duration::from_secs(60),
            connection: Duration::from_millis(200),
        })
        .await;
        let mut slow = TcpStream::connect(address).await.expect("connect");
        slow.write_all(b"GET /ping HTTP/1.1\r\n")
            .await
            .expect("send");
        assert_eq!(closed_by_server(slow).await, b"");
    }

    #[tokio::test]
    async fn finishing_stops_accepting_and_closes_idle_connections() {
        let (address, finished) = start(CallbackTimeouts::default()).await;
        let idle = TcpStream::connect(address).await.expect("connect");
        assert!(get(address, "/ping").await.ends_with("pong"));
        finished.cancel();
        closed_by_server(idle).await;
        let refused = tokio::time::timeout(PATIENCE, async {
            loop {
                if TcpStream::connect(address).await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await;
        assert!(refused.is_ok(), "the listener should be closed");
    }
}

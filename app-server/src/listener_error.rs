//! Why a listener does not start: the TCP address or unix socket it could not bind, or refused to.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a listener does not start.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    #[error(
        "refusing to start non-loopback websocket listener {0} without auth; configure `--ws-auth capability-token` or `--ws-auth signed-bearer-token`"
    )]
    UnauthenticatedNonLoopback(SocketAddr),
    #[error("cannot listen on {address}: {source}")]
    Tcp {
        address: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot listen on unix socket {}: {source}", path.display())]
    UnixSocket {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("app-server control socket is already in use at {}", .0.display())]
    SocketInUse(PathBuf),
    #[error("app-server control socket path exists and is not a socket: {}", .0.display())]
    NotASocket(PathBuf),
}

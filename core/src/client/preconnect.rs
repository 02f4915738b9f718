//! `PreconnectState`: the single websocket a `ModelClient` warms up at session start (CORE 7), so the
//! first turn skips the TCP, TLS and upgrade latency. Handshake only; no payload is ever sent on it.

use tokio::task::JoinHandle;

use crate::client::websocket_connection::WebSocketConnection;

/// The warmed-socket slot of one `ModelClient`.
#[derive(Debug, Default)]
pub(crate) enum PreconnectState {
    /// Nothing warming, nothing ready.
    #[default]
    Idle,
    /// The handshake task; once finished it holds the ready socket (or `None` when it failed).
    InFlight(JoinHandle<Option<WebSocketConnection>>),
}

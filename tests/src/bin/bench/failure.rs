//! `BenchFailure`: why an iteration stopped before measuring everything.

/// Why an iteration stopped before measuring everything.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum BenchFailure {
    #[error("could not spawn the server: {0}")]
    Spawn(String),
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    #[error("server exited or closed stdout ({status}) while waiting for {waiting_for}")]
    Exited {
        waiting_for: &'static str,
        status: String,
    },
    #[error("could not write to the server's stdin: {0}")]
    Write(String),
    #[error("{method} answered an error: {error}")]
    ErrorResponse { method: &'static str, error: String },
    #[error("the turn ended with status {status}: {error}")]
    TurnNotCompleted { status: String, error: String },
    #[error("the websocket turn ran without the server opening a websocket")]
    NoWebSocket,
}

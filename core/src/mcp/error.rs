//! Why an MCP server did not start, and why a call to it failed; the texts reach the host (start-up status)
//! and the model (a failed call's output) as they are.

use std::time::Duration;

/// Why a server that needs credentials did not start (also how the host's view recognises it).
pub(crate) const AUTH_REQUIRED: &str = "the server requires authentication: sign in with mcpServer/oauth/login, or set bearer_token_env_var";

/// Why a server did not start.
#[derive(Debug, thiserror::Error)]
pub enum McpStartError {
    #[error("could not start `{command}`: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Handshake(String),
    #[error("listing the server's tools failed: {0}")]
    ListTools(String),
    #[error("the server did not start within {} s", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("{0}")]
    Http(String),
    #[error("the server is disabled in config.toml")]
    Disabled,
    /// The server answered 401: a bearer token or an OAuth sign-in is needed.
    #[error("{AUTH_REQUIRED}")]
    AuthRequired,
    #[error("{0}")]
    Config(String),
}

/// Why a call (a tool call, a resource listing or read) failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum McpCallError {
    #[error("unknown MCP server `{0}`")]
    UnknownServer(String),
    #[error("MCP server `{server}` is not available: {reason}")]
    Unavailable { server: String, reason: String },
    #[error("{0}")]
    Server(String),
    #[error("{0}")]
    Closed(String),
    #[error("timed out after {} s", .0.as_secs_f64())]
    Timeout(Duration),
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Protocol(String),
}

//! Who is speaking to the backend: this build's version, the upstream protocol release it speaks, and the
//! host's identity from `initialize` (sent as `originator` and `User-Agent`).

/// The version reported as `cliVersion` and in the user agent.
pub const CLI_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The `codex app-server` release whose protocol this daemon speaks; sent where the backend expects a
/// Codex client version (the models list hides models newer clients need) and shown by `--version`.
pub const UPSTREAM_PROTOCOL_VERSION: &str = "0.171.0";

/// Who the host is, from `initialize`: sent as `originator` and `User-Agent`.
#[derive(Debug, Clone)]
pub struct ClientIdentity {
    pub originator: String,
    pub user_agent: String,
}

impl Default for ClientIdentity {
    /// This server's own identity, until `initialize` names the host.
    fn default() -> Self {
        ClientIdentity {
            originator: "codex_app_server".to_string(),
            user_agent: format!("codex_app_server/{CLI_VERSION}"),
        }
    }
}

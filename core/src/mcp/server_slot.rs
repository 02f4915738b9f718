//! One configured server within a generation of servers: its start-up state (watched by the threads that
//! report it), its live connection, and the tools it listed. It starts once when first needed; a
//! connection that closed after it was ready (the server crashed) is replaced by a new start on next use;
//! a server that failed to start stays failed until the configuration is reloaded.

use std::sync::Arc;
use std::sync::Mutex;

use rmcp::model::Tool;
use tokio::sync::watch;

use crate::mcp::connection::McpConnection;
use crate::mcp::error::McpCallError;
use crate::mcp::oauth_store::fresh_access_token;
use crate::mcp::server_config::McpServerConfig;
use crate::mcp::server_config::McpTransportConfig;

/// The live connection, and whether the server was ever ready (a server that was is restarted on each
/// use until it starts again; one that never started stays failed).
#[derive(Default)]
struct Live {
    connection: Option<Arc<McpConnection>>,
    was_ready: bool,
}

/// Where a server's start is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotStatus {
    NotStarted,
    Starting,
    Ready,
    Failed(String),
    Disabled,
}

impl SlotStatus {
    /// A start that ended (or will never happen).
    pub(crate) fn is_settled(&self) -> bool {
        match self {
            SlotStatus::Ready | SlotStatus::Failed(_) | SlotStatus::Disabled => true,
            SlotStatus::NotStarted | SlotStatus::Starting => false,
        }
    }
}

pub(crate) struct ServerSlot {
    pub(crate) name: String,
    pub(crate) config: McpServerConfig,
    status: watch::Sender<SlotStatus>,
    /// Held while a start runs, so concurrent users wait for the same start.
    connection: tokio::sync::Mutex<Live>,
    /// The tools of the last successful start (kept while a crashed server waits for its restart).
    tools: Mutex<Vec<Tool>>,
}

impl ServerSlot {
    pub(crate) fn new(name: &str, config: McpServerConfig) -> Self {
        let initial = if config.enabled {
            SlotStatus::NotStarted
        } else {
            SlotStatus::Disabled
        };
        Self {
            name: name.to_string(),
            config,
            status: watch::Sender::new(initial),
            connection: tokio::sync::Mutex::new(Live::default()),
            tools: Mutex::new(Vec::new()),
        }
    }

    /// A slot for a table that could not be used: failed from the start.
    pub(crate) fn invalid(name: &str, reason: String) -> Self {
        let slot = Self::new(name, McpServerConfig::unusable());
        slot.status.send_replace(SlotStatus::Failed(reason));
        slot
    }

    pub(crate) fn status(&self) -> SlotStatus {
        self.status.borrow().clone()
    }

    pub(crate) fn watch(&self) -> watch::Receiver<SlotStatus> {
        self.status.subscribe()
    }

    pub(crate) fn tools(&self) -> Vec<Tool> {
        self.tools.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until the first start settled (it runs elsewhere).
    pub(crate) async fn settled(&self) -> SlotStatus {
        let mut watch = self.watch();
        match watch.wait_for(SlotStatus::is_settled).await {
            Ok(status) => status.clone(),
            Err(_) => self.status(),
        }
    }

    /// The live connection: started (or restarted after a crash) when there is none.
    pub(crate) async fn connection(
        &self,
        http: &reqwest::Client,
        codex_home: &std::path::Path,
    ) -> Result<Arc<McpConnection>, McpCallError> {
        let mut guard = self.connection.lock().await;
        if let Some(connection) = guard.connection.as_ref() {
            if !connection.is_closed() {
                return Ok(Arc::clone(connection));
            }
            tracing::warn!(mcp_server = %self.name, "{}; starting it again", connection.closed_reason());
            guard.connection = None;
        } else if let SlotStatus::Failed(reason) = self.status()
            && !guard.was_ready
        {
            return Err(self.unavailable(reason));
        }
        if self.status() == SlotStatus::Disabled {
            return Err(self.unavailable("it is disabled in config.toml".to_string()));
        }
        self.status.send_replace(SlotStatus::Starting);
        let oauth_token = match &self.config.transport {
            McpTransportConfig::StreamableHttp { url, .. } => {
                fresh_access_token(codex_home, &self.name, url, http).await
            }
            McpTransportConfig::Stdio { .. } => None,
        };
        match McpConnection::start(&self.name, &self.config, http, oauth_token).await {
            Ok(connection) => {
                let connection = Arc::new(connection);
                *self.tools.lock().unwrap_or_else(|e| e.into_inner()) = connection.tools.clone();
                guard.connection = Some(Arc::clone(&connection));
                guard.was_ready = true;
                self.status.send_replace(SlotStatus::Ready);
                Ok(connection)
            }
            Err(err) => {
                let reason = startup_failure(&self.name, &err);
                tracing::warn!(mcp_server = %self.name, "failed to start: {reason}");
                self.status.send_replace(SlotStatus::Failed(reason.clone()));
                Err(self.unavailable(reason))
            }
        }
    }

    fn unavailable(&self, reason: String) -> McpCallError {
        McpCallError::Unavailable {
            server: self.name.clone(),
            reason,
        }
    }

    /// The connection if one is live, without starting anything.
    pub(crate) fn live_connection(&self) -> Option<Arc<McpConnection>> {
        let guard = self.connection.try_lock().ok()?;
        guard
            .connection
            .as_ref()
            .filter(|connection| !connection.is_closed())
            .cloned()
    }

    /// Ends the connection (the generation is being dropped or the daemon exits).
    pub(crate) fn shutdown(&self) {
        if let Ok(mut guard) = self.connection.try_lock()
            && let Some(connection) = guard.connection.take()
        {
            connection.shutdown();
        }
    }
}

/// How upstream 0.171 words a failed start for the host.
fn startup_failure(name: &str, err: &crate::mcp::McpStartError) -> String {
    match err {
        crate::mcp::McpStartError::Timeout(limit) => format!(
            "MCP client for `{name}` timed out after {} seconds. Add or adjust `startup_timeout_sec` in your config.toml:\n[mcp_servers.{name}]\nstartup_timeout_sec = XX",
            limit.as_secs_f64()
        ),
        other => format!("MCP client for `{name}` failed to start: MCP startup failed: {other}"),
    }
}

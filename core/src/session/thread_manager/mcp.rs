//! The MCP servers of new threads: the generation a thread's configuration selects (started in the
//! background as the thread is created), the check that refuses a thread whose required server failed,
//! and the host's view and reload of the servers.

use std::sync::Arc;

use crate::config::Config;
use crate::mcp::McpHub;
use crate::mcp::McpServers;
use crate::session::thread::ThreadError;
use crate::session::thread_manager::ThreadManager;

impl ThreadManager {
    /// The daemon's MCP servers.
    pub fn mcp(&self) -> &Arc<McpHub> {
        &self.mcp
    }

    /// The servers a thread with `config` uses, starting (once) in the background.
    pub(super) fn mcp_servers_for(&self, config: &Config) -> Arc<McpServers> {
        let servers = self.mcp.servers_for(&config.mcp_servers);
        servers.start_all();
        servers
    }

    /// Waits for the `required` servers of `config`: a thread does not start without them.
    pub(super) async fn check_required_mcp_servers(
        &self,
        config: &Config,
    ) -> Result<(), ThreadError> {
        let servers = self.mcp_servers_for(config);
        match servers.required_failure().await {
            Some((server, reason)) => Err(ThreadError::McpServerRequired(format!(
                "{server}: {reason}"
            ))),
            None => Ok(()),
        }
    }
}

impl ThreadManager {
    /// The servers a thread started now would use (started if they were not): what
    /// `mcpServerStatus/list` shows without a thread.
    pub fn mcp_servers_now(&self) -> Result<Arc<McpServers>, ThreadError> {
        let config = self.load_config(crate::config::ConfigOverrides::default())?;
        Ok(self.mcp_servers_for(&config))
    }

    /// `config/mcpServer/reload`: threads started from now on read `[mcp_servers]` again and start fresh
    /// servers; running threads keep theirs.
    pub fn reload_mcp_servers(&self) {
        self.mcp.reload();
    }
}

impl ThreadManager {
    /// `mcp_oauth_callback_port` from config.toml: the fixed port of the OAuth sign-in's callback.
    pub fn mcp_oauth_callback_port(&self) -> Result<Option<u16>, ThreadError> {
        let config = self.load_config(crate::config::ConfigOverrides::default())?;
        Ok(config
            .raw
            .get("mcp_oauth_callback_port")
            .and_then(toml::Value::as_integer)
            .and_then(|port| u16::try_from(port).ok()))
    }
}

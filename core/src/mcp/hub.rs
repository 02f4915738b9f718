//! The daemon's MCP servers across threads: the current generation (built from the configuration the
//! first thread that needs servers was started with, and shared by later threads with the same
//! `[mcp_servers]` tables), its replacement when the configuration is reloaded or differs, and the end of
//! every server when the daemon exits.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;

use crate::mcp::servers::McpServers;
use crate::mcp::stdio_process::kill_all_servers;

pub struct McpHub {
    http: reqwest::Client,
    codex_home: PathBuf,
    current: Mutex<Option<Arc<McpServers>>>,
}

impl McpHub {
    pub fn new(http: reqwest::Client, codex_home: PathBuf) -> Self {
        Self {
            http,
            codex_home,
            current: Mutex::new(None),
        }
    }

    /// The servers of a new thread whose configuration has `table` as `[mcp_servers]`: the current
    /// generation when it was built from the same tables, else a new one (which becomes current).
    pub fn servers_for(&self, table: &toml::Table) -> Arc<McpServers> {
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(servers) = current.as_ref()
            && servers.table() == table
        {
            return Arc::clone(servers);
        }
        let servers = Arc::new(McpServers::new(
            table,
            self.http.clone(),
            self.codex_home.clone(),
        ));
        *current = Some(Arc::clone(&servers));
        servers
    }

    /// The generation new threads would use now, if one was built.
    pub fn current(&self) -> Option<Arc<McpServers>> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// New threads start a new generation (re-reading the configuration); running threads keep theirs.
    pub fn reload(&self) {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }

    /// Ends every server process (the daemon is exiting).
    pub fn shutdown(&self) {
        if let Some(servers) = self.current() {
            servers.shutdown();
        }
        kill_all_servers();
    }
}

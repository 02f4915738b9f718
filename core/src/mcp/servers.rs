//! A generation of MCP servers: every `[mcp_servers.*]` table of one configuration, shared by the threads
//! started under it. The servers start together (in parallel, each within its own limit) when the first
//! thread needs them; each thread is told their start-up states; turns see the tools of the ready ones
//! under the names the model knows; calls, resource listings and reads go to the right connection. Dropping
//! the generation (reload, and its last thread gone) ends its servers.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;

use rmcp::model::Tool;

use crate::mcp::connection::McpConnection;
use crate::mcp::error::McpCallError;
use crate::mcp::server_config::parse_mcp_servers;
use crate::mcp::server_slot::ServerSlot;
use crate::mcp::server_slot::SlotStatus;
use crate::mcp::tool_names::qualify_tool_names;
use crate::protocol::event::EventMsg;
use crate::protocol::event_sink::EventSink;
use crate::protocol::mcp::McpStartupStatus;

/// One MCP tool as a turn offers it.
#[derive(Debug, Clone)]
pub struct McpTool {
    /// The name the model calls it by (`mcp__server__tool`).
    pub model_name: String,
    pub server: String,
    pub tool: Tool,
}

/// Every server of one configuration.
pub struct McpServers {
    /// The `[mcp_servers]` table this generation was built from.
    table: toml::Table,
    slots: BTreeMap<String, Arc<ServerSlot>>,
    http: reqwest::Client,
    codex_home: PathBuf,
    started: AtomicBool,
}

impl McpServers {
    pub fn new(table: &toml::Table, http: reqwest::Client, codex_home: PathBuf) -> Self {
        let (configs, errors) = parse_mcp_servers(table);
        let mut slots: BTreeMap<String, Arc<ServerSlot>> = configs
            .into_iter()
            .map(|(name, config)| (name.clone(), Arc::new(ServerSlot::new(&name, config))))
            .collect();
        for error in errors {
            tracing::warn!("{error}");
            let slot = ServerSlot::invalid(&error.server, error.to_string());
            slots.insert(error.server.clone(), Arc::new(slot));
        }
        Self {
            table: table.clone(),
            slots,
            http,
            codex_home,
            started: AtomicBool::new(false),
        }
    }

    pub(crate) fn table(&self) -> &toml::Table {
        &self.table
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Starts every enabled server, once, in the background.
    pub fn start_all(self: &Arc<Self>) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        for slot in self.slots.values() {
            if slot.status() != SlotStatus::NotStarted {
                continue;
            }
            let slot = Arc::clone(slot);
            let servers = Arc::clone(self);
            tokio::spawn(async move {
                let _ = slot.connection(&servers.http, &servers.codex_home).await;
            });
        }
    }

    /// Tells `events` (a thread) each server's start: `starting`, then `ready` or `failed`.
    pub fn report_startup(self: &Arc<Self>, events: &EventSink) {
        for slot in self.slots.values() {
            if slot.status() == SlotStatus::Disabled {
                continue;
            }
            let slot = Arc::clone(slot);
            let events = events.clone();
            tokio::spawn(async move {
                let mut watch = slot.watch();
                let mut reported_starting = false;
                loop {
                    let status = watch.borrow_and_update().clone();
                    let reported = match status {
                        SlotStatus::NotStarted | SlotStatus::Disabled => None,
                        SlotStatus::Starting => {
                            (!reported_starting).then_some(McpStartupStatus::Starting)
                        }
                        SlotStatus::Ready => Some(McpStartupStatus::Ready),
                        SlotStatus::Failed(error) => Some(McpStartupStatus::Failed { error }),
                    };
                    if let Some(status) = reported {
                        if !reported_starting && status != McpStartupStatus::Starting {
                            events
                                .emit(EventMsg::McpStartupUpdated {
                                    server: slot.name.clone(),
                                    status: McpStartupStatus::Starting,
                                })
                                .await;
                        }
                        let settled = status != McpStartupStatus::Starting;
                        reported_starting = true;
                        events
                            .emit(EventMsg::McpStartupUpdated {
                                server: slot.name.clone(),
                                status,
                            })
                            .await;
                        if settled {
                            return;
                        }
                    }
                    if watch.changed().await.is_err() {
                        return;
                    }
                }
            });
        }
    }

    /// Waits for the required servers: the first one that failed, with its reason.
    pub async fn required_failure(&self) -> Option<(String, String)> {
        for slot in self.slots.values().filter(|slot| slot.config.required) {
            if let SlotStatus::Failed(reason) = slot.settled().await {
                return Some((slot.name.clone(), reason));
            }
        }
        None
    }

    /// The tools of every ready server, as the model sees them, by name (waits for starts still running).
    pub async fn tools(&self) -> Vec<McpTool> {
        let mut listed = Vec::new();
        for slot in self.slots.values() {
            // A server that was ready keeps its tools while it waits for a restart; others have none.
            slot.settled().await;
            for tool in slot.tools() {
                if slot.config.tool_enabled(&tool.name) {
                    listed.push((slot.name.clone(), tool));
                }
            }
        }
        let names = qualify_tool_names(
            listed
                .iter()
                .map(|(server, tool)| (server.as_str(), tool.name.as_ref())),
        );
        let mut by_pair: BTreeMap<(String, String), String> = names
            .into_iter()
            .map(|(model_name, pair)| (pair, model_name))
            .collect();
        let mut tools: Vec<McpTool> = listed
            .into_iter()
            .filter_map(|(server, tool)| {
                let model_name = by_pair.remove(&(server.clone(), tool.name.to_string()))?;
                Some(McpTool {
                    model_name,
                    server,
                    tool,
                })
            })
            .collect();
        tools.sort_by(|a, b| a.model_name.cmp(&b.model_name));
        tools
    }

    pub(crate) fn slot(&self, server: &str) -> Result<&Arc<ServerSlot>, McpCallError> {
        self.slots
            .get(server)
            .ok_or_else(|| McpCallError::UnknownServer(server.to_string()))
    }

    pub(crate) fn slots(&self) -> impl Iterator<Item = &Arc<ServerSlot>> {
        self.slots.values()
    }

    /// The live connection to `server`, started (again) if needed.
    pub(crate) async fn connection(
        &self,
        server: &str,
    ) -> Result<Arc<McpConnection>, McpCallError> {
        self.slot(server)?
            .connection(&self.http, &self.codex_home)
            .await
    }

    pub(crate) fn codex_home(&self) -> &std::path::Path {
        &self.codex_home
    }

    pub fn config(&self, server: &str) -> Option<&crate::mcp::McpServerConfig> {
        self.slots.get(server).map(|slot| &slot.config)
    }

    /// The time limit of one call to `server`'s tools.
    pub(crate) fn tool_timeout(&self, server: &str) -> std::time::Duration {
        self.config(server)
            .map_or(crate::mcp::server_config::DEFAULT_TOOL_TIMEOUT, |config| {
                config.tool_timeout
            })
    }

    /// `server`'s own definition of `tool`, as it listed it.
    pub(crate) fn tool_definition(&self, server: &str, tool: &str) -> Option<Tool> {
        self.slots
            .get(server)?
            .tools()
            .into_iter()
            .find(|listed| listed.name == tool)
    }

    /// The servers that are (or were) ready: the ones the resource tools ask.
    pub(crate) fn server_names(&self) -> Vec<String> {
        self.slots
            .values()
            .filter(|slot| !slot.tools().is_empty() || slot.status() == SlotStatus::Ready)
            .map(|slot| slot.name.clone())
            .collect()
    }

    /// Ends every server of this generation.
    pub fn shutdown(&self) {
        for slot in self.slots.values() {
            slot.shutdown();
        }
    }
}

impl Drop for McpServers {
    fn drop(&mut self) {
        self.shutdown();
    }
}

#[cfg(test)]
#[path = "servers_tests.rs"]
mod tests;

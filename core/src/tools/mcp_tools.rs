//! The MCP tools one turn offers: listed once the thread's servers have started (the turn waits for starts
//! still running), given to the model as function tools under upstream's names with sanitized schemas, and
//! looked up by name when the model calls one. The resource tools come with them when a server is
//! configured.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;
use serde_json::json;
use tokio::sync::OnceCell;

use crate::mcp::McpServers;
use crate::mcp::McpToolApprovalMode;
use crate::mcp::sanitize_input_schema;

/// What a model-visible MCP tool name stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct McpToolRoute {
    pub(crate) server: String,
    /// The server's own name for the tool.
    pub(crate) tool: String,
    pub(crate) approval_mode: McpToolApprovalMode,
    /// The tool says it changes nothing (`readOnlyHint`).
    pub(crate) read_only: bool,
    /// The tool says it may destroy something (`destructiveHint`, true unless said otherwise).
    pub(crate) destructive: bool,
    /// The tool says it may reach outside the machine (`openWorldHint`, true unless said otherwise).
    pub(crate) open_world: bool,
}

struct Listed {
    specs: Vec<Value>,
    routes: BTreeMap<String, McpToolRoute>,
}

/// The turn's MCP tools (none until [`McpTurnTools::load`] ran).
pub(crate) struct McpTurnTools {
    servers: Arc<McpServers>,
    listed: OnceCell<Listed>,
}

impl std::fmt::Debug for McpTurnTools {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpTurnTools").finish_non_exhaustive()
    }
}

impl McpTurnTools {
    pub(crate) fn new(servers: Arc<McpServers>) -> Self {
        Self {
            servers,
            listed: OnceCell::new(),
        }
    }

    pub(crate) fn servers(&self) -> &Arc<McpServers> {
        &self.servers
    }

    /// Lists the tools of the thread's servers (waiting for their start).
    pub(crate) async fn load(&self) {
        self.listed
            .get_or_init(|| async {
                let mut specs = Vec::new();
                let mut routes = BTreeMap::new();
                for listed in self.servers.tools().await {
                    let config = self.servers.config(&listed.server);
                    let annotations = listed.tool.annotations.clone().unwrap_or_default();
                    specs.push(json!({
                        "type": "function",
                        "name": listed.model_name,
                        "description": listed.tool.description.as_deref().unwrap_or_default(),
                        "strict": false,
                        "parameters": sanitize_input_schema(&listed.tool.input_schema),
                    }));
                    routes.insert(
                        listed.model_name.clone(),
                        McpToolRoute {
                            approval_mode: config
                                .map(|config| config.approval_mode(&listed.tool.name))
                                .unwrap_or_default(),
                            read_only: annotations.read_only_hint.unwrap_or(false),
                            destructive: annotations.destructive_hint.unwrap_or(true),
                            open_world: annotations.open_world_hint.unwrap_or(true),
                            server: listed.server,
                            tool: listed.tool.name.to_string(),
                        },
                    );
                }
                Listed { specs, routes }
            })
            .await;
    }

    /// The servers' tools to offer (after [`Self::load`]), by name.
    pub(crate) fn function_specs(&self) -> Vec<Value> {
        let mut specs = self
            .listed
            .get()
            .map(|listed| listed.specs.clone())
            .unwrap_or_default();
        specs.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
        specs
    }

    /// The resource tools, offered when any server is configured.
    pub(crate) fn resource_tool_specs(&self) -> Vec<Value> {
        if self.servers.is_empty() {
            return Vec::new();
        }
        crate::tools::mcp_resource_specs::resource_tool_specs()
    }

    /// What the model's call of `name` goes to, when it names an MCP tool.
    pub(crate) fn route(&self, name: &str) -> Option<&McpToolRoute> {
        self.listed.get()?.routes.get(name)
    }
}

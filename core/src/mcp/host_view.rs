//! The host's side of the MCP servers: each server's state, tools and resources as `mcpServerStatus/list`
//! shows them, a tool call made by the host (`mcpServer/tool/call`) and a resource read
//! (`mcpServer/resource/read`). Values are the MCP objects as JSON, as the servers sent them.

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::mcp::McpCallError;
use crate::mcp::client_handler::McpCaller;
use crate::mcp::error::AUTH_REQUIRED;
use crate::mcp::oauth_store::has_stored_credentials;
use crate::mcp::server_config::McpTransportConfig;
use crate::mcp::server_slot::SlotStatus;
use crate::mcp::servers::McpServers;
use crate::protocol::event_sink::EventSink;

/// How a server authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum McpAuthKind {
    /// A stdio server, or an HTTP server without credentials.
    Unsupported,
    /// An HTTP server that answered 401 and has no credentials.
    NotLoggedIn,
    BearerToken,
    OAuth,
}

/// One server as the host sees it.
#[derive(Debug, Clone)]
pub struct McpServerView {
    pub name: String,
    pub status: SlotStatus,
    pub auth: McpAuthKind,
    /// The tools the model may see, by the server's names.
    pub tools: Vec<Value>,
    pub resources: Vec<Value>,
    pub resource_templates: Vec<Value>,
    /// `serverInfo` and `capabilities` from the handshake.
    pub server_info: Option<Value>,
    pub capabilities: Option<Value>,
    /// `scheme://host[:port]` of an HTTP server.
    pub http_origin: Option<String>,
}

impl McpServers {
    /// Every server once its start settled; `with_resources` lists resources and templates too.
    pub async fn views(&self, with_resources: bool) -> Vec<McpServerView> {
        let mut views = Vec::new();
        for slot in self.slots() {
            let status = slot.settled().await;
            let tools = slot
                .tools()
                .into_iter()
                .filter(|tool| slot.config.tool_enabled(&tool.name))
                .filter_map(|tool| serde_json::to_value(tool).ok())
                .collect();
            let mut view = McpServerView {
                name: slot.name.clone(),
                auth: self.auth_kind(&slot.name, &status),
                status,
                tools,
                resources: Vec::new(),
                resource_templates: Vec::new(),
                server_info: None,
                capabilities: None,
                http_origin: http_origin(&slot.config.transport),
            };
            if let Some(connection) = slot.live_connection() {
                if let Some(info) = connection.server_info() {
                    view.server_info = serde_json::to_value(&info.server_info).ok();
                    view.capabilities = serde_json::to_value(&info.capabilities).ok();
                }
                if with_resources && connection.has_resources() {
                    if let Ok(page) = connection.list_resources(None).await {
                        view.resources = to_values(&page.resources);
                    }
                    if let Ok(page) = connection.list_resource_templates(None).await {
                        view.resource_templates = to_values(&page.resource_templates);
                    }
                }
            }
            views.push(view);
        }
        views
    }

    fn auth_kind(&self, server: &str, status: &SlotStatus) -> McpAuthKind {
        let Some(config) = self.config(server) else {
            return McpAuthKind::Unsupported;
        };
        match &config.transport {
            McpTransportConfig::Stdio { .. } => McpAuthKind::Unsupported,
            McpTransportConfig::StreamableHttp {
                url,
                bearer_token_env_var,
                ..
            } => {
                if bearer_token_env_var.is_some() {
                    McpAuthKind::BearerToken
                } else if has_stored_credentials(self.codex_home(), server, url) {
                    McpAuthKind::OAuth
                } else if matches!(status, SlotStatus::Failed(reason) if reason.ends_with(AUTH_REQUIRED))
                {
                    McpAuthKind::NotLoggedIn
                } else {
                    McpAuthKind::Unsupported
                }
            }
        }
    }

    /// The host calls `server`'s `tool` (no approval: the host asked); questions the server asks during
    /// the call go to `events`' host. The result as MCP's JSON.
    pub async fn call_tool_for_host(
        &self,
        server: &str,
        tool: &str,
        arguments: Option<Value>,
        events: EventSink,
        cancel: &CancellationToken,
    ) -> Result<Value, McpCallError> {
        let arguments = match arguments {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => {
                return Err(McpCallError::Protocol(
                    "`arguments` must be a JSON object".to_string(),
                ));
            }
        };
        let connection = self.connection(server).await?;
        let caller = McpCaller {
            events,
            turn_id: None,
            may_ask: true,
            cancel: Some(cancel.clone()),
        };
        let (progress, _ignored) = tokio::sync::mpsc::unbounded_channel();
        let result = connection
            .call_tool(
                tool,
                arguments,
                Some(caller),
                self.tool_timeout(server),
                cancel,
                progress,
            )
            .await?;
        crate::mcp::call_output::check_size(&result).map_err(McpCallError::Protocol)?;
        serde_json::to_value(&result).map_err(|err| McpCallError::Protocol(err.to_string()))
    }

    /// Reads `uri` from `server`: its `contents` as MCP's JSON.
    pub async fn read_resource_for_host(
        &self,
        server: &str,
        uri: &str,
    ) -> Result<Value, McpCallError> {
        let connection = self.connection(server).await?;
        let result = connection.read_resource(uri).await?;
        serde_json::to_value(&result.contents)
            .map_err(|err| McpCallError::Protocol(err.to_string()))
    }
}

fn to_values<T: serde::Serialize>(items: &[T]) -> Vec<Value> {
    items
        .iter()
        .filter_map(|item| serde_json::to_value(item).ok())
        .collect()
}

fn http_origin(transport: &McpTransportConfig) -> Option<String> {
    let McpTransportConfig::StreamableHttp { url, .. } = transport else {
        return None;
    };
    let parsed = reqwest::Url::parse(url).ok()?;
    Some(parsed.origin().ascii_serialization())
}

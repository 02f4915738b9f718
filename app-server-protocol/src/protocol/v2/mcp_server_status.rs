//! The configured MCP servers' state: `mcpServerStatus/list` (each server's tools, resources and
//! authentication), `config/mcpServer/reload`, and `mcpServer/startupStatus/updated` (0.171) as a server
//! starts.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::mcp_model::McpServerInfo;
use crate::protocol::v2::mcp_model::Resource;
use crate::protocol::v2::mcp_model::ResourceTemplate;
use crate::protocol::v2::mcp_model::Tool;

/// Params of `mcpServerStatus/list`. 0.105 knows `cursor` and `limit` only; the rest are 0.171's.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ListMcpServerStatusParams {
    /// Opaque pagination cursor returned by a previous call.
    pub cursor: Option<String>,
    /// Optional page size; defaults to a server-defined value.
    pub limit: Option<u32>,
    /// How much of each server's inventory to fetch; `full` when omitted.
    pub detail: Option<McpServerStatusDetail>,
    /// Limit discovery to one server. With a thread id, that thread's connection is used.
    pub server_name: Option<String>,
    pub thread_id: Option<String>,
    /// Select this environment's registration; requires `serverName` and `threadId`.
    pub environment_id: Option<String>,
}

impl ExperimentalApi for ListMcpServerStatusParams {}

/// How much of a server's inventory `mcpServerStatus/list` fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpServerStatusDetail {
    Full,
    // Tools and authentication state; resources and templates are left empty.
    ToolsAndAuthOnly,
}

/// Result of `mcpServerStatus/list`: one page of servers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ListMcpServerStatusResponse {
    pub data: Vec<McpServerStatus>,
    /// Opaque cursor to pass to the next call to continue after the last item; null when there are no more.
    pub next_cursor: Option<String>,
}

/// One configured MCP server. The members after `authStatus` are 0.171's; 0.105's schema allows them
/// as extra keys. They are sent as null when unknown, as 0.171 does, but for `environmentId` and
/// `pluginId` (this server has no environments or plugins), which are omitted then.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpServerStatus {
    pub name: String,
    /// The server's tools by name.
    pub tools: BTreeMap<String, Tool>,
    pub resources: Vec<Resource>,
    pub resource_templates: Vec<ResourceTemplate>,
    pub auth_status: McpAuthStatus,
    #[serde(default)]
    pub server_info: Option<McpServerInfo>,
    /// Current thread-runtime connection state; null when unavailable or the configuration changed.
    #[serde(default)]
    pub runtime_status: Option<McpServerConnectionStatus>,
    /// Capabilities advertised by the initialized server; null when unavailable.
    #[serde(default)]
    pub server_capabilities: Option<serde_json::Value>,
    /// Opaque `_meta` of the first page of the server's tool list; null when unavailable.
    #[serde(default)]
    pub tool_list_meta: Option<serde_json::Value>,
    /// HTTP origin of the configured endpoint (no credentials, path, query or fragment); null for
    /// non-HTTP transports.
    #[serde(default)]
    pub http_origin: Option<String>,
    /// Tool discovery failed and no catalog was returned; null when a catalog (maybe empty) was returned.
    #[serde(default)]
    pub tools_error: Option<String>,
    /// The environment that contributed this registration; omitted for a thread-wide server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plugin_id: Option<String>,
}

/// How a server authenticates, and whether it is signed in. 0.105 does not know `unknown`: this server
/// sends `unsupported` rather than `unknown` so that both generations' clients read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpAuthStatus {
    // 0.171 only.
    Unknown,
    Unsupported,
    NotLoggedIn,
    BearerToken,
    OAuth,
}

/// The connection state of a server in a thread's runtime (0.171).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpServerConnectionStatus {
    NotStarted,
    Starting,
    Connected,
    AuthenticationRequired,
    Failed,
    Cancelled,
    Disabled,
}

/// Result of `config/mcpServer/reload` (no params): `{}`; the servers are restarted from the config.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct McpServerRefreshResponse {}

/// `mcpServer/startupStatus/updated` (0.171): a server's startup moved on. Optional members are omitted
/// when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpServerStatusUpdatedNotification {
    pub name: String,
    pub status: McpServerStartupState,
    /// Why the server failed, for `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<McpServerStartupFailureReason>,
    /// The thread whose runtime started the server; omitted for a server shared by every thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// Registration scope, not necessarily the server's execution environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
}

/// Where a server's startup is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpServerStartupState {
    Starting,
    Ready,
    Failed,
    Cancelled,
}

/// A failure the client can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpServerStartupFailureReason {
    // The server's credentials are gone or expired: `mcpServer/oauth/login` again.
    ReauthenticationRequired,
}

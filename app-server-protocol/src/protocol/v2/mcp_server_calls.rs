//! The host's direct calls into a thread's MCP servers (0.171 only): `mcpServer/tool/call` runs one tool
//! outside any turn, `mcpServer/resource/read` reads one resource.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::mcp_model::ResourceContent;

/// Params of `mcpServer/tool/call`: call `tool` of server `server` as thread `threadId` has it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct McpServerToolCallParams {
    pub thread_id: String,
    pub server: String,
    pub tool: String,
    /// The tool's arguments (an object).
    #[serde(default)]
    pub arguments: Option<serde_json::Value>,
    #[serde(rename = "_meta", default)]
    pub meta: Option<serde_json::Value>,
    /// Exact registration scope; omitted, the server is chosen by name.
    #[serde(default)]
    pub environment_id: Option<String>,
}

impl ExperimentalApi for McpServerToolCallParams {}

/// Result of `mcpServer/tool/call`: the tool's result as the MCP server returned it. Optional members are
/// omitted when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpServerToolCallResponse {
    /// MCP content blocks (`text`, `image`, `audio`, `resource_link`, `resource`).
    pub content: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<serde_json::Value>,
    /// Whether the tool reported a failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
}

/// Params of `mcpServer/resource/read`: read `uri` from server `server`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct McpResourceReadParams {
    /// The thread whose connection to use; null reads through a connection of the server's own.
    #[serde(default)]
    pub thread_id: Option<String>,
    pub server: String,
    pub uri: String,
    /// Additional MCP request metadata. Account and turn routing keys are reserved.
    #[serde(rename = "_meta", default)]
    pub meta: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub connector_id: Option<String>,
    /// Exact registration scope; omitted, the server is chosen by name.
    #[serde(default)]
    pub environment_id: Option<String>,
    /// The MCP tool call whose app the resource belongs to.
    #[serde(default)]
    pub origin_call_id: Option<String>,
    /// An explicit hosted app and account; omitted, resources are discovered as before.
    #[serde(default)]
    pub target: Option<McpResourceReadTarget>,
}

impl ExperimentalApi for McpResourceReadParams {}

/// The hosted app and account a resource is read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpResourceReadTarget {
    pub connector_id: String,
    /// Null explicitly asks for access without an account link, subject to the app's resource policy.
    #[schemars(required, schema_with = "nullable_string")]
    pub link_id: Option<String>,
}

/// `string | null`, for a member that must be present but may be null.
fn nullable_string(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    generator.subschema_for::<Option<String>>()
}

/// Result of `mcpServer/resource/read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpResourceReadResponse {
    pub contents: Vec<ResourceContent>,
    /// The originating call, when the server scoped the read to that call's app; omitted otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin_call_id: Option<String>,
}

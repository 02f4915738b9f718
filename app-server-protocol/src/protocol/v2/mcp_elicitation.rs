//! The server->client request `mcpServer/elicitation/request` (0.171): an MCP server asks the user for
//! input, through a form or by sending them to a URL, and the user's answer.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::v2::mcp_elicitation_schema::McpElicitationSchema;

/// Params of `mcpServer/elicitation/request`: which server asks, in which thread, and what (`mode`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpServerElicitationRequestParams {
    pub thread_id: String,
    /// The turn running when the server asked, if one could be told; null otherwise (MCP servers ask
    /// on their own, outside any turn, too).
    #[serde(default)]
    pub turn_id: Option<String>,
    pub server_name: String,
    /// Registration scope, not necessarily the server's execution environment; omitted when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment_id: Option<String>,
    #[serde(flatten)]
    pub request: McpServerElicitationRequest,
}

/// What the server asks for, tagged by `mode`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "mode")]
#[ts(export_to = "v2/", tag = "mode")]
pub enum McpServerElicitationRequest {
    /// Fill in a form whose fields `requestedSchema` describes; the answer's `content` holds the values.
    #[serde(rename = "form", rename_all = "camelCase")]
    Form {
        #[serde(rename = "_meta", default)]
        meta: Option<serde_json::Value>,
        message: String,
        requested_schema: McpElicitationSchema,
    },
    /// OpenAI's form with a free-form schema (read, never sent here).
    #[serde(rename = "openai/form", rename_all = "camelCase")]
    OpenaiForm {
        #[serde(rename = "_meta", default)]
        meta: Option<serde_json::Value>,
        message: String,
        requested_schema: serde_json::Value,
    },
    /// The camelCase spelling of `openai/form` (read, never sent here).
    #[serde(rename = "openaiForm", rename_all = "camelCase")]
    OpenaiFormCamelCase {
        #[serde(rename = "_meta", default)]
        meta: Option<serde_json::Value>,
        message: String,
        requested_schema: serde_json::Value,
    },
    /// Open `url` (e.g. a sign-in page) out of band; the server tells `elicitationId` done by itself.
    #[serde(rename = "url", rename_all = "camelCase")]
    Url {
        #[serde(rename = "_meta", default)]
        meta: Option<serde_json::Value>,
        message: String,
        url: String,
        elicitation_id: String,
    },
}

/// The user's answer to `mcpServer/elicitation/request`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpServerElicitationRequestResponse {
    pub action: McpServerElicitationAction,
    /// The form's values for `accept`; null for `decline` and `cancel`.
    #[serde(default)]
    pub content: Option<serde_json::Value>,
    /// Optional client metadata for the server.
    #[serde(rename = "_meta", default)]
    pub meta: Option<serde_json::Value>,
}

/// What the user did with an elicitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpServerElicitationAction {
    // Submitted (the form's values are in `content`).
    Accept,
    // Refused explicitly.
    Decline,
    // Dismissed without choosing.
    Cancel,
}

//! MCP servers as the engine reports them to its host: a server's start-up state, the result of a tool
//! call as its item shows it, and a server's question for the user (elicitation) with the one-shot reply
//! that carries the user's answer back to the waiting server.

use serde::Deserialize;
use serde::Serialize;

use crate::protocol::host_reply::HostReply;

/// Where a server's start is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum McpStartupStatus {
    Starting,
    Ready,
    Failed {
        error: String,
    },
    /// The start was abandoned (the configuration was reloaded, or the daemon is exiting).
    Cancelled,
}

/// What an MCP tool returned, as the `mcpToolCall` item shows it: the MCP content blocks as the server sent
/// them and its structured content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct McpCallResult {
    pub content: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<serde_json::Value>,
}

/// How the user answered a server's question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElicitationAction {
    Accept,
    Decline,
    Cancel,
}

/// The user's answer to a server's question.
#[derive(Debug, Clone, PartialEq)]
pub struct ElicitationAnswer {
    pub action: ElicitationAction,
    /// The form's values (accepted form questions only).
    pub content: Option<serde_json::Value>,
    /// The client's `_meta` (an approval's `persist`: `session` or `always`).
    pub meta: Option<serde_json::Value>,
}

pub type ElicitationReply = HostReply<ElicitationAnswer>;

/// A server asks the user something while one of its calls runs (MCP `elicitation/create`).
#[derive(Debug, Clone, PartialEq)]
pub struct McpElicitationRequest {
    pub server: String,
    /// The turn whose tool call the question came with, if it came with one.
    pub turn_id: Option<String>,
    /// The MCP request's params as the server sent them: `mode` (`form` or `url`), `message`, and
    /// `requestedSchema` or `url` + `elicitationId`, and `_meta`.
    pub params: serde_json::Value,
    pub reply: ElicitationReply,
}

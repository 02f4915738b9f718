//! `Prompt`: everything one sampling request sends that comes from the turn: history, tools, instructions
//! and an optional output schema.

use crate::protocol::response_item::ResponseItem;

/// The turn-owned part of a Responses request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Prompt {
    /// Full history for HTTP requests.
    pub input: Vec<ResponseItem>,
    /// Tool specs in Responses JSON.
    pub tools: Vec<serde_json::Value>,
    pub parallel_tool_calls: bool,
    pub base_instructions: String,
    /// JSON schema the final answer must follow.
    pub output_schema: Option<serde_json::Value>,
    /// The processing tier asked of the provider, as configured (`fast` is sent as `priority`).
    pub service_tier: Option<String>,
}

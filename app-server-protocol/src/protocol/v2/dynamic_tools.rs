//! Host tools (experimental `dynamicTools`): the tools a host offers the model at `thread/start`, the
//! `item/tool/call` request that asks the host to run one, and the host's answer.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

/// A tool the host implements, offered to the model as a function tool. 0.171 tags it
/// `{"type": "function"}` (or `"namespace"`, a group of tools this server refuses); 0.105 sends no `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct DynamicToolSpec {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<DynamicToolKind>,
    pub name: String,
    pub description: String,
    /// JSON Schema of the tool's arguments; required for a function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<serde_json::Value>,
    /// Load the tool only when the model searches for it; refused (upstream allows it only in a namespace).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defer_loading: Option<bool>,
    /// The older spelling of `deferLoading`: `false` defers loading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expose_to_context: Option<bool>,
    /// A namespace's tools; refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<serde_json::Value>>,
}

/// What a [`DynamicToolSpec`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum DynamicToolKind {
    Function,
    Namespace,
}

/// Params of the server->client `item/tool/call` request: run host tool `tool` for the model's call
/// `callId` with the model's `arguments` (parsed JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct DynamicToolCallParams {
    pub thread_id: String,
    pub turn_id: String,
    pub call_id: String,
    /// Always null: no namespaced tools are offered (0.171 sends the key; 0.105 does not know it).
    #[serde(default)]
    pub namespace: Option<String>,
    pub tool: String,
    pub arguments: serde_json::Value,
}

/// The host's answer to `item/tool/call`: what the model is given, and whether the tool succeeded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct DynamicToolCallResponse {
    pub content_items: Vec<DynamicToolCallOutputContentItem>,
    pub success: bool,
}

/// One part of a host tool's output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum DynamicToolCallOutputContentItem {
    #[serde(rename_all = "camelCase")]
    InputText { text: String },
    /// A `data:` URL (remote URLs are refused to the model).
    #[serde(rename_all = "camelCase")]
    InputImage { image_url: String },
    /// Shown on the item; the model is told that it takes no audio.
    #[serde(rename_all = "camelCase")]
    InputAudio { audio_url: String },
}

/// The state of a `dynamicToolCall` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum DynamicToolCallStatus {
    InProgress,
    Completed,
    Failed,
}

#[cfg(test)]
#[path = "dynamic_tools_tests.rs"]
mod tests;

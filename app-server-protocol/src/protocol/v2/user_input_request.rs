//! The server->client request `item/tool/requestUserInput` (experimental): the model's `request_user_input`
//! questions for the user, and the answers by question id.

use std::collections::HashMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

/// Params of `item/tool/requestUserInput`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ToolRequestUserInputParams {
    pub thread_id: String,
    pub turn_id: String,
    /// The model's call id.
    pub item_id: String,
    pub questions: Vec<ToolRequestUserInputQuestion>,
    /// Whether the turn waits for the answer (0.171); always `true` here.
    #[serde(default = "blocking")]
    pub is_blocking: bool,
    /// Deprecated upstream (0.171); always `null` here: the request waits until answered.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub auto_resolution_ms: Option<u64>,
}

fn blocking() -> bool {
    true
}

/// One question and the choices offered for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ToolRequestUserInputQuestion {
    pub id: String,
    pub header: String,
    pub question: String,
    /// Whether the host adds a free-form "Other" answer (always, for the model's questions).
    #[serde(default)]
    pub is_other: bool,
    #[serde(default)]
    pub is_secret: bool,
    #[serde(default)]
    pub options: Option<Vec<ToolRequestUserInputOption>>,
}

/// One choice of a question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ToolRequestUserInputOption {
    pub label: String,
    pub description: String,
}

/// Result of `item/tool/requestUserInput`: the answers by question id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ToolRequestUserInputResponse {
    pub answers: HashMap<String, ToolRequestUserInputAnswer>,
}

/// The user's answer to one question: the chosen labels and any text they wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ToolRequestUserInputAnswer {
    pub answers: Vec<String>,
}

//! Collaboration modes (experimental): the mode a turn selects with `turn/start`'s `collaborationMode`,
//! and the settings that come with it.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::v2::shared::ReasoningEffort;

/// A collaboration mode and its settings. Kept by the thread for later turns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct CollaborationMode {
    pub mode: ModeKind,
    pub settings: Settings,
}

/// How the agent works with the user: `plan` plans without changing the workspace and may ask the user
/// questions; `default` does the work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum ModeKind {
    Plan,
    Default,
}

/// The settings of a collaboration mode; they take precedence over the turn's `model` and `effort`.
/// Field names are snake_case on the wire, as upstream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct Settings {
    pub model: String,
    /// `null`: the model's default effort.
    #[serde(default)]
    pub reasoning_effort: Option<ReasoningEffort>,
    /// `null`: the built-in instructions of the mode.
    #[serde(default)]
    pub developer_instructions: Option<String>,
}

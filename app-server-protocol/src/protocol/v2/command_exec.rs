//! `command/exec`: run one argv outside any thread.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::shared::SandboxPolicy;

/// Params of `command/exec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct CommandExecParams {
    /// argv; must be non-empty.
    pub command: Vec<String>,
    #[ts(type = "number | null", optional = nullable)]
    pub timeout_ms: Option<i64>,
    pub cwd: Option<String>,
    pub sandbox_policy: Option<SandboxPolicy>,
}

impl ExperimentalApi for CommandExecParams {}

/// Result of `command/exec`, sent after the process exits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CommandExecResponse {
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
}

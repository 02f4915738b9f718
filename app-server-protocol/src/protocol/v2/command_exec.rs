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
    /// 0.171's streaming and terminal fields, refused when set (interactive processes are not served yet).
    pub process_id: Option<String>,
    #[serde(default)]
    pub tty: bool,
    #[serde(default)]
    pub stream_stdin: bool,
    #[serde(default)]
    pub stream_stdout_stderr: bool,
    pub size: Option<serde_json::Value>,
    /// Environment overrides merged into the command's environment; `null` unsets a variable.
    pub env: Option<std::collections::BTreeMap<String, Option<String>>>,
    /// Runs without a timeout; cannot be combined with `timeoutMs`.
    #[serde(default)]
    pub disable_timeout: bool,
    /// Per-stream capture cap in bytes (0.171); refused when set.
    pub output_bytes_cap: Option<u64>,
    /// Refused when true: output capture is always capped here.
    #[serde(default)]
    pub disable_output_cap: bool,
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

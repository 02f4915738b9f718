//! `command/exec`: run one argv outside any thread, buffered or (0.171) streamed, and the methods that drive
//! a streamed one (`command/exec/write`, `command/exec/resize`, `command/exec/terminate`) and its output
//! notification (`command/exec/outputDelta`).

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
    /// Client-supplied, connection-scoped id; required to stream or to drive the process (0.171).
    pub process_id: Option<String>,
    /// Runs the command in a PTY; implies `streamStdin` and `streamStdoutStderr`.
    #[serde(default)]
    pub tty: bool,
    #[serde(default)]
    pub stream_stdin: bool,
    #[serde(default)]
    pub stream_stdout_stderr: bool,
    /// Initial PTY size; only with `tty` (default 24x80).
    pub size: Option<CommandExecTerminalSize>,
    /// Environment overrides merged into the command's environment; `null` unsets a variable.
    pub env: Option<std::collections::BTreeMap<String, Option<String>>>,
    /// Runs without a timeout; cannot be combined with `timeoutMs`.
    #[serde(default)]
    pub disable_timeout: bool,
    /// Per-stream cap in bytes (0.171): later output of a stream is dropped.
    pub output_bytes_cap: Option<u64>,
    /// Streams without a cap (refused for buffered output, which is always capped here).
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

/// PTY size in character cells for `command/exec` PTY sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct CommandExecTerminalSize {
    /// Terminal height in character cells.
    pub rows: u16,
    /// Terminal width in character cells.
    pub cols: u16,
}

/// Write stdin bytes to a running `command/exec` session, close stdin, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct CommandExecWriteParams {
    /// Client-supplied, connection-scoped `processId` from the original `command/exec` request.
    pub process_id: String,
    /// Optional base64-encoded stdin bytes to write.
    pub delta_base64: Option<String>,
    /// Close stdin after writing `deltaBase64`, if present.
    #[serde(default)]
    pub close_stdin: bool,
}

impl ExperimentalApi for CommandExecWriteParams {}

/// Empty success response for `command/exec/write`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct CommandExecWriteResponse {}

/// Resize a running PTY-backed `command/exec` session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CommandExecResizeParams {
    /// Client-supplied, connection-scoped `processId` from the original `command/exec` request.
    pub process_id: String,
    /// New PTY size in character cells.
    pub size: CommandExecTerminalSize,
}

impl ExperimentalApi for CommandExecResizeParams {}

/// Empty success response for `command/exec/resize`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct CommandExecResizeResponse {}

/// Terminate a running `command/exec` session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CommandExecTerminateParams {
    /// Client-supplied, connection-scoped `processId` from the original `command/exec` request.
    pub process_id: String,
}

impl ExperimentalApi for CommandExecTerminateParams {}

/// Empty success response for `command/exec/terminate`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct CommandExecTerminateResponse {}

/// Stream label for `command/exec/outputDelta` notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CommandExecOutputStream {
    /// stdout stream. PTY mode multiplexes terminal output here.
    Stdout,
    /// stderr stream.
    Stderr,
}

/// Base64-encoded output chunk emitted for a streaming `command/exec` request.
///
/// These notifications are connection-scoped. If the originating connection closes, the server terminates
/// the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CommandExecOutputDeltaNotification {
    /// Client-supplied, connection-scoped `processId` from the original `command/exec` request.
    pub process_id: String,
    /// Output stream for this chunk.
    pub stream: CommandExecOutputStream,
    /// Base64-encoded output bytes.
    pub delta_base64: String,
    /// `true` on the final streamed chunk for a stream when `outputBytesCap` truncated later output on that
    /// stream.
    pub cap_reached: bool,
}

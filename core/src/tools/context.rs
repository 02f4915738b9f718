//! What a tool call may see of its turn: the turn's id, the settings it runs under, its cancellation, the
//! thread's event sink, the session's approvals and the thread's unified exec sessions. Never the thread itself, so tools cannot touch history.

use std::path::PathBuf;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use crate::config::AskForApproval;
use crate::context::collaboration_mode::ModeKind;
use crate::protocol::event_sink::EventSink;
use crate::sandbox::SandboxPolicy;
use crate::tools::approval::SessionApprovals;
use crate::tools::approval_order::ApprovalTurn;
use crate::tools::mcp_tools::McpTurnTools;
use crate::tools::unified_exec::UnifiedExecSessions;

/// The settings a tool call runs under, fixed when its turn starts.
#[derive(Debug, Clone)]
pub(crate) struct ToolSettings {
    pub(crate) cwd: PathBuf,
    pub(crate) approval_policy: AskForApproval,
    pub(crate) sandbox: SandboxPolicy,
    /// Stays read-only for commands and patches where a writable root holds it.
    pub(crate) codex_home: PathBuf,
    /// Whether the model takes images (`input_modalities`): `view_image` refuses to run otherwise.
    pub(crate) image_input: bool,
    /// The thread's collaboration mode: `request_user_input` runs only in plan mode, `update_plan` only
    /// outside it.
    pub(crate) collaboration_mode: ModeKind,
    /// The names of the thread's host tools: a call of one of these is sent to the host.
    pub(crate) host_tool_names: Arc<[String]>,
    /// The thread's MCP servers and the tools this turn offers of them.
    pub(crate) mcp: Arc<McpTurnTools>,
}

impl ToolSettings {
    pub(crate) fn is_host_tool(&self, name: &str) -> bool {
        self.host_tool_names
            .iter()
            .any(|host_tool| host_tool == name)
    }
}

/// The part of a turn its tool calls run in.
#[derive(Debug, Clone)]
pub(crate) struct ToolContext {
    pub(crate) turn_id: String,
    pub(crate) settings: ToolSettings,
    /// Cancelled when the turn is interrupted; a running tool stops and reports it.
    pub(crate) cancel: CancellationToken,
    pub(crate) events: EventSink,
    pub(crate) approvals: SessionApprovals,
    /// The call's place among the calls of its response that run at once: it asks the host only after the
    /// earlier ones are done asking. `None` for a call that runs alone.
    pub(crate) approval_turn: Option<ApprovalTurn>,
    /// The thread's unified exec sessions (`exec_command` / `write_stdin`).
    pub(crate) unified_exec: Arc<UnifiedExecSessions>,
}

//! Asking the host before the agent acts: the approval requests a turn raises for a command or a patch, the
//! decisions the host can give, and the one-shot reply channel that carries a decision back to the waiting
//! turn. The turn drops its end when it is interrupted, which the host side sees as "no longer needed".

use crate::protocol::host_reply::HostReply;
use std::path::PathBuf;

use crate::protocol::turn_item::CommandAction;

/// The host's answer to an approval request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewDecision {
    /// Go ahead, this once.
    Approved,
    /// Go ahead, and do not ask again for the same command (or the same files) in this thread.
    ApprovedForSession,
    /// Go ahead, and let any later command starting with these words run without asking in this thread.
    ApprovedWithPrefix(Vec<String>),
    /// Do not do it; the model is told and the turn goes on.
    Denied,
    /// Do not do it and stop the turn (it ends as interrupted).
    Abort,
}

/// The sending half of an approval's answer.
pub type ApprovalReply = HostReply<ReviewDecision>;

/// A command the agent wants to run and that needs the host's consent.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandApprovalRequest {
    pub turn_id: String,
    /// The `commandExecution` item the request is about.
    pub item_id: String,
    pub command: String,
    pub cwd: PathBuf,
    pub command_actions: Vec<CommandAction>,
    /// Why the agent asks (the model's justification, or why the sandbox is not enough).
    pub reason: Option<String>,
    /// The command's words, offered as a prefix rule the host may accept for the rest of the thread.
    pub proposed_prefix: Option<Vec<String>>,
    pub reply: ApprovalReply,
}

/// A patch the agent wants to apply and that needs the host's consent.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchApprovalRequest {
    pub turn_id: String,
    /// The `fileChange` item the request is about.
    pub item_id: String,
    pub reason: Option<String>,
    pub reply: ApprovalReply,
}

//! What the engine tells its host while threads run: status changes, turn boundaries, items and their
//! deltas, token usage, rate limits and errors. The app-server maps each one onto a v2 notification.

use crate::protocol::approval::CommandApprovalRequest;
use crate::protocol::approval::PatchApprovalRequest;
use crate::protocol::dynamic_tool::DynamicToolCallRequest;
use crate::protocol::mcp::McpElicitationRequest;
use crate::protocol::mcp::McpStartupStatus;
use crate::protocol::rate_limit::RateLimitSnapshot;
use crate::protocol::token_usage::TokenUsageInfo;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_outcome::TurnError;
use crate::protocol::turn_outcome::TurnStatus;
use crate::protocol::user_input::UserInputRequest;

/// One event of one thread.
#[derive(Debug, Clone, PartialEq)]
pub struct ThreadEvent {
    pub thread_id: String,
    pub msg: EventMsg,
}

/// The runtime state of a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThreadStatus {
    NotLoaded,
    Idle,
    SystemError,
    /// Running a turn; the flags say whether it waits for the host (an approval, the user's answers).
    Active {
        waiting_on_approval: bool,
        waiting_on_user_input: bool,
    },
}

/// A turn as reported on its boundaries (items travel separately).
#[derive(Debug, Clone, PartialEq)]
pub struct TurnSummary {
    pub id: String,
    pub status: TurnStatus,
    pub error: Option<TurnError>,
    pub started_at: Option<i64>,
    pub completed_at: Option<i64>,
    pub duration_ms: Option<i64>,
}

/// The payload of a [`ThreadEvent`].
#[derive(Debug, Clone, PartialEq)]
pub enum EventMsg {
    StatusChanged(ThreadStatus),
    /// The thread was unloaded; it is reported nothing more until it is loaded again.
    Closed,
    TurnStarted(TurnSummary),
    /// The turn ended; `final_message` is its last agent message, if any (0.171's summary of the turn).
    TurnCompleted {
        turn: TurnSummary,
        final_message: Option<TurnItem>,
    },
    ItemStarted {
        turn_id: String,
        item: TurnItem,
    },
    ItemCompleted {
        turn_id: String,
        item: TurnItem,
    },
    AgentMessageDelta {
        turn_id: String,
        item_id: String,
        delta: String,
    },
    /// Text of the proposed plan streaming in plan mode (the `plan` item).
    PlanDelta {
        turn_id: String,
        item_id: String,
        delta: String,
    },
    ReasoningSummaryTextDelta {
        turn_id: String,
        item_id: String,
        delta: String,
        summary_index: i64,
    },
    ReasoningSummaryPartAdded {
        turn_id: String,
        item_id: String,
        summary_index: i64,
    },
    ReasoningTextDelta {
        turn_id: String,
        item_id: String,
        delta: String,
        content_index: i64,
    },
    TokenUsageUpdated {
        turn_id: String,
        info: TokenUsageInfo,
    },
    RateLimitsUpdated(RateLimitSnapshot),
    /// A failure inside a turn; `will_retry` means the engine is retrying and the turn goes on.
    Error {
        turn_id: String,
        error: TurnError,
        will_retry: bool,
    },
    NameUpdated(Option<String>),
    /// The thread's history was compacted in turn `turn_id` (its `contextCompaction` item says the same).
    Compacted {
        turn_id: String,
    },
    /// A chunk of a running command's stdout or stderr.
    CommandOutputDelta {
        turn_id: String,
        item_id: String,
        delta: String,
    },
    /// The model wrote to (or polled, with empty `stdin`) a unified exec session (`write_stdin`): reported
    /// under the turn that wrote, for the item of the `exec_command` that started the session.
    TerminalInteraction {
        turn_id: String,
        item_id: String,
        process_id: String,
        stdin: String,
    },
    /// The aggregated unified diff of every file the turn has changed so far.
    TurnDiffUpdated {
        turn_id: String,
        diff: String,
    },
    /// The model replaced its plan (`update_plan`).
    PlanUpdated {
        turn_id: String,
        update: crate::protocol::plan::PlanUpdate,
    },
    /// The turn waits for the host's decision on a command; answer through the request's `reply`.
    CommandApprovalRequested(CommandApprovalRequest),
    /// The turn waits for the host's decision on a patch; answer through the request's `reply`.
    PatchApprovalRequested(PatchApprovalRequest),
    /// The turn waits for the host to run one of its tools; answer through the request's `reply`.
    DynamicToolCallRequested(DynamicToolCallRequest),
    /// The turn waits for the user's answers to the model's questions; answer through the request's `reply`.
    UserInputRequested(UserInputRequest),
    /// An MCP server of the thread is starting, ready, or failed to start.
    McpStartupUpdated {
        server: String,
        status: McpStartupStatus,
    },
    /// A running MCP tool call reported progress.
    McpToolCallProgress {
        turn_id: String,
        item_id: String,
        message: String,
    },
    /// An MCP server asks the user something; answer through the request's `reply`.
    McpElicitationRequested(McpElicitationRequest),
}

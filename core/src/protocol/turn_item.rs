//! What a turn is made of as a user sees it: the items of a thread's turns (user message, agent message
//! with its phase, proposed plan, reasoning, command execution, file change, web search, host tool call,
//! image view,
//! context compaction, review mode) and the user's input.
//! The app-server maps these one to one onto the wire's `ThreadItem`.

use serde::Deserialize;
use serde::Serialize;

use crate::protocol::dynamic_tool::DynamicToolContentItem;
use crate::protocol::response_item::MessagePhase;

/// One item of a turn. Every variant has an id unique within its thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TurnItem {
    UserMessage {
        id: String,
        content: Vec<UserInput>,
        /// The host's own id for the message (`clientUserMessageId`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    AgentMessage {
        id: String,
        text: String,
        #[serde(default)]
        phase: Option<MessagePhase>,
    },
    /// The plan the model proposed in plan mode (its `<proposed_plan>` block).
    Plan {
        id: String,
        text: String,
    },
    Reasoning {
        id: String,
        #[serde(default)]
        summary: Vec<String>,
        #[serde(default)]
        content: Vec<String>,
    },
    CommandExecution {
        id: String,
        command: String,
        cwd: String,
        status: ToolItemStatus,
        /// What the command does, as far as it can be told from its text (reads, listings, searches).
        #[serde(default)]
        command_actions: Vec<CommandAction>,
        #[serde(default)]
        aggregated_output: Option<String>,
        #[serde(default)]
        exit_code: Option<i32>,
        #[serde(default)]
        duration_ms: Option<i64>,
        /// Who ran it; rollouts written before this field existed hold only the model's commands.
        #[serde(default)]
        source: CommandSource,
        /// The unified exec session running it (`exec_command`), as the model knows it; `None` otherwise.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        process_id: Option<String>,
    },
    FileChange {
        id: String,
        changes: Vec<FileChange>,
        status: ToolItemStatus,
    },
    WebSearch {
        id: String,
        query: String,
    },
    /// The model called a host tool (`dynamicTools`); `id` is the call's id. What the host answered and
    /// how long it took are known once the call ended.
    DynamicToolCall {
        id: String,
        tool: String,
        arguments: serde_json::Value,
        /// `in_progress`, then `completed` or `failed` (a host's `success: false`, an error, an interrupt).
        status: ToolItemStatus,
        #[serde(default)]
        content_items: Option<Vec<DynamicToolContentItem>>,
        #[serde(default)]
        success: Option<bool>,
        #[serde(default)]
        duration_ms: Option<i64>,
    },
    /// The model (or the host) called a tool of an MCP server; `id` is the call's id. The result or the
    /// error and the duration are known once the call ended.
    McpToolCall {
        id: String,
        server: String,
        tool: String,
        arguments: serde_json::Value,
        /// `in_progress`, then `completed` or `failed` (an error result, a failed call, an interrupt).
        status: ToolItemStatus,
        #[serde(default)]
        result: Option<Box<crate::protocol::mcp::McpCallResult>>,
        #[serde(default)]
        error: Option<String>,
        #[serde(default)]
        duration_ms: Option<i64>,
    },
    /// The model looked at an image file (`view_image`); `id` is the tool call's id.
    ImageView {
        id: String,
        /// The file's absolute path.
        path: String,
    },
    /// The thread compacted its history here; what came before reaches the model as a summary.
    ContextCompaction {
        id: String,
    },
    /// A review (`review/start`) began; `review` is the short label of what is reviewed.
    EnteredReviewMode {
        id: String,
        review: String,
    },
    /// The review ended; `review` is its text as the user reads it (or why there is none).
    ExitedReviewMode {
        id: String,
        review: String,
    },
}

impl TurnItem {
    pub fn id(&self) -> &str {
        match self {
            TurnItem::UserMessage { id, .. }
            | TurnItem::AgentMessage { id, .. }
            | TurnItem::Plan { id, .. }
            | TurnItem::Reasoning { id, .. }
            | TurnItem::CommandExecution { id, .. }
            | TurnItem::FileChange { id, .. }
            | TurnItem::WebSearch { id, .. }
            | TurnItem::DynamicToolCall { id, .. }
            | TurnItem::McpToolCall { id, .. }
            | TurnItem::ImageView { id, .. }
            | TurnItem::ContextCompaction { id }
            | TurnItem::EnteredReviewMode { id, .. }
            | TurnItem::ExitedReviewMode { id, .. } => id,
        }
    }
}

/// Who started a command: the model through a tool call (one that runs to its end, or a unified exec
/// session), or the host's user (`thread/shellCommand`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommandSource {
    #[default]
    Agent,
    UserShell,
    /// A session the model started with `exec_command` (unified exec).
    UnifiedExecStartup,
}

/// The state of a tool-backed item (command or file change).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolItemStatus {
    InProgress,
    Completed,
    Failed,
    Declined,
}

/// One step of a command as a user would describe it; `Unknown` when the command is not recognised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandAction {
    /// Reads the file `name` (its file name) at `path`.
    Read {
        command: String,
        name: String,
        path: String,
    },
    ListFiles {
        command: String,
        path: Option<String>,
    },
    Search {
        command: String,
        query: Option<String>,
        path: Option<String>,
    },
    Unknown {
        command: String,
    },
}

/// One file touched by a patch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    pub kind: FileChangeKind,
    pub diff: String,
}

/// How a patch touches a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FileChangeKind {
    Add,
    Delete,
    Update { move_path: Option<String> },
}

/// What the user sent in a turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserInput {
    Text {
        text: String,
        #[serde(default)]
        text_elements: Vec<TextElement>,
    },
    /// A remote or `data:` URL, or a file uploaded to the provider (exactly one of the two).
    Image {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_id: Option<String>,
        /// `auto`, `low`, `high` or `original`; the provider's default when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
    /// An image file on the daemon's machine, sent to the model as its content (`data:` URL); the path
    /// stays as the user gave it.
    LocalImage {
        path: String,
        /// As for `Image`; `high` when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
}

/// A span of a text input that the host rendered specially (a mention, a pasted block).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextElement {
    pub byte_start: usize,
    pub byte_end: usize,
    #[serde(default)]
    pub placeholder: Option<String>,
}

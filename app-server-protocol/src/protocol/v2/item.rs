//! `ThreadItem`, the unit of a turn's history, and the small types its variants carry.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::v2::dynamic_tools::DynamicToolCallOutputContentItem;
use crate::protocol::v2::dynamic_tools::DynamicToolCallStatus;
use crate::protocol::v2::user_input::UserInput;

/// One thing that happened in a turn. Every variant has an `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ThreadItem {
    #[serde(rename_all = "camelCase")]
    UserMessage {
        id: String,
        content: Vec<UserInput>,
        /// The host's own id for the message, from `clientUserMessageId`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_id: Option<String>,
    },
    AgentMessage {
        id: String,
        text: String,
        /// Null when the provider did not say; clients then treat the last message as the answer.
        #[serde(default)]
        phase: Option<MessagePhase>,
    },
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
    #[serde(rename_all = "camelCase")]
    CommandExecution {
        id: String,
        command: String,
        cwd: String,
        /// Identifier for the underlying PTY process (when available): the unified exec session's id.
        #[serde(default)]
        process_id: Option<String>,
        status: CommandExecutionStatus,
        #[serde(default)]
        command_actions: Vec<CommandAction>,
        #[serde(default)]
        aggregated_output: Option<String>,
        #[serde(default)]
        exit_code: Option<i32>,
        #[serde(default)]
        #[ts(type = "number | null")]
        duration_ms: Option<i64>,
        /// Omitted for the model's commands (`agent`), as 0.105 never sends it.
        #[serde(default, skip_serializing_if = "CommandExecutionSource::is_agent")]
        #[ts(as = "Option<CommandExecutionSource>", optional)]
        source: CommandExecutionSource,
    },
    FileChange {
        id: String,
        changes: Vec<FileUpdateChange>,
        status: PatchApplyStatus,
    },
    #[serde(rename_all = "camelCase")]
    McpToolCall {
        id: String,
        server: String,
        tool: String,
        status: McpToolCallStatus,
        arguments: serde_json::Value,
        #[serde(default)]
        result: Option<McpToolCallResult>,
        #[serde(default)]
        error: Option<McpToolCallError>,
        #[serde(default)]
        #[ts(type = "number | null")]
        duration_ms: Option<i64>,
    },
    WebSearch {
        id: String,
        query: String,
        #[serde(default)]
        action: Option<WebSearchAction>,
    },
    /// The model called a host tool (`dynamicTools`); `id` is its call's. Output and outcome are set once
    /// the host answered (or the call failed).
    #[serde(rename_all = "camelCase")]
    DynamicToolCall {
        id: String,
        /// Always null: no namespaced tools are offered.
        #[serde(default)]
        namespace: Option<String>,
        tool: String,
        arguments: serde_json::Value,
        status: DynamicToolCallStatus,
        #[serde(default)]
        content_items: Option<Vec<DynamicToolCallOutputContentItem>>,
        #[serde(default)]
        success: Option<bool>,
        #[serde(default)]
        #[ts(type = "number | null")]
        duration_ms: Option<i64>,
    },
    /// The model looked at an image file (`view_image`); `id` is its tool call's, `path` absolute.
    ImageView {
        id: String,
        path: String,
    },
    EnteredReviewMode {
        id: String,
        /// Short label of what is reviewed.
        review: String,
    },
    ExitedReviewMode {
        id: String,
        /// The full review text.
        review: String,
    },
    ContextCompaction {
        id: String,
    },
}

impl ThreadItem {
    pub fn id(&self) -> &str {
        match self {
            ThreadItem::UserMessage { id, .. }
            | ThreadItem::AgentMessage { id, .. }
            | ThreadItem::Plan { id, .. }
            | ThreadItem::Reasoning { id, .. }
            | ThreadItem::CommandExecution { id, .. }
            | ThreadItem::FileChange { id, .. }
            | ThreadItem::McpToolCall { id, .. }
            | ThreadItem::WebSearch { id, .. }
            | ThreadItem::DynamicToolCall { id, .. }
            | ThreadItem::ImageView { id, .. }
            | ThreadItem::EnteredReviewMode { id, .. }
            | ThreadItem::ExitedReviewMode { id, .. }
            | ThreadItem::ContextCompaction { id } => id,
        }
    }
}

/// Who ran a command: the model (`agent`), the host's user through `thread/shellCommand` (`userShell`), or
/// the model starting a unified exec session with `exec_command` (`unifiedExecStartup`, 0.171). 0.171's
/// `unifiedExecInteraction` is never sent: a write to a session is `item/commandExecution/terminalInteraction`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CommandExecutionSource {
    #[default]
    Agent,
    UserShell,
    UnifiedExecStartup,
}

impl CommandExecutionSource {
    pub fn is_agent(&self) -> bool {
        *self == CommandExecutionSource::Agent
    }
}

/// Whether an agent message is progress narration or the turn's answer. snake_case on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v2/")]
pub enum MessagePhase {
    Commentary,
    FinalAnswer,
}

/// Where a command execution item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CommandExecutionStatus {
    InProgress,
    Completed,
    Failed,
    Declined,
}

/// A parsed reading of what a shell command does, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CommandAction {
    Read {
        command: String,
        name: String,
        path: String,
    },
    ListFiles {
        command: String,
        #[serde(default)]
        path: Option<String>,
    },
    Search {
        command: String,
        #[serde(default)]
        query: Option<String>,
        #[serde(default)]
        path: Option<String>,
    },
    Unknown {
        command: String,
    },
}

/// One file touched by a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct FileUpdateChange {
    pub path: String,
    pub kind: PatchChangeKind,
    pub diff: String,
}

/// How a patch changes a file. The update variant's key is snake_case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum PatchChangeKind {
    Add,
    Delete,
    Update {
        #[serde(default)]
        move_path: Option<String>,
    },
}

/// Where a file change item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum PatchApplyStatus {
    InProgress,
    Completed,
    Failed,
    Declined,
}

/// Where an MCP tool call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpToolCallStatus {
    InProgress,
    Completed,
    Failed,
}

/// What an MCP tool returned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpToolCallResult {
    pub content: Vec<serde_json::Value>,
    #[serde(default)]
    pub structured_content: Option<serde_json::Value>,
    /// The result's `_meta` (0.171; 0.105's schema allows it as an extra key).
    #[serde(rename = "_meta", default)]
    pub meta: Option<serde_json::Value>,
}

/// Why an MCP tool call failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct McpToolCallError {
    pub message: String,
}

/// What a web search did. Tags are 0.171's camelCase; 0.105's snake_case spellings are accepted on input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum WebSearchAction {
    Search {
        #[serde(default)]
        query: Option<String>,
        #[serde(default)]
        queries: Option<Vec<String>>,
    },
    #[serde(alias = "open_page")]
    OpenPage {
        #[serde(default)]
        url: Option<String>,
    },
    #[serde(alias = "find_in_page")]
    FindInPage {
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        pattern: Option<String>,
    },
    Other,
}

//! Upstream Codex's `event_msg` rollout lines that make up a turn as the user saw it: the turn's
//! start and end (`task_started`, `task_complete`, `turn_aborted`), the per-kind events of 0.105
//! and earlier (`user_message`, `agent_message`, `agent_reasoning`, `exec_command_end`,
//! `web_search_end`, `view_image_tool_call`) and 0.171's `item_completed` with its own `TurnItem`
//! spelling (host tool calls too), and 0.105's `thread_rolled_back`. Other events
//! (`token_count`, `thread_settings_applied`, ...) are skipped on read.

use serde::Deserialize;
use serde::Serialize;

use crate::rollout::upstream_duration::UpstreamDuration;

use crate::protocol::dynamic_tool::DynamicToolContentItem;
use crate::protocol::response_item::MessagePhase;
use crate::protocol::response_item::known_phase_or_none;
use crate::protocol::turn_item::CommandAction;
use crate::protocol::turn_item::CommandSource;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;

/// The upstream events a turn is rebuilt from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventMsg {
    TaskStarted {
        turn_id: String,
        /// Unix seconds; 0.171 and later.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        started_at: Option<i64>,
    },
    TaskComplete {
        #[serde(default)]
        turn_id: Option<String>,
        #[serde(default)]
        last_agent_message: Option<String>,
        /// Unix seconds; 0.171 and later.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        completed_at: Option<i64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_ms: Option<i64>,
    },
    TurnAborted {
        #[serde(default)]
        turn_id: Option<String>,
        #[serde(default)]
        reason: Option<String>,
    },
    UserMessage {
        message: String,
        #[serde(default)]
        images: Option<Vec<String>>,
        #[serde(default)]
        local_images: Vec<String>,
    },
    AgentMessage {
        message: String,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "known_phase_or_none"
        )]
        phase: Option<MessagePhase>,
    },
    AgentReasoning {
        text: String,
    },
    ItemCompleted {
        turn_id: String,
        item: UpstreamTurnItem,
    },
    /// A finished command; 0.105 rebuilds it, 0.171 only in its own history store. Boxed: the
    /// biggest event by far.
    ExecCommandEnd(Box<ExecCommandEnd>),
    WebSearchEnd {
        call_id: String,
        #[serde(default)]
        query: String,
        /// Upstream's `{"type":"search","query":...}`; not shown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<serde_json::Value>,
    },
    /// `view_image` showed the model the image at `path`; 0.105 rebuilds an `imageView` item from it.
    ViewImageToolCall {
        call_id: String,
        path: String,
    },
    /// An MCP tool call's end; 0.105 rebuilds an `mcpToolCall` item from it.
    McpToolCallEnd(Box<crate::rollout::mcp_call_end::McpToolCallEnd>),
    /// The thread's last `num_turns` turns were dropped (`thread/rollback`, `thread/revert`): 0.105's line,
    /// which it replays as we do.
    ThreadRolledBack {
        num_turns: u32,
    },
}

/// `exec_command_end`: a command's end with everything upstream shows of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecCommandEnd {
    pub call_id: String,
    #[serde(default)]
    pub turn_id: String,
    #[serde(default)]
    pub process_id: Option<String>,
    pub command: Vec<String>,
    #[serde(default)]
    pub cwd: String,
    #[serde(default)]
    pub parsed_cmd: Vec<serde_json::Value>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub stdout: String,
    #[serde(default)]
    pub stderr: String,
    #[serde(default)]
    pub aggregated_output: String,
    #[serde(default)]
    pub exit_code: i32,
    #[serde(default)]
    pub duration: Option<UpstreamDuration>,
    #[serde(default)]
    pub formatted_output: String,
    /// `completed`, `failed` or `declined`.
    #[serde(default)]
    pub status: Option<String>,
}

impl ExecCommandEnd {
    /// The command item upstream rebuilds from this event.
    pub fn to_turn_item(&self) -> TurnItem {
        UpstreamCommandExecution {
            id: self.call_id.clone(),
            command: CommandLine::Argv(self.command.clone()),
            cwd: self.cwd.clone(),
            process_id: self.process_id.clone(),
            parsed_cmd: Vec::new(),
            source: self.source.clone(),
            status: self.status.clone(),
            aggregated_output: (!self.aggregated_output.is_empty())
                .then(|| self.aggregated_output.clone()),
            exit_code: Some(self.exit_code),
            duration: self.duration,
        }
        .to_turn_item()
    }
}

impl EventMsg {
    /// Every event `"type"` above; an `event_msg` of another type is skipped quietly.
    pub const KINDS: [&'static str; 11] = [
        "task_started",
        "task_complete",
        "turn_aborted",
        "user_message",
        "agent_message",
        "agent_reasoning",
        "item_completed",
        "exec_command_end",
        "web_search_end",
        "view_image_tool_call",
        "thread_rolled_back",
    ];
}

/// 0.171's `TurnItem` inside `item_completed`, as far as we show it; other kinds are skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum UpstreamTurnItem {
    UserMessage {
        id: String,
        /// Kept loose: only text parts and image references are shown.
        #[serde(default)]
        content: Vec<serde_json::Value>,
    },
    AgentMessage {
        id: String,
        #[serde(default)]
        content: Vec<AgentMessageContent>,
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            deserialize_with = "known_phase_or_none"
        )]
        phase: Option<MessagePhase>,
    },
    Reasoning {
        id: String,
        #[serde(default)]
        summary_text: Vec<String>,
        #[serde(default)]
        raw_content: Vec<String>,
    },
    /// Boxed: the biggest item by far.
    CommandExecution(Box<UpstreamCommandExecution>),
    WebSearch {
        id: String,
        #[serde(default)]
        query: String,
    },
    /// A compaction of the conversation, an item of the turn it happened in.
    ContextCompaction { id: String },
    /// `view_image`; 0.171 writes the path as a `file://` URL.
    ImageView { id: String, path: String },
    /// A call of a host tool (`dynamicTools`).
    DynamicToolCall(Box<UpstreamDynamicToolCall>),
    /// A plan-mode turn's proposed plan.
    Plan {
        id: String,
        #[serde(default)]
        text: String,
    },
    #[serde(other)]
    Other,
}

/// 0.171's finished command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpstreamCommandExecution {
    pub id: String,
    pub command: CommandLine,
    /// A path, or a `file://` URL as 0.171 writes it.
    #[serde(default)]
    pub cwd: String,
    #[serde(default)]
    pub process_id: Option<String>,
    /// Upstream's reading of the command; written as one `unknown` part.
    #[serde(default)]
    pub parsed_cmd: Vec<serde_json::Value>,
    /// Who ran it: `agent` for a model's call.
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub aggregated_output: Option<String>,
    #[serde(default)]
    pub exit_code: Option<i32>,
    #[serde(default)]
    pub duration: Option<UpstreamDuration>,
}

/// 0.171's host tool call; its `status` is `completed` or `failed` once it ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpstreamDynamicToolCall {
    pub id: String,
    pub tool: String,
    #[serde(default)]
    pub arguments: serde_json::Value,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub content_items: Option<Vec<DynamicToolContentItem>>,
    #[serde(default)]
    pub success: Option<bool>,
    #[serde(default)]
    pub duration: Option<UpstreamDuration>,
}

/// One part of an upstream agent message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AgentMessageContent {
    Text {
        text: String,
    },
    #[serde(other)]
    Other,
}

/// A command as argv (0.171) or as one shell string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CommandLine {
    Argv(Vec<String>),
    Shell(String),
}

impl UpstreamTurnItem {
    /// Our item for it; `None` for kinds we do not show.
    pub fn to_turn_item(&self) -> Option<TurnItem> {
        match self {
            UpstreamTurnItem::UserMessage { id, content } => Some(TurnItem::UserMessage {
                id: id.clone(),
                content: content.iter().filter_map(user_input).collect(),
                client_id: None,
            }),
            UpstreamTurnItem::AgentMessage { id, content, phase } => Some(TurnItem::AgentMessage {
                id: id.clone(),
                text: content
                    .iter()
                    .filter_map(|part| match part {
                        AgentMessageContent::Text { text } => Some(text.as_str()),
                        AgentMessageContent::Other => None,
                    })
                    .collect(),
                phase: *phase,
            }),
            UpstreamTurnItem::Reasoning {
                id,
                summary_text,
                raw_content,
            } => Some(TurnItem::Reasoning {
                id: id.clone(),
                summary: summary_text.clone(),
                content: raw_content.clone(),
            }),
            UpstreamTurnItem::CommandExecution(command) => Some(command.to_turn_item()),
            UpstreamTurnItem::WebSearch { id, query } => Some(TurnItem::WebSearch {
                id: id.clone(),
                query: query.clone(),
            }),
            UpstreamTurnItem::ContextCompaction { id } => {
                Some(TurnItem::ContextCompaction { id: id.clone() })
            }
            UpstreamTurnItem::Plan { id, text } => Some(TurnItem::Plan {
                id: id.clone(),
                text: text.clone(),
            }),
            UpstreamTurnItem::ImageView { id, path } => Some(TurnItem::ImageView {
                id: id.clone(),
                path: path.strip_prefix("file://").unwrap_or(path).to_string(),
            }),
            UpstreamTurnItem::DynamicToolCall(call) => Some(TurnItem::DynamicToolCall {
                id: call.id.clone(),
                tool: call.tool.clone(),
                arguments: call.arguments.clone(),
                status: match call.status.as_deref() {
                    Some("completed") => ToolItemStatus::Completed,
                    Some("in_progress" | "inProgress") => ToolItemStatus::InProgress,
                    Some(_) | None => ToolItemStatus::Failed,
                },
                content_items: call.content_items.clone(),
                success: call.success,
                duration_ms: call.duration.map(UpstreamDuration::millis),
            }),
            UpstreamTurnItem::Other => None,
        }
    }
}

impl UpstreamCommandExecution {
    pub(crate) fn to_turn_item(&self) -> TurnItem {
        let command = match &self.command {
            CommandLine::Shell(line) => line.clone(),
            CommandLine::Argv(argv) => shell_join(argv),
        };
        TurnItem::CommandExecution {
            id: self.id.clone(),
            cwd: self
                .cwd
                .strip_prefix("file://")
                .unwrap_or(&self.cwd)
                .to_string(),
            status: match self.status.as_deref() {
                Some("completed") => ToolItemStatus::Completed,
                Some("declined") => ToolItemStatus::Declined,
                Some("in_progress" | "inProgress") => ToolItemStatus::InProgress,
                Some(_) | None => ToolItemStatus::Failed,
            },
            command_actions: vec![CommandAction::Unknown {
                command: command.clone(),
            }],
            command,
            aggregated_output: self.aggregated_output.clone(),
            exit_code: self.exit_code,
            duration_ms: self.duration.map(UpstreamDuration::millis),
            source: match self.source.as_deref() {
                Some("user_shell" | "userShell") => CommandSource::UserShell,
                Some("unified_exec_startup" | "unifiedExecStartup") => {
                    CommandSource::UnifiedExecStartup
                }
                Some(_) | None => CommandSource::Agent,
            },
            process_id: self.process_id.clone(),
        }
    }
}

/// argv as one shell line, each word quoted only when it needs it: how upstream shows a command.
pub(crate) fn shell_join(argv: &[String]) -> String {
    argv.iter()
        .map(|word| {
            let plain = !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
            if plain {
                word.clone()
            } else {
                format!("'{}'", word.replace('\'', r#"'"'"'"#))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A text part or an image reference of an upstream user message.
fn user_input(part: &serde_json::Value) -> Option<UserInput> {
    let text_of = |key: &str| {
        part.get(key)
            .and_then(|value| value.as_str())
            .map(str::to_string)
    };
    match part.get("type")?.as_str()? {
        "text" => Some(UserInput::Text {
            text: text_of("text")?,
            text_elements: Vec::new(),
        }),
        "image" => {
            let url = text_of("image_url").or_else(|| text_of("url"));
            let file_id = text_of("file_id");
            (url.is_some() || file_id.is_some()).then(|| UserInput::Image {
                url,
                file_id,
                detail: text_of("detail"),
            })
        }
        "local_image" => Some(UserInput::LocalImage {
            path: text_of("path")?,
            detail: text_of("detail"),
        }),
        _ => None,
    }
}

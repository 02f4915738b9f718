//! The `event_msg` lines we write beside our own turn lines so that upstream Codex (0.171) lists and
//! reads our threads with their turns: `task_started` / `task_complete` / `turn_aborted` around a
//! turn, and 0.105-style `user_message` / `agent_message` / `agent_reasoning` / `exec_command_end` /
//! `web_search_end` / `view_image_tool_call` (which every upstream build rebuilds turns from; 0.171
//! rebuilds no command and no image view from a file like ours, whatever the line). File changes, host tool
//! calls (which 0.105 never showed as items) and proposed plans are not mirrored. Our own reader ignores all of
//! these for our turns (`event_turns.rs`).

use crate::protocol::turn_item::CommandSource;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::protocol::turn_outcome::TurnStatus;

use super::event_msg::EventMsg;
use super::event_msg::ExecCommandEnd;
use super::event_msg::shell_join;
use super::item::RolloutItem;
use super::mcp_call_end::McpToolCallEnd;
use super::upstream_duration::UpstreamDuration;

/// The upstream events that say what `item` says, in order; none for most kinds.
pub(crate) fn mirror_events(item: &RolloutItem) -> Vec<EventMsg> {
    match item {
        RolloutItem::TurnStarted {
            turn_id,
            started_at,
        } => vec![EventMsg::TaskStarted {
            turn_id: turn_id.clone(),
            started_at: Some(*started_at),
        }],
        RolloutItem::ItemCompleted { turn_id, item } => item_events(turn_id, item),
        RolloutItem::TurnCompleted {
            turn_id,
            status,
            completed_at,
            duration_ms,
            ..
        } => vec![match status {
            TurnStatus::Interrupted => EventMsg::TurnAborted {
                turn_id: Some(turn_id.clone()),
                reason: Some("interrupted".to_string()),
            },
            TurnStatus::Completed | TurnStatus::Failed | TurnStatus::InProgress => {
                EventMsg::TaskComplete {
                    turn_id: Some(turn_id.clone()),
                    last_agent_message: None,
                    completed_at: Some(*completed_at),
                    duration_ms: Some(*duration_ms),
                }
            }
        }],
        RolloutItem::SessionMeta(_)
        | RolloutItem::ResponseItem(_)
        | RolloutItem::TokenUsage { .. }
        | RolloutItem::ThreadName { .. }
        | RolloutItem::ThreadGitInfo { .. }
        | RolloutItem::EventMsg(_)
        | RolloutItem::TurnContext(_)
        | RolloutItem::Compacted(_) => Vec::new(),
    }
}

fn item_events(turn_id: &str, item: &TurnItem) -> Vec<EventMsg> {
    match item {
        TurnItem::UserMessage { content, .. } => vec![user_message(content)],
        TurnItem::AgentMessage { text, phase, .. } => vec![EventMsg::AgentMessage {
            message: text.clone(),
            phase: *phase,
        }],
        TurnItem::Reasoning { summary, .. } => summary
            .iter()
            .map(|text| EventMsg::AgentReasoning { text: text.clone() })
            .collect(),
        TurnItem::CommandExecution {
            id,
            command,
            cwd,
            status,
            aggregated_output,
            exit_code,
            duration_ms,
            source,
            process_id,
            ..
        } => vec![EventMsg::ExecCommandEnd(Box::new(ExecCommandEnd {
            call_id: id.clone(),
            turn_id: turn_id.to_string(),
            process_id: process_id.clone(),
            command: upstream_argv(command),
            cwd: cwd.clone(),
            parsed_cmd: vec![serde_json::json!({"type": "unknown", "cmd": command})],
            source: Some(
                match source {
                    CommandSource::Agent => "agent",
                    CommandSource::UserShell => "user_shell",
                    CommandSource::UnifiedExecStartup => "unified_exec_startup",
                }
                .to_string(),
            ),
            stdout: String::new(),
            stderr: String::new(),
            aggregated_output: aggregated_output.clone().unwrap_or_default(),
            exit_code: exit_code.unwrap_or(-1),
            duration: duration_ms.map(UpstreamDuration::from_millis),
            formatted_output: String::new(),
            status: Some(
                match status {
                    ToolItemStatus::InProgress | ToolItemStatus::Failed => "failed",
                    ToolItemStatus::Completed => "completed",
                    ToolItemStatus::Declined => "declined",
                }
                .to_string(),
            ),
        }))],
        TurnItem::WebSearch { id, query } => vec![EventMsg::WebSearchEnd {
            call_id: id.clone(),
            query: query.clone(),
            action: Some(serde_json::json!({"type": "search", "query": query})),
        }],
        TurnItem::ImageView { id, path } => vec![EventMsg::ViewImageToolCall {
            call_id: id.clone(),
            path: path.clone(),
        }],
        // Upstream keeps a proposed plan as an `item_completed` line of its own; not mirrored. A review's
        // markers are not either: upstream rebuilds a review turn from its messages alone.
        TurnItem::McpToolCall { .. } => McpToolCallEnd::from_turn_item(item)
            .map(|end| EventMsg::McpToolCallEnd(Box::new(end)))
            .into_iter()
            .collect(),
        TurnItem::FileChange { .. }
        | TurnItem::DynamicToolCall { .. }
        | TurnItem::Plan { .. }
        | TurnItem::ContextCompaction { .. }
        | TurnItem::EnteredReviewMode { .. }
        | TurnItem::ExitedReviewMode { .. } => Vec::new(),
    }
}

/// An argv upstream shows as exactly `command`: its words when they need no quoting, else the
/// line run by bash.
fn upstream_argv(command: &str) -> Vec<String> {
    let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    if shell_join(&words) == command {
        words
    } else {
        vec!["bash".to_string(), "-lc".to_string(), command.to_string()]
    }
}

/// The text parts joined by newlines, image URLs and local image paths apart, as 0.105 writes them.
fn user_message(content: &[UserInput]) -> EventMsg {
    let mut texts = Vec::new();
    let mut images = Vec::new();
    let mut local_images = Vec::new();
    for input in content {
        match input {
            UserInput::Text { text, .. } => texts.push(text.as_str()),
            // 0.105's event lists image URLs only; an image by file id is not shown upstream.
            UserInput::Image { url, .. } => images.extend(url.clone()),
            UserInput::LocalImage { path, .. } => local_images.push(path.clone()),
        }
    }
    EventMsg::UserMessage {
        message: texts.join("\n"),
        images: Some(images),
        local_images,
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::protocol::response_item::MessagePhase;

    #[test]
    fn a_turn_is_mirrored_as_the_events_upstream_rebuilds_it_from() {
        let turn_items = [
            RolloutItem::TurnStarted {
                turn_id: "t-1".to_string(),
                started_at: 5,
            },
            RolloutItem::ItemCompleted {
                turn_id: "t-1".to_string(),
                item: TurnItem::UserMessage {
                    id: "u".to_string(),
                    content: vec![
                        UserInput::Text {
                            text: "look".to_string(),
                            text_elements: Vec::new(),
                        },
                        UserInput::Image {
                            url: Some("data:image/png;base64,AA".to_string()),
                            file_id: None,
                            detail: None,
                        },
                    ],
                    client_id: None,
                },
            },
            RolloutItem::ItemCompleted {
                turn_id: "t-1".to_string(),
                item: TurnItem::Reasoning {
                    id: "r".to_string(),
                    summary: vec!["a".to_string(), "b".to_string()],
                    content: Vec::new(),
                },
            },
            RolloutItem::ItemCompleted {
                turn_id: "t-1".to_string(),
                item: TurnItem::CommandExecution {
                    id: "call_1".to_string(),
                    command: "ls -la 'my dir'".to_string(),
                    cwd: "/repo".to_string(),
                    status: ToolItemStatus::Completed,
                    command_actions: Vec::new(),
                    aggregated_output: Some("x\n".to_string()),
                    exit_code: Some(0),
                    duration_ms: Some(1_250),
                    source: CommandSource::Agent,
                    process_id: None,
                },
            },
            RolloutItem::ItemCompleted {
                turn_id: "t-1".to_string(),
                item: TurnItem::WebSearch {
                    id: "ws".to_string(),
                    query: "rust".to_string(),
                },
            },
            RolloutItem::ItemCompleted {
                turn_id: "t-1".to_string(),
                item: TurnItem::ImageView {
                    id: "call_2".to_string(),
                    path: "/repo/shot.png".to_string(),
                },
            },
            RolloutItem::ItemCompleted {
                turn_id: "t-1".to_string(),
                item: TurnItem::AgentMessage {
                    id: "a".to_string(),
                    text: "done".to_string(),
                    phase: Some(MessagePhase::FinalAnswer),
                },
            },
            RolloutItem::TurnCompleted {
                turn_id: "t-1".to_string(),
                status: TurnStatus::Interrupted,
                error: None,
                completed_at: 7,
                duration_ms: 2_000,
            },
        ];
        let events: Vec<serde_json::Value> = turn_items
            .iter()
            .flat_map(mirror_events)
            .map(|event| serde_json::to_value(event).unwrap())
            .collect();
        assert_eq!(
            events,
            vec![
                serde_json::json!({"type": "task_started", "turn_id": "t-1", "started_at": 5}),
                serde_json::json!({
                    "type": "user_message", "message": "look",
                    "images": ["data:image/png;base64,AA"], "local_images": [],
                }),
                serde_json::json!({"type": "agent_reasoning", "text": "a"}),
                serde_json::json!({"type": "agent_reasoning", "text": "b"}),
                serde_json::json!({
                    "type": "exec_command_end", "call_id": "call_1", "turn_id": "t-1",
                    "process_id": null, "command": ["bash", "-lc", "ls -la 'my dir'"], "cwd": "/repo",
                    "parsed_cmd": [{"type": "unknown", "cmd": "ls -la 'my dir'"}], "source": "agent",
                    "stdout": "", "stderr": "", "aggregated_output": "x\n", "exit_code": 0,
                    "duration": {"secs": 1, "nanos": 250_000_000}, "formatted_output": "",
                    "status": "completed",
                }),
                serde_json::json!({
                    "type": "web_search_end", "call_id": "ws", "query": "rust",
                    "action": {"type": "search", "query": "rust"},
                }),
                serde_json::json!({
                    "type": "view_image_tool_call", "call_id": "call_2", "path": "/repo/shot.png",
                }),
                serde_json::json!({"type": "agent_message", "message": "done", "phase": "final_answer"}),
                serde_json::json!({"type": "turn_aborted", "turn_id": "t-1", "reason": "interrupted"}),
            ]
        );
        assert_eq!(upstream_argv("ls -la /repo"), ["ls", "-la", "/repo"]);
    }
}

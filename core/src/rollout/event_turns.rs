//! Rebuilding turns from upstream Codex's `event_msg` lines, as upstream does: a turn opens at
//! `task_started` (or at a user message outside any turn, as older files have it), collects the
//! messages, reasoning and items that follow, and ends at `task_complete` / `turn_aborted`. Events
//! that mirror one of our own turns (we write both) are ignored: our turn lines say more.

use std::collections::HashSet;

use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::protocol::turn_outcome::TurnStatus;

use super::event_msg::EventMsg;
use super::stored_turn::StoredTurn;

/// Which turn the next event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OpenTurn {
    None,
    /// An index into the turns being rebuilt.
    Upstream(usize),
    /// One of our turns; its events are our own mirror of it.
    Mirror,
}

/// The state of the replay between events.
#[derive(Debug)]
pub(crate) struct EventTurns {
    native_turn_ids: HashSet<String>,
    open: OpenTurn,
    /// Numbers the items of events that carry no id of their own (`item-1`, `item-2`, ...).
    next_item: usize,
}

impl Default for EventTurns {
    fn default() -> Self {
        Self {
            native_turn_ids: HashSet::new(),
            open: OpenTurn::None,
            next_item: 1,
        }
    }
}

impl EventTurns {
    /// One of our `turn_started` lines: its events, if any, are a mirror.
    pub(crate) fn native_turn_started(&mut self, turn_id: &str) {
        self.native_turn_ids.insert(turn_id.to_string());
    }

    /// Applies `event` to `turns`; returns the Unix seconds it moved the thread to, if it says.
    pub(crate) fn apply(&mut self, event: &EventMsg, turns: &mut Vec<StoredTurn>) -> Option<i64> {
        match event {
            EventMsg::TaskStarted {
                turn_id,
                started_at,
            } => {
                self.open = if self.native_turn_ids.contains(turn_id) {
                    OpenTurn::Mirror
                } else {
                    turns.push(new_turn(turn_id.clone(), *started_at));
                    OpenTurn::Upstream(turns.len() - 1)
                };
                *started_at
            }
            EventMsg::TaskComplete {
                completed_at,
                duration_ms,
                ..
            } => {
                if let Some(turn) = self.close(turns) {
                    turn.status = TurnStatus::Completed;
                    turn.completed_at = *completed_at;
                    turn.duration_ms = *duration_ms;
                }
                *completed_at
            }
            EventMsg::TurnAborted { .. } => {
                if let Some(turn) = self.close(turns) {
                    turn.status = TurnStatus::Interrupted;
                }
                None
            }
            EventMsg::ItemCompleted { turn_id, item } => {
                if let Some(item) = item.to_turn_item() {
                    self.add_to_turn(turn_id, item, turns);
                }
                None
            }
            EventMsg::ExecCommandEnd(end) => {
                self.add_to_turn(&end.turn_id, end.to_turn_item(), turns);
                None
            }
            EventMsg::WebSearchEnd { call_id, query, .. } => {
                let item = TurnItem::WebSearch {
                    id: call_id.clone(),
                    query: query.clone(),
                };
                self.add_to_turn("", item, turns);
                None
            }
            EventMsg::ViewImageToolCall { call_id, path } => {
                let item = TurnItem::ImageView {
                    id: call_id.clone(),
                    path: path.clone(),
                };
                self.add_to_turn("", item, turns);
                None
            }
            EventMsg::McpToolCallEnd(end) => {
                self.add_to_turn("", end.to_turn_item(), turns);
                None
            }
            // The turns themselves are dropped by the history's replay, which also cuts the model's history.
            EventMsg::ThreadRolledBack { .. } => {
                self.open = OpenTurn::None;
                None
            }
            EventMsg::UserMessage { .. }
            | EventMsg::AgentMessage { .. }
            | EventMsg::AgentReasoning { .. } => {
                self.apply_message(event, turns);
                None
            }
        }
    }

    /// A 0.105-style message event: added to the open upstream turn, a user message outside any turn
    /// opening one.
    fn apply_message(&mut self, event: &EventMsg, turns: &mut Vec<StoredTurn>) {
        let index = match self.open {
            OpenTurn::Mirror => return,
            OpenTurn::Upstream(index) => index,
            OpenTurn::None if matches!(event, EventMsg::UserMessage { .. }) => {
                turns.push(new_turn(format!("turn-{}", turns.len() + 1), None));
                self.open = OpenTurn::Upstream(turns.len() - 1);
                turns.len() - 1
            }
            OpenTurn::None => {
                tracing::debug!("upstream message outside any turn; skipped");
                return;
            }
        };
        let items = &mut turns[index].items;
        if let EventMsg::AgentReasoning { text } = event
            && let Some(TurnItem::Reasoning { summary, .. }) = items.last_mut()
        {
            summary.push(text.clone());
            return;
        }
        let id = format!("item-{}", self.next_item);
        self.next_item += 1;
        items.extend(message_item(event, id));
    }

    /// An item naming its turn (the open one when it names none); ignored in a mirrored turn.
    fn add_to_turn(&mut self, turn_id: &str, item: TurnItem, turns: &mut [StoredTurn]) {
        if self.native_turn_ids.contains(turn_id)
            || (turn_id.is_empty() && self.open == OpenTurn::Mirror)
        {
            return;
        }
        let turn = match self.open {
            OpenTurn::Upstream(index) if turn_id.is_empty() => turns.get_mut(index),
            OpenTurn::Upstream(_) | OpenTurn::None | OpenTurn::Mirror => {
                turns.iter_mut().rev().find(|turn| turn.id == turn_id)
            }
        };
        match turn {
            Some(turn) => turn.items.push(item),
            None => tracing::debug!("upstream item for unknown turn {turn_id:?}; skipped"),
        }
    }

    fn close<'t>(&mut self, turns: &'t mut [StoredTurn]) -> Option<&'t mut StoredTurn> {
        let open = std::mem::replace(&mut self.open, OpenTurn::None);
        match open {
            OpenTurn::Upstream(index) => turns.get_mut(index),
            OpenTurn::None | OpenTurn::Mirror => None,
        }
    }
}

fn new_turn(id: String, started_at: Option<i64>) -> StoredTurn {
    StoredTurn {
        id,
        items: Vec::new(),
        status: TurnStatus::InProgress,
        error: None,
        started_at,
        completed_at: None,
        duration_ms: None,
    }
}

/// The item a 0.105-style message event shows as.
fn message_item(event: &EventMsg, id: String) -> Option<TurnItem> {
    match event {
        EventMsg::UserMessage {
            message,
            images,
            local_images,
        } => {
            let text = (!message.is_empty()).then(|| UserInput::Text {
                text: message.clone(),
                text_elements: Vec::new(),
            });
            let images = images.iter().flatten().map(|url| UserInput::Image {
                url: Some(url.clone()),
                file_id: None,
                detail: None,
            });
            let local_images = local_images.iter().map(|path| UserInput::LocalImage {
                path: path.clone(),
                detail: None,
            });
            Some(TurnItem::UserMessage {
                id,
                content: text.into_iter().chain(images).chain(local_images).collect(),
                client_id: None,
            })
        }
        EventMsg::AgentMessage { message, phase } => Some(TurnItem::AgentMessage {
            id,
            text: message.clone(),
            phase: *phase,
        }),
        EventMsg::AgentReasoning { text } => Some(TurnItem::Reasoning {
            id,
            summary: vec![text.clone()],
            content: Vec::new(),
        }),
        EventMsg::TaskStarted { .. }
        | EventMsg::TaskComplete { .. }
        | EventMsg::TurnAborted { .. }
        | EventMsg::ItemCompleted { .. }
        | EventMsg::ExecCommandEnd(_)
        | EventMsg::WebSearchEnd { .. }
        | EventMsg::ViewImageToolCall { .. }
        | EventMsg::McpToolCallEnd(_)
        | EventMsg::ThreadRolledBack { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::protocol::response_item::MessagePhase;
    use crate::rollout::event_msg::UpstreamTurnItem;
    use crate::rollout::history::ThreadHistory;
    use crate::rollout::item::RolloutItem;
    use crate::rollout::test_support::user_message;
    use crate::rollout::upstream_mirror::mirror_events;

    fn event(json: serde_json::Value) -> RolloutItem {
        RolloutItem::EventMsg(serde_json::from_value(json).unwrap())
    }

    fn text(text: &str) -> UserInput {
        UserInput::Text {
            text: text.to_string(),
            text_elements: Vec::new(),
        }
    }

    #[test]
    fn upstream_0_105_events_make_turns_a_user_message_outside_a_turn_opening_one() {
        let items = vec![
            event(
                serde_json::json!({"type": "user_message", "message": "old style", "images": null}),
            ),
            event(serde_json::json!({"type": "agent_message", "message": "hi"})),
            event(serde_json::json!({"type": "task_started", "turn_id": "t-2"})),
            event(
                serde_json::json!({"type": "user_message", "message": "run", "local_images": ["/a.png"]}),
            ),
            event(serde_json::json!({"type": "agent_reasoning", "text": "one"})),
            event(serde_json::json!({"type": "agent_reasoning", "text": "two"})),
            event(serde_json::json!({
                "type": "exec_command_end", "call_id": "call_1", "turn_id": "t-2",
                "command": ["bash", "-lc", "echo it's"], "cwd": "/repo", "aggregated_output": "it's\n",
                "exit_code": 0, "duration": {"secs": 1, "nanos": 500_000_000}, "status": "completed",
            })),
            event(
                serde_json::json!({"type": "agent_message", "message": "done", "phase": "final_answer"}),
            ),
            event(
                serde_json::json!({"type": "task_complete", "turn_id": "t-2", "completed_at": 9}),
            ),
            event(serde_json::json!({"type": "task_started", "turn_id": "t-3"})),
            event(
                serde_json::json!({"type": "turn_aborted", "turn_id": "t-3", "reason": "interrupted"}),
            ),
        ];
        let history = ThreadHistory::from_items(&items);
        let summary = |turn: &StoredTurn| (turn.id.clone(), turn.status, turn.items.clone());
        assert_eq!(
            history.turns.iter().map(summary).collect::<Vec<_>>(),
            vec![
                (
                    "turn-1".to_string(),
                    TurnStatus::Interrupted,
                    vec![
                        TurnItem::UserMessage {
                            id: "item-1".to_string(),
                            content: vec![text("old style")],
                            client_id: None,
                        },
                        TurnItem::AgentMessage {
                            id: "item-2".to_string(),
                            text: "hi".to_string(),
                            phase: None
                        },
                    ],
                ),
                (
                    "t-2".to_string(),
                    TurnStatus::Completed,
                    vec![
                        TurnItem::UserMessage {
                            id: "item-3".to_string(),
                            content: vec![
                                text("run"),
                                UserInput::LocalImage {
                                    path: "/a.png".to_string(),
                                    detail: None,
                                }
                            ],
                            client_id: None,
                        },
                        TurnItem::Reasoning {
                            id: "item-4".to_string(),
                            summary: vec!["one".to_string(), "two".to_string()],
                            content: Vec::new(),
                        },
                        TurnItem::CommandExecution {
                            id: "call_1".to_string(),
                            command: r#"bash -lc 'echo it'"'"'s'"#.to_string(),
                            cwd: "/repo".to_string(),
                            status: crate::protocol::turn_item::ToolItemStatus::Completed,
                            command_actions: vec![
                                crate::protocol::turn_item::CommandAction::Unknown {
                                    command: r#"bash -lc 'echo it'"'"'s'"#.to_string(),
                                }
                            ],
                            aggregated_output: Some("it's\n".to_string()),
                            exit_code: Some(0),
                            duration_ms: Some(1_500),
                            source: crate::protocol::turn_item::CommandSource::Agent,
                            process_id: None,
                        },
                        TurnItem::AgentMessage {
                            id: "item-5".to_string(),
                            text: "done".to_string(),
                            phase: Some(MessagePhase::FinalAnswer),
                        },
                    ],
                ),
                ("t-3".to_string(), TurnStatus::Interrupted, Vec::new()),
            ]
        );
        assert_eq!(
            (history.preview.as_str(), history.updated_at),
            ("old style", Some(9))
        );
    }

    #[test]
    fn upstream_0_171_items_land_in_their_turn_and_unknown_kinds_are_skipped() {
        let items = vec![
            event(serde_json::json!({"type": "task_started", "turn_id": "t-1", "started_at": 5})),
            event(
                serde_json::json!({"type": "item_completed", "turn_id": "t-1", "item": {
                    "type": "UserMessage", "id": "u-1",
                    "content": [{"type": "text", "text": "hi", "text_elements": []}, {"type": "mention", "path": "x"}],
                }}),
            ),
            event(
                serde_json::json!({"type": "item_completed", "turn_id": "t-1", "item": {"type": "HookPrompt", "id": "h"}}),
            ),
            event(
                serde_json::json!({"type": "item_completed", "turn_id": "t-1", "item": {"type": "Plan", "id": "p", "text": "- step\n"}}),
            ),
            event(
                serde_json::json!({"type": "item_completed", "turn_id": "t-1", "item": {
                    "type": "ImageView", "id": "call_1", "path": "file:///w/shot.png",
                }}),
            ),
            event(
                serde_json::json!({"type": "view_image_tool_call", "call_id": "call_2", "path": "/w/b.png"}),
            ),
            // As upstream 0.171 wrote a host tool call.
            event(
                serde_json::json!({"type": "item_completed", "turn_id": "t-1", "item": {
                    "type": "DynamicToolCall", "id": "call_3", "tool": "lookup_ticket", "arguments": {"id": "A"},
                    "status": "failed", "content_items": [{"type": "inputText", "text": "no"}], "success": false,
                    "error": "x", "duration": {"secs": 1, "nanos": 2_000_000},
                }}),
            ),
            event(
                serde_json::json!({"type": "item_completed", "turn_id": "t-1", "item": {
                    "type": "AgentMessage", "id": "a-1", "content": [{"type": "Text", "text": "hello"}], "phase": "final_answer",
                }}),
            ),
            event(
                serde_json::json!({"type": "task_complete", "turn_id": "t-1", "completed_at": 6, "duration_ms": 900}),
            ),
        ];
        let history = ThreadHistory::from_items(&items);
        assert_eq!(
            history.turns,
            vec![StoredTurn {
                id: "t-1".to_string(),
                items: vec![
                    TurnItem::UserMessage {
                        id: "u-1".to_string(),
                        content: vec![text("hi")],
                        client_id: None,
                    },
                    TurnItem::Plan {
                        id: "p".to_string(),
                        text: "- step\n".to_string(),
                    },
                    TurnItem::ImageView {
                        id: "call_1".to_string(),
                        path: "/w/shot.png".to_string(),
                    },
                    TurnItem::ImageView {
                        id: "call_2".to_string(),
                        path: "/w/b.png".to_string(),
                    },
                    TurnItem::DynamicToolCall {
                        id: "call_3".to_string(),
                        tool: "lookup_ticket".to_string(),
                        arguments: serde_json::json!({"id": "A"}),
                        status: crate::protocol::turn_item::ToolItemStatus::Failed,
                        content_items: Some(vec![
                            crate::protocol::dynamic_tool::DynamicToolContentItem::InputText {
                                text: "no".to_string()
                            }
                        ]),
                        success: Some(false),
                        duration_ms: Some(1002),
                    },
                    TurnItem::AgentMessage {
                        id: "a-1".to_string(),
                        text: "hello".to_string(),
                        phase: Some(MessagePhase::FinalAnswer),
                    },
                ],
                status: TurnStatus::Completed,
                error: None,
                started_at: Some(5),
                completed_at: Some(6),
                duration_ms: Some(900),
            }]
        );
        assert!(matches!(
            items[2],
            RolloutItem::EventMsg(EventMsg::ItemCompleted {
                item: UpstreamTurnItem::Other,
                ..
            })
        ));
    }

    #[test]
    fn the_events_mirroring_our_own_turn_change_nothing() {
        let ours = vec![
            RolloutItem::TurnStarted {
                turn_id: "t-1".to_string(),
                started_at: 5,
            },
            user_message("t-1", "hello"),
            RolloutItem::TurnCompleted {
                turn_id: "t-1".to_string(),
                status: TurnStatus::Completed,
                error: None,
                completed_at: 6,
                duration_ms: 1_000,
            },
        ];
        let with_mirrors: Vec<RolloutItem> = ours
            .iter()
            .flat_map(|item| {
                std::iter::once(item.clone())
                    .chain(mirror_events(item).into_iter().map(RolloutItem::EventMsg))
            })
            .collect();
        assert_eq!(with_mirrors.len(), 6);
        assert_eq!(
            ThreadHistory::from_items(&with_mirrors),
            ThreadHistory::from_items(&ours)
        );
    }
}

//! Rebuilding a thread's state from its rollout items: the model history, the turns as the user saw
//! them (from our turn lines, or from upstream Codex's `event_msg` lines, `event_turns.rs`), the
//! name, the last token usage and the preview.

use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_usage::TokenUsageInfo;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::protocol::turn_outcome::TurnError;
use crate::protocol::turn_outcome::TurnStatus;

use super::event_msg::EventMsg;
use super::event_turns::EventTurns;
use super::item::RolloutItem;
use super::rollback;
use super::rollback::TurnStarts;
use super::session_meta::GitInfo;
use super::stored_turn::StoredTurn;

/// A thread's state rebuilt from its rollout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThreadHistory {
    /// What the model has seen, in order; re-sent as `input` on the next turn.
    pub history: Vec<ResponseItem>,
    pub turns: Vec<StoredTurn>,
    /// The last `thread_name` wins, including one that clears the name.
    pub name: Option<String>,
    pub token_usage: Option<TokenUsageInfo>,
    /// The text of the first user message, `""` if there is none.
    pub preview: String,
    /// Unix seconds of the latest turn start or end; `None` before the first turn. Callers fall back to
    /// the rollout file's mtime or the thread's `created_at`.
    pub updated_at: Option<i64>,
    /// The last `thread_git_info` line, if any: it replaces the session meta's git state.
    pub git_info: Option<Option<GitInfo>>,
    /// Where each turn began in `history`, for rollbacks.
    pub turn_starts: TurnStarts,
}

impl ThreadHistory {
    /// Replays `items` in order. A turn that started but never completed (the process died mid-turn)
    /// comes back as `Interrupted`.
    pub fn from_items(items: &[RolloutItem]) -> Self {
        let mut rebuilt = ThreadHistory::default();
        let mut event_turns = EventTurns::default();
        // Turns of our own lines (not rebuilt from upstream's events).
        let mut native_turns = std::collections::HashSet::new();
        for item in items {
            let turns_before = rebuilt.turns.len();
            match item {
                RolloutItem::SessionMeta(_) | RolloutItem::TurnContext(_) => {}
                RolloutItem::ResponseItem(ResponseItem::Other) => {
                    tracing::debug!("response item of a kind this build does not know; skipped");
                }
                RolloutItem::ResponseItem(response_item) => {
                    rebuilt.history.push(response_item.clone());
                }
                RolloutItem::Compacted(compacted) => match &compacted.replacement_history {
                    Some(replacement) => {
                        rebuilt.history = replacement.clone();
                        rollback::compacted(&mut rebuilt.turn_starts, rebuilt.history.len());
                    }
                    None => tracing::debug!("compaction without its history; history kept"),
                },
                RolloutItem::EventMsg(event) => {
                    if let EventMsg::ThreadRolledBack { num_turns } = event {
                        rollback::drop_last_turns(
                            &mut rebuilt.history,
                            &mut rebuilt.turns,
                            &mut rebuilt.turn_starts,
                            usize::try_from(*num_turns).unwrap_or(usize::MAX),
                        );
                    }
                    let moved_to = event_turns.apply(event, &mut rebuilt.turns);
                    rebuilt.updated_at = rebuilt.updated_at.max(moved_to);
                }
                RolloutItem::TurnStarted {
                    turn_id,
                    started_at,
                } => {
                    event_turns.native_turn_started(turn_id);
                    native_turns.insert(turn_id.clone());
                    rebuilt.start_turn(turn_id, *started_at);
                }
                RolloutItem::ItemCompleted { turn_id, item } => {
                    match rebuilt.turns.iter_mut().rev().find(|t| &t.id == turn_id) {
                        Some(turn) => turn.items.push(item.clone()),
                        None => tracing::debug!("rollout item for unknown turn {turn_id}; skipped"),
                    }
                }
                RolloutItem::TurnCompleted {
                    turn_id,
                    status,
                    error,
                    completed_at,
                    duration_ms,
                } => rebuilt.complete_turn(turn_id, *status, error, *completed_at, *duration_ms),
                RolloutItem::TokenUsage { info, .. } => rebuilt.token_usage = Some(*info),
                RolloutItem::ThreadName { name } => rebuilt.name = name.clone(),
                RolloutItem::ThreadGitInfo { git } => rebuilt.git_info = Some(git.clone()),
            }
            // A turn begins where the history stood when its start line was read.
            let history_len = rebuilt.history.len();
            for turn in rebuilt.turns.get(turns_before..).unwrap_or_default() {
                rebuilt
                    .turn_starts
                    .entry(turn.id.clone())
                    .or_insert(history_len);
            }
        }
        rebuilt.preview = rebuilt
            .turns
            .iter()
            .flat_map(|turn| &turn.items)
            .find_map(user_message_text)
            .unwrap_or_default();
        for turn in &mut rebuilt.turns {
            if turn.status == TurnStatus::InProgress {
                turn.status = TurnStatus::Interrupted;
            }
            if native_turns.contains(&turn.id) {
                file_session_items_last(&mut turn.items);
            }
        }
        rebuilt
    }
}

/// Puts the items of unified exec sessions after the turn's other items, each group in its own order: a
/// live thread files a session's item when the session reports its end, after the turn's own items
/// (`Conversation::file_late_item`), and a resumed one must list the turn the same way. Upstream's turns
/// keep upstream's order.
fn file_session_items_last(items: &mut [TurnItem]) {
    items.sort_by_key(|item| {
        matches!(
            item,
            TurnItem::CommandExecution {
                process_id: Some(_),
                ..
            }
        )
    });
}

impl ThreadHistory {
    fn start_turn(&mut self, turn_id: &str, started_at: i64) {
        self.turns.push(StoredTurn {
            id: turn_id.to_string(),
            items: Vec::new(),
            status: TurnStatus::InProgress,
            error: None,
            started_at: Some(started_at),
            completed_at: None,
            duration_ms: None,
        });
        self.updated_at = self.updated_at.max(Some(started_at));
    }

    fn complete_turn(
        &mut self,
        turn_id: &str,
        status: TurnStatus,
        error: &Option<TurnError>,
        completed_at: i64,
        duration_ms: i64,
    ) {
        match self.turns.iter_mut().rev().find(|t| t.id == turn_id) {
            Some(turn) => {
                turn.status = status;
                turn.error = error.clone();
                turn.completed_at = Some(completed_at);
                turn.duration_ms = Some(duration_ms);
            }
            None => tracing::debug!("turn_completed for unknown turn {turn_id}; skipped"),
        }
        self.updated_at = self.updated_at.max(Some(completed_at));
    }
}

/// The text parts of a user message joined by newlines; `None` for any other item.
pub(crate) fn user_message_text(item: &TurnItem) -> Option<String> {
    match item {
        TurnItem::UserMessage { content, .. } => Some(
            content
                .iter()
                .filter_map(|input| match input {
                    UserInput::Text { text, .. } => Some(text.as_str()),
                    UserInput::Image { .. } | UserInput::LocalImage { .. } => None,
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        TurnItem::AgentMessage { .. }
        | TurnItem::Plan { .. }
        | TurnItem::Reasoning { .. }
        | TurnItem::CommandExecution { .. }
        | TurnItem::FileChange { .. }
        | TurnItem::WebSearch { .. }
        | TurnItem::DynamicToolCall { .. }
        | TurnItem::McpToolCall { .. }
        | TurnItem::ImageView { .. }
        | TurnItem::ContextCompaction { .. }
        | TurnItem::EnteredReviewMode { .. }
        | TurnItem::ExitedReviewMode { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::protocol::response_item::ContentItem;
    use crate::protocol::token_usage::TokenUsage;
    use crate::rollout::item::Compacted;
    use crate::rollout::test_support::user_message;

    #[test]
    fn rebuilds_history_turns_name_usage_and_preview() {
        let user_input = ResponseItem::Message {
            id: None,
            role: "user".to_string(),
            content: vec![ContentItem::InputText {
                text: "first".to_string(),
            }],
            end_turn: None,
            phase: None,
        };
        let usage = TokenUsageInfo {
            total: TokenUsage {
                total_tokens: 42,
                ..TokenUsage::default()
            },
            last: TokenUsage::default(),
            model_context_window: None,
        };
        let items = vec![
            RolloutItem::ThreadName {
                name: Some("old".to_string()),
            },
            RolloutItem::TurnStarted {
                turn_id: "turn-1".to_string(),
                started_at: 100,
            },
            user_message("turn-1", "first"),
            RolloutItem::ResponseItem(user_input.clone()),
            RolloutItem::TokenUsage {
                turn_id: "turn-1".to_string(),
                info: usage,
            },
            RolloutItem::TurnCompleted {
                turn_id: "turn-1".to_string(),
                status: TurnStatus::Completed,
                error: None,
                completed_at: 105,
                duration_ms: 5_000,
            },
            RolloutItem::ThreadName {
                name: Some("new".to_string()),
            },
            RolloutItem::TurnStarted {
                turn_id: "turn-2".to_string(),
                started_at: 200,
            },
            user_message("turn-2", "second"),
        ];

        assert_eq!(
            ThreadHistory::from_items(&items),
            ThreadHistory {
                history: vec![user_input],
                turns: vec![
                    StoredTurn {
                        id: "turn-1".to_string(),
                        items: vec![user_message_item("turn-1", &items[2])],
                        status: TurnStatus::Completed,
                        error: None,
                        started_at: Some(100),
                        completed_at: Some(105),
                        duration_ms: Some(5_000),
                    },
                    // The process died before turn-2 completed.
                    StoredTurn {
                        id: "turn-2".to_string(),
                        items: vec![user_message_item("turn-2", &items[8])],
                        status: TurnStatus::Interrupted,
                        error: None,
                        started_at: Some(200),
                        completed_at: None,
                        duration_ms: None,
                    },
                ],
                name: Some("new".to_string()),
                token_usage: Some(usage),
                preview: "first".to_string(),
                updated_at: Some(200),
                git_info: None,
                turn_starts: TurnStarts::from([
                    ("turn-1".to_string(), 0),
                    ("turn-2".to_string(), 1),
                ]),
            }
        );
    }

    fn user_message_item(turn_id: &str, item: &RolloutItem) -> TurnItem {
        match item {
            RolloutItem::ItemCompleted { turn_id: of, item } if of == turn_id => item.clone(),
            other => panic!("not an item of {turn_id}: {other:?}"),
        }
    }

    #[test]
    fn a_compaction_replaces_the_history_and_unknown_items_are_dropped() {
        let summary = ResponseItem::user_text("summary of before");
        let items = vec![
            RolloutItem::ResponseItem(ResponseItem::user_text("before")),
            RolloutItem::ResponseItem(ResponseItem::Other),
            RolloutItem::Compacted(Compacted {
                message: String::new(),
                replacement_history: Some(vec![summary.clone()]),
            }),
            RolloutItem::ResponseItem(ResponseItem::user_text("after")),
            // An older upstream compaction without its history keeps what there is.
            RolloutItem::Compacted(Compacted {
                message: "summary".to_string(),
                replacement_history: None,
            }),
        ];
        assert_eq!(
            ThreadHistory::from_items(&items).history,
            vec![summary, ResponseItem::user_text("after")]
        );
    }

    #[test]
    fn no_user_message_means_empty_preview() {
        assert_eq!(ThreadHistory::from_items(&[]), ThreadHistory::default());
    }

    /// Upstream 0.105's rollback line drops its last turns and their history, as ours does, and a later
    /// turn begins where the history then stands.
    #[test]
    fn a_rolled_back_upstream_turn_leaves_history_and_turns() {
        let task = |id: &str, text: &str| {
            vec![
                RolloutItem::EventMsg(EventMsg::TaskStarted {
                    turn_id: id.to_string(),
                    started_at: None,
                }),
                RolloutItem::ResponseItem(ResponseItem::user_text(text)),
                RolloutItem::EventMsg(EventMsg::UserMessage {
                    message: text.to_string(),
                    images: None,
                    local_images: Vec::new(),
                }),
                RolloutItem::EventMsg(EventMsg::TaskComplete {
                    turn_id: Some(id.to_string()),
                    last_agent_message: None,
                    completed_at: None,
                    duration_ms: None,
                }),
            ]
        };
        let mut items = vec![RolloutItem::ResponseItem(ResponseItem::user_text("prefix"))];
        items.extend(task("t1", "one"));
        items.extend(task("t2", "two"));
        items.push(RolloutItem::EventMsg(EventMsg::ThreadRolledBack {
            num_turns: 1,
        }));
        items.extend(task("t3", "three"));
        let rebuilt = ThreadHistory::from_items(&items);
        assert_eq!(
            rebuilt.history,
            ["prefix", "one", "three"]
                .map(ResponseItem::user_text)
                .to_vec()
        );
        assert_eq!(
            rebuilt
                .turns
                .iter()
                .map(|turn| turn.id.as_str())
                .collect::<Vec<_>>(),
            vec!["t1", "t3"]
        );
        assert_eq!(
            rebuilt.turn_starts,
            TurnStarts::from([("t1".to_string(), 1), ("t3".to_string(), 2)])
        );
    }
}

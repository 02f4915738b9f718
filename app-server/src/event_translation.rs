//! Core thread events as v2 server notifications.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerNotification;
use codex_core::protocol::event::EventMsg;
use codex_core::protocol::event::ThreadEvent;
use codex_core::protocol::mcp::McpStartupStatus;

use crate::wire_conversion;

/// The notification for one engine event; `None` for approval requests, host tool calls and questions for
/// the user, which are server requests.
pub fn notification(event: ThreadEvent) -> Option<ServerNotification> {
    let ThreadEvent { thread_id, msg } = event;
    let notification = match msg {
        EventMsg::StatusChanged(_)
        | EventMsg::Closed
        | EventMsg::NameUpdated(_)
        | EventMsg::TokenUsageUpdated { .. }
        | EventMsg::RateLimitsUpdated(_) => thread_notification(thread_id, msg),
        EventMsg::TurnStarted(_)
        | EventMsg::TurnCompleted { .. }
        | EventMsg::TurnDiffUpdated { .. }
        | EventMsg::PlanUpdated { .. }
        | EventMsg::Compacted { .. }
        | EventMsg::Error { .. } => turn_notification(thread_id, msg),
        EventMsg::ItemStarted { .. } | EventMsg::ItemCompleted { .. } => {
            item_notification(thread_id, msg)
        }
        EventMsg::AgentMessageDelta { .. }
        | EventMsg::PlanDelta { .. }
        | EventMsg::ReasoningSummaryTextDelta { .. }
        | EventMsg::ReasoningSummaryPartAdded { .. }
        | EventMsg::ReasoningTextDelta { .. }
        | EventMsg::CommandOutputDelta { .. }
        | EventMsg::TerminalInteraction { .. } => item_delta_notification(thread_id, msg),
        EventMsg::McpStartupUpdated { server, status } => {
            ServerNotification::McpServerStatusUpdated(mcp_startup(thread_id, server, status))
        }
        EventMsg::McpToolCallProgress {
            turn_id,
            item_id,
            message,
        } => ServerNotification::McpToolCallProgress(wire::McpToolCallProgressNotification {
            thread_id,
            turn_id,
            item_id,
            message,
        }),
        EventMsg::CommandApprovalRequested(_)
        | EventMsg::PatchApprovalRequested(_)
        | EventMsg::DynamicToolCallRequested(_)
        | EventMsg::UserInputRequested(_)
        | EventMsg::McpElicitationRequested(_) => return None,
    };
    Some(notification)
}

/// Thread-wide changes: status, close, name, token usage, and the account's rate limits.
fn thread_notification(thread_id: String, msg: EventMsg) -> ServerNotification {
    match msg {
        EventMsg::StatusChanged(status) => {
            ServerNotification::ThreadStatusChanged(wire::ThreadStatusChangedNotification {
                thread_id,
                status: wire_conversion::thread_status(status),
            })
        }
        EventMsg::Closed => {
            ServerNotification::ThreadClosed(wire::ThreadClosedNotification { thread_id })
        }
        EventMsg::NameUpdated(thread_name) => {
            ServerNotification::ThreadNameUpdated(wire::ThreadNameUpdatedNotification {
                thread_id,
                thread_name,
            })
        }
        EventMsg::TokenUsageUpdated { turn_id, info } => {
            ServerNotification::ThreadTokenUsageUpdated(wire::ThreadTokenUsageUpdatedNotification {
                thread_id,
                turn_id,
                token_usage: wire_conversion::token_usage(&info),
            })
        }
        EventMsg::RateLimitsUpdated(snapshot) => ServerNotification::AccountRateLimitsUpdated(
            wire::AccountRateLimitsUpdatedNotification {
                rate_limits: wire_conversion::rate_limit_snapshot(&snapshot),
            },
        ),
        other => unreachable!("not a thread event: {other:?}"),
    }
}

/// A turn starting, completing, failing, compacting the history, or changing the files' diff.
fn turn_notification(thread_id: String, msg: EventMsg) -> ServerNotification {
    match msg {
        EventMsg::Compacted { turn_id } => {
            ServerNotification::ContextCompacted(wire::ContextCompactedNotification {
                thread_id,
                turn_id,
            })
        }
        EventMsg::TurnStarted(turn) => {
            ServerNotification::TurnStarted(wire::TurnStartedNotification {
                thread_id,
                turn: wire_conversion::turn_summary(&turn),
            })
        }
        EventMsg::TurnCompleted {
            turn,
            final_message,
        } => ServerNotification::TurnCompleted(wire::TurnCompletedNotification {
            thread_id,
            turn: wire::Turn {
                items: final_message
                    .iter()
                    .map(wire_conversion::thread_item)
                    .collect(),
                items_view: Some(wire::TurnItemsView::Summary),
                ..wire_conversion::turn_summary(&turn)
            },
        }),
        EventMsg::TurnDiffUpdated { turn_id, diff } => {
            ServerNotification::TurnDiffUpdated(wire::TurnDiffUpdatedNotification {
                thread_id,
                turn_id,
                diff,
            })
        }
        EventMsg::PlanUpdated { turn_id, update } => {
            ServerNotification::TurnPlanUpdated(wire::TurnPlanUpdatedNotification {
                thread_id,
                turn_id,
                explanation: update.explanation,
                plan: update
                    .plan
                    .into_iter()
                    .map(wire_conversion::plan_step)
                    .collect(),
            })
        }
        EventMsg::Error {
            turn_id,
            error,
            will_retry,
        } => ServerNotification::Error(wire::ErrorNotification {
            error: wire_conversion::turn_error(&error),
            will_retry,
            thread_id,
            turn_id,
        }),
        other => unreachable!("not a turn event: {other:?}"),
    }
}

/// An item starting or completing, stamped with the time the daemon saw it.
fn item_notification(thread_id: String, msg: EventMsg) -> ServerNotification {
    match msg {
        EventMsg::ItemStarted { turn_id, item } => {
            ServerNotification::ItemStarted(wire::ItemStartedNotification {
                item: wire_conversion::thread_item(&item),
                thread_id,
                turn_id,
                started_at_ms: wire_conversion::now_unix_ms(),
            })
        }
        EventMsg::ItemCompleted { turn_id, item } => {
            ServerNotification::ItemCompleted(wire::ItemCompletedNotification {
                item: wire_conversion::thread_item(&item),
                thread_id,
                turn_id,
                completed_at_ms: wire_conversion::now_unix_ms(),
            })
        }
        other => unreachable!("not an item lifecycle event: {other:?}"),
    }
}

/// `mcpServer/startupStatus/updated` for one server of the thread.
fn mcp_startup(
    thread_id: String,
    server: String,
    status: McpStartupStatus,
) -> wire::McpServerStatusUpdatedNotification {
    let (status, error) = match status {
        McpStartupStatus::Starting => (wire::McpServerStartupState::Starting, None),
        McpStartupStatus::Ready => (wire::McpServerStartupState::Ready, None),
        McpStartupStatus::Failed { error } => (wire::McpServerStartupState::Failed, Some(error)),
        McpStartupStatus::Cancelled => (wire::McpServerStartupState::Cancelled, None),
    };
    wire::McpServerStatusUpdatedNotification {
        name: server,
        status,
        error,
        failure_reason: None,
        thread_id: Some(thread_id),
        environment_id: None,
    }
}

/// A streamed piece of an item in progress: message text, proposed plan, reasoning, command output, or what
/// the model wrote to the unified exec session a command started.
fn item_delta_notification(thread_id: String, msg: EventMsg) -> ServerNotification {
    match msg {
        EventMsg::AgentMessageDelta {
            turn_id,
            item_id,
            delta,
        } => ServerNotification::AgentMessageDelta(wire::AgentMessageDeltaNotification {
            thread_id,
            turn_id,
            item_id,
            delta,
        }),
        EventMsg::PlanDelta {
            turn_id,
            item_id,
            delta,
        } => ServerNotification::PlanDelta(wire::PlanDeltaNotification {
            thread_id,
            turn_id,
            item_id,
            delta,
        }),
        EventMsg::ReasoningSummaryTextDelta {
            turn_id,
            item_id,
            delta,
            summary_index,
        } => ServerNotification::ReasoningSummaryTextDelta(
            wire::ReasoningSummaryTextDeltaNotification {
                thread_id,
                turn_id,
                item_id,
                delta,
                summary_index,
            },
        ),
        EventMsg::ReasoningSummaryPartAdded {
            turn_id,
            item_id,
            summary_index,
        } => ServerNotification::ReasoningSummaryPartAdded(
            wire::ReasoningSummaryPartAddedNotification {
                thread_id,
                turn_id,
                item_id,
                summary_index,
            },
        ),
        EventMsg::ReasoningTextDelta {
            turn_id,
            item_id,
            delta,
            content_index,
        } => ServerNotification::ReasoningTextDelta(wire::ReasoningTextDeltaNotification {
            thread_id,
            turn_id,
            item_id,
            delta,
            content_index,
        }),
        EventMsg::CommandOutputDelta {
            turn_id,
            item_id,
            delta,
        } => ServerNotification::CommandExecutionOutputDelta(
            wire::CommandExecutionOutputDeltaNotification {
                thread_id,
                turn_id,
                item_id,
                delta,
            },
        ),
        EventMsg::TerminalInteraction {
            turn_id,
            item_id,
            process_id,
            stdin,
        } => ServerNotification::TerminalInteraction(wire::TerminalInteractionNotification {
            thread_id,
            turn_id,
            item_id,
            process_id,
            stdin,
        }),
        other => unreachable!("not an item delta event: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use codex_app_server_protocol::JSONRPCNotification;
    use codex_core::protocol::event::EventMsg;
    use codex_core::protocol::event::ThreadEvent;
    use codex_core::protocol::event::ThreadStatus;
    use codex_core::protocol::event::TurnSummary;
    use codex_core::protocol::mcp::McpStartupStatus;
    use codex_core::protocol::plan::PlanUpdate;
    use codex_core::protocol::rate_limit::RateLimitSnapshot;
    use codex_core::protocol::token_usage::TokenUsageInfo;
    use codex_core::protocol::turn_item::CommandSource;
    use codex_core::protocol::turn_item::ToolItemStatus;
    use codex_core::protocol::turn_item::TurnItem;
    use codex_core::protocol::turn_outcome::TurnError;
    use codex_core::protocol::turn_outcome::TurnStatus;

    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::notification;

    /// Every event but a server request reaches the family that translates it (none falls through).
    #[test]
    fn every_event_family_translates() {
        let turn = TurnSummary {
            id: "turn".to_string(),
            status: TurnStatus::Completed,
            error: None,
            started_at: None,
            completed_at: None,
            duration_ms: None,
        };
        let item = TurnItem::AgentMessage {
            id: "item".to_string(),
            text: "hi".to_string(),
            phase: None,
        };
        let ids = || ("turn".to_string(), "item".to_string());
        let events = vec![
            EventMsg::StatusChanged(ThreadStatus::Idle),
            EventMsg::Closed,
            EventMsg::NameUpdated(Some("name".to_string())),
            EventMsg::TokenUsageUpdated {
                turn_id: ids().0,
                info: TokenUsageInfo::default(),
            },
            EventMsg::RateLimitsUpdated(RateLimitSnapshot::default()),
            EventMsg::TurnStarted(turn.clone()),
            EventMsg::TurnCompleted {
                turn,
                final_message: Some(item.clone()),
            },
            EventMsg::TurnDiffUpdated {
                turn_id: ids().0,
                diff: String::new(),
            },
            EventMsg::PlanUpdated {
                turn_id: ids().0,
                update: PlanUpdate {
                    explanation: None,
                    plan: Vec::new(),
                },
            },
            EventMsg::Compacted { turn_id: ids().0 },
            EventMsg::McpStartupUpdated {
                server: "docs".to_string(),
                status: McpStartupStatus::Failed {
                    error: "gone".to_string(),
                },
            },
            EventMsg::McpToolCallProgress {
                turn_id: ids().0,
                item_id: ids().1,
                message: "step 1 of 2".to_string(),
            },
            EventMsg::Error {
                turn_id: ids().0,
                error: TurnError {
                    message: "failed".to_string(),
                    codex_error_info: None,
                    additional_details: None,
                },
                will_retry: false,
            },
            EventMsg::ItemStarted {
                turn_id: ids().0,
                item: item.clone(),
            },
            EventMsg::ItemCompleted {
                turn_id: ids().0,
                item,
            },
            EventMsg::AgentMessageDelta {
                turn_id: ids().0,
                item_id: ids().1,
                delta: "d".to_string(),
            },
            EventMsg::PlanDelta {
                turn_id: ids().0,
                item_id: ids().1,
                delta: "d".to_string(),
            },
            EventMsg::ReasoningSummaryTextDelta {
                turn_id: ids().0,
                item_id: ids().1,
                delta: "d".to_string(),
                summary_index: 0,
            },
            EventMsg::ReasoningSummaryPartAdded {
                turn_id: ids().0,
                item_id: ids().1,
                summary_index: 0,
            },
            EventMsg::ReasoningTextDelta {
                turn_id: ids().0,
                item_id: ids().1,
                delta: "d".to_string(),
                content_index: 0,
            },
            EventMsg::CommandOutputDelta {
                turn_id: ids().0,
                item_id: ids().1,
                delta: "d".to_string(),
            },
            EventMsg::TerminalInteraction {
                turn_id: ids().0,
                item_id: ids().1,
                process_id: "1042".to_string(),
                stdin: String::new(),
            },
        ];
        for msg in events {
            let event = ThreadEvent {
                thread_id: "thread".to_string(),
                msg: msg.clone(),
            };
            assert!(notification(event).is_some(), "{msg:?} has no notification");
        }
    }

    /// A unified exec session's command names its session and source; a write to the session is a
    /// `terminalInteraction` of that command's item.
    #[test]
    fn unified_exec_events_name_the_session() {
        let translated = |msg: EventMsg| {
            let event = ThreadEvent {
                thread_id: "thread".to_string(),
                msg,
            };
            let notification = notification(event).expect("a notification");
            serde_json::to_value(JSONRPCNotification::from(notification)).expect("encodes")
        };
        let started = translated(EventMsg::ItemStarted {
            turn_id: "turn".to_string(),
            item: TurnItem::CommandExecution {
                id: "call_1".to_string(),
                command: "npm run dev".to_string(),
                cwd: "/repo".to_string(),
                status: ToolItemStatus::InProgress,
                command_actions: Vec::new(),
                aggregated_output: None,
                exit_code: None,
                duration_ms: None,
                source: CommandSource::UnifiedExecStartup,
                process_id: Some("1042".to_string()),
            },
        });
        let item = &started["params"]["item"];
        assert_eq!(
            (&item["processId"], &item["source"]),
            (&json!("1042"), &json!("unifiedExecStartup"))
        );
        let interaction = translated(EventMsg::TerminalInteraction {
            turn_id: "turn_2".to_string(),
            item_id: "call_1".to_string(),
            process_id: "1042".to_string(),
            stdin: "q\n".to_string(),
        });
        assert_eq!(
            interaction,
            json!({"method": "item/commandExecution/terminalInteraction", "params": {
                "threadId": "thread", "turnId": "turn_2", "itemId": "call_1", "processId": "1042",
                "stdin": "q\n"}})
        );
    }
}

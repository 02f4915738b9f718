//! Core thread events as v2 server notifications, and the task that forwards them to the client in the
//! order the engine produced them.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerNotification;
use codex_core::protocol::event::EventMsg;
use codex_core::protocol::event::ThreadEvent;
use codex_core::rate_limit_store::RateLimitStore;
use tokio::sync::mpsc;

use crate::connection_hub::ConnectionHub;
use crate::wire_conversion;

/// The notification for one engine event; `None` for approval requests, which are server requests.
pub fn notification(event: ThreadEvent) -> Option<ServerNotification> {
    let ThreadEvent { thread_id, msg } = event;
    let notification = match msg {
        EventMsg::StatusChanged(status) => {
            ServerNotification::ThreadStatusChanged(wire::ThreadStatusChangedNotification {
                thread_id,
                status: wire_conversion::thread_status(status),
            })
        }
        EventMsg::Closed => {
            ServerNotification::ThreadClosed(wire::ThreadClosedNotification { thread_id })
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
        EventMsg::NameUpdated(thread_name) => {
            ServerNotification::ThreadNameUpdated(wire::ThreadNameUpdatedNotification {
                thread_id,
                thread_name,
            })
        }
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
        EventMsg::TurnDiffUpdated { turn_id, diff } => {
            ServerNotification::TurnDiffUpdated(wire::TurnDiffUpdatedNotification {
                thread_id,
                turn_id,
                diff,
            })
        }
        EventMsg::CommandApprovalRequested(_) | EventMsg::PatchApprovalRequested(_) => return None,
    };
    Some(notification)
}

/// Forwards every engine event to the connections following its thread until the engine drops its sender.
/// Rate limits go through `store` first: a snapshot is merged with what is known of its limit and sent
/// only when that changed.
pub async fn forward_events(
    mut events: mpsc::Receiver<ThreadEvent>,
    store: RateLimitStore,
    connections: std::sync::Arc<ConnectionHub>,
) {
    while let Some(event) = events.recv().await {
        let event = match event.msg {
            EventMsg::RateLimitsUpdated(snapshot) => match store.update(snapshot) {
                Some(merged) => ThreadEvent {
                    thread_id: event.thread_id,
                    msg: EventMsg::RateLimitsUpdated(merged),
                },
                None => continue,
            },
            EventMsg::StatusChanged(_)
            | EventMsg::Closed
            | EventMsg::TurnStarted(_)
            | EventMsg::TurnCompleted { .. }
            | EventMsg::ItemStarted { .. }
            | EventMsg::ItemCompleted { .. }
            | EventMsg::AgentMessageDelta { .. }
            | EventMsg::ReasoningSummaryTextDelta { .. }
            | EventMsg::ReasoningSummaryPartAdded { .. }
            | EventMsg::ReasoningTextDelta { .. }
            | EventMsg::TokenUsageUpdated { .. }
            | EventMsg::Error { .. }
            | EventMsg::NameUpdated(_)
            | EventMsg::CommandOutputDelta { .. }
            | EventMsg::TurnDiffUpdated { .. }
            | EventMsg::CommandApprovalRequested(_)
            | EventMsg::PatchApprovalRequested(_) => event,
        };
        connections.route(event).await;
    }
}

//! The task that forwards one engine's thread events to the connections following each thread, in the
//! order the engine produced them.

use codex_core::backend::rate_limit_store::RateLimitStore;
use codex_core::protocol::event::EventMsg;
use codex_core::protocol::event::ThreadEvent;
use tokio::sync::mpsc;

use crate::connection_hub::ConnectionHub;

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
            | EventMsg::PlanDelta { .. }
            | EventMsg::ReasoningSummaryTextDelta { .. }
            | EventMsg::ReasoningSummaryPartAdded { .. }
            | EventMsg::ReasoningTextDelta { .. }
            | EventMsg::TokenUsageUpdated { .. }
            | EventMsg::Error { .. }
            | EventMsg::NameUpdated(_)
            | EventMsg::CommandOutputDelta { .. }
            | EventMsg::TerminalInteraction { .. }
            | EventMsg::TurnDiffUpdated { .. }
            | EventMsg::PlanUpdated { .. }
            | EventMsg::Compacted { .. }
            | EventMsg::CommandApprovalRequested(_)
            | EventMsg::PatchApprovalRequested(_)
            | EventMsg::DynamicToolCallRequested(_)
            | EventMsg::UserInputRequested(_)
            | EventMsg::McpStartupUpdated { .. }
            | EventMsg::McpToolCallProgress { .. }
            | EventMsg::McpElicitationRequested(_) => event,
        };
        connections.route(event).await;
    }
}

//! How a turn ends: its status is settled once (an interrupt that got in first wins), it is recorded and
//! filed among the thread's turns, the thread goes idle, and `turn/completed` is reported last.

use std::time::Instant;

use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event::TurnSummary;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_outcome::TurnError;
use crate::protocol::turn_outcome::TurnStatus;
use crate::rollout::RolloutItem;
use crate::rollout::StoredTurn;
use crate::session::turn_context::TurnContext;
use crate::session::turn_context::TurnShared;

/// How the turn's loop stopped short of completing.
pub(super) enum TurnEnd {
    Interrupted,
    Failed(TurnError),
}

/// Closes the interrupt window (from now on `turn/interrupt` and `turn/steer` are refused) and settles the
/// turn's status: an interrupt that got in first makes it `interrupted`, whatever the loop was about to say.
pub(super) fn settle_status(
    ctx: &TurnContext,
    outcome: Result<(), TurnEnd>,
) -> (TurnStatus, Option<TurnError>) {
    ctx.conversation().mark_turn_ending();
    if ctx.cancel().is_cancelled() {
        return (TurnStatus::Interrupted, None);
    }
    match outcome {
        Ok(()) => (TurnStatus::Completed, None),
        Err(TurnEnd::Interrupted) => (TurnStatus::Interrupted, None),
        Err(TurnEnd::Failed(error)) => (TurnStatus::Failed, Some(error)),
    }
}

/// Records how a turn ended, files it among the thread's turns, frees the thread for the next one and
/// reports `turn/completed`. `turn` carries the final status and error.
pub(crate) async fn finish_turn(
    shared: &TurnShared,
    mut turn: TurnSummary,
    completed_items: Vec<TurnItem>,
    started: Instant,
) {
    let completed_at = chrono::Utc::now().timestamp();
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    turn.completed_at = Some(completed_at);
    turn.duration_ms = Some(duration_ms);
    shared.conversation.record(vec![RolloutItem::TurnCompleted {
        turn_id: turn.id.clone(),
        status: turn.status,
        error: turn.error.clone(),
        completed_at,
        duration_ms,
    }]);
    if let Err(err) = shared.conversation.flush().await {
        tracing::warn!("flushing rollout: {err}");
    }
    let final_message = completed_items
        .iter()
        .rev()
        .find(|item| matches!(item, TurnItem::AgentMessage { .. }))
        .cloned();
    shared.conversation.file_turn(
        StoredTurn {
            id: turn.id.clone(),
            items: completed_items,
            status: turn.status,
            error: turn.error.clone(),
            started_at: turn.started_at,
            completed_at: Some(completed_at),
            duration_ms: Some(duration_ms),
        },
        completed_at,
    );
    shared.events.set_status(ThreadStatus::Idle).await;
    shared
        .events
        .emit(EventMsg::TurnCompleted {
            turn,
            final_message,
        })
        .await;
    shared.turn_ended.notify_waiters();
}

//! `thread/rollback` (0.105) and `thread/revert` (0.171, then `thread/reverted`): a loaded thread loses its
//! last turns from its history, its turns and its rollout. Files are not reverted.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerNotification;
use codex_core::session::thread::ThreadSnapshot;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::loaded_thread;
use crate::handlers::thread::thread_error;
use crate::history_page::CursorScope;
use crate::history_page::PageCursor;
use crate::wire_conversion;

/// `thread/rollback`: drops the last `numTurns` turns (all when there are fewer); answers the thread with
/// the turns it has left.
pub async fn rollback(
    context: RequestContext,
    params: wire::ThreadRollbackParams,
) -> Result<Answer<wire::ThreadRollbackResponse>, RequestError> {
    if params.num_turns == 0 {
        return Err(RequestError::Rejected("numTurns must be >= 1".to_string()));
    }
    let thread = loaded_thread(&context, &params.thread_id)?;
    let snapshot = thread
        .roll_back(params.num_turns)
        .await
        .map_err(thread_error)?;
    Ok(Answer::new(wire::ThreadRollbackResponse {
        thread: wire_conversion::thread(&snapshot, true),
    }))
}

/// `thread/revert`: drops `beforeTurnId` and every later turn; answers the thread (no turns, as 0.171)
/// with cursors paging what is left backwards, then tells the host `thread/reverted`.
pub async fn revert(
    context: RequestContext,
    params: wire::ThreadRevertParams,
) -> Result<Answer<wire::ThreadRevertResponse>, RequestError> {
    let thread = loaded_thread(&context, &params.thread_id)?;
    let snapshot = thread
        .revert(&params.before_turn_id)
        .await
        .map_err(thread_error)?;
    let (turns_backwards_cursor, items_backwards_cursor) = backwards_cursors(&snapshot);
    let reverted = ServerNotification::ThreadReverted(wire::ThreadRevertedNotification {
        thread_id: params.thread_id.clone(),
    });
    Ok(Answer::new(wire::ThreadRevertResponse {
        thread: wire_conversion::thread(&snapshot, false),
        turns_backwards_cursor,
        items_backwards_cursor,
    })
    .then_notify([reverted]))
}

/// Cursors on the last turn and the last item left, each including its own entry.
fn backwards_cursors(snapshot: &ThreadSnapshot) -> (Option<String>, Option<String>) {
    let thread_id = &snapshot.metadata.id;
    let cursor = |scope, count: usize| {
        count.checked_sub(1).map(|position| {
            PageCursor {
                thread_id: thread_id.clone(),
                scope,
                position,
                include_anchor: true,
            }
            .encode()
        })
    };
    let items: usize = snapshot.turns.iter().map(|turn| turn.items.len()).sum();
    (
        cursor(CursorScope::Turns, snapshot.turns.len()),
        cursor(CursorScope::Items, items),
    )
}

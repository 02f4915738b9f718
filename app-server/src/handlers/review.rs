//! `review/start`: a code review as a turn of the thread (`inline`), or of a new thread forked from it
//! (`detached`, 0.105). The response names the turn and the thread; the turn's events follow it.

use codex_app_server_protocol as wire;
use codex_core::config::ConfigOverrides;
use codex_core::session::review::ReviewTarget;
use codex_core::session::thread::CodexThread;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::follow_fork;
use crate::handlers::thread::loaded_thread;
use crate::handlers::thread::thread_error;
use crate::wire_conversion;

/// `review/start`: answers the review's turn (its one item the user message naming what is reviewed) and
/// the thread it runs in; a detached review's `thread/started` follows the response.
pub async fn start(
    context: RequestContext,
    params: wire::ReviewStartParams,
) -> Result<Answer<wire::ReviewStartResponse>, RequestError> {
    let target = core_target(params.target);
    // Checked before a detached review forks anything (`start_review` checks again for other callers).
    target.validate().map_err(RequestError::InvalidParams)?;
    let source = loaded_thread(&context, &params.thread_id)?;
    match params.delivery.unwrap_or(wire::ReviewDelivery::Inline) {
        wire::ReviewDelivery::Inline => {
            let review = source.start_review(target).map_err(thread_error)?;
            let response = response(&source, &review.pending.turn, review.label);
            Ok(Answer::new(response).then_release(review.pending))
        }
        wire::ReviewDelivery::Detached => {
            let thread = context
                .engine
                .threads
                .fork_thread(source.id(), ConfigOverrides::default(), false)
                .await
                .map_err(thread_error)?;
            let started = follow_fork(&context, &thread);
            let review = thread.start_review(target).map_err(thread_error)?;
            let response = response(&thread, &review.pending.turn, review.label);
            Ok(Answer::new(response)
                .then_notify([started])
                .then_release((thread.mcp_startup_report(), review.pending)))
        }
    }
}

/// The response: the review turn, in progress, with the user message naming what is reviewed.
fn response(
    thread: &CodexThread,
    turn: &codex_core::protocol::event::TurnSummary,
    label: String,
) -> wire::ReviewStartResponse {
    let mut wire_turn = wire_conversion::turn_summary(turn);
    wire_turn.items = vec![wire::ThreadItem::UserMessage {
        id: turn.id.clone(),
        content: vec![wire::UserInput::Text {
            text: label,
            text_elements: Vec::new(),
        }],
        client_id: None,
    }];
    wire::ReviewStartResponse {
        turn: wire_turn,
        review_thread_id: thread.id().to_string(),
    }
}

fn core_target(target: wire::ReviewTarget) -> ReviewTarget {
    match target {
        wire::ReviewTarget::UncommittedChanges => ReviewTarget::UncommittedChanges,
        wire::ReviewTarget::BaseBranch { branch } => ReviewTarget::BaseBranch { branch },
        wire::ReviewTarget::Commit { sha, title } => ReviewTarget::Commit { sha, title },
        wire::ReviewTarget::Custom { instructions } => ReviewTarget::Custom { instructions },
    }
}

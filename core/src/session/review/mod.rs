//! `review/start`: a code review as a turn of the thread. A reviewer (the thread's model under the review
//! rubric, on a history of its own: the environment and the review request, nothing of the conversation)
//! inspects the change with the thread's tools and sandbox; its answer is reported as the review
//! (`exitedReviewMode` and an agent message) and joins the thread's history, so later turns can act on it.

mod target;

use std::sync::Arc;

pub use target::ReviewTarget;

use crate::config::WebSearchMode;
use crate::session::conversation::ThreadState;
use crate::session::thread::CodexThread;
use crate::session::thread::PendingTurn;
use crate::session::thread::ThreadError;
use crate::session::thread_settings::TurnOnlyOptions;
use crate::session::turn::ReviewRequest;
use crate::session::turn::run_review_turn;
use crate::session::turn_context::TurnContext;
use crate::session::turn_context::TurnShared;

/// The reviewer's instructions (in place of the thread's base instructions).
const REVIEW_RUBRIC: &str = include_str!("rubric.md");

/// A review accepted as a turn: the turn (released when dropped) and the label of what is reviewed.
pub struct PendingReview {
    pub pending: PendingTurn,
    pub label: String,
}

impl CodexThread {
    /// Accepts a review of `target` as a new turn; it runs once the returned turn is released.
    pub fn start_review(&self, target: ReviewTarget) -> Result<PendingReview, ThreadError> {
        target.validate().map_err(ThreadError::InvalidInput)?;
        let (turn, cancel) = self.claim_turn()?;
        self.inner.conversation.refuse_steering();
        let label = target.label();
        let inner = Arc::clone(&self.inner);
        let summary = turn.clone();
        let request_label = label.clone();
        let pending = PendingTurn::spawn(turn, async move {
            let ctx = inner.turn_context(summary.id.clone(), TurnOnlyOptions::default(), cancel);
            let reviewer = reviewer_context(&ctx);
            let request = ReviewRequest {
                label: request_label,
                text: target.request(&ctx.settings.cwd).await,
            };
            let mut model = inner.client.new_session();
            run_review_turn(&ctx, &reviewer, &mut model, summary, request).await;
        });
        Ok(PendingReview { pending, label })
    }
}

/// What the reviewer runs with: `review_model` if one is set, the turn's id, cancellation, approvals, sandbox and tools, but its own
/// history (the session prefix of developer and `AGENTS.md` instructions left out), the rubric as its
/// instructions, no web search or image viewing, and its own messages kept off the wire.
fn reviewer_context(ctx: &TurnContext) -> TurnContext {
    let mut settings = ctx.settings.clone();
    if let Some(review_model) = settings.review_model.clone() {
        settings.model = review_model.slug.clone();
        settings.model_info = review_model;
    }
    settings.base_instructions = REVIEW_RUBRIC.to_string();
    settings.developer_instructions = None;
    settings.collaboration_mode = None;
    settings.web_search_mode = Some(WebSearchMode::Disabled);
    let shared = TurnShared {
        conversation: ctx.conversation().beside(ThreadState::past_prefix()),
        events: ctx.events().muting_agent_messages(),
        ..ctx.shared.clone()
    };
    TurnContext::new(
        ctx.turn_id().to_string(),
        settings,
        TurnOnlyOptions::default(),
        ctx.cancel().clone(),
        shared,
    )
    .with_stream_max_retries(ctx.stream_max_retries)
    .reviewing()
}

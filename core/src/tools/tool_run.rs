//! One tool call in flight: what it runs under, how it reports its item, and how it asks the host and waits
//! for the decision while the thread shows `waitingOnApproval`.

use crate::protocol::approval::ReviewDecision;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadStatus;
use crate::protocol::turn_item::TurnItem;
use crate::tools::context::ToolContext;

/// The text the model gets when the `granular` approval policy rejects a prompt without asking.
pub(super) const REJECTED_BY_POLICY: &str = "rejected by the approval policy: approval prompts for sandbox escalations are disabled (granular sandbox_approval = false)";

/// What a handler hands back before it is wrapped into a [`ToolCallResult`].
pub(super) struct Handled {
    pub(super) text: String,
    pub(super) item: Option<TurnItem>,
    pub(super) abort_turn: bool,
}

impl Handled {
    pub(super) fn text_only(text: String) -> Self {
        Self {
            text,
            item: None,
            abort_turn: false,
        }
    }
}

/// One tool call in flight, with what it needs to report and to ask.
pub(super) struct ToolRun<'a> {
    pub(super) ctx: &'a ToolContext,
}

impl ToolRun<'_> {
    /// Sends an approval request and waits for its answer while the thread shows `waitingOnApproval`.
    /// A host that drops the request without answering counts as a decline.
    pub(super) async fn wait_for_decision(
        &self,
        request: EventMsg,
        answer: tokio::sync::oneshot::Receiver<ReviewDecision>,
    ) -> Option<ReviewDecision> {
        if let Some(turn) = &self.ctx.approval_turn {
            tokio::select! {
                biased;
                () = self.ctx.cancel.cancelled() => return None,
                () = turn.wait() => {}
            }
        }
        self.ctx
            .events
            .set_status(ThreadStatus::Active {
                waiting_on_approval: true,
            })
            .await;
        self.ctx.events.emit(request).await;
        let decision = tokio::select! {
            biased;
            () = self.ctx.cancel.cancelled() => None,
            answer = answer => Some(answer.unwrap_or(ReviewDecision::Denied)),
        };
        self.ctx
            .events
            .set_status(ThreadStatus::Active {
                waiting_on_approval: false,
            })
            .await;
        self.settle_approvals();
        decision
    }

    /// This call asks the host nothing more (short of a retry), so the next call of its response may.
    pub(super) fn settle_approvals(&self) {
        if let Some(turn) = &self.ctx.approval_turn {
            turn.settle();
        }
    }

    pub(super) async fn emit_started(&self, item: &TurnItem) {
        self.ctx
            .events
            .emit(EventMsg::ItemStarted {
                turn_id: self.ctx.turn_id.to_string(),
                item: item.clone(),
            })
            .await;
    }

    pub(super) async fn emit_completed(&self, item: &TurnItem) {
        self.ctx
            .events
            .emit(EventMsg::ItemCompleted {
                turn_id: self.ctx.turn_id.to_string(),
                item: item.clone(),
            })
            .await;
    }
}

//! One tool call in flight: what it runs under, how it reports its item, and how it asks the host and waits
//! for the answer while the thread shows `waitingOnApproval` (or `waitingOnUserInput`).

use tokio::sync::oneshot;

use crate::protocol::approval::ReviewDecision;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadStatus;
use crate::protocol::turn_item::TurnItem;
use crate::tools::context::ToolContext;

/// The text the model gets when the `granular` approval policy rejects a prompt without asking.
pub(super) const REJECTED_BY_POLICY: &str = "rejected by the approval policy: approval prompts for sandbox escalations are disabled (granular sandbox_approval = false)";

/// What a call waits on the host for.
#[derive(Debug, Clone, Copy)]
pub(crate) enum HostWait {
    Approval,
    UserInput,
}

impl HostWait {
    /// The thread's status while the call waits (`waiting`) or once it stopped waiting.
    fn status(self, waiting: bool) -> ThreadStatus {
        let (approval, user_input) = match self {
            HostWait::Approval => (waiting, false),
            HostWait::UserInput => (false, waiting),
        };
        ThreadStatus::Active {
            waiting_on_approval: approval,
            waiting_on_user_input: user_input,
        }
    }
}

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
        answer: oneshot::Receiver<ReviewDecision>,
    ) -> Option<ReviewDecision> {
        self.wait_for_host(HostWait::Approval, request, answer)
            .await
            .map(|answer| answer.unwrap_or(ReviewDecision::Denied))
    }

    /// Sends a request to the host (after the earlier calls of the response are done asking) and waits
    /// for its answer while the thread shows what it waits on. `None` when the turn was interrupted; an
    /// error when the host side dropped the request unanswered.
    pub(crate) async fn wait_for_host<T>(
        &self,
        wait: HostWait,
        request: EventMsg,
        answer: oneshot::Receiver<T>,
    ) -> Option<Result<T, oneshot::error::RecvError>> {
        if let Some(turn) = &self.ctx.approval_turn {
            tokio::select! {
                biased;
                () = self.ctx.cancel.cancelled() => return None,
                () = turn.wait() => {}
            }
        }
        self.ctx.events.set_status(wait.status(true)).await;
        self.ctx.events.emit(request).await;
        let answer = tokio::select! {
            biased;
            () = self.ctx.cancel.cancelled() => None,
            answer = answer => Some(answer),
        };
        self.ctx.events.set_status(wait.status(false)).await;
        self.settle_approvals();
        answer
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

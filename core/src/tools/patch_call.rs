//! An `apply_patch` call: the patch is planned, its paths checked against the sandbox's writable roots, the
//! host asked where the policy wants it, and the files written along exactly the paths that were checked.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::AskForApproval;
use crate::protocol::approval::ApprovalReply;
use crate::protocol::approval::PatchApprovalRequest;
use crate::protocol::approval::ReviewDecision;
use crate::protocol::event::EventMsg;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::tools::apply_patch::ApplyPatchError;
use crate::tools::apply_patch::PathAccess;
use crate::tools::apply_patch::WriteScope;
use crate::tools::apply_patch::plan_patch;
use crate::tools::tool_call::TOOL_ABORTED;
use crate::tools::tool_run::Handled;
use crate::tools::tool_run::REJECTED_BY_POLICY;
use crate::tools::tool_run::ToolRun;
use crate::tools::turn_diff::TurnDiffTracker;

/// The text the model gets for a patch the host declined.
const PATCH_DECLINED: &str = "patch rejected by user";

/// The single argument of the function flavour of `apply_patch`.
#[derive(Debug, Deserialize)]
pub(super) struct ApplyPatchArguments {
    pub(super) input: String,
}

impl ToolRun<'_> {
    /// Applies `patch` with relative paths taken from `cwd`. Its paths are resolved once, checked against
    /// the sandbox's writable roots and their read-only entries, and written along exactly those resolved
    /// paths (`WriteScope`), so what the approval saw is what gets written.
    pub(super) async fn apply_patch(
        &self,
        call_id: &str,
        patch: String,
        cwd: PathBuf,
        diff: &TurnDiffTracker,
    ) -> Handled {
        let sandbox = self.ctx.settings.sandbox.clone();
        let sandbox_cwd = self.ctx.settings.cwd.clone();
        let codex_home = self.ctx.settings.codex_home.clone();
        let planned = tokio::task::spawn_blocking(move || -> Result<_, ApplyPatchError> {
            let plan = plan_patch(&patch, &cwd)?;
            Ok((plan, WriteScope::new(&sandbox, &sandbox_cwd, &codex_home)))
        })
        .await;
        let (plan, mut scope) = match planned {
            Ok(Ok(planned)) => planned,
            Ok(Err(err)) => {
                return Handled::text_only(format!("apply_patch verification failed: {err}"));
            }
            Err(err) => return Handled::text_only(format!("apply_patch failed: {err}")),
        };
        let touched: Vec<PathBuf> = plan.touched_paths().to_vec();
        let mut item = TurnItem::FileChange {
            id: call_id.to_string(),
            changes: plan.report().changes.clone(),
            status: ToolItemStatus::InProgress,
        };
        self.emit_started(&item).await;

        // Paths the sandbox does not let the patch write: outside the roots, or read-only inside them.
        let blocked: Vec<(PathBuf, PathAccess)> = touched
            .iter()
            .filter_map(|path| match scope.access(path) {
                PathAccess::Writable => None,
                access @ (PathAccess::ReadOnly { .. } | PathAccess::OutsideRoots) => {
                    Some((path.clone(), access))
                }
            })
            .collect();
        let approvals = &self.ctx.approvals;
        let approved_for_session = touched.iter().all(|path| approvals.allows_patch_path(path));
        let unapproved: Vec<(PathBuf, PathAccess)> = blocked
            .iter()
            .filter(|(path, _)| !approvals.allows_patch_path(path))
            .cloned()
            .collect();
        let must_ask = match self.ctx.settings.approval_policy {
            AskForApproval::Untrusted => !approved_for_session,
            AskForApproval::OnRequest | AskForApproval::Granular(_) => !unapproved.is_empty(),
            AskForApproval::Never => false,
        };
        let refusal = if must_ask && !self.ctx.settings.approval_policy.allows_sandbox_prompts() {
            Some((REJECTED_BY_POLICY.to_string(), false))
        } else if must_ask {
            self.ask_patch(call_id, &touched, &unapproved).await
        } else {
            unapproved
                .first()
                .map(|(path, access)| (never_refusal(path, access, &self.ctx.settings.cwd), false))
        };
        self.settle_approvals();
        if let Some((text, abort_turn)) = refusal {
            set_patch_status(&mut item, ToolItemStatus::Declined);
            self.emit_completed(&item).await;
            return Handled {
                text,
                item: Some(item),
                abort_turn,
            };
        }
        // Past this point every blocked path was approved, now or earlier in the session: the write of each
        // is still confined to exactly that path.
        for (path, _) in blocked {
            scope.approve(path);
        }

        diff.remember_originals(&touched);
        let committed = tokio::task::spawn_blocking(move || plan.commit(&scope)).await;
        let text = match committed {
            Ok(Ok(report)) => {
                if let TurnItem::FileChange {
                    changes, status, ..
                } = &mut item
                {
                    *changes = report.changes;
                    *status = ToolItemStatus::Completed;
                }
                report.summary
            }
            Ok(Err(err)) => {
                set_patch_status(&mut item, ToolItemStatus::Failed);
                format!("apply_patch failed: {err}")
            }
            Err(err) => {
                set_patch_status(&mut item, ToolItemStatus::Failed);
                format!("apply_patch failed: {err}")
            }
        };
        self.emit_completed(&item).await;
        self.ctx
            .events
            .emit(EventMsg::TurnDiffUpdated {
                turn_id: self.ctx.turn_id.to_string(),
                diff: diff.diff(&self.ctx.settings.cwd),
            })
            .await;
        Handled {
            text,
            item: Some(item),
            abort_turn: false,
        }
    }

    /// Asks the host about a patch; the reason names every path the sandbox does not allow. `None` when the
    /// host approved, else the text for the model and whether the turn ends.
    async fn ask_patch(
        &self,
        call_id: &str,
        touched: &[PathBuf],
        unapproved: &[(PathBuf, PathAccess)],
    ) -> Option<(String, bool)> {
        let reason = (!unapproved.is_empty()).then(|| {
            let paths: Vec<String> = unapproved
                .iter()
                .map(|(path, access)| format!("{} is {access}", path.display()))
                .collect();
            format!(
                "the patch writes where the sandbox does not allow: {}",
                paths.join("; ")
            )
        });
        let (reply, answer) = ApprovalReply::channel();
        let request = EventMsg::PatchApprovalRequested(PatchApprovalRequest {
            turn_id: self.ctx.turn_id.to_string(),
            item_id: call_id.to_string(),
            reason,
            reply,
        });
        match self.wait_for_decision(request, answer).await {
            Some(ReviewDecision::ApprovedForSession) => {
                self.ctx
                    .approvals
                    .approve_patch_paths(touched.iter().cloned());
                None
            }
            Some(ReviewDecision::Approved | ReviewDecision::ApprovedWithPrefix(_)) => None,
            Some(ReviewDecision::Denied) => Some((PATCH_DECLINED.to_string(), false)),
            Some(ReviewDecision::Abort) | None => Some((TOOL_ABORTED.to_string(), true)),
        }
    }
}

/// What the model is told when `approval_policy = never` leaves no way to write `path`.
fn never_refusal(path: &std::path::Path, access: &PathAccess, cwd: &std::path::Path) -> String {
    let what = match access {
        PathAccess::OutsideRoots => format!(
            "it writes outside the sandbox's writable roots ({})",
            path.display()
        ),
        PathAccess::ReadOnly { .. } | PathAccess::Writable => {
            format!("{} is {access}", path.display())
        }
    };
    format!(
        "patch rejected: {what}, and approval_policy is `never`, so it cannot be approved (cwd: {})",
        cwd.display()
    )
}

fn set_patch_status(item: &mut TurnItem, new_status: ToolItemStatus) {
    if let TurnItem::FileChange { status, .. } = item {
        *status = new_status;
    }
}

//! `update_plan`: the model replaces its plan for the turn; the host hears of it (`turn/plan/updated`) and
//! the model is told it took effect. Nothing runs and nothing needs approval. Not in plan mode.

use crate::context::collaboration_mode::ModeKind;
use crate::protocol::event::EventMsg;
use crate::protocol::plan::PlanUpdate;
use crate::tools::tool_run::Handled;
use crate::tools::tool_run::ToolRun;

/// What the model reads back after a plan update, as upstream.
const PLAN_UPDATED: &str = "Plan updated";

/// Upstream's refusal in plan mode, where the plan is the `<proposed_plan>` of the answer instead.
const NOT_IN_PLAN_MODE: &str =
    "update_plan is a TODO/checklist tool and is not allowed in Plan mode";

impl ToolRun<'_> {
    /// Reports the plan in `arguments`; arguments that are not a plan are the model's to fix. Refused in
    /// plan mode.
    pub(super) async fn update_plan(&self, arguments: &str) -> Handled {
        match self.ctx.settings.collaboration_mode {
            ModeKind::Plan => return Handled::text_only(NOT_IN_PLAN_MODE.to_string()),
            ModeKind::Default => {}
        }
        let update = match serde_json::from_str::<PlanUpdate>(arguments) {
            Ok(update) => update,
            Err(err) => {
                return Handled::text_only(format!("failed to parse function arguments: {err}"));
            }
        };
        self.ctx
            .events
            .emit(EventMsg::PlanUpdated {
                turn_id: self.ctx.turn_id.clone(),
                update,
            })
            .await;
        Handled::text_only(PLAN_UPDATED.to_string())
    }
}

//! Running the tool calls of one response. When the model allows parallel calls, each run of consecutive
//! calls whose tools may run together (commands, image views and host tools, as upstream decides) runs at
//! once; any other call runs alone, after the calls before it. Calls that run together still ask the host
//! in the model's order, and their outputs go into history in the model's order.

use futures::StreamExt;
use futures::stream::FuturesOrdered;

use crate::protocol::turn_item::TurnItem;
use crate::rollout::RolloutItem;
use crate::session::turn::finish::TurnEnd;
use crate::session::turn_context::TurnContext;
use crate::tools::approval_order::ApprovalOrder;
use crate::tools::context::ToolContext;
use crate::tools::dynamic_tools::DynamicTool;
use crate::tools::router::run_tool_call;
use crate::tools::tool_call::ToolCall;
use crate::tools::tool_call::ToolCallResult;
use crate::tools::turn_diff::TurnDiffTracker;

/// Whether a call may run while other calls of its response run: commands, image views and the host's
/// tools (upstream 0.171 sends several `item/tool/call` requests at once) may; plans, patches, and
/// anything this build does not know run alone.
fn runs_alongside_others(call: &ToolCall, host_tools: &[DynamicTool]) -> bool {
    match call {
        ToolCall::Function { name, .. } => {
            matches!(
                name.as_str(),
                "shell" | "shell_command" | "exec_command" | "view_image"
            ) || host_tools.iter().any(|tool| tool.name() == name)
        }
        ToolCall::LocalShell { .. } => true,
        ToolCall::Custom { .. } => false,
    }
}

/// The calls of `calls` that run together, in order: each run of consecutive calls that may run alongside
/// others is one batch (when `parallel`), every other call a batch of its own.
fn batches<'a>(
    calls: &'a [ToolCall],
    parallel: bool,
    host_tools: &[DynamicTool],
) -> Vec<&'a [ToolCall]> {
    let mut batches = Vec::new();
    let mut start = 0;
    while start < calls.len() {
        let together = if parallel {
            calls[start..]
                .iter()
                .take_while(|call| runs_alongside_others(call, host_tools))
                .count()
        } else {
            0
        };
        let end = start + together.max(1);
        batches.push(&calls[start..end]);
        start = end;
    }
    batches
}

/// Runs the model's tool calls and puts their outputs into history in its order; `Interrupted` when the
/// host aborted one or the turn was interrupted.
pub(super) async fn run_tool_calls(
    ctx: &TurnContext,
    tool_calls: Vec<ToolCall>,
    diff: &TurnDiffTracker,
    completed_items: &mut Vec<TurnItem>,
) -> Result<(), TurnEnd> {
    let parallel = ctx.settings.model_info.supports_parallel_tool_calls;
    for batch in batches(&tool_calls, parallel, &ctx.settings.dynamic_tools) {
        if ctx.cancel().is_cancelled() {
            break;
        }
        let mut aborted = false;
        let mut running: FuturesOrdered<_> = batch
            .iter()
            .zip(ApprovalOrder::turns(batch.len()))
            .map(|(call, turn)| {
                let tools = ToolContext {
                    approval_turn: (batch.len() > 1).then_some(turn),
                    ..ctx.tools.clone()
                };
                async move { run_tool_call(&tools, call, diff).await }
            })
            .collect();
        while let Some(result) = running.next().await {
            if result.abort_turn && !aborted {
                // The host ended the turn: the calls still running with this one stop too.
                aborted = true;
                ctx.cancel().cancel();
            }
            record_result(ctx, result, completed_items);
        }
        if aborted {
            return Err(TurnEnd::Interrupted);
        }
    }
    if ctx.cancel().is_cancelled() {
        return Err(TurnEnd::Interrupted);
    }
    Ok(())
}

/// A call's output into history and the rollout, and its item among the turn's.
fn record_result(ctx: &TurnContext, result: ToolCallResult, completed_items: &mut Vec<TurnItem>) {
    let mut records = vec![RolloutItem::ResponseItem(result.output.clone())];
    if let Some(item) = result.item {
        records.push(RolloutItem::ItemCompleted {
            turn_id: ctx.turn_id().to_string(),
            item: item.clone(),
        });
        completed_items.push(item);
    }
    ctx.conversation().push_history(result.output);
    ctx.conversation().record(records);
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn function(name: &str) -> ToolCall {
        ToolCall::Function {
            name: name.to_string(),
            arguments: "{}".to_string(),
            call_id: name.to_string(),
        }
    }

    fn shapes(calls: &[ToolCall], parallel: bool) -> Vec<usize> {
        let host_tool = DynamicTool::new(crate::tools::dynamic_tools::DeclaredDynamicTool {
            name: "lookup".to_string(),
            description: String::new(),
            input_schema: serde_json::json!({"type": "object"}),
        })
        .unwrap_or_else(|err| panic!("{err}"));
        batches(calls, parallel, &[host_tool])
            .iter()
            .map(|batch| batch.len())
            .collect()
    }

    #[test]
    fn consecutive_commands_run_together_and_anything_else_alone() {
        let calls = [
            function("shell_command"),
            function("shell_command"),
            function("update_plan"),
            function("shell_command"),
            function("apply_patch"),
            function("apply_patch"),
        ];
        assert_eq!(shapes(&calls, true), vec![2, 1, 1, 1, 1]);
        let host_tools_and_commands = [
            function("lookup"),
            function("shell_command"),
            function("lookup"),
            function("update_plan"),
        ];
        assert_eq!(shapes(&host_tools_and_commands, true), vec![3, 1]);
        assert_eq!(shapes(&calls, false), vec![1, 1, 1, 1, 1, 1]);
        assert_eq!(shapes(&[], true), Vec::<usize>::new());
    }
}

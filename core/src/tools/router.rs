//! Routes one tool call of the model to what runs it: the shell tools (`shell_call`), unified exec
//! (`exec_command`, `write_stdin`), `apply_patch`
//! (`patch_call`), `update_plan` (`plan_call`), `request_user_input` (`user_input_call`), `view_image`
//! (`view_image`), the host's own tools (`dynamic_tools`), MCP tools (`mcp_call`) and the MCP resource
//! tools (`mcp_resource_call`), or an "unsupported" answer; wraps what it
//! produced into the output item the model sees.

use crate::protocol::response_item::LocalShellAction;
use crate::tools::context::ToolContext;
use crate::tools::exec;
use crate::tools::exec::ExecCommand;
use crate::tools::exec::ExecParams;
use crate::tools::mcp_resource_specs::LIST_RESOURCE_TEMPLATES;
use crate::tools::mcp_resource_specs::LIST_RESOURCES;
use crate::tools::mcp_resource_specs::READ_RESOURCE;
use crate::tools::patch_call::ApplyPatchArguments;
use crate::tools::shell_call::EscalationArguments;
use crate::tools::tool_call::ToolCall;
use crate::tools::tool_call::ToolCallResult;
use crate::tools::tool_run::Handled;
use crate::tools::tool_run::ToolRun;
use crate::tools::turn_diff::TurnDiffTracker;
use crate::tools::unified_exec_call::EXEC_COMMAND;
use crate::tools::unified_exec_call::WRITE_STDIN;
use crate::tools::user_input_call::REQUEST_USER_INPUT_TOOL_NAME;
use crate::tools::view_image::VIEW_IMAGE_TOOL_NAME;

/// Runs one tool call to completion (or until `cancel`).
pub(crate) async fn run_tool_call(
    ctx: &ToolContext,
    call: &ToolCall,
    diff: &TurnDiffTracker,
) -> ToolCallResult {
    let settings = &ctx.settings;
    let tool = ToolRun { ctx };
    let handled = match call {
        ToolCall::Function {
            name,
            arguments,
            call_id,
        } => match name.as_str() {
            "shell" | "shell_command" => {
                let parsed = exec::parse_shell_call(
                    name,
                    arguments,
                    &settings.cwd,
                    settings.sandbox.clone(),
                    &settings.codex_home,
                );
                let escalation: EscalationArguments =
                    serde_json::from_str(arguments).unwrap_or_default();
                tool.run_shell_call(call_id, parsed, escalation, diff).await
            }
            EXEC_COMMAND => tool.exec_command(call_id, arguments, diff).await,
            WRITE_STDIN => tool.write_stdin(arguments).await,
            "update_plan" => tool.update_plan(arguments).await,
            REQUEST_USER_INPUT_TOOL_NAME => tool.request_user_input(call_id, arguments).await,
            "apply_patch" => match serde_json::from_str::<ApplyPatchArguments>(arguments) {
                Ok(arguments) => {
                    tool.apply_patch(call_id, arguments.input, settings.cwd.clone(), diff)
                        .await
                }
                Err(err) => {
                    Handled::text_only(format!("failed to parse function arguments: {err}"))
                }
            },
            // These ask no approval: the calls after them in their response may ask theirs at once.
            VIEW_IMAGE_TOOL_NAME => {
                tool.settle_approvals();
                return tool.view_image(call, arguments).await;
            }
            host_tool if settings.is_host_tool(host_tool) => {
                tool.settle_approvals();
                return tool.dynamic_tool(call, host_tool, arguments).await;
            }
            mcp_tool if settings.mcp.route(mcp_tool).is_some() => {
                if let Some(route) = settings.mcp.route(mcp_tool) {
                    return tool.mcp_tool(call, route, arguments).await;
                }
                Handled::text_only(format!("unsupported call: {mcp_tool}"))
            }
            LIST_RESOURCES | LIST_RESOURCE_TEMPLATES | READ_RESOURCE
                if !settings.mcp.servers().is_empty() =>
            {
                tool.mcp_resource_call(name, arguments).await
            }
            other => Handled::text_only(format!(
                "unsupported call: the tool `{other}` is not available"
            )),
        },
        ToolCall::Custom {
            name,
            input,
            call_id,
        } => match name.as_str() {
            "apply_patch" => {
                tool.apply_patch(call_id, input.clone(), settings.cwd.clone(), diff)
                    .await
            }
            other => Handled::text_only(format!("unsupported custom tool call: {other}")),
        },
        ToolCall::LocalShell { call_id, action } => {
            let LocalShellAction::Exec {
                command,
                timeout_ms,
                working_directory,
            } = action;
            let parsed = if command.is_empty() {
                Err("failed to run local shell call: command is empty".to_string())
            } else {
                Ok(ExecParams {
                    command: ExecCommand::Argv(command.clone()),
                    cwd: working_directory
                        .as_deref()
                        .map_or_else(|| settings.cwd.clone(), |dir| settings.cwd.join(dir)),
                    timeout: timeout_ms.map_or(exec::DEFAULT_EXEC_TIMEOUT, |ms| {
                        std::time::Duration::from_millis(ms)
                    }),
                    env: std::collections::HashMap::new(),
                    sandbox: settings.sandbox.clone(),
                    sandbox_cwd: settings.cwd.clone(),
                    codex_home: settings.codex_home.clone(),
                })
            };
            tool.run_shell_call(call_id, parsed, EscalationArguments::default(), diff)
                .await
        }
    };
    tool.settle_approvals();
    ToolCallResult {
        output: call.output(handled.text),
        item: handled.item,
        abort_turn: handled.abort_turn,
    }
}

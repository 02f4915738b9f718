//! One call of the model to an MCP tool, as upstream 0.171 runs it: its `mcpToolCall` item starts; the user
//! is asked first when the tool may change something (an MCP elicitation carrying upstream's approval
//! metadata); the server runs it within the tool time limit, its progress reported on the item; the item
//! completes with the result or the error, and the model gets the result in upstream's form.

use std::time::Instant;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::mcp::McpCallError;
use crate::mcp::call_output;
use crate::protocol::event::EventMsg;
use crate::protocol::mcp::McpCallResult;
use crate::protocol::response_item::FunctionCallOutputBody;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::tools::mcp_approval::McpApproval;
use crate::tools::mcp_tools::McpToolRoute;
use crate::tools::tool_call::ToolCall;
use crate::tools::tool_call::ToolCallResult;
use crate::tools::tool_run::ToolRun;

/// How the call ended, for its item and the model.
enum Outcome {
    /// The server's result; `true` when it says the tool failed.
    Result(McpCallResult, bool),
    /// The call failed before a result (unavailable server, crash, timeout, interrupt).
    Error(String),
    /// The call was not made (the user or the approval policy said no).
    Refused(String),
}

impl ToolRun<'_> {
    /// Runs the model's `call` of the MCP tool `route` with `arguments` (JSON text).
    pub(crate) async fn mcp_tool(
        &self,
        call: &ToolCall,
        route: &McpToolRoute,
        arguments: &str,
    ) -> ToolCallResult {
        let call_id = call.call_id().to_string();
        let arguments_value: Option<Value> = if arguments.trim().is_empty() {
            None
        } else {
            match serde_json::from_str(arguments) {
                Ok(value) => Some(value),
                Err(err) => {
                    self.settle_approvals();
                    return result(
                        &call_id,
                        call_output::bad_arguments_output(&err.to_string()),
                        None,
                    );
                }
            }
        };
        let started = Instant::now();
        let item = |status, result, error, duration_ms| TurnItem::McpToolCall {
            id: call_id.clone(),
            server: route.server.clone(),
            tool: route.tool.clone(),
            arguments: arguments_value
                .clone()
                .unwrap_or(Value::Object(Default::default())),
            status,
            result,
            error,
            duration_ms,
        };
        self.emit_started(&item(ToolItemStatus::InProgress, None, None, None))
            .await;
        let outcome = match self.approve_mcp_call(route, arguments_value.as_ref()).await {
            McpApproval::Approved => {
                self.settle_approvals();
                self.run_mcp_call(&call_id, route, arguments_value.clone())
                    .await
            }
            McpApproval::Refused(reason) => Outcome::Refused(reason),
        };
        let elapsed = started.elapsed();
        let duration_ms = Some(i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX));
        let (completed, output) = match outcome {
            Outcome::Result(result, is_error) => {
                let status = if is_error {
                    ToolItemStatus::Failed
                } else {
                    ToolItemStatus::Completed
                };
                let output = call_output::model_output(&result, elapsed);
                (
                    item(status, Some(Box::new(result)), None, duration_ms),
                    output,
                )
            }
            Outcome::Error(message) => {
                let output =
                    call_output::error_output(&route.server, &route.tool, &message, elapsed);
                (
                    item(ToolItemStatus::Failed, None, Some(message), duration_ms),
                    output,
                )
            }
            Outcome::Refused(message) => {
                let output = call_output::plain_output(&message, elapsed);
                (
                    item(ToolItemStatus::Failed, None, Some(message), duration_ms),
                    output,
                )
            }
        };
        self.emit_completed(&completed).await;
        result(&call_id, output, Some(completed))
    }

    /// Calls the server (starting it again if it crashed), forwarding its progress to the item.
    async fn run_mcp_call(
        &self,
        call_id: &str,
        route: &McpToolRoute,
        arguments: Option<Value>,
    ) -> Outcome {
        let arguments = match arguments {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(_) => return Outcome::Error("the arguments must be a JSON object".to_string()),
        };
        let servers = self.ctx.settings.mcp.servers();
        let connection = match servers.connection(&route.server).await {
            Ok(connection) => connection,
            Err(err) => return Outcome::Error(err.to_string()),
        };
        let timeout = servers.tool_timeout(&route.server);
        let (progress, mut progress_rx) = mpsc::unbounded_channel();
        let call = connection.call_tool(
            &route.tool,
            arguments,
            Some(self.mcp_caller()),
            timeout,
            &self.ctx.cancel,
            progress,
        );
        let forward = async {
            while let Some(message) = progress_rx.recv().await {
                self.ctx
                    .events
                    .emit(EventMsg::McpToolCallProgress {
                        turn_id: self.ctx.turn_id.clone(),
                        item_id: call_id.to_string(),
                        message,
                    })
                    .await;
            }
        };
        let (answer, ()) = tokio::join!(call, forward);
        match answer {
            Ok(result) => match call_output::check_size(&result) {
                Ok(()) => Outcome::Result(
                    call_output::item_result(&result),
                    result.is_error.unwrap_or(false),
                ),
                Err(refusal) => Outcome::Error(refusal),
            },
            Err(McpCallError::Timeout(limit)) => Outcome::Error(format!(
                "timed out awaiting tools/call after {}s",
                limit.as_secs_f64()
            )),
            Err(err) => Outcome::Error(err.to_string()),
        }
    }
}

fn result(call_id: &str, output: FunctionCallOutputBody, item: Option<TurnItem>) -> ToolCallResult {
    ToolCallResult {
        output: ResponseItem::FunctionCallOutput {
            call_id: call_id.to_string(),
            output,
        },
        item,
        abort_turn: false,
    }
}

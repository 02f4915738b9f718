//! One call of the model to a host tool: its `dynamicToolCall` item starts, the host is asked (an
//! `item/tool/call` request on the wire) and the turn waits for its answer, or for an interrupt; the item
//! completes with what the host answered and the model gets it as the call's output. The texts for an
//! answer that never came are upstream 0.171's.

use std::time::Instant;

use crate::protocol::dynamic_tool::DynamicToolAnswer;
use crate::protocol::dynamic_tool::DynamicToolCallRequest;
use crate::protocol::dynamic_tool::DynamicToolContentItem;
use crate::protocol::dynamic_tool::DynamicToolReply;
use crate::protocol::dynamic_tool::DynamicToolResponse;
use crate::protocol::event::EventMsg;
use crate::protocol::response_item::FunctionCallOutputBody;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::tools::tool_call::ToolCall;
use crate::tools::tool_call::ToolCallResult;
use crate::tools::tool_run::ToolRun;

use super::output::model_output;

/// The turn stopped waiting (interrupt), or nobody was there to ask.
const CANCELLED: &str = "dynamic tool call was cancelled before receiving a response";
/// The host answered with an error, or its connection closed first.
const HOST_FAILED: &str = "dynamic tool request failed";
/// The host's answer was not a tool result.
const INVALID_ANSWER: &str = "dynamic tool response was invalid";

impl ToolRun<'_> {
    /// Runs the model's `call` of host tool `tool` with its `arguments` (JSON text).
    pub(crate) async fn dynamic_tool(
        &self,
        call: &ToolCall,
        tool: &str,
        arguments: &str,
    ) -> ToolCallResult {
        let arguments: serde_json::Value = match serde_json::from_str(arguments) {
            Ok(arguments) => arguments,
            Err(err) => {
                return ToolCallResult {
                    output: call.output(format!("failed to parse function arguments: {err}")),
                    item: None,
                    abort_turn: false,
                };
            }
        };
        let call_id = call.call_id().to_string();
        let started = Instant::now();
        let item = |status, content_items, success, duration_ms| TurnItem::DynamicToolCall {
            id: call_id.clone(),
            tool: tool.to_string(),
            arguments: arguments.clone(),
            status,
            content_items,
            success,
            duration_ms,
        };
        self.emit_started(&item(ToolItemStatus::InProgress, None, None, None))
            .await;
        let response = self.ask_host(&call_id, tool, &arguments).await;
        let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        let status = if response.success {
            ToolItemStatus::Completed
        } else {
            ToolItemStatus::Failed
        };
        let output = if response.cancelled {
            FunctionCallOutputBody::Text(CANCELLED.to_string())
        } else {
            model_output(&response.content_items, self.ctx.settings.image_input).await
        };
        let completed = item(
            status,
            Some(response.content_items),
            Some(response.success),
            Some(duration_ms),
        );
        self.emit_completed(&completed).await;
        ToolCallResult {
            output: ResponseItem::FunctionCallOutput { call_id, output },
            item: Some(completed),
            abort_turn: false,
        }
    }

    /// Sends the request and waits for the host's answer or the turn's interrupt; what the host did not
    /// answer becomes a failed response.
    async fn ask_host(
        &self,
        call_id: &str,
        tool: &str,
        arguments: &serde_json::Value,
    ) -> HostResult {
        let (reply, answer) = DynamicToolReply::channel();
        self.ctx
            .events
            .emit(EventMsg::DynamicToolCallRequested(DynamicToolCallRequest {
                turn_id: self.ctx.turn_id.clone(),
                call_id: call_id.to_string(),
                tool: tool.to_string(),
                arguments: arguments.clone(),
                reply,
            }))
            .await;
        let answer = tokio::select! {
            biased;
            () = self.ctx.cancel.cancelled() => None,
            answer = answer => answer.ok(),
        };
        match answer {
            Some(DynamicToolAnswer::Answered(DynamicToolResponse {
                content_items,
                success,
            })) => HostResult {
                content_items,
                success,
                cancelled: false,
            },
            Some(DynamicToolAnswer::HostFailed) => HostResult::failed(HOST_FAILED),
            Some(DynamicToolAnswer::Invalid) => HostResult::failed(INVALID_ANSWER),
            None => HostResult {
                content_items: Vec::new(),
                success: false,
                cancelled: true,
            },
        }
    }
}

/// What the call ended with.
struct HostResult {
    content_items: Vec<DynamicToolContentItem>,
    success: bool,
    /// No answer came: the item shows no content, the model is told the call was cancelled.
    cancelled: bool,
}

impl HostResult {
    /// A failure the item and the model both see as `text`, as upstream reports it.
    fn failed(text: &str) -> Self {
        Self {
            content_items: vec![DynamicToolContentItem::InputText {
                text: text.to_string(),
            }],
            success: false,
            cancelled: false,
        }
    }
}

//! A tool call as the model makes it (a function, a custom tool or a local shell call), the output item that
//! answers it, and what running it produced.

use crate::protocol::response_item::FunctionCallOutputBody;
use crate::protocol::response_item::LocalShellAction;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::TurnItem;

/// The text the model gets for a tool call cut short by an interrupted turn.
pub(crate) const TOOL_ABORTED: &str = "aborted";

/// A tool call the model made, as the turn runs it.
#[derive(Debug, Clone)]
pub(crate) enum ToolCall {
    Function {
        name: String,
        arguments: String,
        call_id: String,
    },
    Custom {
        name: String,
        input: String,
        call_id: String,
    },
    LocalShell {
        call_id: String,
        action: LocalShellAction,
    },
}

impl ToolCall {
    /// The call an output item of the model asks for, if it is one.
    pub(crate) fn from_item(item: &ResponseItem) -> Option<ToolCall> {
        match item {
            ResponseItem::FunctionCall {
                name,
                namespace,
                arguments,
                call_id,
                ..
            } => Some(ToolCall::Function {
                // 0.171's namespaced form of an MCP tool (`mcp__<server>` + `<tool>`) names the same
                // function as our flat `mcp__<server>__<tool>`.
                name: match namespace {
                    Some(namespace) => format!("{namespace}__{name}"),
                    None => name.clone(),
                },
                arguments: arguments.clone(),
                call_id: call_id.clone(),
            }),
            ResponseItem::CustomToolCall {
                name,
                input,
                call_id,
                ..
            } => Some(ToolCall::Custom {
                name: name.clone(),
                input: input.clone(),
                call_id: call_id.clone(),
            }),
            ResponseItem::LocalShellCall {
                call_id, action, ..
            } => Some(ToolCall::LocalShell {
                call_id: call_id.clone().unwrap_or_default(),
                action: action.clone(),
            }),
            ResponseItem::Message { .. }
            | ResponseItem::Reasoning { .. }
            | ResponseItem::FunctionCallOutput { .. }
            | ResponseItem::CustomToolCallOutput { .. }
            | ResponseItem::WebSearchCall { .. }
            | ResponseItem::Compaction { .. }
            | ResponseItem::Other => None,
        }
    }

    pub(crate) fn call_id(&self) -> &str {
        match self {
            ToolCall::Function { call_id, .. }
            | ToolCall::Custom { call_id, .. }
            | ToolCall::LocalShell { call_id, .. } => call_id,
        }
    }

    /// The output item carrying `text` back to the model for this call.
    pub(crate) fn output(&self, text: String) -> ResponseItem {
        match self {
            ToolCall::Custom { call_id, .. } => ResponseItem::CustomToolCallOutput {
                call_id: call_id.clone(),
                output: text,
            },
            ToolCall::Function { call_id, .. } | ToolCall::LocalShell { call_id, .. } => {
                ResponseItem::FunctionCallOutput {
                    call_id: call_id.clone(),
                    output: FunctionCallOutputBody::Text(text),
                }
            }
        }
    }
}

/// What running a tool call produced.
pub(crate) struct ToolCallResult {
    /// The `*_call_output` item for history.
    pub(crate) output: ResponseItem,
    /// The completed item users see, for the turn's items.
    pub(crate) item: Option<TurnItem>,
    /// The host chose "cancel" (or the turn was interrupted): the turn ends as interrupted.
    pub(crate) abort_turn: bool,
}

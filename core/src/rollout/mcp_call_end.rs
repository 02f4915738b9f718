//! Upstream's `mcp_tool_call_end` rollout event: an MCP tool call's end as upstream records it (the server,
//! tool and arguments, the duration, and `{"Ok": <CallToolResult>}` or `{"Err": <message>}`), read from
//! upstream's rollouts as an `mcpToolCall` item and written beside ours so upstream shows our calls.

use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;

use crate::protocol::mcp::McpCallResult;
use crate::protocol::turn_item::ToolItemStatus;
use crate::protocol::turn_item::TurnItem;
use crate::rollout::upstream_duration::UpstreamDuration;

/// What was called.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpInvocation {
    pub server: String,
    pub tool: String,
    #[serde(default)]
    pub arguments: Option<Value>,
}

/// `mcp_tool_call_end`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct McpToolCallEnd {
    pub call_id: String,
    pub invocation: McpInvocation,
    #[serde(default)]
    pub duration: Option<UpstreamDuration>,
    /// `{"Ok": {content, structuredContent?, isError?}}` or `{"Err": "<message>"}`.
    pub result: Value,
}

impl McpToolCallEnd {
    /// The event for a finished `mcpToolCall` item; `None` for another item or one still running.
    pub fn from_turn_item(item: &TurnItem) -> Option<Self> {
        let TurnItem::McpToolCall {
            id,
            server,
            tool,
            arguments,
            status,
            result,
            error,
            duration_ms,
        } = item
        else {
            return None;
        };
        let result = match (result, error) {
            (Some(result), _) => {
                let mut ok = serde_json::to_value(result.as_ref()).ok()?;
                if *status == ToolItemStatus::Failed {
                    ok["isError"] = Value::Bool(true);
                }
                serde_json::json!({ "Ok": ok })
            }
            (None, Some(message)) => serde_json::json!({ "Err": message }),
            (None, None) => return None,
        };
        Some(Self {
            call_id: id.clone(),
            invocation: McpInvocation {
                server: server.clone(),
                tool: tool.clone(),
                arguments: Some(arguments.clone()),
            },
            duration: duration_ms.map(UpstreamDuration::from_millis),
            result,
        })
    }

    /// The `mcpToolCall` item upstream rebuilds from this event.
    pub fn to_turn_item(&self) -> TurnItem {
        let ok = self.result.get("Ok");
        let is_error = ok
            .and_then(|ok| ok.get("isError"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let error = match self.result.get("Err") {
            Some(Value::String(message)) => Some(message.clone()),
            Some(other) => Some(other.to_string()),
            None => None,
        };
        let result = ok.map(|ok| {
            Box::new(McpCallResult {
                content: ok
                    .get("content")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                structured_content: ok
                    .get("structuredContent")
                    .cloned()
                    .filter(|value| !value.is_null()),
            })
        });
        TurnItem::McpToolCall {
            id: self.call_id.clone(),
            server: self.invocation.server.clone(),
            tool: self.invocation.tool.clone(),
            arguments: self
                .invocation
                .arguments
                .clone()
                .unwrap_or_else(|| Value::Object(Default::default())),
            status: if result.is_some() && !is_error {
                ToolItemStatus::Completed
            } else {
                ToolItemStatus::Failed
            },
            result,
            error,
            duration_ms: self.duration.map(UpstreamDuration::millis),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn upstream_0105s_event_reads_as_an_item_and_ours_writes_it_back() {
        // As upstream 0.105 wrote it (observed).
        let upstream: McpToolCallEnd = serde_json::from_value(json!({
            "call_id": "call_0_echo",
            "invocation": {"server": "test", "tool": "echo", "arguments": {"text": "hi"}},
            "duration": {"secs": 0, "nanos": 2_158_254},
            "result": {"Ok": {"content": [{"type": "text", "text": "echo: hi"}]}},
        }))
        .unwrap();
        let item = upstream.to_turn_item();
        assert_eq!(
            item,
            TurnItem::McpToolCall {
                id: "call_0_echo".to_string(),
                server: "test".to_string(),
                tool: "echo".to_string(),
                arguments: json!({"text": "hi"}),
                status: ToolItemStatus::Completed,
                result: Some(Box::new(McpCallResult {
                    content: vec![json!({"type": "text", "text": "echo: hi"})],
                    structured_content: None,
                })),
                error: None,
                duration_ms: Some(2),
            }
        );
        let written = McpToolCallEnd::from_turn_item(&item).unwrap();
        assert_eq!(written.to_turn_item(), item);
        let failed = McpToolCallEnd {
            result: json!({"Err": "tool call error: gone"}),
            ..written
        };
        assert!(matches!(
            failed.to_turn_item(),
            TurnItem::McpToolCall {
                status: ToolItemStatus::Failed,
                error: Some(_),
                result: None,
                ..
            }
        ));
    }
}

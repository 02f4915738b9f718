//! Builders for the JSON events a Responses stream carries (the SSE `data:` payloads, which are also the
//! websocket text frames), shaped like what the real server sends.

use serde_json::Value;
use serde_json::json;

use super::rate_limit_headers::MockCredits;
use super::rate_limit_headers::MockRateLimitWindow;

/// `response.created`.
pub fn response_created(response_id: &str) -> Value {
    json!({"type": "response.created", "response": {"id": response_id}})
}

/// `response.output_item.added` opening an empty assistant message; `phase` is omitted when `None`.
pub fn output_item_added_message(item_id: &str, phase: Option<&str>) -> Value {
    json!({"type": "response.output_item.added", "item": assistant_message_item(item_id, None, phase)})
}

/// `response.output_text.delta`.
pub fn output_text_delta(delta: &str) -> Value {
    json!({"type": "response.output_text.delta", "delta": delta})
}

/// `response.output_item.done` carrying the finished assistant message.
pub fn output_item_done_message(item_id: &str, text: &str, phase: Option<&str>) -> Value {
    json!({"type": "response.output_item.done", "item": assistant_message_item(item_id, Some(text), phase)})
}

fn assistant_message_item(item_id: &str, text: Option<&str>, phase: Option<&str>) -> Value {
    let content = match text {
        Some(text) => json!([{"type": "output_text", "text": text}]),
        None => json!([]),
    };
    let mut item =
        json!({"type": "message", "role": "assistant", "id": item_id, "content": content});
    if let Some(phase) = phase {
        item["phase"] = json!(phase);
    }
    item
}

/// `response.output_item.added` opening a reasoning item.
pub fn reasoning_item_added(item_id: &str) -> Value {
    json!({
        "type": "response.output_item.added",
        "item": {"type": "reasoning", "id": item_id, "summary": []},
    })
}

/// `response.output_item.done` with a finished reasoning item: its summary parts and, if given, the
/// encrypted content the client must send back.
pub fn reasoning_item_done(
    item_id: &str,
    summary: &[&str],
    encrypted_content: Option<&str>,
) -> Value {
    let summary: Vec<Value> = summary
        .iter()
        .map(|text| json!({"type": "summary_text", "text": text}))
        .collect();
    let mut item = json!({"type": "reasoning", "id": item_id, "summary": summary});
    if let Some(encrypted_content) = encrypted_content {
        item["encrypted_content"] = json!(encrypted_content);
    }
    json!({"type": "response.output_item.done", "item": item})
}

/// `response.reasoning_summary_part.added`.
pub fn reasoning_summary_part_added(summary_index: i64) -> Value {
    json!({"type": "response.reasoning_summary_part.added", "summary_index": summary_index})
}

/// `response.reasoning_summary_text.delta`.
pub fn reasoning_summary_text_delta(delta: &str, summary_index: i64) -> Value {
    json!({
        "type": "response.reasoning_summary_text.delta",
        "delta": delta,
        "summary_index": summary_index,
    })
}

/// `response.reasoning_text.delta` (raw reasoning content).
pub fn reasoning_text_delta(delta: &str, content_index: i64) -> Value {
    json!({
        "type": "response.reasoning_text.delta",
        "delta": delta,
        "content_index": content_index,
    })
}

/// `response.output_item.done` with a `function_call` item; `arguments` is the JSON text the model wrote.
pub fn function_call(call_id: &str, name: &str, arguments: &str) -> Value {
    json!({
        "type": "response.output_item.done",
        "item": {"type": "function_call", "name": name, "arguments": arguments, "call_id": call_id},
    })
}

/// `response.output_item.done` with a `function_call` of `name` in `namespace`, the form upstream 0.171's
/// models call an MCP server's tools in (`namespace: "mcp__<server>"`).
pub fn namespaced_function_call(
    call_id: &str,
    namespace: &str,
    name: &str,
    arguments: &str,
) -> Value {
    json!({
        "type": "response.output_item.done",
        "item": {"type": "function_call", "namespace": namespace, "name": name, "arguments": arguments,
                 "call_id": call_id},
    })
}

/// `response.output_item.done` with a freeform `custom_tool_call` item (e.g. `apply_patch`).
pub fn custom_tool_call(call_id: &str, name: &str, input: &str) -> Value {
    json!({
        "type": "response.output_item.done",
        "item": {"type": "custom_tool_call", "status": "completed", "call_id": call_id, "name": name, "input": input},
    })
}

/// `response.output_item.done` with a completed `web_search_call` item searching for `query`.
pub fn web_search_call(item_id: &str, query: &str) -> Value {
    json!({
        "type": "response.output_item.done",
        "item": {
            "type": "web_search_call",
            "id": item_id,
            "status": "completed",
            "action": {"type": "search", "query": query},
        },
    })
}

/// `response.completed` with the usage of the upstream recording: 100 input (20 cached), 10 output
/// (3 reasoning), 110 total.
pub fn completed(response_id: &str) -> Value {
    completed_with_usage(response_id, 100, 20, 10, 3, 110)
}

/// `response.completed` with the given token usage.
pub fn completed_with_usage(
    response_id: &str,
    input_tokens: i64,
    cached_tokens: i64,
    output_tokens: i64,
    reasoning_tokens: i64,
    total_tokens: i64,
) -> Value {
    json!({
        "type": "response.completed",
        "response": {
            "id": response_id,
            "usage": {
                "input_tokens": input_tokens,
                "input_tokens_details": {"cached_tokens": cached_tokens},
                "output_tokens": output_tokens,
                "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
                "total_tokens": total_tokens,
            },
        },
    })
}

/// `response.failed` with `error.code` and `error.message` (e.g. `context_length_exceeded`,
/// `rate_limit_exceeded` with "Please try again in 1.5s").
pub fn failed(code: &str, message: &str) -> Value {
    json!({
        "type": "response.failed",
        "response": {"id": "resp_failed", "error": {"code": code, "message": message}},
    })
}

/// `response.incomplete` with `incomplete_details.reason` (e.g. `max_output_tokens`).
pub fn incomplete(reason: &str) -> Value {
    json!({
        "type": "response.incomplete",
        "response": {"id": "resp_incomplete", "incomplete_details": {"reason": reason}},
    })
}

/// The websocket-only `codex.rate_limits` frame. `metered_limit_name` names the bucket (`None` means the
/// default `codex` bucket); windows and credits are omitted when `None`.
pub fn rate_limits_event(
    plan_type: Option<&str>,
    metered_limit_name: Option<&str>,
    primary: Option<MockRateLimitWindow>,
    secondary: Option<MockRateLimitWindow>,
    credits: Option<MockCredits>,
) -> Value {
    let window_json = |window: Option<MockRateLimitWindow>| match window {
        Some(window) => json!({
            "used_percent": window.used_percent,
            "window_minutes": window.window_minutes,
            "reset_at": window.reset_at,
        }),
        None => Value::Null,
    };
    let credits = match credits {
        Some(credits) => json!({
            "has_credits": credits.has_credits,
            "unlimited": credits.unlimited,
            "balance": credits.balance,
        }),
        None => Value::Null,
    };
    json!({
        "type": "codex.rate_limits",
        "plan_type": plan_type,
        "metered_limit_name": metered_limit_name,
        "limit_name": metered_limit_name,
        "rate_limits": {"primary": window_json(primary), "secondary": window_json(secondary)},
        "credits": credits,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn rate_limits_event_matches_the_upstream_frame() {
        let event = rate_limits_event(
            Some("plus"),
            Some("codex_bengalfox"),
            Some(MockRateLimitWindow::new(42.0, 300, 1738888888)),
            Some(MockRateLimitWindow::new(7.5, 10080, 1739400000)),
            Some(MockCredits {
                has_credits: true,
                unlimited: false,
                balance: Some("12.34".to_string()),
            }),
        );
        assert_eq!(
            event,
            json!({
                "type": "codex.rate_limits",
                "plan_type": "plus",
                "metered_limit_name": "codex_bengalfox",
                "limit_name": "codex_bengalfox",
                "rate_limits": {
                    "primary": {"used_percent": 42.0, "window_minutes": 300, "reset_at": 1738888888},
                    "secondary": {"used_percent": 7.5, "window_minutes": 10080, "reset_at": 1739400000},
                },
                "credits": {"has_credits": true, "unlimited": false, "balance": "12.34"},
            })
        );
    }

    #[test]
    fn message_items_carry_phase_only_when_given() {
        assert_eq!(
            output_item_done_message("m", "hi", None),
            json!({
                "type": "response.output_item.done",
                "item": {"type": "message", "role": "assistant", "id": "m", "content": [{"type": "output_text", "text": "hi"}]},
            })
        );
        assert_eq!(
            output_item_added_message("m", Some("commentary"))["item"]["phase"],
            "commentary"
        );
    }
}

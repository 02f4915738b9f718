//! What the model is given for an MCP tool call, as upstream 0.171 gives it: the wall time, then the
//! result's structured content as compact JSON when there is some, else each content block in order (text
//! as text, images as images, anything else as its JSON). A failed call gets upstream's error wording.
//! Results past [`MAX_RESULT_BYTES`] are refused as a whole; long texts keep their head and tail.

use std::time::Duration;

use rmcp::model::CallToolResult;
use serde_json::Value;

use crate::protocol::mcp::McpCallResult;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::FunctionCallOutputBody;

/// A result larger than this (as JSON) is not passed on: the call fails with a clear error.
pub(crate) const MAX_RESULT_BYTES: usize = 8 * 1024 * 1024;
/// The most of one text block the model sees (head and tail kept).
const MAX_TEXT_BYTES: usize = 64 * 1024;

fn wall_time(elapsed: Duration) -> String {
    format!("Wall time: {:.4} seconds\nOutput:", elapsed.as_secs_f64())
}

/// The item's view of a result: the content blocks as sent, and the structured content.
pub(crate) fn item_result(result: &CallToolResult) -> McpCallResult {
    McpCallResult {
        content: result
            .content
            .iter()
            .filter_map(|block| serde_json::to_value(block).ok())
            .collect(),
        structured_content: result.structured_content.clone().filter(|v| !v.is_null()),
    }
}

/// The size check: `Err` with the refusal when the result is too large to pass on.
pub(crate) fn check_size(result: &CallToolResult) -> Result<(), String> {
    let size = serde_json::to_vec(result).map_or(0, |bytes| bytes.len());
    if size > MAX_RESULT_BYTES {
        return Err(format!(
            "the tool's result is {size} bytes, over the limit of {MAX_RESULT_BYTES} bytes"
        ));
    }
    Ok(())
}

/// The model's output for a result (an error result reads the same; its item says it failed).
pub(crate) fn model_output(result: &McpCallResult, elapsed: Duration) -> FunctionCallOutputBody {
    if let Some(structured) = &result.structured_content {
        let json = serde_json::to_string(structured).unwrap_or_default();
        return FunctionCallOutputBody::Text(format!("{}\n{}", wall_time(elapsed), bounded(&json)));
    }
    let mut parts = vec![ContentItem::InputText {
        text: wall_time(elapsed),
    }];
    parts.extend(result.content.iter().map(content_part));
    FunctionCallOutputBody::Content(parts)
}

fn content_part(block: &Value) -> ContentItem {
    let kind = block.get("type").and_then(Value::as_str);
    match kind {
        Some("text") => ContentItem::InputText {
            text: bounded(
                block
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
        },
        Some("image") => {
            let data = block
                .get("data")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let mime = block
                .get("mimeType")
                .and_then(Value::as_str)
                .unwrap_or("image/png");
            ContentItem::InputImage {
                image_url: Some(format!("data:{mime};base64,{data}")),
                file_id: None,
                detail: Some("original".to_string()),
            }
        }
        _ => ContentItem::InputText {
            text: bounded(&serde_json::to_string(block).unwrap_or_default()),
        },
    }
}

/// The model's output for a call that failed before it gave a result.
pub(crate) fn error_output(
    server: &str,
    tool: &str,
    reason: &str,
    elapsed: Duration,
) -> FunctionCallOutputBody {
    FunctionCallOutputBody::Content(vec![
        ContentItem::InputText {
            text: wall_time(elapsed),
        },
        ContentItem::InputText {
            text: error_text(server, tool, reason),
        },
    ])
}

/// Upstream's words for a failed call (without its backtrace).
pub(crate) fn error_text(server: &str, tool: &str, reason: &str) -> String {
    format!("tool call error: tool call failed for `{server}/{tool}`\n\nCaused by:\n    {reason}")
}

/// The model's output for arguments that are not JSON (the tool is not called).
pub(crate) fn bad_arguments_output(error: &str) -> FunctionCallOutputBody {
    plain_output(&format!("err: {error}"), Duration::ZERO)
}

/// The wall time and `message` (a call that was not made, and why).
pub(crate) fn plain_output(message: &str, elapsed: Duration) -> FunctionCallOutputBody {
    FunctionCallOutputBody::Content(vec![
        ContentItem::InputText {
            text: wall_time(elapsed),
        },
        ContentItem::InputText {
            text: message.to_string(),
        },
    ])
}

/// `text`, or its head and tail with how much was left out between them.
fn bounded(text: &str) -> String {
    if text.len() <= MAX_TEXT_BYTES {
        return text.to_string();
    }
    let half = MAX_TEXT_BYTES / 2;
    let mut head_end = half;
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    let mut tail_start = text.len() - half;
    while !text.is_char_boundary(tail_start) {
        tail_start += 1;
    }
    format!(
        "{}\n[... {} bytes left out ...]\n{}",
        &text[..head_end],
        tail_start - head_end,
        &text[tail_start..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    fn result(value: Value) -> McpCallResult {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn text_and_images_as_upstream_0171() {
        let output = model_output(
            &result(json!({"content": [{"type": "text", "text": "first"},
                {"type": "image", "data": "AAAA", "mimeType": "image/png"},
                {"type": "resource_link", "uri": "file:///y.txt", "name": "y"}]})),
            Duration::from_micros(2900),
        );
        assert_eq!(
            serde_json::to_value(&output).unwrap(),
            json!([
                {"type": "input_text", "text": "Wall time: 0.0029 seconds\nOutput:"},
                {"type": "input_text", "text": "first"},
                {"type": "input_image", "image_url": "data:image/png;base64,AAAA", "detail": "original"},
                {"type": "input_text", "text": "{\"name\":\"y\",\"type\":\"resource_link\",\"uri\":\"file:///y.txt\"}"}
            ])
        );
    }

    #[test]
    fn structured_content_wins_as_compact_json() {
        let output = model_output(
            &result(
                json!({"content": [{"type": "text", "text": "42"}], "structuredContent": {"answer": 42}}),
            ),
            Duration::from_micros(2300),
        );
        assert_eq!(
            output,
            FunctionCallOutputBody::Text(
                "Wall time: 0.0023 seconds\nOutput:\n{\"answer\":42}".to_string()
            )
        );
    }

    #[test]
    fn long_text_keeps_head_and_tail() {
        let text = "a".repeat(MAX_TEXT_BYTES) + &"b".repeat(100);
        let bounded = bounded(&text);
        assert!(bounded.starts_with("aaaa") && bounded.ends_with("bbbb"));
        assert!(
            bounded.contains("[... 100 bytes left out ...]"),
            "{}",
            &bounded[32760..32800]
        );
    }
}

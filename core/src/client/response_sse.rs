//! Decoding a Responses SSE body into `ResponseEvent`s: the per-event mapping (including the
//! classification of `response.failed`) and the task that pumps a body into a `ResponseStream`.

use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

use bytes::Bytes;
use eventsource_stream::EventStreamError;
use eventsource_stream::Eventsource;
use futures::Stream;
use futures::StreamExt;
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::client::api_error::ApiError;
use crate::client::metrics::TransportKind;
use crate::client::response_event::ResponseEvent;
use crate::client::telemetry::ClientTelemetry;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_usage::TokenUsage;
use crate::transport_error::error_chain;

#[derive(Deserialize)]
struct SseEvent {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    response: Option<serde_json::Value>,
    #[serde(default)]
    item: Option<serde_json::Value>,
    #[serde(default)]
    delta: Option<String>,
    #[serde(default)]
    summary_index: Option<i64>,
    #[serde(default)]
    content_index: Option<i64>,
}

#[derive(Deserialize)]
struct CompletedResponse {
    id: String,
    #[serde(default)]
    usage: Option<ResponseUsage>,
    #[serde(default)]
    end_turn: Option<bool>,
}

#[derive(Deserialize)]
struct ResponseUsage {
    input_tokens: i64,
    #[serde(default)]
    input_tokens_details: Option<InputTokensDetails>,
    output_tokens: i64,
    #[serde(default)]
    output_tokens_details: Option<OutputTokensDetails>,
    total_tokens: i64,
}

#[derive(Deserialize)]
struct InputTokensDetails {
    #[serde(default)]
    cached_tokens: i64,
}

#[derive(Deserialize)]
struct OutputTokensDetails {
    #[serde(default)]
    reasoning_tokens: i64,
}

#[derive(Deserialize, Default)]
struct FailedResponseError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Maps one SSE `data:` payload. `Ok(None)` for events we do not consume.
pub fn map_sse_event(data: &str) -> Result<Option<ResponseEvent>, ApiError> {
    let event: SseEvent = serde_json::from_str(data)
        .map_err(|err| ApiError::Stream(format!("failed to parse SSE event: {err}")))?;
    let item = |item: Option<serde_json::Value>| -> Result<ResponseItem, ApiError> {
        let item = item
            .ok_or_else(|| ApiError::Stream(format!("SSE event {} without an item", event.kind)))?;
        serde_json::from_value(item)
            .map_err(|err| ApiError::Stream(format!("failed to parse output item: {err}")))
    };
    let event = match event.kind.as_str() {
        "response.created" => ResponseEvent::Created,
        "response.output_item.added" => ResponseEvent::OutputItemAdded(item(event.item)?),
        "response.output_item.done" => ResponseEvent::OutputItemDone(item(event.item)?),
        "response.output_text.delta" => {
            ResponseEvent::OutputTextDelta(event.delta.unwrap_or_default())
        }
        "response.reasoning_summary_text.delta" => ResponseEvent::ReasoningSummaryDelta {
            delta: event.delta.unwrap_or_default(),
            summary_index: event.summary_index.unwrap_or_default(),
        },
        "response.reasoning_summary_part.added" => ResponseEvent::ReasoningSummaryPartAdded {
            summary_index: event.summary_index.unwrap_or_default(),
        },
        "response.reasoning_text.delta" => ResponseEvent::ReasoningContentDelta {
            delta: event.delta.unwrap_or_default(),
            content_index: event.content_index.unwrap_or_default(),
        },
        "response.completed" => {
            let response: CompletedResponse =
                serde_json::from_value(event.response.unwrap_or_default()).map_err(|err| {
                    ApiError::Stream(format!("failed to parse response.completed: {err}"))
                })?;
            ResponseEvent::Completed {
                response_id: response.id,
                token_usage: response.usage.map(|usage| TokenUsage {
                    input_tokens: usage.input_tokens,
                    cached_input_tokens: usage
                        .input_tokens_details
                        .map(|details| details.cached_tokens)
                        .unwrap_or_default(),
                    output_tokens: usage.output_tokens,
                    reasoning_output_tokens: usage
                        .output_tokens_details
                        .map(|details| details.reasoning_tokens)
                        .unwrap_or_default(),
                    total_tokens: usage.total_tokens,
                }),
                end_turn: response.end_turn,
            }
        }
        "response.failed" => {
            let error: FailedResponseError = event
                .response
                .as_ref()
                .and_then(|response| response.get("error"))
                .and_then(|error| serde_json::from_value(error.clone()).ok())
                .unwrap_or_default();
            return Err(classify_failed_response(error));
        }
        "response.incomplete" => {
            let reason = event
                .response
                .as_ref()
                .and_then(|response| response.pointer("/incomplete_details/reason"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or("unknown");
            return Err(ApiError::Incomplete(reason.to_string()));
        }
        other => {
            tracing::trace!("ignoring SSE event {other}");
            return Ok(None);
        }
    };
    Ok(Some(event))
}

fn classify_failed_response(error: FailedResponseError) -> ApiError {
    let message = error
        .message
        .unwrap_or_else(|| "response.failed event received".to_string());
    match error.code.as_deref() {
        Some("context_length_exceeded") => ApiError::ContextWindowExceeded,
        Some("insufficient_quota") => ApiError::QuotaExceeded,
        Some("usage_not_included") => ApiError::UsageNotIncluded,
        Some("server_is_overloaded" | "slow_down") => ApiError::ServerOverloaded(message),
        Some("invalid_prompt") => ApiError::InvalidRequest(message),
        Some("rate_limit_exceeded") => {
            let delay = parse_try_again_delay(&message);
            ApiError::Retryable { message, delay }
        }
        _ => ApiError::Retryable {
            message,
            delay: None,
        },
    }
}

/// The delay in a `... try again in 1.5s` / `in 250ms` / `in 3 seconds` message.
fn parse_try_again_delay(message: &str) -> Option<Duration> {
    const MARKER: &str = "try again in ";
    let lower = message.to_ascii_lowercase();
    let rest = lower[lower.find(MARKER)? + MARKER.len()..].trim_start();
    let number_len = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let value: f64 = rest[..number_len].parse().ok()?;
    let unit = rest[number_len..].trim_start();
    if unit.starts_with("ms") {
        Some(Duration::from_secs_f64(value / 1000.0))
    } else if unit.starts_with('s') {
        Some(Duration::from_secs_f64(value))
    } else {
        None
    }
}

/// Reads `body` until `response.completed`, forwarding events to `tx`. Returns when the receiver is gone.
/// `request_started` is when the request went out, for the time-to-first-event measurement.
pub(crate) async fn pump_sse<S, E>(
    body: S,
    idle_timeout: Duration,
    tx: mpsc::Sender<Result<ResponseEvent, ApiError>>,
    telemetry: Arc<ClientTelemetry>,
    request_started: Instant,
) where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::error::Error,
{
    let mut events = body.eventsource();
    let mut saw_first_event = false;
    loop {
        let next = match tokio::time::timeout(idle_timeout, events.next()).await {
            Ok(next) => next,
            Err(_) => {
                let _ = tx.send(Err(ApiError::IdleTimeout)).await;
                return;
            }
        };
        let sse = match next {
            Some(Ok(sse)) => sse,
            Some(Err(err)) => {
                let cause = match &err {
                    EventStreamError::Transport(transport) => error_chain(transport),
                    EventStreamError::Utf8(_) | EventStreamError::Parser(_) => err.to_string(),
                };
                let _ = tx
                    .send(Err(ApiError::Stream(format!(
                        "error reading SSE stream: {cause}"
                    ))))
                    .await;
                return;
            }
            None => {
                let _ = tx
                    .send(Err(ApiError::Stream(
                        "stream closed before response.completed".to_string(),
                    )))
                    .await;
                return;
            }
        };
        if sse.data.trim().is_empty() {
            continue;
        }
        if !saw_first_event {
            saw_first_event = true;
            telemetry.on_first_event(TransportKind::Http, request_started.elapsed());
        }
        let processing = Instant::now();
        match map_sse_event(&sse.data) {
            Ok(Some(event)) => {
                telemetry.on_event(TransportKind::Http, &sse.event, processing.elapsed(), true);
                let completed = matches!(event, ResponseEvent::Completed { .. });
                if tx.send(Ok(event)).await.is_err() || completed {
                    return;
                }
            }
            Ok(None) => {}
            Err(err) => {
                let _ = tx.send(Err(err)).await;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::response_item::ContentItem;
    use crate::protocol::response_item::MessagePhase;
    use pretty_assertions::assert_eq;

    #[test]
    fn maps_items_deltas_and_completion() {
        let done = r#"{"type":"response.output_item.done","item":{"type":"message","id":"msg_1","role":"assistant","content":[{"type":"output_text","text":"Fixed."}],"phase":"final_answer"}}"#;
        assert_eq!(
            map_sse_event(done).unwrap(),
            Some(ResponseEvent::OutputItemDone(ResponseItem::Message {
                id: Some("msg_1".to_string()),
                role: "assistant".to_string(),
                content: vec![ContentItem::OutputText {
                    text: "Fixed.".to_string()
                }],
                end_turn: None,
                phase: Some(MessagePhase::FinalAnswer),
            }))
        );
        assert_eq!(
            map_sse_event(
                r#"{"type":"response.reasoning_summary_text.delta","delta":"**Plan**","summary_index":1}"#
            )
            .unwrap(),
            Some(ResponseEvent::ReasoningSummaryDelta {
                delta: "**Plan**".to_string(),
                summary_index: 1
            })
        );
        assert_eq!(
            map_sse_event(r#"{"type":"response.content_part.added","part":{}}"#).unwrap(),
            None
        );
        let completed = r#"{"type":"response.completed","response":{"id":"resp_1","usage":{"input_tokens":100,"input_tokens_details":{"cached_tokens":20},"output_tokens":10,"output_tokens_details":{"reasoning_tokens":3},"total_tokens":110}}}"#;
        assert_eq!(
            map_sse_event(completed).unwrap(),
            Some(ResponseEvent::Completed {
                response_id: "resp_1".to_string(),
                token_usage: Some(TokenUsage {
                    input_tokens: 100,
                    cached_input_tokens: 20,
                    output_tokens: 10,
                    reasoning_output_tokens: 3,
                    total_tokens: 110,
                }),
                end_turn: None,
            })
        );
    }

    #[test]
    fn failed_responses_are_classified() {
        let failed = |code: &str, message: &str| {
            map_sse_event(
                &serde_json::json!({
                    "type": "response.failed",
                    "response": {"error": {"code": code, "message": message}}
                })
                .to_string(),
            )
            .unwrap_err()
        };
        assert!(matches!(
            failed("context_length_exceeded", "too long"),
            ApiError::ContextWindowExceeded
        ));
        assert!(matches!(
            failed("insufficient_quota", ""),
            ApiError::QuotaExceeded
        ));
        assert!(matches!(
            failed("usage_not_included", ""),
            ApiError::UsageNotIncluded
        ));
        let rate = failed(
            "rate_limit_exceeded",
            "Rate limit reached. Please try again in 1.5s.",
        );
        assert_eq!(rate.retry_delay(), Some(Duration::from_millis(1500)));
        assert_eq!(rate.is_retryable(), true);
        assert_eq!(
            failed("rate_limit_exceeded", "Try again in 250ms").retry_delay(),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            failed("rate_limit_exceeded", "try again in 3 seconds").retry_delay(),
            Some(Duration::from_secs(3))
        );
        let other = failed("server_error", "oops");
        assert_eq!(other.to_string(), "oops");
        assert_eq!(other.is_retryable(), true);

        let incomplete = map_sse_event(
            r#"{"type":"response.incomplete","response":{"incomplete_details":{"reason":"max_output_tokens"}}}"#,
        )
        .unwrap_err();
        assert_eq!(
            incomplete.to_string(),
            "Incomplete response returned, reason: max_output_tokens"
        );
    }

    #[test]
    fn malformed_json_is_a_retryable_stream_error() {
        let err = map_sse_event("{not json").unwrap_err();
        assert!(matches!(err, ApiError::Stream(_)));
        assert_eq!(err.is_retryable(), true);
        assert!(err.to_string().starts_with("failed to parse SSE event: "));
    }
}

//! One Responses request over a turn's websocket: the `response.create` frame (incremental when the new
//! input extends the last request, CORE 6.5), the mapping of server frames to `ResponseEvent`s (SSE
//! payloads, `codex.rate_limits`, wrapped `error` frames), and the task reading frames into a
//! `ResponseStream` while it holds the socket.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

use futures::SinkExt;
use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use reqwest::header::HeaderName;
use reqwest::header::HeaderValue;
use serde::Deserialize;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::OwnedMutexGuard;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::client::api_error::ApiError;
use crate::client::error_response::ErrorResponse;
use crate::client::error_response::classify_error_response;
use crate::client::headers::TURN_METADATA_HEADER;
use crate::client::headers::TURN_STATE_HEADER;
use crate::client::metrics::TransportKind;
use crate::client::rate_limit_headers::parse_rate_limit_event;
use crate::client::response_event::ResponseEvent;
use crate::client::response_sse::map_sse_event;
use crate::client::response_stream::ResponseStream;
use crate::client::responses_request::ResponsesApiRequest;
use crate::client::telemetry::ClientTelemetry;
use crate::client::websocket_connection::WebSocket;
use crate::client::websocket_connection::WebSocketConnection;
use crate::protocol::response_item::ResponseItem;

const CONNECTION_LIMIT_CODE: &str = "websocket_connection_limit_reached";
const CONNECTION_LIMIT_MESSAGE: &str =
    "Responses websocket connection limit reached (60 minutes). A new connection is needed.";
const EVENT_CHANNEL_CAPACITY: usize = 1600;

/// Why a websocket request did not produce a stream.
#[derive(Debug)]
pub(crate) enum WebSocketSetback {
    /// An error for the caller, exactly as HTTP would report it.
    Failed(ApiError),
    /// The transport itself failed (refused or failed handshake, socket died before any frame): the
    /// session switches to HTTP and the same request goes there.
    FallbackToHttp(String),
}

/// The turn's socket and what incremental requests need to know about the last request on it.
#[derive(Debug, Default)]
pub(crate) struct WebSocketSlot {
    pub(crate) connection: Option<WebSocketConnection>,
    last_request: Option<LastWebSocketRequest>,
}

#[derive(Debug)]
struct LastWebSocketRequest {
    /// The request with an empty input, to tell whether anything but the input changed.
    settings: Value,
    input: Vec<ResponseItem>,
    /// Filled once the response completed.
    response: Option<CompletedWebSocketResponse>,
}

#[derive(Debug)]
struct CompletedWebSocketResponse {
    response_id: String,
    output_items: Vec<ResponseItem>,
}

#[derive(Serialize)]
struct ResponseCreateFrame<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    request: ResponsesApiRequest<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_response_id: Option<&'a str>,
    /// What HTTP sends as headers and a socket cannot per request (`x-codex-turn-metadata`,
    /// `x-codex-turn-state`), as upstream.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    client_metadata: BTreeMap<&'static str, &'a str>,
}

/// The Responses WebSocket protocol a thread speaks, announced in the handshake's `OpenAI-Beta` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebSocketProtocol {
    /// `responses_websockets=2026-02-04`: every request is a full `response.create`.
    V1,
    /// `responses_websockets=2026-02-06`: a follow-up sends only the new input with `previous_response_id`.
    V2,
}

impl WebSocketProtocol {
    pub(crate) fn beta_header_value(self) -> &'static str {
        match self {
            WebSocketProtocol::V1 => "responses_websockets=2026-02-04",
            WebSocketProtocol::V2 => "responses_websockets=2026-02-06",
        }
    }
}

/// Per-request facts a `response.create` frame carries besides the request itself.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameContext<'a> {
    pub(crate) protocol: WebSocketProtocol,
    pub(crate) turn_metadata: Option<&'a str>,
    pub(crate) turn_state: Option<&'a str>,
}

impl WebSocketSlot {
    /// Installs a fresh socket; the incremental cache belongs to the old one.
    pub(crate) fn install(&mut self, connection: WebSocketConnection) {
        self.connection = Some(connection);
        self.last_request = None;
    }

    /// Drops the socket (without a Close handshake, so a failure surfaces at once) and the cache.
    pub(crate) fn reset(&mut self) {
        self.connection = None;
        self.last_request = None;
    }

    /// The `response.create` text for `request`: only the new items plus `previous_response_id` when
    /// every other field is unchanged and the input extends the last input and its output; else the
    /// full request.
    fn response_create_frame(
        &mut self,
        request: &ResponsesApiRequest<'_>,
        context: FrameContext<'_>,
    ) -> Result<String, ApiError> {
        let encode_error = |err: serde_json::Error| {
            ApiError::InvalidRequest(format!("failed to encode request: {err}"))
        };
        let settings = serde_json::to_value(ResponsesApiRequest {
            input: &[],
            ..request.clone()
        })
        .map_err(encode_error)?;
        let continuation = match &self.last_request {
            Some(LastWebSocketRequest {
                settings: last_settings,
                input: last_input,
                response: Some(last_response),
            }) if context.protocol == WebSocketProtocol::V2 && *last_settings == settings => {
                let known = last_input.len() + last_response.output_items.len();
                let extends = request.input.len() > known
                    && request.input.starts_with(last_input)
                    && request.input[last_input.len()..known] == last_response.output_items[..];
                extends.then_some((last_response.response_id.as_str(), known))
            }
            Some(_) | None => None,
        };
        let mut client_metadata = BTreeMap::new();
        if let Some(metadata) = context.turn_metadata {
            client_metadata.insert(TURN_METADATA_HEADER, metadata);
        }
        if let Some(turn_state) = context.turn_state {
            client_metadata.insert(TURN_STATE_HEADER, turn_state);
        }
        let frame = match continuation {
            Some((previous_response_id, known)) => ResponseCreateFrame {
                kind: "response.create",
                request: ResponsesApiRequest {
                    input: &request.input[known..],
                    ..request.clone()
                },
                previous_response_id: Some(previous_response_id),
                client_metadata,
            },
            None => ResponseCreateFrame {
                kind: "response.create",
                request: request.clone(),
                previous_response_id: None,
                client_metadata,
            },
        };
        let text = serde_json::to_string(&frame).map_err(encode_error)?;
        self.last_request = Some(LastWebSocketRequest {
            settings,
            input: request.input.to_vec(),
            response: None,
        });
        Ok(text)
    }

    /// Notes an event of the running response; true once it completed.
    fn record_event(
        &mut self,
        event: &ResponseEvent,
        output_items: &mut Vec<ResponseItem>,
    ) -> bool {
        match event {
            ResponseEvent::OutputItemDone(item) => {
                output_items.push(item.clone());
                false
            }
            ResponseEvent::Completed { response_id, .. } => {
                if let Some(connection) = &mut self.connection {
                    connection.awaiting_response = false;
                }
                if let Some(last_request) = &mut self.last_request {
                    last_request.response = Some(CompletedWebSocketResponse {
                        response_id: response_id.clone(),
                        output_items: std::mem::take(output_items),
                    });
                }
                true
            }
            ResponseEvent::Created
            | ResponseEvent::OutputItemAdded(_)
            | ResponseEvent::OutputTextDelta(_)
            | ResponseEvent::ReasoningSummaryDelta { .. }
            | ResponseEvent::ReasoningSummaryPartAdded { .. }
            | ResponseEvent::ReasoningContentDelta { .. }
            | ResponseEvent::ServerModel(_)
            | ResponseEvent::ServerReasoningIncluded(_)
            | ResponseEvent::ModelsEtag(_)
            | ResponseEvent::RateLimits(_) => false,
        }
    }
}

#[derive(Deserialize)]
struct FrameType<'a> {
    #[serde(rename = "type", borrow)]
    kind: Option<&'a str>,
}

/// The `type` of a server frame, when it has one.
fn frame_type(text: &str) -> Option<&str> {
    serde_json::from_str::<FrameType<'_>>(text)
        .ok()
        .and_then(|frame| frame.kind)
}

/// A socket that failed instead of giving a frame, for telemetry.
fn record_transport_failure(telemetry: &ClientTelemetry, read: &FrameRead, waited: Duration) {
    match read {
        FrameRead::Text(_) => {}
        FrameRead::Failed(_) | FrameRead::Ended(_) => {
            telemetry.on_event(TransportKind::WebSocket, "transport_error", waited, false);
        }
    }
}

/// Maps a frame that was waited for `waited` and records it under its type, failed when it fails the
/// stream.
fn map_recorded_frame(
    telemetry: &ClientTelemetry,
    text: &str,
    waited: Duration,
) -> Result<Option<ResponseEvent>, ApiError> {
    let kind = frame_type(text);
    let mapped = map_frame_of_type(text, kind);
    telemetry.on_event(
        TransportKind::WebSocket,
        kind.unwrap_or("unknown"),
        waited,
        mapped.is_ok(),
    );
    mapped
}

/// Maps one server text frame. `Ok(None)` for frames we do not consume.
pub fn map_websocket_frame(text: &str) -> Result<Option<ResponseEvent>, ApiError> {
    map_frame_of_type(text, frame_type(text))
}

/// [`map_websocket_frame`] for a frame whose `type` was already read.
fn map_frame_of_type(text: &str, kind: Option<&str>) -> Result<Option<ResponseEvent>, ApiError> {
    match kind {
        Some("codex.rate_limits") => {
            let frame: Value = serde_json::from_str(text).map_err(|err| {
                ApiError::Stream(format!("failed to parse websocket frame: {err}"))
            })?;
            Ok(parse_rate_limit_event(&frame).map(ResponseEvent::RateLimits))
        }
        Some("error") => {
            let frame: Value = serde_json::from_str(text).map_err(|err| {
                ApiError::Stream(format!("failed to parse websocket frame: {err}"))
            })?;
            match wrapped_error(&frame, text) {
                Some(error) => Err(error),
                None => Ok(None),
            }
        }
        Some(_) | None => map_sse_event(text),
    }
}

/// The error a wrapped `{"type":"error","status":..,"error":{..},"headers":{..}}` frame stands for; the
/// frame is treated as an HTTP answer with that status, those headers and the frame as body.
fn wrapped_error(frame: &Value, raw: &str) -> Option<ApiError> {
    let error = frame.get("error");
    let text_of = |key: &str| {
        error
            .and_then(|error| error.get(key))
            .and_then(Value::as_str)
    };
    if text_of("code") == Some(CONNECTION_LIMIT_CODE) {
        return Some(ApiError::Retryable {
            message: text_of("message")
                .unwrap_or(CONNECTION_LIMIT_MESSAGE)
                .to_string(),
            delay: None,
        });
    }
    let status = u16::try_from(frame.get("status")?.as_u64()?).ok()?;
    let status = StatusCode::from_u16(status).ok()?;
    if status.is_success() {
        return None;
    }
    let mut headers = HeaderMap::new();
    for (name, value) in frame
        .get("headers")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let value = match value {
            Value::String(text) => text.clone(),
            Value::Number(number) => number.to_string(),
            Value::Bool(flag) => flag.to_string(),
            Value::Null | Value::Array(_) | Value::Object(_) => continue,
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(name, value);
        }
    }
    Some(match classify_error_response(status, &headers, raw) {
        ErrorResponse::Final(error) => error,
        ErrorResponse::Retryable {
            status,
            message,
            server_delay,
        } if status >= 500 => {
            tracing::debug!("websocket error frame {status}; retry delay {server_delay:?}");
            ApiError::Http {
                status,
                message,
                request_id: None,
            }
        }
        ErrorResponse::Retryable {
            message,
            server_delay,
            ..
        } => ApiError::Retryable {
            message,
            delay: server_delay,
        },
    })
}

/// What waiting for the next text frame produced.
enum FrameRead {
    Text(String),
    Failed(ApiError),
    /// The socket ended (close frame, reset or end of stream).
    Ended(String),
}

async fn next_text_frame(socket: &mut WebSocket, idle_timeout: Duration) -> FrameRead {
    loop {
        let message = match tokio::time::timeout(idle_timeout, socket.next()).await {
            Err(_) => return FrameRead::Failed(ApiError::IdleTimeout),
            Ok(message) => message,
        };
        match message {
            Some(Ok(Message::Text(text))) => return FrameRead::Text(text.to_string()),
            Some(Ok(Message::Binary(_))) => {
                return FrameRead::Failed(ApiError::Stream(
                    "unexpected binary websocket frame".to_string(),
                ));
            }
            // tungstenite queues the Pong answer itself and flushes it on the next read.
            Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
            Some(Ok(Message::Close(_))) | None => {
                return FrameRead::Ended(
                    "websocket closed by server before response.completed".to_string(),
                );
            }
            Some(Err(err)) => return FrameRead::Ended(format!("websocket error: {err}")),
        }
    }
}

/// Sends `request` on the slot's socket and waits for the first frame, so a socket that dies before
/// answering can still fall back to HTTP; then hands the socket to a reader task for the rest.
pub(crate) async fn start_websocket_response(
    mut slot: OwnedMutexGuard<WebSocketSlot>,
    request: &ResponsesApiRequest<'_>,
    context: FrameContext<'_>,
    idle_timeout: Duration,
    telemetry: Arc<ClientTelemetry>,
) -> Result<ResponseStream, WebSocketSetback> {
    let frame = slot
        .response_create_frame(request, context)
        .map_err(WebSocketSetback::Failed)?;
    let Some(connection) = slot.connection.as_mut() else {
        return Err(WebSocketSetback::FallbackToHttp(
            "no websocket connection".to_string(),
        ));
    };
    connection.awaiting_response = true;
    let started = Instant::now();
    let sent =
        tokio::time::timeout(idle_timeout, connection.socket.send(Message::text(frame))).await;
    let send_error = match sent {
        Ok(Ok(())) => None,
        Ok(Err(err)) => Some(format!("failed to send response.create: {err}")),
        Err(_) => Some("timed out sending response.create".to_string()),
    };
    telemetry.on_request(
        TransportKind::WebSocket,
        started.elapsed(),
        send_error.as_deref(),
    );
    let waiting = Instant::now();
    let first_read = match send_error {
        Some(reason) => FrameRead::Ended(reason),
        None => next_text_frame(&mut connection.socket, idle_timeout).await,
    };
    let first_waited = waiting.elapsed();
    record_transport_failure(&telemetry, &first_read, first_waited);
    let mut early = connection.replayed_events.clone();
    let first_text = match first_read {
        FrameRead::Text(text) => text,
        FrameRead::Ended(reason) => {
            slot.reset();
            return Err(WebSocketSetback::FallbackToHttp(reason));
        }
        FrameRead::Failed(error) => {
            slot.reset();
            return Err(WebSocketSetback::Failed(error));
        }
    };
    telemetry.on_first_event(TransportKind::WebSocket, started.elapsed());
    let first_event = match map_recorded_frame(&telemetry, &first_text, first_waited) {
        Ok(event) => event,
        Err(error) => {
            slot.reset();
            return Err(WebSocketSetback::Failed(error));
        }
    };
    let mut output_items = Vec::new();
    let mut completed = false;
    if let Some(event) = first_event {
        completed = slot.record_event(&event, &mut output_items);
        early.push(event);
    }
    let (tx, rx) = mpsc::channel(EVENT_CHANNEL_CAPACITY.max(early.len() + 1));
    for event in early {
        // Capacity exceeds the number of early events, so this cannot fail.
        let _ = tx.try_send(Ok(event));
    }
    if completed {
        return Ok(ResponseStream { rx, reader: None });
    }
    let reader = tokio::spawn(pump_websocket(
        slot,
        tx,
        idle_timeout,
        telemetry,
        output_items,
    ));
    Ok(ResponseStream {
        rx,
        reader: Some(reader),
    })
}

/// Reads frames until `response.completed` or a terminal error, holding the socket meanwhile. Dropping
/// the stream aborts this task with `awaiting_response` still set, so the next request reconnects.
async fn pump_websocket(
    mut slot: OwnedMutexGuard<WebSocketSlot>,
    tx: mpsc::Sender<Result<ResponseEvent, ApiError>>,
    idle_timeout: Duration,
    telemetry: Arc<ClientTelemetry>,
    mut output_items: Vec<ResponseItem>,
) {
    loop {
        let Some(connection) = slot.connection.as_mut() else {
            return;
        };
        let waiting = Instant::now();
        let read = next_text_frame(&mut connection.socket, idle_timeout).await;
        let waited = waiting.elapsed();
        record_transport_failure(&telemetry, &read, waited);
        let text = match read {
            FrameRead::Text(text) => text,
            FrameRead::Failed(error) => {
                slot.reset();
                let _ = tx.send(Err(error)).await;
                return;
            }
            FrameRead::Ended(reason) => {
                slot.reset();
                let _ = tx.send(Err(ApiError::Stream(reason))).await;
                return;
            }
        };
        match map_recorded_frame(&telemetry, &text, waited) {
            Ok(Some(event)) => {
                let completed = slot.record_event(&event, &mut output_items);
                if tx.send(Ok(event)).await.is_err() || completed {
                    return;
                }
            }
            Ok(None) => {}
            Err(error) => {
                slot.reset();
                let _ = tx.send(Err(error)).await;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::rate_limit::RateLimitSnapshot;
    use crate::protocol::rate_limit::RateLimitWindow;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn rate_limit_frames_become_rate_limit_events() {
        let frame = json!({
            "type": "codex.rate_limits",
            "plan_type": "plus",
            "metered_limit_name": "codex",
            "rate_limits": {"primary": {"used_percent": 42.0, "window_minutes": 300, "reset_at": 1738888888}},
        });
        assert_eq!(
            map_websocket_frame(&frame.to_string()).unwrap(),
            Some(ResponseEvent::RateLimits(RateLimitSnapshot {
                limit_id: Some("codex".to_string()),
                limit_name: None,
                primary: Some(RateLimitWindow {
                    used_percent: 42.0,
                    window_minutes: Some(300),
                    resets_at: Some(1738888888),
                }),
                secondary: None,
                credits: None,
                plan_type: Some("plus".to_string()),
            }))
        );
    }

    #[test]
    fn wrapped_error_frames_map_like_http_answers() {
        let frame = |status: Option<u16>, code: &str| {
            let mut frame = json!({"type": "error", "error": {"type": code, "code": code, "message": "nope"}, "headers": {"retry-after": 2}});
            if let Some(status) = status {
                frame["status"] = json!(status);
            }
            map_websocket_frame(&frame.to_string())
        };
        assert!(matches!(
            frame(Some(400), "invalid_request_error"),
            Err(ApiError::Http { status: 400, .. })
        ));
        assert!(matches!(
            frame(Some(429), "usage_not_included"),
            Err(ApiError::UsageNotIncluded)
        ));
        let Err(ApiError::Retryable { message, delay }) = frame(Some(429), "rate_limit_exceeded")
        else {
            panic!("expected a retryable error");
        };
        assert_eq!(
            (message.as_str(), delay),
            ("nope", Some(Duration::from_secs(2)))
        );
        assert!(matches!(
            frame(None, CONNECTION_LIMIT_CODE),
            Err(ApiError::Retryable { .. })
        ));
        assert!(matches!(frame(None, "other"), Ok(None)));
    }
}

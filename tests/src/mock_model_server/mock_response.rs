//! `MockResponse`: one scripted answer to a model request — an SSE event stream (or the same events as
//! websocket frames), a plain JSON error body, or malformed SSE — plus its headers, pacing and faults.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use serde_json::json;

use super::sse;

/// One scripted answer, consumed by one `POST .../responses` or one websocket `response.create` frame.
///
/// Over a websocket the events become text frames (same JSON); the status and headers only matter for a
/// JSON body, which becomes a wrapped `{"type":"error","status":..,"error":..,"headers":{..}}` frame,
/// because websockets have no per-request headers (script those with
/// `MockModelServer::set_ws_handshake_response_headers`, or send a `codex.rate_limits` event).
#[derive(Debug, Clone)]
pub struct MockResponse {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: MockResponseBody,
    pub(crate) delay_before_headers: Option<Duration>,
    pub(crate) delay_between_events: Option<Duration>,
    pub(crate) fault: Option<StreamFault>,
    pub(crate) hang: bool,
}

/// What the answer carries after its headers.
#[derive(Debug, Clone)]
pub(crate) enum MockResponseBody {
    /// Events rendered once (shared, so cloning a 20,000-event stream is cheap).
    Events(Arc<Vec<RenderedEvent>>),
    /// A non-SSE body such as a 429 `usage_limit_reached` error; over a websocket it becomes a wrapped
    /// `{"type":"error","status":..}` frame.
    Json(Value),
    /// Sent verbatim as the SSE body (or as one websocket text frame).
    RawSse(String),
}

/// An event serialised once: its `type` (the SSE `event:` name) and its JSON text.
#[derive(Debug, Clone)]
pub(crate) struct RenderedEvent {
    pub(crate) event_type: String,
    pub(crate) json: String,
}

impl RenderedEvent {
    fn from_value(event: &Value) -> Self {
        let event_type = event
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("message")
            .to_string();
        Self {
            event_type,
            json: event.to_string(),
        }
    }

    /// `event: <type>\ndata: <json>\n\n`, appended to `out`.
    pub(crate) fn write_sse_frame(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"event: ");
        out.extend_from_slice(self.event_type.as_bytes());
        out.extend_from_slice(b"\ndata: ");
        out.extend_from_slice(self.json.as_bytes());
        out.extend_from_slice(b"\n\n");
    }
}

/// How a stream ends early, after `n` events and without `response.completed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFault {
    /// Abort the connection (HTTP: the chunked body is never terminated; websocket: the TCP stream is
    /// dropped without a Close frame).
    CutAfter(usize),
    /// End cleanly (HTTP: the body ends normally; websocket: a Close frame is sent).
    CloseAfter(usize),
    /// Keep the connection open and send nothing more.
    StallAfter(usize),
}

impl MockResponse {
    /// A `200 text/event-stream` answer sending `events` in order.
    pub fn sse(events: Vec<Value>) -> Self {
        Self::from_rendered(events.iter().map(RenderedEvent::from_value).collect())
    }

    fn from_rendered(events: Vec<RenderedEvent>) -> Self {
        Self {
            status: 200,
            headers: Vec::new(),
            body: MockResponseBody::Events(Arc::new(events)),
            delay_before_headers: None,
            delay_between_events: None,
            fault: None,
            hang: false,
        }
    }

    /// A `200 text/event-stream` answer whose body is `body` verbatim (malformed SSE, invalid JSON).
    pub fn raw_sse(body: impl Into<String>) -> Self {
        Self {
            body: MockResponseBody::RawSse(body.into()),
            ..Self::sse(Vec::new())
        }
    }

    /// A non-SSE JSON answer with `status`, e.g. 429 with `{"error":{"type":"usage_limit_reached",..}}`.
    pub fn error(status: u16, body: Value) -> Self {
        Self::sse(Vec::new()).with_status(status).with_body(body)
    }

    /// One assistant message streamed in `text_chunks`, the shape of the upstream recording:
    /// `response.created`, `output_item.added`, one delta per chunk, `output_item.done`, and
    /// `response.completed` with usage 100/20/10/3/110.
    pub fn assistant_message(text_chunks: &[&str], phase: Option<&str>) -> Self {
        let mut events = vec![
            sse::response_created("resp_1"),
            sse::output_item_added_message("msg_1", phase),
        ];
        events.extend(
            text_chunks
                .iter()
                .map(|chunk| sse::output_text_delta(chunk)),
        );
        events.push(sse::output_item_done_message(
            "msg_1",
            &text_chunks.concat(),
            phase,
        ));
        events.push(sse::completed("resp_1"));
        Self::sse(events)
    }

    /// An assistant message of `delta_count` deltas (`"d0 "`, `"d1 "`, ...) for throughput runs; the
    /// events are rendered directly to text.
    pub fn many_deltas(delta_count: usize) -> Self {
        let mut text = String::new();
        let mut events = Vec::with_capacity(delta_count + 4);
        events.push(RenderedEvent::from_value(&sse::response_created("resp_1")));
        events.push(RenderedEvent::from_value(&sse::output_item_added_message(
            "msg_1",
            Some("final_answer"),
        )));
        for index in 0..delta_count {
            let delta = format!("d{index} ");
            text.push_str(&delta);
            events.push(RenderedEvent {
                event_type: "response.output_text.delta".to_string(),
                json: format!(r#"{{"type":"response.output_text.delta","delta":"{delta}"}}"#),
            });
        }
        events.push(RenderedEvent::from_value(&sse::output_item_done_message(
            "msg_1",
            &text,
            Some("final_answer"),
        )));
        events.push(RenderedEvent::from_value(&sse::completed("resp_1")));
        Self::from_rendered(events)
    }

    /// The wrapped websocket error frame
    /// `{"type":"error","status":..,"error":{"type":code,"code":code,"message":..},"headers":{..}}`.
    pub fn ws_error_frame(status: u16, code: &str, message: &str, headers_json: Value) -> Self {
        Self::ws_error_frame_with_error(
            status,
            json!({"type": code, "code": code, "message": message}),
            headers_json,
        )
    }

    /// The wrapped websocket error frame with a caller-built `error` object (e.g. a
    /// `usage_limit_reached` error with `plan_type` and `resets_at`).
    pub fn ws_error_frame_with_error(status: u16, error: Value, headers_json: Value) -> Self {
        Self::sse(vec![json!({
            "type": "error",
            "status": status,
            "error": error,
            "headers": headers_json,
        })])
    }

    /// Makes `response.completed` report a context of `total_tokens` (its output tokens kept, the rest
    /// input): the size the thread's next request is measured by.
    pub fn with_total_tokens(self, total_tokens: i64) -> Self {
        let output_tokens = self
            .events()
            .iter()
            .find(|event| event["type"] == "response.completed")
            .and_then(|event| event["response"]["usage"]["output_tokens"].as_i64())
            .unwrap_or_default();
        self.with_input_tokens(total_tokens - output_tokens)
    }

    /// Makes `response.completed` report `tokens` as its (uncached) input, keeping its output tokens; a
    /// response without that event is left as it is.
    pub(crate) fn with_input_tokens(mut self, tokens: i64) -> Self {
        let MockResponseBody::Events(events) = &mut self.body else {
            return self;
        };
        for event in Arc::make_mut(events).iter_mut() {
            if event.event_type != "response.completed" {
                continue;
            }
            let Ok(mut completed) = serde_json::from_str::<Value>(&event.json) else {
                continue;
            };
            let usage = &mut completed["response"]["usage"];
            let output_tokens = usage["output_tokens"].as_i64().unwrap_or_default();
            usage["input_tokens"] = json!(tokens);
            usage["input_tokens_details"] = json!({"cached_tokens": 0});
            usage["output_tokens"] = json!(output_tokens);
            if usage.get("output_tokens_details").is_none() {
                usage["output_tokens_details"] = json!({"reasoning_tokens": 0});
            }
            usage["total_tokens"] = json!(tokens + output_tokens);
            *event = RenderedEvent::from_value(&completed);
        }
        self
    }

    /// Inserts `event` before the `index`-th event (e.g. a `codex.rate_limits` frame at 1, after
    /// `response.created`).
    ///
    /// # Panics
    /// On a JSON or raw body, which has no events: that is a mistake in the test script.
    pub fn with_event_at(mut self, index: usize, event: Value) -> Self {
        match &mut self.body {
            MockResponseBody::Events(events) => {
                Arc::make_mut(events).insert(index, RenderedEvent::from_value(&event));
            }
            MockResponseBody::Json(_) | MockResponseBody::RawSse(_) => {
                panic!("mock: with_event_at on a response without an event stream")
            }
        }
        self
    }

    pub fn with_status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds several headers, e.g. from `codex_rate_limit_headers`.
    pub fn with_headers(mut self, headers: impl IntoIterator<Item = (String, String)>) -> Self {
        self.headers.extend(headers);
        self
    }

    /// Replaces the event stream by a non-SSE JSON body.
    pub fn with_body(mut self, body: Value) -> Self {
        self.body = MockResponseBody::Json(body);
        self
    }

    pub fn with_delay_before_headers(mut self, delay: Duration) -> Self {
        self.delay_before_headers = Some(delay);
        self
    }

    pub fn with_delay_between_events(mut self, delay: Duration) -> Self {
        self.delay_between_events = Some(delay);
        self
    }

    /// Abort the connection after `events` events (see [`StreamFault::CutAfter`]).
    pub fn cut_after(mut self, events: usize) -> Self {
        self.fault = Some(StreamFault::CutAfter(events));
        self
    }

    /// End the stream cleanly after `events` events (see [`StreamFault::CloseAfter`]).
    pub fn close_after(mut self, events: usize) -> Self {
        self.fault = Some(StreamFault::CloseAfter(events));
        self
    }

    /// Send `events` events, then nothing while keeping the connection open.
    pub fn stall_after(mut self, events: usize) -> Self {
        self.fault = Some(StreamFault::StallAfter(events));
        self
    }

    /// Never send the response headers (over a websocket: never send a frame).
    pub fn hang(mut self) -> Self {
        self.hang = true;
        self
    }

    /// The events of this answer as JSON, in order (empty for JSON and raw bodies).
    pub fn events(&self) -> Vec<Value> {
        match &self.body {
            MockResponseBody::Events(events) => events
                .iter()
                .filter_map(|event| serde_json::from_str(&event.json).ok())
                .collect(),
            MockResponseBody::Json(_) | MockResponseBody::RawSse(_) => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn many_deltas_renders_valid_events_whose_deltas_make_the_final_text() {
        let events = MockResponse::many_deltas(3).events();
        assert_eq!(events.len(), 7);
        assert_eq!(events[2], sse::output_text_delta("d0 "));
        assert_eq!(
            events[5],
            sse::output_item_done_message("msg_1", "d0 d1 d2 ", Some("final_answer"))
        );
    }

    #[test]
    fn with_event_at_inserts_before_the_given_event() {
        let rate_limits = sse::rate_limits_event(None, None, None, None, None);
        let events = MockResponse::sse(vec![sse::response_created("r"), sse::completed("r")])
            .with_event_at(1, rate_limits.clone())
            .events();
        assert_eq!(
            events,
            vec![sse::response_created("r"), rate_limits, sse::completed("r")]
        );
    }

    #[test]
    fn sse_frame_names_the_event_by_its_type() {
        let mut out = Vec::new();
        RenderedEvent::from_value(&sse::response_created("r")).write_sse_frame(&mut out);
        let frame = String::from_utf8(out).unwrap();
        let data = frame
            .strip_prefix("event: response.created\ndata: ")
            .and_then(|rest| rest.strip_suffix("\n\n"))
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(data).unwrap(),
            sse::response_created("r")
        );
    }
}

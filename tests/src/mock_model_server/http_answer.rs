//! Plays a `MockResponse` over HTTP: status and headers (after an optional delay, or never), then the SSE
//! body, paced and cut short as scripted.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::HeaderName;
use axum::http::HeaderValue;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::Response;
use bytes::Bytes;
use tokio_util::sync::CancellationToken;

use super::mock_response::MockResponse;
use super::mock_response::MockResponseBody;
use super::mock_response::RenderedEvent;
use super::mock_response::StreamFault;

/// Builds the HTTP answer; waits out `delay_before_headers`, and forever (until the server stops) for
/// `hang`.
pub(crate) async fn http_answer(response: MockResponse, shutdown: CancellationToken) -> Response {
    if response.hang {
        shutdown.cancelled().await;
        return plain_status(StatusCode::SERVICE_UNAVAILABLE);
    }
    if let Some(delay) = response.delay_before_headers {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = shutdown.cancelled() => return plain_status(StatusCode::SERVICE_UNAVAILABLE),
        }
    }
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (content_type, body) = match response.body {
        MockResponseBody::Json(json) => ("application/json", Body::from(json.to_string())),
        MockResponseBody::RawSse(text) => ("text/event-stream", Body::from(text)),
        MockResponseBody::Events(events) => (
            "text/event-stream",
            event_stream_body(
                events,
                response.delay_between_events,
                response.fault,
                shutdown,
            ),
        ),
    };
    let mut http_response = Response::new(body);
    *http_response.status_mut() = status;
    let headers = http_response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    for (name, value) in &response.headers {
        match (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            (Ok(name), Ok(value)) => {
                headers.append(name, value);
            }
            (Err(_), _) | (_, Err(_)) => {
                tracing::warn!("mock: skipping invalid scripted header {name:?}");
            }
        }
    }
    http_response
}

fn plain_status(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// The SSE body. Without pacing or faults it is one pre-rendered chunk, so a 20,000-delta stream costs one
/// write; otherwise events go out one by one.
fn event_stream_body(
    events: Arc<Vec<RenderedEvent>>,
    delay_between_events: Option<Duration>,
    fault: Option<StreamFault>,
    shutdown: CancellationToken,
) -> Body {
    if delay_between_events.is_none() && fault.is_none() {
        let mut out = Vec::with_capacity(events.iter().map(|e| e.json.len() + 40).sum());
        for event in events.iter() {
            event.write_sse_frame(&mut out);
        }
        return Body::from(out);
    }
    let paced = PacedEvents {
        events,
        next: 0,
        delay_between_events,
        fault,
        shutdown,
        finished: false,
    };
    Body::from_stream(futures::stream::unfold(paced, PacedEvents::next_chunk))
}

/// Cursor over the events of a paced or faulty stream.
struct PacedEvents {
    events: Arc<Vec<RenderedEvent>>,
    next: usize,
    delay_between_events: Option<Duration>,
    fault: Option<StreamFault>,
    shutdown: CancellationToken,
    finished: bool,
}

impl PacedEvents {
    async fn next_chunk(mut self) -> Option<(Result<Bytes, io::Error>, Self)> {
        if self.finished {
            return None;
        }
        match self.fault {
            Some(StreamFault::CutAfter(limit)) if self.next >= limit => {
                self.finished = true;
                // Give hyper a chance to flush the events already written before the abort.
                tokio::task::yield_now().await;
                let cut = io::Error::new(io::ErrorKind::ConnectionReset, "mock: cut_after");
                return Some((Err(cut), self));
            }
            Some(StreamFault::CloseAfter(limit)) if self.next >= limit => return None,
            Some(StreamFault::StallAfter(limit)) if self.next >= limit => {
                self.shutdown.cancelled().await;
                self.finished = true;
                let stopped = io::Error::new(io::ErrorKind::ConnectionAborted, "mock: stopped");
                return Some((Err(stopped), self));
            }
            Some(
                StreamFault::CutAfter(_) | StreamFault::CloseAfter(_) | StreamFault::StallAfter(_),
            )
            | None => {}
        }
        let mut frame = Vec::new();
        self.events.get(self.next)?.write_sse_frame(&mut frame);
        if let (Some(delay), true) = (self.delay_between_events, self.next > 0) {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = self.shutdown.cancelled() => return None,
            }
        }
        self.next += 1;
        Some((Ok(Bytes::from(frame)), self))
    }
}

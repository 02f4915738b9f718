//! `ClientTelemetry`: the model client's request and stream measurements (request durations per
//! transport, time to first event, per-event processing time, HTTP fallbacks), kept in one place, handed
//! to the injected [`Metrics`] sink as typed events, and logged.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::client::metrics::MetricEvent;
use crate::client::metrics::Metrics;
use crate::client::metrics::TransportKind;

/// Marks "never measured" in the duration slots.
const UNSET: u64 = u64::MAX;

/// Counters and last durations of one `ModelClient`, shared by all its sessions.
#[derive(Debug)]
pub struct ClientTelemetry {
    http_requests: AtomicU64,
    websocket_requests: AtomicU64,
    websocket_handshakes: AtomicU64,
    failed_requests: AtomicU64,
    events: AtomicU64,
    fallbacks_to_http: AtomicU64,
    last_http_request_micros: AtomicU64,
    last_websocket_request_micros: AtomicU64,
    last_time_to_first_event_micros: AtomicU64,
    last_event_processing_micros: AtomicU64,
    metrics: Metrics,
}

/// A point-in-time copy of [`ClientTelemetry`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TelemetrySnapshot {
    /// HTTP `POST /responses` attempts, failed ones included.
    pub http_requests: u64,
    /// `response.create` frames sent.
    pub websocket_requests: u64,
    /// Websocket handshakes attempted (preconnect included).
    pub websocket_handshakes: u64,
    /// Requests of either transport that failed before a stream started.
    pub failed_requests: u64,
    /// Stream events handed to the caller.
    pub events: u64,
    /// Times the session switched from websockets to HTTP.
    pub fallbacks_to_http: u64,
    /// Time from sending the last HTTP request to its response headers.
    pub last_http_request_duration: Option<Duration>,
    /// Time to send the last `response.create` frame.
    pub last_websocket_request_duration: Option<Duration>,
    /// Time from sending the last request to its first stream event.
    pub last_time_to_first_event: Option<Duration>,
    /// Time spent decoding and forwarding the last stream event.
    pub last_event_processing_duration: Option<Duration>,
}

impl Default for ClientTelemetry {
    fn default() -> Self {
        ClientTelemetry::new(Metrics::default())
    }
}

impl ClientTelemetry {
    /// Telemetry whose measurements also go to `metrics`.
    pub fn new(metrics: Metrics) -> Self {
        ClientTelemetry {
            http_requests: AtomicU64::new(0),
            websocket_requests: AtomicU64::new(0),
            websocket_handshakes: AtomicU64::new(0),
            failed_requests: AtomicU64::new(0),
            events: AtomicU64::new(0),
            fallbacks_to_http: AtomicU64::new(0),
            last_http_request_micros: AtomicU64::new(UNSET),
            last_websocket_request_micros: AtomicU64::new(UNSET),
            last_time_to_first_event_micros: AtomicU64::new(UNSET),
            last_event_processing_micros: AtomicU64::new(UNSET),
            metrics,
        }
    }
}

fn store_duration(slot: &AtomicU64, duration: Duration) {
    let micros = u64::try_from(duration.as_micros()).unwrap_or(UNSET - 1);
    slot.store(micros.min(UNSET - 1), Ordering::Relaxed);
}

fn load_duration(slot: &AtomicU64) -> Option<Duration> {
    match slot.load(Ordering::Relaxed) {
        UNSET => None,
        micros => Some(Duration::from_micros(micros)),
    }
}

impl ClientTelemetry {
    /// One request sent over `transport`; `error` is the failure before any stream started.
    pub fn on_request(&self, transport: TransportKind, duration: Duration, error: Option<&str>) {
        match transport {
            TransportKind::Http => {
                self.http_requests.fetch_add(1, Ordering::Relaxed);
                store_duration(&self.last_http_request_micros, duration);
            }
            TransportKind::WebSocket => {
                self.websocket_requests.fetch_add(1, Ordering::Relaxed);
                store_duration(&self.last_websocket_request_micros, duration);
            }
        }
        if error.is_some() {
            self.failed_requests.fetch_add(1, Ordering::Relaxed);
        }
        self.metrics.record(MetricEvent::ApiRequest {
            transport,
            duration,
            success: error.is_none(),
        });
        tracing::info!(
            transport = transport.as_str(),
            duration_ms = duration.as_millis() as u64,
            success = error.is_none(),
            error = error.unwrap_or_default(),
            "model API request"
        );
    }

    pub fn on_websocket_handshake(&self, duration: Duration, error: Option<&str>) {
        self.websocket_handshakes.fetch_add(1, Ordering::Relaxed);
        self.metrics.record(MetricEvent::WebSocketConnect {
            duration,
            success: error.is_none(),
        });
        tracing::info!(
            duration_ms = duration.as_millis() as u64,
            success = error.is_none(),
            error = error.unwrap_or_default(),
            "websocket handshake"
        );
    }

    pub fn on_first_event(&self, transport: TransportKind, since_request: Duration) {
        store_duration(&self.last_time_to_first_event_micros, since_request);
        self.metrics.record(MetricEvent::TimeToFirstEvent {
            transport,
            duration: since_request,
        });
        tracing::debug!(
            transport = transport.as_str(),
            duration_ms = since_request.as_millis() as u64,
            "first stream event"
        );
    }

    /// One stream event (`kind`: the SSE event or frame type); `duration` is the wait for it over a socket,
    /// its processing over SSE; `success` is false for a frame that failed the stream.
    pub fn on_event(
        &self,
        transport: TransportKind,
        kind: &str,
        duration: Duration,
        success: bool,
    ) {
        self.events.fetch_add(1, Ordering::Relaxed);
        store_duration(&self.last_event_processing_micros, duration);
        self.metrics.record(MetricEvent::StreamEvent {
            transport,
            kind,
            duration,
            success,
        });
        tracing::trace!(
            transport = transport.as_str(),
            kind,
            success,
            duration_us = duration.as_micros() as u64,
            "stream event"
        );
    }

    pub fn on_fallback_to_http(&self, reason: &str) {
        self.fallbacks_to_http.fetch_add(1, Ordering::Relaxed);
        self.metrics.record(MetricEvent::FallbackToHttp);
        tracing::info!(reason, "falling back from the Responses websocket to HTTP");
    }

    pub fn snapshot(&self) -> TelemetrySnapshot {
        TelemetrySnapshot {
            http_requests: self.http_requests.load(Ordering::Relaxed),
            websocket_requests: self.websocket_requests.load(Ordering::Relaxed),
            websocket_handshakes: self.websocket_handshakes.load(Ordering::Relaxed),
            failed_requests: self.failed_requests.load(Ordering::Relaxed),
            events: self.events.load(Ordering::Relaxed),
            fallbacks_to_http: self.fallbacks_to_http.load(Ordering::Relaxed),
            last_http_request_duration: load_duration(&self.last_http_request_micros),
            last_websocket_request_duration: load_duration(&self.last_websocket_request_micros),
            last_time_to_first_event: load_duration(&self.last_time_to_first_event_micros),
            last_event_processing_duration: load_duration(&self.last_event_processing_micros),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn counts_and_keeps_the_last_durations() {
        let telemetry = ClientTelemetry::default();
        assert_eq!(telemetry.snapshot(), TelemetrySnapshot::default());
        telemetry.on_request(TransportKind::Http, Duration::from_millis(5), None);
        telemetry.on_request(
            TransportKind::WebSocket,
            Duration::from_millis(2),
            Some("closed"),
        );
        telemetry.on_websocket_handshake(Duration::from_millis(1), None);
        telemetry.on_first_event(TransportKind::WebSocket, Duration::from_millis(7));
        telemetry.on_event(
            TransportKind::WebSocket,
            "response.created",
            Duration::from_micros(3),
            true,
        );
        telemetry.on_fallback_to_http("426");
        assert_eq!(
            telemetry.snapshot(),
            TelemetrySnapshot {
                http_requests: 1,
                websocket_requests: 1,
                websocket_handshakes: 1,
                failed_requests: 1,
                events: 1,
                fallbacks_to_http: 1,
                last_http_request_duration: Some(Duration::from_millis(5)),
                last_websocket_request_duration: Some(Duration::from_millis(2)),
                last_time_to_first_event: Some(Duration::from_millis(7)),
                last_event_processing_duration: Some(Duration::from_micros(3)),
            }
        );
    }

    #[test]
    fn measurements_reach_the_injected_sink_as_typed_events() {
        use std::sync::Arc;
        use std::sync::Mutex;

        use crate::client::metrics::MetricsSink;

        #[derive(Default)]
        struct Recorded(Mutex<Vec<String>>);
        impl MetricsSink for Recorded {
            fn record(&self, event: MetricEvent<'_>) {
                self.0.lock().expect("lock").push(format!("{event:?}"));
            }
        }

        let sink = Arc::new(Recorded::default());
        let telemetry = ClientTelemetry::new(Metrics::new(sink.clone()));
        telemetry.on_request(TransportKind::Http, Duration::from_millis(5), Some("boom"));
        telemetry.on_websocket_handshake(Duration::from_millis(1), None);
        telemetry.on_first_event(TransportKind::WebSocket, Duration::from_millis(7));
        telemetry.on_event(
            TransportKind::Http,
            "response.created",
            Duration::from_micros(3),
            true,
        );
        telemetry.on_fallback_to_http("426");
        let expected = [
            MetricEvent::ApiRequest {
                transport: TransportKind::Http,
                duration: Duration::from_millis(5),
                success: false,
            },
            MetricEvent::WebSocketConnect {
                duration: Duration::from_millis(1),
                success: true,
            },
            MetricEvent::TimeToFirstEvent {
                transport: TransportKind::WebSocket,
                duration: Duration::from_millis(7),
            },
            MetricEvent::StreamEvent {
                transport: TransportKind::Http,
                kind: "response.created",
                duration: Duration::from_micros(3),
                success: true,
            },
            MetricEvent::FallbackToHttp,
        ]
        .map(|event| format!("{event:?}"));
        assert_eq!(*sink.0.lock().expect("lock"), expected);
    }
}

//! `MetricsSink`: where the model client's measurements go, as typed [`MetricEvent`]s. The engine only
//! records; the host (the app-server's OTLP exporter) implements the sink and injects it through
//! `ThreadManager::with_metrics`. A [`Metrics`] handle with no sink records nothing.

use std::sync::Arc;
use std::time::Duration;

/// Which transport carried a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    Http,
    WebSocket,
}

impl TransportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TransportKind::Http => "http",
            TransportKind::WebSocket => "websocket",
        }
    }
}

/// One measurement of the model client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricEvent<'a> {
    /// A request sent over `transport`: an HTTP `POST /responses` (until its response headers) or a
    /// `response.create` frame (until sent); `success` is false when it failed before a stream started.
    ApiRequest {
        transport: TransportKind,
        duration: Duration,
        success: bool,
    },
    /// A websocket handshake, preconnects included.
    WebSocketConnect { duration: Duration, success: bool },
    /// From sending a request to its first stream event.
    TimeToFirstEvent {
        transport: TransportKind,
        duration: Duration,
    },
    /// One stream event of type `kind` (the SSE event or frame type); `duration` is the wait for it over a
    /// socket, its processing over SSE; `success` is false for a frame that failed the stream.
    StreamEvent {
        transport: TransportKind,
        kind: &'a str,
        duration: Duration,
        success: bool,
    },
    /// The session gave up the Responses websocket; its later requests go over HTTP.
    FallbackToHttp,
}

/// Receives the engine's measurements; called on the request path, so it must not block.
pub trait MetricsSink: Send + Sync {
    fn record(&self, event: MetricEvent<'_>);
}

/// A cheap, cloneable handle on the sink measurements go to; the default has none and records nothing.
#[derive(Clone, Default)]
pub struct Metrics(Option<Arc<dyn MetricsSink>>);

impl Metrics {
    pub fn new(sink: Arc<dyn MetricsSink>) -> Self {
        Metrics(Some(sink))
    }

    pub fn record(&self, event: MetricEvent<'_>) {
        if let Some(sink) = &self.0 {
            sink.record(event);
        }
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("sink", &self.0.as_ref().map(|_| "dyn MetricsSink"))
            .finish()
    }
}

/// Two handles are equal when they record into the same sink (or both into none).
impl PartialEq for Metrics {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(left), Some(right)) => Arc::ptr_eq(left, right),
            (None, None) => true,
            (Some(_), None) | (None, Some(_)) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[derive(Default)]
    struct Recorded(Mutex<Vec<String>>);

    impl MetricsSink for Recorded {
        fn record(&self, event: MetricEvent<'_>) {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(format!("{event:?}"));
        }
    }

    #[test]
    fn a_handle_records_into_its_sink_and_the_default_into_none() {
        let sink = Arc::new(Recorded::default());
        let metrics = Metrics::new(sink.clone());
        metrics.record(MetricEvent::FallbackToHttp);
        Metrics::default().record(MetricEvent::FallbackToHttp);
        assert_eq!(
            *sink.0.lock().expect("lock"),
            vec!["FallbackToHttp".to_string()]
        );
        assert_eq!(metrics.clone(), metrics);
        assert_ne!(metrics, Metrics::default());
        assert_eq!(Metrics::default(), Metrics::default());
    }
}

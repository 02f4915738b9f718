//! `OtelMetrics`: the app-server's [`MetricsSink`], turning the model client's typed measurements (see
//! `codex_core::client::MetricEvent`) into OpenTelemetry counters and duration histograms.

use codex_core::client::MetricEvent;
use codex_core::client::MetricsSink;
use codex_core::client::TransportKind;
use opentelemetry::KeyValue;
use opentelemetry::metrics::Counter;
use opentelemetry::metrics::Histogram;
use opentelemetry::metrics::Meter;

/// The instruments, one per exported metric. Names follow upstream's: HTTP requests and SSE events apart from
/// their websocket counterparts.
#[derive(Debug)]
pub struct OtelMetrics {
    api_requests: Counter<u64>,
    api_request_duration: Histogram<f64>,
    websocket_requests: Counter<u64>,
    websocket_request_duration: Histogram<f64>,
    websocket_connects: Counter<u64>,
    websocket_connect_duration: Histogram<f64>,
    time_to_first_event: Histogram<f64>,
    sse_events: Counter<u64>,
    sse_event_duration: Histogram<f64>,
    websocket_events: Counter<u64>,
    websocket_event_duration: Histogram<f64>,
    fallbacks_to_http: Counter<u64>,
}

impl OtelMetrics {
    /// Creates the instruments on `meter`.
    pub fn new(meter: &Meter) -> Self {
        let counter = |name: &'static str| meter.u64_counter(name).build();
        let duration = |name: &'static str| meter.f64_histogram(name).with_unit("ms").build();
        OtelMetrics {
            api_requests: counter("codex.api_request"),
            api_request_duration: duration("codex.api_request.duration_ms"),
            websocket_requests: counter("codex.websocket.request"),
            websocket_request_duration: duration("codex.websocket.request.duration_ms"),
            websocket_connects: counter("codex.websocket.connect"),
            websocket_connect_duration: duration("codex.websocket.connect.duration_ms"),
            time_to_first_event: duration("codex.time_to_first_event.duration_ms"),
            sse_events: counter("codex.sse_event"),
            sse_event_duration: duration("codex.sse_event.duration_ms"),
            websocket_events: counter("codex.websocket.event"),
            websocket_event_duration: duration("codex.websocket.event.duration_ms"),
            fallbacks_to_http: counter("codex.transport.fallback_to_http"),
        }
    }
}

/// One count and, when given, one duration in milliseconds, with the same attributes.
fn record(
    counter: &Counter<u64>,
    histogram: Option<(&Histogram<f64>, f64)>,
    attributes: &[KeyValue],
) {
    counter.add(1, attributes);
    if let Some((histogram, duration_ms)) = histogram {
        histogram.record(duration_ms, attributes);
    }
}

/// Whole milliseconds, as these durations have always been exported.
fn whole_ms(duration: std::time::Duration) -> f64 {
    duration.as_millis() as f64
}

impl MetricsSink for OtelMetrics {
    fn record(&self, event: MetricEvent<'_>) {
        match event {
            MetricEvent::ApiRequest {
                transport,
                duration,
                success,
            } => {
                let (counter, histogram) = match transport {
                    TransportKind::Http => (&self.api_requests, &self.api_request_duration),
                    TransportKind::WebSocket => {
                        (&self.websocket_requests, &self.websocket_request_duration)
                    }
                };
                let attributes = [KeyValue::new("success", success)];
                record(counter, Some((histogram, whole_ms(duration))), &attributes);
            }
            MetricEvent::WebSocketConnect { duration, success } => record(
                &self.websocket_connects,
                Some((&self.websocket_connect_duration, whole_ms(duration))),
                &[KeyValue::new("success", success)],
            ),
            MetricEvent::TimeToFirstEvent {
                transport,
                duration,
            } => self.time_to_first_event.record(
                whole_ms(duration),
                &[KeyValue::new("transport", transport.as_str())],
            ),
            MetricEvent::StreamEvent {
                transport,
                kind,
                duration,
                success,
            } => {
                // Stream events are short: microseconds, exported as fractional milliseconds.
                let duration_ms = duration.as_micros() as f64 / 1000.0;
                let kind = KeyValue::new("kind", kind.to_string());
                match transport {
                    TransportKind::Http => record(
                        &self.sse_events,
                        Some((&self.sse_event_duration, duration_ms)),
                        &[kind],
                    ),
                    TransportKind::WebSocket => record(
                        &self.websocket_events,
                        Some((&self.websocket_event_duration, duration_ms)),
                        &[kind, KeyValue::new("success", success)],
                    ),
                }
            }
            MetricEvent::FallbackToHttp => record(
                &self.fallbacks_to_http,
                None,
                &[KeyValue::new("from_wire_api", "responses_websocket")],
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use std::sync::Arc;

    use codex_core::client::ClientTelemetry;
    use codex_core::client::Metrics;
    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry_sdk::metrics::InMemoryMetricExporter;
    use opentelemetry_sdk::metrics::PeriodicReader;
    use opentelemetry_sdk::metrics::SdkMeterProvider;
    use opentelemetry_sdk::metrics::data::AggregatedMetrics;
    use opentelemetry_sdk::metrics::data::MetricData;
    use pretty_assertions::assert_eq;

    use super::*;

    /// One exported series: metric name, attributes as `key=value`, then the counter value or the
    /// histogram's (count, sum).
    type Series = (String, Vec<String>, u64, f64);

    fn exported_series(exporter: &InMemoryMetricExporter) -> Vec<Series> {
        let mut series = Vec::new();
        for resource_metrics in exporter.get_finished_metrics().expect("metrics") {
            for scope in resource_metrics.scope_metrics() {
                for metric in scope.metrics() {
                    let name = metric.name().to_string();
                    let attributes = |attributes: &mut dyn Iterator<Item = &KeyValue>| {
                        attributes
                            .map(|kv| format!("{}={}", kv.key, kv.value))
                            .collect::<Vec<_>>()
                    };
                    match metric.data() {
                        AggregatedMetrics::U64(MetricData::Sum(sum)) => {
                            for point in sum.data_points() {
                                series.push((
                                    name.clone(),
                                    attributes(&mut point.attributes()),
                                    point.value(),
                                    0.0,
                                ));
                            }
                        }
                        AggregatedMetrics::F64(MetricData::Histogram(histogram)) => {
                            for point in histogram.data_points() {
                                series.push((
                                    name.clone(),
                                    attributes(&mut point.attributes()),
                                    point.count(),
                                    point.sum(),
                                ));
                            }
                        }
                        other => panic!("unexpected aggregation for {name}: {other:?}"),
                    }
                }
            }
        }
        series.sort_by(|left, right| left.0.cmp(&right.0).then(left.1.cmp(&right.1)));
        series
    }

    #[test]
    fn client_telemetry_events_become_counters_and_histograms() {
        let exporter = InMemoryMetricExporter::default();
        let provider = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(exporter.clone()).build())
            .build();
        // Telemetry without the sink records nothing here.
        ClientTelemetry::default().on_request(TransportKind::Http, Duration::from_millis(99), None);
        let telemetry = ClientTelemetry::new(Metrics::new(Arc::new(OtelMetrics::new(
            &provider.meter("test"),
        ))));
        telemetry.on_request(TransportKind::Http, Duration::from_millis(5), None);
        telemetry.on_request(TransportKind::Http, Duration::from_millis(7), Some("boom"));
        telemetry.on_request(TransportKind::WebSocket, Duration::from_millis(2), None);
        telemetry.on_websocket_handshake(Duration::from_millis(3), None);
        telemetry.on_first_event(TransportKind::Http, Duration::from_millis(11));
        telemetry.on_event(
            TransportKind::Http,
            "response.created",
            Duration::from_micros(500),
            true,
        );
        telemetry.on_event(
            TransportKind::WebSocket,
            "response.completed",
            Duration::from_micros(1500),
            false,
        );
        telemetry.on_fallback_to_http("handshake failed");
        provider.force_flush().expect("flush");
        let strings = |values: &[&str]| values.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(
            exported_series(&exporter),
            vec![
                (
                    "codex.api_request".to_string(),
                    strings(&["success=false"]),
                    1,
                    0.0
                ),
                (
                    "codex.api_request".to_string(),
                    strings(&["success=true"]),
                    1,
                    0.0
                ),
                (
                    "codex.api_request.duration_ms".to_string(),
                    strings(&["success=false"]),
                    1,
                    7.0
                ),
                (
                    "codex.api_request.duration_ms".to_string(),
                    strings(&["success=true"]),
                    1,
                    5.0
                ),
                (
                    "codex.sse_event".to_string(),
                    strings(&["kind=response.created"]),
                    1,
                    0.0
                ),
                (
                    "codex.sse_event.duration_ms".to_string(),
                    strings(&["kind=response.created"]),
                    1,
                    0.5
                ),
                (
                    "codex.time_to_first_event.duration_ms".to_string(),
                    strings(&["transport=http"]),
                    1,
                    11.0
                ),
                (
                    "codex.transport.fallback_to_http".to_string(),
                    strings(&["from_wire_api=responses_websocket"]),
                    1,
                    0.0
                ),
                (
                    "codex.websocket.connect".to_string(),
                    strings(&["success=true"]),
                    1,
                    0.0
                ),
                (
                    "codex.websocket.connect.duration_ms".to_string(),
                    strings(&["success=true"]),
                    1,
                    3.0
                ),
                (
                    "codex.websocket.event".to_string(),
                    strings(&["kind=response.completed", "success=false"]),
                    1,
                    0.0
                ),
                (
                    "codex.websocket.event.duration_ms".to_string(),
                    strings(&["kind=response.completed", "success=false"]),
                    1,
                    1.5
                ),
                (
                    "codex.websocket.request".to_string(),
                    strings(&["success=true"]),
                    1,
                    0.0
                ),
                (
                    "codex.websocket.request.duration_ms".to_string(),
                    strings(&["success=true"]),
                    1,
                    2.0
                ),
            ]
        );
    }
}

//! `OtelMetricsLayer`: a `tracing` layer that turns the model client's `codex_otel` events (see
//! `codex_core::client::telemetry`) into OpenTelemetry counters and duration histograms.

use std::sync::Arc;
use std::sync::OnceLock;

use opentelemetry::KeyValue;
use opentelemetry::metrics::Counter;
use opentelemetry::metrics::Histogram;
use opentelemetry::metrics::Meter;
use tracing::Event;
use tracing::Subscriber;
use tracing::field::Field;
use tracing::field::Visit;
use tracing_subscriber::layer::Context;
use tracing_subscriber::layer::Layer;

/// The `tracing` target the model client's measurements are logged on.
pub const OTEL_TARGET: &str = "codex_otel";

/// Records `codex_otel` events once [`OtelMetricsLayer::install`] has given it a meter; a no-op before.
#[derive(Debug, Clone, Default)]
pub struct OtelMetricsLayer {
    instruments: Arc<OnceLock<MetricInstruments>>,
}

impl OtelMetricsLayer {
    /// Creates the instruments on `meter`; later calls keep the first meter.
    pub fn install(&self, meter: &Meter) {
        let counter = |name: &'static str| meter.u64_counter(name).build();
        let duration = |name: &'static str| meter.f64_histogram(name).with_unit("ms").build();
        let _ = self.instruments.set(MetricInstruments {
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
        });
    }
}

/// Names follow upstream's: HTTP requests and SSE events apart from their websocket counterparts.
#[derive(Debug)]
struct MetricInstruments {
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

/// The fields of one `codex_otel` event; `error` is deliberately not read since it is free text that
/// would explode attribute cardinality.
#[derive(Debug, Default)]
struct TelemetryFields {
    metric: Option<String>,
    transport: Option<String>,
    kind: Option<String>,
    from_wire_api: Option<String>,
    success: Option<bool>,
    duration_ms: Option<f64>,
}

impl Visit for TelemetryFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        let slot = match field.name() {
            "metric" => &mut self.metric,
            "transport" => &mut self.transport,
            "kind" => &mut self.kind,
            "from_wire_api" => &mut self.from_wire_api,
            _ => return,
        };
        *slot = Some(value.to_string());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "duration_ms" => self.duration_ms = Some(value as f64),
            "duration_us" => self.duration_ms = Some(value as f64 / 1000.0),
            _ => {}
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if field.name() == "success" {
            self.success = Some(value);
        }
    }

    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl<S: Subscriber> Layer<S> for OtelMetricsLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let Some(instruments) = self.instruments.get() else {
            return;
        };
        if event.metadata().target() != OTEL_TARGET {
            return;
        }
        let mut fields = TelemetryFields::default();
        event.record(&mut fields);
        let Some(metric) = fields.metric.as_deref() else {
            return;
        };
        let websocket = fields.transport.as_deref() == Some("websocket");
        let success = || KeyValue::new("success", fields.success.unwrap_or(true));
        let record = |counter: Option<&Counter<u64>>,
                      histogram: Option<&Histogram<f64>>,
                      attributes: &[KeyValue]| {
            if let Some(counter) = counter {
                counter.add(1, attributes);
            }
            if let (Some(histogram), Some(duration_ms)) = (histogram, fields.duration_ms) {
                histogram.record(duration_ms, attributes);
            }
        };
        match metric {
            "codex.api_request" if websocket => record(
                Some(&instruments.websocket_requests),
                Some(&instruments.websocket_request_duration),
                &[success()],
            ),
            "codex.api_request" => record(
                Some(&instruments.api_requests),
                Some(&instruments.api_request_duration),
                &[success()],
            ),
            "codex.websocket_connect" => record(
                Some(&instruments.websocket_connects),
                Some(&instruments.websocket_connect_duration),
                &[success()],
            ),
            "codex.time_to_first_event" => record(
                None,
                Some(&instruments.time_to_first_event),
                &[KeyValue::new(
                    "transport",
                    fields.transport.clone().unwrap_or_default(),
                )],
            ),
            "codex.stream_event" => {
                let kind = [KeyValue::new(
                    "kind",
                    fields.kind.clone().unwrap_or_default(),
                )];
                if websocket {
                    record(
                        Some(&instruments.websocket_events),
                        Some(&instruments.websocket_event_duration),
                        &[kind[0].clone(), success()],
                    );
                } else {
                    record(
                        Some(&instruments.sse_events),
                        Some(&instruments.sse_event_duration),
                        &kind,
                    );
                }
            }
            "codex.transport.fallback_to_http" => record(
                Some(&instruments.fallbacks_to_http),
                None,
                &[KeyValue::new(
                    "from_wire_api",
                    fields.from_wire_api.clone().unwrap_or_default(),
                )],
            ),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use codex_core::client::ClientTelemetry;
    use codex_core::client::TransportKind;
    use opentelemetry::metrics::MeterProvider as _;
    use opentelemetry_sdk::metrics::InMemoryMetricExporter;
    use opentelemetry_sdk::metrics::PeriodicReader;
    use opentelemetry_sdk::metrics::SdkMeterProvider;
    use opentelemetry_sdk::metrics::data::AggregatedMetrics;
    use opentelemetry_sdk::metrics::data::MetricData;
    use pretty_assertions::assert_eq;
    use tracing_subscriber::layer::SubscriberExt;

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
        let layer = OtelMetricsLayer::default();
        let subscriber = tracing_subscriber::registry().with(layer.clone());
        let telemetry = ClientTelemetry::default();
        tracing::subscriber::with_default(subscriber, || {
            // Before install nothing is recorded and nothing breaks.
            telemetry.on_request(TransportKind::Http, Duration::from_millis(99), None);
            layer.install(&provider.meter("test"));
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
        });
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

//! OTLP metrics export: when the effective `[otel]` metrics exporter is `otlp-http`, a meter provider pushes
//! the model client's measurements (recorded by [`metrics_sink::OtelMetrics`], the sink the engine is given)
//! to the configured endpoint periodically and once more at shutdown.

pub mod metrics_sink;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use codex_core::client::Metrics;

use codex_core::config::OtelConfig;
use codex_core::config::OtelExporter;
use codex_core::config::OtelHttpProtocol;
use opentelemetry::KeyValue;
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_otlp::MetricExporter;
use opentelemetry_otlp::Protocol;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_otlp::WithHttpConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::metrics::PeriodicReader;
use opentelemetry_sdk::metrics::SdkMeterProvider;

use crate::otel::metrics_sink::OtelMetrics;

/// `service.name` of every exported resource.
const SERVICE_NAME: &str = "codex-app-server";

/// Why metrics export could not start; the daemon keeps running without it.
#[derive(Debug, thiserror::Error)]
pub enum OtelExportError {
    #[error("otlp-grpc is not supported; use otlp-http")]
    GrpcUnsupported,
    #[error("cannot build the OTLP metrics exporter: {0}")]
    Build(#[from] opentelemetry_otlp::ExporterBuildError),
}

/// The running metrics pipeline; [`OtelMetricsExport::shutdown`] pushes what is still buffered.
#[derive(Debug)]
pub struct OtelMetricsExport {
    provider: SdkMeterProvider,
    metrics: Metrics,
}

impl OtelMetricsExport {
    /// Starts exporting when `config` names an `otlp-http` metrics exporter; `Ok(None)` when metrics are
    /// not exported. Builds a blocking HTTP client, so call it outside the async runtime.
    pub fn start(config: &OtelConfig) -> Result<Option<OtelMetricsExport>, OtelExportError> {
        let (endpoint, headers, protocol) = match config.effective_metrics_exporter() {
            OtelExporter::None => return Ok(None),
            OtelExporter::OtlpGrpc { .. } => return Err(OtelExportError::GrpcUnsupported),
            OtelExporter::OtlpHttp {
                endpoint,
                headers,
                protocol,
            } => (endpoint, headers, protocol),
        };
        let protocol = match protocol {
            OtelHttpProtocol::Binary => Protocol::HttpBinary,
            OtelHttpProtocol::Json => Protocol::HttpJson,
        };
        let exporter = MetricExporter::builder()
            .with_http()
            .with_endpoint(endpoint.clone())
            .with_protocol(protocol)
            .with_headers(
                headers
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect::<HashMap<_, _>>(),
            )
            .build()?;
        let reader = PeriodicReader::builder(exporter)
            .with_interval(Duration::from_millis(
                config.metrics_export_interval_ms.max(1),
            ))
            .build();
        let resource = Resource::builder()
            .with_service_name(SERVICE_NAME)
            .with_attributes([
                KeyValue::new("service.version", env!("CARGO_PKG_VERSION")),
                KeyValue::new("deployment.environment", config.environment.clone()),
            ])
            .build();
        let provider = SdkMeterProvider::builder()
            .with_reader(reader)
            .with_resource(resource)
            .build();
        let metrics = Metrics::new(Arc::new(OtelMetrics::new(&provider.meter(SERVICE_NAME))));
        Ok(Some(OtelMetricsExport { provider, metrics }))
    }

    /// The sink to give the engine (`ServerState::metrics`): what it records is exported.
    pub fn metrics(&self) -> Metrics {
        self.metrics.clone()
    }

    /// Exports what was recorded since the last push and stops the exporter; blocks, so call it after
    /// the async runtime has returned.
    pub fn shutdown(self) {
        if let Err(error) = self.provider.shutdown() {
            tracing::warn!("flushing OTLP metrics failed: {error}");
        }
    }
}

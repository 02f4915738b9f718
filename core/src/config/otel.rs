//! `[otel]`: where telemetry is exported, kept typed so a bad exporter entry is a clear config error.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::Serialize;

/// An exporter: `"none"`, `{ otlp-http = { endpoint, headers, protocol } }` or
/// `{ otlp-grpc = { endpoint, headers } }`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OtelExporter {
    #[default]
    None,
    OtlpHttp {
        endpoint: String,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        protocol: OtelHttpProtocol,
    },
    OtlpGrpc {
        endpoint: String,
        #[serde(default)]
        headers: BTreeMap<String, String>,
    },
}

/// Body encoding of the OTLP/HTTP exporter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OtelHttpProtocol {
    #[default]
    Binary,
    Json,
}

/// The `[otel]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OtelConfig {
    pub exporter: OtelExporter,
    pub trace_exporter: Option<OtelExporter>,
    pub metrics_exporter: Option<OtelExporter>,
    pub environment: String,
    /// Whether user prompts may appear in exported logs; off because prompts can hold secrets.
    pub log_user_prompt: bool,
    /// How often metrics are pushed to the exporter; whatever is left is also flushed at shutdown.
    pub metrics_export_interval_ms: u64,
}

impl OtelConfig {
    /// The exporter metrics go to: `metrics_exporter` when set, else `exporter`.
    pub fn effective_metrics_exporter(&self) -> &OtelExporter {
        self.metrics_exporter.as_ref().unwrap_or(&self.exporter)
    }
}

impl Default for OtelConfig {
    fn default() -> Self {
        OtelConfig {
            exporter: OtelExporter::None,
            trace_exporter: None,
            metrics_exporter: None,
            environment: "dev".to_string(),
            log_user_prompt: false,
            metrics_export_interval_ms: 60_000,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn exporters_parse_in_upstream_shapes() {
        let otel: OtelConfig = toml::from_str(
            r#"
environment = "prod"
exporter = { otlp-http = { endpoint = "https://otel/v1/logs", headers = { "x-k" = "v" }, protocol = "json" } }
trace_exporter = "none"
"#,
        )
        .expect("otel");
        assert_eq!(
            otel,
            OtelConfig {
                exporter: OtelExporter::OtlpHttp {
                    endpoint: "https://otel/v1/logs".to_string(),
                    headers: BTreeMap::from([("x-k".to_string(), "v".to_string())]),
                    protocol: OtelHttpProtocol::Json,
                },
                trace_exporter: Some(OtelExporter::None),
                metrics_exporter: None,
                environment: "prod".to_string(),
                log_user_prompt: false,
                metrics_export_interval_ms: 60_000,
            }
        );
    }

    #[test]
    fn metrics_exporter_falls_back_to_exporter() {
        let http = OtelExporter::OtlpHttp {
            endpoint: "http://collector/v1/metrics".to_string(),
            headers: BTreeMap::new(),
            protocol: OtelHttpProtocol::Json,
        };
        let inherited = OtelConfig {
            exporter: http.clone(),
            ..OtelConfig::default()
        };
        assert_eq!(inherited.effective_metrics_exporter(), &http);
        let overridden = OtelConfig {
            exporter: http,
            metrics_exporter: Some(OtelExporter::None),
            ..OtelConfig::default()
        };
        assert_eq!(overridden.effective_metrics_exporter(), &OtelExporter::None);
    }
}

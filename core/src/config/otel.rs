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
}

impl Default for OtelConfig {
    fn default() -> Self {
        OtelConfig {
            exporter: OtelExporter::None,
            trace_exporter: None,
            metrics_exporter: None,
            environment: "dev".to_string(),
            log_user_prompt: false,
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
            }
        );
    }
}

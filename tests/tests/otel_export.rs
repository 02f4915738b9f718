//! OTLP metrics export through the real binary: a mock collector receives the model client's request
//! counter and duration histogram when `[otel]` names an `otlp-http` exporter, and nothing otherwise.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use anyhow::Context;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;
use std::time::Duration;

/// A data point's or resource's attributes as (key, value) in export order.
type Attributes = Vec<(String, Value)>;

/// How the daemon is told to exit; both paths must flush the metrics.
enum Stop {
    StdinEof,
    Sigterm,
}

/// Runs one answered turn, stops the daemon and waits for it to exit.
async fn run_one_turn_and_exit(
    args: Vec<String>,
    env: Vec<(String, String)>,
    stop: Stop,
) -> anyhow::Result<()> {
    run_one_turn_over_and_exit(args, env, stop, &MockProviderOptions::default()).await
}

/// [`run_one_turn_and_exit`] with the mock provider configured by `provider` (e.g. with WebSockets).
async fn run_one_turn_over_and_exit(
    args: Vec<String>,
    env: Vec<(String, String)>,
    stop: Stop,
    provider: &MockProviderOptions,
) -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::output_item_added_message("msg_1", Some("final_answer")),
        sse::output_text_delta("Hello"),
        sse::output_item_done_message("msg_1", "Hello", Some("final_answer")),
        sse::completed("resp_1"),
    ]));
    let mut all_args = mock_provider_args(&model.uri(), provider);
    all_args.extend(args);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: all_args,
        env,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"].clone();
    server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "Say hello.", "text_elements": []}],
            }),
        )
        .await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], json!("completed"));
    match stop {
        Stop::StdinEof => server.close_stdin(),
        Stop::Sigterm => {
            let pid = server.pid().context("server pid")?;
            let sent = tokio::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status()
                .await?;
            assert!(sent.success());
        }
    }
    let status = server.wait_exit(Duration::from_secs(10)).await?;
    assert!(status.success(), "daemon exited with {status}");
    Ok(())
}

/// OTLP/JSON encodes 64-bit integers as strings or numbers depending on the field.
fn as_u64(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|text| text.parse().ok()))
}

fn string_attributes(attributes: &Value) -> Attributes {
    attributes
        .as_array()
        .into_iter()
        .flatten()
        .map(|attribute| {
            let value = &attribute["value"];
            let value = value
                .get("stringValue")
                .or_else(|| value.get("boolValue"))
                .cloned()
                .unwrap_or(Value::Null);
            (
                attribute["key"].as_str().unwrap_or_default().to_string(),
                value,
            )
        })
        .collect()
}

/// Every metric in every exported body, as (resource attributes, metric).
fn exported_metrics(bodies: &[Value]) -> Vec<(Attributes, Value)> {
    let mut metrics = Vec::new();
    for body in bodies {
        for resource_metrics in body["resourceMetrics"].as_array().into_iter().flatten() {
            let resource = string_attributes(&resource_metrics["resource"]["attributes"]);
            for scope_metrics in resource_metrics["scopeMetrics"]
                .as_array()
                .into_iter()
                .flatten()
            {
                for metric in scope_metrics["metrics"].as_array().into_iter().flatten() {
                    metrics.push((resource.clone(), metric.clone()));
                }
            }
        }
    }
    metrics
}

#[tokio::test]
async fn otlp_http_json_exports_the_request_counter_and_duration_histogram() -> anyhow::Result<()> {
    assert_json_export_after(Stop::StdinEof).await
}

#[tokio::test]
async fn sigterm_also_flushes_the_metrics() -> anyhow::Result<()> {
    assert_json_export_after(Stop::Sigterm).await
}

async fn assert_json_export_after(stop: Stop) -> anyhow::Result<()> {
    let collector = MockModelServer::start().await;
    collector.mount_json("POST", "/v1/metrics", 200, json!({}));
    let endpoint = format!("{}/v1/metrics", collector.uri());
    run_one_turn_and_exit(
        vec![
            "-c".to_string(),
            format!(
                "otel.exporter={{otlp-http={{endpoint=\"{endpoint}\",protocol=\"json\",headers={{\"x-otel-key\"=\"k1\"}}}}}}"
            ),
            "-c".to_string(),
            "otel.environment=\"e2e\"".to_string(),
        ],
        Vec::new(),
        stop,
    )
    .await?;

    let requests = collector.requests().await;
    assert!(!requests.is_empty(), "the collector received nothing");
    for request in &requests {
        assert_eq!(
            (
                request.method.as_str(),
                request.path.as_str(),
                request.header("x-otel-key")
            ),
            ("POST", "/v1/metrics", Some("k1"))
        );
    }
    let bodies: Vec<Value> = requests
        .iter()
        .map(|request| request.body_json.clone().expect("a JSON body"))
        .collect();
    let metrics = exported_metrics(&bodies);

    let (resource, counter) = metrics
        .iter()
        .find(|(_, metric)| metric["name"] == "codex.api_request")
        .expect("codex.api_request exported");
    let mut resource: Attributes = resource
        .iter()
        .filter(|(key, _)| {
            ["service.name", "service.version", "deployment.environment"].contains(&key.as_str())
        })
        .cloned()
        .collect();
    resource.sort_by(|left, right| left.0.cmp(&right.0));
    assert_eq!(
        resource,
        vec![
            ("deployment.environment".to_string(), json!("e2e")),
            ("service.name".to_string(), json!("codex-app-server")),
            (
                "service.version".to_string(),
                json!(env!("CARGO_PKG_VERSION"))
            ),
        ]
    );
    let counter_points: Vec<(Attributes, Option<u64>)> = counter["sum"]["dataPoints"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|point| {
            (
                string_attributes(&point["attributes"]),
                as_u64(&point["asInt"]),
            )
        })
        .collect();
    assert_eq!(
        counter_points,
        vec![(vec![("success".to_string(), json!(true))], Some(1))]
    );

    let (_, histogram) = metrics
        .iter()
        .find(|(_, metric)| metric["name"] == "codex.api_request.duration_ms")
        .expect("codex.api_request.duration_ms exported");
    let histogram_points: Vec<(Attributes, Option<u64>, bool)> =
        histogram["histogram"]["dataPoints"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|point| {
                (
                    string_attributes(&point["attributes"]),
                    as_u64(&point["count"]),
                    point["sum"].as_f64().is_some_and(|sum| sum >= 0.0),
                )
            })
            .collect();
    assert_eq!(
        (histogram["unit"].clone(), histogram_points),
        (
            json!("ms"),
            vec![(vec![("success".to_string(), json!(true))], Some(1), true)]
        )
    );

    let sse_events: u64 = metrics
        .iter()
        .filter(|(_, metric)| metric["name"] == "codex.sse_event")
        .flat_map(|(_, metric)| {
            metric["sum"]["dataPoints"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|point| as_u64(&point["asInt"]))
        .sum();
    assert_eq!(sse_events, 5);
    Ok(())
}

/// Over a WebSocket, `codex.websocket.event` counts each frame under its `type` with `success`.
#[tokio::test]
async fn a_websocket_turn_exports_its_frames_by_type() -> anyhow::Result<()> {
    let collector = MockModelServer::start().await;
    collector.mount_json("POST", "/v1/metrics", 200, json!({}));
    let endpoint = format!("{}/v1/metrics", collector.uri());
    run_one_turn_over_and_exit(
        vec![
            "--enable".to_string(),
            "responses_websockets".to_string(),
            "-c".to_string(),
            format!("otel.exporter={{otlp-http={{endpoint=\"{endpoint}\",protocol=\"json\"}}}}"),
        ],
        Vec::new(),
        Stop::StdinEof,
        &MockProviderOptions {
            supports_websockets: true,
            ..MockProviderOptions::default()
        },
    )
    .await?;
    let bodies: Vec<Value> = collector
        .requests()
        .await
        .iter()
        .filter_map(|request| request.body_json.clone())
        .collect();
    let mut frames: Vec<(Attributes, Option<u64>)> = exported_metrics(&bodies)
        .iter()
        .filter(|(_, metric)| metric["name"] == "codex.websocket.event")
        .flat_map(|(_, metric)| {
            metric["sum"]["dataPoints"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .map(|point| {
            let mut attributes = string_attributes(&point["attributes"]);
            attributes.sort_by(|left, right| left.0.cmp(&right.0));
            (attributes, as_u64(&point["asInt"]))
        })
        .collect();
    frames.sort_by_key(|(attributes, _)| format!("{attributes:?}"));
    let frame = |kind: &str| {
        (
            vec![
                ("kind".to_string(), json!(kind)),
                ("success".to_string(), json!(true)),
            ],
            Some(1),
        )
    };
    assert_eq!(
        frames,
        vec![
            frame("response.completed"),
            frame("response.created"),
            frame("response.output_item.added"),
            frame("response.output_item.done"),
            frame("response.output_text.delta"),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn without_otel_config_nothing_is_exported() -> anyhow::Result<()> {
    let collector = MockModelServer::start().await;
    collector.mount_json("POST", "/v1/metrics", 200, json!({}));
    // The SDK would pick this up if the daemon built an exporter without being configured to.
    run_one_turn_and_exit(
        Vec::new(),
        vec![(
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT".to_string(),
            format!("{}/v1/metrics", collector.uri()),
        )],
        Stop::StdinEof,
    )
    .await?;
    assert_eq!(collector.requests().await.len(), 0);
    Ok(())
}

#[tokio::test]
async fn otlp_http_defaults_to_binary_protobuf() -> anyhow::Result<()> {
    let collector = MockModelServer::start().await;
    collector.mount_json("POST", "/v1/metrics", 200, json!({}));
    let endpoint = format!("{}/v1/metrics", collector.uri());
    run_one_turn_and_exit(
        vec![
            "-c".to_string(),
            format!("otel.metrics_exporter={{otlp-http={{endpoint=\"{endpoint}\"}}}}"),
        ],
        Vec::new(),
        Stop::StdinEof,
    )
    .await?;
    let requests: Vec<(String, String, Option<String>)> = collector
        .requests()
        .await
        .iter()
        .map(|request| {
            (
                request.method.clone(),
                request.path.clone(),
                request.header("content-type").map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        requests,
        vec![(
            "POST".to_string(),
            "/v1/metrics".to_string(),
            Some("application/x-protobuf".to_string())
        )]
    );
    Ok(())
}

#[tokio::test]
async fn otlp_grpc_is_a_config_warning() -> anyhow::Result<()> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: vec![
            "-c".to_string(),
            "otel.exporter={otlp-grpc={endpoint=\"http://127.0.0.1:9/\"}}".to_string(),
        ],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let warning = server.read_notification("configWarning").await?;
    assert_eq!(
        warning,
        json!({"method": "configWarning", "params": {
            "summary": "[otel] metrics are not exported: otlp-grpc is not supported; use otlp-http",
            "details": null,
        }})
    );
    Ok(())
}

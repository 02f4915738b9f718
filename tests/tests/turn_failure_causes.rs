//! A failed turn says why, through the real binary: without credentials it fails at once with how to sign
//! in and sends nothing; a connection the OS refused names that cause and the host:port, in the turn's
//! error and in the logs. (A 401 keeping the server's explanation is in `turn_faults.rs`.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::expected_turn_completed;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const NOT_SIGNED_IN: &str =
    "Not signed in: set OPENAI_API_KEY or sign in with account/login/start (API key or ChatGPT)";

/// Starts a thread and a turn on it; returns the thread id, the turn id and the turn's `turn/completed`.
async fn run_turn(server: &mut AppServer) -> anyhow::Result<(Value, Value, Value)> {
    let id = server.send_request("thread/start", json!({})).await?;
    let thread_id = server.read_response(id).await?["result"]["thread"]["id"].clone();
    let id = server
        .send_request(
            "turn/start",
            json!({
                "threadId": thread_id,
                "input": [{"type": "text", "text": "Hi", "text_elements": []}],
            }),
        )
        .await?;
    let turn_id = server.read_response(id).await?["result"]["turn"]["id"].clone();
    let completed = server.read_notification("turn/completed").await?;
    Ok((thread_id, turn_id, completed))
}

/// `turn/completed` of a failed turn with `error`, taking the times from `completed`.
fn failed_turn(thread_id: &Value, turn_id: &Value, error: Value, completed: &Value) -> Value {
    expected_turn_completed(completed, thread_id, turn_id, "failed", error, Vec::new())
}

/// The `error` notifications buffered while waiting for `turn/completed`, as `(message, willRetry)`.
fn error_notices(server: &mut AppServer) -> Vec<(Value, Value)> {
    server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == "error")
        .map(|message| {
            let params = &message["params"];
            (
                params["error"]["message"].clone(),
                params["willRetry"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn without_credentials_a_turn_fails_at_once_with_how_to_sign_in() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    // The built-in OpenAI provider (it requires an OpenAI account), pointed at the mock so that any request
    // it sent would be seen.
    let mut server = AppServer::spawn_with(AppServerOptions {
        env: vec![("OPENAI_BASE_URL".to_string(), format!("{}/v1", model.uri()))],
        env_remove: vec!["OPENAI_API_KEY".to_string()],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;

    let (thread_id, turn_id, completed) = run_turn(&mut server).await?;

    let error = json!({"message": NOT_SIGNED_IN, "codexErrorInfo": "unauthorized", "additionalDetails": null});
    assert_eq!(
        completed,
        failed_turn(&thread_id, &turn_id, error, &completed)
    );
    assert_eq!(
        error_notices(&mut server),
        vec![(json!(NOT_SIGNED_IN), json!(false))]
    );
    let duration_ms = completed["params"]["turn"]["durationMs"].as_i64();
    assert!(duration_ms.is_some_and(|ms| ms < 1_000), "{completed}");
    assert_eq!(model.requests().await, Vec::new());

    // The advice works: after signing in with an API key, the next turn goes through.
    let id = server
        .send_request(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": "sk-test-after-advice"}),
        )
        .await?;
    server.read_response(id).await?;
    model.push_response(MockResponse::assistant_message(&["Hello"], None));
    let (_, _, completed) = run_turn(&mut server).await?;
    assert_eq!(completed["params"]["turn"]["status"], json!("completed"));
    let requests = model.responses_requests().await;
    assert_eq!(
        requests
            .iter()
            .map(|request| request.header("authorization"))
            .collect::<Vec<_>>(),
        vec![Some("Bearer sk-test-after-advice")]
    );
    Ok(())
}

#[tokio::test]
async fn a_refused_connection_names_the_cause_and_the_host_and_port() -> anyhow::Result<()> {
    // A port nothing listens on any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let options = MockProviderOptions {
        request_max_retries: 0,
        stream_max_retries: 0,
        ..MockProviderOptions::default()
    };
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&format!("http://127.0.0.1:{port}"), &options),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;

    let (thread_id, turn_id, completed) = run_turn(&mut server).await?;

    let message = completed["params"]["turn"]["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let target = format!("127.0.0.1:{port}");
    assert!(
        message.starts_with(&format!(
            "connection failed: error sending request for {target}: "
        )) && message.to_lowercase().contains("connection refused"),
        "{message}"
    );
    let error = json!({
        "message": message,
        "codexErrorInfo": {"httpConnectionFailed": {"httpStatusCode": null}},
        "additionalDetails": null,
    });
    assert_eq!(
        completed,
        failed_turn(&thread_id, &turn_id, error, &completed)
    );

    // The log says the same; stderr is complete once the server exited.
    server.close_stdin();
    server.wait_exit(Duration::from_secs(10)).await?;
    let logged = server.stderr();
    assert!(
        logged
            .lines()
            .any(|line| line.contains("failed: connection failed") && line.contains(&message)),
        "{logged}"
    );
    Ok(())
}

//! Model-side faults through the real binary: a retried 429, a stream cut until retries run out, a 500 and
//! a 401. Each failure ends the turn as `failed` with a readable error, and the thread keeps working.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

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

/// A server on `model` with a started thread; returns the server and the thread id.
async fn thread_on(
    model: &MockModelServer,
    options: &MockProviderOptions,
) -> anyhow::Result<(AppServer, String)> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), options),
        // Error messages that name a reset time show it in local time.
        env: vec![("TZ".to_string(), "UTC".to_string())],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    Ok((server, thread_id))
}

/// Runs a turn; returns its `turn/completed` and the `error` notifications sent before it.
async fn run_turn(server: &mut AppServer, thread_id: &str) -> anyhow::Result<(Value, Vec<Value>)> {
    server.take_buffered();
    server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "Hi", "text_elements": []}]}),
        )
        .await?;
    let completed = server.read_notification("turn/completed").await?;
    let errors = server
        .take_buffered()
        .into_iter()
        .filter(|message| message["method"] == "error")
        .collect();
    Ok((completed, errors))
}

fn no_retries() -> MockProviderOptions {
    MockProviderOptions {
        request_max_retries: 0,
        stream_max_retries: 0,
        ..MockProviderOptions::default()
    }
}

#[tokio::test]
async fn a_429_with_retry_after_zero_is_retried_and_the_turn_completes() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(
        MockResponse::error(
            429,
            json!({"error": {"type": "rate_limit_exceeded", "message": "slow down"}}),
        )
        .with_header("retry-after", "0"),
    );
    model.push_response(MockResponse::assistant_message(&["Done."], None));
    let (mut server, thread_id) = thread_on(&model, &MockProviderOptions::default()).await?;

    let (completed, errors) = run_turn(&mut server, &thread_id).await?;

    assert_eq!(completed["params"]["turn"]["status"], "completed");
    assert_eq!(completed["params"]["turn"]["error"], Value::Null);
    assert_eq!(errors, Vec::<Value>::new());
    assert_eq!(model.responses_requests().await.len(), 2);
    Ok(())
}

#[tokio::test]
async fn a_stream_cut_past_its_retries_fails_the_turn_and_the_thread_recovers() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    // One try plus one stream retry, both cut after the first delta.
    for _ in 0..2 {
        model.push_response(MockResponse::assistant_message(&["a", "b", "c"], None).cut_after(3));
    }
    model.push_response(MockResponse::assistant_message(&["Recovered."], None));
    let (mut server, thread_id) = thread_on(
        &model,
        &MockProviderOptions {
            request_max_retries: 0,
            stream_max_retries: 1,
            ..MockProviderOptions::default()
        },
    )
    .await?;

    let (completed, errors) = run_turn(&mut server, &thread_id).await?;

    let turn = &completed["params"]["turn"];
    let turn_id = turn["id"].clone();
    let cut = "error reading SSE stream: error decoding response body: error reading a body from \
               connection: unexpected EOF during chunk size line";
    let disconnected = json!({"responseStreamDisconnected": {"httpStatusCode": null}});
    let turn_error =
        json!({"message": cut, "codexErrorInfo": disconnected, "additionalDetails": null});
    let retry_error = json!({
        "message": "Reconnecting... 1/1",
        "codexErrorInfo": disconnected,
        "additionalDetails": cut,
    });
    assert_eq!(
        errors,
        vec![
            json!({
                "method": "error",
                "params": {"error": retry_error, "willRetry": true, "threadId": thread_id, "turnId": turn_id},
            }),
            json!({
                "method": "error",
                "params": {"error": turn_error, "willRetry": false, "threadId": thread_id, "turnId": turn_id},
            }),
        ]
    );
    assert_eq!(turn["error"], turn_error);
    assert_eq!(turn["status"], "failed");
    assert_eq!(model.responses_requests().await.len(), 2);

    let (completed, errors) = run_turn(&mut server, &thread_id).await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    assert_eq!(errors, Vec::<Value>::new());
    Ok(())
}

#[tokio::test]
async fn a_500_fails_the_turn_with_a_message_naming_the_status() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::error(
        500,
        json!({"error": {"type": "server_error", "message": "the model broke"}}),
    ));
    let (mut server, thread_id) = thread_on(&model, &no_retries()).await?;

    let (completed, errors) = run_turn(&mut server, &thread_id).await?;

    let turn = &completed["params"]["turn"];
    assert_eq!(turn["status"], "failed");
    assert_eq!(
        errors,
        vec![json!({
            "method": "error",
            "params": {
                "error": turn["error"],
                "willRetry": false,
                "threadId": thread_id,
                "turnId": turn["id"],
            },
        })]
    );
    assert_eq!(
        turn["error"],
        json!({
            "message": "exceeded retry limit, last status: 500 Internal Server Error; the model broke",
            "codexErrorInfo": {"responseTooManyFailedAttempts": {"httpStatusCode": 500}},
            "additionalDetails": null,
        })
    );
    Ok(())
}

#[tokio::test]
async fn a_401_fails_the_turn_as_unauthorized_with_the_servers_explanation() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let explanation = "Incorrect API key provided: sk-te***ey. You can find your API key at https://platform.openai.com/account/api-keys.";
    model.push_response(MockResponse::error(
        401,
        json!({"error": {"type": "invalid_request_error", "code": "invalid_api_key", "message": explanation}}),
    ));
    let (mut server, thread_id) = thread_on(&model, &no_retries()).await?;

    let (completed, errors) = run_turn(&mut server, &thread_id).await?;

    let turn = &completed["params"]["turn"];
    assert_eq!(turn["status"], "failed");
    assert_eq!(
        errors,
        vec![json!({
            "method": "error",
            "params": {
                "error": turn["error"],
                "willRetry": false,
                "threadId": thread_id,
                "turnId": turn["id"],
            },
        })]
    );
    assert_eq!(
        turn["error"],
        json!({
            "message": format!("unauthorized: {explanation}"),
            "codexErrorInfo": "unauthorized",
            "additionalDetails": null,
        })
    );
    Ok(())
}

fn context_length_exceeded() -> MockResponse {
    MockResponse::sse(vec![
        sse::response_created("resp_1"),
        sse::failed(
            "context_length_exceeded",
            "Your input exceeds the context window of this model.",
        ),
    ])
}

#[tokio::test]
async fn each_kind_of_model_failure_fails_the_turn_with_its_own_error() -> anyhow::Result<()> {
    let cases = [
        // An exceeded window compacts once (the summary request) and retries; exceeded again, the turn fails.
        (
            vec![
                context_length_exceeded(),
                MockResponse::assistant_message(&["summary"], None),
                context_length_exceeded(),
            ],
            json!({
                "message": "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying.",
                "codexErrorInfo": "contextWindowExceeded",
                "additionalDetails": null,
            }),
        ),
        (
            vec![MockResponse::error(
                429,
                json!({"error": {"type": "usage_limit_reached", "message": "limit", "plan_type": "plus", "resets_at": 1739000000}}),
            )],
            json!({
                "message": "You've hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again at Feb 8th, 2025 7:33 AM.",
                "codexErrorInfo": "usageLimitExceeded",
                "additionalDetails": null,
            }),
        ),
        (
            vec![MockResponse::error(
                400,
                json!({"error": {"type": "invalid_request_error", "message": "bad thing"}}),
            )],
            json!({
                "message": "unexpected status 400 Bad Request: bad thing",
                "codexErrorInfo": "badRequest",
                "additionalDetails": null,
            }),
        ),
        (
            vec![MockResponse::sse(vec![
                sse::response_created("resp_1"),
                sse::incomplete("max_output_tokens"),
            ])],
            json!({
                "message": "Incomplete response returned, reason: max_output_tokens",
                "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": null}},
                "additionalDetails": null,
            }),
        ),
    ];
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = thread_on(&model, &no_retries()).await?;
    let mut seen = Vec::new();
    let mut expected = Vec::new();
    for (responses, error) in cases {
        model.push_responses(responses);
        let (completed, errors) = run_turn(&mut server, &thread_id).await?;
        let turn = &completed["params"]["turn"];
        seen.push((turn["status"].clone(), turn["error"].clone(), errors));
        expected.push((
            json!("failed"),
            error.clone(),
            vec![json!({
                "method": "error",
                "params": {"error": error, "willRetry": false, "threadId": thread_id, "turnId": turn["id"]},
            })],
        ));
    }
    assert_eq!(seen, expected);
    Ok(())
}

#[tokio::test]
async fn a_stream_that_goes_silent_fails_the_turn_after_the_idle_timeout() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["a", "b"], None).stall_after(2));
    let (mut server, thread_id) = thread_on(
        &model,
        &MockProviderOptions {
            stream_idle_timeout_ms: 300,
            ..no_retries()
        },
    )
    .await?;

    let (completed, _) = run_turn(&mut server, &thread_id).await?;

    let turn = &completed["params"]["turn"];
    assert_eq!(
        (turn["status"].clone(), turn["error"].clone()),
        (
            json!("failed"),
            json!({
                "message": "idle timeout waiting for SSE",
                "codexErrorInfo": {"responseStreamDisconnected": {"httpStatusCode": null}},
                "additionalDetails": null,
            })
        )
    );
    Ok(())
}

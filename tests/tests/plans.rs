//! The `update_plan` tool through the real binary: the model's plan reaches the host as
//! `turn/plan/updated` (statuses in the wire's camelCase), the model reads `Plan updated` back, and
//! arguments that are not a plan are the model's to fix, with no notification.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::inbox::Transcribed;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// A response calling `update_plan` with `arguments`, then the turn's answer.
fn plan_call_then_answer(model: &MockModelServer, arguments: &Value) {
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call("call_plan", "update_plan", &arguments.to_string()),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], None),
    ]);
}

async fn start(model: &MockModelServer) -> anyhow::Result<(AppServer, String)> {
    let args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    Ok((server, thread_id))
}

async fn run_turn(server: &mut AppServer, thread_id: &str) -> anyhow::Result<String> {
    let started = server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "plan it", "text_elements": []}]}),
        )
        .await?;
    server.read_notification("turn/completed").await?;
    Ok(started["turn"]["id"].as_str().unwrap().to_string())
}

/// Every message read from the server so far.
fn received(server: &AppServer) -> Vec<Value> {
    server
        .transcript()
        .iter()
        .filter_map(|entry| match entry {
            Transcribed::Received(message) => Some(message.clone()),
            Transcribed::Sent(_) => None,
        })
        .collect()
}

/// The output the follow-up request carries for `call_plan`.
async fn plan_call_output(model: &MockModelServer) -> Value {
    let requests = model.responses_requests().await;
    let follow_up = requests[1].body_json.clone().unwrap();
    follow_up["input"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["type"] == "function_call_output" && item["call_id"] == "call_plan")
        .map(|item| item["output"].clone())
        .unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_plan_update_reaches_the_host_and_the_model_reads_it_took_effect() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    plan_call_then_answer(
        &model,
        &json!({
            "explanation": "Start with the parser.",
            "plan": [
                {"step": "Read the parser", "status": "completed"},
                {"step": "Fix the bug", "status": "in_progress"},
                {"step": "Add a test", "status": "pending"},
            ],
        }),
    );
    let (mut server, thread_id) = start(&model).await?;
    let turn_id = run_turn(&mut server, &thread_id).await?;

    let updated = server.read_notification("turn/plan/updated").await?;
    assert_eq!(
        updated["params"],
        json!({
            "threadId": thread_id,
            "turnId": turn_id,
            "explanation": "Start with the parser.",
            "plan": [
                {"step": "Read the parser", "status": "completed"},
                {"step": "Fix the bug", "status": "inProgress"},
                {"step": "Add a test", "status": "pending"},
            ],
        })
    );
    assert_eq!(plan_call_output(&model).await, json!("Plan updated"));
    // The host hears of the plan before the turn ends.
    let position = |method: &str| {
        received(&server)
            .iter()
            .position(|message| message["method"] == method)
            .unwrap()
    };
    assert!(position("turn/plan/updated") < position("turn/completed"));
    Ok(())
}

#[tokio::test]
async fn arguments_that_are_not_a_plan_are_sent_back_to_the_model() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    plan_call_then_answer(
        &model,
        &json!({"plan": [{"step": "x", "status": "someday"}]}),
    );
    let (mut server, thread_id) = start(&model).await?;
    run_turn(&mut server, &thread_id).await?;

    let output = plan_call_output(&model).await;
    let text = output.as_str().unwrap_or_default();
    assert!(
        text.starts_with("failed to parse function arguments: unknown variant `someday`"),
        "{output}"
    );
    assert!(
        !received(&server)
            .iter()
            .any(|message| message["method"] == "turn/plan/updated"),
        "no plan was announced"
    );
    Ok(())
}

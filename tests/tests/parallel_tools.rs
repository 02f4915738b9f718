//! Parallel tool calls through the real binary: commands of one response run at once (two commands that
//! each wait for the other finish), approvals of calls that run together reach the host one at a time in
//! the model's order, and the outputs go back to the model in its order whatever order they finished in.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::Transcribed;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::mock_provider_options;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// One response calling `shell` with each of `scripts` (call ids `call_0`, `call_1`, ...), then an answer.
fn commands_then_answer(model: &MockModelServer, scripts: &[&str]) {
    let mut events = vec![sse::response_created("resp_1")];
    events.extend(scripts.iter().enumerate().map(|(index, script)| {
        let arguments = json!({"command": ["bash", "-c", script]});
        sse::function_call(&format!("call_{index}"), "shell", &arguments.to_string())
    }));
    events.push(sse::completed("resp_1"));
    model.push_responses([
        MockResponse::sse(events),
        MockResponse::assistant_message(&["done"], None),
    ]);
}

async fn start(model: &MockModelServer, thread: Value) -> anyhow::Result<(AppServer, String)> {
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize().await?;
    let started = server.call("thread/start", thread).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "go", "text_elements": []}]}),
        )
        .await?;
    Ok((server, thread_id))
}

/// The outputs the follow-up request carries, as `(call_id, output)` in input order.
async fn outputs_sent_back(model: &MockModelServer) -> Vec<(String, String)> {
    let requests = model.responses_requests().await;
    let follow_up = requests[1].body_json.clone().unwrap();
    follow_up["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "function_call_output")
        .map(|item| {
            (
                item["call_id"].as_str().unwrap().to_string(),
                item["output"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A script that marks `mine` and waits (up to 20 s) for `theirs`: it only succeeds if the other command
/// runs at the same time.
fn rendezvous(dir: &std::path::Path, mine: &str, theirs: &str) -> String {
    let dir = dir.display();
    format!(
        "touch {dir}/{mine}; for i in $(seq 400); do [ -e {dir}/{theirs} ] && echo met-{mine} && exit 0; sleep 0.05; done; echo alone; exit 1"
    )
}

#[tokio::test]
async fn commands_of_one_response_run_at_once_and_answer_in_the_models_order() -> anyhow::Result<()>
{
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    let first = rendezvous(workspace.path(), "a", "b");
    // The second call finishes first (the first lingers after meeting it); its output still comes second.
    let second = format!("{}; sleep 0.3", rendezvous(workspace.path(), "b", "a"));
    let first = format!("sleep 0.2; {first}; sleep 0.6");
    commands_then_answer(&model, &[&first, &second]);
    let (mut server, _) = start(
        &model,
        json!({"approvalPolicy": "never", "sandbox": "danger-full-access"}),
    )
    .await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");

    let outputs = outputs_sent_back(&model).await;
    let ids: Vec<&str> = outputs.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, vec!["call_0", "call_1"]);
    assert!(outputs[0].1.contains("met-a"), "{outputs:?}");
    assert!(outputs[1].1.contains("met-b"), "{outputs:?}");
    Ok(())
}

const APPROVAL: &str = "item/commandExecution/requestApproval";

/// A response of two commands that each ask under `untrusted` (`touch` is not a known read-only
/// command), up to the first approval request, which must be the first call's.
async fn two_calls_that_ask()
-> anyhow::Result<(tempfile::TempDir, MockModelServer, AppServer, Value)> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    commands_then_answer(
        &model,
        &[
            "touch first.txt; echo first",
            "touch second.txt; echo second",
        ],
    );
    let (mut server, _) = start(
        &model,
        json!({"cwd": workspace.path(), "approvalPolicy": "untrusted", "sandbox": "danger-full-access"}),
    )
    .await?;
    let first = server.read_server_request(APPROVAL).await?;
    assert_eq!(first["params"]["itemId"], "call_0");
    Ok((workspace, model, server, first))
}

#[tokio::test]
async fn approvals_of_calls_that_run_together_are_asked_one_at_a_time_in_order()
-> anyhow::Result<()> {
    let (_workspace, model, mut server, first) = two_calls_that_ask().await?;
    server.answer(&first, json!({"decision": "accept"})).await?;
    let second = server.read_server_request(APPROVAL).await?;
    assert_eq!(second["params"]["itemId"], "call_1");
    server
        .answer(&second, json!({"decision": "decline"}))
        .await?;
    server.read_notification("turn/completed").await?;

    let outputs = outputs_sent_back(&model).await;
    assert_eq!(outputs.len(), 2);
    assert!(outputs[0].1.contains("first"), "{outputs:?}");
    assert_eq!(outputs[1].1, "exec command rejected by user");
    Ok(())
}

#[tokio::test]
async fn a_later_call_never_asks_when_the_host_cancels_an_earlier_one() -> anyhow::Result<()> {
    let (workspace, _model, mut server, first) = two_calls_that_ask().await?;
    // The second call waits for the first to be decided before it may ask; cancelling ends the turn first.
    server.answer(&first, json!({"decision": "cancel"})).await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "interrupted");
    let asked: Vec<Value> = server
        .transcript()
        .iter()
        .filter_map(|entry| match entry {
            Transcribed::Received(message) if message["method"] == APPROVAL => {
                Some(message["params"]["itemId"].clone())
            }
            Transcribed::Received(_) | Transcribed::Sent(_) => None,
        })
        .collect();
    assert_eq!(asked, vec![json!("call_0")]);
    assert!(!workspace.path().join("second.txt").exists());
    Ok(())
}

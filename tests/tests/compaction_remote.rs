//! Remote compaction through the real binary: with the built-in OpenAI provider (here pointed at the mock
//! by `OPENAI_BASE_URL`), a thread past its limit posts its history to `{base_url}/responses/compact`
//! with the turn's auth, goes on with what the server returned (the opaque `compaction` item included),
//! and resumes that history after a restart. A refused compaction fails the turn and keeps the history.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::RecordedRequest;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const COMPACT_PATH: &str = "/v1/responses/compact";
const API_KEY: &str = "sk-test-remote-compaction";

fn options(model: &MockModelServer) -> AppServerOptions {
    AppServerOptions {
        args: vec![
            "-c".to_string(),
            "model_auto_compact_token_limit=1000".to_string(),
        ],
        env: vec![
            ("OPENAI_BASE_URL".to_string(), format!("{}/v1", model.uri())),
            ("OPENAI_API_KEY".to_string(), API_KEY.to_string()),
        ],
        ..AppServerOptions::default()
    }
}

fn user(text: &str) -> Value {
    json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
}

async fn run_turn(server: &mut AppServer, thread_id: &Value, text: &str) -> anyhow::Result<Value> {
    server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": text, "text_elements": []}]}),
        )
        .await?;
    server.read_notification("turn/completed").await
}

/// The input items of a request, without the session prefix and environment the daemon puts first.
fn conversation(body: &Value) -> Vec<Value> {
    body["input"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|item| item["role"] != "developer")
        .filter(|item| {
            let text = item["content"][0]["text"].as_str().unwrap_or_default();
            !text.starts_with("<environment_context>") && !text.starts_with("# AGENTS.md")
        })
        .collect()
}

async fn requests_to(model: &MockModelServer, path_suffix: &str) -> Vec<RecordedRequest> {
    model
        .requests()
        .await
        .into_iter()
        .filter(|request| request.method == "POST" && request.path.ends_with(path_suffix))
        .collect()
}

#[tokio::test]
async fn the_openai_provider_compacts_on_the_server_and_resumes_its_history() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    let compaction = json!({"type": "compaction", "encrypted_content": "ENCRYPTED-SUMMARY"});
    model.mount_json(
        "POST",
        COMPACT_PATH,
        200,
        json!({"output": [
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "echoed instructions"}]},
            user("first question"),
            compaction,
        ]}),
    );
    model.push_responses([
        MockResponse::assistant_message(&["first answer"], None).with_total_tokens(5_000),
        MockResponse::assistant_message(&["second answer"], None),
        MockResponse::assistant_message(&["third answer"], None),
    ]);
    let mut server = AppServer::spawn_with(options(&model)).await?;
    server.initialize().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].clone();
    run_turn(&mut server, &thread_id, "first question").await?;
    let second = run_turn(&mut server, &thread_id, "second question").await?;
    assert_eq!(second["params"]["turn"]["status"], "completed");

    let compactions = requests_to(&model, "/responses/compact").await;
    assert_eq!(compactions.len(), 1);
    let compact = &compactions[0];
    assert_eq!(
        compact.header("authorization"),
        Some(format!("Bearer {API_KEY}").as_str())
    );
    let body = compact.body_json.clone().unwrap_or_default();
    assert_eq!(
        (
            body["tools"].clone(),
            body["parallel_tool_calls"].clone(),
            body.get("stream").cloned()
        ),
        (json!([]), json!(false), None)
    );
    assert!(body["model"].is_string() && body["instructions"].is_string());
    // The thread compacts before the new message joins it: the history as it was, the answer last.
    let sent = conversation(&body);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0], user("first question"));
    assert_eq!(sent[1]["role"], "assistant");

    // The turn's request carries what the server returned (minus its echoed instructions), then the new
    // message.
    let turns = requests_to(&model, "/v1/responses").await;
    assert_eq!(turns.len(), 2);
    let after = turns[1].body_json.clone().unwrap_or_default();
    assert_eq!(
        conversation(&after),
        vec![
            user("first question"),
            compaction.clone(),
            user("second question")
        ]
    );
    assert!(!after["input"].to_string().contains("echoed instructions"));

    // A restarted daemon resumes the compacted history, the opaque item included.
    let codex_home = server.into_codex_home().await?;
    let mut server = AppServer::spawn_in(codex_home, options(&model)).await?;
    server.initialize().await?;
    server
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    run_turn(&mut server, &thread_id, "third question").await?;
    let turns = requests_to(&model, "/v1/responses").await;
    assert_eq!(turns.len(), 3);
    let resumed = conversation(&turns[2].body_json.clone().unwrap_or_default());
    assert_eq!(resumed[..3].to_vec(), conversation(&after));
    assert_eq!(resumed[3]["role"], "assistant");
    assert!(resumed.contains(&user("third question")), "{resumed:?}");
    Ok(())
}

#[tokio::test]
async fn a_refused_remote_compaction_fails_the_turn_and_keeps_the_history() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.mount_json(
        "POST",
        COMPACT_PATH,
        400,
        json!({"error": {"type": "invalid_request_error", "message": "compaction is not available"}}),
    );
    model.push_responses([
        MockResponse::assistant_message(&["first answer"], None).with_total_tokens(5_000),
        MockResponse::assistant_message(&["second answer"], None),
    ]);
    let mut server = AppServer::spawn_with(options(&model)).await?;
    server.initialize().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].clone();
    run_turn(&mut server, &thread_id, "first question").await?;

    let failed = run_turn(&mut server, &thread_id, "second question").await?;
    assert_eq!(
        (
            failed["params"]["turn"]["status"].clone(),
            failed["params"]["turn"]["error"]["message"].clone()
        ),
        (
            json!("failed"),
            json!(
                "compacting the conversation failed: unexpected status 400 Bad Request: compaction is not available"
            )
        )
    );
    assert_eq!(requests_to(&model, "/v1/responses").await.len(), 1);

    // The history is whole (the failed turn's message included): with compaction working again, the next
    // turn compacts all of it before its own message joins.
    model.mount_json(
        "POST",
        COMPACT_PATH,
        200,
        json!({"output": [user("first question"), {"type": "compaction", "encrypted_content": "E"}]}),
    );
    let third = run_turn(&mut server, &thread_id, "third question").await?;
    assert_eq!(third["params"]["turn"]["status"], "completed");
    let compactions = requests_to(&model, "/responses/compact").await;
    let sent = conversation(&compactions[1].body_json.clone().unwrap_or_default());
    let texts: Vec<&str> = sent
        .iter()
        .filter_map(|item| item["content"][0]["text"].as_str())
        .collect();
    assert_eq!(
        texts,
        vec!["first question", "first answer", "second question"]
    );
    Ok(())
}

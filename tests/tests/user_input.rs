//! `request_user_input` through the real binary. In plan mode the model's questions reach the host as the
//! server request `item/tool/requestUserInput` while the thread shows `waitingOnUserInput`, and the answers
//! go back to the model as the call's output; `turn/interrupt` withdraws the question (`serverRequest/
//! resolved`) and the turn ends interrupted; an error answer gives the model no answers, a host that leaves
//! leaves the question unanswered. Outside plan mode, or without options, the model is told why nobody was
//! asked.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::Transcribed;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::mock_provider_options;
use codex_app_server_tests::ws_client::WsClient;
use codex_app_server_tests::ws_client::listening_address;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// The collaboration mode of a planning turn, as a host sends it.
fn plan_mode() -> Value {
    json!({"mode": "plan", "settings": {"model": "gpt-5.2-codex", "reasoning_effort": null, "developer_instructions": null}})
}

/// The model's arguments: one question with two options.
fn scope_question() -> Value {
    json!({"questions": [{"id": "scope", "header": "Scope", "question": "Fix which part?", "options": [
        {"label": "Parser (Recommended)", "description": "Only the parser."},
        {"label": "Everything", "description": "Parser and printer."},
    ]}]})
}

/// A response calling `request_user_input` with `arguments` (call `call_q`), then the answer `done`.
fn question_then_answer(model: &MockModelServer, arguments: &Value) {
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_q"),
            sse::function_call("call_q", "request_user_input", &arguments.to_string()),
            sse::completed("resp_q"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
}

/// A server whose client opts into the experimental API, and a thread on it.
async fn start(model: &MockModelServer) -> anyhow::Result<(AppServer, String)> {
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize_experimental().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    Ok((server, thread_id))
}

/// Starts a turn, in `mode` when given; returns its id.
async fn start_turn(
    server: &mut AppServer,
    thread_id: &str,
    mode: Option<Value>,
) -> anyhow::Result<String> {
    let mut params = json!({"threadId": thread_id, "input": [text_input("Plan the fix")]});
    if let Some(mode) = mode {
        params["collaborationMode"] = mode;
    }
    let started = server.call("turn/start", params).await?;
    Ok(started["turn"]["id"].as_str().unwrap().to_string())
}

/// The output the `index`-th model request carries for `call_q`.
async fn question_output(model: &MockModelServer, index: usize) -> Value {
    let requests = model.responses_requests().await;
    let body = requests[index].body_json.clone().unwrap();
    body["input"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["type"] == "function_call_output" && item["call_id"] == "call_q")
        .map(|item| item["output"].clone())
        .unwrap_or(Value::Null)
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

/// The thread's status changes, as their `activeFlags` (or the status type when not active).
fn statuses(messages: &[Value]) -> Vec<Value> {
    messages
        .iter()
        .filter(|message| message["method"] == "thread/status/changed")
        .map(|message| {
            let status = &message["params"]["status"];
            if status["type"] == "active" {
                status["activeFlags"].clone()
            } else {
                status["type"].clone()
            }
        })
        .collect()
}

#[tokio::test]
async fn a_question_reaches_the_host_and_the_answers_reach_the_model() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    question_then_answer(&model, &scope_question());
    let (mut server, thread_id) = start(&model).await?;
    let turn_id = start_turn(&mut server, &thread_id, Some(plan_mode())).await?;

    let request = server
        .read_server_request("item/tool/requestUserInput")
        .await?;
    assert_eq!(
        request["params"],
        json!({
            "threadId": thread_id,
            "turnId": turn_id,
            "itemId": "call_q",
            "questions": [{
                "id": "scope",
                "header": "Scope",
                "question": "Fix which part?",
                "isOther": true,
                "isSecret": false,
                "options": [
                    {"label": "Parser (Recommended)", "description": "Only the parser."},
                    {"label": "Everything", "description": "Parser and printer."},
                ],
            }],
            "isBlocking": true,
            "autoResolutionMs": null,
        })
    );
    assert_eq!(
        statuses(&received(&server)).last(),
        Some(&json!(["waitingOnUserInput"])),
        "the thread shows it waits while the question is open"
    );
    let asked = received(&server).len();
    server
        .answer(
            &request,
            json!({"answers": {"scope": {"answers": ["Parser (Recommended)", "user_note: keep it small"]}}}),
        )
        .await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;

    let after: Vec<Value> = received(&server).split_off(asked);
    assert_eq!(
        after[0],
        json!({"method": "serverRequest/resolved", "params": {"threadId": thread_id, "requestId": request["id"]}})
    );
    assert_eq!(
        statuses(&after),
        vec![json!([]), json!("idle")],
        "the thread stops waiting once answered"
    );
    assert_eq!(
        question_output(&model, 1).await,
        json!(
            r#"{"answers":{"scope":{"answers":["Parser (Recommended)","user_note: keep it small"]}}}"#
        )
    );
    Ok(())
}

#[tokio::test]
async fn an_interrupt_withdraws_the_question_and_ends_the_turn() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    question_then_answer(&model, &scope_question());
    let (mut server, thread_id) = start(&model).await?;
    let turn_id = start_turn(&mut server, &thread_id, Some(plan_mode())).await?;
    let request = server
        .read_server_request("item/tool/requestUserInput")
        .await?;

    server
        .call(
            "turn/interrupt",
            json!({"threadId": thread_id, "turnId": turn_id}),
        )
        .await?;
    let resolved = server.read_notification("serverRequest/resolved").await?;
    assert_eq!(resolved["params"]["requestId"], request["id"]);
    let completed = server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(completed["params"]["turn"]["status"], "interrupted");
    assert_eq!(statuses(&received(&server)).last(), Some(&json!("idle")));

    // The next turn tells the model its question went unanswered.
    start_turn(&mut server, &thread_id, None).await?;
    server.read_notification("turn/completed").await?;
    assert_eq!(question_output(&model, 1).await, json!("aborted"));
    Ok(())
}

#[tokio::test]
async fn an_error_answer_gives_the_model_no_answers() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    question_then_answer(&model, &scope_question());
    let (mut server, thread_id) = start(&model).await?;
    let turn_id = start_turn(&mut server, &thread_id, Some(plan_mode())).await?;
    let request = server
        .read_server_request("item/tool/requestUserInput")
        .await?;

    server
        .send_json(
            &json!({"id": request["id"], "error": {"code": -32000, "message": "dialog closed"}}),
        )
        .await?;
    let completed = server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    assert_eq!(question_output(&model, 1).await, json!(r#"{"answers":{}}"#));
    Ok(())
}

#[tokio::test]
async fn outside_plan_mode_nobody_is_asked_and_the_model_is_told_why() -> anyhow::Result<()> {
    for mode in [
        None,
        Some(json!({"mode": "default", "settings": {"model": "gpt-5.2-codex"}})),
    ] {
        let model = MockModelServer::start().await;
        question_then_answer(&model, &scope_question());
        let (mut server, thread_id) = start(&model).await?;
        let turn_id = start_turn(&mut server, &thread_id, mode.clone()).await?;
        server
            .read_turn_notification("turn/completed", &turn_id)
            .await?;
        assert_eq!(
            question_output(&model, 1).await,
            json!("request_user_input is unavailable in Default mode"),
            "{mode:?}"
        );
        assert!(
            !received(&server)
                .iter()
                .any(|message| message["method"] == "item/tool/requestUserInput"),
            "no question reached the host"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_question_without_options_is_the_models_to_fix() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    question_then_answer(
        &model,
        &json!({"questions": [{"id": "name", "header": "Name", "question": "What name?"}]}),
    );
    let (mut server, thread_id) = start(&model).await?;
    let turn_id = start_turn(&mut server, &thread_id, Some(plan_mode())).await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(
        question_output(&model, 1).await,
        json!("request_user_input requires non-empty options for every question")
    );
    assert!(
        !received(&server)
            .iter()
            .any(|message| message["method"] == "item/tool/requestUserInput")
    );
    Ok(())
}

#[tokio::test]
async fn a_host_that_leaves_leaves_the_question_unanswered() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    question_then_answer(&model, &scope_question());
    let server = AppServer::spawn_with(mock_provider_options(
        &model.uri(),
        &["--listen", "ws://127.0.0.1:0"],
    ))
    .await?;
    let address = listening_address(&server).await?;
    let mut client = WsClient::connect(&format!("ws://{address}"), None).await?;
    let id = client.send_request(
        "initialize",
        json!({"clientInfo": {"name": "host", "version": "0.0.1"}, "capabilities": {"experimentalApi": true}}),
    )?;
    client.read_response(id).await?;
    client.send_json(&json!({"method": "initialized"}))?;
    let id = client.send_request("thread/start", json!({}))?;
    let thread_id = client.read_response(id).await?["result"]["thread"]["id"].clone();
    let id = client.send_request(
        "turn/start",
        json!({"threadId": thread_id, "input": [text_input("Plan the fix")], "collaborationMode": plan_mode()}),
    )?;
    client.read_response(id).await?;
    client
        .read_until(|message| message["method"] == "item/tool/requestUserInput")
        .await?;

    client.close()?;
    model
        .wait_for_responses_requests(2, std::time::Duration::from_secs(10))
        .await?;
    assert_eq!(
        question_output(&model, 1).await,
        json!("request_user_input was cancelled before receiving a response")
    );
    Ok(())
}

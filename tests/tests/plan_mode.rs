//! The plan collaboration mode through the real binary: `turn/start`'s experimental `collaborationMode`
//! puts the thread in plan mode until a turn changes it, its settings win over the turn's model and effort,
//! the model reads the mode's instructions (a `<collaboration_mode>` developer message, again whenever the
//! mode changes), `update_plan` is refused while planning, and the `<proposed_plan>` block of an answer
//! reaches the host as a `plan` item with `item/plan/delta`, apart from the rest of the message.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::mock_provider_options;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// The built-in instructions of each mode, as the model reads them.
const PLAN_INSTRUCTIONS: &str = include_str!("../../core/src/context/collaboration_mode/plan.md");
const DEFAULT_INSTRUCTIONS: &str =
    include_str!("../../core/src/context/collaboration_mode/default.md");

fn mode(kind: &str, settings: Value) -> Value {
    json!({"mode": kind, "settings": settings})
}

fn plan_mode() -> Value {
    mode(
        "plan",
        json!({"model": "gpt-5.2-codex", "reasoning_effort": null, "developer_instructions": null}),
    )
}

async fn start(model: &MockModelServer) -> anyhow::Result<(AppServer, String)> {
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize_experimental().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    Ok((server, thread_id))
}

/// Runs a turn with `params` added to its `turn/start`; returns its id once it completed.
async fn run_turn(
    server: &mut AppServer,
    thread_id: &str,
    params: Value,
) -> anyhow::Result<String> {
    let mut start = json!({"threadId": thread_id, "input": [text_input("Plan the fix")]});
    for (key, value) in params.as_object().cloned().unwrap_or_default() {
        start[key] = value;
    }
    let started = server.call("turn/start", start).await?;
    let turn_id = started["turn"]["id"].as_str().unwrap().to_string();
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    Ok(turn_id)
}

async fn request_bodies(model: &MockModelServer) -> Vec<Value> {
    model
        .responses_requests()
        .await
        .into_iter()
        .map(|request| request.body_json.unwrap())
        .collect()
}

/// The texts of the developer messages of a request that carry a collaboration mode.
fn mode_messages(body: &Value) -> Vec<String> {
    body["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["role"] == "developer")
        .filter_map(|item| item["content"][0]["text"].as_str())
        .filter(|text| text.starts_with("<collaboration_mode>"))
        .map(str::to_string)
        .collect()
}

fn tool_names(body: &Value) -> Vec<Value> {
    body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool.get("name").cloned().unwrap_or(tool["type"].clone()))
        .collect()
}

#[tokio::test]
async fn plan_mode_offers_request_user_input_and_tells_the_model_it_plans() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["ok"], None));
    let (mut server, thread_id) = start(&model).await?;
    run_turn(
        &mut server,
        &thread_id,
        json!({"collaborationMode": plan_mode()}),
    )
    .await?;

    let body = &request_bodies(&model).await[0];
    assert_eq!(
        tool_names(body),
        [
            "exec_command",
            "write_stdin",
            "update_plan",
            "request_user_input",
            "apply_patch",
            "view_image",
            "web_search"
        ]
        .map(|name| json!(name))
    );
    let tool = body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tool| tool["name"] == "request_user_input")
        .cloned();
    assert_eq!(
        tool,
        Some(json!({
            "type": "function",
            "name": "request_user_input",
            "description": "Request user input for one to three short questions and wait for the response. This tool is only available in Plan mode.",
            "strict": false,
            "parameters": {
                "type": "object",
                "properties": {
                    "questions": {
                        "type": "array",
                        "description": "Questions to show the user. Prefer 1 and do not exceed 3",
                        "items": {
                            "type": "object",
                            "properties": {
                                "id": {"type": "string", "description": "Stable identifier for mapping answers (snake_case)."},
                                "header": {"type": "string", "description": "Short header label shown in the UI (12 or fewer chars)."},
                                "question": {"type": "string", "description": "Single-sentence prompt shown to the user."},
                                "options": {
                                    "type": "array",
                                    "description": "Provide 2-3 mutually exclusive choices. Put the recommended option first and suffix its label with \"(Recommended)\". Do not include an \"Other\" option in this list; the client will add a free-form \"Other\" option automatically.",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "label": {"type": "string", "description": "User-facing label (1-5 words)."},
                                            "description": {"type": "string", "description": "One short sentence explaining impact/tradeoff if selected."}
                                        },
                                        "required": ["label", "description"],
                                        "additionalProperties": false
                                    }
                                }
                            },
                            "required": ["id", "header", "question", "options"],
                            "additionalProperties": false
                        }
                    }
                },
                "required": ["questions"],
                "additionalProperties": false
            }
        }))
    );
    // The mode's instructions come right before the user's message.
    let input = body["input"].as_array().unwrap();
    let last_two: Vec<&Value> = input[input.len() - 2..].iter().collect();
    assert_eq!(last_two[0]["role"], "developer");
    assert_eq!(
        last_two[0]["content"][0]["text"],
        format!("<collaboration_mode>{PLAN_INSTRUCTIONS}</collaboration_mode>")
    );
    assert_eq!(last_two[1]["content"][0]["text"], "Plan the fix");
    Ok(())
}

#[tokio::test]
async fn the_mode_lasts_until_a_turn_changes_it() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let plan_call = json!({"plan": [{"step": "Look", "status": "pending"}]});
    model.push_responses([
        MockResponse::assistant_message(&["planning"], None),
        MockResponse::sse(vec![
            sse::response_created("resp_p"),
            sse::function_call("call_p", "update_plan", &plan_call.to_string()),
            sse::completed("resp_p"),
        ]),
        MockResponse::assistant_message(&["still planning"], None),
        MockResponse::assistant_message(&["doing it"], None),
    ]);
    let (mut server, thread_id) = start(&model).await?;
    let custom = mode(
        "plan",
        json!({"model": "gpt-5.1-codex-max", "reasoning_effort": "high", "developer_instructions": "Plan briefly."}),
    );
    // The mode's model and effort win over the turn's own.
    run_turn(
        &mut server,
        &thread_id,
        json!({"collaborationMode": custom, "model": "gpt-5.2-codex", "effort": "low"}),
    )
    .await?;
    run_turn(&mut server, &thread_id, json!({})).await?;
    run_turn(
        &mut server,
        &thread_id,
        json!({"collaborationMode": mode("default", json!({"model": "gpt-5.2-codex"}))}),
    )
    .await?;

    let bodies = request_bodies(&model).await;
    assert_eq!(bodies.len(), 4);
    assert_eq!(
        bodies
            .iter()
            .map(|body| (body["model"].clone(), body["reasoning"]["effort"].clone()))
            .collect::<Vec<_>>(),
        vec![
            (json!("gpt-5.1-codex-max"), json!("high")),
            (json!("gpt-5.1-codex-max"), json!("high")),
            (json!("gpt-5.1-codex-max"), json!("high")),
            (json!("gpt-5.2-codex"), json!("medium")),
        ],
        "the mode's settings last with it; a null effort is the model's default"
    );
    let plan_message = "<collaboration_mode>Plan briefly.</collaboration_mode>".to_string();
    assert_eq!(mode_messages(&bodies[0]), vec![plan_message.clone()]);
    assert_eq!(
        mode_messages(&bodies[2]),
        vec![plan_message.clone()],
        "no second message while the mode stays"
    );
    assert_eq!(
        mode_messages(&bodies[3]),
        vec![
            plan_message,
            format!("<collaboration_mode>{DEFAULT_INSTRUCTIONS}</collaboration_mode>")
        ]
    );
    let update_output = bodies[2]["input"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["type"] == "function_call_output" && item["call_id"] == "call_p")
        .map(|item| item["output"].clone());
    assert_eq!(
        update_output,
        Some(json!(
            "update_plan is a TODO/checklist tool and is not allowed in Plan mode"
        ))
    );
    Ok(())
}

/// The messages of turn `turn_id` from its first item on, without their timestamps.
fn item_messages(server: &mut AppServer, turn_id: &str) -> Vec<Value> {
    server
        .take_buffered()
        .into_iter()
        .filter(|message| {
            let method = message["method"].as_str().unwrap_or_default();
            method.starts_with("item/")
                && message["params"]["turnId"] == turn_id
                && message["params"]["item"]["type"] != "userMessage"
        })
        .map(|mut message| {
            if let Some(params) = message["params"].as_object_mut() {
                params.remove("startedAtMs");
                params.remove("completedAtMs");
                params.remove("threadId");
                params.remove("turnId");
            }
            message
        })
        .collect()
}

#[tokio::test]
async fn a_proposed_plan_is_a_plan_item_apart_from_the_message() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::assistant_message(
            &[
                "Here is ",
                "my plan.\n<propo",
                "sed_plan>\n# Fix",
                " the parser\n",
                "</proposed_plan>\n",
                "Tell me.",
            ],
            Some("final_answer"),
        ),
        MockResponse::assistant_message(
            &["<proposed_plan>\nonly a plan\n</proposed_plan>\n"],
            Some("final_answer"),
        ),
    ]);
    let (mut server, thread_id) = start(&model).await?;
    let turn_id = run_turn(
        &mut server,
        &thread_id,
        json!({"collaborationMode": plan_mode()}),
    )
    .await?;

    let messages = item_messages(&mut server, &turn_id);
    let plan_id = messages
        .iter()
        .find(|message| message["params"]["item"]["type"] == "plan")
        .map(|message| message["params"]["item"]["id"].clone())
        .unwrap();
    let message_delta = |delta: &str| json!({"method": "item/agentMessage/delta", "params": {"itemId": "msg_1", "delta": delta}});
    let plan_delta = |delta: &str| json!({"method": "item/plan/delta", "params": {"itemId": plan_id, "delta": delta}});
    assert_eq!(
        messages,
        vec![
            json!({"method": "item/started", "params": {"item": {"type": "agentMessage", "id": "msg_1", "text": "", "phase": "final_answer"}}}),
            message_delta("Here is "),
            message_delta("my plan.\n"),
            json!({"method": "item/started", "params": {"item": {"type": "plan", "id": plan_id, "text": ""}}}),
            plan_delta("# Fix"),
            plan_delta(" the parser\n"),
            message_delta("Tell me."),
            json!({"method": "item/completed", "params": {"item": {"type": "plan", "id": plan_id, "text": "# Fix the parser\n"}}}),
            json!({"method": "item/completed", "params": {"item": {"type": "agentMessage", "id": "msg_1", "text": "Here is my plan.\nTell me.", "phase": "final_answer"}}}),
        ]
    );

    // An answer that is all plan shows no message at all.
    let second = run_turn(&mut server, &thread_id, json!({})).await?;
    let kinds: Vec<(Value, Value)> = item_messages(&mut server, &second)
        .iter()
        .map(|message| {
            (
                message["method"].clone(),
                message["params"]["item"]["type"].clone(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            (json!("item/started"), json!("plan")),
            (json!("item/plan/delta"), Value::Null),
            (json!("item/completed"), json!("plan")),
        ]
    );

    // The thread's history shows the plan among the turn's items; the model reads the answer whole.
    let read = server
        .call(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    let items: Vec<Value> = read["thread"]["turns"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| json!([item["type"], item["text"]]))
        .collect();
    assert_eq!(
        items,
        vec![
            json!(["userMessage", null]),
            json!(["plan", "# Fix the parser\n"]),
            json!(["agentMessage", "Here is my plan.\nTell me."]),
        ]
    );
    let bodies = request_bodies(&model).await;
    let answer = bodies[1]["input"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["role"] == "assistant")
        .map(|item| item["content"][0]["text"].clone());
    assert_eq!(
        answer,
        Some(json!(
            "Here is my plan.\n<proposed_plan>\n# Fix the parser\n</proposed_plan>\nTell me."
        ))
    );
    Ok(())
}

#[tokio::test]
async fn a_bad_collaboration_mode_is_refused() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model).await?;
    for (collaboration_mode, message) in [
        (
            mode("execute", json!({"model": "gpt-5.2-codex"})),
            "unknown variant `execute`, expected `plan` or `default`",
        ),
        (mode("plan", json!({})), "missing field `model`"),
        (json!("plan"), "invalid type: string \"plan\""),
    ] {
        let id = server
            .send_request(
                "turn/start",
                json!({"threadId": thread_id, "input": [text_input("x")], "collaborationMode": collaboration_mode}),
            )
            .await?;
        let response = server.read_response(id).await?;
        assert_eq!(response["error"]["code"], -32602, "{response}");
        let text = response["error"]["message"].as_str().unwrap_or_default();
        assert!(text.contains(message), "{text}");
    }

    // A client that did not opt into the experimental API cannot select a mode.
    let mut plain = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    plain.initialize().await?;
    let started = plain.call("thread/start", json!({})).await?;
    let id = plain
        .send_request(
            "turn/start",
            json!({"threadId": started["thread"]["id"], "input": [text_input("x")], "collaborationMode": plan_mode()}),
        )
        .await?;
    let response = plain.read_response(id).await?;
    assert_eq!(
        response["error"],
        json!({"code": -32600, "message": "turn/start.collaborationMode requires experimentalApi capability"})
    );
    assert!(model.responses_requests().await.is_empty(), "no turn ran");
    Ok(())
}

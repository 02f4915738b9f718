//! What clients written for upstream 0.171 send, through the real binary: the turn options that reach the
//! model (`outputSchema`, service tiers, `max` effort, images by file id, `clientUserMessageId`), the final
//! message `turn/completed` carries, the `thread/list` filters, the deprecated `personality`, the fields
//! this server refuses by name, and responses that precede the notifications they cause.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

async fn spawn_initialized(model: &MockModelServer) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

/// Sends `method` and returns its answer (result or error).
async fn call(server: &mut AppServer, method: &str, params: Value) -> anyhow::Result<Value> {
    let id = server.send_request(method, params).await?;
    server.read_response(id).await
}

async fn start_thread(server: &mut AppServer, params: Value) -> anyhow::Result<String> {
    let answer = call(server, "thread/start", params).await?;
    answer["result"]["thread"]["id"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("thread/start failed: {answer}"))
}

/// The `turn/completed` params of the turn started by `params`, once the turn ends.
async fn run_turn(server: &mut AppServer, params: Value) -> anyhow::Result<Value> {
    let answer = call(server, "turn/start", params).await?;
    anyhow::ensure!(
        answer.get("result").is_some(),
        "turn/start failed: {answer}"
    );
    Ok(server.read_notification("turn/completed").await?["params"].clone())
}

#[tokio::test]
async fn turn_options_of_0171_reach_the_model_for_their_turn_only() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::assistant_message(&["{\"ok\":true}"], Some("final_answer")),
        MockResponse::assistant_message(&["plain"], Some("final_answer")),
    ]);
    let mut server = spawn_initialized(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = start_thread(
        &mut server,
        json!({"cwd": workspace.path(), "serviceTier": "fast"}),
    )
    .await?;
    let schema = json!({"type": "object", "properties": {"ok": {"type": "boolean"}},
                        "required": ["ok"], "additionalProperties": false});
    run_turn(
        &mut server,
        json!({
            "threadId": thread_id,
            "input": [text_input("check"),
                      {"type": "image", "fileId": "file-123", "detail": "high"}],
            "outputSchema": schema,
            "serviceTierForTurn": "flex",
            "effort": "max",
            "clientUserMessageId": "client-1",
        }),
    )
    .await?;
    run_turn(
        &mut server,
        json!({"threadId": thread_id, "input": [text_input("again")],
               "model": "gpt-5.1-codex-mini", "effort": "ultra"}),
    )
    .await?;

    let requests = model
        .wait_for_responses_requests(2, std::time::Duration::from_secs(10))
        .await?;
    let bodies: Vec<Value> = requests
        .iter()
        .map(|request| request.body_json.clone().unwrap_or_default())
        .collect();
    let first = &bodies[0];
    assert_eq!(
        (
            &first["text"]["format"],
            &first["service_tier"],
            &first["reasoning"]["effort"]
        ),
        (
            &json!({"type": "json_schema", "strict": true, "schema": schema,
                    "name": "codex_output_schema"}),
            &json!("flex"),
            &json!("xhigh"),
        )
    );
    let user_message = first["input"]
        .as_array()
        .and_then(|input| input.last())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        user_message["content"],
        json!([{"type": "input_text", "text": "check"},
               {"type": "input_image", "file_id": "file-123", "detail": "high"}])
    );
    let second = &bodies[1];
    assert_eq!(
        (
            second["text"].get("format"),
            &second["service_tier"],
            &second["reasoning"]["effort"]
        ),
        (None, &json!("priority"), &json!("high"))
    );
    Ok(())
}

#[tokio::test]
async fn the_user_message_echoes_the_client_id_and_turn_completed_carries_the_final_answer()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(
        &["All ", "done."],
        Some("final_answer"),
    ));
    let mut server = spawn_initialized(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = start_thread(&mut server, json!({"cwd": workspace.path()})).await?;
    let id = server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input("hi")],
                   "clientUserMessageId": "client-7"}),
        )
        .await?;
    let answer = server.read_response(id).await?;
    let turn_id = answer["result"]["turn"]["id"].clone();
    assert_eq!(answer["result"]["turn"]["itemsView"], "notLoaded");
    let user_message = server.read_notification("item/started").await?;
    assert_eq!(
        user_message["params"]["item"],
        json!({"type": "userMessage", "id": user_message["params"]["item"]["id"],
               "content": [text_input("hi")], "clientId": "client-7"})
    );
    let completed = server.read_notification("turn/completed").await?;
    let turn = &completed["params"]["turn"];
    assert_eq!(
        completed["params"],
        json!({
            "threadId": thread_id,
            "turn": {
                "id": turn_id,
                "items": [{"type": "agentMessage", "id": "msg_1", "text": "All done.",
                           "phase": "final_answer"}],
                "itemsView": "summary",
                "status": "completed",
                "error": null,
                "startedAt": turn["startedAt"],
                "completedAt": turn["completedAt"],
                "durationMs": turn["durationMs"],
            },
        })
    );
    Ok(())
}

#[tokio::test]
async fn fields_this_server_does_not_implement_are_refused_by_name() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    // Experimental fields (`experimentalRawEvents`) get past the capability gate and are refused for what
    // they are.
    server.initialize_experimental().await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = start_thread(&mut server, json!({"cwd": workspace.path()})).await?;
    let turn = |extra: Value| {
        let mut params = json!({"threadId": thread_id, "input": [text_input("x")]});
        if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            params.extend(extra.clone());
        }
        params
    };
    let cases = [
        (
            "thread/start",
            json!({"approvalsReviewer": "auto_review"}),
            "approvalsReviewer",
        ),
        (
            "thread/start",
            json!({"experimentalRawEvents": true}),
            "experimentalRawEvents",
        ),
        (
            "thread/fork",
            json!({"threadId": thread_id, "lastTurnId": "t"}),
            "lastTurnId",
        ),
        (
            "turn/start",
            turn(json!({"parentTurnId": "t"})),
            "parentTurnId",
        ),
        (
            "turn/start",
            turn(json!({"toolOutput": {"name": "x", "output": "y"}})),
            "toolOutput",
        ),
        (
            "turn/start",
            turn(json!({"disabledPluginIds": ["p"]})),
            "disabledPluginIds",
        ),
        (
            "thread/list",
            json!({"sortKey": "section_position"}),
            "sortKey",
        ),
        (
            "thread/list",
            json!({"sortDirection": "asc"}),
            "sortDirection",
        ),
        (
            "command/exec",
            json!({"command": ["true"], "env": {"HOME": null}}),
            "env",
        ),
        (
            "config/batchWrite",
            json!({"edits": [], "reloadUserConfig": true}),
            "reloadUserConfig",
        ),
    ];
    let mut refusals = Vec::new();
    for (method, params, field) in cases {
        let answer = call(&mut server, method, params).await?;
        refusals.push((
            method,
            answer["error"]["code"].clone(),
            answer["error"]["message"]
                .as_str()
                .is_some_and(|message| message.contains(&format!("`{field}`"))),
        ));
    }
    let expected: Vec<_> = cases_expected(&refusals);
    assert_eq!(refusals, expected);
    // The server keeps serving after every refusal.
    let answer = call(&mut server, "thread/loaded/list", json!({})).await?;
    assert_eq!(answer["result"]["data"], json!([thread_id]));
    Ok(())
}

/// Every case refused with -32602 and a message naming its field.
fn cases_expected(refusals: &[(&'static str, Value, bool)]) -> Vec<(&'static str, Value, bool)> {
    refusals
        .iter()
        .map(|(method, _, _)| (*method, json!(-32602), true))
        .collect()
}

#[tokio::test]
async fn an_image_needs_exactly_one_of_url_and_file_id() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn_initialized(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = start_thread(&mut server, json!({"cwd": workspace.path()})).await?;
    let answer = call(
        &mut server,
        "turn/start",
        json!({"threadId": thread_id,
               "input": [{"type": "image", "url": "https://x/y.png", "fileId": "file-1"}]}),
    )
    .await?;
    assert_eq!(
        answer["error"],
        json!({"code": -32602, "message":
            "Invalid params: turn/start: an `image` input needs exactly one of `url` and `fileId`"})
    );
    Ok(())
}

#[tokio::test]
async fn personality_is_accepted_with_a_deprecation_notice_after_the_response() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    let mut server = spawn_initialized(&model).await?;
    let workspace = tempfile::tempdir()?;
    let id = server
        .send_request(
            "thread/start",
            json!({"cwd": workspace.path(), "personality": "pragmatic"}),
        )
        .await?;
    let status = server.read_message().await?;
    let response = server.read_message().await?;
    let notice = server.read_message().await?;
    let started = server.read_message().await?;
    assert_eq!(
        (
            status["method"].clone(),
            response["id"].clone(),
            notice,
            started["method"].clone()
        ),
        (
            json!("thread/status/changed"),
            json!(id),
            json!({"method": "deprecationNotice", "params": {
                "summary": "`personality` no longer selects a style; the thread keeps its instructions",
                "details": "As in upstream 0.171, `friendly` and `pragmatic` are accepted and have no effect.",
            }}),
            json!("thread/started"),
        )
    );
    Ok(())
}

#[tokio::test]
async fn thread_list_takes_several_cwds_and_0171_sort_keys() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["ok"], None));
    let mut server = spawn_initialized(&model).await?;
    let dirs = [
        tempfile::tempdir()?,
        tempfile::tempdir()?,
        tempfile::tempdir()?,
    ];
    let mut ids = Vec::new();
    for dir in &dirs {
        let thread_id = start_thread(&mut server, json!({"cwd": dir.path()})).await?;
        // A thread is listed once its first turn is recorded.
        run_turn(
            &mut server,
            json!({"threadId": thread_id, "input": [text_input("hi")]}),
        )
        .await?;
        ids.push(thread_id);
    }
    let listed = |answer: &Value| -> Vec<String> {
        answer["result"]["data"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|thread| thread["id"].as_str().map(str::to_string))
            .collect()
    };
    let two_dirs = call(
        &mut server,
        "thread/list",
        json!({"cwd": [dirs[0].path(), dirs[2].path()], "sortKey": "recency_at"}),
    )
    .await?;
    let one_dir = call(&mut server, "thread/list", json!({"cwd": dirs[1].path()})).await?;
    let included = call(
        &mut server,
        "thread/list",
        json!({"includedThreadIds": [ids[0], ids[1]], "excludedThreadIds": [ids[1]],
               "sortDirection": "desc", "originators": ["codex_test"]}),
    )
    .await?;
    assert_eq!(
        (listed(&two_dirs), listed(&one_dir), listed(&included)),
        (
            vec![ids[2].clone(), ids[0].clone()],
            vec![ids[1].clone()],
            vec![ids[0].clone()]
        )
    );
    Ok(())
}

#[tokio::test]
async fn api_key_login_answers_before_its_notifications() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn_initialized(&model).await?;
    let id = server
        .send_request(
            "account/login/start",
            json!({"type": "apiKey", "apiKey": "sk-test-order"}),
        )
        .await?;
    // The response comes first; the two notifications it causes follow in either order.
    let response = server.read_message().await?;
    let mut notifications = vec![server.read_message().await?, server.read_message().await?];
    notifications.sort_by_key(|message| message["method"].to_string());
    assert_eq!(
        (response, notifications),
        (
            json!({"id": id, "result": {"type": "apiKey"}}),
            vec![
                json!({"method": "account/login/completed",
                       "params": {"loginId": null, "success": true, "error": null}}),
                json!({"method": "account/updated", "params": {"authMode": "apikey"}}),
            ]
        )
    );
    Ok(())
}

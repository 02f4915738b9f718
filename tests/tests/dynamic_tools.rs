//! Host tools (`dynamicTools`) through the real binary, against upstream 0.171's behaviour as observed
//! against the mock model: the host's tools are offered as function tools after ours; a call shows a
//! `dynamicToolCall` item, asks the host with `item/tool/call` and hands the model the host's answer (a lone
//! text as text, images as `input_image`s); `success: false`, an error answer and an answer that is no tool
//! result fail the item; an interrupt withdraws the request (`serverRequest/resolved`); the tools survive a
//! restart (resume) and carry over to a fork; what is not offered is refused naming the field.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use base64::Engine;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::now_unix_ms;
use codex_app_server_tests::app_server::strip_item_stamps;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

fn options(model: &MockModelServer) -> AppServerOptions {
    AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        env: vec![("LC_ALL".to_string(), "C".to_string())],
        ..AppServerOptions::default()
    }
}

fn ticket_schema() -> Value {
    json!({"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]})
}

/// The host's tools as 0.171 declares them (0.105's untagged ones are accepted too, but not mixed in).
fn host_tools() -> Value {
    json!([
        {"type": "function", "name": "lookup_ticket", "description": "Look up a ticket.",
         "inputSchema": ticket_schema()},
        {"type": "function", "name": "close_ticket", "description": "Close a ticket.",
         "inputSchema": {"type": "object"}, "deferLoading": false},
    ])
}

/// A server whose client opted into the experimental API, and a thread offering [`host_tools`].
async fn start(model: &MockModelServer) -> anyhow::Result<(AppServer, String)> {
    let mut server = AppServer::spawn_with(options(model)).await?;
    server.initialize_experimental().await?;
    let started = server
        .call("thread/start", json!({"dynamicTools": host_tools()}))
        .await?;
    server.read_notification("thread/started").await?;
    Ok((
        server,
        started["thread"]["id"].as_str().unwrap().to_string(),
    ))
}

/// The model calls `lookup_ticket` (`call_1`) in one response and answers in the next.
fn lookup_then_answer(model: &MockModelServer) {
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call("call_1", "lookup_ticket", r#"{"id":"ABC-1"}"#),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
}

async fn start_turn(server: &mut AppServer, thread_id: &str) -> anyhow::Result<String> {
    let started = server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "look it up", "text_elements": []}]}),
        )
        .await?;
    Ok(started["turn"]["id"].as_str().unwrap().to_string())
}

async fn request_bodies(model: &MockModelServer) -> Vec<Value> {
    model
        .responses_requests()
        .await
        .into_iter()
        .map(|request| request.body_json.unwrap_or(Value::Null))
        .collect()
}

/// The last `function_call_output` item a request carries for `call_id`.
fn call_output(body: &Value, call_id: &str) -> Value {
    body["input"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|item| item["type"] == "function_call_output" && item["call_id"] == call_id)
        .cloned()
        .unwrap_or(Value::Null)
}

/// The offered tool named `name`.
fn offered(body: &Value, name: &str) -> Value {
    body["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|tool| tool["name"] == name)
        .cloned()
        .unwrap_or(Value::Null)
}

/// The item notifications of the `dynamicToolCall` items among `messages`, stamps removed.
fn host_tool_items(messages: &mut [Value], since_ms: i64) -> Vec<Value> {
    strip_item_stamps(messages, since_ms).unwrap();
    messages
        .iter()
        .filter(|message| message["params"]["item"]["type"] == "dynamicToolCall")
        .cloned()
        .collect()
}

fn item_notification(method: &str, thread_id: &str, turn_id: &str, item: Value) -> Value {
    json!({"method": method, "params": {"item": item, "threadId": thread_id, "turnId": turn_id}})
}

fn lookup_item(status: &str, content_items: Value, success: Value) -> Value {
    json!({"type": "dynamicToolCall", "id": "call_1", "namespace": null, "tool": "lookup_ticket",
           "arguments": {"id": "ABC-1"}, "status": status, "contentItems": content_items,
           "success": success, "durationMs": null})
}

/// `durationMs` set on a completed item, then nulled so the item compares whole.
fn without_duration(mut items: Vec<Value>) -> Vec<Value> {
    for message in &mut items {
        let completed = message["method"] == "item/completed";
        let item = &mut message["params"]["item"];
        if completed {
            assert!(item["durationMs"].as_i64().is_some(), "{item}");
        }
        item["durationMs"] = Value::Null;
    }
    items
}

fn png_data_url() -> String {
    let mut png = std::io::Cursor::new(Vec::new());
    image::RgbImage::from_pixel(2, 2, image::Rgb([9, 9, 9]))
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png.into_inner())
    )
}

#[tokio::test]
async fn a_host_tool_is_offered_called_and_its_answer_reaches_the_model() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    lookup_then_answer(&model);
    let (mut server, thread_id) = start(&model).await?;
    let since = now_unix_ms();
    let turn_id = start_turn(&mut server, &thread_id).await?;

    let request = server.read_server_request("item/tool/call").await?;
    assert_eq!(
        request["params"],
        json!({"threadId": thread_id, "turnId": turn_id, "callId": "call_1", "namespace": null,
               "tool": "lookup_ticket", "arguments": {"id": "ABC-1"}})
    );
    let image = png_data_url();
    let answer = json!({"contentItems": [
        {"type": "inputText", "text": "ticket open"},
        {"type": "inputImage", "imageUrl": image},
    ], "success": true});
    server.answer(&request, answer.clone()).await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");

    let bodies = request_bodies(&model).await;
    // Offered as upstream 0.171 offers them: after our function tools, before the hosted web search.
    assert_eq!(
        offered(&bodies[0], "lookup_ticket"),
        json!({"type": "function", "name": "lookup_ticket", "description": "Look up a ticket.",
               "strict": false, "parameters": ticket_schema()})
    );
    assert_eq!(
        offered(&bodies[0], "close_ticket"),
        json!({"type": "function", "name": "close_ticket", "description": "Close a ticket.",
               "strict": false, "parameters": {"type": "object", "properties": {}}})
    );
    let kinds: Vec<Value> = bodies[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool.get("name").unwrap_or(&tool["type"]).clone())
        .collect();
    let host_at = kinds
        .iter()
        .position(|kind| kind == "lookup_ticket")
        .unwrap();
    assert_eq!(kinds[host_at - 1], "view_image", "{kinds:?}");
    assert_eq!(kinds[host_at + 1], "close_ticket", "{kinds:?}");
    assert_eq!(
        call_output(&bodies[1], "call_1"),
        json!({"type": "function_call_output", "call_id": "call_1", "output": [
            {"type": "input_text", "text": "ticket open"},
            {"type": "input_image", "image_url": image, "detail": "high"},
        ]})
    );

    let mut messages = server.take_buffered();
    assert_eq!(
        without_duration(host_tool_items(&mut messages, since)),
        vec![
            item_notification(
                "item/started",
                &thread_id,
                &turn_id,
                lookup_item("inProgress", Value::Null, Value::Null)
            ),
            item_notification(
                "item/completed",
                &thread_id,
                &turn_id,
                lookup_item("completed", answer["contentItems"].clone(), json!(true))
            ),
        ]
    );
    // As upstream: an answered request is not announced as resolved.
    assert!(
        !messages
            .iter()
            .any(|message| message["method"] == "serverRequest/resolved"),
        "{messages:?}"
    );
    Ok(())
}

#[tokio::test]
async fn a_failure_a_host_error_and_a_malformed_answer_fail_the_item() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model).await?;
    let answers = [
        (
            json!({"result": {"contentItems": [{"type": "inputText", "text": "no such ticket"}], "success": false}}),
            "no such ticket",
        ),
        (
            json!({"error": {"code": -32000, "message": "the host broke"}}),
            "dynamic tool request failed",
        ),
        (
            json!({"result": {"content": "not a tool result"}}),
            "dynamic tool response was invalid",
        ),
    ];
    for (index, (answer, told)) in answers.into_iter().enumerate() {
        lookup_then_answer(&model);
        let since = now_unix_ms();
        let turn_id = start_turn(&mut server, &thread_id).await?;
        let request = server.read_server_request("item/tool/call").await?;
        let mut reply = answer;
        reply["id"] = request["id"].clone();
        server.send_json(&reply).await?;
        let completed = server.read_notification("turn/completed").await?;
        assert_eq!(completed["params"]["turn"]["status"], "completed");

        let body = &request_bodies(&model).await[2 * index + 1];
        assert_eq!(call_output(body, "call_1")["output"], json!(told));
        let mut messages = server.take_buffered();
        let items = without_duration(host_tool_items(&mut messages, since));
        assert_eq!(
            items[1],
            item_notification(
                "item/completed",
                &thread_id,
                &turn_id,
                lookup_item(
                    "failed",
                    json!([{"type": "inputText", "text": told}]),
                    json!(false)
                )
            )
        );
    }
    Ok(())
}

#[tokio::test]
async fn an_interrupt_withdraws_the_request_and_ends_the_turn() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    lookup_then_answer(&model);
    let (mut server, thread_id) = start(&model).await?;
    let since = now_unix_ms();
    let turn_id = start_turn(&mut server, &thread_id).await?;
    let request = server.read_server_request("item/tool/call").await?;

    server
        .call(
            "turn/interrupt",
            json!({"threadId": thread_id, "turnId": turn_id}),
        )
        .await?;
    let resolved = server.read_notification("serverRequest/resolved").await?;
    assert_eq!(
        resolved["params"],
        json!({"threadId": thread_id, "requestId": request["id"]})
    );
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "interrupted");
    let mut messages = server.take_buffered();
    assert_eq!(
        without_duration(host_tool_items(&mut messages, since))[1],
        item_notification(
            "item/completed",
            &thread_id,
            &turn_id,
            lookup_item("failed", json!([]), json!(false))
        )
    );

    // A late answer changes nothing; the next turn tells the model the call was cancelled.
    server
        .answer(&request, json!({"contentItems": [], "success": true}))
        .await?;
    start_turn(&mut server, &thread_id).await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    let bodies = request_bodies(&model).await;
    assert_eq!(
        call_output(&bodies[1], "call_1")["output"],
        json!("dynamic tool call was cancelled before receiving a response")
    );
    Ok(())
}

#[tokio::test]
async fn the_calls_of_one_response_are_asked_at_once() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call("call_1", "lookup_ticket", r#"{"id":"A"}"#),
            sse::function_call("call_2", "close_ticket", "{}"),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
    let (mut server, thread_id) = start(&model).await?;
    start_turn(&mut server, &thread_id).await?;
    let first = server.read_server_request("item/tool/call").await?;
    let second = server.read_server_request("item/tool/call").await?;
    assert_eq!(
        (&first["params"]["callId"], &second["params"]["callId"]),
        (&json!("call_1"), &json!("call_2"))
    );
    for (request, text) in [(&second, "closed"), (&first, "open")] {
        let answer =
            json!({"contentItems": [{"type": "inputText", "text": text}], "success": true});
        server.answer(request, answer).await?;
    }
    server.read_notification("turn/completed").await?;
    let bodies = request_bodies(&model).await;
    assert_eq!(call_output(&bodies[1], "call_1")["output"], json!("open"));
    assert_eq!(call_output(&bodies[1], "call_2")["output"], json!("closed"));
    Ok(())
}

#[tokio::test]
async fn the_tools_outlive_a_restart_and_carry_over_to_a_fork() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    lookup_then_answer(&model);
    let (mut server, thread_id) = start(&model).await?;
    start_turn(&mut server, &thread_id).await?;
    let request = server.read_server_request("item/tool/call").await?;
    let answer = json!({"contentItems": [{"type": "inputText", "text": "open"}], "success": true});
    server.answer(&request, answer).await?;
    server.read_notification("turn/completed").await?;
    // The rollout keeps them as upstream 0.171 writes them.
    let meta = server.rollout_records()?[0]["payload"]["dynamic_tools"].clone();
    assert_eq!(
        meta,
        json!([
            {"type": "function", "name": "lookup_ticket", "description": "Look up a ticket.", "inputSchema": ticket_schema()},
            {"type": "function", "name": "close_ticket", "description": "Close a ticket.", "inputSchema": {"type": "object"}},
        ])
    );

    let codex_home = server.into_codex_home().await?;
    let mut server = AppServer::spawn_in(codex_home, options(&model)).await?;
    server.initialize().await?;
    let resumed = server
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    let items = resumed["thread"]["turns"][0]["items"].as_array().unwrap();
    let mut call = items
        .iter()
        .find(|item| item["type"] == "dynamicToolCall")
        .cloned()
        .unwrap();
    call["durationMs"] = Value::Null;
    assert_eq!(
        call,
        lookup_item(
            "completed",
            json!([{"type": "inputText", "text": "open"}]),
            json!(true)
        )
    );
    model.push_response(MockResponse::assistant_message(&["again"], None));
    start_turn(&mut server, &thread_id).await?;
    server.read_notification("turn/completed").await?;
    let forked = server
        .call("thread/fork", json!({"threadId": thread_id}))
        .await?;
    let fork_id = forked["thread"]["id"].as_str().unwrap().to_string();
    model.push_response(MockResponse::assistant_message(&["forked"], None));
    start_turn(&mut server, &fork_id).await?;
    server.read_notification("turn/completed").await?;

    let bodies = request_bodies(&model).await;
    for body in &bodies[2..] {
        assert_eq!(
            offered(body, "lookup_ticket")["parameters"],
            ticket_schema()
        );
        assert_eq!(offered(body, "close_ticket")["name"], "close_ticket");
    }
    Ok(())
}

#[tokio::test]
async fn what_is_not_offered_is_refused_naming_the_field() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(options(&model)).await?;
    server.initialize_experimental().await?;
    let tool =
        |name: &str| json!({"name": name, "description": "d", "inputSchema": {"type": "object"}});
    let refusals = [
        (
            json!([tool("lookup"), tool("lookup")]),
            "`dynamicTools[1].name` is invalid: duplicate dynamic tool name: lookup",
        ),
        (
            json!([tool("lookup"), {"type": "function", "name": "other", "description": "d", "inputSchema": {}}]),
            "`dynamicTools[1].type` is invalid: dynamic tools must use either canonical or legacy format consistently",
        ),
        (
            json!([tool("shell_command")]),
            "`dynamicTools[0].name` is invalid: dynamic tool name is the name of a built-in tool: shell_command",
        ),
        (
            json!([tool("a.b")]),
            "`dynamicTools[0].name` is invalid: dynamic tool name must match ^[a-zA-Z0-9_-]+$ to match Responses API: a.b",
        ),
        (
            json!([tool("mcp__x")]),
            "`dynamicTools[0].name` is invalid: dynamic tool name is reserved: mcp__x",
        ),
        (
            json!([{"name": "a", "description": "d", "inputSchema": {"type": "null"}}]),
            "`dynamicTools[0].inputSchema` is invalid: dynamic tool input schema is not supported for a: tool input schema must not be a singleton null type",
        ),
        (
            json!([{"type": "namespace", "name": "ns", "description": "N", "tools": [tool("a")]}]),
            "`dynamicTools[0].type` is not supported by this server (namespaces of host tools are not offered; declare each tool as a function)",
        ),
        (
            json!([{"name": "a", "description": "d", "inputSchema": {}, "deferLoading": true}]),
            "`dynamicTools[0].deferLoading` is not supported by this server (host tools are always offered to the model; there is no tool search to load them)",
        ),
    ];
    for (tools, message) in refusals {
        let id = server
            .send_request("thread/start", json!({"dynamicTools": tools}))
            .await?;
        let response = server.read_response(id).await?;
        assert_eq!(
            response["error"],
            json!({"code": -32602, "message": format!("Invalid params: thread/start: {message}")}),
            "{tools}"
        );
    }
    // 0.105's untagged declarations alone are fine.
    let started = server
        .call(
            "thread/start",
            json!({"dynamicTools": [tool("lookup"), tool("other")]}),
        )
        .await?;
    assert!(started["thread"]["id"].is_string(), "{started}");
    Ok(())
}

/// Runs one turn in which the model calls `lookup_ticket` and the host answers `open`.
async fn answered_call_turn(
    server: &mut AppServer,
    model: &MockModelServer,
    thread_id: &str,
) -> anyhow::Result<()> {
    lookup_then_answer(model);
    start_turn(server, thread_id).await?;
    let request = server.read_server_request("item/tool/call").await?;
    let answer = json!({"contentItems": [{"type": "inputText", "text": "open"}], "success": true});
    server.answer(&request, answer).await?;
    server.read_notification("turn/completed").await?;
    Ok(())
}

#[tokio::test]
async fn threads_with_host_tools_move_between_upstream_0171_and_us() -> anyhow::Result<()> {
    let upstream = codex_app_server_tests::upstream::upstream_codex(
        codex_app_server_tests::upstream::UPSTREAM_0_171,
    )?;
    let model = MockModelServer::start().await;
    let spawn_upstream = |codex_home| {
        AppServer::spawn_program_in(&upstream, &["app-server"], codex_home, options(&model))
    };

    // Upstream writes a thread with a host tool call; we resume it, show the call and offer the tools.
    let mut theirs = spawn_upstream(tempfile::tempdir()?).await?;
    theirs.initialize_experimental().await?;
    let started = theirs
        .call("thread/start", json!({"dynamicTools": host_tools()}))
        .await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    answered_call_turn(&mut theirs, &model, &thread_id).await?;
    let mut ours = AppServer::spawn_in(theirs.into_codex_home().await?, options(&model)).await?;
    ours.initialize().await?;
    let resumed = ours
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    let items = resumed["thread"]["turns"][0]["items"].as_array().unwrap();
    let call = items.iter().find(|item| item["type"] == "dynamicToolCall");
    assert_eq!(
        call.map(|call| (&call["tool"], &call["status"], &call["contentItems"])),
        Some((
            &json!("lookup_ticket"),
            &json!("completed"),
            &json!([{"type": "inputText", "text": "open"}])
        ))
    );
    model.push_response(MockResponse::assistant_message(&["ours"], None));
    start_turn(&mut ours, &thread_id).await?;
    ours.read_notification("turn/completed").await?;
    let body = request_bodies(&model).await.pop().unwrap();
    assert_eq!(
        offered(&body, "lookup_ticket")["parameters"],
        ticket_schema()
    );
    assert_eq!(call_output(&body, "call_1")["output"], json!("open"));

    // We write one; upstream resumes it and offers the tools we stored.
    let (mut ours, our_thread) = start(&model).await?;
    answered_call_turn(&mut ours, &model, &our_thread).await?;
    let mut theirs = spawn_upstream(ours.into_codex_home().await?).await?;
    theirs.initialize_experimental().await?;
    theirs
        .call("thread/resume", json!({"threadId": our_thread}))
        .await?;
    model.push_response(MockResponse::assistant_message(&["theirs"], None));
    start_turn(&mut theirs, &our_thread).await?;
    theirs.read_notification("turn/completed").await?;
    let body = request_bodies(&model).await.pop().unwrap();
    assert_eq!(
        offered(&body, "close_ticket"),
        json!({"type": "function", "name": "close_ticket", "description": "Close a ticket.",
               "strict": false, "parameters": {"type": "object", "properties": {}}})
    );
    Ok(())
}

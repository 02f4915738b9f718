//! MCP servers' tools through the real binary and the MCP test server (`mcp_test_server`, stdio): the
//! start-up states after `thread/start`, the tools offered under upstream's names and schemas, a call
//! through the model (its `mcpToolCall` item, its progress, the output the model reads), the approval
//! asked with `mcpServer/elicitation/request`, a server's own question (elicitation), and the resource
//! tools.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::now_unix_ms;
use codex_app_server_tests::app_server::strip_item_stamps;
use codex_app_server_tests::mcp_server::stdio_server_flags;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// A daemon whose config has the test server as `test` (with `args` and `extra` keys), under `policy`.
async fn start(
    model: &MockModelServer,
    args: &[&str],
    extra: &[(&str, &str)],
    policy: &str,
) -> anyhow::Result<(AppServer, String)> {
    let mut flags = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    flags.extend(stdio_server_flags("test", args, extra));
    flags.extend(["-c".to_string(), format!("approval_policy=\"{policy}\"")]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: flags,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    Ok((server, thread_id))
}

/// The model calls `name` with `arguments` (`call_1`), then answers.
fn model_calls(model: &MockModelServer, name: &str, arguments: Value) {
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call("call_1", name, &arguments.to_string()),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
}

async fn run_turn(server: &mut AppServer, thread_id: &str) -> anyhow::Result<String> {
    let started = server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "go", "text_elements": []}]}),
        )
        .await?;
    Ok(started["turn"]["id"].as_str().unwrap().to_string())
}

/// The `item/completed` of turn `turn_id`'s `mcpToolCall` item.
async fn mcp_completed(server: &mut AppServer, turn_id: &str) -> anyhow::Result<Value> {
    server
        .read_until(|m| {
            m["method"] == "item/completed"
                && m["params"]["turnId"] == turn_id
                && m["params"]["item"]["type"] == "mcpToolCall"
        })
        .await
}

async fn bodies(model: &MockModelServer) -> Vec<Value> {
    model.responses_request_bodies().await
}

fn call_output(body: &Value) -> Value {
    body["input"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|item| item["type"] == "function_call_output" && item["call_id"] == "call_1")
        .map(|item| item["output"].clone())
        .unwrap_or(Value::Null)
}

/// The output's parts with the wall time (which varies) checked and replaced.
fn without_wall_time(mut output: Value) -> Value {
    let first = &mut output[0]["text"];
    let text = first.as_str().unwrap_or_default();
    assert!(
        text.starts_with("Wall time: ") && text.ends_with(" seconds\nOutput:"),
        "{text}"
    );
    *first = json!("Wall time: <t>\nOutput:");
    output
}

/// The `mcpToolCall` item notifications among the buffered messages, stamps and durations removed.
fn mcp_items(server: &mut AppServer, since: i64) -> Vec<Value> {
    let mut messages = server.take_buffered();
    strip_item_stamps(&mut messages, since).unwrap();
    messages
        .into_iter()
        .filter(|m| {
            m["params"]["item"]["type"] == "mcpToolCall"
                || m["method"] == "item/mcpToolCall/progress"
        })
        .map(|mut m| {
            if m["method"] == "item/completed" {
                assert!(m["params"]["item"]["durationMs"].as_i64().is_some(), "{m}");
                m["params"]["item"]["durationMs"] = Value::Null;
            }
            m
        })
        .collect()
}

fn echo_item(status: &str, result: Value, error: Value) -> Value {
    json!({"type": "mcpToolCall", "id": "call_1", "server": "test", "tool": "echo", "status": status,
           "arguments": {"text": "hi"}, "result": result, "error": error, "durationMs": null})
}

#[tokio::test]
async fn a_tool_is_offered_called_through_the_model_and_its_result_reaches_it() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(
        &model,
        &["--tools", "echo,loose_schema"],
        &[("default_tools_approval_mode", "\"approve\"")],
        "on-request",
    )
    .await?;
    let starting = server
        .read_notification("mcpServer/startupStatus/updated")
        .await?;
    let ready = server
        .read_notification("mcpServer/startupStatus/updated")
        .await?;
    assert_eq!(
        [starting["params"].clone(), ready["params"].clone()],
        [
            json!({"name": "test", "status": "starting", "threadId": thread_id}),
            json!({"name": "test", "status": "ready", "threadId": thread_id}),
        ]
    );
    model_calls(&model, "mcp__test__echo", json!({"text": "hi"}));
    let since = now_unix_ms();
    let turn_id = run_turn(&mut server, &thread_id).await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;

    let bodies = bodies(&model).await;
    let tools = bodies[0]["tools"].as_array().unwrap();
    let offered = |name: &str| {
        tools
            .iter()
            .find(|t| t["name"] == name)
            .cloned()
            .unwrap_or(Value::Null)
    };
    assert_eq!(
        offered("mcp__test__echo"),
        json!({"type": "function", "name": "mcp__test__echo",
               "description": "Echoes the text back, prefixed with `echo: `.", "strict": false,
               "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}})
    );
    // Reduced as upstream 0.171 reduces it: an untyped property is `{}`, an array gets string items.
    assert_eq!(
        offered("mcp__test__loose_schema")["parameters"],
        json!({"type": "object", "properties": {"count": {"type": "integer"}, "anything": {},
               "choice": {"anyOf": [{"type": "string"}, {"type": "number"}]},
               "items": {"type": "array", "items": {"type": "string"}}}})
    );
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    assert_eq!(
        names[names.len() - 2..],
        ["mcp__test__echo", "mcp__test__loose_schema"],
        "MCP tools come last, by name: {names:?}"
    );
    assert!(names.contains(&"read_mcp_resource"), "{names:?}");
    assert_eq!(
        without_wall_time(call_output(&bodies[1])),
        json!([{"type": "input_text", "text": "Wall time: <t>\nOutput:"},
               {"type": "input_text", "text": "echo: hi"}])
    );
    let result = json!({"content": [{"type": "text", "text": "echo: hi"}], "structuredContent": null, "_meta": null});
    // The turn keeps the item: `thread/read` shows it as it completed.
    let read = server
        .call(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    let kept: Vec<Value> = read["thread"]["turns"][0]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["type"] == "mcpToolCall")
        .map(|item| {
            let mut item = item.clone();
            item["durationMs"] = Value::Null;
            item
        })
        .collect();
    assert_eq!(
        kept,
        vec![echo_item("completed", result.clone(), Value::Null)]
    );
    assert_eq!(
        mcp_items(&mut server, since),
        vec![
            json!({"method": "item/started", "params": {"threadId": thread_id, "turnId": turn_id,
                   "item": echo_item("inProgress", Value::Null, Value::Null)}}),
            json!({"method": "item/completed", "params": {"threadId": thread_id, "turnId": turn_id,
                   "item": echo_item("completed", result, Value::Null)}}),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn progress_is_reported_on_the_item_before_it_completes() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(
        &model,
        &["--tools", "progress"],
        &[("default_tools_approval_mode", "\"approve\"")],
        "never",
    )
    .await?;
    model_calls(&model, "mcp__test__progress", json!({"steps": 3}));
    let since = now_unix_ms();
    let turn_id = run_turn(&mut server, &thread_id).await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    let methods: Vec<(String, Value)> = mcp_items(&mut server, since)
        .into_iter()
        .map(|m| {
            (
                m["method"].as_str().unwrap().to_string(),
                m["params"]["message"].clone(),
            )
        })
        .collect();
    let progress = |n: u32| {
        (
            "item/mcpToolCall/progress".to_string(),
            json!(format!("step {n} of 3")),
        )
    };
    assert_eq!(
        methods,
        vec![
            ("item/started".to_string(), Value::Null),
            progress(1),
            progress(2),
            progress(3),
            ("item/completed".to_string(), Value::Null),
        ]
    );
    assert_eq!(
        without_wall_time(call_output(&bodies(&model).await[1]))[1],
        json!({"type": "input_text", "text": "done after 3 steps"})
    );
    Ok(())
}

#[tokio::test]
async fn a_tool_that_may_change_things_asks_first_and_a_decline_reaches_the_model()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(
        &model,
        &["--tools", "echo,read_only_lookup"],
        &[],
        "on-request",
    )
    .await?;
    model_calls(&model, "mcp__test__echo", json!({"text": "hi"}));
    let turn_id = run_turn(&mut server, &thread_id).await?;
    let request = server
        .read_server_request("mcpServer/elicitation/request")
        .await?;
    assert_eq!(
        request["params"],
        json!({"threadId": thread_id, "turnId": turn_id, "serverName": "test", "mode": "form",
               "message": "Allow the test MCP server to run tool \"echo\"?",
               "requestedSchema": {"type": "object", "properties": {}},
               "_meta": {"codex_approval_kind": "mcp_tool_call", "persist": ["session", "always"],
                         "tool_name": "echo", "tool_params": {"text": "hi"},
                         "tool_description": "Echoes the text back, prefixed with `echo: `."}})
    );
    // The thread shows it waits for the answer.
    server
        .read_until(|m| {
            m["method"] == "thread/status/changed"
                && m["params"]["status"]["activeFlags"] == json!(["waitingOnApproval"])
        })
        .await?;
    server
        .answer(&request, json!({"action": "decline"}))
        .await?;
    let completed = mcp_completed(&mut server, &turn_id).await?;
    assert_eq!(
        completed["params"]["item"]["error"],
        json!({"message": "user rejected MCP tool call"})
    );
    assert_eq!(completed["params"]["item"]["status"], "failed");
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(
        without_wall_time(call_output(&bodies(&model).await[1]))[1],
        json!({"type": "input_text", "text": "user rejected MCP tool call"})
    );

    // Accepted for the session: the next call runs without asking; a read-only tool never asks.
    model_calls(&model, "mcp__test__echo", json!({"text": "hi"}));
    let turn_id = run_turn(&mut server, &thread_id).await?;
    let request = server
        .read_server_request("mcpServer/elicitation/request")
        .await?;
    server
        .answer(
            &request,
            json!({"action": "accept", "_meta": {"persist": "session"}}),
        )
        .await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    for (name, arguments) in [
        ("mcp__test__echo", json!({"text": "again"})),
        ("mcp__test__read_only_lookup", json!({"key": "k"})),
    ] {
        model_calls(&model, name, arguments);
        let turn_id = run_turn(&mut server, &thread_id).await?;
        let completed = mcp_completed(&mut server, &turn_id).await?;
        assert_eq!(
            completed["params"]["item"]["status"], "completed",
            "{completed}"
        );
        server
            .read_turn_notification("turn/completed", &turn_id)
            .await?;
    }
    let asked = server
        .take_buffered()
        .iter()
        .filter(|m| m["method"] == "mcpServer/elicitation/request")
        .count();
    assert_eq!(asked, 0);
    Ok(())
}

#[tokio::test]
async fn under_approval_policy_never_a_call_that_needs_approval_is_refused() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) =
        start(&model, &["--tools", "delete_everything"], &[], "never").await?;
    model_calls(&model, "mcp__test__delete_everything", json!({}));
    let turn_id = run_turn(&mut server, &thread_id).await?;
    let completed = mcp_completed(&mut server, &turn_id).await?;
    assert_eq!(
        completed["params"]["item"]["error"],
        json!({"message": "MCP tool call requires approval, but approval policy is never"})
    );
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_servers_question_reaches_the_host_and_its_answer_the_server() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(
        &model,
        &["--tools", "elicit"],
        &[("default_tools_approval_mode", "\"approve\"")],
        "on-request",
    )
    .await?;
    model_calls(
        &model,
        "mcp__test__elicit",
        json!({"message": "Who are you?"}),
    );
    let turn_id = run_turn(&mut server, &thread_id).await?;
    let request = server
        .read_server_request("mcpServer/elicitation/request")
        .await?;
    assert_eq!(
        request["params"],
        json!({"threadId": thread_id, "turnId": turn_id, "serverName": "test", "mode": "form",
               "_meta": null, "message": "Who are you?",
               "requestedSchema": {"type": "object", "properties": {"name": {"type": "string", "title": "Name"}},
                                   "required": ["name"]}})
    );
    server
        .answer(
            &request,
            json!({"action": "accept", "content": {"name": "Ada"}}),
        )
        .await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(
        without_wall_time(call_output(&bodies(&model).await[1]))[1],
        json!({"type": "input_text", "text": "action=accept content={\"name\":\"Ada\"}"})
    );
    Ok(())
}

#[tokio::test]
async fn the_model_lists_and_reads_resources() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model, &["--tools", "echo"], &[], "never").await?;
    model_calls(
        &model,
        "read_mcp_resource",
        json!({"server": "test", "uri": "test://readme"}),
    );
    let turn_id = run_turn(&mut server, &thread_id).await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    let output: Value =
        serde_json::from_str(call_output(&bodies(&model).await[1]).as_str().unwrap())?;
    assert_eq!(
        output,
        json!({"server": "test", "uri": "test://readme", "contents": [
            {"uri": "test://readme", "mimeType": "text/plain", "text": "Read me: hello from the test server"}]})
    );
    model_calls(&model, "list_mcp_resource_templates", json!({}));
    let turn_id = run_turn(&mut server, &thread_id).await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    let output: Value =
        serde_json::from_str(call_output(&bodies(&model).await[3]).as_str().unwrap())?;
    assert_eq!(
        output["resourceTemplates"][0]["uriTemplate"],
        "test://files/{name}"
    );
    assert_eq!(output["resourceTemplates"][0]["server"], "test");
    Ok(())
}

#[tokio::test]
async fn a_call_in_upstream_0171s_namespaced_form_reaches_the_same_tool() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(
        &model,
        &["--tools", "echo"],
        &[("default_tools_approval_mode", "\"approve\"")],
        "never",
    )
    .await?;
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::namespaced_function_call("call_1", "mcp__test", "echo", r#"{"text":"hi"}"#),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
    let turn_id = run_turn(&mut server, &thread_id).await?;
    let completed = mcp_completed(&mut server, &turn_id).await?;
    assert_eq!(completed["params"]["item"]["status"], "completed");
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    let body = &bodies(&model).await[1];
    // The call goes back to the model as it made it, namespace included.
    let call = body["input"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["type"] == "function_call")
        .cloned();
    assert_eq!(
        call,
        Some(
            json!({"type": "function_call", "name": "echo", "namespace": "mcp__test",
                    "arguments": "{\"text\":\"hi\"}", "call_id": "call_1"})
        )
    );
    Ok(())
}

#[tokio::test]
async fn a_streamable_http_servers_tool_is_called_with_its_bearer_token() -> anyhow::Result<()> {
    use codex_app_server_tests::mcp_server::HttpMcpServer;
    let model = MockModelServer::start().await;
    let http = HttpMcpServer::spawn(&["--bearer-token", "s3cret", "--tools", "add"]).await?;
    let mut flags = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    flags.extend([
        "-c".to_string(),
        format!(
            "mcp_servers.remote={{url=\"{}\",bearer_token_env_var=\"REMOTE_TOKEN\",\
             default_tools_approval_mode=\"approve\"}}",
            http.url
        ),
    ]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: flags,
        env: vec![("REMOTE_TOKEN".to_string(), "s3cret".to_string())],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    model_calls(&model, "mcp__remote__add", json!({"a": 2, "b": 40}));
    let turn_id = run_turn(&mut server, &thread_id).await?;
    let completed = mcp_completed(&mut server, &turn_id).await?;
    assert_eq!(
        completed["params"]["item"]["result"],
        json!({"content": [{"type": "text", "text": "42"}], "structuredContent": {"sum": 42}, "_meta": null})
    );
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    let output = call_output(&bodies(&model).await[1]);
    let text = output.as_str().unwrap();
    assert!(
        text.starts_with("Wall time: ") && text.ends_with(" seconds\nOutput:\n{\"sum\":42}"),
        "{text}"
    );
    Ok(())
}

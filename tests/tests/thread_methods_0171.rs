//! The thread methods upstream 0.171 added, through the real binary: `thread/inject_items` (the next request
//! carries the items, history reads do not show them, a restart keeps them), `thread/turns/list` and
//! `thread/items/list` (pages both ways), `thread/delete` (`thread/deleted`), `thread/metadata/update`
//! (kept across a restart) and `thread/shellCommand` (a turn of its own, unsandboxed, interruptible).

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

async fn spawn_in(model: &MockModelServer, home: tempfile::TempDir) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_in(
        home,
        AppServerOptions {
            args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
            ..AppServerOptions::default()
        },
    )
    .await?;
    server.initialize().await?;
    Ok(server)
}

async fn spawn(model: &MockModelServer) -> anyhow::Result<AppServer> {
    spawn_in(model, tempfile::tempdir()?).await
}

/// Sends a request and returns its `result`, failing on an error answer.
async fn call(server: &mut AppServer, method: &str, params: Value) -> anyhow::Result<Value> {
    let id = server.send_request(method, params).await?;
    let response = server.read_response(id).await?;
    match response.get("result") {
        Some(result) => Ok(result.clone()),
        None => anyhow::bail!("{method} answered {response}"),
    }
}

/// Sends a request that must fail and returns its `error`.
async fn call_error(server: &mut AppServer, method: &str, params: Value) -> anyhow::Result<Value> {
    let id = server.send_request(method, params).await?;
    let response = server.read_response(id).await?;
    match response.get("error") {
        Some(error) => Ok(error.clone()),
        None => anyhow::bail!("{method} unexpectedly answered {response}"),
    }
}

/// Runs one turn with `text` and returns its `turn/completed` notification.
async fn run_turn(server: &mut AppServer, thread_id: &str, text: &str) -> anyhow::Result<Value> {
    call(
        server,
        "turn/start",
        json!({"threadId": thread_id, "input": [{"type": "text", "text": text, "text_elements": []}]}),
    )
    .await?;
    server
        .read_until(|message| {
            message["method"] == "turn/completed" && message["params"]["threadId"] == thread_id
        })
        .await
}

/// The last `count` input items of the model's latest request.
async fn last_request_input(model: &MockModelServer, count: usize) -> anyhow::Result<Vec<Value>> {
    let requests = model.responses_requests().await;
    let request = requests
        .last()
        .ok_or_else(|| anyhow::anyhow!("the model saw no request"))?;
    let input = request
        .body_json
        .as_ref()
        .and_then(|body| body["input"].as_array())
        .cloned()
        .unwrap_or_default();
    Ok(input[input.len().saturating_sub(count)..].to_vec())
}

fn user_text(text: &str) -> Value {
    json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]})
}

fn error(code: i64, message: &str) -> Value {
    json!({"code": code, "message": message})
}

#[tokio::test]
async fn injected_items_reach_the_next_request_survive_a_restart_and_stay_out_of_history()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["Answer."], None));
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(workspace.path()).await?;

    let injected = vec![
        user_text("Background the host supplied."),
        json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Noted."}]}),
    ];
    let answer = call(
        &mut server,
        "thread/inject_items",
        json!({"threadId": thread_id, "items": injected}),
    )
    .await?;
    assert_eq!(answer, json!({}));

    run_turn(&mut server, &thread_id, "Question").await?;
    let mut expected_input = injected.clone();
    expected_input.push(user_text("Question"));
    assert_eq!(last_request_input(&model, 3).await?, expected_input);
    let first_input = last_request_input(&model, usize::MAX).await?;

    let read = call(
        &mut server,
        "thread/read",
        json!({"threadId": thread_id, "includeTurns": true}),
    )
    .await?;
    let items: Vec<&str> = read["thread"]["turns"][0]["items"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item["type"].as_str())
        .collect();
    assert_eq!(items, vec!["userMessage", "agentMessage"]);

    // The rollout keeps the injected items: a resumed thread still sends them.
    let home = server.into_codex_home().await?;
    let mut restarted = spawn_in(&model, home).await?;
    call(
        &mut restarted,
        "thread/resume",
        json!({"threadId": thread_id}),
    )
    .await?;
    run_turn(&mut restarted, &thread_id, "Again").await?;
    let mut expected_again = first_input;
    expected_again.push(
        json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Answer."}]}),
    );
    expected_again.push(user_text("Again"));
    assert_eq!(
        last_request_input(&model, usize::MAX).await?,
        expected_again
    );
    Ok(())
}

#[tokio::test]
async fn inject_items_refuses_unknown_threads_and_bad_items() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(workspace.path()).await?;

    let unknown = call_error(
        &mut server,
        "thread/inject_items",
        json!({"threadId": "no-such-thread", "items": [user_text("x")]}),
    )
    .await?;
    assert_eq!(unknown, error(-32600, "thread not found: no-such-thread"));
    let empty = call_error(
        &mut server,
        "thread/inject_items",
        json!({"threadId": thread_id, "items": []}),
    )
    .await?;
    assert_eq!(empty, error(-32600, "items must not be empty"));
    let untyped = call_error(
        &mut server,
        "thread/inject_items",
        json!({"threadId": thread_id, "items": [user_text("fine"), {"bogus": 1}]}),
    )
    .await?;
    assert_eq!(
        untyped,
        error(
            -32600,
            "items[1] is not a valid response item: missing field `type`"
        )
    );
    let unknown_type = call_error(
        &mut server,
        "thread/inject_items",
        json!({"threadId": thread_id, "items": [{"type": "image_generation_call", "result": "x"}]}),
    )
    .await?;
    assert_eq!(
        unknown_type,
        error(
            -32600,
            "items[0] is not a valid response item: unsupported type `image_generation_call`"
        )
    );
    Ok(())
}

/// A thread with three completed turns; returns its id and its turns as `thread/read` shows them.
async fn thread_with_three_turns(
    server: &mut AppServer,
    workspace: &Path,
) -> anyhow::Result<(String, Vec<Value>)> {
    let thread_id = server.start_thread_in(workspace).await?;
    for text in ["one", "two", "three"] {
        run_turn(server, &thread_id, text).await?;
    }
    let read = call(
        server,
        "thread/read",
        json!({"threadId": thread_id, "includeTurns": true}),
    )
    .await?;
    let turns = read["thread"]["turns"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok((thread_id, turns))
}

fn listed(turn: &Value, view: &str) -> Value {
    let mut listed = turn.clone();
    listed["itemsView"] = json!(view);
    if view == "notLoaded" {
        listed["items"] = json!([]);
    }
    listed
}

#[tokio::test]
async fn turns_list_pages_newest_first_and_turns_around_with_the_backwards_cursor()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["Answer."], None));
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let (thread_id, turns) = thread_with_three_turns(&mut server, workspace.path()).await?;
    assert_eq!(turns.len(), 3);

    let first = call(
        &mut server,
        "thread/turns/list",
        json!({"threadId": thread_id, "limit": 2}),
    )
    .await?;
    assert_eq!(
        first["data"],
        json!([listed(&turns[2], "summary"), listed(&turns[1], "summary")])
    );
    let second = call(
        &mut server,
        "thread/turns/list",
        json!({"threadId": thread_id, "limit": 2, "cursor": first["nextCursor"], "itemsView": "notLoaded"}),
    )
    .await?;
    assert_eq!(
        second,
        json!({
            "data": [listed(&turns[0], "notLoaded")],
            "nextCursor": null,
            "backwardsCursor": second["backwardsCursor"],
        })
    );
    assert!(second["backwardsCursor"].is_string());

    // Turning around at the oldest turn includes it again, then walks forward.
    let forward = call(
        &mut server,
        "thread/turns/list",
        json!({"threadId": thread_id, "cursor": second["backwardsCursor"], "sortDirection": "asc", "itemsView": "full"}),
    )
    .await?;
    assert_eq!(
        forward["data"],
        json!([
            listed(&turns[0], "full"),
            listed(&turns[1], "full"),
            listed(&turns[2], "full")
        ])
    );
    assert_eq!(forward["nextCursor"], Value::Null);

    let bad_cursor = call_error(
        &mut server,
        "thread/turns/list",
        json!({"threadId": thread_id, "cursor": "garbage"}),
    )
    .await?;
    assert_eq!(bad_cursor, error(-32600, "invalid cursor: garbage"));
    let unknown = call_error(
        &mut server,
        "thread/turns/list",
        json!({"threadId": "no-such-thread"}),
    )
    .await?;
    assert_eq!(unknown, error(-32600, "thread not loaded: no-such-thread"));
    Ok(())
}

fn entry(turn: &Value, item: usize) -> Value {
    json!({
        "turnId": turn["id"],
        "item": turn["items"][item],
        "startedAtMs": null,
        "completedAtMs": null,
    })
}

#[tokio::test]
async fn items_list_pages_the_whole_thread_or_one_turn_from_a_stored_thread() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["Answer."], None));
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let (thread_id, turns) = thread_with_three_turns(&mut server, workspace.path()).await?;
    // Listing works on a stored thread too.
    let home = server.into_codex_home().await?;
    let mut server = spawn_in(&model, home).await?;

    let first = call(
        &mut server,
        "thread/items/list",
        json!({"threadId": thread_id, "limit": 4}),
    )
    .await?;
    assert_eq!(
        first["data"],
        json!([
            entry(&turns[0], 0),
            entry(&turns[0], 1),
            entry(&turns[1], 0),
            entry(&turns[1], 1)
        ])
    );
    let rest = call(
        &mut server,
        "thread/items/list",
        json!({"threadId": thread_id, "limit": 4, "cursor": first["nextCursor"]}),
    )
    .await?;
    assert_eq!(
        rest,
        json!({
            "data": [entry(&turns[2], 0), entry(&turns[2], 1)],
            "nextCursor": null,
            "backwardsCursor": rest["backwardsCursor"],
        })
    );

    let turn_id = turns[1]["id"].clone();
    let agent_item = turns[1]["items"][1]["id"].clone();
    let before_anchor = call(
        &mut server,
        "thread/items/list",
        json!({
            "threadId": thread_id,
            "turnId": turn_id,
            "cursor": {"type": "item", "itemId": agent_item},
            "sortDirection": "desc",
        }),
    )
    .await?;
    assert_eq!(before_anchor["data"], json!([entry(&turns[1], 0)]));
    assert_eq!(before_anchor["nextCursor"], Value::Null);

    let unknown_turn = call(
        &mut server,
        "thread/items/list",
        json!({"threadId": thread_id, "turnId": "no-such-turn"}),
    )
    .await?;
    assert_eq!(
        unknown_turn,
        json!({"data": [], "nextCursor": null, "backwardsCursor": null})
    );
    let anchor_without_turn = call_error(
        &mut server,
        "thread/items/list",
        json!({"threadId": thread_id, "cursor": {"type": "item", "itemId": agent_item}}),
    )
    .await?;
    assert_eq!(
        anchor_without_turn,
        error(
            -32602,
            "Invalid params: turnId is required when cursor is an item anchor"
        )
    );
    let turns_cursor = call(
        &mut server,
        "thread/turns/list",
        json!({"threadId": thread_id, "limit": 1}),
    )
    .await?;
    let wrong_list = call_error(
        &mut server,
        "thread/items/list",
        json!({"threadId": thread_id, "cursor": turns_cursor["nextCursor"]}),
    )
    .await?;
    assert_eq!(
        wrong_list,
        error(
            -32600,
            &format!(
                "invalid cursor: {}",
                turns_cursor["nextCursor"].as_str().unwrap_or_default()
            )
        )
    );
    Ok(())
}

fn rollout_path(thread: &Value) -> std::path::PathBuf {
    std::path::PathBuf::from(thread["path"].as_str().unwrap_or_default())
}

#[tokio::test]
async fn delete_unloads_removes_the_rollout_and_announces_it() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["Answer."], None));
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let loaded = server.start_thread_in(workspace.path()).await?;
    run_turn(&mut server, &loaded, "hello").await?;
    let stored = server.start_thread_in(workspace.path()).await?;
    run_turn(&mut server, &stored, "hello").await?;
    call(
        &mut server,
        "thread/unsubscribe",
        json!({"threadId": stored}),
    )
    .await?;
    server.read_notification("thread/closed").await?;
    let read = call(&mut server, "thread/read", json!({"threadId": loaded})).await?;
    let path = rollout_path(&read["thread"]);
    assert!(path.exists());

    server.take_buffered();
    let id = server
        .send_request("thread/delete", json!({"threadId": loaded}))
        .await?;
    let mut seen = Vec::new();
    while seen.len() < 3 {
        let message = server.read_message().await?;
        if message["method"] == "thread/status/changed"
            || message["method"] == "thread/deleted"
            || message["id"] == json!(id)
        {
            seen.push(message);
        }
    }
    assert_eq!(
        seen,
        vec![
            json!({"method": "thread/status/changed", "params": {"threadId": loaded, "status": {"type": "notLoaded"}}}),
            json!({"id": id, "result": {}}),
            json!({"method": "thread/deleted", "params": {"threadId": loaded}}),
        ]
    );
    assert!(!path.exists());

    // A stored thread is deleted without loading it.
    call(&mut server, "thread/delete", json!({"threadId": stored})).await?;
    assert_eq!(
        server.read_notification("thread/deleted").await?,
        json!({"method": "thread/deleted", "params": {"threadId": stored}})
    );
    let list = call(&mut server, "thread/list", json!({})).await?;
    assert_eq!(list, json!({"data": [], "nextCursor": null}));
    let again = call_error(&mut server, "thread/delete", json!({"threadId": loaded})).await?;
    assert_eq!(
        again,
        error(-32600, &format!("no rollout found for thread id {loaded}"))
    );
    let read_deleted = call_error(&mut server, "thread/read", json!({"threadId": loaded})).await?;
    assert_eq!(
        read_deleted,
        error(-32600, &format!("thread not loaded: {loaded}"))
    );
    Ok(())
}

#[tokio::test]
async fn metadata_update_patches_git_info_and_keeps_it_across_a_restart() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["Answer."], None));
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(workspace.path()).await?;
    run_turn(&mut server, &thread_id, "hello").await?;
    let before = call(&mut server, "thread/read", json!({"threadId": thread_id})).await?;

    let updated = call(
        &mut server,
        "thread/metadata/update",
        json!({"threadId": thread_id, "gitInfo": {"sha": "abc123", "branch": "feature", "originUrl": "https://example.com/repo.git"}}),
    )
    .await?;
    let mut expected = before["thread"].clone();
    expected["gitInfo"] =
        json!({"sha": "abc123", "branch": "feature", "originUrl": "https://example.com/repo.git"});
    assert_eq!(updated, json!({"thread": expected}));

    let home = server.into_codex_home().await?;
    let mut restarted = spawn_in(&model, home).await?;
    let read = call(
        &mut restarted,
        "thread/read",
        json!({"threadId": thread_id}),
    )
    .await?;
    expected["status"] = json!({"type": "notLoaded"});
    assert_eq!(read, json!({"thread": expected}));

    // A stored thread is patched in place: a field set to null is cleared, an omitted one kept.
    let cleared = call(
        &mut restarted,
        "thread/metadata/update",
        json!({"threadId": thread_id, "gitInfo": {"branch": null}}),
    )
    .await?;
    expected["gitInfo"] =
        json!({"sha": "abc123", "branch": null, "originUrl": "https://example.com/repo.git"});
    assert_eq!(cleared, json!({"thread": expected}));
    let list = call(&mut restarted, "thread/list", json!({})).await?;
    assert_eq!(list["data"][0]["gitInfo"], expected["gitInfo"]);
    let resumed = call(
        &mut restarted,
        "thread/resume",
        json!({"threadId": thread_id}),
    )
    .await?;
    assert_eq!(resumed["thread"]["gitInfo"], expected["gitInfo"]);
    Ok(())
}

#[tokio::test]
async fn metadata_update_refuses_empty_patches_and_unknown_threads() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(workspace.path()).await?;
    let cases = [
        (
            json!({"threadId": thread_id}),
            "thread metadata update must include at least one field",
        ),
        (
            json!({"threadId": thread_id, "gitInfo": {}}),
            "gitInfo must include at least one field",
        ),
        (
            json!({"threadId": thread_id, "gitInfo": {"branch": ""}}),
            "gitInfo.branch must not be empty",
        ),
        (
            json!({"threadId": "no-such-thread", "gitInfo": {"sha": "abc"}}),
            "no rollout found for thread id no-such-thread",
        ),
    ];
    for (params, message) in cases {
        let refused = call_error(&mut server, "thread/metadata/update", params).await?;
        assert_eq!(refused, error(-32600, message));
    }
    Ok(())
}

/// Collects a command item's output deltas until its `item/completed`, which it returns with them.
async fn command_output(server: &mut AppServer) -> anyhow::Result<(String, Value)> {
    let mut output = String::new();
    loop {
        let message = server
            .read_until(|message| {
                message["method"] == "item/commandExecution/outputDelta"
                    || message["method"] == "item/completed"
            })
            .await?;
        if message["method"] == "item/completed" {
            return Ok((output, message));
        }
        output.push_str(message["params"]["delta"].as_str().unwrap_or_default());
    }
}

#[tokio::test]
async fn shell_command_runs_unsandboxed_as_a_turn_and_the_model_sees_it() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["Answer."], None));
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    // The thread itself is read-only; the user's own command still writes.
    let id = server
        .send_request(
            "thread/start",
            json!({"cwd": workspace.path(), "sandbox": "read-only"}),
        )
        .await?;
    let started = server.read_response(id).await?;
    let thread_id = started["result"]["thread"]["id"].clone();
    let script = "echo one; echo two > written_by_user; cat written_by_user";
    let answer = call(
        &mut server,
        "thread/shellCommand",
        json!({"threadId": thread_id, "command": script}),
    )
    .await?;
    assert_eq!(answer, json!({}));
    let turn_started = server.read_notification("turn/started").await?;
    let turn_id = turn_started["params"]["turn"]["id"].clone();
    let item_started = server.read_notification("item/started").await?;
    let item_id = item_started["params"]["item"]["id"].clone();
    let mut item = json!({
        "type": "commandExecution",
        "id": item_id,
        "command": script,
        "cwd": workspace.path(),
        "processId": null,
        "status": "inProgress",
        "commandActions": [{"type": "unknown", "command": script}],
        "aggregatedOutput": null,
        "exitCode": null,
        "durationMs": null,
        "source": "userShell",
    });
    assert_eq!(
        item_started["params"],
        json!({
            "threadId": thread_id,
            "turnId": turn_id,
            "item": item,
            "startedAtMs": item_started["params"]["startedAtMs"],
        })
    );
    assert!(item_started["params"]["startedAtMs"].is_i64());
    let (streamed, completed) = command_output(&mut server).await?;
    assert_eq!(streamed, "one\ntwo\n");
    item["status"] = json!("completed");
    item["aggregatedOutput"] = json!("one\ntwo\n");
    item["exitCode"] = json!(0);
    item["durationMs"] = completed["params"]["item"]["durationMs"].clone();
    assert_eq!(
        completed["params"],
        json!({
            "threadId": thread_id,
            "turnId": turn_id,
            "item": item,
            "completedAtMs": completed["params"]["completedAtMs"],
        })
    );
    let turn_completed = server.read_notification("turn/completed").await?;
    assert_eq!(turn_completed["params"]["turn"]["status"], "completed");
    assert!(workspace.path().join("written_by_user").exists());

    let thread_id = thread_id.as_str().unwrap_or_default().to_string();
    run_turn(&mut server, &thread_id, "What did I run?").await?;
    let input = last_request_input(&model, 2).await?;
    let seen = input[0]["content"][0]["text"].as_str().unwrap_or_default();
    assert!(
        seen.starts_with(&format!(
            "<user_shell_command>\n<command>\n{script}\n</command>\n<result>\nExit code: 0\n"
        )) && seen.ends_with("Output:\none\ntwo\n\n</result>\n</user_shell_command>"),
        "{seen}"
    );
    assert_eq!(input[1], user_text("What did I run?"));
    Ok(())
}

#[tokio::test]
async fn shell_command_is_interruptible_and_refuses_bad_params() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(workspace.path()).await?;

    let cases = [
        (
            json!({"threadId": thread_id, "command": "  "}),
            error(-32600, "command must not be empty"),
        ),
        (
            json!({"threadId": "no-such-thread", "command": "true"}),
            error(-32600, "thread not found: no-such-thread"),
        ),
        (
            json!({"threadId": thread_id, "command": "true", "timeoutMs": -1}),
            error(
                -32602,
                "Invalid params: `timeoutMs` must not be negative, got -1",
            ),
        ),
    ];
    for (params, expected) in cases {
        let refused = call_error(&mut server, "thread/shellCommand", params).await?;
        assert_eq!(refused, expected);
    }

    call(
        &mut server,
        "thread/shellCommand",
        json!({"threadId": thread_id, "command": "echo started; sleep 600"}),
    )
    .await?;
    let turn_started = server.read_notification("turn/started").await?;
    let turn_id = turn_started["params"]["turn"]["id"].clone();
    server
        .read_notification("item/commandExecution/outputDelta")
        .await?;
    let busy = call_error(
        &mut server,
        "thread/shellCommand",
        json!({"threadId": thread_id, "command": "true"}),
    )
    .await?;
    assert_eq!(
        busy,
        error(
            -32600,
            &format!("a turn is already running in thread {thread_id}")
        )
    );
    call(
        &mut server,
        "turn/interrupt",
        json!({"threadId": thread_id, "turnId": turn_id}),
    )
    .await?;
    let completed = server.read_notification("item/completed").await?;
    assert_eq!(completed["params"]["item"]["status"], "failed");
    let turn_completed = server.read_notification("turn/completed").await?;
    assert_eq!(turn_completed["params"]["turn"]["status"], "interrupted");

    // A zero timeout stops the command at once.
    call(
        &mut server,
        "thread/shellCommand",
        json!({"threadId": thread_id, "command": "sleep 600", "timeoutMs": 0}),
    )
    .await?;
    let timed_out = server.read_notification("item/completed").await?;
    assert_eq!(timed_out["params"]["item"]["status"], "failed");
    assert_eq!(timed_out["params"]["item"]["exitCode"], 124);
    server.read_notification("turn/completed").await?;
    Ok(())
}

/// Whether process `pid` exits (or is already gone) within `timeout_ms`, awaited on its pidfd, which
/// becomes readable when the process exits.
fn process_exits_within(pid: i32, timeout_ms: i32) -> anyhow::Result<bool> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1; nothing is borrowed.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        let error = std::io::Error::last_os_error();
        return match error.raw_os_error() {
            Some(libc::ESRCH) => Ok(true),
            _ => Err(error.into()),
        };
    }
    let fd = i32::try_from(fd)?;
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: `poll` points at one valid pollfd for the duration of the call; the fd is ours to close.
    let ready = unsafe { libc::poll(&mut poll, 1, timeout_ms) };
    // SAFETY: closes the descriptor pidfd_open gave us, once.
    unsafe { libc::close(fd) };
    Ok(ready == 1)
}

#[tokio::test]
async fn a_daemon_shutting_down_kills_a_running_shell_command() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(workspace.path()).await?;
    call(
        &mut server,
        "thread/shellCommand",
        json!({"threadId": thread_id, "command": "echo $$; exec sleep 600"}),
    )
    .await?;
    let delta = server
        .read_notification("item/commandExecution/outputDelta")
        .await?;
    let pid: i32 = delta["params"]["delta"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .parse()?;
    assert!(!process_exits_within(pid, 0)?, "the command is running");

    server.close_stdin();
    let status = server.wait_exit(std::time::Duration::from_secs(10)).await?;
    assert!(status.success(), "{status:?}");
    let exited = tokio::task::spawn_blocking(move || process_exits_within(pid, 5_000)).await??;
    assert!(exited, "the user's command outlived the daemon");
    Ok(())
}

#[tokio::test]
async fn deleting_a_thread_stops_its_running_command_and_nothing_rewrites_the_rollout()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(workspace.path()).await?;
    let read = call(&mut server, "thread/read", json!({"threadId": thread_id})).await?;
    let path = rollout_path(&read["thread"]);
    call(
        &mut server,
        "thread/shellCommand",
        json!({"threadId": thread_id, "command": "echo $$; exec sleep 600"}),
    )
    .await?;
    let delta = server
        .read_notification("item/commandExecution/outputDelta")
        .await?;
    let pid: i32 = delta["params"]["delta"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .parse()?;

    assert!(path.exists(), "{} was never written", path.display());
    call(&mut server, "thread/delete", json!({"threadId": thread_id})).await?;
    // The interrupted turn ended before the answer.
    let turn_completed = server.read_notification("turn/completed").await?;
    assert_eq!(turn_completed["params"]["turn"]["status"], "interrupted");
    server.read_notification("thread/deleted").await?;
    let exited = tokio::task::spawn_blocking(move || process_exits_within(pid, 5_000)).await??;
    assert!(exited, "the command outlived its deleted thread");
    assert!(!path.exists(), "{} came back", path.display());
    let list = call(&mut server, "thread/list", json!({})).await?;
    assert_eq!(list, json!({"data": [], "nextCursor": null}));
    Ok(())
}

#[tokio::test]
async fn experimental_fields_need_the_capability_and_unimplemented_ones_are_refused()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model).await?;
    let workspace = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(workspace.path()).await?;
    let gated = call_error(
        &mut server,
        "thread/metadata/update",
        json!({"threadId": thread_id, "projectId": "p1"}),
    )
    .await?;
    assert_eq!(
        gated,
        error(
            -32600,
            "thread/metadata/update.projectId requires experimentalApi capability"
        )
    );

    let mut opted_in = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    opted_in
        .initialize_with(json!({
            "clientInfo": {"name": "codex_test", "title": "Codex Test", "version": "0.0.1"},
            "capabilities": {"experimentalApi": true},
        }))
        .await?;
    let thread_id = opted_in.start_thread_in(workspace.path()).await?;
    let cases = [
        (
            "thread/metadata/update",
            json!({"threadId": thread_id, "projectId": "p1"}),
            "Invalid params: `projectId` is not supported by this server",
        ),
        (
            "thread/metadata/update",
            json!({"threadId": thread_id, "daybreakEnabled": true}),
            "Invalid params: `daybreakEnabled` is not supported by this server",
        ),
        (
            "thread/items/list",
            json!({"threadId": thread_id, "deferOutput": {"commandExecution": true}}),
            "Invalid params: `deferOutput.commandExecution` is not supported by this server",
        ),
    ];
    for (method, params, message) in cases {
        let refused = call_error(&mut opted_in, method, params).await?;
        assert_eq!(refused, error(-32602, message));
    }
    // Asking for no deferral is honoured as it is.
    let page = call(
        &mut opted_in,
        "thread/items/list",
        json!({"threadId": thread_id, "deferOutput": {"commandExecution": false}}),
    )
    .await?;
    assert_eq!(
        page,
        json!({"data": [], "nextCursor": null, "backwardsCursor": null})
    );
    Ok(())
}

//! Threads over their whole life through the real binary: resume after the daemon was killed, listing with
//! pagination, reading stored and unknown threads, archive/unarchive, naming, forking and the loaded list.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeSet;
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

/// A server on a `CODEX_HOME` the test owns, so a later server sees the same stored threads.
async fn spawn_on_home(model: &MockModelServer, codex_home: &Path) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        env: vec![(
            "CODEX_HOME".to_string(),
            codex_home.to_string_lossy().into_owned(),
        )],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
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

async fn start_thread(server: &mut AppServer) -> anyhow::Result<String> {
    let started = call(server, "thread/start", json!({})).await?;
    Ok(started["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string())
}

/// Runs one turn with `text` to completion and returns its `turn/completed` notification.
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

fn thread_ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|thread| thread["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn a_killed_daemons_thread_is_stored_readable_and_resumable() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["First answer."], None));
    model.push_response(MockResponse::assistant_message(&["Second answer."], None));
    let codex_home = tempfile::tempdir()?;

    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let thread_id = start_thread(&mut server).await?;
    run_turn(&mut server, &thread_id, "First question").await?;
    let before_kill = call(
        &mut server,
        "thread/read",
        json!({"threadId": thread_id, "includeTurns": true}),
    )
    .await?["thread"]
        .clone();
    server.kill().await?;

    let mut restarted = spawn_on_home(&model, codex_home.path()).await?;
    let stored = call(
        &mut restarted,
        "thread/read",
        json!({"threadId": thread_id}),
    )
    .await?;
    let mut expected_stored = before_kill.clone();
    expected_stored["status"] = json!({"type": "notLoaded"});
    expected_stored["turns"] = json!([]);
    assert_eq!(stored, json!({"thread": expected_stored}));

    let resumed = call(
        &mut restarted,
        "thread/resume",
        json!({"threadId": thread_id}),
    )
    .await?;
    let mut expected_resumed = before_kill.clone();
    expected_resumed["status"] = json!({"type": "idle"});
    assert_eq!(resumed["thread"], expected_resumed);
    assert_eq!(
        resumed["thread"]["turns"][0]["items"][1],
        json!({"type": "agentMessage", "id": "msg_1", "text": "First answer.", "phase": null})
    );

    let completed = run_turn(&mut restarted, &thread_id, "Second question").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    let requests = model.responses_requests().await;
    let history: Vec<Value> = requests[1].body_json.as_ref().map_or(Vec::new(), |body| {
        body["input"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .skip(1)
            .cloned()
            .collect()
    });
    assert_eq!(
        history,
        vec![
            json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "First question"}]}),
            json!({"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "First answer."}]}),
            json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Second question"}]}),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn thread_list_is_newest_first_and_pages_with_a_cursor() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let mut created = Vec::new();
    for index in 0..3 {
        model.push_response(MockResponse::assistant_message(&["Ok."], None));
        let thread_id = start_thread(&mut server).await?;
        run_turn(&mut server, &thread_id, &format!("Thread {index}")).await?;
        created.push(thread_id);
    }

    let first_page = call(&mut server, "thread/list", json!({"limit": 2})).await?;
    let cursor = first_page["nextCursor"].clone();
    assert!(cursor.is_string(), "{first_page}");
    let second_page = call(
        &mut server,
        "thread/list",
        json!({"limit": 2, "cursor": cursor}),
    )
    .await?;

    assert_eq!(
        (thread_ids(&first_page), thread_ids(&second_page)),
        (
            vec![created[2].clone(), created[1].clone()],
            vec![created[0].clone()]
        )
    );
    assert_eq!(second_page["nextCursor"], Value::Null);
    assert_eq!(first_page["data"][0]["preview"], "Thread 2");
    assert_eq!(first_page["data"][0]["turns"], json!([]));
    Ok(())
}

#[tokio::test]
async fn an_unknown_thread_id_is_an_error() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let unknown = "00000000-0000-7000-8000-000000000000";

    let id = server
        .send_request("thread/read", json!({"threadId": unknown}))
        .await?;
    let read = server.read_response(id).await?;
    let id = server
        .send_request(
            "turn/start",
            json!({"threadId": unknown, "input": [{"type": "text", "text": "Hi", "text_elements": []}]}),
        )
        .await?;
    let turn = server.read_response(id).await?;

    assert_eq!(
        read,
        json!({"id": read["id"], "error": {"code": -32600, "message": format!("thread not loaded: {unknown}")}})
    );
    assert_eq!(turn["error"]["code"], -32600, "{turn}");
    Ok(())
}

#[tokio::test]
async fn a_cursor_the_server_did_not_hand_out_is_invalid_params() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let id = server
        .send_request("thread/list", json!({"cursor": "not-a-cursor"}))
        .await?;
    let response = server.read_response(id).await?;
    assert_eq!(response["error"]["code"], json!(-32602), "{response}");
    // The daemon keeps serving.
    call(&mut server, "thread/list", json!({})).await?;
    Ok(())
}

#[tokio::test]
async fn archive_hides_a_thread_from_the_default_listing_and_unarchive_brings_it_back()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Ok."], None));
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let thread_id = start_thread(&mut server).await?;
    run_turn(&mut server, &thread_id, "Keep me").await?;

    let archived = call(
        &mut server,
        "thread/archive",
        json!({"threadId": thread_id}),
    )
    .await?;
    let archived_notification = server.read_notification("thread/archived").await?;
    let active_listing = call(&mut server, "thread/list", json!({})).await?;
    let archived_listing = call(&mut server, "thread/list", json!({"archived": true})).await?;
    assert_eq!(
        (
            archived,
            archived_notification,
            thread_ids(&active_listing),
            thread_ids(&archived_listing)
        ),
        (
            json!({}),
            json!({"method": "thread/archived", "params": {"threadId": thread_id}}),
            Vec::<String>::new(),
            vec![thread_id.clone()],
        )
    );

    let unarchived = call(
        &mut server,
        "thread/unarchive",
        json!({"threadId": thread_id}),
    )
    .await?;
    let unarchived_notification = server.read_notification("thread/unarchived").await?;
    let active_listing = call(&mut server, "thread/list", json!({})).await?;
    let archived_listing = call(&mut server, "thread/list", json!({"archived": true})).await?;
    assert_eq!(
        (
            unarchived["thread"]["id"].clone(),
            unarchived_notification,
            thread_ids(&active_listing),
            thread_ids(&archived_listing)
        ),
        (
            json!(thread_id),
            json!({"method": "thread/unarchived", "params": {"threadId": thread_id}}),
            vec![thread_id.clone()],
            Vec::<String>::new(),
        )
    );
    Ok(())
}

/// A thread with one finished turn, renamed "Bug hunt"; returns the server, the thread id, and the
/// answer to `thread/name/set` with the notification it caused.
async fn renamed_thread(
    model: &MockModelServer,
    codex_home: &Path,
) -> anyhow::Result<(AppServer, String, Value, Value)> {
    model.push_response(MockResponse::assistant_message(&["Ok."], None));
    let mut server = spawn_on_home(model, codex_home).await?;
    let thread_id = start_thread(&mut server).await?;
    run_turn(&mut server, &thread_id, "Name me").await?;
    let set = call(
        &mut server,
        "thread/name/set",
        json!({"threadId": thread_id, "name": "Bug hunt"}),
    )
    .await?;
    let updated = server.read_notification("thread/name/updated").await?;
    Ok((server, thread_id, set, updated))
}

#[tokio::test]
async fn a_thread_name_is_announced_and_visible_in_read() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let codex_home = tempfile::tempdir()?;
    let (mut server, thread_id, set, updated) = renamed_thread(&model, codex_home.path()).await?;

    let read = call(&mut server, "thread/read", json!({"threadId": thread_id})).await?;

    assert_eq!(
        (set, updated, read["thread"]["name"].clone()),
        (
            json!({}),
            json!({"method": "thread/name/updated", "params": {"threadId": thread_id, "threadName": "Bug hunt"}}),
            json!("Bug hunt"),
        )
    );
    Ok(())
}

#[tokio::test]
async fn a_thread_name_is_visible_in_thread_list_right_after_it_was_set() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let codex_home = tempfile::tempdir()?;
    let (mut server, thread_id, _, _) = renamed_thread(&model, codex_home.path()).await?;

    // The race is lost only some of the time, so rename and list many times over.
    let mut listed_names = Vec::new();
    let mut set_names = Vec::new();
    for round in 0..50 {
        let name = format!("Round {round}");
        call(
            &mut server,
            "thread/name/set",
            json!({"threadId": thread_id, "name": name}),
        )
        .await?;
        let listing = call(&mut server, "thread/list", json!({})).await?;
        listed_names.push(listing["data"][0]["name"].clone());
        set_names.push(json!(name));
    }

    assert_eq!(listed_names, set_names);
    Ok(())
}

#[tokio::test]
async fn fork_copies_the_turns_into_a_new_started_thread_and_both_are_loaded() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Original answer."], None));
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let source_id = start_thread(&mut server).await?;
    run_turn(&mut server, &source_id, "Fork me").await?;
    let source = call(
        &mut server,
        "thread/read",
        json!({"threadId": source_id, "includeTurns": true}),
    )
    .await?["thread"]
        .clone();
    server.take_buffered();

    let forked = call(&mut server, "thread/fork", json!({"threadId": source_id})).await?;
    let fork = &forked["thread"];
    let fork_id = fork["id"].as_str().unwrap_or_default().to_string();
    assert_ne!(fork_id, source_id);
    assert!(
        fork["path"]
            .as_str()
            .is_some_and(|path| path.ends_with(&format!("{fork_id}.jsonl"))),
        "the fork needs a rollout of its own: {fork}"
    );
    let started = server.read_notification("thread/started").await?;
    let mut expected_fork = source.clone();
    for key in ["id", "path", "createdAt", "updatedAt", "sessionId"] {
        expected_fork[key] = fork[key].clone();
    }
    assert_eq!(fork["sessionId"], fork["id"]);
    assert_eq!(fork, &expected_fork);
    let mut expected_started_thread = expected_fork.clone();
    expected_started_thread["turns"] = json!([]);
    assert_eq!(
        started,
        json!({"method": "thread/started", "params": {"thread": expected_started_thread}})
    );

    let loaded = call(&mut server, "thread/loaded/list", json!({})).await?;
    let loaded_ids: BTreeSet<String> = loaded["data"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|id| id.as_str().map(str::to_string))
        .collect();
    assert_eq!(
        (loaded_ids, loaded["nextCursor"].clone()),
        (BTreeSet::from([source_id, fork_id]), Value::Null)
    );
    Ok(())
}

#[tokio::test]
async fn a_turn_cut_short_by_a_kill_is_in_the_history_and_the_thread_goes_on() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Half", " of it"], None).stall_after(3));
    model.push_response(MockResponse::assistant_message(&["Whole."], None));
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let thread_id = start_thread(&mut server).await?;
    let turn = call(
        &mut server,
        "turn/start",
        json!({"threadId": thread_id, "input": [{"type": "text", "text": "Long task", "text_elements": []}]}),
    )
    .await?;
    server.read_notification("item/agentMessage/delta").await?;
    // The rollout is written by a background task, so the user message's record may trail the stream; the
    // file offers nothing to await, hence the bounded polling before the kill.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !rollouts_mention(codex_home.path(), "Long task") {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the user message never reached the rollout"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    server.kill().await?;

    let mut restarted = spawn_on_home(&model, codex_home.path()).await?;
    let resumed = call(
        &mut restarted,
        "thread/resume",
        json!({"threadId": thread_id}),
    )
    .await?;
    let turns = &resumed["thread"]["turns"];
    assert_eq!(
        turns,
        &json!([{
            "id": turn["turn"]["id"],
            "items": [{
                "type": "userMessage",
                "id": turns[0]["items"][0]["id"],
                "content": [{"type": "text", "text": "Long task", "text_elements": []}],
            }],
            "itemsView": "full",
            "status": "interrupted",
            "error": null,
            "startedAt": turn["turn"]["startedAt"],
            "completedAt": null,
            "durationMs": null,
        }])
    );

    let completed = run_turn(&mut restarted, &thread_id, "Try again").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    Ok(())
}

#[tokio::test]
async fn an_ephemeral_thread_has_no_rollout_and_is_not_listed() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Ok."], None));
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let started = call(&mut server, "thread/start", json!({"ephemeral": true})).await?;
    let thread_id = started["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    run_turn(&mut server, &thread_id, "Forget me").await?;

    let listing = call(&mut server, "thread/list", json!({})).await?;
    let read = call(&mut server, "thread/read", json!({"threadId": thread_id})).await?;

    assert_eq!(
        (
            started["thread"]["path"].clone(),
            thread_ids(&listing),
            read["thread"]["preview"].clone()
        ),
        (Value::Null, Vec::<String>::new(), json!("Forget me"))
    );
    Ok(())
}

#[tokio::test]
async fn resuming_a_thread_that_is_already_loaded_returns_its_turns() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Ok."], None));
    let codex_home = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let thread_id = start_thread(&mut server).await?;
    run_turn(&mut server, &thread_id, "Still here").await?;
    let read = call(
        &mut server,
        "thread/read",
        json!({"threadId": thread_id, "includeTurns": true}),
    )
    .await?;

    let resumed = call(&mut server, "thread/resume", json!({"threadId": thread_id})).await?;

    assert_eq!(resumed["thread"], read["thread"]);
    Ok(())
}

/// Whether a rollout file under `codex_home/sessions` holds `text`.
fn rollouts_mention(codex_home: &std::path::Path, text: &str) -> bool {
    let mut directories = vec![codex_home.join("sessions")];
    while let Some(directory) = directories.pop() {
        for entry in std::fs::read_dir(&directory)
            .into_iter()
            .flatten()
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                directories.push(path);
            } else if std::fs::read_to_string(&path).is_ok_and(|content| content.contains(text)) {
                return true;
            }
        }
    }
    false
}

#[tokio::test]
async fn a_fork_without_overrides_keeps_the_source_threads_directory_and_model()
-> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Noted."], None));
    let codex_home = tempfile::tempdir()?;
    let workspace = tempfile::tempdir()?;
    let mut server = spawn_on_home(&model, codex_home.path()).await?;
    let started = call(
        &mut server,
        "thread/start",
        json!({"cwd": workspace.path(), "model": "gpt-5.1-codex-mini"}),
    )
    .await?;
    let source_id = started["thread"]["id"].clone();
    run_turn(
        &mut server,
        source_id.as_str().unwrap_or_default(),
        "Remember this",
    )
    .await?;
    let forked = call(&mut server, "thread/fork", json!({"threadId": source_id})).await?;
    let cwd = workspace.path().display().to_string();
    assert_eq!(
        (&forked["cwd"], &forked["model"], &forked["thread"]["cwd"]),
        (&json!(cwd), &json!("gpt-5.1-codex-mini"), &json!(cwd))
    );
    Ok(())
}

//! `thread/unsubscribe` and what loaded threads cost: a thread nobody follows is unloaded (at once when
//! idle, after its turn otherwise) with `thread/status/changed` (`notLoaded`) and `thread/closed`, and an
//! idle loaded thread holds no file descriptor, so hundreds of threads fit under a small open-file limit.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

async fn server_with_model(
    model: &MockModelServer,
    options: AppServerOptions,
) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..options
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

/// Starts a thread in `cwd` and reads everything its start sends; returns its id.
async fn start_thread(server: &mut AppServer, cwd: &std::path::Path) -> anyhow::Result<Value> {
    let thread_id = server.start_thread_in(cwd).await?;
    server.take_buffered();
    Ok(json!(thread_id))
}

async fn unsubscribe(server: &mut AppServer, thread_id: &Value) -> anyhow::Result<Value> {
    let id = server
        .send_request("thread/unsubscribe", json!({"threadId": thread_id}))
        .await?;
    server.read_response(id).await
}

fn closing_notifications(thread_id: &Value) -> Vec<Value> {
    vec![
        json!({"method": "thread/status/changed", "params": {"threadId": thread_id, "status": {"type": "notLoaded"}}}),
        json!({"method": "thread/closed", "params": {"threadId": thread_id}}),
    ]
}

#[tokio::test]
async fn an_idle_thread_is_unloaded_when_unsubscribed_and_resumes_later() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Back."], None));
    let mut server = server_with_model(&model, AppServerOptions::default()).await?;
    let cwd = tempfile::tempdir()?;
    let thread_id = start_thread(&mut server, cwd.path()).await?;

    let id = server
        .send_request("thread/unsubscribe", json!({"threadId": thread_id}))
        .await?;
    // In this order: the answer, then the thread's closing.
    let mut messages = Vec::new();
    for _ in 0..3 {
        messages.push(server.read_message().await?);
    }
    let mut expected = vec![json!({"id": id, "result": {"status": "unsubscribed"}})];
    expected.extend(closing_notifications(&thread_id));
    assert_eq!(messages, expected);

    let id = server.send_request("thread/loaded/list", json!({})).await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"data": [], "nextCursor": null}})
    );
    let again = unsubscribe(&mut server, &thread_id).await?;
    assert_eq!(again["result"], json!({"status": "notLoaded"}));
    let id = server
        .send_turn_start(thread_id.as_str().unwrap_or_default(), "Hi")
        .await?;
    assert_eq!(
        server.read_response(id).await?["error"]["message"],
        json!(format!(
            "thread not loaded: {}",
            thread_id.as_str().unwrap_or_default()
        ))
    );

    // Resuming loads it again and it takes turns.
    let id = server
        .send_request("thread/resume", json!({"threadId": thread_id}))
        .await?;
    assert_eq!(
        server.read_response(id).await?["result"]["thread"]["id"],
        thread_id
    );
    server
        .send_turn_start(thread_id.as_str().unwrap_or_default(), "Hi")
        .await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], json!("completed"));
    Ok(())
}

#[tokio::test]
async fn a_thread_unsubscribed_during_a_turn_is_unloaded_when_the_turn_ends() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model
        .push_response(MockResponse::assistant_message(&["Partial", " rest"], None).stall_after(3));
    let mut server = server_with_model(&model, AppServerOptions::default()).await?;
    let cwd = tempfile::tempdir()?;
    let thread_id = start_thread(&mut server, cwd.path()).await?;
    let other_thread = start_thread(&mut server, cwd.path()).await?;
    let id = server
        .send_turn_start(thread_id.as_str().unwrap_or_default(), "Go")
        .await?;
    let turn_id = server.read_response(id).await?["result"]["turn"]["id"].clone();
    server.read_notification("item/agentMessage/delta").await?;
    server.take_buffered();

    assert_eq!(
        unsubscribe(&mut server, &thread_id).await?["result"],
        json!({"status": "unsubscribed"})
    );
    let again = unsubscribe(&mut server, &thread_id).await?;
    assert_eq!(again["result"], json!({"status": "notSubscribed"}));
    // Still loaded while its turn runs.
    let id = server.send_request("thread/loaded/list", json!({})).await?;
    let mut loaded = vec![thread_id.clone(), other_thread.clone()];
    loaded.sort_by_key(|id| id.as_str().unwrap_or_default().to_string());
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"data": loaded, "nextCursor": null}})
    );

    // The turn ends; nobody is told about it but the thread's closing.
    let id = server
        .send_request(
            "turn/interrupt",
            json!({"threadId": thread_id, "turnId": turn_id}),
        )
        .await?;
    let mut messages = Vec::new();
    for _ in 0..3 {
        messages.push(server.read_message().await?);
    }
    let mut expected = vec![json!({"id": id, "result": {}})];
    expected.extend(closing_notifications(&thread_id));
    assert_eq!(messages, expected);
    // The turn was stored as interrupted.
    let id = server
        .send_request(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    let read = server.read_response(id).await?;
    assert_eq!(
        read["result"]["thread"]["turns"][0]["status"],
        json!("interrupted")
    );
    Ok(())
}

#[tokio::test]
async fn idle_threads_hold_no_file_descriptor() -> anyhow::Result<()> {
    const OPEN_FILES: u64 = 128;
    const THREADS: usize = 300;
    let model = MockModelServer::start().await;
    let mut server = server_with_model(
        &model,
        AppServerOptions {
            open_files_limit: Some(OPEN_FILES),
            ..AppServerOptions::default()
        },
    )
    .await?;
    let cwd = tempfile::tempdir()?;
    let mut started = Vec::new();
    for _ in 0..THREADS {
        started.push(start_thread(&mut server, cwd.path()).await?);
    }
    // Listing reads the rollouts, which needs descriptors left over.
    let id = server
        .send_request("thread/list", json!({"limit": 100}))
        .await?;
    let listed = server.read_response(id).await?;
    assert_eq!(
        (
            listed["result"]["data"].as_array().map(Vec::len),
            listed["error"].clone()
        ),
        (Some(100), Value::Null)
    );
    let id = server
        .send_request("thread/loaded/list", json!({"limit": THREADS}))
        .await?;
    let loaded = server.read_response(id).await?;
    assert_eq!(
        loaded["result"]["data"].as_array().map(Vec::len),
        Some(THREADS)
    );
    // Unloading them all closes each one.
    for thread_id in &started {
        assert_eq!(
            unsubscribe(&mut server, thread_id).await?["result"],
            json!({"status": "unsubscribed"})
        );
        server.read_notification("thread/closed").await?;
    }
    let id = server.send_request("thread/loaded/list", json!({})).await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"data": [], "nextCursor": null}})
    );
    Ok(())
}

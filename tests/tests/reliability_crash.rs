//! Crash safety through the real binary: SIGKILL during a streaming turn, restart on the same `CODEX_HOME`,
//! `thread/resume`: every item fully written to the rollout before the kill is back, and the next turn works.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use anyhow::Context;
use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// A finished commentary message, then a final answer that streams for seconds.
fn slow_turn() -> MockResponse {
    let mut events = vec![
        sse::response_created("resp_slow"),
        sse::output_item_added_message("msg_commentary", Some("commentary")),
        sse::output_text_delta("looking"),
        sse::output_item_done_message("msg_commentary", "looking", Some("commentary")),
        sse::output_item_added_message("msg_answer", Some("final_answer")),
    ];
    events.extend((0..200).map(|_| sse::output_text_delta("x")));
    events.push(sse::output_item_done_message(
        "msg_answer",
        &"x".repeat(200),
        Some("final_answer"),
    ));
    events.push(sse::completed("resp_slow"));
    MockResponse::sse(events).with_delay_between_events(Duration::from_millis(25))
}

/// The ids of the `item_completed` records of every complete line of every rollout; a line torn by the
/// kill is not a record.
fn written_item_ids(codex_home: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let mut ids = Vec::new();
    let mut directories = vec![codex_home.join("sessions")];
    while let Some(directory) = directories.pop() {
        for entry in std::fs::read_dir(&directory)? {
            let path = entry?.path();
            if path.is_dir() {
                directories.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path)?;
            for line in text
                .split_inclusive('\n')
                .filter(|line| line.ends_with('\n'))
            {
                let record: Value = serde_json::from_str(line)
                    .with_context(|| format!("complete rollout line is not JSON: {line:?}"))?;
                if record["type"] == "item_completed" {
                    ids.push(
                        record["payload"]["item"]["id"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    );
                }
            }
        }
    }
    Ok(ids)
}

fn text_input(text: &str) -> Value {
    json!([{"type": "text", "text": text, "text_elements": []}])
}

#[tokio::test]
async fn a_killed_daemon_resumes_every_written_item_and_serves_the_next_turn() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    model.push_response(slow_turn());
    let options = AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    };
    let mut server = AppServer::spawn_with(options.clone()).await?;
    server.initialize().await?;
    let id = server.send_request("thread/start", json!({})).await?;
    let thread_id = server.read_response(id).await?["result"]["thread"]["id"].clone();
    let id = server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": text_input("go")}),
        )
        .await?;
    server.read_response(id).await?;
    server
        .read_until(|message| {
            message["method"] == "item/completed"
                && message["params"]["item"]["id"] == "msg_commentary"
        })
        .await?;
    server.read_notification("item/agentMessage/delta").await?;
    // The rollout is written by a background task, so the commentary's record may trail its notification;
    // the file offers nothing to await, hence the polling.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while !written_item_ids(server.codex_home())?.contains(&"msg_commentary".to_string()) {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the commentary never reached the rollout"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let pid = server.pid().context("server pid")?;
    let killed = tokio::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .await?;
    assert!(killed.success());
    server.wait_exit(Duration::from_secs(5)).await?;
    let codex_home = server.into_codex_home().await?;
    let written = written_item_ids(codex_home.path())?;
    assert_eq!(written.len(), 2, "user message and commentary: {written:?}");
    assert_eq!(written[1], "msg_commentary");

    let mut server = AppServer::spawn_in(codex_home, options).await?;
    server.initialize().await?;
    let id = server
        .send_request("thread/resume", json!({"threadId": thread_id}))
        .await?;
    let resumed = server.read_response(id).await?;
    let turns = resumed["result"]["thread"]["turns"]
        .as_array()
        .with_context(|| format!("thread/resume answer: {resumed}"))?;
    let resumed_ids: Vec<String> = turns
        .iter()
        .flat_map(|turn| turn["items"].as_array().cloned().unwrap_or_default())
        .map(|item| item["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let missing: Vec<&String> = written
        .iter()
        .filter(|id| !resumed_ids.contains(id))
        .collect();
    assert_eq!(missing, Vec::<&String>::new(), "resumed: {resumed}");

    model.push_response(MockResponse::assistant_message(
        &["back ", "again"],
        Some("final_answer"),
    ));
    let id = server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": text_input("still there?")}),
        )
        .await?;
    server.read_response(id).await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(
        completed["params"]["turn"]["status"],
        json!("completed"),
        "{completed}"
    );
    let last_request = model
        .wait_for_responses_requests(2, Duration::from_secs(5))
        .await?
        .pop()
        .context("second model request")?;
    let sent = last_request.body_json.unwrap_or_default().to_string();
    assert!(
        sent.contains("still there?") && sent.contains("\"go\""),
        "history not resent: {sent}"
    );
    Ok(())
}

/// A daemon killed between writing a config or auth temp file and renaming it leaves the temp file in
/// `CODEX_HOME`; the next start-up removes it, but never a file that is not such a leftover, nor one young
/// enough to be another daemon's write in progress.
#[tokio::test]
async fn start_up_removes_the_leftovers_of_interrupted_writes() -> anyhow::Result<()> {
    let codex_home = tempfile::tempdir()?;
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    let write = |name: &str, modified: std::time::SystemTime| -> anyhow::Result<()> {
        let file = std::fs::File::create(codex_home.path().join(name))?;
        file.set_modified(modified)?;
        Ok(())
    };
    let stale = [
        ".config.toml.1f0c7a52-5d0e-4b8e-9b8a-3c2d1e0f9a8b.tmp",
        ".auth.json.6a1d2c3b-4e5f-4a7b-8c9d-0e1f2a3b4c5d.tmp",
    ];
    let kept = [
        // Another daemon's write in progress.
        ".auth.json.7b2e3d4c-5f6a-4b8c-9d0e-1f2a3b4c5d6e.tmp",
        "auth.json",
        "config.toml",
        "notes.tmp",
        ".config.toml.backup.tmp",
    ];
    for name in stale {
        write(name, hour_ago)?;
    }
    write(kept[0], std::time::SystemTime::now())?;
    for name in &kept[1..] {
        write(name, hour_ago)?;
    }

    let mut server = AppServer::spawn_in(codex_home, AppServerOptions::default()).await?;
    server.initialize().await?;
    let mut names: Vec<String> = std::fs::read_dir(server.codex_home())?
        .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
        .collect::<anyhow::Result<_>>()?;
    names.retain(|name| name != "sessions");
    names.sort();
    let mut expected: Vec<String> = kept.iter().map(|name| name.to_string()).collect();
    expected.sort();
    assert_eq!(names, expected);
    Ok(())
}

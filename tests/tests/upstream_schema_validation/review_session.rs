//! The review part of the schema tour: an inline review whose reviewer runs a command and answers
//! findings (`enteredReviewMode`, `exitedReviewMode`), and 0.105's detached review on a fork.

use std::process::Command;

use codex_app_server_tests::app_server::Transcribed;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::scripted_model::answer;
use codex_app_server_tests::scripted_model::function_call;
use codex_app_server_tests::upstream::UPSTREAM_0_105;
use serde_json::json;

use super::ONLY;
use super::finish;
use super::spawn;

const FINDINGS: &str = r#"{"findings": [{"title": "[P2] typo", "body": "`teh`", "confidence_score": 0.5, "priority": 2, "code_location": {"absolute_file_path": "/r/a.txt", "line_range": {"start": 1, "end": 1}}}], "overall_correctness": "patch is correct", "overall_explanation": "fine", "overall_confidence_score": 0.7}"#;

pub(super) async fn review_session() -> anyhow::Result<Vec<Transcribed>> {
    let repo = tempfile::tempdir()?;
    let status = Command::new("git")
        .args(["init", "-q"])
        .current_dir(repo.path())
        .status()?;
    anyhow::ensure!(status.success(), "git init");
    std::fs::write(repo.path().join("a.txt"), "teh\n")?;
    let model = MockModelServer::start().await;
    let mut server = spawn(&model, &[]).await?;
    let thread_id = server.start_thread_in(repo.path()).await?;
    model.push_responses([
        function_call(
            "look",
            "exec_command",
            &json!({"cmd": "git status --short"}),
        ),
        answer(FINDINGS),
    ]);
    let started = server
        .call(
            "review/start",
            json!({"threadId": thread_id, "target": {"type": "uncommittedChanges"}}),
        )
        .await?;
    let turn_id = started["turn"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    model.push_responses([answer(FINDINGS)]);
    let detached = format!("{ONLY}{UPSTREAM_0_105}-review-detached");
    server
        .send_json(&json!({"id": detached, "method": "review/start",
            "params": {"threadId": thread_id, "target": {"type": "custom", "instructions": "Check typos."},
                       "delivery": "detached"}}))
        .await?;
    let response = server.read_response(detached.as_str()).await?;
    let turn_id = response["result"]["turn"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    finish(server).await
}

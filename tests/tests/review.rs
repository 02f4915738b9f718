//! Code review through the real binary (`review/start`): the reviewer reads the rubric and the review
//! request on a history of its own, works with the thread's tools, and its JSON answer comes back as
//! `exitedReviewMode` and an agent message (never as its raw text), which the thread's next turn knows.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::Transcribed;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::hostile_repo::git_ok;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::mock_provider_options;
use codex_app_server_tests::scripted_model::answer;
use codex_app_server_tests::scripted_model::function_call;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const REVIEW_JSON: &str = r#"{"findings": [{"title": "[P1] add subtracts", "body": "`add` returns a - b.", "confidence_score": 0.9, "priority": 1, "code_location": {"absolute_file_path": "/repo/calc.py", "line_range": {"start": 2, "end": 2}}}], "overall_correctness": "patch is incorrect", "overall_explanation": "add is broken", "overall_confidence_score": 0.8}"#;
const RENDERED: &str = "add is broken\n\nReview comment:\n\n- [P1] add subtracts — /repo/calc.py:2-2\n  `add` returns a - b.";

fn git(dir: &Path, args: &[&str]) -> String {
    git_ok(dir, args).expect("git runs")
}

/// A repository on branch `feature` (one commit past `main`) with an uncommitted change.
fn repository() -> tempfile::TempDir {
    let repo = tempfile::tempdir().expect("tempdir");
    let dir = repo.path();
    git(dir, &["init", "-q", "-b", "main"]);
    std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a + b\n").unwrap();
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "add"]);
    git(dir, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(dir.join("calc.py"), "def add(a, b):\n    return a - b\n").unwrap();
    git(dir, &["commit", "-q", "-am", "break add"]);
    std::fs::write(dir.join("notes.txt"), "todo\n").unwrap();
    repo
}

async fn start(model: &MockModelServer, cwd: &Path) -> anyhow::Result<(AppServer, String)> {
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize().await?;
    let thread_id = server.start_thread_in(cwd).await?;
    Ok((server, thread_id))
}

/// The notifications read after the response to request `id`, up to and including `turn/completed`,
/// as `(method, item type or "")`, left out: status, token usage, rate limits and output deltas.
fn events_after(server: &AppServer, id: i64) -> Vec<(String, String)> {
    let received: Vec<&Value> = server
        .transcript()
        .iter()
        .filter_map(|message| match message {
            Transcribed::Received(value) => Some(value),
            Transcribed::Sent(_) => None,
        })
        .collect();
    let answered = received
        .iter()
        .position(|message| message["id"] == id)
        .expect("answered");
    received[answered + 1..]
        .iter()
        .filter_map(|message| {
            let method = message["method"].as_str()?;
            let skipped = [
                "thread/status/changed",
                "thread/tokenUsage/updated",
                "account/rateLimits/updated",
                // As many as the command's output took chunks.
                "item/commandExecution/outputDelta",
            ];
            (!skipped.contains(&method)).then(|| {
                let kind = message["params"]["item"]["type"].as_str().unwrap_or("");
                (method.to_string(), kind.to_string())
            })
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(method, kind)| (method.to_string(), kind.to_string()))
        .collect()
}

/// The text of every user message of a request body's input.
fn user_texts(body: &Value) -> Vec<String> {
    body["input"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|item| item["role"] == "user")
        .filter_map(|item| item["content"][0]["text"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn an_inline_review_runs_apart_from_the_conversation_and_joins_it_when_done()
-> anyhow::Result<()> {
    let repo = repository();
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model, repo.path()).await?;
    model.push_response(MockResponse::assistant_message(&["hello"], None));
    let earlier = server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input("an earlier secret")]}),
        )
        .await?;
    let earlier_id = earlier["turn"]["id"].as_str().unwrap().to_string();
    server
        .read_turn_notification("turn/completed", &earlier_id)
        .await?;

    model.push_responses([
        function_call(
            "look",
            "exec_command",
            &json!({"cmd": "git status --short"}),
        ),
        answer(REVIEW_JSON),
    ]);
    let id = server
        .send_request(
            "review/start",
            json!({"threadId": thread_id, "target": {"type": "uncommittedChanges"}}),
        )
        .await?;
    let response = server.read_response(id).await?["result"].clone();
    let turn_id = response["turn"]["id"].as_str().unwrap().to_string();
    assert_eq!(
        response,
        json!({
            "turn": {
                "id": turn_id, "status": "inProgress", "error": null, "itemsView": "notLoaded",
                "startedAt": response["turn"]["startedAt"], "completedAt": null, "durationMs": null,
                "items": [{"type": "userMessage", "id": turn_id,
                           "content": [{"type": "text", "text": "current changes", "text_elements": []}]}],
            },
            "reviewThreadId": thread_id,
        })
    );
    let completed = server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    assert_eq!(
        events_after(&server, id),
        pairs(&[
            ("turn/started", ""),
            ("item/started", "enteredReviewMode"),
            ("item/completed", "enteredReviewMode"),
            ("item/started", "userMessage"),
            ("item/completed", "userMessage"),
            ("item/started", "commandExecution"),
            ("item/completed", "commandExecution"),
            ("item/started", "exitedReviewMode"),
            ("item/completed", "exitedReviewMode"),
            ("item/started", "agentMessage"),
            ("item/completed", "agentMessage"),
            ("turn/completed", ""),
        ])
    );

    // The reviewer read the rubric, the environment and the request: none of the conversation.
    let bodies = model.responses_request_bodies().await;
    let review_request = &bodies[1];
    assert!(
        review_request["instructions"]
            .as_str()
            .unwrap()
            .starts_with("# Reviewing a code change")
    );
    let texts = user_texts(review_request);
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts[0].starts_with("<environment_context>"), "{texts:?}");
    assert!(
        texts[1].starts_with("Review the uncommitted changes"),
        "{texts:?}"
    );
    let tools: Vec<&str> = review_request["tools"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|tool| tool["name"].as_str().or(tool["type"].as_str()))
        .collect();
    assert!(
        !tools.contains(&"view_image") && !tools.contains(&"web_search"),
        "{tools:?}"
    );
    assert!(tools.contains(&"exec_command"), "{tools:?}");

    // The next turn knows what the review found; it never saw the reviewer's own work.
    model.push_response(MockResponse::assistant_message(&["fixing"], None));
    let next = server
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input("fix it")]}),
        )
        .await?;
    let next_id = next["turn"]["id"].as_str().unwrap().to_string();
    server
        .read_turn_notification("turn/completed", &next_id)
        .await?;
    let bodies = model.responses_request_bodies().await;
    let next_request = bodies.last().unwrap();
    let serialized = next_request["input"].to_string();
    assert!(serialized.contains("an earlier secret"));
    assert!(serialized.contains("<user_action>") && serialized.contains("[P1] add subtracts"));
    assert!(!serialized.contains("git status --short"), "{serialized}");
    let assistant: Vec<&str> = next_request["input"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|item| item["role"] == "assistant")
        .filter_map(|item| item["content"][0]["text"].as_str())
        .collect();
    assert_eq!(assistant, vec!["hello", RENDERED]);

    // thread/read files the review as one turn.
    let read = server
        .call(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    let review_turn = &read["thread"]["turns"][1];
    let kinds: Vec<&str> = review_turn["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["type"].as_str().unwrap())
        .collect();
    // A command's item is filed when its session reports the exit, after the turn's own items (as in
    // every turn).
    assert_eq!(
        kinds,
        vec![
            "enteredReviewMode",
            "userMessage",
            "exitedReviewMode",
            "agentMessage",
            "commandExecution"
        ]
    );
    assert_eq!(review_turn["items"][0]["review"], "current changes");
    assert_eq!(review_turn["items"][2]["review"], RENDERED);
    assert_eq!(review_turn["items"][3]["text"], RENDERED);

    // A daemon started again on the same CODEX_HOME resumes the review turn and its outcome.
    let codex_home = server
        .stop_for_codex_home(std::time::Duration::from_secs(10))
        .await?;
    let mut again =
        AppServer::spawn_in(codex_home, mock_provider_options(&model.uri(), &[])).await?;
    again.initialize().await?;
    let resumed = again
        .call("thread/resume", json!({"threadId": thread_id}))
        .await?;
    assert_eq!(resumed["thread"]["turns"][1], review_turn.clone());
    model.push_response(MockResponse::assistant_message(&["again"], None));
    let after = again
        .call(
            "turn/start",
            json!({"threadId": thread_id, "input": [text_input("and now?")]}),
        )
        .await?;
    let after_id = after["turn"]["id"].as_str().unwrap().to_string();
    again
        .read_turn_notification("turn/completed", &after_id)
        .await?;
    let bodies = model.responses_request_bodies().await;
    let resent = bodies.last().unwrap()["input"].to_string();
    assert!(resent.contains("<user_action>") && resent.contains("[P1] add subtracts"));
    assert!(!resent.contains("git status --short"), "{resent}");
    Ok(())
}

#[tokio::test]
async fn branch_commit_and_custom_reviews_ask_for_what_they_name() -> anyhow::Result<()> {
    let repo = repository();
    let merge_base = git(repo.path(), &["merge-base", "HEAD", "main"]);
    let model = MockModelServer::start().await;
    // `review_model` picks the reviewer's model.
    let options = mock_provider_options(&model.uri(), &["-c", "review_model=\"gpt-reviewer\""]);
    let mut server = AppServer::spawn_with(options).await?;
    server.initialize().await?;
    let thread_id = server.start_thread_in(repo.path()).await?;
    let cases = [
        (
            json!({"type": "baseBranch", "branch": "main"}),
            "changes against 'main'",
            format!("`git diff {merge_base}`"),
        ),
        (
            json!({"type": "commit", "sha": "HEAD", "title": "break add"}),
            "commit HEAD: break add",
            "commit HEAD (\"break add\")".to_string(),
        ),
        (
            json!({"type": "custom", "instructions": "Check naming only."}),
            "Check naming only.",
            "Check naming only.".to_string(),
        ),
    ];
    for (target, label, asked) in cases {
        model.push_response(answer("Looks fine."));
        let started = server
            .call(
                "review/start",
                json!({"threadId": thread_id, "target": target}),
            )
            .await?;
        assert_eq!(started["turn"]["items"][0]["content"][0]["text"], label);
        let turn_id = started["turn"]["id"].as_str().unwrap().to_string();
        let entered = server
            .read_turn_notification("item/completed", &turn_id)
            .await?;
        assert_eq!(entered["params"]["item"]["review"], label);
        let exited = server
            .read_until(|message| {
                message["method"] == "item/completed"
                    && message["params"]["item"]["type"] == "exitedReviewMode"
            })
            .await?;
        // A plain-prose answer is the review's explanation.
        assert_eq!(exited["params"]["item"]["review"], "Looks fine.");
        server
            .read_turn_notification("turn/completed", &turn_id)
            .await?;
        let bodies = model.responses_request_bodies().await;
        let body = bodies.last().unwrap();
        assert_eq!(body["model"], "gpt-reviewer");
        let request = user_texts(body).pop().unwrap();
        assert!(request.contains(&asked), "{request}");
    }
    Ok(())
}

#[tokio::test]
async fn bad_targets_steering_and_interrupts_are_answered_clearly() -> anyhow::Result<()> {
    let repo = repository();
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model, repo.path()).await?;
    let id = server
        .send_request(
            "review/start",
            json!({"threadId": thread_id, "target": {"type": "custom", "instructions": "  "}}),
        )
        .await?;
    let refused = server.read_response(id).await?;
    assert_eq!(
        refused["error"]["message"],
        "Invalid params: review target `instructions` must not be empty"
    );
    let id = server
        .send_request(
            "review/start",
            json!({"threadId": "nope", "target": {"type": "uncommittedChanges"}}),
        )
        .await?;
    assert!(
        server.read_response(id).await?["error"]["message"]
            .as_str()
            .unwrap()
            .contains("thread not found")
    );

    // A reviewer that runs a long command: the review cannot be steered, and an interrupt ends it.
    model.push_response(function_call(
        "wait",
        "exec_command",
        &json!({"cmd": "sleep 30", "yield_time_ms": 30000}),
    ));
    let started = server
        .call(
            "review/start",
            json!({"threadId": thread_id, "target": {"type": "uncommittedChanges"}}),
        )
        .await?;
    let turn_id = started["turn"]["id"].as_str().unwrap().to_string();
    server
        .read_until(|message| {
            message["method"] == "item/started"
                && message["params"]["item"]["type"] == "commandExecution"
        })
        .await?;
    let id = server
        .send_request(
            "turn/steer",
            json!({"threadId": thread_id, "expectedTurnId": turn_id, "input": [text_input("also x")]}),
        )
        .await?;
    assert_eq!(
        server.read_response(id).await?["error"]["message"],
        format!("Invalid params: turn {turn_id} is a review and cannot be steered")
    );
    server
        .call(
            "turn/interrupt",
            json!({"threadId": thread_id, "turnId": turn_id}),
        )
        .await?;
    let exited = server
        .read_until(|message| {
            message["method"] == "item/completed"
                && message["params"]["item"]["type"] == "exitedReviewMode"
        })
        .await?;
    assert!(
        exited["params"]["item"]["review"]
            .as_str()
            .unwrap()
            .starts_with("Review was interrupted.")
    );
    let completed = server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(completed["params"]["turn"]["status"], "interrupted");
    Ok(())
}

#[tokio::test]
async fn a_detached_review_runs_on_a_fork_of_the_thread() -> anyhow::Result<()> {
    let repo = repository();
    let model = MockModelServer::start().await;
    let (mut server, thread_id) = start(&model, repo.path()).await?;
    model.push_response(answer(REVIEW_JSON));
    let started = server
        .call(
            "review/start",
            json!({"threadId": thread_id, "target": {"type": "uncommittedChanges"}, "delivery": "detached"}),
        )
        .await?;
    let review_thread = started["reviewThreadId"].as_str().unwrap().to_string();
    assert_ne!(review_thread, thread_id);
    let announced = server.read_notification("thread/started").await?;
    assert_eq!(announced["params"]["thread"]["id"], review_thread.as_str());
    let turn_id = started["turn"]["id"].as_str().unwrap().to_string();
    let completed = server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(completed["params"]["threadId"], review_thread.as_str());
    let source = server
        .call(
            "thread/read",
            json!({"threadId": thread_id, "includeTurns": true}),
        )
        .await?;
    assert_eq!(source["thread"]["turns"], json!([]));
    let review = server
        .call(
            "thread/read",
            json!({"threadId": review_thread, "includeTurns": true}),
        )
        .await?;
    assert_eq!(review["thread"]["turns"][0]["items"][2]["review"], RENDERED);
    Ok(())
}

#[tokio::test]
async fn a_hostile_reviewer_stays_in_the_threads_sandbox() -> anyhow::Result<()> {
    let repo = repository();
    let model = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize().await?;
    let started = server
        .call(
            "thread/start",
            json!({"cwd": repo.path(), "sandbox": "read-only", "approvalPolicy": "never"}),
        )
        .await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    // A prompt-injected reviewer that tries to change the code and plant a hook.
    let attack = "echo pwned > calc.py; mkdir -p .git/hooks; echo 'touch /tmp/x' > .git/hooks/pre-commit; echo done";
    model.push_responses([
        function_call(
            "attack",
            "exec_command",
            &json!({"cmd": attack, "login": false}),
        ),
        answer("Nothing to report."),
    ]);
    let review = server
        .call(
            "review/start",
            json!({"threadId": thread_id, "target": {"type": "uncommittedChanges"}}),
        )
        .await?;
    let turn_id = review["turn"]["id"].as_str().unwrap().to_string();
    let completed = server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    let bodies = model.responses_request_bodies().await;
    let output =
        codex_app_server_tests::scripted_model::tool_output(bodies.last().unwrap(), "attack");
    assert!(output.contains("Read-only file system"), "{output}");
    assert_eq!(
        std::fs::read_to_string(repo.path().join("calc.py"))?,
        "def add(a, b):\n    return a - b\n"
    );
    assert!(!repo.path().join(".git/hooks/pre-commit").exists());
    // A branch name git would take for an option is refused before anything runs.
    let id = server
        .send_request(
            "review/start",
            json!({"threadId": thread_id, "target": {"type": "baseBranch", "branch": "--output=/tmp/owned"}}),
        )
        .await?;
    assert_eq!(
        server.read_response(id).await?["error"]["message"],
        "Invalid params: `--output=/tmp/owned` is not a branch name"
    );
    Ok(())
}

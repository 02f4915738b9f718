//! Tools in a turn through the real binary: the model asks for a command or a patch, the approval policy
//! decides whether the host is asked (`item/commandExecution/requestApproval`,
//! `item/fileChange/requestApproval`), the host's decision is honoured, output streams as
//! `item/commandExecution/outputDelta`, and the result goes back to the model in the follow-up request.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use codex_app_server_tests::mock_provider::mock_provider_options;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// A server with a thread started in `workspace` under the given approval policy and sandbox mode, and the
/// mock model answering with `responses` in order.
struct Session {
    server: AppServer,
    model: MockModelServer,
    thread_id: String,
}

async fn start_session(
    workspace: &Path,
    approval_policy: impl Into<Value>,
    sandbox: &str,
    extra_args: &[&str],
    responses: Vec<MockResponse>,
) -> anyhow::Result<Session> {
    let model = MockModelServer::start().await;
    model.push_responses(responses);
    // Tool output (e.g. `touch`'s errors) in plain English whatever the machine's locale.
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), extra_args)).await?;
    server.initialize().await?;
    let id = server
        .send_request(
            "thread/start",
            json!({
                "cwd": workspace.display().to_string(),
                "approvalPolicy": approval_policy.into(),
                "sandbox": sandbox,
            }),
        )
        .await?;
    let thread_id = server.read_response(id).await?["result"]["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    server.take_buffered();
    Ok(Session {
        server,
        model,
        thread_id,
    })
}

impl Session {
    async fn start_turn(&mut self, text: &str) -> anyhow::Result<String> {
        self.start_turn_with(text, json!({})).await
    }

    /// Starts a turn with extra `turn/start` params (overrides).
    async fn start_turn_with(&mut self, text: &str, extra: Value) -> anyhow::Result<String> {
        let mut params = json!({"threadId": self.thread_id, "input": [{"type": "text", "text": text, "text_elements": []}]});
        if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            params.extend(extra.clone());
        }
        let id = self.server.send_request("turn/start", params).await?;
        let response = self.server.read_response(id).await?;
        Ok(response["result"]["turn"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string())
    }

    /// The next server request named `method`.
    async fn read_server_request(&mut self, method: &str) -> anyhow::Result<Value> {
        self.server
            .read_until(|message| {
                message.get("id").is_some() && message.get("method") == Some(&json!(method))
            })
            .await
    }

    async fn answer(&mut self, request: &Value, result: Value) -> anyhow::Result<()> {
        self.server
            .send_json(&json!({"id": request["id"], "result": result}))
            .await
    }

    /// The output the model got for `call_id` in request number `index` (0-based).
    async fn call_output(&self, index: usize, call_id: &str) -> anyhow::Result<Value> {
        let requests = self
            .model
            .wait_for_responses_requests(index + 1, std::time::Duration::from_secs(10))
            .await?;
        let body = requests
            .get(index)
            .and_then(|request| request.body_json.clone())
            .ok_or_else(|| anyhow::anyhow!("no model request {index}"))?;
        body["input"]
            .as_array()
            .and_then(|input| {
                input.iter().find(|item| {
                    item["call_id"] == call_id
                        && (item["type"] == "function_call_output"
                            || item["type"] == "custom_tool_call_output")
                })
            })
            .map(|item| item["output"].clone())
            .ok_or_else(|| anyhow::anyhow!("request {index} has no output for {call_id}"))
    }
}

/// A model turn that calls `shell` with `argv` (and `extra` arguments), then a turn that says "done".
fn shell_call_then_done(call_id: &str, argv: &[&str], extra: Value) -> Vec<MockResponse> {
    let mut arguments = json!({"command": argv});
    if let (Some(arguments), Some(extra)) = (arguments.as_object_mut(), extra.as_object()) {
        arguments.extend(extra.clone());
    }
    vec![
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call(call_id, "shell", &arguments.to_string()),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]
}

/// A model turn that calls the freeform `apply_patch` tool, then a turn that says "done".
fn patch_call_then_done(call_id: &str, patch: &str) -> Vec<MockResponse> {
    vec![
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::custom_tool_call(call_id, "apply_patch", patch),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]
}

/// `item` with its `durationMs` checked to be a number and then blanked, for whole-object comparison.
fn without_duration(mut item: Value) -> Value {
    assert!(item["durationMs"].is_i64(), "durationMs in {item}");
    item["durationMs"] = Value::Null;
    item
}

/// The notifications of the current turn up to `turn/completed`, with that one included.
async fn notifications_until_turn_completed(server: &mut AppServer) -> anyhow::Result<Vec<Value>> {
    let completed = server.read_notification("turn/completed").await?;
    let mut seen = server.take_buffered();
    seen.retain(|message| message.get("id").is_none());
    seen.push(completed);
    Ok(seen)
}

/// The last `item/completed` item with this id among `messages`.
fn completed_item(messages: &[Value], id: &str) -> Option<Value> {
    messages
        .iter()
        .rev()
        .find(|message| {
            message["method"] == "item/completed" && message["params"]["item"]["id"] == id
        })
        .map(|message| message["params"]["item"].clone())
}

/// The status `turn/completed` reported among `messages`.
fn turn_status(messages: &[Value]) -> Option<Value> {
    messages
        .iter()
        .find(|message| message["method"] == "turn/completed")
        .map(|message| message["params"]["turn"]["status"].clone())
}

fn methods(messages: &[Value]) -> Vec<String> {
    messages
        .iter()
        .filter_map(|message| message["method"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn approved_command_streams_its_output_and_the_model_gets_the_result() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let script = "echo hello > note.txt && cat note.txt";
    let mut session = start_session(
        workspace.path(),
        "untrusted",
        "danger-full-access",
        &[],
        shell_call_then_done("call_1", &["bash", "-c", script], json!({})),
    )
    .await?;
    let turn_id = session.start_turn("write a note").await?;

    let request = session
        .read_server_request("item/commandExecution/requestApproval")
        .await?;
    let cwd = workspace.path().display().to_string();
    assert!(request["params"]["startedAtMs"].is_i64(), "{request}");
    // A script of several commands proposes no prefix to approve: its first words would not cover it.
    assert_eq!(
        request["params"],
        json!({
            "threadId": session.thread_id,
            "turnId": turn_id,
            "itemId": "call_1",
            "startedAtMs": request["params"]["startedAtMs"],
            "command": script,
            "cwd": cwd,
            "commandActions": [
                {"type": "unknown", "command": "echo hello > note.txt && cat note.txt"},
            ],
        })
    );
    // Before the request: the item is in progress and the thread says it waits on the host.
    let before = session.server.take_buffered();
    let started = before
        .iter()
        .find(|message| {
            message["method"] == "item/started" && message["params"]["item"]["id"] == "call_1"
        })
        .map(|message| message["params"]["item"].clone());
    assert_eq!(
        started,
        Some(json!({
            "type": "commandExecution",
            "id": "call_1",
            "command": script,
            "cwd": cwd,
            "processId": null,
            "status": "inProgress",
            "commandActions": [{"type": "unknown", "command": script}],
            "aggregatedOutput": null,
            "exitCode": null,
            "durationMs": null,
        }))
    );
    assert!(
        before
            .iter()
            .any(|message| message["method"] == "thread/status/changed"
                && message["params"]["status"]
                    == json!({"type": "active", "activeFlags": ["waitingOnApproval"]})),
        "no waitingOnApproval status in {before:#?}"
    );

    session
        .answer(&request, json!({"decision": "accept"}))
        .await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let resolved = after
        .iter()
        .position(|message| message["method"] == "serverRequest/resolved")
        .ok_or_else(|| anyhow::anyhow!("no serverRequest/resolved in {after:#?}"))?;
    assert_eq!(
        after[resolved]["params"],
        json!({"threadId": session.thread_id, "requestId": request["id"]})
    );
    let deltas: String = after
        .iter()
        .filter(|message| message["method"] == "item/commandExecution/outputDelta")
        .map(|message| {
            assert_eq!(message["params"]["itemId"], "call_1");
            message["params"]["delta"].as_str().unwrap_or_default()
        })
        .collect();
    assert_eq!(deltas, "hello\n");
    let completed = completed_item(&after, "call_1").map(without_duration);
    assert_eq!(
        completed,
        Some(json!({
            "type": "commandExecution",
            "id": "call_1",
            "command": script,
            "cwd": cwd,
            "processId": null,
            "status": "completed",
            "commandActions": [{"type": "unknown", "command": script}],
            "aggregatedOutput": "hello\n",
            "exitCode": 0,
            "durationMs": null,
        }))
    );
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("note.txt"))?,
        "hello\n"
    );

    let output = session.call_output(1, "call_1").await?;
    let output = output.as_str().unwrap_or_default();
    assert!(
        output.starts_with("Exit code: 0\nWall time: ")
            && output.ends_with(" seconds\nOutput:\nhello\n"),
        "unexpected output for the model: {output:?}"
    );

    // The item is part of the thread's stored turn.
    let id = session
        .server
        .send_request(
            "thread/read",
            json!({"threadId": session.thread_id, "includeTurns": true}),
        )
        .await?;
    let read = session.server.read_response(id).await?;
    let stored = read["result"]["thread"]["turns"][0]["items"]
        .as_array()
        .and_then(|items| items.iter().find(|item| item["id"] == "call_1"))
        .cloned()
        .map(without_duration);
    assert_eq!(stored, completed);
    Ok(())
}

/// Starts an `untrusted` session whose model wants to `touch file`, answers the approval request with
/// `decision`, and returns the session, its workspace and the notifications up to `turn/completed`.
async fn answer_touch_approval(
    file: &str,
    decision: &str,
) -> anyhow::Result<(Session, tempfile::TempDir, Vec<Value>)> {
    let workspace = tempfile::tempdir()?;
    let mut session = start_session(
        workspace.path(),
        "untrusted",
        "danger-full-access",
        &[],
        shell_call_then_done("call_1", &["touch", file], json!({})),
    )
    .await?;
    session.start_turn("touch a file").await?;
    let request = session
        .read_server_request("item/commandExecution/requestApproval")
        .await?;
    session
        .answer(&request, json!({"decision": decision}))
        .await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    Ok((session, workspace, after))
}

#[tokio::test]
async fn declined_command_does_not_run_and_the_model_is_told() -> anyhow::Result<()> {
    let (session, workspace, after) = answer_touch_approval("declined.txt", "decline").await?;
    let completed = completed_item(&after, "call_1").map(|item| item["status"].clone());
    assert_eq!(completed, Some(json!("declined")));
    assert!(!methods(&after).contains(&"item/commandExecution/outputDelta".to_string()));
    assert_eq!(turn_status(&after), Some(json!("completed")));
    assert!(!workspace.path().join("declined.txt").exists());
    assert_eq!(
        session.call_output(1, "call_1").await?,
        json!("exec command rejected by user")
    );
    Ok(())
}

#[tokio::test]
async fn cancel_declines_and_interrupts_the_turn() -> anyhow::Result<()> {
    let (session, workspace, after) = answer_touch_approval("cancelled.txt", "cancel").await?;
    let completed = completed_item(&after, "call_1").map(|item| item["status"].clone());
    assert_eq!(completed, Some(json!("declined")));
    assert_eq!(turn_status(&after), Some(json!("interrupted")));
    assert!(!workspace.path().join("cancelled.txt").exists());
    // The model was not asked again in that turn.
    assert_eq!(session.model.responses_requests().await.len(), 1);
    Ok(())
}

#[tokio::test]
async fn interrupt_withdraws_a_pending_approval_and_the_next_turn_works() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let mut responses = shell_call_then_done("call_1", &["touch", "never.txt"], json!({}));
    responses.truncate(1);
    responses.push(MockResponse::assistant_message(
        &["next"],
        Some("final_answer"),
    ));
    let mut session = start_session(
        workspace.path(),
        "untrusted",
        "danger-full-access",
        &[],
        responses,
    )
    .await?;
    let turn_id = session.start_turn("touch a file").await?;
    let request = session
        .read_server_request("item/commandExecution/requestApproval")
        .await?;
    let id = session
        .server
        .send_request(
            "turn/interrupt",
            json!({"threadId": session.thread_id, "turnId": turn_id}),
        )
        .await?;
    session.server.read_response(id).await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let resolved = after
        .iter()
        .find(|message| message["method"] == "serverRequest/resolved")
        .map(|message| message["params"].clone());
    assert_eq!(
        resolved,
        Some(json!({"threadId": session.thread_id, "requestId": request["id"]}))
    );
    let turn = turn_status(&after);
    assert_eq!(turn, Some(json!("interrupted")));
    // A late answer is harmless, and the next turn sends a valid history (the call has an output).
    session
        .answer(&request, json!({"decision": "accept"}))
        .await?;
    session.start_turn("again").await?;
    session.server.read_notification("turn/completed").await?;
    assert_eq!(session.call_output(1, "call_1").await?, json!("aborted"));
    assert!(!workspace.path().join("never.txt").exists());
    Ok(())
}

#[tokio::test]
async fn command_killed_by_its_timeout_reports_exit_124() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let mut session = start_session(
        workspace.path(),
        "never",
        "danger-full-access",
        &[],
        shell_call_then_done("call_1", &["sleep", "30"], json!({"timeout_ms": 300})),
    )
    .await?;
    session.start_turn("sleep").await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let completed = completed_item(&after, "call_1")
        .map(|item| (item["status"].clone(), item["exitCode"].clone()));
    assert_eq!(completed, Some((json!("failed"), json!(124))));
    let output = session.call_output(1, "call_1").await?;
    let output = output.as_str().unwrap_or_default();
    assert!(
        output.starts_with("Exit code: 124\n") && output.contains("command timed out after"),
        "unexpected output for the model: {output:?}"
    );
    Ok(())
}

#[tokio::test]
async fn sandboxed_write_outside_the_workspace_is_refused() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let outside = tempfile::tempdir()?;
    let escape = outside.path().join("escape.txt");
    let script = format!("touch inside.txt && touch {}", escape.display());
    let mut session = start_session(
        workspace.path(),
        "never",
        "workspace-write",
        &NO_TMP_ROOTS,
        shell_call_then_done("call_1", &["bash", "-c", &script], json!({})),
    )
    .await?;
    session.start_turn("escape").await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let completed = completed_item(&after, "call_1")
        .ok_or_else(|| anyhow::anyhow!("no completed command in {after:#?}"))?;
    assert_eq!(completed["status"], "failed");
    assert!(
        !escape.exists(),
        "the sandbox let the command write outside"
    );
    let output = completed["aggregatedOutput"].as_str().unwrap_or_default();
    if output.contains("needs bubblewrap") {
        // A machine without bubblewrap refuses every sandboxed command with a clear error.
        assert!(!workspace.path().join("inside.txt").exists());
    } else {
        assert!(workspace.path().join("inside.txt").exists());
        assert!(
            output.contains("Read-only file system"),
            "unexpected output: {output:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn patch_inside_the_workspace_is_applied_with_a_turn_diff() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    std::fs::write(workspace.path().join("lib.txt"), "alpha\nbeta\n")?;
    let patch = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** Update File: lib.txt\n@@\n alpha\n-beta\n+gamma\n*** End Patch";
    let mut session = start_session(
        workspace.path(),
        "on-request",
        "workspace-write",
        &[],
        patch_call_then_done("call_p", patch),
    )
    .await?;
    let turn_id = session.start_turn("patch").await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    assert!(!methods(&after).contains(&"item/fileChange/requestApproval".to_string()));
    let hello = workspace.path().join("hello.txt").display().to_string();
    let lib = workspace.path().join("lib.txt").display().to_string();
    let completed = completed_item(&after, "call_p");
    assert_eq!(
        completed,
        Some(json!({
            "type": "fileChange",
            "id": "call_p",
            "changes": [
                {"path": hello, "kind": {"type": "add"}, "diff": "hello\n"},
                {"path": lib, "kind": {"type": "update", "move_path": null},
                 "diff": format!("--- a/{0}\n+++ b/{0}\n@@ -1,2 +1,2 @@\n alpha\n-beta\n+gamma\n", lib.trim_start_matches('/'))},
            ],
            "status": "completed",
        }))
    );
    let diff = after
        .iter()
        .find(|message| message["method"] == "turn/diff/updated")
        .map(|message| message["params"].clone());
    assert_eq!(
        diff,
        Some(json!({
            "threadId": session.thread_id,
            "turnId": turn_id,
            "diff": "--- a/hello.txt\n+++ b/hello.txt\n@@ -0,0 +1,1 @@\n+hello\n--- a/lib.txt\n+++ b/lib.txt\n@@ -1,2 +1,2 @@\n alpha\n-beta\n+gamma\n",
        }))
    );
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("hello.txt"))?,
        "hello\n"
    );
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("lib.txt"))?,
        "alpha\ngamma\n"
    );
    assert_eq!(
        session.call_output(1, "call_p").await?,
        json!("Success. Updated the following files:\nA hello.txt\nM lib.txt\n")
    );
    Ok(())
}

#[tokio::test]
async fn declined_patch_changes_nothing_and_a_bad_patch_gets_a_precise_error() -> anyhow::Result<()>
{
    let workspace = tempfile::tempdir()?;
    std::fs::write(workspace.path().join("lib.txt"), "alpha\n")?;
    let patch = "*** Begin Patch\n*** Update File: lib.txt\n@@\n-alpha\n+omega\n*** End Patch";
    let bad_patch =
        "*** Begin Patch\n*** Update File: lib.txt\n@@\n-missing line\n+x\n*** End Patch";
    let mut responses = patch_call_then_done("call_p", patch);
    responses.push(MockResponse::sse(vec![
        sse::response_created("resp_3"),
        sse::custom_tool_call("call_bad", "apply_patch", bad_patch),
        sse::completed("resp_3"),
    ]));
    responses.push(MockResponse::assistant_message(
        &["done"],
        Some("final_answer"),
    ));
    let mut session = start_session(
        workspace.path(),
        "untrusted",
        "workspace-write",
        &[],
        responses,
    )
    .await?;
    let turn_id = session.start_turn("patch").await?;
    let request = session
        .read_server_request("item/fileChange/requestApproval")
        .await?;
    assert!(request["params"]["startedAtMs"].is_i64(), "{request}");
    assert_eq!(
        request["params"],
        json!({
            "startedAtMs": request["params"]["startedAtMs"],
            "threadId": session.thread_id,
            "turnId": turn_id,
            "itemId": "call_p",
            "reason": null,
            "grantRoot": null,
        })
    );
    session
        .answer(&request, json!({"decision": "decline"}))
        .await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let status = completed_item(&after, "call_p").map(|item| item["status"].clone());
    assert_eq!(status, Some(json!("declined")));
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("lib.txt"))?,
        "alpha\n"
    );
    assert_eq!(
        session.call_output(1, "call_p").await?,
        json!("patch rejected by user")
    );

    // The second turn's patch does not apply: no approval is asked and the model learns why.
    session.start_turn("patch again").await?;
    session.server.read_notification("turn/completed").await?;
    let output = session.call_output(3, "call_bad").await?;
    let output = output.as_str().unwrap_or_default();
    assert!(
        output.starts_with("apply_patch verification failed: ") && output.contains("missing line"),
        "unexpected output for the model: {output:?}"
    );
    assert_eq!(
        std::fs::read_to_string(workspace.path().join("lib.txt"))?,
        "alpha\n"
    );
    Ok(())
}

#[tokio::test]
async fn accept_for_session_is_not_asked_again_in_the_thread() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let call = |call_id: &str, response_id: &str| {
        MockResponse::sse(vec![
            sse::response_created(response_id),
            sse::function_call(
                call_id,
                "shell",
                &json!({"command": ["touch", "again.txt"]}).to_string(),
            ),
            sse::completed(response_id),
        ])
    };
    let mut session = start_session(
        workspace.path(),
        "untrusted",
        "danger-full-access",
        &[],
        vec![
            call("call_1", "resp_1"),
            call("call_2", "resp_2"),
            MockResponse::assistant_message(&["done"], Some("final_answer")),
        ],
    )
    .await?;
    session.start_turn("touch twice").await?;
    let request = session
        .read_server_request("item/commandExecution/requestApproval")
        .await?;
    session
        .answer(&request, json!({"decision": "acceptForSession"}))
        .await?;
    session.server.read_notification("turn/completed").await?;
    let after = session.server.take_buffered();
    // The first approval was the only server request of the turn.
    assert_eq!(
        after
            .iter()
            .filter(|message| message.get("id").is_some())
            .count(),
        0
    );
    let statuses: Vec<(Value, Value)> = after
        .iter()
        .filter(|message| {
            message["method"] == "item/completed"
                && message["params"]["item"]["type"] == "commandExecution"
        })
        .map(|message| {
            let item = &message["params"]["item"];
            (item["id"].clone(), item["status"].clone())
        })
        .collect();
    assert_eq!(
        statuses,
        vec![
            (json!("call_1"), json!("completed")),
            (json!("call_2"), json!("completed")),
        ]
    );
    let output = session.call_output(2, "call_2").await?;
    assert!(
        output
            .as_str()
            .unwrap_or_default()
            .starts_with("Exit code: 0\n"),
        "unexpected output: {output}"
    );
    Ok(())
}

/// Flags that keep `/tmp` (where the test directories live) out of the sandbox's writable roots.
const NO_TMP_ROOTS: [&str; 4] = [
    "-c",
    "sandbox_workspace_write.exclude_slash_tmp=true",
    "-c",
    "sandbox_workspace_write.exclude_tmpdir_env_var=true",
];

/// A `workspace-write` session (no temp roots) whose model runs `touch` on a file outside the workspace,
/// with `extra` shell arguments, its turn started.
struct TouchOutside {
    session: Session,
    target: std::path::PathBuf,
    _dirs: [tempfile::TempDir; 2],
}

async fn touch_outside(
    approval_policy: impl Into<Value>,
    extra: Value,
) -> anyhow::Result<TouchOutside> {
    let workspace = tempfile::tempdir()?;
    let outside = tempfile::tempdir()?;
    let target = outside.path().join("touched.txt");
    let target_text = target.display().to_string();
    let mut session = start_session(
        workspace.path(),
        approval_policy,
        "workspace-write",
        &NO_TMP_ROOTS,
        shell_call_then_done("call_1", &["touch", &target_text], extra),
    )
    .await?;
    session.start_turn("touch outside").await?;
    Ok(TouchOutside {
        session,
        target,
        _dirs: [workspace, outside],
    })
}

#[tokio::test]
async fn untrusted_offers_to_rerun_a_refused_command_outside_the_sandbox() -> anyhow::Result<()> {
    // `_dirs` is bound so the directories live until the test ends.
    let TouchOutside {
        mut session,
        target,
        _dirs,
    } = touch_outside("untrusted", json!({})).await?;
    // `touch` is not known to be read-only: the host approves running it (in the sandbox) first.
    let first = session
        .read_server_request("item/commandExecution/requestApproval")
        .await?;
    session
        .answer(&first, json!({"decision": "accept"}))
        .await?;
    let request = session
        .read_server_request("item/commandExecution/requestApproval")
        .await?;
    let output_before = session
        .server
        .take_buffered()
        .iter()
        .filter(|message| message["method"] == "item/commandExecution/outputDelta")
        .map(|message| {
            message["params"]["delta"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect::<String>();
    if output_before.contains("needs bubblewrap") {
        // Without bubblewrap the command never ran, so there is no sandbox refusal to retry.
        return Ok(());
    }
    assert!(
        output_before.contains("Read-only file system"),
        "the sandboxed attempt should have been refused: {output_before:?}"
    );
    assert_eq!(
        request["params"]["reason"],
        "the command failed in the sandbox; run it again without the sandbox?"
    );
    assert!(!target.exists());
    session
        .answer(&request, json!({"decision": "accept"}))
        .await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let completed = completed_item(&after, "call_1")
        .map(|item| (item["status"].clone(), item["exitCode"].clone()));
    assert_eq!(completed, Some((json!("completed"), json!(0))));
    assert!(
        target.exists(),
        "the approved retry should have run outside the sandbox"
    );
    Ok(())
}

#[tokio::test]
async fn on_failure_is_read_as_on_request_as_upstream_0171_does() -> anyhow::Result<()> {
    // `_dirs` is bound so the directories live until the test ends.
    let TouchOutside {
        mut session,
        target,
        _dirs,
    } = touch_outside("on-failure", json!({})).await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    assert_eq!(
        (
            methods(&after)
                .iter()
                .any(|method| method.ends_with("requestApproval")),
            completed_item(&after, "call_1").map(|item| item["status"].clone()),
        ),
        (false, Some(json!("failed")))
    );
    assert!(!target.exists());
    Ok(())
}

#[tokio::test]
async fn granular_policy_rejects_a_disabled_prompt_without_asking() -> anyhow::Result<()> {
    // 0.105's spelling of the policy: reject sandbox approvals, allow the rest.
    // `_dirs` is bound so the directories live until the test ends.
    let TouchOutside {
        mut session,
        target,
        _dirs,
    } = touch_outside(
        json!({"reject": {"sandbox_approval": true, "rules": false, "mcp_elicitations": false}}),
        json!({"sandbox_permissions": "require_escalated", "justification": "write outside"}),
    )
    .await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    assert_eq!(
        (
            methods(&after)
                .iter()
                .any(|method| method.ends_with("requestApproval")),
            completed_item(&after, "call_1").map(|item| item["status"].clone()),
        ),
        (false, Some(json!("declined")))
    );
    let output = session.call_output(1, "call_1").await?;
    assert_eq!(
        output,
        json!(
            "rejected by the approval policy: approval prompts for sandbox escalations are disabled (granular sandbox_approval = false)"
        )
    );
    assert!(!target.exists());
    Ok(())
}

#[tokio::test]
async fn on_request_asks_before_running_outside_the_sandbox() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let outside = tempfile::tempdir()?;
    let target = outside.path().join("escalated.txt");
    let target_text = target.display().to_string();
    let mut session = start_session(
        workspace.path(),
        "on-request",
        "workspace-write",
        &NO_TMP_ROOTS,
        shell_call_then_done(
            "call_1",
            &["touch", &target_text],
            json!({"sandbox_permissions": "require_escalated", "justification": "write the shared cache"}),
        ),
    )
    .await?;
    session.start_turn("touch outside").await?;
    let request = session
        .read_server_request("item/commandExecution/requestApproval")
        .await?;
    assert_eq!(request["params"]["reason"], "write the shared cache");
    assert!(!target.exists(), "nothing runs before the host decides");
    session
        .answer(&request, json!({"decision": "accept"}))
        .await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let status = completed_item(&after, "call_1").map(|item| item["status"].clone());
    assert_eq!(status, Some(json!("completed")));
    assert!(target.exists());
    Ok(())
}

#[tokio::test]
async fn never_refuses_a_patch_outside_the_writable_roots_without_asking() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let outside = tempfile::tempdir()?;
    let target = outside.path().join("outside.txt");
    let patch = format!(
        "*** Begin Patch\n*** Add File: {}\n+nope\n*** End Patch",
        target.display()
    );
    let mut session = start_session(
        workspace.path(),
        "never",
        "workspace-write",
        &NO_TMP_ROOTS,
        patch_call_then_done("call_p", &patch),
    )
    .await?;
    session.start_turn("patch outside").await?;
    session.server.read_notification("turn/completed").await?;
    let seen = session.server.take_buffered();
    assert!(
        seen.iter().all(|message| message.get("id").is_none()),
        "no approval may be asked"
    );
    let status = completed_item(&seen, "call_p").map(|item| item["status"].clone());
    assert_eq!(status, Some(json!("declined")));
    assert!(!target.exists());
    let output = session.call_output(1, "call_p").await?;
    assert!(
        output
            .as_str()
            .unwrap_or_default()
            .starts_with("patch rejected: it writes outside"),
        "unexpected output: {output}"
    );
    Ok(())
}

#[tokio::test]
async fn a_patch_sent_through_the_shell_is_applied_as_a_patch() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    std::fs::create_dir(workspace.path().join("src"))?;
    let script = "cd src && apply_patch <<'EOF'\n*** Begin Patch\n*** Add File: lib.rs\n+pub fn answer() -> u32 { 42 }\n*** End Patch\nEOF\n";
    let mut session = start_session(
        workspace.path(),
        "on-request",
        "workspace-write",
        &[],
        vec![
            MockResponse::sse(vec![
                sse::response_created("resp_1"),
                sse::function_call(
                    "call_sh",
                    "shell_command",
                    &json!({"command": script}).to_string(),
                ),
                sse::completed("resp_1"),
            ]),
            MockResponse::assistant_message(&["done"], Some("final_answer")),
        ],
    )
    .await?;
    session.start_turn("add lib.rs").await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let item = completed_item(&after, "call_sh");
    let path = workspace.path().join("src/lib.rs");
    assert_eq!(
        item,
        Some(json!({
            "type": "fileChange",
            "id": "call_sh",
            "changes": [{
                "path": path.display().to_string(),
                "kind": {"type": "add"},
                "diff": "pub fn answer() -> u32 { 42 }\n",
            }],
            "status": "completed",
        }))
    );
    assert_eq!(
        std::fs::read_to_string(&path)?,
        "pub fn answer() -> u32 { 42 }\n"
    );
    assert_eq!(
        session.call_output(1, "call_sh").await?,
        json!("Success. Updated the following files:\nA lib.rs\n")
    );
    Ok(())
}

#[tokio::test]
async fn turn_start_overrides_the_sandbox_and_the_approval_policy() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let mut session = start_session(
        workspace.path(),
        "untrusted",
        "danger-full-access",
        &[],
        shell_call_then_done("call_1", &["touch", "blocked.txt"], json!({})),
    )
    .await?;
    session
        .start_turn_with(
            "touch",
            json!({"approvalPolicy": "never", "sandboxPolicy": {"type": "readOnly"}}),
        )
        .await?;
    session.server.read_notification("turn/completed").await?;
    let seen = session.server.take_buffered();
    assert!(
        seen.iter().all(|message| message.get("id").is_none()),
        "`never` asks nothing"
    );
    let status = completed_item(&seen, "call_1").map(|item| item["status"].clone());
    assert_eq!(status, Some(json!("failed")));
    assert!(!workspace.path().join("blocked.txt").exists());

    let id = session
        .server
        .send_request(
            "turn/start",
            json!({
                "threadId": session.thread_id,
                "input": [{"type": "text", "text": "x", "text_elements": []}],
                "sandboxPolicy": {"type": "readOnly", "access": {"type": "restricted", "readableRoots": []}},
            }),
        )
        .await?;
    let refused = session.server.read_response(id).await?;
    assert_eq!(refused["error"]["code"], -32602, "{refused}");
    Ok(())
}

#[tokio::test]
async fn interrupt_kills_a_running_command() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let mut responses = shell_call_then_done(
        "call_1",
        &["bash", "-c", "echo started; sleep 30; touch late.txt"],
        json!({"timeout_ms": 60_000}),
    );
    responses.truncate(1);
    responses.push(MockResponse::assistant_message(
        &["next"],
        Some("final_answer"),
    ));
    let mut session = start_session(
        workspace.path(),
        "never",
        "danger-full-access",
        &[],
        responses,
    )
    .await?;
    let turn_id = session.start_turn("sleep").await?;
    session
        .server
        .read_notification("item/commandExecution/outputDelta")
        .await?;
    let id = session
        .server
        .send_request(
            "turn/interrupt",
            json!({"threadId": session.thread_id, "turnId": turn_id}),
        )
        .await?;
    session.server.read_response(id).await?;
    // The harness gives up on a read after 10 s, so the turn cannot have waited for the 30 s command.
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let item = completed_item(&after, "call_1").map(|item| item["status"].clone());
    assert_eq!(item, Some(json!("failed")));
    let turn = turn_status(&after);
    assert_eq!(turn, Some(json!("interrupted")));
    session.start_turn("again").await?;
    session.server.read_notification("turn/completed").await?;
    assert_eq!(session.call_output(1, "call_1").await?, json!("aborted"));
    assert!(!workspace.path().join("late.txt").exists());
    Ok(())
}

#[tokio::test]
async fn a_huge_output_is_kept_to_its_head_and_tail() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let mut session = start_session(
        workspace.path(),
        "never",
        "danger-full-access",
        &[],
        shell_call_then_done(
            "call_1",
            &[
                "bash",
                "-c",
                "echo FIRST; head -c 3000000 /dev/zero | tr '\\0' 'a'; echo; echo LAST",
            ],
            json!({}),
        ),
    )
    .await?;
    session.start_turn("flood").await?;
    let after = notifications_until_turn_completed(&mut session.server).await?;
    let output = completed_item(&after, "call_1")
        .and_then(|item| item["aggregatedOutput"].as_str().map(str::to_string))
        .unwrap_or_default();
    assert!(output.starts_with("FIRST\n"), "head lost");
    assert!(output.ends_with("\nLAST\n"), "tail lost");
    assert!(output.contains("[... omitted "), "no omission marker");
    assert!(output.len() < 1_100_000, "{} bytes kept", output.len());
    let for_model = session.call_output(1, "call_1").await?;
    let for_model = for_model.as_str().unwrap_or_default();
    assert!(
        for_model.len() < 12_000 && for_model.contains("FIRST") && for_model.ends_with("LAST\n"),
        "the model got {} bytes",
        for_model.len()
    );
    Ok(())
}

#[tokio::test]
async fn a_call_cut_short_by_a_killed_daemon_gets_an_output_after_resume() -> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    let mut responses = shell_call_then_done("call_1", &["sleep", "30"], json!({}));
    responses.truncate(1);
    responses.push(MockResponse::assistant_message(
        &["back"],
        Some("final_answer"),
    ));
    model.push_responses(responses);
    let options = AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    };
    let mut server = AppServer::spawn_with(options.clone()).await?;
    server.initialize().await?;
    let id = server
        .send_request(
            "thread/start",
            json!({"cwd": workspace.path().display().to_string(), "approvalPolicy": "never", "sandbox": "danger-full-access"}),
        )
        .await?;
    let thread_id = server.read_response(id).await?["result"]["thread"]["id"].clone();
    server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "sleep", "text_elements": []}]}),
        )
        .await?;
    server
        .read_until(|message| {
            message["method"] == "item/started" && message["params"]["item"]["id"] == "call_1"
        })
        .await?;
    // The rollout is written by a background task and offers nothing to await, hence the polling.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !server
        .rollout_records()?
        .iter()
        .any(|record| record["payload"]["call_id"] == "call_1")
    {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the call never reached the rollout"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let codex_home = server.into_codex_home().await?;

    let mut server = AppServer::spawn_in(codex_home, options).await?;
    server.initialize().await?;
    let id = server
        .send_request("thread/resume", json!({"threadId": thread_id}))
        .await?;
    server.read_response(id).await?;
    server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "again", "text_elements": []}]}),
        )
        .await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], "completed");
    let requests = model.responses_requests().await;
    let input = requests
        .get(1)
        .and_then(|request| request.body_json.clone())
        .map(|body| body["input"].clone())
        .unwrap_or_default();
    let calls: Vec<Value> = input
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter(|item| item["call_id"] == "call_1")
        .cloned()
        .collect();
    assert_eq!(
        calls,
        vec![
            json!({"type": "function_call", "name": "shell", "arguments": "{\"command\":[\"sleep\",\"30\"]}", "call_id": "call_1"}),
            json!({"type": "function_call_output", "call_id": "call_1", "output": "aborted"}),
        ]
    );
    Ok(())
}

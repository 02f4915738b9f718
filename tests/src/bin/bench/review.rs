//! The review figure: `review/start` against a base branch (the server finds the merge base with git,
//! starts the reviewer on its own history) in a small repository, the reviewer answering its findings at
//! once; measured from the request to `turn/completed`, both servers unsandboxed.

use std::path::Path;

use codex_app_server_tests::hostile_repo::git_ok;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::scripted_model::answer;
use serde_json::json;

use crate::failure::BenchFailure;
use crate::figures::IterationSamples;
use crate::options::BenchOptions;
use crate::scratch::initialize_and_start_thread;
use crate::scratch::mock_provider_args;
use crate::scratch::spawn_in_scratch;
use crate::scratch::unsandboxed_args;
use crate::server_process::millis;

const FINDINGS: &str = r#"{"findings": [{"title": "[P1] add subtracts", "body": "`add` returns a - b.", "confidence_score": 0.9, "priority": 1, "code_location": {"absolute_file_path": "/project/calc.py", "line_range": {"start": 2, "end": 2}}}], "overall_correctness": "patch is incorrect", "overall_explanation": "add is broken", "overall_confidence_score": 0.8}"#;

/// One fresh mock and server in a repository whose branch `feature` is a commit past `main`.
pub(crate) async fn review_figures(
    options: &BenchOptions,
    command_line: &str,
    stderr_log: &Path,
    samples: &mut IterationSamples,
    notes: &mut Vec<String>,
) -> Result<(), BenchFailure> {
    let mock = MockModelServer::start().await;
    mock.push_response(answer(FINDINGS));
    let mut args = mock_provider_args(&mock.uri(), false);
    args.extend(unsandboxed_args());
    let (scratch, _, mut server) = spawn_in_scratch(options, command_line, &args, stderr_log)?;
    let measured = async {
        branch_repository(&scratch.path().join("project"))?;
        let (_, thread_id) = initialize_and_start_thread(&mut server).await?;
        let params =
            json!({"threadId": thread_id, "target": {"type": "baseBranch", "branch": "main"}});
        let sent = std::time::Instant::now();
        server.send_request("review/start", params).await?;
        let deadline = tokio::time::Instant::now() + server.timeout();
        let mut exited = false;
        loop {
            let incoming = server.next_message(deadline, "turn/completed").await?;
            let message = &incoming.message;
            exited |= message["method"] == "item/completed"
                && message["params"]["item"]["type"] == "exitedReviewMode";
            if message["method"] == "turn/completed" {
                if exited {
                    samples.review_ms = Some(millis(sent, incoming.received_at));
                } else {
                    notes.push(format!(
                        "the review ended without exitedReviewMode: {message}"
                    ));
                }
                return Ok(());
            }
        }
    }
    .await;
    server.shut_down().await;
    mock.shutdown().await;
    measured
}

/// `main` with one commit, `feature` checked out with one more.
fn branch_repository(dir: &Path) -> Result<(), BenchFailure> {
    let git = |args: &[&str]| {
        git_ok(dir, args)
            .map(drop)
            .map_err(|error| BenchFailure::Spawn(format!("{error:#}")))
    };
    let write = |text: &str| {
        std::fs::write(dir.join("calc.py"), text)
            .map_err(|error| BenchFailure::Spawn(format!("calc.py: {error}")))
    };
    git(&["init", "-q", "-b", "main"])?;
    write("def add(a, b):\n    return a + b\n")?;
    git(&["add", "."])?;
    git(&["commit", "-q", "-m", "add"])?;
    git(&["checkout", "-q", "-b", "feature"])?;
    write("def add(a, b):\n    return a - b\n")?;
    git(&["commit", "-q", "-am", "break add"])
}

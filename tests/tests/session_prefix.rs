//! The session prefix of a thread's first request, through the real binary: the environment context
//! carries the git state of the workspace (and nothing of the kind outside a repository), `AGENTS.md`
//! instructions are included, the thread reports its `gitInfo`, and every request carries the
//! `x-codex-turn-metadata` header.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;
use std::process::Command;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

fn git(dir: &Path, args: &[&str]) -> anyhow::Result<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()?;
    anyhow::ensure!(output.status.success(), "git {args:?} failed");
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Runs one turn in a thread started in `cwd` by a server with `env` on top of the harness's; returns the
/// thread/start result and the model request.
async fn first_request(cwd: &Path, env: &[(&str, &Path)]) -> anyhow::Result<(Value, Value)> {
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["ok"], None));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        env: env
            .iter()
            .map(|(key, value)| (key.to_string(), value.display().to_string()))
            .collect(),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server
        .send_request("thread/start", json!({"cwd": cwd.display().to_string()}))
        .await?;
    let started = server.read_response(id).await?["result"].clone();
    let thread_id = started["thread"]["id"].clone();
    server
        .send_request(
            "turn/start",
            json!({"threadId": thread_id, "input": [{"type": "text", "text": "hi", "text_elements": []}]}),
        )
        .await?;
    server.read_notification("turn/completed").await?;
    let requests = model.responses_requests().await;
    let request = requests
        .first()
        .ok_or_else(|| anyhow::anyhow!("the model saw no request"))?;
    let request = json!({
        "body": request.body_json.clone().unwrap_or(Value::Null),
        "turn_metadata": request.header("x-codex-turn-metadata"),
    });
    Ok((started, request))
}

fn input_texts(request: &Value) -> Vec<String> {
    request["body"]["input"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .flat_map(|item| {
            item["content"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|part| part["text"].as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect()
}

#[tokio::test]
async fn a_repository_workspace_brings_its_git_context_and_agents_md() -> anyhow::Result<()> {
    if Command::new("git").arg("--version").output().is_err() {
        return Ok(());
    }
    let repo = tempfile::tempdir()?;
    git(repo.path(), &["init", "-q", "-b", "main"])?;
    git(
        repo.path(),
        &[
            "remote",
            "add",
            "origin",
            "https://example.com/acme/widgets.git",
        ],
    )?;
    std::fs::write(
        repo.path().join("AGENTS.md"),
        "Run `make check` before answering.\n",
    )?;
    git(repo.path(), &["add", "AGENTS.md"])?;
    git(repo.path(), &["commit", "-q", "-m", "init"])?;
    let head = git(repo.path(), &["rev-parse", "HEAD"])?;

    let (started, request) = first_request(repo.path(), &[]).await?;
    assert_eq!(
        started["thread"]["gitInfo"],
        json!({"sha": head, "branch": "main", "originUrl": "https://example.com/acme/widgets.git"})
    );
    let texts = input_texts(&request);
    let agents = texts
        .iter()
        .find(|text| text.starts_with("# AGENTS.md instructions for "))
        .ok_or_else(|| anyhow::anyhow!("no AGENTS.md message in {texts:?}"))?;
    assert!(
        agents.contains("Run `make check` before answering."),
        "{agents}"
    );
    let environment = texts
        .iter()
        .find(|text| text.starts_with("<environment_context>"))
        .ok_or_else(|| anyhow::anyhow!("no environment context in {texts:?}"))?;
    assert!(environment.contains(&head), "{environment}");
    assert!(
        environment.contains("https://example.com/acme/widgets.git"),
        "{environment}"
    );
    let metadata: Value =
        serde_json::from_str(request["turn_metadata"].as_str().unwrap_or("null"))?;
    assert!(metadata["turn_id"].is_string(), "{metadata}");
    Ok(())
}

#[tokio::test]
async fn outside_a_repository_there_is_no_git_context() -> anyhow::Result<()> {
    let plain = tempfile::tempdir()?;
    let (started, request) = first_request(plain.path(), &[]).await?;
    assert_eq!(started["thread"]["gitInfo"], Value::Null);
    let texts = input_texts(&request);
    let environment = texts
        .iter()
        .find(|text| text.starts_with("<environment_context>"))
        .ok_or_else(|| anyhow::anyhow!("no environment context in {texts:?}"))?;
    assert!(!environment.contains("workspace"), "{environment}");
    assert!(
        !texts.iter().any(|text| text.starts_with("# AGENTS.md")),
        "{texts:?}"
    );
    Ok(())
}

#[tokio::test]
async fn git_ceiling_directories_hide_the_repository_above_the_workspace() -> anyhow::Result<()> {
    if Command::new("git").arg("--version").output().is_err() {
        return Ok(());
    }
    let repo = tempfile::tempdir()?;
    git(repo.path(), &["init", "-q", "-b", "main"])?;
    std::fs::write(repo.path().join("AGENTS.md"), "The repository's doc.\n")?;
    git(repo.path(), &["add", "AGENTS.md"])?;
    git(repo.path(), &["commit", "-q", "-m", "init"])?;
    let ceiling = repo.path().join("ceiling");
    let workspace = ceiling.join("workspace");
    std::fs::create_dir_all(&workspace)?;

    let (started, request) =
        first_request(&workspace, &[("GIT_CEILING_DIRECTORIES", &ceiling)]).await?;
    assert_eq!(started["thread"]["gitInfo"], Value::Null);
    let texts = input_texts(&request);
    assert!(
        !texts
            .iter()
            .any(|text| text.contains("The repository's doc.") || text.contains("<workspace")),
        "{texts:?}"
    );
    let metadata: Value =
        serde_json::from_str(request["turn_metadata"].as_str().unwrap_or("null"))?;
    assert_eq!(metadata.get("workspaces"), None, "{metadata}");
    Ok(())
}

#[tokio::test]
async fn a_turn_that_changes_permissions_tells_the_model_and_an_unchanged_one_does_not()
-> anyhow::Result<()> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["ok"], None));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        // The context names the user's shell; pinned so the runner's `$SHELL` does not matter.
        env: vec![("SHELL".to_string(), "/bin/bash".to_string())],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let id = server
        .send_request(
            "thread/start",
            json!({"cwd": workspace.path().display().to_string()}),
        )
        .await?;
    let thread_id = server.read_response(id).await?["result"]["thread"]["id"].clone();
    for extra in [
        json!({}),
        json!({}),
        json!({"approvalPolicy": "never", "sandboxPolicy": {"type": "dangerFullAccess"}}),
    ] {
        let mut params = json!({"threadId": thread_id, "input": [{"type": "text", "text": "hi", "text_elements": []}]});
        if let (Some(params), Some(extra)) = (params.as_object_mut(), extra.as_object()) {
            params.extend(extra.clone());
        }
        server.send_request("turn/start", params).await?;
        server.read_notification("turn/completed").await?;
    }
    let requests = model.responses_requests().await;
    let environments: Vec<Vec<String>> = requests
        .iter()
        .map(|request| {
            input_texts(&json!({"body": request.body_json.clone().unwrap_or(Value::Null)}))
                .into_iter()
                .filter(|text| text.starts_with("<environment_context>"))
                .collect()
        })
        .collect();
    let cwd = workspace.path().display();
    let first = format!(
        "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>on-request</approval_policy>\n  <sandbox_mode>read-only</sandbox_mode>\n  <network_access>restricted</network_access>\n  <shell>bash</shell>\n</environment_context>"
    );
    let changed = format!(
        "<environment_context>\n  <cwd>{cwd}</cwd>\n  <approval_policy>never</approval_policy>\n  <sandbox_mode>danger-full-access</sandbox_mode>\n  <network_access>enabled</network_access>\n  <shell>bash</shell>\n</environment_context>"
    );
    assert_eq!(
        environments,
        vec![
            vec![first.clone()],
            vec![first.clone()],
            vec![first, changed],
        ]
    );
    Ok(())
}

/// Every model request of a turn in a repository carries the workspace's git state in
/// `x-codex-turn-metadata`, also when the model answers before the turn's own git collection finishes (the
/// state gathered at `thread/start` / `thread/resume` is sent meanwhile).
#[tokio::test]
async fn every_request_carries_the_git_state_in_the_turn_metadata() -> anyhow::Result<()> {
    let repo = tempfile::tempdir()?;
    git(repo.path(), &["init", "-q", "-b", "main"])?;
    std::fs::write(repo.path().join("README.md"), "hi\n")?;
    git(repo.path(), &["add", "."])?;
    git(repo.path(), &["commit", "-q", "-m", "init"])?;
    let head = git(repo.path(), &["rev-parse", "HEAD"])?;
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["ok"], None));
    let codex_home = tempfile::tempdir()?;
    let options = AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    };
    let mut server = AppServer::spawn_in(codex_home, options.clone()).await?;
    server.initialize().await?;
    let thread_id = server.start_thread_in(repo.path()).await?;
    for _ in 0..5 {
        server.send_turn_start(&thread_id, "hi").await?;
        server.read_notification("turn/completed").await?;
    }
    // A resumed thread's first turn too.
    let codex_home = server.into_codex_home().await?;
    let mut server = AppServer::spawn_in(codex_home, options).await?;
    server.initialize().await?;
    let id = server
        .send_request("thread/resume", json!({"threadId": thread_id}))
        .await?;
    server.read_response(id).await?;
    server.send_turn_start(&thread_id, "again").await?;
    server.read_notification("turn/completed").await?;

    let commits: Vec<Option<String>> = model
        .responses_requests()
        .await
        .iter()
        .map(|request| {
            let metadata: Value = request
                .header("x-codex-turn-metadata")
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default();
            metadata["workspaces"]
                .as_object()
                .and_then(|workspaces| workspaces.values().next())
                .and_then(|workspace| workspace["latest_git_commit_hash"].as_str())
                .map(str::to_string)
        })
        .collect();
    assert_eq!(commits, vec![Some(head); 6]);
    Ok(())
}

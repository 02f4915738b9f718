//! The daemon's own git in a repository the model controls, through the real binary: git info at
//! `thread/start` and in every turn (environment context, `x-codex-turn-metadata`) runs none of the programs
//! a repository can name — fsmonitor hooks, filter drivers, index hooks, a submodule's own config, promisor
//! remotes to fetch from. Each planted program would touch a marker in a directory outside the workspace;
//! the directory is checked once git is known to have run (the `thread/start` response carries `gitInfo`, and
//! a turn's git is done or killed when the turn completes).
//!
//! One suite plants the repositories directly (so it does not depend on what the sandbox lets the model
//! write); the other has a scripted model create one with `git init` in a workspace that had none.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::hostile_repo::Vector;
use codex_app_server_tests::hostile_repo::git_available;
use codex_app_server_tests::hostile_repo::markers_present;
use codex_app_server_tests::hostile_repo::plant;
use codex_app_server_tests::hostile_repo::unhardened_status;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// A server whose git (and whose agent's git) sees no global or system config, and whose
/// `workspace-write` sandbox may write the workspace only (not `/tmp`, where the markers live).
async fn spawn_server(
    model: &MockModelServer,
    workspace_parent: &Path,
) -> anyhow::Result<AppServer> {
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    for setting in [
        "sandbox_workspace_write.exclude_slash_tmp=true",
        "sandbox_workspace_write.exclude_tmpdir_env_var=true",
    ] {
        args.push("-c".to_string());
        args.push(setting.to_string());
    }
    let env = [
        ("GIT_CONFIG_GLOBAL", "/dev/null".to_string()),
        ("GIT_CONFIG_NOSYSTEM", "1".to_string()),
        (
            "GIT_CEILING_DIRECTORIES",
            workspace_parent.display().to_string(),
        ),
        ("GIT_AUTHOR_NAME", "t".to_string()),
        ("GIT_AUTHOR_EMAIL", "t@example.com".to_string()),
        ("GIT_COMMITTER_NAME", "t".to_string()),
        ("GIT_COMMITTER_EMAIL", "t@example.com".to_string()),
        ("LC_ALL", "C".to_string()),
    ];
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        env: env
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect(),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    Ok(server)
}

/// Starts a thread in `cwd` (approval `never`, `workspace-write`); returns its id and its `gitInfo`, which
/// the daemon gathered with git before answering.
async fn start_thread(server: &mut AppServer, cwd: &Path) -> anyhow::Result<(String, Value)> {
    let id = server
        .send_request(
            "thread/start",
            json!({"cwd": cwd, "approvalPolicy": "never", "sandbox": "workspace-write"}),
        )
        .await?;
    let response = server.read_response(id).await?;
    let thread = &response["result"]["thread"];
    let Some(thread_id) = thread["id"].as_str() else {
        anyhow::bail!("thread/start failed: {response}");
    };
    Ok((thread_id.to_string(), thread["gitInfo"].clone()))
}

/// Runs one turn to its end; the messages it produced, `turn/completed` last.
async fn run_turn(
    server: &mut AppServer,
    thread_id: &str,
    text: &str,
) -> anyhow::Result<Vec<Value>> {
    server.take_buffered();
    let id = server.send_turn_start(thread_id, text).await?;
    server.read_response(id).await?;
    let completed = server.read_notification("turn/completed").await?;
    let mut messages = server.take_buffered();
    messages.push(completed);
    Ok(messages)
}

#[tokio::test]
async fn no_program_a_planted_repository_names_runs() -> anyhow::Result<()> {
    if !git_available() {
        return Ok(());
    }
    let parent = tempfile::tempdir()?;
    let markers = tempfile::tempdir()?;
    let mut workspaces = Vec::new();
    for vector in Vector::ALL {
        let workspace = parent.path().join(vector.name());
        std::fs::create_dir(&workspace)?;
        let head = plant(vector, &workspace, markers.path())?;
        workspaces.push((vector, workspace, head));
    }
    let model = MockModelServer::start().await;
    model.set_default_response(MockResponse::assistant_message(&["ok"], None));
    let mut server = spawn_server(&model, parent.path()).await?;

    for (vector, workspace, head) in &workspaces {
        let (thread_id, git_info) = start_thread(&mut server, workspace).await?;
        assert_eq!(git_info["sha"], json!(head), "{vector:?}: git did not run");
        let turn = run_turn(&mut server, &thread_id, "hi").await?;
        let status = &turn
            .last()
            .map(|completed| completed["params"]["turn"]["status"].clone());
        assert_eq!(status, &Some(json!("completed")), "{vector:?}");
    }
    assert_eq!(markers_present(markers.path())?, Vec::<String>::new());

    // The control: plain git in the same workspaces runs every planted program.
    for (_, workspace, _) in &workspaces {
        unhardened_status(workspace)?;
    }
    let mut every_vector: Vec<String> = Vector::ALL
        .iter()
        .map(|vector| vector.name().to_string())
        .collect();
    every_vector.sort();
    assert_eq!(markers_present(markers.path())?, every_vector);
    Ok(())
}

/// The model turns a workspace without a repository into a hostile one: `git init`, then an fsmonitor hook,
/// a clean filter over a file whose stat data changed, and an index hook. The daemon's git then runs there
/// at the next `thread/start` and in the next turn's metadata.
#[tokio::test]
async fn no_program_a_repository_the_model_created_names_runs() -> anyhow::Result<()> {
    if !git_available() {
        return Ok(());
    }
    let parent = tempfile::tempdir()?;
    let markers = tempfile::tempdir()?;
    let workspace = parent.path().join("workspace");
    std::fs::create_dir(&workspace)?;
    let marker = |name: &str| markers.path().join(name).display().to_string();
    let script = format!(
        "git init -q -b main && echo hello > a.txt && git add a.txt && git commit -q -m init \
         && printf '* filter=planted\\n' > .gitattributes \
         && git config filter.planted.clean \"touch '{clean}'; cat\" \
         && printf '#!/bin/sh\\ntouch {hook}\\n' > .git/hooks/post-index-change \
         && chmod +x .git/hooks/post-index-change \
         && git config core.fsmonitor \"touch '{fsmonitor}'; false\" \
         && touch -m -d '2001-01-01 00:00:00' a.txt",
        clean = marker("model-clean-filter"),
        hook = marker("model-index-hook"),
        fsmonitor = marker("model-fsmonitor"),
    );
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::sse(vec![
            sse::response_created("resp_1"),
            sse::function_call(
                "call_setup",
                "shell_command",
                &json!({"command": script}).to_string(),
            ),
            sse::completed("resp_1"),
        ]),
        MockResponse::assistant_message(&["done"], Some("final_answer")),
    ]);
    model.set_default_response(MockResponse::assistant_message(&["ok"], None));
    let mut server = spawn_server(&model, parent.path()).await?;

    let (thread_id, git_info) = start_thread(&mut server, &workspace).await?;
    assert_eq!(git_info, Value::Null);
    let turn = run_turn(&mut server, &thread_id, "set up the repository").await?;
    let setup = turn
        .iter()
        .rev()
        .find(|message| {
            message["method"] == "item/completed" && message["params"]["item"]["id"] == "call_setup"
        })
        .map(|message| message["params"]["item"].clone())
        .unwrap_or_default();
    let planted = setup["exitCode"] == 0;
    if !planted {
        // A sandbox that keeps the model out of `.git` leaves the daemon nothing hostile to run; the suite
        // above still covers the daemon's side.
        eprintln!("the model could not plant the repository: {setup}");
    }

    let (_, git_info) = start_thread(&mut server, &workspace).await?;
    if planted {
        assert_eq!(git_info["branch"], json!("main"), "git did not run");
    }
    run_turn(&mut server, &thread_id, "hi").await?;
    assert_eq!(markers_present(markers.path())?, Vec::<String>::new());

    if planted {
        unhardened_status(&workspace)?;
        assert_eq!(
            markers_present(markers.path())?,
            vec![
                "model-clean-filter".to_string(),
                "model-fsmonitor".to_string(),
                "model-index-hook".to_string(),
            ]
        );
    }
    Ok(())
}

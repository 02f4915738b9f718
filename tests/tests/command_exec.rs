//! `command/exec` through the real binary: output and exit codes, stdout/stderr split, timeout, bad params,
//! spawn failures, the default and relative cwd, requests answered while a command runs, and the sandbox
//! per policy (or, on a machine without bubblewrap, the error that refuses to run unsandboxed).

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::path::Path;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// A server whose commands print plain-ASCII error messages (`'path'`, not locale quotes).
async fn spawn_c_locale() -> anyhow::Result<AppServer> {
    AppServer::spawn_with(AppServerOptions {
        env: vec![("LC_ALL".to_string(), "C".to_string())],
        ..AppServerOptions::default()
    })
    .await
}

async fn server() -> anyhow::Result<AppServer> {
    let mut server = spawn_c_locale().await?;
    server.initialize().await?;
    Ok(server)
}

/// Sends `command/exec` and returns the whole answer (`{"id", "result"}` or `{"id", "error"}`).
async fn exec(server: &mut AppServer, params: Value) -> anyhow::Result<Value> {
    let id = server.send_request("command/exec", params).await?;
    server.read_response(id).await
}

fn result(exit_code: i32, stdout: &str, stderr: &str) -> Value {
    json!({"exitCode": exit_code, "stdout": stdout, "stderr": stderr})
}

/// Workspace-write whose only writable root is the command's cwd (no `/tmp`, no `$TMPDIR`), so another
/// tempdir is outside it.
fn workspace_only() -> Value {
    json!({"type": "workspaceWrite", "excludeTmpdirEnvVar": true, "excludeSlashTmp": true})
}

/// Whether bubblewrap, which sandboxed commands run under, is installed where the daemon looks first.
fn bubblewrap_installed() -> bool {
    ["/usr/bin/bwrap", "/bin/bwrap"]
        .iter()
        .any(|path| Path::new(path).exists())
}

/// Without bubblewrap a sandboxed command must be refused with this error (and never run).
fn assert_needs_bubblewrap(response: &Value, mode: &str) {
    let message = response["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with(&format!(
            "exec failed: sandbox_mode \"{mode}\" needs bubblewrap (`bwrap`), which is not installed: \
             install it (Debian/Ubuntu: `apt-get install bubblewrap`"
        )),
        "{response}"
    );
}

fn touch(path: &Path) -> Value {
    json!(["touch", path.display().to_string()])
}

#[tokio::test]
async fn echo_returns_its_output() -> anyhow::Result<()> {
    let mut server = server().await?;
    let cwd = tempfile::tempdir()?;
    let response = exec(
        &mut server,
        json!({
            "command": ["echo", "hello", "world"],
            "cwd": cwd.path(),
            "sandboxPolicy": {"type": "dangerFullAccess"},
        }),
    )
    .await?;
    assert_eq!(
        response,
        json!({"id": 1, "result": result(0, "hello world\n", "")})
    );
    Ok(())
}

#[tokio::test]
async fn stdout_and_stderr_are_split_and_the_exit_code_kept() -> anyhow::Result<()> {
    let mut server = server().await?;
    let cwd = tempfile::tempdir()?;
    let response = exec(
        &mut server,
        json!({
            "command": ["sh", "-c", "echo out; echo err >&2; echo more; exit 3"],
            "cwd": cwd.path(),
            "sandboxPolicy": {"type": "dangerFullAccess"},
        }),
    )
    .await?;
    assert_eq!(response["result"], result(3, "out\nmore\n", "err\n"));
    Ok(())
}

#[tokio::test]
async fn timeout_reports_124_with_the_output_so_far() -> anyhow::Result<()> {
    let mut server = server().await?;
    let cwd = tempfile::tempdir()?;
    let response = exec(
        &mut server,
        json!({
            "command": ["sh", "-c", "echo started; echo warming >&2; sleep 30"],
            "cwd": cwd.path(),
            "timeoutMs": 500,
            "sandboxPolicy": {"type": "dangerFullAccess"},
        }),
    )
    .await?;
    assert_eq!(response["result"], result(124, "started\n", "warming\n"));
    Ok(())
}

#[tokio::test]
async fn empty_command_is_invalid_params() -> anyhow::Result<()> {
    let mut server = server().await?;
    let response = exec(&mut server, json!({"command": []})).await?;
    assert_eq!(
        response,
        json!({"id": 1, "error": {
            "code": -32602,
            "message": "Invalid params: `command` must not be empty",
        }})
    );
    Ok(())
}

#[tokio::test]
async fn a_missing_program_is_a_readable_error() -> anyhow::Result<()> {
    let mut server = server().await?;
    let cwd = tempfile::tempdir()?;
    let response = exec(
        &mut server,
        json!({
            "command": ["codex-test-no-such-program"],
            "cwd": cwd.path(),
            "sandboxPolicy": {"type": "dangerFullAccess"},
        }),
    )
    .await?;
    assert_eq!(
        response["error"],
        json!({
            "code": -32603,
            "message": format!(
                "exec failed: failed to start `codex-test-no-such-program` in {}: No such file or \
                 directory (os error 2)",
                cwd.path().display()
            ),
        })
    );
    Ok(())
}

#[tokio::test]
async fn cwd_defaults_to_the_server_cwd_and_a_relative_one_is_resolved_against_it()
-> anyhow::Result<()> {
    let mut server = server().await?;
    // The harness starts the server in this process's working directory (the tests crate, which has `src/`).
    let server_cwd = std::env::current_dir()?.canonicalize()?;
    let default = exec(
        &mut server,
        json!({"command": ["pwd", "-P"], "sandboxPolicy": {"type": "dangerFullAccess"}}),
    )
    .await?;
    let relative = exec(
        &mut server,
        json!({
            "command": ["pwd", "-P"],
            "cwd": "src",
            "sandboxPolicy": {"type": "dangerFullAccess"},
        }),
    )
    .await?;
    assert_eq!(
        (default["result"].clone(), relative["result"].clone()),
        (
            result(0, &format!("{}\n", server_cwd.display()), ""),
            result(0, &format!("{}\n", server_cwd.join("src").display()), ""),
        )
    );
    Ok(())
}

#[tokio::test]
async fn a_running_command_does_not_block_other_requests() -> anyhow::Result<()> {
    let mut server = server().await?;
    let cwd = tempfile::tempdir()?;
    // The first command finishes only once the second one has run, which it can only do if the first does not
    // hold the connection up.
    let waiting = server
        .send_request(
            "command/exec",
            json!({
                "command": ["sh", "-c", "while [ ! -e flag ]; do sleep 0.05; done; echo released"],
                "cwd": cwd.path(),
                "sandboxPolicy": {"type": "dangerFullAccess"},
            }),
        )
        .await?;
    let releasing = server
        .send_request(
            "command/exec",
            json!({
                "command": ["touch", "flag"],
                "cwd": cwd.path(),
                "sandboxPolicy": {"type": "dangerFullAccess"},
            }),
        )
        .await?;
    // The two answers may arrive in either order: the waiting command ends as soon as the flag exists.
    let released = server.read_response(releasing).await?;
    let waited = server.read_response(waiting).await?;
    assert_eq!(
        (released, waited),
        (
            json!({"id": releasing, "result": result(0, "", "")}),
            json!({"id": waiting, "result": result(0, "released\n", "")}),
        )
    );
    Ok(())
}

#[tokio::test]
async fn workspace_write_writes_inside_cwd_and_is_refused_outside() -> anyhow::Result<()> {
    let mut server = server().await?;
    let workspace = tempfile::tempdir()?;
    let outside = tempfile::tempdir()?;
    let outside_file = outside.path().join("escaped.txt");
    let inside = exec(
        &mut server,
        json!({
            "command": ["sh", "-c", "echo kept > inside.txt && cat inside.txt"],
            "cwd": workspace.path(),
            "sandboxPolicy": workspace_only(),
        }),
    )
    .await?;
    let refused = exec(
        &mut server,
        json!({
            "command": touch(&outside_file),
            "cwd": workspace.path(),
            "sandboxPolicy": workspace_only(),
        }),
    )
    .await?;
    assert!(!outside_file.exists());
    if !bubblewrap_installed() {
        assert_needs_bubblewrap(&inside, "workspace-write");
        assert_needs_bubblewrap(&refused, "workspace-write");
        assert!(!workspace.path().join("inside.txt").exists());
        return Ok(());
    }
    assert_eq!(inside["result"], result(0, "kept\n", ""));
    assert_eq!(
        refused["result"],
        result(
            1,
            "",
            &format!(
                "touch: cannot touch '{}': Read-only file system\n",
                outside_file.display()
            )
        )
    );
    Ok(())
}

#[tokio::test]
async fn read_only_refuses_a_write_in_cwd() -> anyhow::Result<()> {
    let mut server = server().await?;
    let cwd = tempfile::tempdir()?;
    let target = cwd.path().join("new.txt");
    let response = exec(
        &mut server,
        json!({
            "command": touch(&target),
            "cwd": cwd.path(),
            "sandboxPolicy": {"type": "readOnly"},
        }),
    )
    .await?;
    assert!(!target.exists());
    if !bubblewrap_installed() {
        assert_needs_bubblewrap(&response, "read-only");
        return Ok(());
    }
    assert_eq!(
        response["result"],
        result(
            1,
            "",
            &format!(
                "touch: cannot touch '{}': Read-only file system\n",
                target.display()
            )
        )
    );
    Ok(())
}

#[tokio::test]
async fn without_a_policy_the_config_sandbox_mode_applies() -> anyhow::Result<()> {
    let mut server = spawn_c_locale().await?;
    std::fs::write(
        server.codex_home().join("config.toml"),
        "sandbox_mode = \"read-only\"\n",
    )?;
    server.initialize().await?;
    let cwd = tempfile::tempdir()?;
    let target = cwd.path().join("new.txt");
    let response = exec(
        &mut server,
        json!({"command": touch(&target), "cwd": cwd.path()}),
    )
    .await?;
    assert!(!target.exists());
    if !bubblewrap_installed() {
        assert_needs_bubblewrap(&response, "read-only");
        return Ok(());
    }
    assert_eq!(response["result"]["exitCode"], json!(1), "{response}");
    Ok(())
}

#[tokio::test]
async fn danger_full_access_and_external_sandbox_write_anywhere() -> anyhow::Result<()> {
    let mut server = server().await?;
    let workspace = tempfile::tempdir()?;
    let outside = tempfile::tempdir()?;
    let mut answers = Vec::new();
    for (name, policy) in [
        ("danger", json!({"type": "dangerFullAccess"})),
        ("external", json!({"type": "externalSandbox"})),
    ] {
        let response = exec(
            &mut server,
            json!({
                "command": touch(&outside.path().join(name)),
                "cwd": workspace.path(),
                "sandboxPolicy": policy,
            }),
        )
        .await?;
        answers.push((
            response["result"].clone(),
            outside.path().join(name).exists(),
        ));
    }
    assert_eq!(
        answers,
        vec![(result(0, "", ""), true), (result(0, "", ""), true)]
    );
    Ok(())
}

#[tokio::test]
async fn restricted_read_access_is_refused() -> anyhow::Result<()> {
    let mut server = server().await?;
    let response = exec(
        &mut server,
        json!({
            "command": ["true"],
            "sandboxPolicy": {"type": "readOnly", "access": {"type": "restricted"}},
        }),
    )
    .await?;
    assert_eq!(
        response["error"],
        json!({
            "code": -32602,
            "message": "Invalid params: restricted read access is not supported: sandboxed commands may \
                        read everywhere",
        })
    );
    Ok(())
}

#[tokio::test]
async fn the_daemons_secrets_are_not_passed_to_commands() -> anyhow::Result<()> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        env: vec![
            ("LC_ALL".to_string(), "C".to_string()),
            (
                "CODEX_TEST_API_KEY".to_string(),
                "sk-do-not-leak".to_string(),
            ),
            (
                "codex_test_session_token".to_string(),
                "tok-do-not-leak".to_string(),
            ),
            ("CODEX_TEST_PLAIN".to_string(), "visible".to_string()),
        ],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let cwd = tempfile::tempdir()?;
    let response = exec(
        &mut server,
        json!({
            "command": ["sh", "-c", "env | grep '^codex_test\\|^CODEX_TEST' | sort"],
            "cwd": cwd.path(),
            "sandboxPolicy": {"type": "dangerFullAccess"},
        }),
    )
    .await?;
    assert_eq!(
        response,
        json!({"id": 1, "result": result(0, "CODEX_TEST_PLAIN=visible\n", "")})
    );
    Ok(())
}

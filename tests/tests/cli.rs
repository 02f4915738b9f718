//! The command line as hosts use it: both invocation forms, overrides, and unknown features.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use pretty_assertions::assert_eq;

fn with_args(args: &[&str]) -> AppServerOptions {
    AppServerOptions {
        args: args.iter().map(|arg| arg.to_string()).collect(),
        ..AppServerOptions::default()
    }
}

#[tokio::test]
async fn both_invocation_forms_serve_stdio() -> anyhow::Result<()> {
    for args in [
        vec!["--listen", "stdio://", "-c", "model=\"gpt-5.1-codex\""],
        vec![
            "app-server",
            "--listen",
            "stdio://",
            "--config",
            "model_reasoning_effort=\"high\"",
        ],
    ] {
        let mut server = AppServer::spawn_with(with_args(&args)).await?;
        let response = server.initialize().await?;
        assert_eq!(response["id"], serde_json::json!(0), "{args:?}");
        server.close_stdin();
        assert_eq!(
            server.wait_exit(Duration::from_secs(5)).await?.code(),
            Some(0),
            "{args:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn unknown_feature_warns_on_stderr_and_the_server_still_works() -> anyhow::Result<()> {
    let mut server = AppServer::spawn_with(with_args(&["--enable", "no_such_feature_xyz"])).await?;
    server.initialize().await?;
    server.close_stdin();
    let status = server.wait_exit(Duration::from_secs(5)).await?;
    let stderr = server.stderr();
    assert_eq!(
        (status.code(), stderr.contains("no_such_feature_xyz")),
        (Some(0), true),
        "{stderr}"
    );
    Ok(())
}

#[tokio::test]
async fn listen_off_and_unknown_urls_are_clear_startup_errors() -> anyhow::Result<()> {
    for (args, expected) in [
        (
            vec!["--listen", "off"],
            "no transport configured; use --listen",
        ),
        (
            vec!["--listen", "tcp://127.0.0.1:4000"],
            "expected stdio://, unix://, unix://PATH, ws://IP:PORT or off",
        ),
        (
            vec![
                "--stdio",
                "--ws-auth",
                "capability-token",
                "--ws-token-sha256",
                &"ab".repeat(32),
            ],
            "`--ws-auth` applies only to `--listen ws://IP:PORT`",
        ),
    ] {
        let mut server = AppServer::spawn_with(with_args(&args)).await?;
        let status = server.wait_exit(Duration::from_secs(5)).await?;
        let stderr = server.stderr();
        assert_eq!(
            (status.success(), stderr.contains(expected)),
            (false, true),
            "{args:?}: {stderr}"
        );
        assert_eq!(
            server.read_remaining().await?,
            Vec::<serde_json::Value>::new()
        );
    }
    Ok(())
}

#[tokio::test]
async fn stdio_flag_serves_stdio_in_both_forms() -> anyhow::Result<()> {
    for args in [vec!["--stdio"], vec!["app-server", "--stdio"]] {
        let mut server = AppServer::spawn_with(with_args(&args)).await?;
        let response = server.initialize().await?;
        assert_eq!(response["id"], serde_json::json!(0), "{args:?}");
        server.close_stdin();
        assert_eq!(
            server.wait_exit(Duration::from_secs(5)).await?.code(),
            Some(0),
            "{args:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn schema_export_works_at_the_top_and_under_app_server() -> anyhow::Result<()> {
    let mut exported = Vec::new();
    for form in [
        vec!["generate-json-schema"],
        vec!["app-server", "generate-json-schema"],
    ] {
        let out = tempfile::tempdir()?;
        let out_path = out.path().display().to_string();
        let mut args = form.clone();
        args.extend(["--out", out_path.as_str()]);
        let mut server = AppServer::spawn_with(with_args(&args)).await?;
        assert_eq!(
            server.wait_exit(Duration::from_secs(30)).await?.code(),
            Some(0),
            "{form:?}: {}",
            server.stderr()
        );
        let mut files: Vec<String> = std::fs::read_dir(out.path())?
            .map(|entry| entry.map(|entry| entry.file_name().to_string_lossy().into_owned()))
            .collect::<Result<_, _>>()?;
        files.sort();
        exported.push(files);
    }
    assert!(!exported[0].is_empty(), "nothing exported");
    assert_eq!(exported[0], exported[1]);
    Ok(())
}

//! The command line as hosts use it: both invocation forms, overrides, and unknown features.

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
async fn non_stdio_listen_is_a_clear_startup_error() -> anyhow::Result<()> {
    let mut server = AppServer::spawn_with(with_args(&["--listen", "ws://127.0.0.1:4000"])).await?;
    let status = server.wait_exit(Duration::from_secs(5)).await?;
    let stderr = server.stderr();
    assert_eq!(
        (
            status.success(),
            stderr.contains("only stdio:// is supported")
        ),
        (false, true),
        "{stderr}"
    );
    assert_eq!(
        server.read_remaining().await?,
        Vec::<serde_json::Value>::new()
    );
    Ok(())
}

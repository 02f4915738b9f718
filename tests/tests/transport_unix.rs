//! `--listen unix://[PATH]` through the real binary: WebSocket over a unix socket (as upstream), at
//! `$CODEX_HOME/app-server-control/app-server-control.sock` by default; several connections each with their
//! own session; a stale socket file replaced; SIGTERM ends the daemon and removes the socket.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::os::unix::fs::FileTypeExt;
use std::path::Path;
use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use codex_app_server_tests::ws_client::WsClient;
use pretty_assertions::assert_eq;
use serde_json::json;

async fn listening_on_unix(
    model: Option<&MockModelServer>,
    listen: &str,
) -> anyhow::Result<AppServer> {
    let mut args: Vec<String> = model.map_or_else(Vec::new, |model| {
        mock_provider_args(&model.uri(), &MockProviderOptions::default())
    });
    args.extend(["--listen".to_string(), listen.to_string()]);
    let server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.wait_for_stderr("listening on: unix://").await?;
    Ok(server)
}

fn is_socket(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|metadata| metadata.file_type().is_socket())
}

#[tokio::test]
async fn default_socket_serves_connections_and_sigterm_removes_it() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    model.push_responses([
        MockResponse::assistant_message(&["One."], None),
        MockResponse::assistant_message(&["Two."], None),
    ]);
    let mut server = listening_on_unix(Some(&model), "unix://").await?;
    let socket = server
        .codex_home()
        .join("app-server-control")
        .join("app-server-control.sock");
    assert!(is_socket(&socket), "{}", socket.display());

    let cwd = tempfile::tempdir()?;
    let mut texts = Vec::new();
    let mut clients = Vec::new();
    for name in ["one", "two"] {
        let mut client = WsClient::connect_unix(&socket).await?;
        client.initialize(name).await?;
        let thread_id = client.start_thread_in(cwd.path()).await?;
        let id = client.send_turn_start(&thread_id, name)?;
        client.read_response(id).await?;
        let completed = client
            .read_until(|message| {
                message["method"] == "item/completed"
                    && message["params"]["item"]["type"] == "agentMessage"
            })
            .await?;
        client.read_notification("turn/completed").await?;
        let others: Vec<_> = client
            .take_buffered()
            .into_iter()
            .filter(|message| {
                message["params"]["threadId"]
                    .as_str()
                    .is_some_and(|id| id != thread_id)
            })
            .collect();
        texts.push((completed["params"]["item"]["text"].clone(), others));
        clients.push(client);
    }
    assert_eq!(
        texts,
        vec![(json!("One."), Vec::new()), (json!("Two."), Vec::new())]
    );

    server.terminate()?;
    assert_eq!(
        server.wait_exit(Duration::from_secs(10)).await?.code(),
        Some(0)
    );
    for client in &mut clients {
        client.expect_closed().await?;
    }
    assert!(!socket.exists(), "the socket file is removed at exit");
    Ok(())
}

#[tokio::test]
async fn a_stale_socket_is_replaced_and_a_live_one_refused() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("daemon.sock");
    // What a killed daemon leaves: a socket file nobody listens on.
    drop(std::os::unix::net::UnixListener::bind(&path)?);
    assert!(is_socket(&path));
    let listen = format!("unix://{}", path.display());
    let mut server = listening_on_unix(None, &listen).await?;
    let mut client = WsClient::connect_unix(&path).await?;
    client.initialize("after_stale").await?;

    let mut second = AppServer::spawn_with(AppServerOptions {
        args: vec!["--listen".to_string(), listen.clone()],
        ..AppServerOptions::default()
    })
    .await?;
    let status = second.wait_exit(Duration::from_secs(10)).await?;
    let stderr = second.stderr();
    assert_eq!(
        (
            status.success(),
            stderr.contains("app-server control socket is already in use at")
        ),
        (false, true),
        "{stderr}"
    );
    assert!(
        is_socket(&path),
        "the refused daemon leaves the live socket alone"
    );

    server.terminate()?;
    assert_eq!(
        server.wait_exit(Duration::from_secs(10)).await?.code(),
        Some(0)
    );
    assert!(!path.exists());
    Ok(())
}

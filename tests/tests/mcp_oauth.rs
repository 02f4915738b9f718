//! `mcpServer/oauth/login` end to end through the real binary, against `mcp_test_server --oauth` (a protected
//! streamable HTTP server with its own authorization server): the server shows as needing a login, the login
//! answers an authorization URL, the test plays the browser (the authorization server approves at once and
//! redirects to the daemon's callback), the completion is notified, the tokens are stored 0600 under
//! `CODEX_HOME`, and after a reload a new thread reaches the server with them. And a login nobody finishes
//! times out with a failed completion.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::os::unix::fs::PermissionsExt;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mcp_server::HttpMcpServer;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// The daemon with the `--oauth` test server configured as `remote`.
async fn spawn(model: &MockModelServer, http: &HttpMcpServer) -> anyhow::Result<AppServer> {
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend([
        "-c".to_string(),
        format!("mcp_servers.remote={{url=\"{}\"}}", http.url),
    ]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize_experimental().await?;
    Ok(server)
}

/// `remote`'s `authStatus`, `runtimeStatus` and `toolsError` in `mcpServerStatus/list`.
async fn remote_status(server: &mut AppServer) -> anyhow::Result<Value> {
    let listed = server.call("mcpServerStatus/list", json!({})).await?;
    let remote = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|status| status["name"] == "remote")
        .cloned()
        .unwrap_or(Value::Null);
    Ok(
        json!({"authStatus": remote["authStatus"], "runtimeStatus": remote["runtimeStatus"],
              "toolsError": remote["toolsError"]}),
    )
}

#[tokio::test]
async fn oauth_login_stores_tokens_that_a_new_thread_uses() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let http = HttpMcpServer::spawn(&["--oauth", "--tools", "echo"]).await?;
    let mut server = spawn(&model, &http).await?;
    // Before the sign-in the server answers 401: not logged in, its start failed for that reason.
    assert_eq!(
        remote_status(&mut server).await?,
        json!({"authStatus": "notLoggedIn", "runtimeStatus": "authenticationRequired",
               "toolsError": "MCP client for `remote` failed to start: MCP startup failed: the server requires \
authentication: sign in with mcpServer/oauth/login, or set bearer_token_env_var"})
    );

    let login = server
        .call("mcpServer/oauth/login", json!({"name": "remote"}))
        .await?;
    let url = login["authorizationUrl"].as_str().unwrap().to_string();
    let login_id = login["loginId"].as_str().unwrap().to_string();
    let origin = http.url.trim_end_matches("/mcp");
    assert!(url.starts_with(&format!("{origin}/authorize?")), "{url}");
    for part in [
        "code_challenge_method=S256",
        "resource=",
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A",
    ] {
        assert!(url.contains(part), "{part} is not in {url}");
    }

    // The browser: the authorization server approves and redirects to the daemon's callback.
    let page = reqwest::get(&url).await?;
    assert_eq!(page.status(), reqwest::StatusCode::OK);
    assert_eq!(
        page.text().await?,
        "Authentication complete. You may close this window."
    );
    let completed = server
        .read_notification("mcpServer/oauthLogin/completed")
        .await?;
    assert_eq!(
        completed["params"],
        json!({"name": "remote", "success": true, "error": null, "loginId": login_id})
    );

    let credentials = server.codex_home().join(".credentials.json");
    let mode = std::fs::metadata(&credentials)?.permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let stored: Value = serde_json::from_str(&std::fs::read_to_string(&credentials)?)?;
    let entries: Vec<&Value> = stored.as_object().unwrap().values().collect();
    assert!(
        entries.iter().any(|entry| entry["server_name"] == "remote"),
        "no entry for remote in {stored}"
    );

    server.call("config/mcpServer/reload", Value::Null).await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    server
        .read_until(|m| {
            m["method"] == "mcpServer/startupStatus/updated"
                && m["params"]["name"] == "remote"
                && m["params"]["status"] == "ready"
        })
        .await?;
    let echoed = server
        .call(
            "mcpServer/tool/call",
            json!({"threadId": thread_id, "server": "remote", "tool": "echo", "arguments": {"text": "hi"}}),
        )
        .await?;
    assert_eq!(
        echoed["content"],
        json!([{"type": "text", "text": "echo: hi"}])
    );
    assert_eq!(
        remote_status(&mut server).await?,
        json!({"authStatus": "oAuth", "runtimeStatus": "connected", "toolsError": null})
    );
    Ok(())
}

#[tokio::test]
async fn an_unfinished_oauth_login_times_out_with_a_failed_completion() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let http = HttpMcpServer::spawn(&["--oauth", "--tools", "echo"]).await?;
    let mut server = spawn(&model, &http).await?;
    let login = server
        .call(
            "mcpServer/oauth/login",
            json!({"name": "remote", "timeoutSecs": 1}),
        )
        .await?;
    let completed = server
        .read_notification("mcpServer/oauthLogin/completed")
        .await?;
    assert_eq!(
        completed["params"],
        json!({"name": "remote", "success": false, "loginId": login["loginId"],
               "error": "the OAuth login timed out after 1 s"})
    );
    assert!(!server.codex_home().join(".credentials.json").exists());
    Ok(())
}

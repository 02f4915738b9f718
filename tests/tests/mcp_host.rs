//! The host's MCP methods through the real binary: `mcpServerStatus/list` (a stdio and a streamable HTTP
//! server with a bearer token), `mcpServer/tool/call` (with a server's question to the host during the
//! call), `mcpServer/resource/read`, `config/mcpServer/reload` (new threads see the new configuration,
//! running ones keep theirs), and `mcpServer/oauth/login`'s refusals.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mcp_server::HttpMcpServer;
use codex_app_server_tests::mcp_server::stdio_server_flags;
use codex_app_server_tests::mcp_server::stdio_server_toml;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

async fn spawn(
    model: &MockModelServer,
    flags: Vec<String>,
    env: Vec<(String, String)>,
) -> anyhow::Result<AppServer> {
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend(flags);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        env,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize_experimental().await?;
    Ok(server)
}

/// The error a request is answered with, as `(code, message)`.
async fn error_of(
    server: &mut AppServer,
    method: &str,
    params: Value,
) -> anyhow::Result<(i64, String)> {
    let id = server.send_request(method, params).await?;
    let response = server.read_response(id).await?;
    Ok((
        response["error"]["code"].as_i64().unwrap_or_default(),
        response["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
    ))
}

#[tokio::test]
async fn status_list_shows_stdio_and_http_servers_with_their_tools_and_auth() -> anyhow::Result<()>
{
    let model = MockModelServer::start().await;
    let http = HttpMcpServer::spawn(&["--bearer-token", "s3cret", "--tools", "echo"]).await?;
    let mut flags = stdio_server_flags("local", &["--tools", "echo,add"], &[]);
    flags.extend([
        "-c".to_string(),
        format!(
            "mcp_servers.remote={{url=\"{}\",bearer_token_env_var=\"REMOTE_TOKEN\"}}",
            http.url
        ),
    ]);
    let mut server = spawn(
        &model,
        flags,
        vec![("REMOTE_TOKEN".to_string(), "s3cret".to_string())],
    )
    .await?;
    let listed = server.call("mcpServerStatus/list", json!({})).await?;
    let summary: Vec<Value> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let mut tools: Vec<&String> = s["tools"].as_object().unwrap().keys().collect();
            tools.sort();
            json!({"name": s["name"], "tools": tools, "authStatus": s["authStatus"],
                   "runtimeStatus": s["runtimeStatus"], "resources": s["resources"].as_array().unwrap().len(),
                   "templates": s["resourceTemplates"].as_array().unwrap().len(),
                   "serverInfo": s["serverInfo"]["name"], "httpOrigin": s["httpOrigin"]})
        })
        .collect();
    let origin = http.url.trim_end_matches("/mcp");
    assert_eq!(
        summary,
        vec![
            json!({"name": "local", "tools": ["add", "echo"], "authStatus": "unsupported",
                   "runtimeStatus": "connected", "resources": 2, "templates": 1,
                   "serverInfo": "test-server", "httpOrigin": null}),
            json!({"name": "remote", "tools": ["echo"], "authStatus": "bearerToken",
                   "runtimeStatus": "connected", "resources": 2, "templates": 1,
                   "serverInfo": "test-server", "httpOrigin": origin}),
        ]
    );
    assert_eq!(listed["nextCursor"], Value::Null);
    // One page of one, then the next; resources left out on request.
    let page = server
        .call(
            "mcpServerStatus/list",
            json!({"limit": 1, "detail": "toolsAndAuthOnly"}),
        )
        .await?;
    assert_eq!(
        (page["data"][0]["name"].clone(), page["nextCursor"].clone()),
        (json!("local"), json!("1"))
    );
    assert_eq!(page["data"][0]["resources"], json!([]));
    let next = server
        .call("mcpServerStatus/list", json!({"cursor": "1"}))
        .await?;
    assert_eq!(
        (next["data"][0]["name"].clone(), next["nextCursor"].clone()),
        (json!("remote"), Value::Null)
    );
    assert_eq!(
        error_of(
            &mut server,
            "mcpServerStatus/list",
            json!({"serverName": "nope"})
        )
        .await?,
        (
            -32602,
            "Invalid params: unknown MCP server `nope`".to_string()
        )
    );
    Ok(())
}

#[tokio::test]
async fn the_host_calls_a_tool_and_reads_a_resource_through_a_thread() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model, stdio_server_flags("test", &[], &[]), Vec::new()).await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"].as_str().unwrap().to_string();
    let added = server
        .call(
            "mcpServer/tool/call",
            json!({"threadId": thread_id, "server": "test", "tool": "add", "arguments": {"a": 2, "b": 5}}),
        )
        .await?;
    assert_eq!(
        added,
        json!({"content": [{"type": "text", "text": "7"}], "structuredContent": {"sum": 7}, "isError": false})
    );
    let failed = server
        .call(
            "mcpServer/tool/call",
            json!({"threadId": thread_id, "server": "test", "tool": "fail"}),
        )
        .await?;
    assert_eq!(failed["isError"], true);

    // A question the server asks during the host's call reaches the host, with no turn.
    let id = server
        .send_request(
            "mcpServer/tool/call",
            json!({"threadId": thread_id, "server": "test", "tool": "elicit", "arguments": {"message": "Name?"}}),
        )
        .await?;
    let request = server
        .read_server_request("mcpServer/elicitation/request")
        .await?;
    assert_eq!(request["params"]["turnId"], Value::Null);
    assert_eq!(request["params"]["serverName"], "test");
    server
        .answer(&request, json!({"action": "decline"}))
        .await?;
    let response = server.read_response(id).await?;
    assert_eq!(
        response["result"]["content"],
        json!([{"type": "text", "text": "action=decline content=null"}])
    );

    let read = server
        .call(
            "mcpServer/resource/read",
            json!({"threadId": thread_id, "server": "test", "uri": "test://files/a.txt"}),
        )
        .await?;
    assert_eq!(
        read,
        json!({"contents": [{"uri": "test://files/a.txt", "mimeType": "text/plain", "text": "contents of a.txt"}]})
    );
    let (code, message) = error_of(
        &mut server,
        "mcpServer/resource/read",
        json!({"server": "test", "uri": "test://nothing"}),
    )
    .await?;
    assert_eq!(code, -32600);
    assert_eq!(message, "no resource test://nothing");
    assert_eq!(
        error_of(
            &mut server,
            "mcpServer/tool/call",
            json!({"threadId": thread_id, "server": "nope", "tool": "x"})
        )
        .await?,
        (
            -32602,
            "Invalid params: unknown MCP server `nope`".to_string()
        )
    );
    Ok(())
}

#[tokio::test]
async fn reload_gives_new_threads_the_new_configuration() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let mut server = spawn(&model, Vec::new(), Vec::new()).await?;
    let config = server.codex_home().join("config.toml");
    std::fs::write(&config, stdio_server_toml("first", &["--tools", "echo"]))?;
    let old = server.call("thread/start", json!({})).await?;
    let old_id = old["thread"]["id"].as_str().unwrap().to_string();
    let names = |listed: &Value| -> Vec<String> {
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_string())
            .collect()
    };

    let mut text = std::fs::read_to_string(&config)?;
    text.push_str(&stdio_server_toml("second", &["--tools", "add"]));
    std::fs::write(&config, text)?;
    assert_eq!(
        server.call("config/mcpServer/reload", Value::Null).await?,
        json!({})
    );
    let new = server.call("thread/start", json!({})).await?;
    let new_id = new["thread"]["id"].as_str().unwrap().to_string();
    let listed_new = server
        .call("mcpServerStatus/list", json!({"threadId": new_id}))
        .await?;
    let listed_old = server
        .call("mcpServerStatus/list", json!({"threadId": old_id}))
        .await?;
    assert_eq!(
        (names(&listed_new), names(&listed_old)),
        (
            vec!["first".to_string(), "second".to_string()],
            vec!["first".to_string()]
        )
    );
    Ok(())
}

#[tokio::test]
async fn oauth_login_is_refused_clearly_where_it_cannot_work() -> anyhow::Result<()> {
    let model = MockModelServer::start().await;
    let http = HttpMcpServer::spawn(&["--tools", "echo"]).await?;
    let mut flags = stdio_server_flags("local", &[], &[]);
    flags.extend([
        "-c".to_string(),
        format!("mcp_servers.remote={{url=\"{}\"}}", http.url),
    ]);
    let mut server = spawn(&model, flags, Vec::new()).await?;
    assert_eq!(
        error_of(&mut server, "mcpServer/oauth/login", json!({"name": "local"})).await?,
        (-32602, "Invalid params: MCP server `local` is not an HTTP server; OAuth login is only for servers configured with `url`".to_string())
    );
    assert_eq!(
        error_of(
            &mut server,
            "mcpServer/oauth/login",
            json!({"name": "remote"})
        )
        .await?,
        (
            -32600,
            "OAuth discovery for MCP server `remote` failed: the server does not support OAuth"
                .to_string()
        )
    );
    assert_eq!(
        error_of(
            &mut server,
            "mcpServer/oauth/login",
            json!({"name": "remote", "clientRegistration": "cimd"})
        )
        .await?
        .0,
        -32602
    );
    Ok(())
}

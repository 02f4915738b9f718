//! The MCP part of the schema tour: a thread with the MCP test server (its start-up states), a tool call
//! through the model that asks approval and reports progress, a server's question to the user, and every
//! host method (`mcpServer/tool/call` and `mcpServer/resource/read` as 0.171's clients only), and an OAuth
//! login to a second, protected server (`mcp_test_server --oauth`) played through to its completion.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::Transcribed;
use codex_app_server_tests::mcp_server::HttpMcpServer;
use codex_app_server_tests::mcp_server::stdio_server_flags;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_model_server::sse;
use codex_app_server_tests::mock_provider::mock_provider_options;
use codex_app_server_tests::upstream::UPSTREAM_0_171;
use serde_json::json;

use super::ONLY;
use super::finish;
use super::start_turn;

pub(super) async fn mcp_session() -> anyhow::Result<Vec<Transcribed>> {
    let model = MockModelServer::start().await;
    let secure = HttpMcpServer::spawn(&["--oauth", "--tools", "echo"]).await?;
    let mut flags = stdio_server_flags("docs", &[], &[]);
    flags.extend([
        "-c".to_string(),
        format!("mcp_servers.secure={{url=\"{}\"}}", secure.url),
    ]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &flags)).await?;
    server.initialize_experimental().await?;
    let started = server.call("thread/start", json!({})).await?;
    let thread_id = started["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    server
        .read_until(|m| {
            m["method"] == "mcpServer/startupStatus/updated" && m["params"]["status"] == "ready"
        })
        .await?;
    for (call, arguments) in [
        ("mcp__docs__progress", json!({"steps": 2})),
        ("mcp__docs__elicit", json!({"message": "Name?"})),
    ] {
        model.push_responses([
            MockResponse::sse(vec![
                sse::response_created("resp_m"),
                sse::function_call("call_m", call, &arguments.to_string()),
                sse::completed("resp_m"),
            ]),
            MockResponse::assistant_message(&["done"], Some("final_answer")),
        ]);
        let turn_id = start_turn(&mut server, &thread_id, "Use the docs").await?;
        // The approval, then (for `elicit`) the server's own question.
        let approval = server
            .read_server_request("mcpServer/elicitation/request")
            .await?;
        server
            .answer(
                &approval,
                json!({"action": "accept", "content": null, "_meta": {"persist": "session"}}),
            )
            .await?;
        if call == "mcp__docs__elicit" {
            let question = server
                .read_server_request("mcpServer/elicitation/request")
                .await?;
            server
                .answer(
                    &question,
                    json!({"action": "accept", "content": {"name": "Ada"}, "_meta": null}),
                )
                .await?;
        }
        server
            .read_turn_notification("turn/completed", &turn_id)
            .await?;
    }
    server
        .call(
            "mcpServerStatus/list",
            json!({"limit": 10, "detail": "full"}),
        )
        .await?;
    server
        .call("config/mcpServer/reload", serde_json::Value::Null)
        .await?;
    let login = json!({"id": "mcp-login", "method": "mcpServer/oauth/login",
                       "params": {"name": "docs", "scopes": ["read"], "timeoutSecs": 30}});
    server.send_json(&login).await?;
    server.read_response("mcp-login").await?;
    oauth_login(&mut server).await?;
    let only_0171 = format!("{ONLY}{UPSTREAM_0_171}-");
    for (id, method, params) in [
        (
            "mcp-tool-call",
            "mcpServer/tool/call",
            json!({"threadId": thread_id, "server": "docs", "tool": "add", "arguments": {"a": 1, "b": 2}}),
        ),
        (
            "mcp-resource-read",
            "mcpServer/resource/read",
            json!({"threadId": thread_id, "server": "docs", "uri": "test://readme"}),
        ),
    ] {
        let id = format!("{only_0171}{id}");
        server
            .send_json(&json!({"id": id, "method": method, "params": params}))
            .await?;
        let answer = server.read_response(id.as_str()).await?;
        anyhow::ensure!(answer.get("result").is_some(), "{method} answered {answer}");
    }
    finish(server).await
}

/// `mcpServer/oauth/login` to `secure`, the browser played with reqwest (the authorization server approves at
/// once and redirects to the daemon's callback), then `mcpServer/oauthLogin/completed`.
async fn oauth_login(server: &mut AppServer) -> anyhow::Result<()> {
    let login = server
        .call("mcpServer/oauth/login", json!({"name": "secure"}))
        .await?;
    let url = login["authorizationUrl"].as_str().unwrap_or_default();
    reqwest::get(url).await?.error_for_status()?;
    let completed = server
        .read_notification("mcpServer/oauthLogin/completed")
        .await?;
    anyhow::ensure!(
        completed["params"]["success"] == true,
        "the login failed: {completed}"
    );
    Ok(())
}

//! A generation of servers against the real MCP test server (`mcp_test_server`, stdio): start-up states,
//! the tools a turn sees, calls with progress, a crash and the restart on next use, the time limits, and
//! servers that print garbage, hang or cannot start.

use std::sync::Arc;
use std::time::Duration;

use codex_app_server_tests::mcp_server::mcp_test_server_bin;
use pretty_assertions::assert_eq;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::mcp::McpCallError;
use crate::mcp::McpServers;
use crate::mcp::SlotStatus;

fn servers(entries: &[(&str, &[&str], &str)]) -> Arc<McpServers> {
    let mut text = String::new();
    for (name, args, extra) in entries {
        let args: Vec<String> = args.iter().map(|a| format!("{a:?}")).collect();
        text.push_str(&format!(
            "[mcp_servers.{name}]\ncommand = {:?}\nargs = [{}]\n{extra}\n",
            mcp_test_server_bin().display().to_string(),
            args.join(", ")
        ));
    }
    let table: toml::Table = toml::from_str(&text).unwrap();
    let table = table
        .get("mcp_servers")
        .and_then(|t| t.as_table())
        .cloned()
        .unwrap_or_default();
    let home = tempfile::tempdir().unwrap().keep();
    Arc::new(McpServers::new(&table, reqwest::Client::new(), home))
}

async fn call(
    servers: &McpServers,
    server: &str,
    tool: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, McpCallError> {
    let connection = servers.connection(server).await?;
    let (progress, _rx) = tokio::sync::mpsc::unbounded_channel();
    let arguments = args.as_object().cloned();
    let result = connection
        .call_tool(
            tool,
            arguments,
            None,
            servers.tool_timeout(server),
            &CancellationToken::new(),
            progress,
        )
        .await?;
    Ok(serde_json::to_value(result).unwrap())
}

#[tokio::test]
async fn servers_start_together_and_offer_their_tools_under_upstream_names() {
    let servers = servers(&[
        ("docs", &["--tools", "echo,add"], ""),
        ("broken", &["--exit-immediately"], ""),
        ("off", &[], "enabled = false"),
    ]);
    servers.start_all();
    let names: Vec<String> = servers
        .tools()
        .await
        .into_iter()
        .map(|t| t.model_name)
        .collect();
    assert_eq!(names, vec!["mcp__docs__add", "mcp__docs__echo"]);
    assert_eq!(servers.slot("docs").unwrap().status(), SlotStatus::Ready);
    assert_eq!(servers.slot("off").unwrap().status(), SlotStatus::Disabled);
    let SlotStatus::Failed(reason) = servers.slot("broken").unwrap().status() else {
        panic!("the broken server did not fail");
    };
    assert!(
        reason.starts_with("MCP client for `broken` failed to start: MCP startup failed: "),
        "{reason}"
    );
    assert_eq!(
        call(&servers, "docs", "add", json!({"a": 2, "b": 3}))
            .await
            .unwrap()["structuredContent"],
        json!({"sum": 5})
    );
}

#[tokio::test]
async fn a_crashed_server_is_started_again_on_next_use() {
    let log = tempfile::NamedTempFile::new().unwrap();
    let log_path = log.path().display().to_string();
    let servers = servers(&[("flaky", &["--start-log", &log_path], "")]);
    servers.start_all();
    servers.tools().await;
    let crashed = call(&servers, "flaky", "crash", json!({}))
        .await
        .unwrap_err();
    assert!(matches!(crashed, McpCallError::Closed(_)), "{crashed:?}");
    let echoed = call(&servers, "flaky", "echo", json!({"text": "again"}))
        .await
        .unwrap();
    assert_eq!(
        echoed["content"],
        json!([{"type": "text", "text": "echo: again"}])
    );
    let starts = std::fs::read_to_string(log.path()).unwrap();
    assert_eq!(starts.lines().count(), 2, "{starts}");
}

#[tokio::test]
async fn a_call_past_the_tool_timeout_fails_and_the_server_keeps_serving() {
    let servers = servers(&[("slowpoke", &[], "tool_timeout_sec = 0.3")]);
    servers.start_all();
    let err = call(&servers, "slowpoke", "slow", json!({"ms": 5000}))
        .await
        .unwrap_err();
    assert_eq!(err, McpCallError::Timeout(Duration::from_millis(300)));
    let echoed = call(&servers, "slowpoke", "echo", json!({"text": "still here"}))
        .await
        .unwrap();
    assert_eq!(echoed["content"][0]["text"], json!("echo: still here"));
}

#[tokio::test]
async fn garbage_on_stdout_is_skipped_and_a_hanging_server_times_out() {
    let servers = servers(&[
        (
            "noisy",
            &["--garbage", "--log-stderr", "--tools", "echo"],
            "",
        ),
        ("hung", &["--hang"], "startup_timeout_sec = 0.5"),
    ]);
    servers.start_all();
    let names: Vec<String> = servers
        .tools()
        .await
        .into_iter()
        .map(|t| t.model_name)
        .collect();
    assert_eq!(names, vec!["mcp__noisy__echo"]);
    assert_eq!(
        servers.slot("hung").unwrap().status(),
        SlotStatus::Failed(
            "MCP client for `hung` timed out after 0.5 seconds. Add or adjust `startup_timeout_sec` in your config.toml:\n[mcp_servers.hung]\nstartup_timeout_sec = XX".to_string()
        )
    );
    let err = call(&servers, "hung", "echo", json!({})).await.unwrap_err();
    assert!(matches!(err, McpCallError::Unavailable { .. }), "{err:?}");
}

#[tokio::test]
async fn progress_reaches_the_caller_and_the_environment_is_explicit() {
    // SAFETY: tests in this binary do not read this variable concurrently.
    unsafe { std::env::set_var("CODEX_MCP_TEST_SECRET", "leak") };
    let servers = servers(&[("env", &[], "env = { GREETING = \"hi\" }")]);
    servers.start_all();
    let connection = servers.connection("env").await.unwrap();
    let (progress, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let args = json!({"steps": 3}).as_object().cloned();
    let cancel = CancellationToken::new();
    connection
        .call_tool(
            "progress",
            args,
            None,
            Duration::from_secs(30),
            &cancel,
            progress,
        )
        .await
        .unwrap();
    let mut messages = Vec::new();
    while let Ok(message) = rx.try_recv() {
        messages.push(message);
    }
    assert_eq!(messages, vec!["step 1 of 3", "step 2 of 3", "step 3 of 3"]);
    let greeting = call(&servers, "env", "env", json!({"name": "GREETING"}))
        .await
        .unwrap();
    assert_eq!(greeting["content"][0]["text"], json!("hi"));
    let secret = call(
        &servers,
        "env",
        "env",
        json!({"name": "CODEX_MCP_TEST_SECRET"}),
    )
    .await
    .unwrap();
    assert_eq!(secret["content"][0]["text"], json!("<unset>"));
}

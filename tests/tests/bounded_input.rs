//! Input that would cost the daemon a lot of memory is refused or paced, through the real binary: one huge
//! line, one turn whose text is over upstream's limit, and 20,000 requests in one write. The peak RSS
//! of the process (`VmHWM`) stays under 100 MB in every case, and the daemon keeps serving.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::app_server::text_input;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const PEAK_RSS_LIMIT_KB: u64 = 100 * 1024;

/// The peak resident set of the server process so far, in KiB.
fn peak_rss_kb(server: &AppServer) -> anyhow::Result<u64> {
    let pid = server
        .pid()
        .ok_or_else(|| anyhow::anyhow!("server exited"))?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no VmHWM in /proc/{pid}/status"))
}

/// A server with one idle thread (in a fresh directory) and nothing left to read.
async fn started_thread() -> anyhow::Result<(MockModelServer, AppServer, Value, tempfile::TempDir)>
{
    let model = MockModelServer::start().await;
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: mock_provider_args(&model.uri(), &MockProviderOptions::default()),
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    let cwd = tempfile::tempdir()?;
    let thread_id = json!(server.start_thread_in(cwd.path()).await?);
    server.take_buffered();
    Ok((model, server, thread_id, cwd))
}

fn turn_start(id: i64, thread_id: &Value, text: &str) -> Vec<u8> {
    let mut line = serde_json::to_vec(&json!({
        "id": id,
        "method": "turn/start",
        "params": {"threadId": thread_id, "input": [text_input(text)]},
    }))
    .unwrap_or_default();
    line.push(b'\n');
    line
}

#[tokio::test]
async fn a_30_mb_turn_is_refused_naming_the_limit_without_growing_memory() -> anyhow::Result<()> {
    let (model, mut server, thread_id, _cwd) = started_thread().await?;
    let text = "x".repeat(30 * 1000 * 1000);
    server.send_raw(&turn_start(100, &thread_id, &text)).await?;
    drop(text);
    assert_eq!(
        server.read_message().await?,
        json!({"id": null, "error": {
            "code": -32600,
            "message": "message too large: a line may carry at most 16777216 bytes",
        }})
    );
    let peak = peak_rss_kb(&server)?;
    assert!(
        peak < PEAK_RSS_LIMIT_KB,
        "peak RSS {peak} kB after a 30 MB line"
    );
    // Nothing reached the model, and the thread still takes a turn.
    assert_eq!(model.requests().await.len(), 0);
    let id = server.send_request("thread/loaded/list", json!({})).await?;
    assert_eq!(
        server.read_response(id).await?,
        json!({"id": id, "result": {"data": [thread_id], "nextCursor": null}})
    );
    Ok(())
}

#[tokio::test]
async fn turn_text_over_upstreams_limit_is_refused_with_its_error_data() -> anyhow::Result<()> {
    let (model, mut server, thread_id, _cwd) = started_thread().await?;
    let max_chars = 1 << 20;
    let text = "é".repeat(max_chars + 1);
    server.send_raw(&turn_start(7, &thread_id, &text)).await?;
    assert_eq!(
        server.read_message().await?,
        json!({"id": 7, "error": {
            "code": -32602,
            "message": "Input exceeds the maximum length of 1048576 characters.",
            "data": {"input_error_code": "input_too_large", "max_chars": max_chars, "actual_chars": max_chars + 1},
        }})
    );
    assert_eq!(model.requests().await.len(), 0);
    let peak = peak_rss_kb(&server)?;
    assert!(peak < PEAK_RSS_LIMIT_KB, "peak RSS {peak} kB");
    Ok(())
}

#[tokio::test]
async fn twenty_thousand_requests_in_one_write_are_all_answered_in_bounded_memory()
-> anyhow::Result<()> {
    // Twice the 10,000: without the bounds the peak grows with the count (95 MB at 10,000).
    const REQUESTS: i64 = 20_000;
    let mut server = AppServer::spawn().await?;
    server.initialize().await?;
    let mut burst = Vec::new();
    for id in 1000..1000 + REQUESTS {
        burst.extend_from_slice(
            json!({"id": id, "method": "config/read", "params": {"includeLayers": true}})
                .to_string()
                .as_bytes(),
        );
        burst.push(b'\n');
    }
    server.send_raw(&burst).await?;
    let mut answered = Vec::new();
    while answered.len() < REQUESTS as usize {
        let message = server.read_message().await?;
        if message.get("result").is_some() {
            answered.push(message["id"].as_i64().unwrap_or_default());
        } else {
            anyhow::bail!("not a config/read result: {message}");
        }
    }
    answered.sort_unstable();
    assert_eq!(answered, (1000..1000 + REQUESTS).collect::<Vec<_>>());
    let peak = peak_rss_kb(&server)?;
    assert!(
        peak < PEAK_RSS_LIMIT_KB,
        "peak RSS {peak} kB after {REQUESTS} requests"
    );
    Ok(())
}

//! Many requests in flight at once through the real binary: every one is answered, ids intact.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::collections::BTreeSet;

use codex_app_server_tests::app_server::AppServer;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

#[tokio::test]
async fn a_burst_of_requests_is_answered_in_full() -> anyhow::Result<()> {
    let mut server = AppServer::spawn().await?;
    server.initialize().await?;
    let mut burst = Vec::new();
    for index in 0..200 {
        let id = if index % 2 == 0 {
            json!(1000 + index)
        } else {
            json!(format!("req-{index}"))
        };
        let method = if index % 3 == 0 {
            "model/list"
        } else {
            "initialize"
        };
        let params = if method == "model/list" {
            json!({})
        } else {
            json!({"clientInfo": {"name": "c", "version": "1"}})
        };
        let mut line = serde_json::to_vec(&json!({"id": id, "method": method, "params": params}))?;
        line.push(b'\n');
        burst.extend_from_slice(&line);
    }
    // One write, so the server sees all of them before answering any.
    server.send_raw(&burst).await?;

    let mut answered = BTreeSet::new();
    for _ in 0..200 {
        let message = server.read_message().await?;
        assert!(
            message.get("result").is_some() || message.get("error").is_some(),
            "{message}"
        );
        answered.insert(message["id"].to_string());
    }
    let expected: BTreeSet<String> = (0..200)
        .map(|index| {
            if index % 2 == 0 {
                json!(1000 + index).to_string()
            } else {
                Value::String(format!("req-{index}")).to_string()
            }
        })
        .collect();
    assert_eq!(answered, expected);
    Ok(())
}

/// An unsigned JWT whose claims say: ChatGPT account `acc-1`, plan `pro`, expiring in 2100.
const CHATGPT_TOKEN: &str = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJlbWFpbCI6ImRldkBleGFtcGxlLmNvbSIsImV4cCI6NDEwMjQ0NDgwMCwiaHR0cHM6Ly9hcGkub3BlbmFpLmNvbS9hdXRoIjp7ImNoYXRncHRfcGxhbl90eXBlIjoicHJvIiwiY2hhdGdwdF9hY2NvdW50X2lkIjoiYWNjLTEifX0.sig";

#[tokio::test]
async fn a_slow_request_does_not_hold_up_the_others() -> anyhow::Result<()> {
    use codex_app_server_tests::app_server::AppServerOptions;
    use codex_app_server_tests::mock_model_server::MockModelServer;

    let backend = MockModelServer::start().await;
    backend.set_usage_response(200, json!({"plan_type": "pro", "rate_limit": null}));
    backend.set_usage_delay(std::time::Duration::from_secs(3));
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: vec![
            "-c".to_string(),
            format!("chatgpt_base_url=\"{}/backend-api/\"", backend.uri()),
        ],
        ..AppServerOptions::default()
    })
    .await?;
    let auth = json!({
        "auth_mode": "chatgpt",
        "OPENAI_API_KEY": null,
        "tokens": {"id_token": CHATGPT_TOKEN, "access_token": CHATGPT_TOKEN, "refresh_token": "r", "account_id": "acc-1"},
        "last_refresh": now_rfc3339(),
    });
    std::fs::write(
        server.codex_home().join("auth.json"),
        serde_json::to_vec(&auth)?,
    )?;
    server.initialize().await?;

    let slow = server
        .send_request("account/rateLimits/read", Value::Null)
        .await?;
    let fast = server.send_request("model/list", json!({})).await?;
    // The first answer to arrive is the fast one, while the usage endpoint is still holding the slow one.
    let first = server
        .read_until(|message| message.get("id").is_some())
        .await?;
    assert_eq!(first["id"], json!(fast), "{first}");
    backend
        .wait_for_requests(1, std::time::Duration::from_secs(5))
        .await?;
    let slow_answer = server.read_response(slow).await?;
    assert_eq!(
        slow_answer["result"]["rateLimits"]["planType"],
        json!("pro"),
        "{slow_answer}"
    );
    Ok(())
}

/// Now as RFC 3339, so the stored tokens count as freshly refreshed.
fn now_rfc3339() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_string())
        .unwrap_or_default()
}

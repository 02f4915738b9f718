//! Many requests in flight at once through the real binary: every one is answered, ids intact.

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

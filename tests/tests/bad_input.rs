//! Bad input through the real binary: every malformed line gets its error answer and the daemon keeps serving.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// Asserts that a well-formed request sent right after `case` is still answered.
async fn assert_still_serving(server: &mut AppServer, case: &str) -> anyhow::Result<()> {
    let id = format!("probe after {case}");
    server
        .send_json(&json!({"id": id, "method": "initialize", "params": {"clientInfo": {"name": "c", "version": "1"}}}))
        .await?;
    assert_eq!(
        server.read_response(id.as_str()).await?,
        json!({"id": id, "error": {"code": -32600, "message": "Already initialized"}})
    );
    Ok(())
}

async fn initialized_server() -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn().await?;
    server.initialize().await?;
    Ok(server)
}

#[tokio::test]
async fn malformed_lines_get_parse_or_invalid_request_errors() -> anyhow::Result<()> {
    let mut server = initialized_server().await?;
    let cases: [(&str, &[u8], Value, i64); 7] = [
        ("not json", b"this is not json\n", Value::Null, -32700),
        (
            "truncated json",
            b"{\"id\":1,\"method\"\n",
            Value::Null,
            -32700,
        ),
        (
            "invalid utf-8",
            b"{\"id\":1,\"method\":\"\xff\xfe\"}\n",
            Value::Null,
            -32700,
        ),
        ("array", b"[]\n", Value::Null, -32600),
        (
            "object without method",
            b"{\"foo\":1}\n",
            Value::Null,
            -32600,
        ),
        (
            "id of wrong type",
            b"{\"id\":true,\"method\":\"model/list\",\"params\":{}}\n",
            Value::Null,
            -32600,
        ),
        (
            "method of wrong type",
            b"{\"id\":5,\"method\":42}\n",
            json!(5),
            -32600,
        ),
    ];
    for (case, line, id, code) in cases {
        server.send_raw(line).await?;
        let message = server.read_message().await?;
        assert_eq!(
            (message["id"].clone(), message["error"]["code"].clone()),
            (id, json!(code)),
            "{case}: {message}"
        );
        assert_still_serving(&mut server, case).await?;
    }
    Ok(())
}

#[tokio::test]
async fn not_json_answer_is_a_null_id_parse_error() -> anyhow::Result<()> {
    let mut server = initialized_server().await?;
    server.send_raw(b"nope\n").await?;
    let message = server.read_message().await?;
    let text = message["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(text.starts_with("Parse error: "), "{message}");
    assert_eq!(
        message,
        json!({"id": null, "error": {"code": -32700, "message": text}})
    );
    Ok(())
}

#[tokio::test]
async fn unknown_method_is_method_not_found() -> anyhow::Result<()> {
    let mut server = initialized_server().await?;
    server
        .send_json(&json!({"id": 3, "method": "no/such/method", "params": {}}))
        .await?;
    assert_eq!(
        server.read_response(3).await?,
        json!({"id": 3, "error": {"code": -32601, "message": "Method not found: no/such/method"}})
    );
    assert_still_serving(&mut server, "unknown method").await?;
    Ok(())
}

#[tokio::test]
async fn undecodable_params_are_invalid_params_with_the_decoder_message() -> anyhow::Result<()> {
    let mut server = initialized_server().await?;
    server
        .send_json(&json!({"id": 4, "method": "model/list", "params": {"limit": "ten"}}))
        .await?;
    let response = server.read_response(4).await?;
    let text = response["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(text.starts_with("Invalid params: "), "{text}");
    assert!(text.contains("invalid type"), "{text}");
    assert_eq!(
        response,
        json!({"id": 4, "error": {"code": -32602, "message": text}})
    );
    server
        .send_json(&json!({"id": 5, "method": "model/list"}))
        .await?;
    assert_eq!(
        server.read_response(5).await?,
        json!({"id": 5, "error": {"code": -32602, "message": "Invalid params: missing field `params`"}})
    );
    assert_still_serving(&mut server, "bad params").await?;
    Ok(())
}

#[tokio::test]
async fn a_line_over_16_mib_is_rejected_and_dropped() -> anyhow::Result<()> {
    let mut server = initialized_server().await?;
    let mut huge = vec![b'x'; 16 * 1024 * 1024 + 1];
    huge.push(b'\n');
    server.send_raw(&huge).await?;
    drop(huge);
    assert_eq!(
        server.read_message().await?,
        json!({"id": null, "error": {
            "code": -32600,
            "message": "message too large: a line may carry at most 16777216 bytes",
        }})
    );
    assert_still_serving(&mut server, "huge line").await?;
    Ok(())
}

#[tokio::test]
async fn client_notifications_and_unknown_response_ids_get_no_answer() -> anyhow::Result<()> {
    let mut server = initialized_server().await?;
    server
        .send_json(&json!({"method": "some/notification"}))
        .await?;
    server
        .send_json(&json!({"id": 12345, "result": {}}))
        .await?;
    server
        .send_json(&json!({"id": 12346, "error": {"code": 1, "message": "no"}}))
        .await?;
    assert_still_serving(&mut server, "stray messages").await?;
    assert_eq!(server.take_buffered(), Vec::<Value>::new());
    Ok(())
}

/// A response is never answered, even a malformed one: an answer under its id could be taken by the client
/// for the answer to a request of its own with the same id.
#[tokio::test]
async fn malformed_responses_get_no_answer() -> anyhow::Result<()> {
    let mut server = initialized_server().await?;
    let responses = [
        json!({"id": 7, "error": "not an error object"}),
        json!({"id": 8, "error": {"code": "x"}}),
        json!({"id": 9, "result": {}, "error": {"code": 1, "message": "both"}}),
        json!({"id": {"nested": true}, "result": {}}),
        json!({"id": 1.5, "error": {"code": 1, "message": "fractional id"}}),
        json!({"id": null, "error": {"code": -32700, "message": "client could not parse"}}),
        json!({"result": {}}),
    ];
    for response in &responses {
        server.send_json(response).await?;
    }
    // The first message after them all is the answer to the request sent after them.
    let id = server.send_request("config/read", json!({})).await?;
    let message = server.read_message().await?;
    assert_eq!(
        (message["id"].clone(), message.get("result").is_some()),
        (json!(id), true),
        "{message}"
    );
    Ok(())
}

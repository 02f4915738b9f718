//! The `initialize` handshake through the real binary: user agent, ordering errors, id echo, the `jsonrpc`
//! member, and clean exit on EOF with nothing but JSON on stdout.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use std::time::Duration;

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use pretty_assertions::assert_eq;
use serde_json::json;

fn client_params(name: &str) -> serde_json::Value {
    json!({"clientInfo": {"name": name, "title": null, "version": "1.2.3"}})
}

#[tokio::test]
async fn initialize_answers_a_user_agent_naming_the_client() -> anyhow::Result<()> {
    let mut server = AppServer::spawn().await?;
    server
        .send_json(
            &json!({"id": 0, "method": "initialize", "params": client_params("codex_vscode")}),
        )
        .await?;
    let response = server.read_response(0).await?;
    let user_agent = response["result"]["userAgent"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        user_agent.starts_with("codex_vscode/0.1.0 ("),
        "{user_agent}"
    );
    assert!(
        user_agent.ends_with(" (codex_vscode; 1.2.3)"),
        "{user_agent}"
    );
    assert_eq!(
        response,
        json!({"id": 0, "result": {
            "userAgent": user_agent,
            "codexHome": server.codex_home().display().to_string(),
            "platformFamily": std::env::consts::FAMILY,
            "platformOs": std::env::consts::OS,
        }})
    );
    Ok(())
}

#[tokio::test]
async fn requests_before_initialize_and_a_second_initialize_are_rejected() -> anyhow::Result<()> {
    let mut server = AppServer::spawn().await?;
    server
        .send_json(&json!({"id": 1, "method": "model/list", "params": {}}))
        .await?;
    assert_eq!(
        server.read_response(1).await?,
        json!({"id": 1, "error": {"code": -32600, "message": "Not initialized"}})
    );
    server.initialize().await?;
    server
        .send_json(&json!({"id": 2, "method": "initialize", "params": client_params("again")}))
        .await?;
    assert_eq!(
        server.read_response(2).await?,
        json!({"id": 2, "error": {"code": -32600, "message": "Already initialized"}})
    );
    Ok(())
}

#[tokio::test]
async fn client_name_must_be_a_header_value() -> anyhow::Result<()> {
    let mut server = AppServer::spawn().await?;
    server
        .send_json(&json!({"id": 0, "method": "initialize", "params": client_params("bad\nname")}))
        .await?;
    assert_eq!(
        server.read_response(0).await?,
        json!({"id": 0, "error": {
            "code": -32600,
            "message": "Invalid clientInfo.name: 'bad\nname'. Must be a valid HTTP header value.",
        }})
    );
    // The failed handshake leaves the connection uninitialized, so a good one still works.
    server.initialize().await?;
    Ok(())
}

#[tokio::test]
async fn ids_come_back_with_their_json_type_with_or_without_jsonrpc_member() -> anyhow::Result<()> {
    let mut server = AppServer::spawn().await?;
    server
        .send_json(&json!({"jsonrpc": "2.0", "id": "init-1", "method": "initialize", "params": client_params("c")}))
        .await?;
    let response = server.read_response("init-1").await?;
    assert_eq!(
        response,
        json!({"id": "init-1", "result": {
            "userAgent": response["result"]["userAgent"],
            "codexHome": server.codex_home().display().to_string(),
            "platformFamily": std::env::consts::FAMILY,
            "platformOs": std::env::consts::OS,
        }})
    );
    for (id, envelope) in [
        (
            json!(7),
            json!({"id": 7, "method": "initialize", "params": client_params("c")}),
        ),
        (
            json!("seven"),
            json!({"jsonrpc": "2.0", "id": "seven", "method": "initialize", "params": client_params("c")}),
        ),
        (
            json!(9_007_199_254_740_993_i64),
            json!({"id": 9_007_199_254_740_993_i64, "method": "initialize", "params": client_params("c")}),
        ),
    ] {
        server.send_json(&envelope).await?;
        assert_eq!(
            server.read_response(id.clone()).await?,
            json!({"id": id, "error": {"code": -32600, "message": "Already initialized"}})
        );
    }
    Ok(())
}

#[tokio::test]
async fn nothing_but_json_lines_reach_stdout_and_eof_exits_zero_within_a_second()
-> anyhow::Result<()> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        env: vec![("RUST_LOG".to_string(), "trace".to_string())],
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;
    server.send_raw(b"not json\n").await?;
    server
        .send_request("initialize", client_params("c"))
        .await?;
    server.close_stdin();
    let status = server.wait_exit(Duration::from_secs(1)).await?;
    // read_remaining fails on any line that is not JSON.
    let remaining = server.read_remaining().await?;
    assert_eq!((status.code(), remaining.len()), (Some(0), 2));
    Ok(())
}

#[tokio::test]
async fn experimental_fields_need_the_capability() -> anyhow::Result<()> {
    let request = json!({"id": "gated", "method": "thread/start", "params": {"dynamicTools": []}});
    let gated = json!({"id": "gated", "error": {
        "code": -32600,
        "message": "thread/start.dynamicTools requires experimentalApi capability",
    }});

    let mut plain = AppServer::spawn().await?;
    plain.initialize().await?;
    plain.send_json(&request).await?;
    assert_eq!(plain.read_response("gated").await?, gated);

    let mut opted_in = AppServer::spawn().await?;
    opted_in
        .initialize_with(json!({
            "clientInfo": {"name": "c", "version": "1"},
            "capabilities": {"experimentalApi": true},
        }))
        .await?;
    opted_in.send_json(&request).await?;
    let response = opted_in.read_response("gated").await?;
    assert!(response != gated, "{response}");
    Ok(())
}

#[tokio::test]
async fn opted_out_notifications_are_never_written() -> anyhow::Result<()> {
    let options = AppServerOptions {
        args: vec!["--enable".to_string(), "no_such_feature_xyz".to_string()],
        ..AppServerOptions::default()
    };

    let mut listening = AppServer::spawn_with(options.clone()).await?;
    listening.initialize().await?;
    let warning = listening.read_notification("configWarning").await?;
    // The details (the list of known features) belong to the config layer and change with it.
    assert_eq!(
        warning,
        json!({"method": "configWarning", "params": {
            "summary": "unknown feature `no_such_feature_xyz` on the command line was ignored",
            "details": warning["params"]["details"],
        }})
    );

    let mut opted_out = AppServer::spawn_with(options).await?;
    opted_out
        .initialize_with(json!({
            "clientInfo": {"name": "c", "version": "1"},
            "capabilities": {"optOutNotificationMethods": ["configWarning"]},
        }))
        .await?;
    // The warning would have been written before this answer, so its absence is final.
    let id = opted_out
        .send_request("initialize", client_params("c"))
        .await?;
    opted_out.read_response(id).await?;
    assert_eq!(opted_out.take_buffered(), Vec::<serde_json::Value>::new());
    Ok(())
}

#[tokio::test]
async fn model_list_answers_the_catalog_page() -> anyhow::Result<()> {
    let mut server = AppServer::spawn().await?;
    server.initialize().await?;
    let id = server
        .send_request("model/list", json!({"limit": 1}))
        .await?;
    let response = server.read_response(id).await?;
    let models = response["result"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            models.len(),
            response["result"]["nextCursor"].clone(),
            models[0]["isDefault"].clone()
        ),
        (1, json!("1"), json!(true)),
        "{response}"
    );
    Ok(())
}

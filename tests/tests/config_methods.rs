//! `config/read`, `config/value/write` and `config/batchWrite` through the real binary: origins per layer,
//! comment-preserving writes, `okOverridden` under a `-c` flag, and write errors with their code.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

const USER_CONFIG: &str = "# my settings\nmodel = \"gpt-5.1\" # pinned\n\n[features]\n# keep this comment\nshell_tool = true\n";

async fn server_with_config(args: &[&str]) -> anyhow::Result<AppServer> {
    let mut server = AppServer::spawn_with(AppServerOptions {
        args: args.iter().map(|arg| arg.to_string()).collect(),
        ..AppServerOptions::default()
    })
    .await?;
    std::fs::write(server.codex_home().join("config.toml"), USER_CONFIG)?;
    server.initialize().await?;
    Ok(server)
}

async fn call(server: &mut AppServer, method: &str, params: Value) -> anyhow::Result<Value> {
    let id = server.send_request(method, params).await?;
    server.read_response(id).await
}

#[tokio::test]
async fn read_reports_values_with_their_layer() -> anyhow::Result<()> {
    let mut server = server_with_config(&["-c", "model_reasoning_effort=\"high\""]).await?;
    let response = call(&mut server, "config/read", json!({"includeLayers": true})).await?;
    let result = &response["result"];
    let user_file = server
        .codex_home()
        .join("config.toml")
        .display()
        .to_string();
    assert_eq!(result["config"]["model"], json!("gpt-5.1"));
    assert_eq!(result["config"]["model_reasoning_effort"], json!("high"));
    assert_eq!(
        result["origins"]["model"]["name"],
        json!({"type": "user", "file": user_file})
    );
    assert_eq!(
        result["origins"]["model_reasoning_effort"]["name"],
        json!({"type": "sessionFlags"})
    );
    let layer_names: Vec<Value> = result["layers"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|layer| layer["name"].clone())
        .collect();
    assert_eq!(
        layer_names,
        vec![
            json!({"type": "user", "file": user_file}),
            json!({"type": "sessionFlags"})
        ]
    );
    Ok(())
}

#[tokio::test]
async fn writes_keep_comments_and_report_versions() -> anyhow::Result<()> {
    let mut server = server_with_config(&[]).await?;
    let response = call(
        &mut server,
        "config/value/write",
        json!({"keyPath": "model", "value": "gpt-5.2-codex", "mergeStrategy": "replace"}),
    )
    .await?;
    let path = server.codex_home().join("config.toml");
    let written = std::fs::read_to_string(&path)?;
    assert_eq!(
        written,
        USER_CONFIG.replace("\"gpt-5.1\"", "\"gpt-5.2-codex\"")
    );
    let version = response["result"]["version"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(version.starts_with("sha256:"), "{response}");
    assert_eq!(
        response["result"],
        json!({"status": "ok", "version": version, "filePath": path.display().to_string(), "overriddenMetadata": null})
    );

    let batch = call(
        &mut server,
        "config/batchWrite",
        json!({"edits": [
            {"keyPath": "features.web_search_request", "value": true, "mergeStrategy": "upsert"},
            {"keyPath": "approval_policy", "value": "never", "mergeStrategy": "replace"}
        ], "expectedVersion": version}),
    )
    .await?;
    assert_eq!(batch["result"]["status"], json!("ok"), "{batch}");
    let written = std::fs::read_to_string(&path)?;
    assert!(written.contains("# keep this comment"), "{written}");
    assert!(written.contains("web_search_request = true"), "{written}");
    assert!(written.contains("approval_policy = \"never\""), "{written}");

    // The first version is stale now.
    let conflict = call(
        &mut server,
        "config/value/write",
        json!({"keyPath": "model", "value": "gpt-5.1", "mergeStrategy": "replace", "expectedVersion": version}),
    )
    .await?;
    assert_eq!(conflict["error"]["code"], json!(-32600), "{conflict}");
    assert_eq!(
        conflict["error"]["data"],
        json!({"config_write_error_code": "configVersionConflict"})
    );
    Ok(())
}

#[tokio::test]
async fn a_session_flag_overriding_the_written_key_is_reported() -> anyhow::Result<()> {
    let mut server = server_with_config(&["-c", "model=\"gpt-5.1-codex-mini\""]).await?;
    let response = call(
        &mut server,
        "config/value/write",
        json!({"keyPath": "model", "value": "gpt-5.2", "mergeStrategy": "replace"}),
    )
    .await?;
    assert_eq!(
        response["result"]["status"],
        json!("okOverridden"),
        "{response}"
    );
    assert_eq!(
        response["result"]["overriddenMetadata"]["effectiveValue"],
        json!("gpt-5.1-codex-mini")
    );
    Ok(())
}

#[tokio::test]
async fn an_invalid_value_is_refused_and_the_file_is_untouched() -> anyhow::Result<()> {
    let mut server = server_with_config(&[]).await?;
    let response = call(
        &mut server,
        "config/value/write",
        json!({"keyPath": "approval_policy", "value": "sometimes", "mergeStrategy": "replace"}),
    )
    .await?;
    assert_eq!(
        response["error"]["data"],
        json!({"config_write_error_code": "configValidationError"}),
        "{response}"
    );
    assert!(
        response["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("approval_policy"),
        "{response}"
    );
    let written = std::fs::read_to_string(server.codex_home().join("config.toml"))?;
    assert_eq!(written, USER_CONFIG);
    Ok(())
}

#[tokio::test]
async fn timeout_keys_are_checked_on_write_and_read_back_with_their_origin() -> anyhow::Result<()> {
    let mut server = server_with_config(&["-c", "model_providers.local.name=\"local\""]).await?;
    let written = call(
        &mut server,
        "config/value/write",
        json!({"keyPath": "chatgpt_auth_tokens_refresh_timeout_ms", "value": 300, "mergeStrategy": "replace"}),
    )
    .await?;
    assert_eq!(written["result"]["status"], json!("ok"), "{written}");
    let refused = call(
        &mut server,
        "config/value/write",
        json!({"keyPath": "model_providers.local.websocket_connect_timeout_ms", "value": 0, "mergeStrategy": "replace"}),
    )
    .await?;
    assert_eq!(
        refused["error"]["data"],
        json!({"config_write_error_code": "configValidationError"}),
        "{refused}"
    );
    let message = refused["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("`model_providers.local.websocket_connect_timeout_ms`")
            && message.contains("expected a whole number of milliseconds greater than 0"),
        "{refused}"
    );

    let read = call(&mut server, "config/read", json!({"includeLayers": false})).await?;
    let user_file = server.codex_home().join("config.toml");
    assert_eq!(
        (
            &read["result"]["config"]["chatgpt_auth_tokens_refresh_timeout_ms"],
            &read["result"]["origins"]["chatgpt_auth_tokens_refresh_timeout_ms"]["name"],
        ),
        (
            &json!(300),
            &json!({"type": "user", "file": user_file.display().to_string()}),
        )
    );
    Ok(())
}

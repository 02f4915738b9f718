//! `model_catalog_json` through the real binary: a file in upstream Codex's own shape (the one its
//! `models.json` and `/models` use: `visibility`, an `upgrade` object, `truncation_policy`,
//! `model_messages`, nulls) is accepted like one in ours, and its models are listed and usable.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::AppServerOptions;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_model_server::MockResponse;
use codex_app_server_tests::mock_provider::MockProviderOptions;
use codex_app_server_tests::mock_provider::mock_provider_args;
use pretty_assertions::assert_eq;
use serde_json::Value;
use serde_json::json;

/// One entry as upstream writes it, with fields this daemon does not use.
fn upstream_entry(slug: &str, visibility: &str, upgrade: Value) -> Value {
    json!({
        "supports_reasoning_summaries": true,
        "support_verbosity": false,
        "default_verbosity": null,
        "apply_patch_tool_type": "freeform",
        "input_modalities": ["text", "image"],
        "truncation_policy": {"mode": "tokens", "limit": 10000},
        "supports_parallel_tool_calls": true,
        "context_window": 272000,
        "reasoning_summary_format": "experimental",
        "slug": slug,
        "display_name": slug,
        "description": "An upstream-shaped entry.",
        "default_reasoning_level": "medium",
        "supported_reasoning_levels": [
            {"effort": "low", "description": "Fast"},
            {"effort": "medium", "description": "Balanced"},
        ],
        "shell_type": "shell_command",
        "visibility": visibility,
        "minimal_client_version": "0.0.1",
        "supported_in_api": true,
        "upgrade": upgrade,
        "priority": 0,
        "base_instructions": "You are a test model.",
        "model_messages": {"instructions_template": "{{ personality }}", "instructions_variables": {}},
    })
}

#[tokio::test]
async fn an_upstream_shaped_catalog_is_listed_and_its_model_takes_turns() -> anyhow::Result<()> {
    let home = tempfile::tempdir()?;
    let catalog_path = home.path().join("models.json");
    std::fs::write(
        &catalog_path,
        json!({"models": [
            upstream_entry(
                "upstream-one",
                "list",
                json!({"model": "upstream-two", "migration_markdown": "Try it."}),
            ),
            upstream_entry("upstream-two", "hide", Value::Null),
        ]})
        .to_string(),
    )?;
    let model = MockModelServer::start().await;
    model.push_response(MockResponse::assistant_message(&["Fine."], None));
    let mut args = mock_provider_args(&model.uri(), &MockProviderOptions::default());
    args.extend([
        "-c".to_string(),
        format!("model_catalog_json=\"{}\"", catalog_path.display()),
        "-c".to_string(),
        "model=\"upstream-one\"".to_string(),
    ]);
    let mut server = AppServer::spawn_with(AppServerOptions {
        args,
        ..AppServerOptions::default()
    })
    .await?;
    server.initialize().await?;

    let id = server
        .send_request("model/list", json!({"includeHidden": true}))
        .await?;
    let listed = server.read_response(id).await?;
    let upstream_models: Vec<(Value, Value, Value)> = listed["result"]["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|model| {
            model["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("upstream-"))
        })
        .map(|model| {
            (
                model["id"].clone(),
                model["hidden"].clone(),
                model["upgrade"].clone(),
            )
        })
        .collect();
    assert_eq!(
        upstream_models,
        vec![
            (json!("upstream-one"), json!(false), json!("upstream-two")),
            (json!("upstream-two"), json!(true), Value::Null),
        ],
        "{listed}"
    );

    let cwd = tempfile::tempdir()?;
    let thread_id = server.start_thread_in(cwd.path()).await?;
    server.send_turn_start(&thread_id, "hi").await?;
    let completed = server.read_notification("turn/completed").await?;
    assert_eq!(completed["params"]["turn"]["status"], json!("completed"));
    let requests = model.responses_requests().await;
    let body = requests
        .first()
        .and_then(|request| request.body_json.clone())
        .unwrap_or_default();
    assert_eq!(body["model"], json!("upstream-one"));
    Ok(())
}

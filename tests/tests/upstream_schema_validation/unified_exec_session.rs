//! The unified exec part of the schema tour: the model starts a PTY session and types into it (its
//! `commandExecution` item with `processId` and `source`, output deltas, `terminalInteraction`), then the
//! host lists, ends and cleans the thread's background terminals (experimental methods).

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::Transcribed;
use codex_app_server_tests::mock_model_server::MockModelServer;
use codex_app_server_tests::mock_provider::mock_provider_options;
use codex_app_server_tests::scripted_model;
use codex_app_server_tests::scripted_model::Next;
use codex_app_server_tests::scripted_model::answer;
use codex_app_server_tests::scripted_model::function_call;
use codex_app_server_tests::scripted_model::respond;
use serde_json::Value;
use serde_json::json;

use super::finish;
use super::start_turn;

/// The sessions run without a login shell: they are ended early, and killing a login shell while its
/// profile runs can leave that profile's locks behind (pyenv's rehash lock, say).
pub(super) async fn unified_exec_session() -> anyhow::Result<Vec<Transcribed>> {
    let workspace = tempfile::tempdir()?;
    let model = MockModelServer::start().await;
    let type_into_cat: scripted_model::Step = Box::new(|body: &Value| {
        let id = scripted_model::session_id(&scripted_model::tool_output(body, "cat"))
            .unwrap_or_default();
        Next::Respond(function_call(
            "typed",
            "write_stdin",
            &json!({"session_id": id, "chars": "hello\n", "yield_time_ms": 500}),
        ))
    });
    scripted_model::install(
        &model,
        vec![
            respond(function_call(
                "cat",
                "exec_command",
                &json!({"cmd": "cat", "tty": true, "yield_time_ms": 250, "login": false}),
            )),
            type_into_cat,
            respond(function_call(
                "sleeper",
                "exec_command",
                &json!({"cmd": "sleep 100", "yield_time_ms": 250, "login": false}),
            )),
            respond(answer("both running")),
        ],
    );
    let mut server = AppServer::spawn_with(mock_provider_options(&model.uri(), &[])).await?;
    server.initialize_experimental().await?;
    let started = server
        .call(
            "thread/start",
            json!({
                "cwd": workspace.path().display().to_string(),
                "approvalPolicy": "never",
                "sandbox": "danger-full-access",
            }),
        )
        .await?;
    let thread_id = started["thread"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let turn_id = start_turn(&mut server, &thread_id, "Start cat and a sleeper").await?;
    server
        .read_turn_notification("turn/completed", &turn_id)
        .await?;
    let listed = server
        .call(
            "thread/backgroundTerminals/list",
            json!({"threadId": thread_id, "limit": 1}),
        )
        .await?;
    let first = listed["data"][0]["processId"].clone();
    server
        .call(
            "thread/backgroundTerminals/terminate",
            json!({"threadId": thread_id, "processId": first}),
        )
        .await?;
    server
        .call(
            "thread/backgroundTerminals/clean",
            json!({"threadId": thread_id}),
        )
        .await?;
    server
        .call(
            "thread/backgroundTerminals/list",
            json!({"threadId": thread_id}),
        )
        .await?;
    finish(server).await
}

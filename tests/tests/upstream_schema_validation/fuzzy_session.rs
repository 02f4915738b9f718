//! The fuzzy file search part of the schema tour: `fuzzyFileSearch` with and without a cancellation token
//! (files and directories found), then a search session (experimental methods) with its
//! `fuzzyFileSearch/sessionUpdated` and `fuzzyFileSearch/sessionCompleted` reports.

use codex_app_server_tests::app_server::AppServer;
use codex_app_server_tests::app_server::Transcribed;
use serde_json::json;

use super::finish;

pub(super) async fn fuzzy_session() -> anyhow::Result<Vec<Transcribed>> {
    let workspace = tempfile::tempdir()?;
    for path in ["src/main.rs", "src/lib.rs", "docs/main.md"] {
        let path = workspace.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap_or(workspace.path()))?;
        std::fs::write(path, "")?;
    }
    let root = workspace.path().display().to_string();
    let mut server = AppServer::spawn().await?;
    server.initialize_experimental().await?;
    server
        .call("fuzzyFileSearch", json!({"query": "main", "roots": [root]}))
        .await?;
    server
        .call(
            "fuzzyFileSearch",
            json!({"query": "src", "roots": [root], "cancellationToken": "typing"}),
        )
        .await?;
    server
        .call(
            "fuzzyFileSearch/sessionStart",
            json!({"sessionId": "picker", "roots": [root]}),
        )
        .await?;
    server
        .read_notification("fuzzyFileSearch/sessionCompleted")
        .await?;
    server
        .call(
            "fuzzyFileSearch/sessionUpdate",
            json!({"sessionId": "picker", "query": "lib"}),
        )
        .await?;
    server
        .read_notification("fuzzyFileSearch/sessionUpdated")
        .await?;
    server
        .read_notification("fuzzyFileSearch/sessionCompleted")
        .await?;
    server
        .call(
            "fuzzyFileSearch/sessionStop",
            json!({"sessionId": "picker"}),
        )
        .await?;
    finish(server).await
}

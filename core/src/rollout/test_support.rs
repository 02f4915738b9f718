//! Fixtures shared by the rollout unit tests.

use std::path::PathBuf;

use super::item::RolloutItem;
use super::session_meta::GitInfo;
use super::session_meta::SessionMeta;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;

/// A fully populated meta for thread `id` created at `created_at` (unix seconds).
pub(crate) fn session_meta(id: &str, created_at: i64) -> SessionMeta {
    SessionMeta {
        id: id.to_string(),
        forked_from_id: None,
        timestamp: "2026-02-05T10:11:12.000Z".to_string(),
        created_at,
        cwd: PathBuf::from("/repo"),
        originator: "codex_vscode".to_string(),
        cli_version: "0.105.0".to_string(),
        source: "vscode".to_string(),
        model_provider: "openai".to_string(),
        model: "gpt-5.2-codex".to_string(),
        reasoning_effort: Some("medium".to_string()),
        base_instructions: Some("You are Codex.".to_string()),
        developer_instructions: None,
        approval_policy: Some("on-request".to_string()),
        sandbox: Some(serde_json::json!({"type": "workspace-write"})),
        git: Some(GitInfo {
            commit_hash: Some("abc123".to_string()),
            branch: Some("main".to_string()),
            repository_url: None,
        }),
        dynamic_tools: Vec::new(),
    }
}

/// The `item_completed` line of a plain-text user message.
pub(crate) fn user_message(turn_id: &str, text: &str) -> RolloutItem {
    RolloutItem::ItemCompleted {
        turn_id: turn_id.to_string(),
        item: TurnItem::UserMessage {
            id: format!("{turn_id}-user"),
            content: vec![UserInput::Text {
                text: text.to_string(),
                text_elements: Vec::new(),
            }],
            client_id: None,
        },
    }
}

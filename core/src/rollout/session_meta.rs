//! The first line of every rollout, `SessionMeta` (with the thread's `GitInfo`), and how it is read and
//! how its instructions are written: our metas and upstream Codex's (0.105, 0.171) alike. Upstream's lack
//! `created_at` (taken from `timestamp`) and `model` (taken later from the first `turn_context`), spell
//! instructions `{"text": ...}`, may omit `model_provider` (upstream's default, `openai`) and give a
//! sub-agent's `source` as an object.

use std::path::PathBuf;

use chrono::DateTime;
use serde::Deserialize;
use serde::Serialize;
use serde::Serializer;

/// The first line of every rollout: who the thread is and how it was started. Read through
/// `SessionMetaOnDisk`, so upstream Codex's metas (no `created_at`, no `model`, instructions as
/// `{"text"}`) are read too; written in a shape upstream reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SessionMetaOnDisk")]
pub struct SessionMeta {
    pub id: String,
    #[serde(default)]
    pub forked_from_id: Option<String>,
    /// RFC3339 UTC.
    pub timestamp: String,
    /// Unix seconds; also decides the rollout's `sessions/YYYY/MM/DD` directory and file name.
    pub created_at: i64,
    pub cwd: PathBuf,
    pub originator: String,
    pub cli_version: String,
    /// The session source as the wire spells it, e.g. `"vscode"`.
    pub source: String,
    pub model_provider: String,
    /// `""` in an upstream meta until the rollout's first `turn_context` names it.
    pub model: String,
    #[serde(default)]
    pub reasoning_effort: Option<String>,
    #[serde(serialize_with = "serialize_base_instructions")]
    pub base_instructions: Option<String>,
    #[serde(default)]
    pub developer_instructions: Option<String>,
    #[serde(default)]
    pub approval_policy: Option<String>,
    #[serde(default)]
    pub sandbox: Option<serde_json::Value>,
    #[serde(default)]
    pub git: Option<GitInfo>,
    /// The host's own tools (`dynamicTools`) as upstream 0.171 writes them (`{"type": "function", "name",
    /// "description", "inputSchema"}`; 0.105 wrote no `type`); the session reads them leniently.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dynamic_tools: Vec<serde_json::Value>,
}

/// The git state of the thread's working directory when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GitInfo {
    #[serde(default)]
    pub commit_hash: Option<String>,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub repository_url: Option<String>,
}

/// The provider upstream assumes when a meta names none.
const DEFAULT_MODEL_PROVIDER: &str = "openai";

/// Every field any build has written; what one lacks is derived in `TryFrom`.
#[derive(Deserialize)]
struct SessionMetaOnDisk {
    id: String,
    #[serde(default)]
    forked_from_id: Option<String>,
    timestamp: String,
    #[serde(default)]
    created_at: Option<i64>,
    cwd: PathBuf,
    #[serde(default)]
    originator: String,
    #[serde(default)]
    cli_version: String,
    #[serde(default)]
    source: Option<serde_json::Value>,
    #[serde(default)]
    model_provider: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    reasoning_effort: Option<String>,
    #[serde(default)]
    base_instructions: Option<Instructions>,
    #[serde(default)]
    developer_instructions: Option<String>,
    #[serde(default)]
    approval_policy: Option<String>,
    #[serde(default)]
    sandbox: Option<serde_json::Value>,
    #[serde(default)]
    git: Option<GitInfo>,
    #[serde(default)]
    dynamic_tools: Option<Vec<serde_json::Value>>,
}

/// Instructions as we wrote them first (a string) or as upstream writes them (`{"text": ...}`).
#[derive(Deserialize)]
#[serde(untagged)]
enum Instructions {
    Text(String),
    Object { text: String },
}

/// Upstream's spelling of instructions, the one every build reads.
#[derive(Serialize)]
struct InstructionsObject<'a> {
    text: &'a str,
}

fn serialize_base_instructions<S: Serializer>(
    instructions: &Option<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    instructions
        .as_deref()
        .map(|text| InstructionsObject { text })
        .serialize(serializer)
}

/// A meta whose `timestamp` is not RFC 3339 and that has no `created_at` either.
#[derive(Debug, thiserror::Error)]
#[error("session_meta has no created_at and its timestamp {timestamp:?} is not RFC 3339")]
pub(crate) struct UndatedSessionMeta {
    timestamp: String,
    #[source]
    source: chrono::ParseError,
}

impl TryFrom<SessionMetaOnDisk> for SessionMeta {
    type Error = UndatedSessionMeta;

    fn try_from(disk: SessionMetaOnDisk) -> Result<Self, Self::Error> {
        let created_at = match disk.created_at {
            Some(created_at) => created_at,
            None => DateTime::parse_from_rfc3339(&disk.timestamp)
                .map_err(|source| UndatedSessionMeta {
                    timestamp: disk.timestamp.clone(),
                    source,
                })?
                .timestamp(),
        };
        Ok(SessionMeta {
            id: disk.id,
            forked_from_id: disk.forked_from_id,
            timestamp: disk.timestamp,
            created_at,
            cwd: disk.cwd,
            originator: disk.originator,
            cli_version: disk.cli_version,
            source: source_name(disk.source),
            model_provider: disk
                .model_provider
                .unwrap_or_else(|| DEFAULT_MODEL_PROVIDER.to_string()),
            model: disk.model.unwrap_or_default(),
            reasoning_effort: disk.reasoning_effort,
            base_instructions: disk
                .base_instructions
                .map(|instructions| match instructions {
                    Instructions::Text(text) | Instructions::Object { text } => text,
                }),
            developer_instructions: disk.developer_instructions,
            approval_policy: disk.approval_policy,
            sandbox: disk.sandbox,
            git: disk.git,
            dynamic_tools: disk.dynamic_tools.unwrap_or_default(),
        })
    }
}

/// `"vscode"`, `"cli"`, `"exec"`, `"mcp"` as they are; upstream's sub-agent sources
/// (`{"subagent": "review"}`, `{"subagent": {"thread_spawn": ...}}`, ...) as `subagent_<kind>`.
fn source_name(source: Option<serde_json::Value>) -> String {
    let subagent = match source {
        Some(serde_json::Value::String(name)) => return name,
        Some(serde_json::Value::Object(object)) => match object.get("subagent") {
            Some(subagent) => subagent.clone(),
            None => return "unknown".to_string(),
        },
        Some(_) | None => return "unknown".to_string(),
    };
    let kind = match &subagent {
        serde_json::Value::String(kind) => kind.as_str(),
        serde_json::Value::Object(object) if object.contains_key("thread_spawn") => "thread_spawn",
        _ => "other",
    };
    match kind {
        "review" | "compact" | "thread_spawn" => format!("subagent_{kind}"),
        _ => "subagent_other".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::rollout::test_support::session_meta;

    #[test]
    fn our_meta_round_trips_with_instructions_spelled_as_upstream_does() {
        let meta = session_meta("thread-1", 1_770_286_272);
        let json = serde_json::to_value(&meta).unwrap();
        assert_eq!(
            json["base_instructions"],
            serde_json::json!({"text": "You are Codex."})
        );
        assert_eq!(serde_json::from_value::<SessionMeta>(json).unwrap(), meta);
    }

    #[test]
    fn a_meta_we_wrote_before_with_string_instructions_still_reads() {
        let mut json = serde_json::to_value(session_meta("thread-1", 1_770_286_272)).unwrap();
        json["base_instructions"] = serde_json::json!("You are Codex.");
        assert_eq!(
            serde_json::from_value::<SessionMeta>(json).unwrap(),
            session_meta("thread-1", 1_770_286_272)
        );
    }

    #[test]
    fn an_upstream_meta_is_dated_by_its_timestamp() {
        let upstream = serde_json::json!({
            "session_id": "t-1", "id": "t-1", "timestamp": "2026-02-05T10:11:12.345Z",
            "cwd": "/repo", "originator": "codex_vscode", "cli_version": "0.171.0",
            "source": {"subagent": "review"}, "base_instructions": {"text": "Be brief."},
            "history_mode": "paginated",
        });
        let meta = serde_json::from_value::<SessionMeta>(upstream).unwrap();
        assert_eq!(
            (
                meta.created_at,
                meta.model_provider.as_str(),
                meta.model.as_str(),
                meta.source.as_str(),
                meta.base_instructions.as_deref()
            ),
            (
                1_770_286_272,
                "openai",
                "",
                "subagent_review",
                Some("Be brief.")
            )
        );
    }

    #[test]
    fn an_undated_meta_is_an_error_naming_the_timestamp() {
        let undated = serde_json::json!({"id": "t-1", "timestamp": "yesterday", "cwd": "/repo"});
        let err = serde_json::from_value::<SessionMeta>(undated).unwrap_err();
        assert!(err.to_string().contains("\"yesterday\""), "{err}");
    }
}

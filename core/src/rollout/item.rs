//! What one rollout line holds: the `RolloutItem` kinds (session metadata, model history, turn
//! lifecycle, token usage, thread name, and upstream Codex's `event_msg` / `turn_context` /
//! `compacted`) and the `{"timestamp","type","payload"}` line around them.

use serde::Deserialize;
use serde::Serialize;

use super::event_msg::EventMsg;
use super::session_meta::GitInfo;
use super::session_meta::SessionMeta;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_usage::TokenUsageInfo;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_outcome::TurnError;
use crate::protocol::turn_outcome::TurnStatus;

/// One persisted fact about a thread. Serialized as `"type"` (the kind) and `"payload"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "payload", rename_all = "snake_case")]
pub enum RolloutItem {
    /// Boxed: it dwarfs every other kind and appears once per file.
    SessionMeta(Box<SessionMeta>),
    ResponseItem(ResponseItem),
    TurnStarted {
        turn_id: String,
        /// Unix seconds.
        started_at: i64,
    },
    ItemCompleted {
        turn_id: String,
        item: TurnItem,
    },
    TurnCompleted {
        turn_id: String,
        status: TurnStatus,
        #[serde(default)]
        error: Option<TurnError>,
        /// Unix seconds.
        completed_at: i64,
        duration_ms: i64,
    },
    TokenUsage {
        turn_id: String,
        info: TokenUsageInfo,
    },
    ThreadName {
        name: Option<String>,
    },
    /// Upstream Codex's turn events; we write the ones upstream rebuilds turns from beside our own
    /// turn lines.
    EventMsg(EventMsg),
    /// Upstream Codex's per-turn settings; read for the model an upstream meta does not name.
    TurnContext(TurnContext),
    /// Upstream Codex's compaction: the history from here on is `replacement_history`.
    Compacted(Compacted),
    /// The host replaced the thread's git metadata (`thread/metadata/update`); the last one wins over
    /// the session meta's `git`, including one that clears it.
    ThreadGitInfo {
        git: Option<GitInfo>,
    },
}

/// What we read of upstream's `turn_context` line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TurnContext {
    #[serde(default)]
    pub turn_id: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
}

/// Upstream's `compacted` line. Without `replacement_history` (older upstream builds) the history
/// cannot be rebuilt past it, so it is kept as is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compacted {
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub replacement_history: Option<Vec<ResponseItem>>,
}

impl RolloutItem {
    /// Every `"type"` this build writes; a line of any other kind was written by a newer build and is
    /// skipped on read rather than reported as damage.
    pub const KINDS: [&'static str; 11] = [
        "session_meta",
        "response_item",
        "turn_started",
        "item_completed",
        "turn_completed",
        "token_usage",
        "thread_name",
        "event_msg",
        "turn_context",
        "compacted",
        "thread_git_info",
    ];
}

/// One line of a rollout file. Upstream adds other keys (`ordinal`); they are ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RolloutLine {
    /// RFC3339 UTC with milliseconds, e.g. `2026-02-05T10:11:12.345Z`.
    pub timestamp: String,
    #[serde(flatten)]
    pub item: RolloutItem,
}

/// The shape every line must have to be recognised at all, used to tell a line of an unknown kind
/// (skipped quietly) from a damaged one (skipped with a warning).
#[derive(Deserialize)]
pub(crate) struct RolloutLineKind {
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) payload: Option<PayloadKind>,
}

/// The `"type"` inside a payload, for kinds whose payload is itself a tagged union.
#[derive(Deserialize)]
pub(crate) struct PayloadKind {
    #[serde(rename = "type", default)]
    pub(crate) kind: Option<String>,
}

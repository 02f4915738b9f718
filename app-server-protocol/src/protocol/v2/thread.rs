//! The thread resource: the `Thread` object, its status and source, and the params/responses of every
//! `thread/*` method.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::dynamic_tools::DynamicToolSpec;
use crate::protocol::v2::shared::ApprovalsReviewer;
use crate::protocol::v2::shared::AskForApproval;
use crate::protocol::v2::shared::Personality;
use crate::protocol::v2::shared::ReasoningEffort;
use crate::protocol::v2::shared::SandboxMode;
use crate::protocol::v2::shared::SandboxPolicy;
use crate::protocol::v2::shared::ServiceTier;
use crate::protocol::v2::turn::Turn;

/// A conversation: its metadata and, in history reads, its turns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct Thread {
    pub id: String,
    /// First user message text, or `""`.
    pub preview: String,
    pub name: Option<String>,
    pub model_provider: String,
    /// Unix seconds.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Unix seconds.
    #[ts(type = "number")]
    pub updated_at: i64,
    pub status: ThreadStatus,
    /// The rollout file; null for ephemeral threads.
    pub path: Option<String>,
    pub cwd: String,
    pub cli_version: String,
    pub source: SessionSource,
    pub agent_nickname: Option<String>,
    pub agent_role: Option<String>,
    pub git_info: Option<GitInfo>,
    /// Populated only by history reads (resume, fork, read with `includeTurns`).
    #[serde(default)]
    pub turns: Vec<Turn>,
    /// Whether the thread lives only in memory (no rollout).
    #[serde(default)]
    pub ephemeral: bool,
    /// The session tree the thread belongs to: its own id for a thread started or forked by a client.
    #[serde(default)]
    pub session_id: String,
    /// The project the server assigned the thread to; this server assigns none.
    #[serde(default)]
    pub project_id: Option<String>,
}

/// Whether a thread is loaded and what it is doing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ThreadStatus {
    NotLoaded,
    Idle,
    SystemError,
    #[serde(rename_all = "camelCase")]
    Active {
        active_flags: Vec<ThreadActiveFlag>,
    },
}

/// Why an active thread is waiting on the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ThreadActiveFlag {
    WaitingOnApproval,
    WaitingOnUserInput,
}

/// Who started a thread. Externally tagged: unit variants are strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum SessionSource {
    Cli,
    #[serde(rename = "vscode")]
    VSCode,
    Exec,
    AppServer,
    SubAgent(serde_json::Value),
    Unknown,
}

/// Git state of the thread's working directory when it was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct GitInfo {
    pub sha: Option<String>,
    pub branch: Option<String>,
    pub origin_url: Option<String>,
}

/// Which timestamp `thread/list` sorts by (newest first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v2/")]
pub enum ThreadSortKey {
    CreatedAt,
    UpdatedAt,
    /// 0.171: the latest activity, which here is the thread's last update.
    RecencyAt,
    /// 0.171: a position among the user's sections; refused (this server keeps no sections).
    SectionPosition,
}

/// Which way `thread/list` sorts (0.171); newest first by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export_to = "v2/")]
pub enum SortDirection {
    Asc,
    Desc,
}

/// The `cwd` filter of `thread/list`: one directory (0.105) or any of several (0.171).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(untagged)]
#[ts(export_to = "v2/")]
pub enum ThreadListCwdFilter {
    One(String),
    Any(Vec<String>),
}

impl ThreadListCwdFilter {
    /// The directories, in the order given.
    pub fn into_vec(self) -> Vec<String> {
        match self {
            ThreadListCwdFilter::One(cwd) => vec![cwd],
            ThreadListCwdFilter::Any(cwds) => cwds,
        }
    }
}

/// A `thread/list` filter on the thread's source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ThreadSourceKind {
    Cli,
    #[serde(rename = "vscode")]
    VSCode,
    Exec,
    AppServer,
    SubAgent,
    SubAgentReview,
    SubAgentCompact,
    SubAgentThreadSpawn,
    SubAgentOther,
    Unknown,
}

/// Params of `thread/start`. Every field is optional, but the params object itself is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ThreadStartParams {
    pub model: Option<String>,
    pub model_provider: Option<String>,
    pub service_tier: Option<ServiceTier>,
    pub cwd: Option<String>,
    pub approval_policy: Option<AskForApproval>,
    pub approvals_reviewer: Option<ApprovalsReviewer>,
    pub sandbox: Option<SandboxMode>,
    /// snake_case `config.toml` overrides; dotted keys allowed.
    pub config: Option<BTreeMap<String, serde_json::Value>>,
    pub service_name: Option<String>,
    pub base_instructions: Option<String>,
    pub developer_instructions: Option<String>,
    pub personality: Option<Personality>,
    pub ephemeral: Option<bool>,
    /// The host's analytics classification of the session start; this server sends no analytics.
    pub session_start_source: Option<serde_json::Value>,
    /// The host's analytics classification of the thread; this server sends no analytics.
    pub thread_source: Option<serde_json::Value>,
    /// Experimental.
    pub dynamic_tools: Option<Vec<DynamicToolSpec>>,
    /// Experimental.
    pub experimental_raw_events: Option<bool>,
    /// Experimental.
    pub persist_extended_history: Option<bool>,
}

impl ExperimentalApi for ThreadStartParams {
    fn experimental_field(&self) -> Option<&'static str> {
        if self.dynamic_tools.is_some() {
            Some("dynamicTools")
        } else if self.experimental_raw_events == Some(true) {
            Some("experimentalRawEvents")
        } else if self.persist_extended_history == Some(true) {
            Some("persistExtendedHistory")
        } else {
            None
        }
    }
}

/// The answer to thread/start, thread/resume and thread/fork: the thread plus its resolved settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadStartResponse {
    pub thread: Thread,
    pub model: String,
    pub model_provider: String,
    pub cwd: String,
    pub approval_policy: AskForApproval,
    /// Who reviews approval requests; always `user` here (and when 0.105 omits it).
    #[serde(default)]
    pub approvals_reviewer: ApprovalsReviewer,
    /// The resolved policy object, not the `SandboxMode` string.
    pub sandbox: SandboxPolicy,
    pub reasoning_effort: Option<ReasoningEffort>,
    #[serde(default)]
    pub service_tier: Option<ServiceTier>,
}

/// `thread/resume` answers with the same shape as `thread/start`.
pub type ThreadResumeResponse = ThreadStartResponse;
/// `thread/fork` answers with the same shape as `thread/start`, describing the new thread.
pub type ThreadForkResponse = ThreadStartResponse;

/// Params of `thread/resume`: the thread plus the same overrides as thread/start.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ThreadResumeParams {
    pub thread_id: String,
    /// Experimental: resume from these items instead of a stored rollout.
    pub history: Option<Vec<serde_json::Value>>,
    /// Experimental: resume from this rollout file.
    pub path: Option<String>,
    pub model: Option<String>,
    pub model_provider: Option<String>,
    pub service_tier: Option<ServiceTier>,
    pub cwd: Option<String>,
    pub approval_policy: Option<AskForApproval>,
    pub approvals_reviewer: Option<ApprovalsReviewer>,
    pub sandbox: Option<SandboxMode>,
    pub config: Option<BTreeMap<String, serde_json::Value>>,
    pub base_instructions: Option<String>,
    pub developer_instructions: Option<String>,
    pub personality: Option<Personality>,
    /// Answer without the thread's turns (0.171).
    pub exclude_turns: Option<bool>,
    /// Experimental.
    pub persist_extended_history: Option<bool>,
}

impl ExperimentalApi for ThreadResumeParams {
    fn experimental_field(&self) -> Option<&'static str> {
        if self.history.is_some() {
            Some("history")
        } else if self.path.is_some() {
            Some("path")
        } else if self.persist_extended_history == Some(true) {
            Some("persistExtendedHistory")
        } else {
            None
        }
    }
}

/// Params of `thread/fork`: the source thread plus overrides (no personality).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ThreadForkParams {
    pub thread_id: String,
    /// Experimental: fork this rollout file instead.
    pub path: Option<String>,
    pub model: Option<String>,
    pub model_provider: Option<String>,
    pub service_tier: Option<ServiceTier>,
    pub cwd: Option<String>,
    pub approval_policy: Option<AskForApproval>,
    pub approvals_reviewer: Option<ApprovalsReviewer>,
    pub sandbox: Option<SandboxMode>,
    pub config: Option<BTreeMap<String, serde_json::Value>>,
    pub base_instructions: Option<String>,
    pub developer_instructions: Option<String>,
    #[serde(default)]
    pub ephemeral: Option<bool>,
    /// Answer without the new thread's turns (0.171).
    pub exclude_turns: Option<bool>,
    /// Fork only up to this turn (not served: refused when set).
    pub last_turn_id: Option<String>,
    /// The host's analytics classification of the thread; this server sends no analytics.
    pub thread_source: Option<serde_json::Value>,
    /// Experimental.
    pub persist_extended_history: Option<bool>,
}

impl ExperimentalApi for ThreadForkParams {
    fn experimental_field(&self) -> Option<&'static str> {
        if self.path.is_some() {
            Some("path")
        } else if self.persist_extended_history == Some(true) {
            Some("persistExtendedHistory")
        } else {
            None
        }
    }
}

/// Params of `thread/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ThreadListParams {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
    pub sort_key: Option<ThreadSortKey>,
    pub model_providers: Option<Vec<String>>,
    /// Absent or empty means interactive sources only.
    pub source_kinds: Option<Vec<ThreadSourceKind>>,
    pub archived: Option<bool>,
    pub cwd: Option<ThreadListCwdFilter>,
    pub search_term: Option<String>,
    pub sort_direction: Option<SortDirection>,
    /// Only these threads (at most 100).
    pub included_thread_ids: Option<Vec<String>>,
    /// Not these threads (at most 100).
    pub excluded_thread_ids: Option<Vec<String>>,
    /// Only threads recorded by these originators (the host names given at `initialize`).
    pub originators: Option<Vec<String>>,
    /// ChatGPT-account scoping: this server's history is not per account; refused when true.
    pub current_account_only: Option<bool>,
    /// Sections are not kept here; refused when set.
    pub section_id: Option<String>,
    /// Accepted: this server always lists from the rollout files.
    pub use_state_db_only: Option<bool>,
}

impl ExperimentalApi for ThreadListParams {}

/// One page of `thread/list`, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadListResponse {
    pub data: Vec<Thread>,
    /// Null on the last page.
    pub next_cursor: Option<String>,
}

/// Params of `thread/read`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadReadParams {
    pub thread_id: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_turns: bool,
}

impl ExperimentalApi for ThreadReadParams {}

/// Result of `thread/read`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadReadResponse {
    pub thread: Thread,
}

/// Params of `thread/archive`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadArchiveParams {
    pub thread_id: String,
}

impl ExperimentalApi for ThreadArchiveParams {}

/// Result of `thread/archive`: `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadArchiveResponse {}

/// Params of `thread/unarchive`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadUnarchiveParams {
    pub thread_id: String,
}

impl ExperimentalApi for ThreadUnarchiveParams {}

/// Result of `thread/unarchive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadUnarchiveResponse {
    pub thread: Thread,
}

/// Params of `thread/name/set`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadSetNameParams {
    pub thread_id: String,
    pub name: String,
}

impl ExperimentalApi for ThreadSetNameParams {}

/// Result of `thread/name/set`: `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadSetNameResponse {}

/// Params of `thread/loaded/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ThreadLoadedListParams {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl ExperimentalApi for ThreadLoadedListParams {}

/// One page of loaded thread ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadLoadedListResponse {
    pub data: Vec<String>,
    pub next_cursor: Option<String>,
}

/// Params of `thread/unsubscribe`: the connection stops following the thread; a thread nobody follows is
/// unloaded (once its running turn, if any, has ended).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadUnsubscribeParams {
    pub thread_id: String,
}

impl ExperimentalApi for ThreadUnsubscribeParams {}

/// What `thread/unsubscribe` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ThreadUnsubscribeStatus {
    /// The thread is not loaded.
    NotLoaded,
    /// The thread is loaded but this connection was not following it.
    NotSubscribed,
    /// This connection was following the thread and no longer does.
    Unsubscribed,
}

/// Result of `thread/unsubscribe`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadUnsubscribeResponse {
    pub status: ThreadUnsubscribeStatus,
}

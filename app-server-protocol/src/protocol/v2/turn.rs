//! The turn resource: the `Turn` object, its status and error, and the params/responses of `turn/start`,
//! `turn/interrupt` and `turn/steer`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::collaboration::CollaborationMode;
use crate::protocol::v2::item::ThreadItem;
use crate::protocol::v2::shared::ApprovalsReviewer;
use crate::protocol::v2::shared::AskForApproval;
use crate::protocol::v2::shared::Personality;
use crate::protocol::v2::shared::ReasoningEffort;
use crate::protocol::v2::shared::ReasoningSummary;
use crate::protocol::v2::shared::SandboxPolicy;
use crate::protocol::v2::shared::ServiceTier;
use crate::protocol::v2::user_input::UserInput;

/// One user request and everything the agent did for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct Turn {
    pub id: String,
    /// Empty in turn/start and turn/started|completed; populated in history reads.
    pub items: Vec<ThreadItem>,
    pub status: TurnStatus,
    /// Set only when `status` is `failed`.
    pub error: Option<TurnError>,
    /// Unix seconds.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub started_at: Option<i64>,
    /// Unix seconds.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub completed_at: Option<i64>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    /// How much of the turn `items` holds (0.171); absent means all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_view: Option<TurnItemsView>,
}

/// How much of a turn's items a `Turn` carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum TurnItemsView {
    /// None loaded (`turn/start`, `turn/started`).
    NotLoaded,
    /// The turn's final agent message only (`turn/completed`).
    Summary,
    /// Every item (history reads).
    Full,
}

/// Where a turn is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum TurnStatus {
    InProgress,
    Completed,
    Interrupted,
    Failed,
}

/// Why a turn failed (also the payload of the `error` notification).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct TurnError {
    pub message: String,
    pub codex_error_info: Option<CodexErrorInfo>,
    #[serde(default)]
    pub additional_details: Option<String>,
}

/// Machine-readable error category. Externally tagged: unit variants are strings, the others
/// single-key objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum CodexErrorInfo {
    ContextWindowExceeded,
    UsageLimitExceeded,
    ServerOverloaded,
    #[serde(rename_all = "camelCase")]
    HttpConnectionFailed {
        http_status_code: Option<u16>,
    },
    #[serde(rename_all = "camelCase")]
    ResponseStreamConnectionFailed {
        http_status_code: Option<u16>,
    },
    InternalServerError,
    Unauthorized,
    BadRequest,
    ThreadRollbackFailed,
    SandboxError,
    #[serde(rename_all = "camelCase")]
    ResponseStreamDisconnected {
        http_status_code: Option<u16>,
    },
    #[serde(rename_all = "camelCase")]
    ResponseTooManyFailedAttempts {
        http_status_code: Option<u16>,
    },
    Other,
}

/// Params of `turn/start`. Overrides persist for later turns, except `outputSchema`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct TurnStartParams {
    pub thread_id: String,
    pub input: Vec<UserInput>,
    pub cwd: Option<String>,
    pub approval_policy: Option<AskForApproval>,
    pub sandbox_policy: Option<SandboxPolicy>,
    pub model: Option<String>,
    pub effort: Option<ReasoningEffort>,
    pub summary: Option<ReasoningSummary>,
    pub personality: Option<Personality>,
    /// JSON Schema the final answer must follow; this turn only.
    pub output_schema: Option<serde_json::Value>,
    /// Experimental: the collaboration mode for this and later turns; its settings take precedence over
    /// `model` and `effort`.
    pub collaboration_mode: Option<CollaborationMode>,
    /// Only `user` is served.
    pub approvals_reviewer: Option<ApprovalsReviewer>,
    /// The tier for this and later turns.
    pub service_tier: Option<ServiceTier>,
    /// The tier for this turn only (`default`: standard speed).
    pub service_tier_for_turn: Option<ServiceTier>,
    /// The host's id for the user message, echoed as the message item's `clientId`.
    pub client_user_message_id: Option<String>,
    /// Delegated work (not served: refused when set).
    pub parent_turn_id: Option<String>,
    /// Delegated work (not served: refused when set).
    pub root_turn_id: Option<String>,
    /// Plugins (not served: refused unless empty).
    pub disabled_plugin_ids: Option<Vec<String>>,
    /// A tool output to add instead of input (not served: refused when set).
    pub tool_output: Option<serde_json::Value>,
    /// The host's analytics classification of the turn; this server sends no analytics.
    pub turn_trigger: Option<String>,
}

impl ExperimentalApi for TurnStartParams {
    fn experimental_field(&self) -> Option<&'static str> {
        self.collaboration_mode
            .as_ref()
            .map(|_| "collaborationMode")
    }
}

/// Result of `turn/start`: the new turn, `inProgress` with no items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct TurnStartResponse {
    pub turn: Turn,
}

/// Params of `turn/interrupt`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct TurnInterruptParams {
    pub thread_id: String,
    pub turn_id: String,
}

impl ExperimentalApi for TurnInterruptParams {}

/// Result of `turn/interrupt`: `{}`; the turn then completes as `interrupted`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct TurnInterruptResponse {}

/// Params of `turn/steer`: extra input for the running turn.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct TurnSteerParams {
    pub thread_id: String,
    pub input: Vec<UserInput>,
    /// Must match the active turn, else the request fails.
    pub expected_turn_id: String,
    /// The host's id for the user message, echoed as the message item's `clientId`.
    #[serde(default)]
    pub client_user_message_id: Option<String>,
}

impl ExperimentalApi for TurnSteerParams {}

/// Result of `turn/steer`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct TurnSteerResponse {
    pub turn_id: String,
}

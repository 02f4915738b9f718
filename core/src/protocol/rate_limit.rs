//! Rate-limit snapshots: one per metered limit (`codex`, `codex_other`, ...), each carrying its id and
//! human name, as read from response headers, the `codex.rate_limits` WebSocket event or the usage endpoint.

use serde::Deserialize;
use serde::Serialize;

/// The default bucket's id.
pub const DEFAULT_LIMIT_ID: &str = "codex";

/// The state of one metered limit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RateLimitSnapshot {
    pub limit_id: Option<String>,
    pub limit_name: Option<String>,
    pub primary: Option<RateLimitWindow>,
    pub secondary: Option<RateLimitWindow>,
    pub credits: Option<CreditsSnapshot>,
    pub plan_type: Option<String>,
}

/// One window of a limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateLimitWindow {
    /// 0..=100
    pub used_percent: f64,
    pub window_minutes: Option<i64>,
    /// Unix seconds.
    pub resets_at: Option<i64>,
}

/// Credits attached to the account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreditsSnapshot {
    pub has_credits: bool,
    pub unlimited: bool,
    pub balance: Option<String>,
}

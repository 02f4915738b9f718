//! Rate-limit snapshots and the `account/rateLimits/read` result.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::v2::account::PlanType;

/// One rate-limit bucket's state. Every field is nullable; `account/rateLimits/updated` may be sparse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct RateLimitSnapshot {
    #[serde(default)]
    pub limit_id: Option<String>,
    #[serde(default)]
    pub limit_name: Option<String>,
    #[serde(default)]
    pub primary: Option<RateLimitWindow>,
    #[serde(default)]
    pub secondary: Option<RateLimitWindow>,
    #[serde(default)]
    pub credits: Option<CreditsSnapshot>,
    #[serde(default)]
    pub plan_type: Option<PlanType>,
}

/// Usage of one time window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct RateLimitWindow {
    /// Rounded percent used.
    pub used_percent: i32,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub window_duration_mins: Option<i64>,
    /// Unix seconds.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub resets_at: Option<i64>,
}

/// The account's credit balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct CreditsSnapshot {
    pub has_credits: bool,
    pub unlimited: bool,
    #[serde(default)]
    pub balance: Option<String>,
}

/// Result of `account/rateLimits/read`. Both maps hold every known bucket keyed by its id (`"codex"`,
/// `"codex_other"`, ...): `rateLimitsByName` is this project's name, `rateLimitsByLimitId` upstream's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct GetAccountRateLimitsResponse {
    /// The default (`codex`) bucket.
    pub rate_limits: RateLimitSnapshot,
    #[serde(default)]
    pub rate_limits_by_name: Option<BTreeMap<String, RateLimitSnapshot>>,
    #[serde(default)]
    pub rate_limits_by_limit_id: Option<BTreeMap<String, RateLimitSnapshot>>,
}

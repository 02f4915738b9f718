//! `UsagePayload`: the JSON answer of the usage endpoint (`/wham/usage`, `/api/codex/usage`) and its
//! mapping to one `RateLimitSnapshot` per limit (CORE 8.4).

use serde::Deserialize;

use crate::protocol::rate_limit::CreditsSnapshot;
use crate::protocol::rate_limit::DEFAULT_LIMIT_ID;
use crate::protocol::rate_limit::RateLimitSnapshot;
use crate::protocol::rate_limit::RateLimitWindow;

/// The usage endpoint's answer. Every part may be null or absent; unknown fields are ignored.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct UsagePayload {
    #[serde(default)]
    pub plan_type: Option<String>,
    #[serde(default)]
    pub rate_limit: Option<UsageRateLimit>,
    #[serde(default)]
    pub credits: Option<UsageCredits>,
    #[serde(default)]
    pub additional_rate_limits: Option<Vec<AdditionalRateLimit>>,
}

/// The two windows of one limit.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct UsageRateLimit {
    #[serde(default)]
    pub primary_window: Option<UsageWindow>,
    #[serde(default)]
    pub secondary_window: Option<UsageWindow>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UsageWindow {
    pub used_percent: f64,
    #[serde(default)]
    pub limit_window_seconds: Option<i64>,
    #[serde(default)]
    pub reset_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct UsageCredits {
    pub has_credits: bool,
    pub unlimited: bool,
    #[serde(default)]
    pub balance: Option<String>,
}

/// A limit other than the default one, e.g. `{"limit_name": "GPT-5.2-Codex-Sonic", "metered_feature":
/// "codex_other", "rate_limit": {...}}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct AdditionalRateLimit {
    #[serde(default)]
    pub limit_name: Option<String>,
    #[serde(default)]
    pub metered_feature: Option<String>,
    #[serde(default)]
    pub rate_limit: Option<UsageRateLimit>,
}

impl UsagePayload {
    /// The default `codex` snapshot (windows, credits, plan type) first, then one per additional limit:
    /// `limit_id` from `metered_feature` (its `limit_name` when the feature is missing), `limit_name`
    /// from `limit_name`, its own windows, no credits, the account's plan type.
    pub fn into_snapshots(self) -> Vec<RateLimitSnapshot> {
        let UsagePayload {
            plan_type,
            rate_limit,
            credits,
            additional_rate_limits,
        } = self;
        let (primary, secondary) = windows(rate_limit);
        let mut snapshots = vec![RateLimitSnapshot {
            limit_id: Some(DEFAULT_LIMIT_ID.to_string()),
            limit_name: None,
            primary,
            secondary,
            credits: credits.map(|credits| CreditsSnapshot {
                has_credits: credits.has_credits,
                unlimited: credits.unlimited,
                balance: credits.balance,
            }),
            plan_type: plan_type.clone(),
        }];
        for additional in additional_rate_limits.unwrap_or_default() {
            let Some(limit_id) = additional
                .metered_feature
                .or_else(|| additional.limit_name.clone())
            else {
                tracing::warn!("usage endpoint: additional rate limit without an id, ignored");
                continue;
            };
            let (primary, secondary) = windows(additional.rate_limit);
            snapshots.push(RateLimitSnapshot {
                limit_id: Some(limit_id),
                limit_name: additional.limit_name,
                primary,
                secondary,
                credits: None,
                plan_type: plan_type.clone(),
            });
        }
        snapshots
    }
}

fn windows(
    rate_limit: Option<UsageRateLimit>,
) -> (Option<RateLimitWindow>, Option<RateLimitWindow>) {
    let UsageRateLimit {
        primary_window,
        secondary_window,
    } = rate_limit.unwrap_or_default();
    let to_window = |window: UsageWindow| RateLimitWindow {
        used_percent: window.used_percent,
        window_minutes: window
            .limit_window_seconds
            .filter(|seconds| *seconds > 0)
            .map(|seconds| seconds / 60 + i64::from(seconds % 60 != 0)),
        resets_at: window.reset_at,
    };
    (
        primary_window.map(to_window),
        secondary_window.map(to_window),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn core_8_4_payload_with_two_additional_limits() {
        let payload: UsagePayload = serde_json::from_value(json!({
          "plan_type": "pro",
          "rate_limit": {
            "allowed": true, "limit_reached": false,
            "primary_window":   {"used_percent": 42, "limit_window_seconds": 18000,  "reset_after_seconds": 3600,  "reset_at": 1739000000},
            "secondary_window": {"used_percent": 84, "limit_window_seconds": 604800, "reset_after_seconds": 90000, "reset_at": 1739500000}
          },
          "credits": {"has_credits": true, "unlimited": false, "balance": "9.99"},
          "additional_rate_limits": [
            {"limit_name": "GPT-5.2-Codex-Sonic", "metered_feature": "codex_other",
             "rate_limit": {"allowed": true, "limit_reached": false,
                            "primary_window": {"used_percent": 70, "limit_window_seconds": 900, "reset_after_seconds": 0, "reset_at": 789},
                            "secondary_window": null}},
            {"limit_name": "codex_bengalfox", "metered_feature": "codex_bengalfox",
             "rate_limit": {"allowed": false, "limit_reached": true,
                            "primary_window": {"used_percent": 100, "limit_window_seconds": 61, "reset_after_seconds": 5, "reset_at": 1000},
                            "secondary_window": {"used_percent": 7, "limit_window_seconds": 0, "reset_after_seconds": 0, "reset_at": null}}}
          ]
        }))
        .unwrap();
        assert_eq!(
            payload.into_snapshots(),
            vec![
                RateLimitSnapshot {
                    limit_id: Some("codex".to_string()),
                    limit_name: None,
                    primary: Some(RateLimitWindow {
                        used_percent: 42.0,
                        window_minutes: Some(300),
                        resets_at: Some(1739000000),
                    }),
                    secondary: Some(RateLimitWindow {
                        used_percent: 84.0,
                        window_minutes: Some(10080),
                        resets_at: Some(1739500000),
                    }),
                    credits: Some(CreditsSnapshot {
                        has_credits: true,
                        unlimited: false,
                        balance: Some("9.99".to_string()),
                    }),
                    plan_type: Some("pro".to_string()),
                },
                RateLimitSnapshot {
                    limit_id: Some("codex_other".to_string()),
                    limit_name: Some("GPT-5.2-Codex-Sonic".to_string()),
                    primary: Some(RateLimitWindow {
                        used_percent: 70.0,
                        window_minutes: Some(15),
                        resets_at: Some(789),
                    }),
                    secondary: None,
                    credits: None,
                    plan_type: Some("pro".to_string()),
                },
                RateLimitSnapshot {
                    limit_id: Some("codex_bengalfox".to_string()),
                    limit_name: Some("codex_bengalfox".to_string()),
                    primary: Some(RateLimitWindow {
                        used_percent: 100.0,
                        window_minutes: Some(2),
                        resets_at: Some(1000),
                    }),
                    secondary: Some(RateLimitWindow {
                        used_percent: 7.0,
                        window_minutes: None,
                        resets_at: None,
                    }),
                    credits: None,
                    plan_type: Some("pro".to_string()),
                },
            ]
        );
    }

    #[test]
    fn empty_payload_still_yields_the_codex_limit() {
        let payload: UsagePayload = serde_json::from_value(json!({
            "rate_limit": null, "credits": null, "additional_rate_limits": null
        }))
        .unwrap();
        assert_eq!(
            payload.into_snapshots(),
            vec![RateLimitSnapshot {
                limit_id: Some("codex".to_string()),
                ..RateLimitSnapshot::default()
            }]
        );
    }
}

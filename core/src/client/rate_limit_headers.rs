//! Rate-limit snapshots read from response headers (`x-codex-*` and `x-<limit-id>-*` families) and from the
//! WebSocket `codex.rate_limits` event.

use std::collections::BTreeSet;

use reqwest::header::HeaderMap;

use crate::protocol::rate_limit::CreditsSnapshot;
use crate::protocol::rate_limit::DEFAULT_LIMIT_ID;
use crate::protocol::rate_limit::RateLimitSnapshot;
use crate::protocol::rate_limit::RateLimitWindow;

const PRIMARY_USED_PERCENT_SUFFIX: &str = "-primary-used-percent";
const PROMO_MESSAGE_HEADER: &str = "x-codex-promo-message";

/// One snapshot per limit family in `headers`: `codex` always first (possibly empty), then every other
/// family sorted by id, kept only when it has a window or credits.
pub fn parse_rate_limit_updates(headers: &HeaderMap) -> Vec<RateLimitSnapshot> {
    let credits = parse_credits(headers);
    let mut snapshots = vec![family_snapshot(headers, DEFAULT_LIMIT_ID, credits.clone())];
    let other_ids: BTreeSet<String> = headers
        .keys()
        .filter_map(|name| {
            let name = name.as_str().to_ascii_lowercase();
            let id = name
                .strip_prefix("x-")?
                .strip_suffix(PRIMARY_USED_PERCENT_SUFFIX)?
                .replace('-', "_");
            Some(id)
        })
        .filter(|id| !id.is_empty() && id != DEFAULT_LIMIT_ID)
        .collect();
    for id in other_ids {
        let snapshot = family_snapshot(headers, &id, credits.clone());
        if snapshot.primary.is_some() || snapshot.secondary.is_some() || snapshot.credits.is_some()
        {
            snapshots.push(snapshot);
        }
    }
    snapshots
}

/// `x-codex-promo-message`, when present and non-empty.
pub fn parse_promo_message(headers: &HeaderMap) -> Option<String> {
    header_str(headers, PROMO_MESSAGE_HEADER)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .map(str::to_string)
}

/// The `codex.rate_limits` WebSocket event; `None` for any other event type.
pub fn parse_rate_limit_event(json: &serde_json::Value) -> Option<RateLimitSnapshot> {
    if json.get("type")?.as_str()? != "codex.rate_limits" {
        return None;
    }
    let text = |key: &str| json.get(key).and_then(serde_json::Value::as_str);
    let limit_id = text("metered_limit_name")
        .or_else(|| text("limit_name"))
        .map(normalize_limit_id)
        .unwrap_or_else(|| DEFAULT_LIMIT_ID.to_string());
    let window = |key: &str| {
        let window = json.get("rate_limits")?.get(key)?;
        Some(RateLimitWindow {
            used_percent: window.get("used_percent")?.as_f64()?,
            window_minutes: window
                .get("window_minutes")
                .and_then(serde_json::Value::as_i64),
            resets_at: window.get("reset_at").and_then(serde_json::Value::as_i64),
        })
    };
    let credits = json.get("credits").and_then(|credits| {
        Some(CreditsSnapshot {
            has_credits: credits.get("has_credits")?.as_bool()?,
            unlimited: credits.get("unlimited")?.as_bool()?,
            balance: credits
                .get("balance")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string),
        })
    });
    Some(RateLimitSnapshot {
        limit_id: Some(limit_id),
        limit_name: None,
        primary: window("primary"),
        secondary: window("secondary"),
        credits,
        plan_type: text("plan_type").map(str::to_string),
    })
}

fn normalize_limit_id(raw: &str) -> String {
    raw.trim().to_ascii_lowercase().replace('-', "_")
}

fn family_snapshot(
    headers: &HeaderMap,
    limit_id: &str,
    credits: Option<CreditsSnapshot>,
) -> RateLimitSnapshot {
    let prefix = format!("x-{}", limit_id.replace('_', "-"));
    let window = |which: &str| {
        let used_percent = header_str(headers, &format!("{prefix}-{which}-used-percent"))?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|value| value.is_finite())?;
        let window_minutes = header_str(headers, &format!("{prefix}-{which}-window-minutes"))
            .and_then(|value| value.trim().parse::<i64>().ok());
        let resets_at = header_str(headers, &format!("{prefix}-{which}-reset-at"))
            .and_then(|value| value.trim().parse::<i64>().ok());
        let has_data =
            used_percent != 0.0 || window_minutes.unwrap_or(0) != 0 || resets_at.is_some();
        has_data.then_some(RateLimitWindow {
            used_percent,
            window_minutes,
            resets_at,
        })
    };
    RateLimitSnapshot {
        limit_id: Some(limit_id.to_string()),
        limit_name: header_str(headers, &format!("{prefix}-limit-name"))
            .map(str::trim)
            .filter(|name| !name.is_empty())
            .map(str::to_string),
        primary: window("primary"),
        secondary: window("secondary"),
        credits,
        plan_type: None,
    }
}

fn parse_credits(headers: &HeaderMap) -> Option<CreditsSnapshot> {
    let flag = |name: &str| match header_str(headers, name)?
        .trim()
        .to_ascii_lowercase()
        .as_str()
    {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    };
    Some(CreditsSnapshot {
        has_credits: flag("x-codex-credits-has-credits")?,
        unlimited: flag("x-codex-credits-unlimited")?,
        balance: header_str(headers, "x-codex-credits-balance")
            .map(str::trim)
            .filter(|balance| !balance.is_empty())
            .map(str::to_string),
    })
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use reqwest::header::HeaderName;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    #[test]
    fn recorded_0_105_headers_give_codex_then_codex_other() {
        let map = headers(&[
            ("x-codex-primary-used-percent", "12.5"),
            ("x-codex-primary-window-minutes", "300"),
            ("x-codex-primary-reset-at", "1739000000"),
            ("x-codex-secondary-used-percent", "40"),
            ("x-codex-secondary-window-minutes", "10080"),
            ("x-codex-secondary-reset-at", "1739500000"),
            ("x-codex-credits-has-credits", "True"),
            ("x-codex-credits-unlimited", "0"),
            ("x-codex-credits-balance", "9.99"),
            ("x-codex-other-primary-used-percent", "70"),
            ("x-codex-other-primary-window-minutes", "15"),
            ("x-codex-other-primary-reset-at", "789"),
            ("x-codex-other-secondary-used-percent", "0"),
            ("x-codex-other-secondary-window-minutes", "0"),
            ("x-codex-other-limit-name", "gpt-5.2-codex-sonic"),
        ]);
        let credits = Some(CreditsSnapshot {
            has_credits: true,
            unlimited: false,
            balance: Some("9.99".to_string()),
        });
        assert_eq!(
            parse_rate_limit_updates(&map),
            vec![
                RateLimitSnapshot {
                    limit_id: Some("codex".to_string()),
                    limit_name: None,
                    primary: Some(RateLimitWindow {
                        used_percent: 12.5,
                        window_minutes: Some(300),
                        resets_at: Some(1_739_000_000),
                    }),
                    secondary: Some(RateLimitWindow {
                        used_percent: 40.0,
                        window_minutes: Some(10080),
                        resets_at: Some(1_739_500_000),
                    }),
                    credits: credits.clone(),
                    plan_type: None,
                },
                RateLimitSnapshot {
                    limit_id: Some("codex_other".to_string()),
                    limit_name: Some("gpt-5.2-codex-sonic".to_string()),
                    primary: Some(RateLimitWindow {
                        used_percent: 70.0,
                        window_minutes: Some(15),
                        resets_at: Some(789),
                    }),
                    secondary: None,
                    credits,
                    plan_type: None,
                },
            ]
        );
    }

    #[test]
    fn families_are_sorted_and_empty_ones_dropped() {
        let map = headers(&[
            ("x-codex-zeta-primary-used-percent", "5"),
            ("x-codex-bengalfox-primary-used-percent", "80"),
            ("x-codex-bengalfox-primary-window-minutes", "1440"),
            ("x-codex-bengalfox-primary-reset-at", "1704074400"),
            ("x-codex-empty-primary-used-percent", "0"),
            ("x-codex-nan-primary-used-percent", "NaN"),
        ]);
        assert_eq!(
            parse_rate_limit_updates(&map),
            vec![
                RateLimitSnapshot {
                    limit_id: Some("codex".to_string()),
                    ..RateLimitSnapshot::default()
                },
                RateLimitSnapshot {
                    limit_id: Some("codex_bengalfox".to_string()),
                    primary: Some(RateLimitWindow {
                        used_percent: 80.0,
                        window_minutes: Some(1440),
                        resets_at: Some(1_704_074_400),
                    }),
                    ..RateLimitSnapshot::default()
                },
                RateLimitSnapshot {
                    limit_id: Some("codex_zeta".to_string()),
                    primary: Some(RateLimitWindow {
                        used_percent: 5.0,
                        window_minutes: None,
                        resets_at: None,
                    }),
                    ..RateLimitSnapshot::default()
                },
            ]
        );
    }

    #[test]
    fn promo_message_is_trimmed_and_optional() {
        assert_eq!(parse_promo_message(&headers(&[])), None);
        assert_eq!(
            parse_promo_message(&headers(&[(PROMO_MESSAGE_HEADER, " Try Pro free ")])),
            Some("Try Pro free".to_string())
        );
    }

    #[test]
    fn websocket_rate_limit_event() {
        let event = serde_json::json!({
            "type": "codex.rate_limits",
            "plan_type": "plus",
            "metered_limit_name": "codex-bengalfox",
            "limit_name": "codex_bengalfox",
            "rate_limits": {
                "primary": {"used_percent": 42.0, "window_minutes": 300, "reset_at": 1738888888},
                "secondary": {"used_percent": 7.5, "window_minutes": 10080, "reset_at": 1739400000}
            },
            "credits": {"has_credits": true, "unlimited": false, "balance": "12.34"}
        });
        assert_eq!(
            parse_rate_limit_event(&event),
            Some(RateLimitSnapshot {
                limit_id: Some("codex_bengalfox".to_string()),
                limit_name: None,
                primary: Some(RateLimitWindow {
                    used_percent: 42.0,
                    window_minutes: Some(300),
                    resets_at: Some(1_738_888_888),
                }),
                secondary: Some(RateLimitWindow {
                    used_percent: 7.5,
                    window_minutes: Some(10080),
                    resets_at: Some(1_739_400_000),
                }),
                credits: Some(CreditsSnapshot {
                    has_credits: true,
                    unlimited: false,
                    balance: Some("12.34".to_string()),
                }),
                plan_type: Some("plus".to_string()),
            })
        );
        assert_eq!(
            parse_rate_limit_event(&serde_json::json!({"type": "response.created"})),
            None
        );
        assert_eq!(
            parse_rate_limit_event(&serde_json::json!({"type": "codex.rate_limits"})),
            Some(RateLimitSnapshot {
                limit_id: Some("codex".to_string()),
                ..RateLimitSnapshot::default()
            })
        );
    }
}

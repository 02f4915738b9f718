//! The rate-limit store fed by parsed response headers and WebSocket events, the way a turn feeds it:
//! one change per limit, names carried over from earlier responses, other limits left alone.

#![allow(clippy::unwrap_used, clippy::expect_used)] // A test that cannot set up fails.

use codex_core::backend::rate_limit_store::RateLimitStore;
use codex_core::client::parse_rate_limit_event;
use codex_core::client::parse_rate_limit_updates;
use codex_core::protocol::rate_limit::CreditsSnapshot;
use codex_core::protocol::rate_limit::RateLimitSnapshot;
use codex_core::protocol::rate_limit::RateLimitWindow;
use pretty_assertions::assert_eq;
use reqwest::header::HeaderMap;
use reqwest::header::HeaderName;
use reqwest::header::HeaderValue;
use serde_json::json;

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    pairs
        .iter()
        .map(|(name, value)| {
            (
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            )
        })
        .collect()
}

fn window(used_percent: f64, window_minutes: i64, resets_at: i64) -> Option<RateLimitWindow> {
    Some(RateLimitWindow {
        used_percent,
        window_minutes: Some(window_minutes),
        resets_at: Some(resets_at),
    })
}

#[test]
fn header_families_update_each_limit_once_and_keep_names() {
    let store = RateLimitStore::new();
    let credits = Some(CreditsSnapshot {
        has_credits: true,
        unlimited: false,
        balance: Some("9.99".to_string()),
    });
    let first_response = headers(&[
        ("x-codex-primary-used-percent", "12.5"),
        ("x-codex-primary-window-minutes", "300"),
        ("x-codex-primary-reset-at", "1704069000"),
        ("x-codex-other-primary-used-percent", "70"),
        ("x-codex-other-primary-window-minutes", "15"),
        ("x-codex-other-primary-reset-at", "1704070000"),
        ("x-codex-other-limit-name", "gpt-5.2-codex-sonic"),
        ("x-codex-credits-has-credits", "true"),
        ("x-codex-credits-unlimited", "false"),
        ("x-codex-credits-balance", "9.99"),
    ]);
    let codex = RateLimitSnapshot {
        limit_id: Some("codex".to_string()),
        limit_name: None,
        primary: window(12.5, 300, 1704069000),
        secondary: None,
        credits: credits.clone(),
        plan_type: None,
    };
    let codex_other = RateLimitSnapshot {
        limit_id: Some("codex_other".to_string()),
        limit_name: Some("gpt-5.2-codex-sonic".to_string()),
        primary: window(70.0, 15, 1704070000),
        secondary: None,
        credits: credits.clone(),
        plan_type: None,
    };
    assert_eq!(
        store.update_many(parse_rate_limit_updates(&first_response)),
        vec![codex.clone(), codex_other.clone()]
    );
    assert_eq!(
        store.update_many(parse_rate_limit_updates(&first_response)),
        Vec::<RateLimitSnapshot>::new()
    );

    // The next response moves only codex_other and omits its name and the credits headers.
    let second_response = headers(&[
        ("x-codex-primary-used-percent", "12.5"),
        ("x-codex-primary-window-minutes", "300"),
        ("x-codex-primary-reset-at", "1704069000"),
        ("x-codex-other-primary-used-percent", "75"),
        ("x-codex-other-primary-window-minutes", "15"),
        ("x-codex-other-primary-reset-at", "1704070000"),
    ]);
    let codex_other = RateLimitSnapshot {
        primary: window(75.0, 15, 1704070000),
        ..codex_other
    };
    assert_eq!(
        store.update_many(parse_rate_limit_updates(&second_response)),
        vec![codex_other.clone()]
    );

    // A response without any rate-limit header says nothing about any limit.
    assert_eq!(
        store.update_many(parse_rate_limit_updates(&HeaderMap::new())),
        Vec::<RateLimitSnapshot>::new()
    );
    assert_eq!(
        store.by_limit_id().into_values().collect::<Vec<_>>(),
        vec![codex, codex_other]
    );
}

#[test]
fn websocket_event_for_one_limit_leaves_the_others() {
    let store = RateLimitStore::new();
    let codex = RateLimitSnapshot {
        limit_id: Some("codex".to_string()),
        primary: window(1.0, 300, 10),
        ..RateLimitSnapshot::default()
    };
    store.update(codex.clone());
    store.update(RateLimitSnapshot {
        limit_id: Some("codex_bengalfox".to_string()),
        limit_name: Some("gpt-5.2-codex-sonic".to_string()),
        primary: window(10.0, 300, 20),
        ..RateLimitSnapshot::default()
    });

    let event = parse_rate_limit_event(&json!({
        "type": "codex.rate_limits",
        "plan_type": "plus",
        "metered_limit_name": "codex_bengalfox",
        "limit_name": "codex_bengalfox",
        "rate_limits": {
            "primary": {"used_percent": 42.0, "window_minutes": 300, "reset_at": 1738888888},
            "secondary": {"used_percent": 7.5, "window_minutes": 10080, "reset_at": 1739400000}},
        "credits": {"has_credits": true, "unlimited": false, "balance": "12.34"}
    }))
    .unwrap();
    let bengalfox = RateLimitSnapshot {
        limit_id: Some("codex_bengalfox".to_string()),
        limit_name: Some("gpt-5.2-codex-sonic".to_string()),
        primary: window(42.0, 300, 1738888888),
        secondary: window(7.5, 10080, 1739400000),
        credits: Some(CreditsSnapshot {
            has_credits: true,
            unlimited: false,
            balance: Some("12.34".to_string()),
        }),
        plan_type: Some("plus".to_string()),
    };
    assert_eq!(store.update(event), Some(bengalfox.clone()));
    assert_eq!(
        store.by_limit_id().into_values().collect::<Vec<_>>(),
        vec![codex, bengalfox]
    );
}

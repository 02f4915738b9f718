//! `UsageLimitReachedError`: the 429 `usage_limit_reached` error and its user-facing message, which depends
//! on the limit bucket, a promo message, the plan and when the limit resets.

use chrono::DateTime;
use chrono::Datelike;
use chrono::Local;
use chrono::TimeZone;

use crate::protocol::rate_limit::DEFAULT_LIMIT_ID;
use crate::protocol::rate_limit::RateLimitSnapshot;

/// The account hit its usage limit.
#[derive(Debug, Clone, PartialEq)]
pub struct UsageLimitReachedError {
    pub plan_type: Option<String>,
    /// Unix seconds.
    pub resets_at: Option<i64>,
    pub rate_limits: Option<RateLimitSnapshot>,
    pub promo_message: Option<String>,
}

impl UsageLimitReachedError {
    /// The message as seen at `now`, in `now`'s time zone (the clock is a parameter so tests are stable).
    pub fn message_at<Tz: TimeZone>(&self, now: &DateTime<Tz>) -> String
    where
        Tz::Offset: std::fmt::Display,
    {
        let reset_time = self
            .resets_at
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .map(|reset| format_reset_time(&reset.with_timezone(&now.timezone()), now));
        let after_or = match &reset_time {
            Some(time) => format!(" or try again at {time}."),
            None => " or try again later.".to_string(),
        };
        let non_default_limit_name = self
            .rate_limits
            .as_ref()
            .and_then(|snapshot| snapshot.limit_name.as_deref())
            .map(str::trim)
            .filter(|name| !name.is_empty() && !name.eq_ignore_ascii_case(DEFAULT_LIMIT_ID));
        if let Some(limit_name) = non_default_limit_name {
            return format!(
                "You've hit your usage limit for {limit_name}. Switch to another model now,{after_or}"
            );
        }
        if let Some(promo) = &self.promo_message {
            return format!("You've hit your usage limit. {promo},{after_or}");
        }
        let plan = self
            .plan_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        match plan.as_str() {
            "plus" => format!(
                "You've hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/codex/settings/usage to purchase more credits{after_or}"
            ),
            "team" | "business" => format!(
                "You've hit your usage limit. To get more access now, send a request to your admin{after_or}"
            ),
            "free" | "go" => format!(
                "You've hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus),{after_or}"
            ),
            "pro" => format!(
                "You've hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to purchase more credits{after_or}"
            ),
            _ => match reset_time {
                Some(time) => format!("You've hit your usage limit. Try again at {time}."),
                None => "You've hit your usage limit. Try again later.".to_string(),
            },
        }
    }
}

impl std::fmt::Display for UsageLimitReachedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message_at(&Local::now()))
    }
}

impl std::error::Error for UsageLimitReachedError {}

/// `3:07 PM` when the reset is today, else `Feb 21st, 2026 3:07 PM`.
fn format_reset_time<Tz: TimeZone>(reset: &DateTime<Tz>, now: &DateTime<Tz>) -> String
where
    Tz::Offset: std::fmt::Display,
{
    if reset.date_naive() == now.date_naive() {
        return reset.format("%-I:%M %p").to_string();
    }
    let day = reset.day();
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!(
        "{} {day}{suffix}, {}",
        reset.format("%b"),
        reset.format("%Y %-I:%M %p")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use pretty_assertions::assert_eq;

    /// 2026-02-21 10:00:00 UTC.
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, 21, 10, 0, 0).unwrap()
    }

    fn error(plan: Option<&str>, resets_at: Option<i64>) -> UsageLimitReachedError {
        UsageLimitReachedError {
            plan_type: plan.map(str::to_string),
            resets_at,
            rate_limits: None,
            promo_message: None,
        }
    }

    #[test]
    fn reset_time_today_and_on_other_days() {
        let today = Utc
            .with_ymd_and_hms(2026, 2, 21, 15, 7, 0)
            .unwrap()
            .timestamp();
        let other = |d: u32| {
            Utc.with_ymd_and_hms(2026, 3, d, 15, 7, 0)
                .unwrap()
                .timestamp()
        };
        assert_eq!(
            error(None, Some(today)).message_at(&now()),
            "You've hit your usage limit. Try again at 3:07 PM."
        );
        let cases = [
            (1, "Mar 1st, 2026 3:07 PM"),
            (2, "Mar 2nd, 2026 3:07 PM"),
            (3, "Mar 3rd, 2026 3:07 PM"),
            (4, "Mar 4th, 2026 3:07 PM"),
            (11, "Mar 11th, 2026 3:07 PM"),
            (12, "Mar 12th, 2026 3:07 PM"),
            (13, "Mar 13th, 2026 3:07 PM"),
            (21, "Mar 21st, 2026 3:07 PM"),
            (22, "Mar 22nd, 2026 3:07 PM"),
            (23, "Mar 23rd, 2026 3:07 PM"),
        ];
        for (day, expected) in cases {
            assert_eq!(
                error(Some("enterprise"), Some(other(day))).message_at(&now()),
                format!("You've hit your usage limit. Try again at {expected}.")
            );
        }
    }

    #[test]
    fn messages_per_plan() {
        let at = Some(
            Utc.with_ymd_and_hms(2026, 2, 21, 15, 7, 0)
                .unwrap()
                .timestamp(),
        );
        let cases = [
            (
                Some("plus"),
                "You've hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again at 3:07 PM.",
            ),
            (
                Some("team"),
                "You've hit your usage limit. To get more access now, send a request to your admin or try again at 3:07 PM.",
            ),
            (
                Some("business"),
                "You've hit your usage limit. To get more access now, send a request to your admin or try again at 3:07 PM.",
            ),
            (
                Some("free"),
                "You've hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or try again at 3:07 PM.",
            ),
            (
                Some("go"),
                "You've hit your usage limit. Upgrade to Plus to continue using Codex (https://chatgpt.com/explore/plus), or try again at 3:07 PM.",
            ),
            (
                Some("pro"),
                "You've hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again at 3:07 PM.",
            ),
            (
                Some("edu"),
                "You've hit your usage limit. Try again at 3:07 PM.",
            ),
            (None, "You've hit your usage limit. Try again at 3:07 PM."),
        ];
        for (plan, expected) in cases {
            assert_eq!(error(plan, at).message_at(&now()), expected);
        }
        assert_eq!(
            error(Some("plus"), None).message_at(&now()),
            "You've hit your usage limit. Upgrade to Pro (https://chatgpt.com/explore/pro), visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again later."
        );
        assert_eq!(
            error(None, None).message_at(&now()),
            "You've hit your usage limit. Try again later."
        );
    }

    #[test]
    fn limit_name_then_promo_take_precedence() {
        let named = |name: &str| UsageLimitReachedError {
            rate_limits: Some(RateLimitSnapshot {
                limit_id: Some("codex_other".to_string()),
                limit_name: Some(name.to_string()),
                ..RateLimitSnapshot::default()
            }),
            promo_message: Some("Get 2x usage with Pro".to_string()),
            ..error(Some("plus"), None)
        };
        assert_eq!(
            named("gpt-5.2-codex-sonic").message_at(&now()),
            "You've hit your usage limit for gpt-5.2-codex-sonic. Switch to another model now, or try again later."
        );
        assert_eq!(
            named("Codex").message_at(&now()),
            "You've hit your usage limit. Get 2x usage with Pro, or try again later."
        );
    }
}

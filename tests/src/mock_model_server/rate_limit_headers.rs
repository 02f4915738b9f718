//! Rate-limit response headers as the real server sends them (the `x-codex-*` default family, named
//! buckets under `x-<limit-id>-*`, credits and the promo message), for `MockResponse::with_headers` and
//! `MockModelServer::set_ws_handshake_response_headers`.

/// One rate-limit window: percent used, window length and reset time (Unix seconds).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MockRateLimitWindow {
    pub used_percent: f64,
    pub window_minutes: i64,
    pub reset_at: i64,
}

impl MockRateLimitWindow {
    pub const fn new(used_percent: f64, window_minutes: i64, reset_at: i64) -> Self {
        Self {
            used_percent,
            window_minutes,
            reset_at,
        }
    }
}

/// Credits state of the account.
#[derive(Debug, Clone, PartialEq)]
pub struct MockCredits {
    pub has_credits: bool,
    pub unlimited: bool,
    pub balance: Option<String>,
}

/// Headers of the default `codex` bucket: `x-codex-primary-*` and, if given, `x-codex-secondary-*`.
pub fn codex_rate_limit_headers(
    primary: MockRateLimitWindow,
    secondary: Option<MockRateLimitWindow>,
) -> Vec<(String, String)> {
    named_family_headers("x-codex", primary, secondary)
}

/// Headers of a non-default bucket: `limit_id_with_dashes` is the id as it appears in header names
/// (`codex-other` for the limit id `codex_other`), `limit_name` goes into `x-<id>-limit-name`.
pub fn named_rate_limit_headers(
    limit_id_with_dashes: &str,
    limit_name: &str,
    primary: MockRateLimitWindow,
    secondary: Option<MockRateLimitWindow>,
) -> Vec<(String, String)> {
    let prefix = format!("x-{limit_id_with_dashes}");
    let mut headers = named_family_headers(&prefix, primary, secondary);
    headers.push((format!("{prefix}-limit-name"), limit_name.to_string()));
    headers
}

fn named_family_headers(
    prefix: &str,
    primary: MockRateLimitWindow,
    secondary: Option<MockRateLimitWindow>,
) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    for (window_name, window) in [("primary", Some(primary)), ("secondary", secondary)] {
        let Some(window) = window else { continue };
        headers.push((
            format!("{prefix}-{window_name}-used-percent"),
            window.used_percent.to_string(),
        ));
        headers.push((
            format!("{prefix}-{window_name}-window-minutes"),
            window.window_minutes.to_string(),
        ));
        headers.push((
            format!("{prefix}-{window_name}-reset-at"),
            window.reset_at.to_string(),
        ));
    }
    headers
}

/// The `x-codex-credits-*` headers; the balance header is left out when `None`.
pub fn credits_headers(credits: &MockCredits) -> Vec<(String, String)> {
    let mut headers = vec![
        (
            "x-codex-credits-has-credits".to_string(),
            credits.has_credits.to_string(),
        ),
        (
            "x-codex-credits-unlimited".to_string(),
            credits.unlimited.to_string(),
        ),
    ];
    if let Some(balance) = &credits.balance {
        headers.push(("x-codex-credits-balance".to_string(), balance.clone()));
    }
    headers
}

/// The `x-codex-promo-message` header used in the usage-limit error text.
pub fn promo_message_header(message: &str) -> (String, String) {
    ("x-codex-promo-message".to_string(), message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect()
    }

    #[test]
    fn named_bucket_headers_follow_the_upstream_naming() {
        let headers = named_rate_limit_headers(
            "codex-other",
            "gpt-5.2-codex-sonic",
            MockRateLimitWindow::new(80.0, 1440, 1704074400),
            None,
        );
        assert_eq!(
            headers,
            pairs(&[
                ("x-codex-other-primary-used-percent", "80"),
                ("x-codex-other-primary-window-minutes", "1440"),
                ("x-codex-other-primary-reset-at", "1704074400"),
                ("x-codex-other-limit-name", "gpt-5.2-codex-sonic"),
            ])
        );
    }

    #[test]
    fn codex_headers_include_secondary_and_fractional_percent() {
        let headers = codex_rate_limit_headers(
            MockRateLimitWindow::new(12.5, 300, 1),
            Some(MockRateLimitWindow::new(40.0, 10080, 2)),
        );
        assert_eq!(
            headers,
            pairs(&[
                ("x-codex-primary-used-percent", "12.5"),
                ("x-codex-primary-window-minutes", "300"),
                ("x-codex-primary-reset-at", "1"),
                ("x-codex-secondary-used-percent", "40"),
                ("x-codex-secondary-window-minutes", "10080"),
                ("x-codex-secondary-reset-at", "2"),
            ])
        );
    }
}

//! Classifying an error answer (HTTP status, headers and body) into a final `ApiError` or a retryable
//! failure. HTTP responses and wrapped websocket `error` frames both go through here, so a 429
//! `usage_limit_reached` means the same on either transport.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

use crate::client::api_error::ApiError;
use crate::client::rate_limit_headers::parse_promo_message;
use crate::client::rate_limit_headers::parse_rate_limit_updates;
use crate::client::response_headers::header_text;
use crate::client::usage_limit::UsageLimitReachedError;
use crate::protocol::rate_limit::DEFAULT_LIMIT_ID;

const REQUEST_ID_HEADER: &str = "x-request-id";
/// Error bodies can be whole HTML pages; keep messages readable.
const MAX_ERROR_BODY_CHARS: usize = 1000;

/// What an error answer means.
#[derive(Debug)]
pub(crate) enum ErrorResponse {
    Final(ApiError),
    /// 429 or 5xx: worth another attempt, after `server_delay` if the server named one.
    Retryable {
        status: u16,
        message: String,
        server_delay: Option<Duration>,
    },
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorBodyDetails,
}

#[derive(Deserialize)]
struct ErrorBodyDetails {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    plan_type: Option<String>,
    #[serde(default)]
    resets_at: Option<i64>,
}

/// Classifies a non-success answer. A 401 is final here: the caller gives auth recovery its chance first.
pub(crate) fn classify_error_response(
    status: StatusCode,
    headers: &HeaderMap,
    body: &str,
) -> ErrorResponse {
    if status == StatusCode::UNAUTHORIZED {
        return ErrorResponse::Final(unauthorized_error(headers, body));
    }
    let request_id = header_text(headers, REQUEST_ID_HEADER).map(str::to_string);
    let parsed = serde_json::from_str::<ErrorBody>(body)
        .ok()
        .map(|body| body.error);
    if status == StatusCode::TOO_MANY_REQUESTS
        && let Some(error) = &parsed
    {
        let kind = error.kind.as_deref().or(error.code.as_deref());
        match kind {
            Some("usage_limit_reached") => {
                let snapshots = parse_rate_limit_updates(headers);
                // The limit that was hit is named by `x-codex-active-limit` when the server says so;
                // otherwise it is the default `codex` bucket (upstream's rule), whatever else the
                // headers describe.
                let active_limit = headers
                    .get("x-codex-active-limit")
                    .and_then(|value| value.to_str().ok())
                    .map(|id| id.trim().to_ascii_lowercase().replace('-', "_"))
                    .filter(|id| !id.is_empty())
                    .unwrap_or_else(|| DEFAULT_LIMIT_ID.to_string());
                let rate_limits = snapshots.into_iter().find(|snapshot| {
                    snapshot.limit_id.as_deref().unwrap_or(DEFAULT_LIMIT_ID) == active_limit
                });
                return ErrorResponse::Final(ApiError::UsageLimitReached(Box::new(
                    UsageLimitReachedError {
                        plan_type: error.plan_type.clone(),
                        resets_at: error.resets_at,
                        rate_limits,
                        promo_message: parse_promo_message(headers),
                    },
                )));
            }
            Some("usage_not_included") => return ErrorResponse::Final(ApiError::UsageNotIncluded),
            _ => {}
        }
    }
    // An input larger than the model's window is refused up front by some servers (HTTP 400) rather
    // than in the stream: either way the thread compacts and retries.
    if parsed
        .as_ref()
        .is_some_and(|error| error.code.as_deref() == Some("context_length_exceeded"))
    {
        return ErrorResponse::Final(ApiError::ContextWindowExceeded);
    }
    let message = parsed
        .and_then(|error| error.message)
        .unwrap_or_else(|| body_excerpt(body));
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return ErrorResponse::Retryable {
            status: status.as_u16(),
            message,
            server_delay: parse_retry_after(headers),
        };
    }
    ErrorResponse::Final(ApiError::Http {
        status: status.as_u16(),
        message,
        request_id,
    })
}

/// The error a 401 answer stands for once auth recovery gave up: the server's explanation kept.
pub(crate) fn unauthorized_error(headers: &HeaderMap, body: &str) -> ApiError {
    let message = serde_json::from_str::<ErrorBody>(body)
        .ok()
        .and_then(|body| body.error.message)
        .unwrap_or_else(|| body_excerpt(body));
    ApiError::Unauthorized {
        message: Some(message).filter(|message| !message.trim().is_empty()),
        request_id: header_text(headers, REQUEST_ID_HEADER).map(str::to_string),
    }
}

fn body_excerpt(body: &str) -> String {
    body.trim().chars().take(MAX_ERROR_BODY_CHARS).collect()
}

/// The delay a response asks for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP-date.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    if let Some(ms) = header_text(headers, "retry-after-ms").and_then(|v| v.parse::<f64>().ok())
        && ms.is_finite()
        && ms >= 0.0
    {
        return Some(Duration::from_secs_f64(ms / 1000.0));
    }
    let value = header_text(headers, "retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs));
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.signed_duration_since(chrono::Utc::now());
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use reqwest::header::HeaderValue;

    use super::*;

    fn usage_limit_headers(active: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in [
            ("x-codex-primary-used-percent", "100"),
            ("x-codex-primary-window-minutes", "300"),
            ("x-codex-other-primary-used-percent", "100"),
            ("x-codex-other-primary-window-minutes", "60"),
            ("x-codex-other-limit-name", "gpt-5.2-codex-sonic"),
        ] {
            headers.insert(name, HeaderValue::from_static(value));
        }
        if let Some(active) = active {
            headers.insert(
                "x-codex-active-limit",
                HeaderValue::from_str(active).expect("header value"),
            );
        }
        headers
    }

    fn limit_of(response: ErrorResponse) -> Option<String> {
        match response {
            ErrorResponse::Final(ApiError::UsageLimitReached(error)) => {
                error.rate_limits.and_then(|snapshot| snapshot.limit_id)
            }
            other => panic!("expected a usage limit error, got {other:?}"),
        }
    }

    #[test]
    fn a_400_context_length_exceeded_is_the_context_window_error() {
        let body = r#"{"error": {"type": "invalid_request_error", "code": "context_length_exceeded", "message": "too long"}}"#;
        let classified = classify_error_response(StatusCode::BAD_REQUEST, &HeaderMap::new(), body);
        assert!(
            matches!(
                classified,
                ErrorResponse::Final(ApiError::ContextWindowExceeded)
            ),
            "{classified:?}"
        );
    }

    #[test]
    fn a_401_keeps_the_servers_explanation() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID_HEADER, HeaderValue::from_static("req_9"));
        let explained = classify_error_response(
            StatusCode::UNAUTHORIZED,
            &headers,
            r#"{"error":{"message":"Incorrect API key provided: sk-ab***yz.","type":"invalid_request_error","code":"invalid_api_key"}}"#,
        );
        let ErrorResponse::Final(error) = explained else {
            panic!("a 401 is final: {explained:?}");
        };
        assert_eq!(
            error.to_string(),
            "unauthorized: Incorrect API key provided: sk-ab***yz. (request id: req_9)"
        );
        let bare = classify_error_response(StatusCode::UNAUTHORIZED, &HeaderMap::new(), "");
        let ErrorResponse::Final(error) = bare else {
            panic!("a 401 is final: {bare:?}");
        };
        assert_eq!(
            error.to_string(),
            "unauthorized: sign in again or check your API key"
        );
    }

    #[test]
    fn a_usage_limit_names_the_active_limit_when_the_server_says_which() {
        let body =
            r#"{"error":{"type":"usage_limit_reached","plan_type":"pro","resets_at":1739000000}}"#;
        assert_eq!(
            limit_of(classify_error_response(
                StatusCode::TOO_MANY_REQUESTS,
                &usage_limit_headers(Some("codex_other")),
                body,
            )),
            Some("codex_other".to_string())
        );
        // Without the header, the first bucket with data (the default one) is the one reported.
        assert_eq!(
            limit_of(classify_error_response(
                StatusCode::TOO_MANY_REQUESTS,
                &usage_limit_headers(None),
                body,
            )),
            Some("codex".to_string())
        );
    }
}

//! `ApiError`: every way a model request can fail, whether the turn loop may retry it, after how long,
//! and its machine-readable kind. Messages are user-readable and never contain credentials.

use std::time::Duration;

use crate::auth::AuthError;
use crate::client::usage_limit::UsageLimitReachedError;
use crate::protocol::turn_outcome::CodexErrorInfo;

/// A failed model request or stream.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    UsageLimitReached(Box<UsageLimitReachedError>),
    #[error(
        "To use Codex with your ChatGPT plan, upgrade to Plus: https://chatgpt.com/explore/plus."
    )]
    UsageNotIncluded,
    #[error("Quota exceeded. Check your plan and billing details.")]
    QuotaExceeded,
    #[error(
        "Codex ran out of room in the model's context window. Start a new thread or clear earlier history before retrying."
    )]
    ContextWindowExceeded,
    /// A 401 that auth recovery could not fix, with the server's explanation when it gave one.
    #[error("unauthorized: {}{}", message.as_deref().unwrap_or(UNAUTHORIZED_ADVICE), request_id_suffix(request_id))]
    Unauthorized {
        message: Option<String>,
        request_id: Option<String>,
    },
    /// No usable credentials, or renewing them failed; nothing was sent.
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("unexpected status {}: {message}{}", status_text(*status), request_id_suffix(request_id))]
    Http {
        status: u16,
        message: String,
        request_id: Option<String>,
    },
    /// A transient failure the server reported inside the stream (`response.failed`).
    #[error("{message}")]
    Retryable {
        message: String,
        delay: Option<Duration>,
    },
    #[error("server is overloaded: {0}")]
    ServerOverloaded(String),
    #[error("{0}")]
    Stream(String),
    #[error("idle timeout waiting for SSE")]
    IdleTimeout,
    #[error("connection failed: {message}")]
    ConnectionFailed {
        message: String,
        status: Option<u16>,
    },
    #[error("exceeded retry limit, last status: {}; {last}", status.map(status_text).unwrap_or_else(|| "none".to_string()))]
    RetryLimit { status: Option<u16>, last: String },
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("Incomplete response returned, reason: {0}")]
    Incomplete(String),
    #[error("interrupted")]
    Interrupted,
}

const UNAUTHORIZED_ADVICE: &str = "sign in again or check your API key";

fn status_text(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|code| code.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn request_id_suffix(request_id: &Option<String>) -> String {
    request_id
        .as_ref()
        .map(|id| format!(" (request id: {id})"))
        .unwrap_or_default()
}

impl ApiError {
    /// Whether the turn loop may re-run the sampling request.
    pub fn is_retryable(&self) -> bool {
        match self {
            ApiError::Retryable { .. }
            | ApiError::ServerOverloaded(_)
            | ApiError::Stream(_)
            | ApiError::IdleTimeout
            | ApiError::ConnectionFailed { .. } => true,
            ApiError::Http { status, .. } => *status >= 500,
            ApiError::UsageLimitReached(_)
            | ApiError::UsageNotIncluded
            | ApiError::QuotaExceeded
            | ApiError::ContextWindowExceeded
            | ApiError::Unauthorized { .. }
            | ApiError::Auth(_)
            | ApiError::RetryLimit { .. }
            | ApiError::InvalidRequest(_)
            | ApiError::Incomplete(_)
            | ApiError::Interrupted => false,
        }
    }

    /// The delay the server asked for, if any.
    pub fn retry_delay(&self) -> Option<Duration> {
        match self {
            ApiError::Retryable { delay, .. } => *delay,
            ApiError::UsageLimitReached(_)
            | ApiError::UsageNotIncluded
            | ApiError::QuotaExceeded
            | ApiError::ContextWindowExceeded
            | ApiError::Unauthorized { .. }
            | ApiError::Auth(_)
            | ApiError::Http { .. }
            | ApiError::ServerOverloaded(_)
            | ApiError::Stream(_)
            | ApiError::IdleTimeout
            | ApiError::ConnectionFailed { .. }
            | ApiError::RetryLimit { .. }
            | ApiError::InvalidRequest(_)
            | ApiError::Incomplete(_)
            | ApiError::Interrupted => None,
        }
    }

    /// The HTTP status behind the error, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            ApiError::ConnectionFailed { status, .. } | ApiError::RetryLimit { status, .. } => {
                *status
            }
            ApiError::UsageLimitReached(_) => Some(429),
            ApiError::Unauthorized { .. } => Some(401),
            ApiError::UsageNotIncluded
            | ApiError::QuotaExceeded
            | ApiError::ContextWindowExceeded
            | ApiError::Auth(_)
            | ApiError::Retryable { .. }
            | ApiError::ServerOverloaded(_)
            | ApiError::Stream(_)
            | ApiError::IdleTimeout
            | ApiError::InvalidRequest(_)
            | ApiError::Incomplete(_)
            | ApiError::Interrupted => None,
        }
    }

    pub fn codex_error_info(&self) -> CodexErrorInfo {
        match self {
            ApiError::UsageLimitReached(_)
            | ApiError::UsageNotIncluded
            | ApiError::QuotaExceeded => CodexErrorInfo::UsageLimitExceeded,
            ApiError::ContextWindowExceeded => CodexErrorInfo::ContextWindowExceeded,
            ApiError::Unauthorized { .. } | ApiError::Auth(_) => CodexErrorInfo::Unauthorized,
            ApiError::Http { status, .. } => match status {
                400 => CodexErrorInfo::BadRequest,
                401 => CodexErrorInfo::Unauthorized,
                500.. => CodexErrorInfo::InternalServerError,
                _ => CodexErrorInfo::HttpConnectionFailed {
                    http_status_code: Some(*status),
                },
            },
            ApiError::ServerOverloaded(_) => CodexErrorInfo::ServerOverloaded,
            ApiError::Retryable { .. }
            | ApiError::Stream(_)
            | ApiError::IdleTimeout
            | ApiError::Incomplete(_) => CodexErrorInfo::ResponseStreamDisconnected {
                http_status_code: None,
            },
            ApiError::ConnectionFailed { status, .. } => CodexErrorInfo::HttpConnectionFailed {
                http_status_code: *status,
            },
            ApiError::RetryLimit { status, .. } => CodexErrorInfo::ResponseTooManyFailedAttempts {
                http_status_code: *status,
            },
            ApiError::InvalidRequest(_) => CodexErrorInfo::BadRequest,
            ApiError::Interrupted => CodexErrorInfo::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn display_and_classification() {
        let http = ApiError::Http {
            status: 500,
            message: "boom".to_string(),
            request_id: Some("req_1".to_string()),
        };
        assert_eq!(
            http.to_string(),
            "unexpected status 500 Internal Server Error: boom (request id: req_1)"
        );
        assert_eq!(http.is_retryable(), true);
        assert_eq!(http.codex_error_info(), CodexErrorInfo::InternalServerError);

        let limit = ApiError::RetryLimit {
            status: Some(429),
            last: "slow down".to_string(),
        };
        assert_eq!(
            limit.to_string(),
            "exceeded retry limit, last status: 429 Too Many Requests; slow down"
        );
        assert_eq!(limit.is_retryable(), false);
        assert_eq!(
            limit.codex_error_info(),
            CodexErrorInfo::ResponseTooManyFailedAttempts {
                http_status_code: Some(429)
            }
        );
        let retryable = ApiError::Retryable {
            message: "rate limited".to_string(),
            delay: Some(Duration::from_millis(1500)),
        };
        assert_eq!(retryable.retry_delay(), Some(Duration::from_millis(1500)));
        assert_eq!(ApiError::ContextWindowExceeded.is_retryable(), false);
    }
}

//! Every way a client request can fail, and the one place that turns them into JSON-RPC error bodies.

use codex_app_server_protocol::JSONRPCErrorError;
use codex_app_server_protocol::error_code;

/// Why a request (or an unreadable line) gets an error answer instead of a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// The line was not JSON (or not UTF-8).
    #[error("Parse error: {0}")]
    Parse(String),
    /// The line was JSON but not a JSON-RPC envelope we can act on.
    #[error("Invalid request: {0}")]
    InvalidEnvelope(String),
    /// The line exceeded the size limit and was discarded unread.
    #[error("message too large: a line may carry at most {limit} bytes")]
    MessageTooLarge { limit: usize },
    /// A binary WebSocket frame, which carries no JSON-RPC message.
    #[error(
        "Invalid request: binary WebSocket frames are not supported; send each JSON-RPC message as one text frame"
    )]
    BinaryFrame,
    /// The text of a turn's input is longer than upstream's limit (`input_too_large` in `data`, as upstream).
    #[error("Input exceeds the maximum length of {max_chars} characters.")]
    InputTooLarge {
        max_chars: usize,
        actual_chars: usize,
    },
    #[error("Not initialized")]
    NotInitialized,
    #[error("Already initialized")]
    AlreadyInitialized,
    #[error("Invalid clientInfo.name: '{name}'. Must be a valid HTTP header value.")]
    InvalidClientName { name: String },
    /// `descriptor` is `<method>` or `<method>.<field>`.
    #[error("{descriptor} requires experimentalApi capability")]
    ExperimentalApiRequired { descriptor: String },
    #[error("Method not found: {method}")]
    MethodNotFound { method: String },
    /// The params did not decode; carries the decoder's message.
    #[error("Invalid params: {0}")]
    InvalidParams(String),
    /// Invalid params answered with upstream's own message, as it is (no prefix).
    #[error("{0}")]
    InvalidParamsVerbatim(String),
    /// A semantic rejection by a handler.
    #[error("{0}")]
    Rejected(String),
    /// A `config/value/write` or `config/batchWrite` that could not be applied; `code` is upstream's
    /// ConfigWriteErrorCode, carried in the error's `data`.
    #[error("{message}")]
    ConfigWrite { code: String, message: String },
    /// `command/exec` could not run the command (program not found, no sandbox available); carries the
    /// engine's message, which names the program and directory but no environment.
    #[error("exec failed: {0}")]
    ExecFailed(String),
    /// `fuzzyFileSearch/sessionStart` could not start its session (upstream's text and code).
    #[error("failed to start fuzzy file search session: {0}")]
    FileSearchSessionFailed(String),
    #[error("Internal error: {0}")]
    Internal(String),
}

impl RequestError {
    pub fn code(&self) -> i64 {
        match self {
            RequestError::Parse(_) => error_code::PARSE_ERROR,
            RequestError::InvalidEnvelope(_)
            | RequestError::MessageTooLarge { .. }
            | RequestError::BinaryFrame
            | RequestError::NotInitialized
            | RequestError::AlreadyInitialized
            | RequestError::InvalidClientName { .. }
            | RequestError::ExperimentalApiRequired { .. }
            | RequestError::Rejected(_)
            | RequestError::ConfigWrite { .. } => error_code::INVALID_REQUEST,
            RequestError::MethodNotFound { .. } => error_code::METHOD_NOT_FOUND,
            RequestError::InvalidParams(_)
            | RequestError::InvalidParamsVerbatim(_)
            | RequestError::InputTooLarge { .. } => error_code::INVALID_PARAMS,
            RequestError::ExecFailed(_)
            | RequestError::FileSearchSessionFailed(_)
            | RequestError::Internal(_) => error_code::INTERNAL_ERROR,
        }
    }
}

impl From<RequestError> for JSONRPCErrorError {
    fn from(error: RequestError) -> Self {
        let data = match &error {
            RequestError::ConfigWrite { code, .. } => {
                Some(serde_json::json!({ "config_write_error_code": code }))
            }
            RequestError::InputTooLarge {
                max_chars,
                actual_chars,
            } => Some(serde_json::json!({
                "input_error_code": "input_too_large",
                "max_chars": max_chars,
                "actual_chars": actual_chars,
            })),
            RequestError::Parse(_)
            | RequestError::InvalidEnvelope(_)
            | RequestError::MessageTooLarge { .. }
            | RequestError::BinaryFrame
            | RequestError::NotInitialized
            | RequestError::AlreadyInitialized
            | RequestError::InvalidClientName { .. }
            | RequestError::ExperimentalApiRequired { .. }
            | RequestError::MethodNotFound { .. }
            | RequestError::InvalidParams(_)
            | RequestError::InvalidParamsVerbatim(_)
            | RequestError::Rejected(_)
            | RequestError::ExecFailed(_)
            | RequestError::FileSearchSessionFailed(_)
            | RequestError::Internal(_) => None,
        };
        JSONRPCErrorError {
            code: error.code(),
            message: error.to_string(),
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn experimental_gate_message_matches_upstream() {
        let body = JSONRPCErrorError::from(RequestError::ExperimentalApiRequired {
            descriptor: "thread/start.dynamicTools".to_string(),
        });
        assert_eq!(
            body,
            JSONRPCErrorError {
                code: -32600,
                message: "thread/start.dynamicTools requires experimentalApi capability"
                    .to_string(),
                data: None,
            }
        );
    }
}

//! The JSON-RPC "lite" envelope: requests, notifications, responses and errors as they travel one per line.
//! Upstream omits `"jsonrpc":"2.0"` on output and tolerates it (or its absence) on input.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

/// A request id: a JSON string or a 64-bit integer, echoed back with the same JSON type.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, TS,
)]
#[serde(untagged)]
pub enum RequestId {
    String(String),
    #[ts(type = "number")]
    Integer(i64),
}

impl std::fmt::Display for RequestId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestId::String(s) => write!(f, "{s:?}"),
            RequestId::Integer(i) => write!(f, "{i}"),
        }
    }
}

/// `{"id", "method", "params"?}`: a request expecting exactly one response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct JSONRPCRequest {
    pub id: RequestId,
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub params: Option<serde_json::Value>,
}

/// `{"method", "params"?}`: a one-way message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct JSONRPCNotification {
    pub method: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub params: Option<serde_json::Value>,
}

/// `{"id", "result"}`: the success answer to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct JSONRPCResponse {
    pub id: RequestId,
    pub result: serde_json::Value,
}

/// `{"id", "error"}`: the failure answer to a request. `id` is null when the request could not be read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct JSONRPCError {
    pub id: Option<RequestId>,
    pub error: JSONRPCErrorError,
}

/// The body of an error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
pub struct JSONRPCErrorError {
    #[ts(type = "number")]
    pub code: i64,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub data: Option<serde_json::Value>,
}

/// Any message on the wire. The shapes are told apart structurally, never by a tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(untagged)]
pub enum JSONRPCMessage {
    Request(JSONRPCRequest),
    Notification(JSONRPCNotification),
    Response(JSONRPCResponse),
    Error(JSONRPCError),
}

/// Standard and Codex-specific JSON-RPC error codes.
pub mod error_code {
    pub const PARSE_ERROR: i64 = -32700;
    pub const INVALID_REQUEST: i64 = -32600;
    pub const METHOD_NOT_FOUND: i64 = -32601;
    pub const INVALID_PARAMS: i64 = -32602;
    pub const INTERNAL_ERROR: i64 = -32603;
    pub const OVERLOADED: i64 = -32001;
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;
    use serde_json::json;

    use super::*;

    #[test]
    fn the_four_shapes_are_told_apart_structurally() {
        let lines = [
            json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}),
            json!({"jsonrpc": "2.0", "method": "initialized"}),
            json!({"id": "a", "result": {}}),
            json!({"error": {"code": -32600, "message": "codex account authentication required to read rate limits"}, "id": 5}),
            json!({"id": null, "error": {"code": -32700, "message": "Parse error", "data": {"line": 1}}}),
        ];
        let decoded: Vec<JSONRPCMessage> = lines
            .into_iter()
            .map(|line| serde_json::from_value(line).expect("decodes"))
            .collect();
        assert_eq!(
            decoded,
            vec![
                JSONRPCMessage::Request(JSONRPCRequest {
                    id: RequestId::Integer(1),
                    method: "initialize".to_string(),
                    params: Some(json!({})),
                }),
                JSONRPCMessage::Notification(JSONRPCNotification {
                    method: "initialized".to_string(),
                    params: None,
                }),
                JSONRPCMessage::Response(JSONRPCResponse {
                    id: RequestId::String("a".to_string()),
                    result: json!({}),
                }),
                JSONRPCMessage::Error(JSONRPCError {
                    id: Some(RequestId::Integer(5)),
                    error: JSONRPCErrorError {
                        code: error_code::INVALID_REQUEST,
                        message: "codex account authentication required to read rate limits"
                            .to_string(),
                        data: None,
                    },
                }),
                JSONRPCMessage::Error(JSONRPCError {
                    id: None,
                    error: JSONRPCErrorError {
                        code: error_code::PARSE_ERROR,
                        message: "Parse error".to_string(),
                        data: Some(json!({"line": 1})),
                    },
                }),
            ]
        );
        // Output never carries `jsonrpc`, and omits absent `params`/`data`.
        assert_eq!(
            serde_json::to_value(&decoded[1]).expect("encodes"),
            json!({"method": "initialized"})
        );
        assert_eq!(
            serde_json::to_value(&decoded[4]).expect("encodes"),
            json!({"id": null, "error": {"code": -32700, "message": "Parse error", "data": {"line": 1}}})
        );
    }
}

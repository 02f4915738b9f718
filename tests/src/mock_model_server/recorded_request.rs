//! What the mock server remembers about each request it received: HTTP requests, websocket handshakes
//! and the client's websocket text frames.

use std::collections::BTreeMap;

use serde_json::Value;

/// The `method` of a record made for a websocket text frame (it has no HTTP method of its own).
pub const WEBSOCKET_FRAME_METHOD: &str = "WS";

/// How a request reached the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http,
    /// A websocket handshake (method `GET`, no body) or a text frame (method [`WEBSOCKET_FRAME_METHOD`])
    /// on the `connection`-th websocket this server accepted, counting from 0.
    WebSocket {
        connection: usize,
    },
}

/// One recorded request. For websocket frames `headers` repeats the connection's handshake headers.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    pub method: String,
    pub path: String,
    /// The query string, without the `?` (empty when there is none).
    pub query: String,
    /// Header names lowercased; repeated headers are joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body parsed as JSON, `None` when empty or not JSON.
    pub body_json: Option<Value>,
    pub transport: Transport,
}

impl RecordedRequest {
    /// The body's `tools`, each function or custom tool reduced to its type and name (hosted tools such
    /// as `web_search` stay whole), for comparisons that should not repeat tool descriptions.
    pub fn tool_summary(&self) -> Value {
        let tools = self
            .body_json
            .as_ref()
            .and_then(|body| body.get("tools"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Value::Array(
            tools
                .into_iter()
                .map(|tool| match tool.get("name") {
                    Some(name) => serde_json::json!({"type": tool["type"], "name": name}),
                    None => tool,
                })
                .collect(),
        )
    }

    /// The value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Whether this is the handshake of a websocket rather than a request sent over it.
    pub fn is_websocket_handshake(&self) -> bool {
        matches!(self.transport, Transport::WebSocket { .. }) && self.method == "GET"
    }

    /// Whether this asked for a model response: an HTTP `POST .../responses` or a websocket
    /// `response.create` / `response.append` frame.
    pub fn is_responses_request(&self) -> bool {
        match self.transport {
            Transport::Http => self.method == "POST" && self.path.ends_with("/responses"),
            Transport::WebSocket { .. } => {
                let frame_type = self
                    .body_json
                    .as_ref()
                    .and_then(|body| body.get("type"))
                    .and_then(Value::as_str);
                self.method == WEBSOCKET_FRAME_METHOD
                    && matches!(frame_type, Some("response.create" | "response.append"))
            }
        }
    }
}

/// One text frame a websocket client sent.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedFrame {
    pub connection: usize,
    pub text: String,
    /// `text` parsed as JSON, `None` if it is not JSON.
    pub json: Option<Value>,
}

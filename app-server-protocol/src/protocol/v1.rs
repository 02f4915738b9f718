//! The handshake types kept from v1: `initialize` params and response.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;

/// Params of `initialize`, the first request on every connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v1/", optional_fields = nullable)]
pub struct InitializeParams {
    pub client_info: ClientInfo,
    /// Absent means every capability is off.
    pub capabilities: Option<InitializeCapabilities>,
}

impl ExperimentalApi for InitializeParams {}

/// Who is connecting; `name` becomes the originator in the user agent and must be a valid header value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v1/", optional_fields = nullable)]
pub struct ClientInfo {
    pub name: String,
    pub title: Option<String>,
    pub version: String,
}

/// Per-connection capabilities, fixed for the connection's lifetime.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v1/", optional_fields = nullable)]
pub struct InitializeCapabilities {
    /// Opts in to methods, fields and variants marked experimental.
    #[serde(default)]
    pub experimental_api: bool,
    /// Exact notification method names this connection does not want to receive.
    pub opt_out_notification_methods: Option<Vec<String>>,
}

/// Result of `initialize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v1/")]
pub struct InitializeResponse {
    pub user_agent: String,
    /// Absolute path of the server's `CODEX_HOME`.
    pub codex_home: String,
    /// `"unix"` or `"windows"`.
    pub platform_family: String,
    /// `"linux"`, `"macos"`, `"windows"`, ...
    pub platform_os: String,
}

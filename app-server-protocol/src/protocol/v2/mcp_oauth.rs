//! Signing in to an MCP server with OAuth: `mcpServer/oauth/login` returns the URL the user opens, and
//! `mcpServer/oauthLogin/completed` reports how the login ended.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;

/// Params of `mcpServer/oauth/login`: sign in to the configured server `name`. 0.105 knows `name`,
/// `scopes` and `timeoutSecs`; the rest are 0.171's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct McpServerOauthLoginParams {
    pub name: String,
    /// Scopes to request; the server's configured scopes when null.
    #[serde(default)]
    pub scopes: Option<Vec<String>>,
    /// Seconds to wait for the browser callback.
    #[serde(default)]
    #[ts(optional, type = "number | null")]
    pub timeout_secs: Option<i64>,
    #[serde(default)]
    pub thread_id: Option<String>,
    /// Exact registration scope; omitted, the server is chosen by name.
    #[serde(default)]
    pub environment_id: Option<String>,
    /// Registration strategy for this login only; automatic discovery when omitted.
    #[serde(default)]
    pub client_registration: Option<McpServerOauthClientRegistration>,
}

impl ExperimentalApi for McpServerOauthLoginParams {}

/// How the OAuth client registers with the authorization server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum McpServerOauthClientRegistration {
    Auto,
    // A client ID metadata document.
    Cimd,
    // Dynamic client registration.
    Dcr,
}

/// Result of `mcpServer/oauth/login`: the URL to open in a browser. `loginId` (0.171) names the attempt
/// in `mcpServer/oauthLogin/completed`; omitted when absent, as 0.105 never sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpServerOauthLoginResponse {
    pub authorization_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
}

/// `mcpServer/oauthLogin/completed`: a login of server `name` ended. `error` is null on success;
/// `loginId` and `threadId` (0.171) are omitted when absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct McpServerOauthLoginCompletedNotification {
    pub name: String,
    pub success: bool,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
}

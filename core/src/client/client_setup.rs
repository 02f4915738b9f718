//! `ClientSetup`: where a request goes and with which auth and headers, the one starting point of every
//! transport.

use reqwest::header::HeaderMap;

use crate::auth::CodexAuth;

/// The resolved target of a request for the current auth: base URL, auth and provider headers, query.
/// Every transport (HTTP, WebSocket, preconnect, usage) starts from this, so they cannot diverge.
#[derive(Clone)]
pub struct ClientSetup {
    pub base_url: String,
    pub auth: Option<CodexAuth>,
    /// `authorization`, `chatgpt-account-id` and the provider's static and env headers.
    pub headers: HeaderMap,
    pub query_params: Vec<(String, String)>,
}

impl std::fmt::Debug for ClientSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientSetup")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .finish_non_exhaustive()
    }
}

impl ClientSetup {
    /// `{base_url}/{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base_url, path.trim_start_matches('/'))
    }
}

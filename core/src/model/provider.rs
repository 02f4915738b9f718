//! A model provider as configured under `[model_providers.<id>]` (upstream key names): where requests go,
//! which wire API it speaks, whether it takes WebSockets, and its retry and timeout knobs.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde::Serialize;

const DEFAULT_REQUEST_MAX_RETRIES: u64 = 4;
const DEFAULT_STREAM_MAX_RETRIES: u64 = 5;
const DEFAULT_STREAM_IDLE_TIMEOUT_MS: u64 = 300_000;
/// Upstream's default: a handshake (TCP, TLS and upgrade) that takes longer falls back to HTTP.
const DEFAULT_WEBSOCKET_CONNECT_TIMEOUT_MS: u64 = 15_000;
/// Hard caps so a config typo cannot make a turn retry forever.
const MAX_REQUEST_MAX_RETRIES: u64 = 100;
const MAX_STREAM_MAX_RETRIES: u64 = 100;

pub const OPENAI_PROVIDER_ID: &str = "openai";
/// The built-in provider's display name, which upstream (and we) read as "this is OpenAI".
const OPENAI_PROVIDER_NAME: &str = "OpenAI";
/// Replaces the built-in `openai` provider's base URL.
pub const OPENAI_BASE_URL_ENV_VAR: &str = "OPENAI_BASE_URL";
pub const OPENAI_API_BASE_URL: &str = "https://api.openai.com/v1";
pub const CHATGPT_CODEX_BASE_URL: &str = "https://chatgpt.com/backend-api/codex";

/// Which API a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WireApi {
    #[default]
    Responses,
    Chat,
}

/// One provider entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelProviderInfo {
    /// Display name.
    pub name: String,
    /// Base URL, e.g. `https://api.openai.com/v1`. `None` for the built-in OpenAI provider, whose URL
    /// depends on the kind of auth (API key or ChatGPT).
    #[serde(default)]
    pub base_url: Option<String>,
    /// Environment variable holding the API key.
    #[serde(default)]
    pub env_key: Option<String>,
    #[serde(default)]
    pub env_key_instructions: Option<String>,
    #[serde(default)]
    pub experimental_bearer_token: Option<String>,
    #[serde(default)]
    pub wire_api: WireApi,
    #[serde(default)]
    pub query_params: Option<BTreeMap<String, String>>,
    /// Static extra headers.
    #[serde(default)]
    pub http_headers: Option<BTreeMap<String, String>>,
    /// Extra headers whose values come from environment variables.
    #[serde(default)]
    pub env_http_headers: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub request_max_retries: Option<u64>,
    #[serde(default)]
    pub stream_max_retries: Option<u64>,
    #[serde(default, deserialize_with = "crate::timeout_ms::deserialize")]
    pub stream_idle_timeout_ms: Option<u64>,
    /// How long a websocket handshake may take before the thread falls back to HTTP.
    #[serde(default, deserialize_with = "crate::timeout_ms::deserialize")]
    pub websocket_connect_timeout_ms: Option<u64>,
    /// Whether this provider needs an OpenAI account (API key or ChatGPT sign-in).
    #[serde(default)]
    pub requires_openai_auth: bool,
    #[serde(default)]
    pub supports_websockets: bool,
}

impl ModelProviderInfo {
    /// The built-in `openai` provider. `OPENAI_BASE_URL`, when set, replaces its base URL (whatever the
    /// auth), as upstream.
    pub fn openai() -> Self {
        Self::openai_at(std::env::var(OPENAI_BASE_URL_ENV_VAR).ok())
    }

    /// The built-in provider under `OPENAI_BASE_URL` = `base_url_var` (blank counts as unset).
    fn openai_at(base_url_var: Option<String>) -> Self {
        ModelProviderInfo {
            name: OPENAI_PROVIDER_NAME.to_string(),
            base_url: base_url_var.filter(|url| !url.trim().is_empty()),
            env_key: None,
            env_key_instructions: None,
            experimental_bearer_token: None,
            wire_api: WireApi::Responses,
            query_params: None,
            http_headers: None,
            env_http_headers: None,
            request_max_retries: None,
            stream_max_retries: None,
            stream_idle_timeout_ms: None,
            websocket_connect_timeout_ms: None,
            requires_openai_auth: true,
            supports_websockets: true,
        }
    }

    pub fn request_max_retries(&self) -> u64 {
        self.request_max_retries
            .unwrap_or(DEFAULT_REQUEST_MAX_RETRIES)
            .min(MAX_REQUEST_MAX_RETRIES)
    }

    pub fn stream_max_retries(&self) -> u64 {
        self.stream_max_retries
            .unwrap_or(DEFAULT_STREAM_MAX_RETRIES)
            .min(MAX_STREAM_MAX_RETRIES)
    }

    pub fn stream_idle_timeout(&self) -> Duration {
        Duration::from_millis(
            self.stream_idle_timeout_ms
                .unwrap_or(DEFAULT_STREAM_IDLE_TIMEOUT_MS),
        )
    }

    pub fn websocket_connect_timeout(&self) -> Duration {
        Duration::from_millis(
            self.websocket_connect_timeout_ms
                .unwrap_or(DEFAULT_WEBSOCKET_CONNECT_TIMEOUT_MS),
        )
    }

    /// Whether the provider serves `POST {base_url}/responses/compact`, which compacts a history on the
    /// server: the built-in OpenAI provider (API key or ChatGPT sign-in) and Azure's Responses API, as
    /// upstream decides. Every other provider compacts by asking the model for a summary.
    pub fn supports_remote_compaction(&self) -> bool {
        const AZURE_URL_MARKERS: [&str; 3] = [
            ".openai.azure.com",
            ".cognitiveservices.azure.com",
            ".azure-api.net",
        ];
        let is_azure = self.name.eq_ignore_ascii_case("azure")
            || self.base_url.as_deref().is_some_and(|url| {
                let url = url.to_ascii_lowercase();
                AZURE_URL_MARKERS.iter().any(|marker| url.contains(marker))
            });
        self.name == OPENAI_PROVIDER_NAME || is_azure
    }

    /// The base URL requests go to, given whether the current auth is a ChatGPT sign-in.
    pub fn effective_base_url(&self, chatgpt_auth: bool) -> String {
        match &self.base_url {
            Some(url) => url.trim_end_matches('/').to_string(),
            None if chatgpt_auth => CHATGPT_CODEX_BASE_URL.to_string(),
            None => OPENAI_API_BASE_URL.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn openai_and_azure_compact_remotely_and_other_providers_do_not() {
        let custom = |name: &str, url: &str| ModelProviderInfo {
            name: name.to_string(),
            base_url: Some(url.to_string()),
            ..ModelProviderInfo::openai_at(None)
        };
        assert!(ModelProviderInfo::openai_at(None).supports_remote_compaction());
        assert!(
            ModelProviderInfo::openai_at(Some("http://127.0.0.1:1/v1".to_string()))
                .supports_remote_compaction()
        );
        assert!(custom("Azure", "https://example.com/v1").supports_remote_compaction());
        assert!(
            custom("corp", "https://corp.openai.azure.com/openai/v1").supports_remote_compaction()
        );
        assert!(!custom("mock", "http://127.0.0.1:1/v1").supports_remote_compaction());
        assert!(!custom("Ollama", "http://localhost:11434/v1").supports_remote_compaction());
    }

    #[test]
    fn openai_base_url_replaces_the_builtin_urls() {
        let provider = ModelProviderInfo::openai_at(Some("http://127.0.0.1:8080/v1/".to_string()));
        assert_eq!(
            (
                provider.effective_base_url(false),
                provider.effective_base_url(true)
            ),
            (
                "http://127.0.0.1:8080/v1".to_string(),
                "http://127.0.0.1:8080/v1".to_string()
            )
        );
        for unset in [None, Some(" ".to_string())] {
            let provider = ModelProviderInfo::openai_at(unset);
            assert_eq!(
                (
                    provider.effective_base_url(false),
                    provider.effective_base_url(true)
                ),
                (
                    OPENAI_API_BASE_URL.to_string(),
                    CHATGPT_CODEX_BASE_URL.to_string()
                )
            );
        }
    }
}

//! The streamable HTTP transport of a server configured with `url`: its static and environment-supplied
//! headers, and its bearer token (from `bearer_token_env_var`, else a stored OAuth token). Tokens are never
//! logged or put in errors.

use std::collections::BTreeMap;

use reqwest::header::HeaderMap;
use reqwest::header::HeaderName;
use reqwest::header::HeaderValue;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

use crate::mcp::error::McpStartError;
use crate::mcp::server_config::McpTransportConfig;

/// The transport for an HTTP server; `oauth_token` is used when no bearer token variable is configured.
pub(crate) fn http_transport(
    transport: &McpTransportConfig,
    _shared: &reqwest::Client,
    oauth_token: Option<String>,
) -> Result<StreamableHttpClientTransport<reqwest::Client>, McpStartError> {
    let McpTransportConfig::StreamableHttp {
        url,
        bearer_token_env_var,
        http_headers,
        env_http_headers,
    } = transport
    else {
        return Err(McpStartError::Config("not an HTTP server".to_string()));
    };
    let headers = headers(http_headers, env_http_headers)?;
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .map_err(|err| McpStartError::Http(format!("building the HTTP client failed: {err}")))?;
    let token = match bearer_token_env_var {
        Some(var) => Some(env_value(var, "bearer_token_env_var")?),
        None => oauth_token,
    };
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str());
    if let Some(token) = token {
        config = config.auth_header(token);
    }
    Ok(StreamableHttpClientTransport::with_client(client, config))
}

fn headers(
    static_headers: &BTreeMap<String, String>,
    env_headers: &BTreeMap<String, String>,
) -> Result<HeaderMap, McpStartError> {
    let mut map = HeaderMap::new();
    let from_env = env_headers
        .iter()
        .filter_map(|(name, var)| std::env::var(var).ok().map(|value| (name.clone(), value)));
    for (name, value) in static_headers
        .iter()
        .map(|(n, v)| (n.clone(), v.clone()))
        .chain(from_env)
    {
        let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            McpStartError::Config(format!("`{name}` is not a valid HTTP header name"))
        })?;
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            McpStartError::Config(format!("the value of HTTP header `{name}` is not valid"))
        })?;
        value.set_sensitive(true);
        map.insert(header, value);
    }
    Ok(map)
}

fn env_value(var: &str, key: &str) -> Result<String, McpStartError> {
    std::env::var(var)
        .ok()
        .filter(|value| !value.is_empty())
        .ok_or_else(|| {
            McpStartError::Config(format!(
                "the environment variable `{var}` named by `{key}` is not set"
            ))
        })
}

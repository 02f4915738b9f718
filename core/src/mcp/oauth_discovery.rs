//! Finding an MCP server's OAuth authorization server, as upstream 0.171 looks for it: the protected-resource
//! metadata (RFC 9728) the server names in its 401 challenge or serves at its well-known URLs, then the
//! authorization server's own metadata (RFC 8414, read by rmcp); servers without protected-resource metadata
//! are asked directly, as MCP's older arrangement had it.

use std::time::Duration;

use axum::http::StatusCode;
use reqwest::Url;
use reqwest::header::WWW_AUTHENTICATE;
use rmcp::transport::auth::AuthorizationManager;
use rmcp::transport::auth::AuthorizationMetadata;
use serde::Deserialize;

/// The limit of each discovery request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// What a server without OAuth metadata gets.
pub(crate) const NO_OAUTH: &str = "the server does not support OAuth";

/// An authorization server found by discovery: rmcp's manager holding its metadata, and the issuer to store.
pub(crate) struct FoundAuthorizationServer {
    pub(crate) manager: AuthorizationManager,
    pub(crate) metadata: AuthorizationMetadata,
    pub(crate) issuer: String,
}

/// The server's authorization server: its protected-resource metadata (the `resource_metadata` of its 401's
/// `WWW-Authenticate`, else `/.well-known/oauth-protected-resource/<path>`, else the root one) names it, and
/// rmcp reads its metadata; a server without protected-resource metadata is asked directly through rmcp
/// (authorization-server metadata on its own origin, the older MCP arrangement).
pub(crate) async fn discover_authorization_server(
    url: &Url,
    http: &reqwest::Client,
) -> Result<FoundAuthorizationServer, String> {
    let mut candidates = Vec::new();
    if let Some(from_challenge) = resource_metadata_from_challenge(url, http).await? {
        candidates.push(from_challenge);
    }
    candidates.extend(protected_resource_urls(url));
    for candidate in candidates {
        let Some(servers) = fetch_protected_resource(&candidate, http).await else {
            continue;
        };
        for server in servers {
            let Ok(server_url) = candidate.join(&server) else {
                continue;
            };
            match authorization_server(server_url.as_str(), http).await {
                Ok(found) => return Ok(found),
                Err(reason) => tracing::debug!("authorization server {server_url}: {reason}"),
            }
        }
        return Err(NO_OAUTH.to_string());
    }
    authorization_server(url.as_str(), http)
        .await
        .map_err(|_| NO_OAUTH.to_string())
}

/// The authorization server at `base` (an issuer, or a server URL), its metadata found by rmcp's RFC 8414 /
/// OpenID discovery.
pub(crate) async fn authorization_server(
    base: &str,
    http: &reqwest::Client,
) -> Result<FoundAuthorizationServer, String> {
    let mut manager = AuthorizationManager::new(base)
        .await
        .map_err(|err| err.to_string())?;
    manager
        .with_client(http.clone())
        .map_err(|err| err.to_string())?;
    let metadata = manager.discover_metadata().await.map_err(|err| match err {
        rmcp::transport::auth::AuthError::NoAuthorizationSupport => NO_OAUTH.to_string(),
        other => other.to_string(),
    })?;
    manager.set_metadata(metadata.clone());
    let issuer = metadata.issuer.clone().unwrap_or_else(|| base.to_string());
    Ok(FoundAuthorizationServer {
        manager,
        metadata,
        issuer,
    })
}

/// The `resource_metadata` URL of the server's `WWW-Authenticate` challenge, when it answers 401 with one.
async fn resource_metadata_from_challenge(
    url: &Url,
    http: &reqwest::Client,
) -> Result<Option<Url>, String> {
    let response = http
        .get(url.clone())
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await
        .map_err(|err| format!("cannot reach the server: {}", err.without_url()))?;
    if response.status() != StatusCode::UNAUTHORIZED {
        return Ok(None);
    }
    Ok(response
        .headers()
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(resource_metadata_param)
        .and_then(|value| url.join(&value).ok()))
}

/// The value of a challenge's `resource_metadata` parameter.
pub(crate) fn resource_metadata_param(challenge: &str) -> Option<String> {
    const PARAM: &str = "resource_metadata=";
    let start = challenge.to_ascii_lowercase().find(PARAM)? + PARAM.len();
    let rest = challenge.get(start..)?.trim_start();
    let value = match rest.strip_prefix('"') {
        Some(quoted) => quoted.split('"').next()?,
        None => rest.split([',', ';', ' ']).next()?,
    };
    (!value.is_empty()).then(|| value.to_string())
}

/// RFC 9728's well-known URLs of the server's protected-resource metadata, the path-specific one first.
fn protected_resource_urls(url: &Url) -> Vec<Url> {
    let path = url.path().trim_matches('/');
    let mut paths = Vec::new();
    if !path.is_empty() {
        paths.push(format!("/.well-known/oauth-protected-resource/{path}"));
    }
    paths.push("/.well-known/oauth-protected-resource".to_string());
    paths
        .into_iter()
        .map(|path| {
            let mut candidate = url.clone();
            candidate.set_path(&path);
            candidate.set_query(None);
            candidate.set_fragment(None);
            candidate
        })
        .collect()
}

#[derive(Deserialize)]
struct ProtectedResourceMetadata {
    #[serde(default)]
    authorization_servers: Vec<String>,
    authorization_server: Option<String>,
}

/// The authorization servers named by the protected-resource metadata at `url`, if it serves any.
async fn fetch_protected_resource(url: &Url, http: &reqwest::Client) -> Option<Vec<String>> {
    let response = http
        .get(url.clone())
        .timeout(REQUEST_TIMEOUT)
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    let metadata: ProtectedResourceMetadata = response.json().await.ok()?;
    let mut servers = metadata.authorization_servers;
    servers.extend(metadata.authorization_server);
    (!servers.is_empty()).then_some(servers)
}

//! Command-line arguments that point a server at a [`MockModelServer`](crate::mock_model_server::MockModelServer):
//! a `mock` model provider on loopback that needs no credentials (or `mockauth`, which requires OpenAI auth).
//! Used by the suites, the demo and the bench, and accepted by upstream `codex app-server` too, so the same
//! run can measure both.

use crate::app_server::AppServer;
use crate::app_server::AppServerOptions;

/// The knobs of the mock provider; the defaults suit the end-to-end suites (few, fast retries).
#[derive(Debug, Clone)]
pub struct MockProviderOptions {
    pub request_max_retries: u64,
    pub stream_max_retries: u64,
    pub stream_idle_timeout_ms: u64,
    pub supports_websockets: bool,
    /// `websocket_connect_timeout_ms`; the provider's default (15 s) when `None`.
    pub websocket_connect_timeout_ms: Option<u64>,
}

impl Default for MockProviderOptions {
    fn default() -> Self {
        Self {
            request_max_retries: 1,
            stream_max_retries: 1,
            stream_idle_timeout_ms: 10_000,
            supports_websockets: false,
            websocket_connect_timeout_ms: None,
        }
    }
}

/// A server on the `mock` provider at `<server_uri>/v1` (default knobs) with `extra_args` after its flags,
/// and tool output in plain English whatever the machine's locale (`LC_ALL=C`).
pub fn mock_provider_options(server_uri: &str, extra_args: &[&str]) -> AppServerOptions {
    let mut args = mock_provider_args(server_uri, &MockProviderOptions::default());
    args.extend(extra_args.iter().map(|arg| arg.to_string()));
    AppServerOptions {
        args,
        env: vec![("LC_ALL".to_string(), "C".to_string())],
        ..AppServerOptions::default()
    }
}

/// `-c` flags selecting a provider named `mock` whose base URL is `<server_uri>/v1`.
pub fn mock_provider_args(server_uri: &str, options: &MockProviderOptions) -> Vec<String> {
    let MockProviderOptions {
        request_max_retries,
        stream_max_retries,
        stream_idle_timeout_ms,
        supports_websockets,
        websocket_connect_timeout_ms,
    } = options;
    let connect_timeout = websocket_connect_timeout_ms
        .map(|ms| format!(",websocket_connect_timeout_ms={ms}"))
        .unwrap_or_default();
    let provider = format!(
        "model_providers.mock={{name=\"mock\",base_url=\"{server_uri}/v1\",wire_api=\"responses\",\
         requires_openai_auth=false,request_max_retries={request_max_retries},\
         stream_max_retries={stream_max_retries},stream_idle_timeout_ms={stream_idle_timeout_ms},\
         supports_websockets={supports_websockets}{connect_timeout}}}"
    );
    vec![
        "-c".to_string(),
        "model_provider=\"mock\"".to_string(),
        "-c".to_string(),
        provider,
        "-c".to_string(),
        "model=\"gpt-5.2-codex\"".to_string(),
    ]
}

/// `-c` flags selecting a provider named `mockauth` at `<server_uri>/v1` that requires OpenAI auth (so
/// requests carry the signed-in account's credentials) and never retries, so a 401 is seen exactly once.
pub fn mock_openai_auth_provider_args(server_uri: &str) -> Vec<String> {
    let provider = format!(
        "model_providers.mockauth={{name=\"mockauth\",base_url=\"{server_uri}/v1\",wire_api=\"responses\",\
         requires_openai_auth=true,request_max_retries=0,stream_max_retries=0}}"
    );
    vec![
        "-c".to_string(),
        "model_provider=\"mockauth\"".to_string(),
        "-c".to_string(),
        provider,
        "-c".to_string(),
        "model=\"gpt-5.2-codex\"".to_string(),
    ]
}

/// Upstream `codex app-server` of `version` (installed from npm) on `codex_home`, on the mock provider at
/// `model_uri`, handshaken: for interop tests that read what our daemon left there.
pub async fn spawn_upstream_in(
    version: &str,
    codex_home: tempfile::TempDir,
    model_uri: &str,
) -> anyhow::Result<AppServer> {
    let upstream = crate::upstream::upstream_codex(version)?;
    let options = AppServerOptions {
        args: mock_provider_args(model_uri, &MockProviderOptions::default()),
        env_remove: vec!["OPENAI_API_KEY".to_string(), "CODEX_API_KEY".to_string()],
        ..AppServerOptions::default()
    };
    let mut server =
        AppServer::spawn_program_in(&upstream, &["app-server"], codex_home, options).await?;
    server.initialize().await?;
    Ok(server)
}

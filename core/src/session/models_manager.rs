//! The live model catalog shared by every thread and `model/list`: it starts from config's catalog
//! (built-in plus `model_catalog_json`) and is refreshed from the provider's `GET {base}/models` list whenever a
//! model response carries an `x-models-etag` other than the one the catalog was fetched under; the provider's
//! entries win and local models it does not list stay after them.
//!
//! As upstream, the OpenAI provider's list is fetched only when signed in with ChatGPT (the API's `/models`
//! is another list); another provider's is tried and never again once it answers 404. A failed fetch is
//! retried for the same etag only after a back-off that doubles with every failure.

use std::sync::Mutex;
use std::sync::RwLock;
use std::time::Duration;
use std::time::Instant;

use serde::Deserialize;
use serde_json::Value;

use crate::auth::CodexAuth;
use crate::client::ModelClient;
use crate::client::identity::ClientIdentity;
use crate::client::identity::UPSTREAM_PROTOCOL_VERSION;
use crate::model::info::ModelInfo;
use crate::transport_error::describe_http_error;

/// A refresh runs beside turns; a provider that hangs must not keep the single-flight lock forever.
const MODELS_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The wait before a failed fetch is tried again for the same etag; doubled per failure, at most
/// `MAX_RETRY_BACKOFF`.
const FIRST_RETRY_BACKOFF: Duration = Duration::from_secs(30);
const MAX_RETRY_BACKOFF: Duration = Duration::from_secs(30 * 60);

/// Why a catalog refresh failed (the old catalog stays).
#[derive(Debug, thiserror::Error)]
pub enum ModelsRefreshError {
    #[error("cannot resolve the provider for GET models: {0}")]
    Setup(String),
    #[error("GET models failed: {0}")]
    Transport(String),
    #[error("GET models answered {0}")]
    Status(reqwest::StatusCode),
    #[error("the models response is not a model list: {0}")]
    Body(String),
    #[error("the models response lists no usable model")]
    Empty,
}

/// The body of `GET /models`. Entries are kept as JSON so one model in a shape this build does not know
/// costs that model only, not the whole refresh.
#[derive(Deserialize)]
struct ModelsResponse {
    models: Vec<Value>,
}

/// The current catalog and the etag it was fetched under.
pub struct ModelsManager {
    catalog: RwLock<Vec<ModelInfo>>,
    /// The startup catalog (built-in plus config's): models the provider's list lacks stay available.
    local: Vec<ModelInfo>,
    /// `None` until a fetch succeeded: the startup catalog is not tied to any etag.
    etag: Mutex<Option<String>>,
    /// Held for the whole of a fetch so concurrent triggers for the same etag fetch once.
    refresh_lock: tokio::sync::Mutex<()>,
    /// Failed fetches and providers without a models list, so neither is asked on every response.
    attempts: Mutex<RefreshAttempts>,
    identity: Mutex<ClientIdentity>,
    http: reqwest::Client,
}

impl ModelsManager {
    pub fn new(catalog: Vec<ModelInfo>, http: reqwest::Client) -> Self {
        ModelsManager {
            local: catalog.clone(),
            catalog: RwLock::new(catalog),
            etag: Mutex::new(None),
            refresh_lock: tokio::sync::Mutex::new(()),
            attempts: Mutex::new(RefreshAttempts::default()),
            identity: Mutex::new(ClientIdentity::default()),
            http,
        }
    }

    /// Who the host is (`originator`, `User-Agent` of the fetch), from `initialize`.
    pub fn set_client_identity(&self, identity: ClientIdentity) {
        *self.identity.lock().unwrap_or_else(|e| e.into_inner()) = identity;
    }

    /// Every model, in the provider's order.
    pub fn catalog(&self) -> Vec<ModelInfo> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The catalog entry of `slug`, if the catalog lists it.
    pub fn find(&self, slug: &str) -> Option<ModelInfo> {
        self.catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .find(|model| model.slug == slug)
            .cloned()
    }

    /// The etag of the last successful fetch.
    pub fn etag(&self) -> Option<String> {
        self.etag.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Refetches the catalog through `client`'s provider and auth when `etag` differs from the one the
    /// catalog was fetched under. Failures are logged and leave the catalog (and etag) as they were, so a
    /// later response retries.
    pub async fn refresh_if_etag_changed(&self, etag: &str, client: &ModelClient) {
        if self.etag().as_deref() == Some(etag) || !serves_models_list(client) {
            return;
        }
        let _refreshing = self.refresh_lock.lock().await;
        // Another trigger may have fetched this etag while we waited for the lock.
        if self.etag().as_deref() == Some(etag) || !self.lock_attempts().may_try(etag) {
            return;
        }
        let fetched = self.fetch(client).await;
        self.lock_attempts().record(etag, &fetched);
        match fetched {
            Ok(mut models) => {
                tracing::info!(
                    "model catalog refreshed for etag {etag}: {} models",
                    models.len()
                );
                // The provider's entries win; local ones it does not list (config additions) stay after them.
                let fetched: std::collections::HashSet<String> =
                    models.iter().map(|model| model.slug.clone()).collect();
                models.extend(
                    self.local
                        .iter()
                        .filter(|model| !fetched.contains(&model.slug))
                        .cloned(),
                );
                *self.catalog.write().unwrap_or_else(|e| e.into_inner()) = models;
                *self.etag.lock().unwrap_or_else(|e| e.into_inner()) = Some(etag.to_string());
            }
            Err(error) => tracing::warn!("model catalog refresh for etag {etag} failed: {error}"),
        }
    }

    fn lock_attempts(&self) -> std::sync::MutexGuard<'_, RefreshAttempts> {
        self.attempts.lock().unwrap_or_else(|e| e.into_inner())
    }

    async fn fetch(&self, client: &ModelClient) -> Result<Vec<ModelInfo>, ModelsRefreshError> {
        let setup = client
            .current_client_setup()
            .map_err(|error| ModelsRefreshError::Setup(error.to_string()))?;
        let identity = self
            .identity
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let mut query = setup.query_params.clone();
        // The backend hides models whose minimum client version is above this: send the upstream version
        // whose protocol this daemon speaks, not this crate's own version.
        query.push((
            "client_version".to_string(),
            UPSTREAM_PROTOCOL_VERSION.to_string(),
        ));
        let url = setup.url("models");
        tracing::debug!(url = %url, "GET models");
        let response = self
            .http
            .get(url)
            .query(&query)
            .headers(setup.headers.clone())
            .header("originator", identity.originator)
            .header(reqwest::header::USER_AGENT, identity.user_agent)
            .timeout(MODELS_FETCH_TIMEOUT)
            .send()
            .await
            .map_err(|error| ModelsRefreshError::Transport(describe_http_error(error)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ModelsRefreshError::Status(status));
        }
        let body: ModelsResponse = response
            .json()
            .await
            .map_err(|error| ModelsRefreshError::Body(describe_http_error(error)))?;
        let models: Vec<ModelInfo> = body
            .models
            .into_iter()
            .filter_map(|entry| match ModelInfo::from_catalog_entry(entry) {
                Ok(model) => Some(model),
                Err(error) => {
                    tracing::warn!("skipping a model of the models response: {error}");
                    None
                }
            })
            .collect();
        if models.is_empty() {
            return Err(ModelsRefreshError::Empty);
        }
        Ok(models)
    }
}

/// Whether `client`'s provider has a models list this daemon can read: the OpenAI provider's only under
/// ChatGPT sign-in (as upstream; its API `/models` is another list), any other provider's until it says
/// it has none.
fn serves_models_list(client: &ModelClient) -> bool {
    if !client.provider().requires_openai_auth {
        return true;
    }
    client
        .current_client_setup()
        .is_ok_and(|setup| setup.auth.as_ref().is_some_and(CodexAuth::is_chatgpt))
}

/// What earlier fetches taught: the last failure and when its etag may be tried again, and whether the
/// provider has no models list at all (it answered 404).
#[derive(Debug, Default)]
struct RefreshAttempts {
    failed: Option<FailedRefresh>,
    no_models_list: bool,
}

#[derive(Debug)]
struct FailedRefresh {
    etag: String,
    failures: u32,
    retry_at: Instant,
}

impl RefreshAttempts {
    fn may_try(&self, etag: &str) -> bool {
        if self.no_models_list {
            return false;
        }
        match &self.failed {
            Some(failed) if failed.etag == etag => Instant::now() >= failed.retry_at,
            Some(_) | None => true,
        }
    }

    fn record(&mut self, etag: &str, fetched: &Result<Vec<ModelInfo>, ModelsRefreshError>) {
        let error = match fetched {
            Ok(_) => {
                self.failed = None;
                return;
            }
            Err(error) => error,
        };
        if matches!(error, ModelsRefreshError::Status(status) if *status == reqwest::StatusCode::NOT_FOUND)
        {
            tracing::info!("the provider has no models list; the catalog stays as configured");
            self.no_models_list = true;
            return;
        }
        let failures = match &self.failed {
            Some(failed) if failed.etag == etag => failed.failures.saturating_add(1),
            Some(_) | None => 1,
        };
        let backoff = FIRST_RETRY_BACKOFF
            .saturating_mul(2_u32.saturating_pow(failures - 1))
            .min(MAX_RETRY_BACKOFF);
        self.failed = Some(FailedRefresh {
            etag: etag.to_string(),
            failures,
            retry_at: Instant::now() + backoff,
        });
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use pretty_assertions::assert_eq;
    use serde_json::json;
    use wiremock::Mock;
    use wiremock::MockServer;
    use wiremock::ResponseTemplate;
    use wiremock::matchers::header;
    use wiremock::matchers::method;
    use wiremock::matchers::path;
    use wiremock::matchers::query_param;

    use super::*;
    use crate::client::ModelClientParams;
    use crate::model::catalog;
    use crate::model::info::ApplyPatchToolType;
    use crate::model::info::ReasoningEffort;
    use crate::model::info::ReasoningEffortPreset;
    use crate::model::info::ShellToolType;
    use crate::model::provider::ModelProviderInfo;

    fn client(server: &MockServer) -> ModelClient {
        ModelClient::new(ModelClientParams {
            conversation_id: "conv-1".to_string(),
            provider: ModelProviderInfo {
                base_url: Some(format!("{}/v1", server.uri())),
                http_headers: Some([("x-provider".to_string(), "p1".to_string())].into()),
                experimental_bearer_token: Some("sk-models".to_string()),
                requires_openai_auth: false,
                ..ModelProviderInfo::openai()
            },
            auth_manager: None,
            originator: "codex_vscode".to_string(),
            user_agent: "codex_vscode/1.0".to_string(),
            session_source_header: None,
            model_verbosity: None,
            beta_features_header: None,
            http: None,
            enable_responses_websockets: false,
            websocket_protocol: crate::client::WebSocketProtocol::V1,
        })
    }

    fn manager() -> ModelsManager {
        let manager = ModelsManager::new(catalog::builtin_models(), reqwest::Client::new());
        manager.set_client_identity(ClientIdentity {
            originator: "codex_vscode".to_string(),
            user_agent: "codex_vscode/1.0".to_string(),
        });
        manager
    }

    /// A served model with fields this build does not know, as upstream sends them.
    fn served_model() -> serde_json::Value {
        json!({
            "slug": "gpt-test-new",
            "display_name": "GPT Test New",
            "description": "Fetched.",
            "context_window": 400000,
            "visibility": "list",
            "priority": 1,
        })
    }

    fn slugs(manager: &ModelsManager) -> Vec<String> {
        manager
            .catalog()
            .into_iter()
            .map(|model| model.slug)
            .collect()
    }

    async fn models_requests(server: &MockServer) -> usize {
        server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|request| request.url.path() == "/v1/models")
            .count()
    }

    #[tokio::test]
    async fn a_new_etag_fetches_once_and_puts_the_provider_list_before_local_models() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/models"))
            .and(query_param("client_version", UPSTREAM_PROTOCOL_VERSION))
            .and(header("originator", "codex_vscode"))
            .and(header("user-agent", "codex_vscode/1.0"))
            .and(header("x-provider", "p1"))
            .and(header("authorization", "Bearer sk-models"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"models": [served_model()]})),
            )
            .mount(&server)
            .await;
        let manager = Arc::new(manager());
        let client = client(&server);

        let triggers: Vec<_> = (0..4)
            .map(|_| {
                let manager = Arc::clone(&manager);
                let client = client.clone();
                tokio::spawn(async move { manager.refresh_if_etag_changed("v2", &client).await })
            })
            .collect();
        for trigger in triggers {
            trigger.await.expect("trigger task");
        }

        assert_eq!(
            (
                slugs(&manager),
                manager.etag(),
                manager
                    .find("gpt-test-new")
                    .and_then(|model| model.context_window),
                models_requests(&server).await,
            ),
            (
                std::iter::once("gpt-test-new".to_string())
                    .chain(
                        catalog::builtin_models()
                            .into_iter()
                            .map(|model| model.slug)
                    )
                    .collect::<Vec<_>>(),
                Some("v2".to_string()),
                Some(400_000),
                1,
            )
        );
    }

    #[tokio::test]
    async fn an_unchanged_etag_does_not_fetch() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/models"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"models": [served_model()]})),
            )
            .mount(&server)
            .await;
        let manager = manager();
        let client = client(&server);
        manager.refresh_if_etag_changed("v2", &client).await;
        manager.refresh_if_etag_changed("v2", &client).await;
        assert_eq!(models_requests(&server).await, 1);
    }

    #[tokio::test]
    async fn a_failed_fetch_keeps_the_old_catalog_and_waits_before_trying_that_etag_again() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/models"))
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        let manager = manager();
        let client = client(&server);
        manager.refresh_if_etag_changed("v2", &client).await;
        manager.refresh_if_etag_changed("v2", &client).await;
        manager.refresh_if_etag_changed("v2", &client).await;
        let builtin: Vec<String> = catalog::builtin_models()
            .into_iter()
            .map(|model| model.slug)
            .collect();
        assert_eq!(
            (
                slugs(&manager),
                manager.etag(),
                models_requests(&server).await
            ),
            (builtin, None, 1)
        );
        // A new etag is a new list: it is tried at once.
        manager.refresh_if_etag_changed("v3", &client).await;
        assert_eq!(models_requests(&server).await, 2);
    }

    #[tokio::test]
    async fn a_provider_without_a_models_list_is_not_asked_again() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/models"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let manager = manager();
        let client = client(&server);
        for etag in ["v2", "v3", "v4"] {
            manager.refresh_if_etag_changed(etag, &client).await;
        }
        assert_eq!(models_requests(&server).await, 1);
    }

    #[test]
    fn the_back_off_doubles_per_failure_up_to_its_cap() {
        let mut attempts = RefreshAttempts::default();
        let failed = Err(ModelsRefreshError::Empty);
        let mut waits = Vec::new();
        for _ in 0..8 {
            let before = Instant::now();
            attempts.record("v2", &failed);
            let retry_at = attempts.failed.as_ref().map(|failed| failed.retry_at);
            waits.push(retry_at.map(|at| (at - before).as_secs() / 60));
        }
        assert_eq!(
            waits,
            [0, 1, 2, 4, 8, 16, 30, 30].map(Some).to_vec(),
            "minutes, rounded down"
        );
        assert!(!attempts.may_try("v2"));
        assert!(attempts.may_try("v3"));
    }

    #[tokio::test]
    async fn upstream_shaped_models_are_adapted_not_dropped() {
        let server = MockServer::start().await;
        let upstream = json!({
            "slug": "gpt-upstream",
            "display_name": "GPT Upstream",
            "description": null,
            "default_reasoning_level": "xhigh",
            "supported_reasoning_levels": [{"effort": "xhigh", "description": "Max"}],
            "shell_type": "default",
            "visibility": "hide",
            "supported_in_api": true,
            "priority": 3,
            "upgrade": {"model": "gpt-upstream-2", "migration_markdown": "Try it."},
            "base_instructions": "...",
            "supports_reasoning_summaries": true,
            "support_verbosity": false,
            "default_verbosity": null,
            "apply_patch_tool_type": null,
            "truncation_policy": {"mode": "tokens", "limit": 10000},
            "supports_parallel_tool_calls": true,
            "context_window": 272000,
            "experimental_supported_tools": [],
            "input_modalities": ["text"],
        });
        let unified_exec = json!({
            "slug": "gpt-unified",
            "display_name": "GPT Unified",
            "description": "Unified exec.",
            "shell_type": "unified_exec",
            "visibility": "list",
        });
        Mock::given(method("GET"))
            .and(path("/v1/models"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"models": [upstream, unified_exec]})),
            )
            .mount(&server)
            .await;
        let manager = manager();
        manager
            .refresh_if_etag_changed("v2", &client(&server))
            .await;
        // The two fetched entries come first; the built-in models follow.
        assert_eq!(
            manager.catalog()[..2].to_vec(),
            vec![
                ModelInfo {
                    slug: "gpt-upstream".to_string(),
                    display_name: "GPT Upstream".to_string(),
                    description: String::new(),
                    default_reasoning_level: Some(ReasoningEffort::Xhigh),
                    supported_reasoning_levels: vec![ReasoningEffortPreset {
                        effort: ReasoningEffort::Xhigh,
                        description: "Max".to_string(),
                    }],
                    supports_reasoning_summaries: true,
                    support_verbosity: false,
                    default_verbosity: None,
                    context_window: Some(272_000),
                    effective_context_window_percent: 95,
                    shell_type: ShellToolType::Shell,
                    apply_patch_tool_type: ApplyPatchToolType::Freeform,
                    supports_parallel_tool_calls: true,
                    prefer_websockets: false,
                    input_modalities: vec!["text".to_string()],
                    supports_personality: false,
                    hidden: true,
                    upgrade: Some("gpt-upstream-2".to_string()),
                },
                ModelInfo {
                    slug: "gpt-unified".to_string(),
                    display_name: "GPT Unified".to_string(),
                    description: "Unified exec.".to_string(),
                    default_reasoning_level: None,
                    supported_reasoning_levels: Vec::new(),
                    supports_reasoning_summaries: false,
                    support_verbosity: false,
                    default_verbosity: None,
                    context_window: None,
                    effective_context_window_percent: 95,
                    shell_type: ShellToolType::UnifiedExec,
                    apply_patch_tool_type: ApplyPatchToolType::Freeform,
                    supports_parallel_tool_calls: false,
                    prefer_websockets: false,
                    input_modalities: vec!["text".to_string(), "image".to_string()],
                    supports_personality: false,
                    hidden: false,
                    upgrade: None,
                },
            ]
        );
    }

    #[tokio::test]
    async fn a_body_without_usable_models_keeps_the_old_catalog() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v1/models"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"models": [{"display_name": "no slug"}]})),
            )
            .mount(&server)
            .await;
        let manager = manager();
        manager
            .refresh_if_etag_changed("v2", &client(&server))
            .await;
        assert_eq!(
            (manager.find("gpt-5.2-codex").is_some(), manager.etag()),
            (true, None)
        );
    }
}

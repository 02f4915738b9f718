//! The engine every connection drives (one per daemon): the thread manager (with the live model catalog), the auth manager,
//! the per-limit rate-limit store and the ChatGPT backend client of `codex-core`, built from the command
//! line's config knobs; plus the tasks that turn the engine's events (thread events, auth changes) into
//! notifications.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerNotification;
use codex_core::auth::AuthManager;
use codex_core::auth::AuthManagerOptions;
use codex_core::auth::AuthMode;
use codex_core::auth::LoginCanceller;
use codex_core::auth::OAuthIssuer;
use codex_core::backend::BackendClient;
use codex_core::backend::rate_limit_store::RateLimitStore;
use codex_core::config::ConfigLoadOptions;
use codex_core::config::DEFAULT_CHATGPT_BASE_URL;
use codex_core::file_search::FileSearcher;
use codex_core::model::catalog;
use codex_core::session::models_manager::ModelsManager;
use codex_core::session::thread_manager::ThreadManager;
use tokio::sync::Semaphore;
use tokio::sync::broadcast;
use tokio::sync::mpsc;

use crate::connection_hub::ConnectionHub;
use crate::event_forwarder::forward_events;
use crate::host_token_refresher::HostTokenRefresher;
use crate::server_state::ServerState;
use crate::wire_conversion;

/// Engine events queued between the turn tasks and the writer; a full queue slows the turns down rather
/// than growing memory.
const EVENT_QUEUE_CAPACITY: usize = 4096;

/// One-shot file searches running at once; each walks and matches on several threads of its own.
const CONCURRENT_FILE_SEARCHES: usize = 4;

/// Overrides the OAuth issuer of the ChatGPT sign-in (tests point it at a mock issuer).
pub const AUTH_ISSUER_ENV_VAR: &str = "CODEX_AUTH_ISSUER";

/// Overrides the ChatGPT sign-in's callback port (0: any free port), for a mock issuer.
pub const LOGIN_CALLBACK_PORT_ENV_VAR: &str = "CODEX_LOGIN_CALLBACK_PORT";

pub struct Engine {
    pub threads: ThreadManager,
    pub auth: Arc<AuthManager>,
    /// Every rate limit seen, by limit id; fed by turns and by the usage endpoint.
    pub rate_limits: RateLimitStore,
    pub backend: BackendClient,
    /// ChatGPT sign-ins in progress, by login id, so `account/login/cancel` can stop them.
    pub logins: Mutex<HashMap<String, LoginCanceller>>,
    /// The connections served, and which threads each follows.
    pub connections: Arc<ConnectionHub>,
    /// Fuzzy file search, with the walked trees every connection's searches reuse.
    pub file_search: Arc<FileSearcher>,
    /// How many one-shot file searches run at once (later ones wait their turn).
    pub file_search_slots: Semaphore,
}

impl Engine {
    /// Builds the engine and starts forwarding its events to the connections that follow them.
    pub fn start(state: &ServerState) -> Arc<Engine> {
        let connections = Arc::new(ConnectionHub::default());
        let codex_home = state.resolved_codex_home();
        let mut auth_options = AuthManagerOptions::default();
        if let Some(config) = &state.config {
            auth_options.external_refresh_timeout = config.chatgpt_auth_tokens_refresh_timeout;
        }
        if let Ok(issuer) = std::env::var(AUTH_ISSUER_ENV_VAR) {
            auth_options.issuer = OAuthIssuer {
                issuer,
                ..auth_options.issuer
            };
        }
        if let Ok(port) = std::env::var(LOGIN_CALLBACK_PORT_ENV_VAR) {
            match port.parse() {
                Ok(port) => auth_options.login_callback_port = port,
                Err(error) => tracing::warn!(
                    "ignoring {LOGIN_CALLBACK_PORT_ENV_VAR}={port:?}: not a port number ({error})"
                ),
            }
        }
        let auth = Arc::new(AuthManager::with_options(codex_home.clone(), auth_options));
        auth.set_external_refresher(Arc::new(HostTokenRefresher {
            connections: Arc::clone(&connections),
        }));
        let rate_limits = RateLimitStore::new();
        tokio::spawn(forward_auth_events(
            auth.subscribe(),
            rate_limits.clone(),
            Arc::clone(&connections),
        ));
        let (events, receiver) = mpsc::channel(EVENT_QUEUE_CAPACITY);
        tokio::spawn(forward_events(
            receiver,
            rate_limits.clone(),
            Arc::clone(&connections),
        ));
        let options = ConfigLoadOptions {
            codex_home: Some(codex_home.clone()),
            cli_overrides: state.config_overrides.clone(),
            enable_features: state.enabled_features.clone(),
            disable_features: state.disabled_features.clone(),
            ..ConfigLoadOptions::default()
        };
        let chatgpt_base_url = state.config.as_ref().map_or_else(
            || DEFAULT_CHATGPT_BASE_URL.to_string(),
            |config| config.chatgpt_base_url.clone(),
        );
        let backend = BackendClient::new(
            chatgpt_base_url,
            reqwest::Client::new(),
            format!("codex_app_server/{}", env!("CARGO_PKG_VERSION")),
        );
        // The startup config carries `model_catalog_json` additions; without it the built-in catalog stands.
        let catalog = state
            .config
            .as_ref()
            .map_or_else(catalog::builtin_models, |config| {
                config.catalog_models.clone()
            });
        let models = Arc::new(ModelsManager::new(catalog, reqwest::Client::new()));
        Arc::new(Engine {
            threads: ThreadManager::new(options, codex_home, Arc::clone(&auth), events, models)
                .with_metrics(state.metrics.clone()),
            auth,
            rate_limits,
            backend,
            logins: Mutex::new(HashMap::new()),
            connections,
            file_search: Arc::default(),
            file_search_slots: Semaphore::new(CONCURRENT_FILE_SEARCHES),
        })
    }
}

pub fn wire_auth_mode(mode: AuthMode) -> wire::AuthMode {
    match mode {
        AuthMode::ApiKey => wire::AuthMode::ApiKey,
        AuthMode::ChatGpt => wire::AuthMode::Chatgpt,
        AuthMode::ChatGptAuthTokens => wire::AuthMode::ChatgptAuthTokens,
    }
}

/// Sends `account/updated` to every connection for every change of the account, and forgets the rate limits of the account
/// that was there before, so `account/rateLimits/read` never shows another account's limits.
async fn forward_auth_events(
    mut events: broadcast::Receiver<codex_core::auth::AuthEvent>,
    rate_limits: RateLimitStore,
    connections: Arc<ConnectionHub>,
) {
    loop {
        match events.recv().await {
            Ok(event) => {
                rate_limits.clear();
                connections
                    .broadcast(ServerNotification::AccountUpdated(
                        wire::AccountUpdatedNotification {
                            auth_mode: event.auth_mode.map(wire_auth_mode),
                            plan_type: event.plan_type.as_deref().map(wire_conversion::plan_type),
                        },
                    ))
                    .await;
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                rate_limits.clear();
                tracing::warn!("missed {missed} auth events");
            }
            Err(broadcast::error::RecvError::Closed) => break,
        }
    }
}

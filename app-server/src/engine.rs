//! The engine a connection drives: the thread manager and the auth manager of `codex-core`, built from the
//! command line's config knobs, and the task that turns the engine's events into notifications.

use std::path::PathBuf;
use std::sync::Arc;

use codex_core::auth::AuthManager;
use codex_core::config::ConfigLoadOptions;
use codex_core::thread_manager::ThreadManager;
use tokio::sync::mpsc;

use crate::event_translation::forward_events;
use crate::outgoing::OutgoingMessageSender;
use crate::server_state::ServerState;

/// Engine events queued between the turn tasks and the writer; a full queue slows the turns down rather
/// than growing memory.
const EVENT_QUEUE_CAPACITY: usize = 4096;

pub struct Engine {
    pub threads: ThreadManager,
    pub auth: Arc<AuthManager>,
}

impl Engine {
    /// Builds the engine and starts forwarding its events to `outgoing`.
    pub fn start(state: &ServerState, outgoing: OutgoingMessageSender) -> Arc<Engine> {
        let codex_home = state
            .codex_home
            .clone()
            .or_else(|| codex_core::config::find_codex_home().ok())
            .unwrap_or_else(|| PathBuf::from(".codex"));
        let auth = Arc::new(AuthManager::new(codex_home.clone()));
        let (events, receiver) = mpsc::channel(EVENT_QUEUE_CAPACITY);
        tokio::spawn(forward_events(receiver, outgoing));
        let options = ConfigLoadOptions {
            codex_home: Some(codex_home.clone()),
            cli_overrides: state.config_overrides.clone(),
            enable_features: state.enabled_features.clone(),
            disable_features: state.disabled_features.clone(),
            ..ConfigLoadOptions::default()
        };
        Arc::new(Engine {
            threads: ThreadManager::new(options, codex_home, Arc::clone(&auth), events),
            auth,
        })
    }
}

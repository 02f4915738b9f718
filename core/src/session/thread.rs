//! One loaded thread: its settings, model client, conversation and events, and the single turn that may be
//! running in it. Turns run on their own task with a `TurnContext`; the thread serialises them.

use std::sync::Arc;
use std::sync::Mutex;

use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::client::ModelClient;
use crate::model::info::ModelInfo;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event::TurnSummary;
use crate::protocol::event_sink::EventSink;
use crate::protocol::turn_item::UserInput;
use crate::protocol::turn_outcome::TurnStatus;
use crate::rollout::RolloutItem;
use crate::rollout::StoredTurn;
use crate::session::conversation::ActiveTurn;
use crate::session::conversation::Conversation;
use crate::session::conversation::ThreadState;
use crate::session::models_manager::ModelsManager;
use crate::session::thread_settings::ThreadMetadata;
use crate::session::thread_settings::ThreadSettings;
use crate::session::thread_settings::TurnOnlyOptions;
use crate::session::thread_settings::TurnOverrides;
use crate::session::turn::run_turn;
use crate::session::turn_context::TurnContext;
use crate::session::turn_context::TurnShared;
use crate::tools::approval::SessionApprovals;
use crate::tools::unified_exec::BackgroundTerminal;
use crate::tools::unified_exec::UnifiedExecSessions;

/// Errors of thread operations that the host can act on.
#[derive(Debug, thiserror::Error)]
pub enum ThreadError {
    #[error("a turn is already running in thread {0}")]
    TurnInProgress(String),
    #[error("no turn {turn_id} is running in thread {thread_id}")]
    NoSuchTurn { thread_id: String, turn_id: String },
    #[error("turn {turn_id} already ended in thread {thread_id}")]
    TurnEnded { thread_id: String, turn_id: String },
    #[error("thread not loaded: {0}")]
    NotLoaded(String),
    #[error("thread not found: {0}")]
    NotFound(String),
    /// Neither loaded nor stored (upstream's wording for `thread/delete` and `thread/metadata/update`).
    #[error("no rollout found for thread id {0}")]
    NoRollout(String),
    #[error("{0}")]
    InvalidInput(String),
    /// A rollback or revert the thread cannot do now or at all (upstream answers -32600).
    #[error("{0}")]
    UndoRefused(String),
    /// A `required` MCP server did not start (upstream answers -32603).
    #[error("required MCP servers failed to initialize: {0}")]
    McpServerRequired(String),
    #[error("config error: {0}")]
    Config(#[source] crate::config::ConfigError),
    #[error("rollout error: {0}")]
    Rollout(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// A point-in-time copy of a thread for `thread/read`, `thread/list` and responses.
#[derive(Debug, Clone)]
pub struct ThreadSnapshot {
    pub metadata: ThreadMetadata,
    pub settings: ThreadSettings,
    pub name: Option<String>,
    pub preview: String,
    pub updated_at: i64,
    pub status: ThreadStatus,
    pub turns: Vec<StoredTurn>,
}

pub(crate) struct ThreadInner {
    pub(crate) metadata: ThreadMetadata,
    pub(crate) settings: Mutex<ThreadSettings>,
    pub(crate) client: ModelClient,
    /// Refreshed from this thread's responses when the provider's `x-models-etag` changes.
    pub(crate) models: Arc<ModelsManager>,
    pub(crate) conversation: Conversation,
    pub(crate) events: EventSink,
    /// What the host approved for the rest of the thread.
    pub(crate) approvals: SessionApprovals,
    /// Notified when a turn has ended (after `turn/completed` is emitted).
    pub(crate) turn_ended: Arc<tokio::sync::Notify>,
    /// The thread's MCP servers (shared with the threads started under the same configuration).
    pub(crate) mcp: Arc<crate::mcp::McpServers>,
    /// The model's unified exec sessions: they outlive turns and end with an interrupt or the thread.
    pub(crate) unified_exec: Arc<UnifiedExecSessions>,
}

impl ThreadInner {
    pub(crate) async fn emit(&self, msg: EventMsg) {
        self.events.emit(msg).await;
    }

    /// Emits even when nobody follows the thread (its unloading is reported to every host).
    pub(crate) async fn emit_always(&self, msg: EventMsg) {
        self.events.emit_always(msg).await;
    }

    pub(crate) fn record(&self, items: Vec<RolloutItem>) {
        self.conversation.record(items);
    }

    pub(crate) async fn set_status(&self, status: ThreadStatus) {
        self.events.set_status(status).await;
    }

    /// What the thread's turns share with it.
    pub(crate) fn shared(&self) -> TurnShared {
        TurnShared {
            conversation: self.conversation.clone(),
            events: self.events.clone(),
            approvals: self.approvals.clone(),
            turn_ended: Arc::clone(&self.turn_ended),
            workspace_git: self.metadata.workspace_git.clone(),
            mcp: Arc::clone(&self.mcp),
            unified_exec: Arc::clone(&self.unified_exec),
        }
    }

    /// What a turn starting now runs with: a snapshot of the settings and handles on what it shares with
    /// the thread.
    pub(crate) fn turn_context(
        self: &Arc<Self>,
        turn_id: String,
        this_turn: TurnOnlyOptions,
        cancel: CancellationToken,
    ) -> TurnContext {
        let settings = self
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let models = Arc::clone(&self.models);
        let client = self.client.clone();
        TurnContext::new(turn_id, settings, this_turn, cancel, self.shared())
            .with_stream_max_retries(self.client.provider().stream_max_retries())
            .with_models_etag_hook(Arc::new(move |etag: String| {
                // The fetch runs beside the turn; its outcome never touches the turn.
                if models.etag().as_deref() != Some(etag.as_str()) {
                    let models = Arc::clone(&models);
                    let client = client.clone();
                    tokio::spawn(async move {
                        models.refresh_if_etag_changed(&etag, &client).await;
                    });
                }
            }))
    }
}

/// Reports a thread's MCP server starts when dropped.
pub struct McpStartupReport {
    servers: Arc<crate::mcp::McpServers>,
    events: EventSink,
}

impl Drop for McpStartupReport {
    fn drop(&mut self) {
        self.servers.report_startup(&self.events);
    }
}

/// A handle on a loaded thread; cheap to clone.
#[derive(Clone)]
pub struct CodexThread {
    pub(crate) inner: Arc<ThreadInner>,
}

/// A turn that has been accepted but whose events are held back until the host has answered the request
/// that started it (so `turn/start`'s response precedes `turn/started`). Dropping it releases the turn.
pub struct PendingTurn {
    pub turn: TurnSummary,
    pub(crate) release: Option<oneshot::Sender<()>>,
}

impl PendingTurn {
    /// A turn whose work `run` starts only once the returned handle is dropped (after the host's answer).
    pub(crate) fn spawn(turn: TurnSummary, run: impl Future<Output = ()> + Send + 'static) -> Self {
        let (release, released) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = released.await;
            run.await;
        });
        PendingTurn {
            turn,
            release: Some(release),
        }
    }
}

impl Drop for PendingTurn {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.send(());
        }
    }
}

impl CodexThread {
    pub fn id(&self) -> &str {
        &self.inner.metadata.id
    }

    /// The thread's current settings (a copy).
    pub fn settings(&self) -> ThreadSettings {
        self.inner
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn snapshot(&self) -> ThreadSnapshot {
        let settings = self
            .inner
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let state = self.inner.conversation.lock();
        ThreadSnapshot {
            metadata: ThreadMetadata {
                git_info: state.git_info.clone(),
                ..self.inner.metadata.clone()
            },
            settings,
            name: state.name.clone(),
            preview: state.preview.clone(),
            updated_at: state.updated_at,
            status: self.inner.events.status(),
            turns: state.turns.clone(),
        }
    }

    /// Accepts a turn and returns it; the turn runs once the returned [`PendingTurn`] is dropped.
    pub fn start_turn(
        &self,
        input: Vec<UserInput>,
        overrides: TurnOverrides,
        model_lookup: impl Fn(&str) -> ModelInfo,
    ) -> Result<PendingTurn, ThreadError> {
        if input.is_empty() {
            return Err(ThreadError::InvalidInput(
                "turn/start needs at least one input item".to_string(),
            ));
        }
        let turn_id = uuid::Uuid::now_v7().to_string();
        let cancel = CancellationToken::new();
        {
            let mut state = self.inner.conversation.lock();
            if state.closed {
                return Err(ThreadError::NotLoaded(self.id().to_string()));
            }
            if state.active_turn.is_some() {
                return Err(ThreadError::TurnInProgress(self.id().to_string()));
            }
            state.active_turn = Some(ActiveTurn {
                turn_id: turn_id.clone(),
                cancel: cancel.clone(),
                ending: false,
                steerable: true,
            });
        }
        let this_turn = overrides.this_turn.clone();
        self.inner
            .settings
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .apply(overrides, model_lookup);
        let started_at = chrono::Utc::now().timestamp();
        let turn = TurnSummary {
            id: turn_id.clone(),
            status: TurnStatus::InProgress,
            error: None,
            started_at: Some(started_at),
            completed_at: None,
            duration_ms: None,
        };
        let inner = Arc::clone(&self.inner);
        let summary = turn.clone();
        Ok(PendingTurn::spawn(turn, async move {
            let ctx = inner.turn_context(summary.id.clone(), this_turn, cancel);
            let mut model = inner.client.new_session();
            run_turn(&ctx, &mut model, summary, input).await;
        }))
    }

    /// Claims the thread for a turn that takes no input (a user shell command, a compaction): the turn's
    /// summary and its cancellation, or why no turn can start now.
    pub(crate) fn claim_turn(&self) -> Result<(TurnSummary, CancellationToken), ThreadError> {
        let turn_id = uuid::Uuid::now_v7().to_string();
        let cancel = CancellationToken::new();
        {
            let mut state = self.inner.conversation.lock();
            if state.closed {
                return Err(ThreadError::NotFound(self.id().to_string()));
            }
            if state.active_turn.is_some() {
                return Err(ThreadError::TurnInProgress(self.id().to_string()));
            }
            state.active_turn = Some(ActiveTurn {
                turn_id: turn_id.clone(),
                cancel: cancel.clone(),
                ending: false,
                steerable: true,
            });
        }
        let turn = TurnSummary {
            id: turn_id,
            status: TurnStatus::InProgress,
            error: None,
            started_at: Some(chrono::Utc::now().timestamp()),
            completed_at: None,
            duration_ms: None,
        };
        Ok((turn, cancel))
    }

    /// Adds input to the running turn `expected_turn_id`; the model sees it in the turn's next request
    /// (one more request is made if the model had already finished). Returns the turn's id.
    pub fn steer(
        &self,
        expected_turn_id: &str,
        input: Vec<UserInput>,
        client_id: Option<String>,
    ) -> Result<String, ThreadError> {
        if input.is_empty() {
            return Err(ThreadError::InvalidInput(
                "turn/steer needs at least one input item".to_string(),
            ));
        }
        let mut state = self.inner.conversation.lock();
        let active = self.running_turn(&state, expected_turn_id)?;
        if !active.steerable {
            return Err(ThreadError::InvalidInput(format!(
                "turn {expected_turn_id} is a review and cannot be steered"
            )));
        }
        let active_turn_id = active.turn_id.clone();
        state.steered_input.push((input, client_id));
        Ok(active_turn_id)
    }

    /// The turn `turn_id` if it is running and has not yet decided how it ends.
    fn running_turn<'a>(
        &self,
        state: &'a ThreadState,
        turn_id: &str,
    ) -> Result<&'a ActiveTurn, ThreadError> {
        match &state.active_turn {
            Some(active) if active.turn_id == turn_id && !active.ending => Ok(active),
            Some(active) if active.turn_id == turn_id => Err(self.turn_ended(turn_id)),
            Some(_) | None if state.turns.iter().any(|turn| turn.id == turn_id) => {
                Err(self.turn_ended(turn_id))
            }
            Some(_) | None => Err(ThreadError::NoSuchTurn {
                thread_id: self.id().to_string(),
                turn_id: turn_id.to_string(),
            }),
        }
    }

    fn turn_ended(&self, turn_id: &str) -> ThreadError {
        ThreadError::TurnEnded {
            thread_id: self.id().to_string(),
            turn_id: turn_id.to_string(),
        }
    }

    /// Cancels the running turn; it completes as `interrupted`. A turn that has already decided how it ends
    /// cannot be interrupted any more: that is an error, never a success followed by `completed`.
    pub fn interrupt(&self, turn_id: &str) -> Result<(), ThreadError> {
        let state = self.inner.conversation.lock();
        self.running_turn(&state, turn_id)?.cancel.cancel();
        Ok(())
    }

    /// The model's sessions still running (upstream's background terminals), by session id.
    pub fn background_terminals(&self) -> Vec<BackgroundTerminal> {
        self.inner.unified_exec.list()
    }

    /// Ends the session `process_id`; `true` when it was running. Returns once its item completed.
    pub async fn terminate_background_terminal(&self, process_id: i32) -> bool {
        self.inner.unified_exec.terminate(process_id).await
    }

    /// Ends every session of the thread; returns once each one's item completed.
    pub async fn clean_background_terminals(&self) {
        self.inner.unified_exec.terminate_all().await;
    }

    /// Whether the thread was unloaded (a handle on it may outlive that).
    /// Reports the start of the thread's MCP servers (`starting`, then `ready` or `failed`) once the
    /// returned guard is dropped, so the host's answer to the request that loaded the thread comes first.
    pub fn mcp_startup_report(&self) -> McpStartupReport {
        McpStartupReport {
            servers: Arc::clone(&self.inner.mcp),
            events: self.inner.events.clone(),
        }
    }

    /// The thread's MCP servers.
    pub fn mcp_servers(&self) -> &Arc<crate::mcp::McpServers> {
        &self.inner.mcp
    }

    pub fn is_closed(&self) -> bool {
        self.inner.conversation.lock().closed
    }

    /// Whether the host follows this thread.
    pub fn is_subscribed(&self) -> bool {
        self.inner.events.is_subscribed()
    }

    /// Follows or stops following the thread; returns whether it was followed before.
    pub(crate) fn set_subscribed(&self, subscribed: bool) -> bool {
        self.inner.events.set_subscribed(subscribed)
    }

    /// Waits until no turn runs in the thread.
    pub(crate) async fn wait_until_idle(&self) {
        loop {
            let ended = self.inner.turn_ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            let idle = self.inner.conversation.lock().active_turn.is_none();
            if idle {
                return;
            }
            ended.await;
        }
    }

    /// Closes the thread if it is idle and nobody follows it (`Some(true)`); a closed thread takes no more
    /// turns. `None` when it was already closed.
    pub(crate) fn close_if_unfollowed_and_idle(&self) -> Option<bool> {
        let mut state = self.inner.conversation.lock();
        if state.closed {
            return None;
        }
        if state.active_turn.is_some() || self.is_subscribed() {
            return Some(false);
        }
        state.closed = true;
        Some(true)
    }

    /// Renames the thread (persisted) and reports it.
    pub async fn set_name(&self, name: Option<String>) {
        {
            let mut state = self.inner.conversation.lock();
            state.name = name.clone();
        }
        self.inner
            .record(vec![RolloutItem::ThreadName { name: name.clone() }]);
        if self.inner.conversation.recorder().is_some() {
            // Upstream Codex reads names from the session index, not from rollouts.
            let codex_home = self
                .inner
                .settings
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .codex_home
                .clone();
            if let Err(err) =
                crate::rollout::append_indexed_thread_name(&codex_home, self.id(), name.as_deref())
                    .await
            {
                tracing::warn!("naming thread {} in the session index: {err}", self.id());
            }
        }
        self.inner.emit(EventMsg::NameUpdated(name)).await;
    }

    /// Interrupts any running turn and flushes the rollout.
    pub async fn shutdown(&self) {
        let cancel = {
            let state = self.inner.conversation.lock();
            state.active_turn.as_ref().map(|a| a.cancel.clone())
        };
        if let Some(cancel) = cancel {
            cancel.cancel();
        }
        self.inner.unified_exec.terminate_all().await;
        if let Err(err) = self.inner.conversation.flush().await {
            tracing::warn!("flushing rollout of thread {}: {err}", self.id());
        }
    }
}

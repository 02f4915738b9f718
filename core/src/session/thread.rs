//! One loaded thread: its settings, model client, history, turns and rollout, and the single turn that may
//! be running in it. Turns run on their own task; the thread serialises them and reports through events.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use crate::client::ModelClient;
use crate::config::AskForApproval;
use crate::config::SandboxMode;
use crate::config::SandboxWorkspaceWrite;
use crate::context::environment::EnvironmentContext;
use crate::model::info::ModelInfo;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningSummaryMode;
use crate::session::models_manager::ModelsManager;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadEvent;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event::TurnSummary;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_usage::TokenUsageInfo;
use crate::protocol::turn_item::UserInput;
use crate::protocol::turn_outcome::TurnStatus;
use crate::rollout::RolloutItem;
use crate::rollout::RolloutRecorder;
use crate::rollout::StoredTurn;
use crate::tools::approval::SessionApprovals;

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
    #[error("config error: {0}")]
    Config(String),
    #[error("rollout error: {0}")]
    Rollout(String),
}

/// Per-thread settings that turns read and that `turn/start` overrides persist into.
#[derive(Debug, Clone)]
pub struct ThreadSettings {
    pub model: String,
    pub model_info: ModelInfo,
    pub model_provider_id: String,
    pub effort: Option<ReasoningEffort>,
    pub summary: ReasoningSummaryMode,
    /// The processing tier asked of the provider (`fast`, `flex`, `priority`, `default`, ...).
    pub service_tier: Option<String>,
    pub cwd: PathBuf,
    pub base_instructions: String,
    pub developer_instructions: Option<String>,
    pub approval_policy: AskForApproval,
    pub sandbox_mode: SandboxMode,
    pub sandbox_workspace_write: SandboxWorkspaceWrite,
    /// Where global `AGENTS.md` instructions are read from.
    pub codex_home: PathBuf,
    /// Cap on the `AGENTS.md` text put in the session prefix.
    pub project_doc_max_bytes: usize,
    /// Whether requests offer the hosted web search tool, and with live or cached results; `None` (not
    /// configured) follows the turn's sandbox.
    pub web_search_mode: Option<crate::config::WebSearchMode>,
}

/// Identity and metadata of a thread as the host sees it.
#[derive(Debug, Clone)]
pub struct ThreadMetadata {
    pub id: String,
    pub forked_from_id: Option<String>,
    pub created_at: i64,
    pub path: Option<PathBuf>,
    pub ephemeral: bool,
    pub cli_version: String,
    pub source: String,
    /// The git state of the thread's working directory when it started.
    pub git_info: Option<crate::rollout::GitInfo>,
    /// The directory inspected when the thread started and its full git state (`None`: not a repository),
    /// reused by the first turn's prefix.
    pub workspace_git: Option<(PathBuf, Option<crate::context::git_info::GitInfo>)>,
}

/// The mutable state of a thread.
pub(crate) struct ThreadState {
    pub(crate) history: Vec<ResponseItem>,
    pub(crate) turns: Vec<StoredTurn>,
    pub(crate) token_usage: Option<TokenUsageInfo>,
    pub(crate) name: Option<String>,
    pub(crate) preview: String,
    pub(crate) updated_at: i64,
    pub(crate) status: ThreadStatus,
    pub(crate) active_turn: Option<ActiveTurn>,
    /// Whether the session prefix (developer instructions, environment) is already in history.
    pub(crate) prefix_recorded: bool,
    /// Input sent with `turn/steer` that the running turn has not picked up yet.
    /// Input added by `turn/steer`, with the host's id for each message.
    pub(crate) steered_input: Vec<(Vec<UserInput>, Option<String>)>,
    /// What the host approved for the rest of the thread.
    pub(crate) session_approvals: SessionApprovals,
    /// The environment context (without git state) last put in history by this process; a turn whose cwd
    /// or permissions differ puts a new one in front of its input.
    pub(crate) environment_sent: Option<EnvironmentContext>,
    /// Set when the thread is unloaded: it takes no more turns (its handle may still be held somewhere).
    pub(crate) closed: bool,
    /// The git metadata the host sees: the session's, or what `thread/metadata/update` last set.
    pub(crate) git_info: Option<crate::rollout::GitInfo>,
}

pub(crate) struct ActiveTurn {
    pub(crate) turn_id: String,
    pub(crate) cancel: CancellationToken,
    /// Set when the turn has decided how it ends: from then on it can no longer be interrupted or steered,
    /// so an interrupt that succeeds always makes the turn end `interrupted`.
    pub(crate) ending: bool,
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
    pub(crate) recorder: Option<RolloutRecorder>,
    pub(crate) state: Mutex<ThreadState>,
    pub(crate) events: mpsc::Sender<ThreadEvent>,
    /// Whether the host follows the thread; an unfollowed thread's events are not reported (its approval
    /// requests are then declined) and it is unloaded once idle.
    pub(crate) subscribed: AtomicBool,
    /// Notified when a turn has ended (after `turn/completed` is emitted).
    pub(crate) turn_ended: tokio::sync::Notify,
}

impl ThreadInner {
    pub(crate) async fn emit(&self, msg: EventMsg) {
        if !self.subscribed.load(Ordering::Acquire) {
            tracing::trace!(
                "thread {} is not followed; dropping an event",
                self.metadata.id
            );
            return;
        }
        self.emit_always(msg).await;
    }

    /// Emits even when nobody follows the thread (its unloading is reported to every host).
    pub(crate) async fn emit_always(&self, msg: EventMsg) {
        let event = ThreadEvent {
            thread_id: self.metadata.id.clone(),
            msg,
        };
        if self.events.send(event).await.is_err() {
            tracing::debug!("event receiver gone; dropping event");
        }
    }

    pub(crate) fn record(&self, items: Vec<RolloutItem>) {
        if let Some(recorder) = &self.recorder {
            recorder.record(items);
        }
    }

    pub(crate) async fn set_status(&self, status: ThreadStatus) {
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.status == status {
                return;
            }
            state.status = status;
        }
        self.emit(EventMsg::StatusChanged(status)).await;
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

impl Drop for PendingTurn {
    fn drop(&mut self) {
        if let Some(release) = self.release.take() {
            let _ = release.send(());
        }
    }
}

/// Per-turn overrides that persist for later turns.
#[derive(Debug, Clone, Default)]
pub struct TurnOverrides {
    pub model: Option<String>,
    pub effort: Option<ReasoningEffort>,
    pub summary: Option<ReasoningSummaryMode>,
    pub cwd: Option<PathBuf>,
    pub approval_policy: Option<AskForApproval>,
    /// The sandbox mode and, for `workspace-write`, what it may write.
    pub sandbox: Option<(SandboxMode, SandboxWorkspaceWrite)>,
    pub service_tier: Option<String>,
    /// This turn only, not kept for later turns.
    pub this_turn: TurnOnlyOptions,
}

/// Options of one turn that later turns do not inherit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TurnOnlyOptions {
    /// JSON Schema the final answer must follow, sent as `text.format` json_schema.
    pub output_schema: Option<serde_json::Value>,
    /// The processing tier for this turn instead of the thread's.
    pub service_tier: Option<String>,
    /// The host's id for the turn's user message.
    pub client_user_message_id: Option<String>,
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
        let state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        ThreadSnapshot {
            metadata: ThreadMetadata {
                git_info: state.git_info.clone(),
                ..self.inner.metadata.clone()
            },
            settings,
            name: state.name.clone(),
            preview: state.preview.clone(),
            updated_at: state.updated_at,
            status: state.status,
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
            let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
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
            });
        }
        {
            let mut settings = self
                .inner
                .settings
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(model) = overrides.model {
                settings.model_info = model_lookup(&model);
                settings.model = model;
            }
            if let Some(effort) = overrides.effort {
                settings.effort = Some(effort);
            }
            if let Some(summary) = overrides.summary {
                settings.summary = summary;
            }
            if let Some(cwd) = overrides.cwd {
                settings.cwd = cwd;
            }
            if let Some(approval_policy) = overrides.approval_policy {
                settings.approval_policy = approval_policy;
            }
            if let Some((mode, workspace_write)) = overrides.sandbox {
                settings.sandbox_mode = mode;
                settings.sandbox_workspace_write = workspace_write;
            }
            if let Some(service_tier) = overrides.service_tier {
                settings.service_tier = Some(service_tier);
            }
        }
        let started_at = chrono::Utc::now().timestamp();
        let turn = TurnSummary {
            id: turn_id.clone(),
            status: TurnStatus::InProgress,
            error: None,
            started_at: Some(started_at),
            completed_at: None,
            duration_ms: None,
        };
        let (release, released) = oneshot::channel();
        let inner = Arc::clone(&self.inner);
        let summary = turn.clone();
        let this_turn = overrides.this_turn;
        tokio::spawn(async move {
            let _ = released.await;
            crate::session::turn::run_turn(inner, summary, input, this_turn, cancel).await;
        });
        Ok(PendingTurn {
            turn,
            release: Some(release),
        })
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
        let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        let active = self.running_turn(&state, expected_turn_id)?;
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
        let state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
        self.running_turn(&state, turn_id)?.cancel.cancel();
        Ok(())
    }

    /// Whether the thread was unloaded (a handle on it may outlive that).
    pub fn is_closed(&self) -> bool {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .closed
    }

    /// Whether the host follows this thread.
    pub fn is_subscribed(&self) -> bool {
        self.inner.subscribed.load(Ordering::Acquire)
    }

    /// Follows or stops following the thread; returns whether it was followed before.
    pub(crate) fn set_subscribed(&self, subscribed: bool) -> bool {
        self.inner.subscribed.swap(subscribed, Ordering::AcqRel)
    }

    /// Waits until no turn runs in the thread.
    pub(crate) async fn wait_until_idle(&self) {
        loop {
            let ended = self.inner.turn_ended.notified();
            tokio::pin!(ended);
            ended.as_mut().enable();
            let idle = self
                .inner
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .active_turn
                .is_none();
            if idle {
                return;
            }
            ended.await;
        }
    }

    /// Closes the thread if it is idle and nobody follows it (`Some(true)`); a closed thread takes no more
    /// turns. `None` when it was already closed.
    pub(crate) fn close_if_unfollowed_and_idle(&self) -> Option<bool> {
        let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
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
            let mut state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            state.name = name.clone();
        }
        self.inner
            .record(vec![RolloutItem::ThreadName { name: name.clone() }]);
        if self.inner.recorder.is_some() {
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
            let state = self.inner.state.lock().unwrap_or_else(|e| e.into_inner());
            state.active_turn.as_ref().map(|a| a.cancel.clone())
        };
        if let Some(cancel) = cancel {
            cancel.cancel();
        }
        if let Some(recorder) = &self.inner.recorder
            && let Err(err) = recorder.flush().await
        {
            tracing::warn!("flushing rollout of thread {}: {err}", self.id());
        }
    }
}

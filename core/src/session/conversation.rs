//! A thread's conversation as its turns change it: history, the turns so far, token usage, steered input
//! and the rollout that persists it. The turn loop reaches it only through `Conversation`'s methods, each
//! one short critical section.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::MutexGuard;

use tokio_util::sync::CancellationToken;

use crate::context::collaboration_mode;
use crate::context::collaboration_mode::CollaborationMode;
use crate::context::collaboration_mode::instructions_to_send;
use crate::context::environment::EnvironmentContext;
use crate::protocol::event_sink::EventSink;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_estimate::estimate_tokens;
use crate::protocol::token_usage::TokenUsage;
use crate::protocol::token_usage::TokenUsageInfo;
use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_item::UserInput;
use crate::rollout::EventMsg;
use crate::rollout::RolloutItem;
use crate::rollout::RolloutRecorder;
use crate::rollout::StoredTurn;
use crate::rollout::rollback;
use crate::rollout::rollback::TurnStarts;
use crate::tools::tool_call::TOOL_ABORTED;
use crate::tools::tool_call::ToolCall;
use crate::tools::unified_exec::UnifiedExecSessions;
use crate::tools::unified_exec::process::ProcessReporter;

/// The mutable state of a thread.
pub(crate) struct ThreadState {
    pub(crate) history: Vec<ResponseItem>,
    pub(crate) turns: Vec<StoredTurn>,
    pub(crate) token_usage: Option<TokenUsageInfo>,
    /// The size of the context the model last saw, in tokens: the last response's total, or an estimate of
    /// the history since a compaction replaced it. Auto-compaction compares it (plus an estimate of what
    /// was added since) with the thread's limit.
    pub(crate) context_tokens: i64,
    /// How long `history` was when `context_tokens` was measured: the items after it are not counted yet.
    pub(crate) history_len_at_measure: usize,
    pub(crate) name: Option<String>,
    pub(crate) preview: String,
    pub(crate) updated_at: i64,
    pub(crate) active_turn: Option<ActiveTurn>,
    /// Whether the session prefix (developer instructions, environment) is already in history.
    pub(crate) prefix_recorded: bool,
    /// Input added by `turn/steer` that the running turn has not picked up yet, with the host's id for
    /// each message.
    pub(crate) steered_input: Vec<(Vec<UserInput>, Option<String>)>,
    /// The environment context (without git state) last put in history by this process; a turn whose cwd
    /// or permissions differ puts a new one in front of its input.
    pub(crate) environment_sent: Option<EnvironmentContext>,
    /// The collaboration-mode instructions the model read last (from history when the thread was loaded);
    /// a turn in another mode puts the new ones in front of its input.
    pub(crate) collaboration_sent: Option<String>,
    /// Set when the thread is unloaded: it takes no more turns (its handle may still be held somewhere).
    pub(crate) closed: bool,
    /// The git metadata the host sees: the session's, or what `thread/metadata/update` last set.
    pub(crate) git_info: Option<crate::rollout::GitInfo>,
    /// Items that completed on their own while their turn still ran (unified exec sessions), by turn id:
    /// filed with the turn when it ends.
    pub(crate) late_items: Vec<(String, TurnItem)>,
    /// Where each turn began in `history`, for rollbacks.
    pub(crate) turn_starts: TurnStarts,
}

pub(crate) struct ActiveTurn {
    pub(crate) turn_id: String,
    pub(crate) cancel: CancellationToken,
    /// Set when the turn has decided how it ends: from then on it can no longer be interrupted or steered,
    /// so an interrupt that succeeds always makes the turn end `interrupted`.
    pub(crate) ending: bool,
    /// Whether `turn/steer` may add input (a review's reviewer reads none).
    pub(crate) steerable: bool,
}

/// Input added by `turn/steer`, with the host's id for the message.
pub(crate) type SteeredInput = (Vec<UserInput>, Option<String>);

/// A handle on a thread's conversation; clones share it.
#[derive(Clone)]
pub(crate) struct Conversation {
    state: Arc<Mutex<ThreadState>>,
    recorder: Option<RolloutRecorder>,
    /// Set for a history kept beside the thread's (a review's reviewer): only its completed items reach
    /// the thread's rollout, never its history (a resumed thread's history is the thread's own) nor the
    /// model's messages (a reviewer's answer is reported as the review).
    records_items_only: bool,
}

impl ThreadState {
    /// An empty state taken as past the session prefix, so its first input is preceded by the environment
    /// context alone (a review's reviewer's own history).
    pub(crate) fn past_prefix() -> Self {
        ThreadState {
            history: Vec::new(),
            turns: Vec::new(),
            token_usage: None,
            context_tokens: 0,
            history_len_at_measure: 0,
            name: None,
            preview: String::new(),
            updated_at: chrono::Utc::now().timestamp(),
            active_turn: None,
            prefix_recorded: true,
            steered_input: Vec::new(),
            environment_sent: None,
            collaboration_sent: None,
            closed: false,
            git_info: None,
            late_items: Vec::new(),
            turn_starts: TurnStarts::default(),
        }
    }
}

impl Conversation {
    /// Makes the running turn refuse `turn/steer` (a review: nothing would read the input).
    pub(crate) fn refuse_steering(&self) {
        if let Some(active) = self.lock().active_turn.as_mut() {
            active.steerable = false;
        }
    }

    pub(crate) fn new(state: ThreadState, recorder: Option<RolloutRecorder>) -> Self {
        Self {
            state: Arc::new(Mutex::new(state)),
            recorder,
            records_items_only: false,
        }
    }

    /// A history of its own beside this thread's (see `records_items_only`), recording its completed
    /// items, as they complete, in this thread's rollout.
    pub(crate) fn beside(&self, state: ThreadState) -> Self {
        Self {
            state: Arc::new(Mutex::new(state)),
            recorder: self.recorder.clone(),
            records_items_only: true,
        }
    }

    /// The whole state, for the thread's own operations (never held across an await).
    pub(crate) fn lock(&self) -> MutexGuard<'_, ThreadState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn recorder(&self) -> Option<&RolloutRecorder> {
        self.recorder.as_ref()
    }

    /// Appends to the rollout (nothing for an ephemeral thread). A turn's start line also marks where the
    /// turn begins in history.
    pub(crate) fn record(&self, items: Vec<RolloutItem>) {
        for item in &items {
            if let RolloutItem::TurnStarted { turn_id, .. } = item {
                let mut state = self.lock();
                let start = state.history.len();
                state.turn_starts.insert(turn_id.clone(), start);
            }
        }
        let items = if self.records_items_only {
            items
                .into_iter()
                .filter(|item| {
                    matches!(item, RolloutItem::ItemCompleted { item, .. }
                        if !matches!(item, TurnItem::AgentMessage { .. }))
                })
                .collect()
        } else {
            items
        };
        if let Some(recorder) = &self.recorder
            && !items.is_empty()
        {
            recorder.record(items);
        }
    }

    /// Waits until what was recorded is on disk.
    pub(crate) async fn flush(&self) -> std::io::Result<()> {
        match &self.recorder {
            Some(recorder) => recorder.flush().await,
            None => Ok(()),
        }
    }

    pub(crate) fn history(&self) -> Vec<ResponseItem> {
        self.lock().history.clone()
    }

    pub(crate) fn history_len(&self) -> usize {
        self.lock().history.len()
    }

    pub(crate) fn push_history(&self, item: ResponseItem) {
        self.lock().history.push(item);
    }

    /// Drops what was added after the first `len` items (a retried request resends the same prompt).
    pub(crate) fn truncate_history(&self, len: usize) {
        self.lock().history.truncate(len);
    }

    /// Puts the user's input into history; the first input names the thread's preview.
    pub(crate) fn add_input(&self, items: &[ResponseItem], preview: impl FnOnce() -> String) {
        let mut state = self.lock();
        if state.preview.is_empty() {
            state.preview = preview();
        }
        state.history.extend(items.iter().cloned());
        state.updated_at = chrono::Utc::now().timestamp();
    }

    pub(crate) fn take_steered_input(&self) -> Vec<SteeredInput> {
        std::mem::take(&mut self.lock().steered_input)
    }

    pub(crate) fn has_steered_input(&self) -> bool {
        !self.lock().steered_input.is_empty()
    }

    /// Adds a response's usage to the thread's totals and returns them.
    pub(crate) fn add_token_usage(
        &self,
        usage: TokenUsage,
        context_window: Option<i64>,
    ) -> TokenUsageInfo {
        let mut state = self.lock();
        let mut info = state.token_usage.unwrap_or(TokenUsageInfo {
            model_context_window: context_window,
            ..TokenUsageInfo::default()
        });
        info.total.add(&usage);
        info.last = usage;
        info.model_context_window = context_window;
        state.token_usage = Some(info);
        state.context_tokens = usage.total_tokens;
        state.history_len_at_measure = state.history.len();
        info
    }

    /// The size of the context the next request carries, in tokens: what the model last reported (or the
    /// estimate a compaction left), plus an estimate of the items added to history since.
    pub(crate) fn context_tokens(&self) -> i64 {
        let state = self.lock();
        let added = state
            .history
            .get(state.history_len_at_measure..)
            .map_or(0, estimate_tokens);
        state.context_tokens.saturating_add(added)
    }

    /// Replaces the whole history (a compaction); the context is then estimated from what is left, and
    /// the thread's token usage (if any was reported) says so in its last entry. Returns that usage.
    pub(crate) fn replace_history(
        &self,
        history: Vec<ResponseItem>,
        estimated_tokens: i64,
    ) -> Option<TokenUsageInfo> {
        let mut state = self.lock();
        state.history = history;
        let len = state.history.len();
        rollback::compacted(&mut state.turn_starts, len);
        state.context_tokens = estimated_tokens;
        state.history_len_at_measure = state.history.len();
        let info = state.token_usage.as_mut()?;
        info.last = TokenUsage {
            input_tokens: estimated_tokens,
            total_tokens: estimated_tokens,
            ..TokenUsage::default()
        };
        Some(*info)
    }

    /// Whether the session prefix still has to go into history; from now on it counts as recorded.
    pub(crate) fn take_prefix_needed(&self) -> bool {
        !std::mem::replace(&mut self.lock().prefix_recorded, true)
    }

    /// Notes the environment context the model is about to see; `false` when it saw the same one last.
    pub(crate) fn replace_environment(&self, environment: &EnvironmentContext) -> bool {
        let mut state = self.lock();
        if state.environment_sent.as_ref() == Some(environment) {
            return false;
        }
        state.environment_sent = Some(environment.clone());
        true
    }

    /// Forgets which environment context the model saw, so the next one is sent whatever it is.
    pub(crate) fn forget_environment(&self) {
        self.lock().environment_sent = None;
    }

    /// The mode instructions the model is about to read for `mode`, noted as read; `None` when it read
    /// them last (or the thread never left `default`).
    pub(crate) fn collaboration_update(&self, mode: Option<&CollaborationMode>) -> Option<String> {
        let mut state = self.lock();
        let update = instructions_to_send(mode, state.collaboration_sent.as_deref())?;
        state.collaboration_sent = Some(update.clone());
        Some(update)
    }

    /// Forgets which mode instructions the model read (its history was replaced).
    pub(crate) fn forget_collaboration_mode(&self) {
        self.lock().collaboration_sent = None;
    }

    /// Marks the active turn as ending, so `turn/interrupt` and `turn/steer` are refused from now on.
    pub(crate) fn mark_turn_ending(&self) {
        if let Some(active) = self.lock().active_turn.as_mut() {
            active.ending = true;
        }
    }

    /// Files a finished turn among the thread's turns and frees the thread for the next one.
    pub(crate) fn file_turn(&self, mut turn: StoredTurn, completed_at: i64) {
        let mut state = self.lock();
        let (late, others) = std::mem::take(&mut state.late_items)
            .into_iter()
            .partition(|(turn_id, _)| *turn_id == turn.id);
        state.late_items = others;
        turn.items.extend(late.into_iter().map(|(_, item)| item));
        state.turns.push(turn);
        state.active_turn = None;
        state.updated_at = completed_at;
    }

    /// Drops the last `count` turns (all when there are fewer) and the history they added, and records
    /// it; what the model was told of its environment and mode is read again from what is left. Returns
    /// how many turns were dropped; `None` while a turn runs.
    pub(crate) fn roll_back(&self, count: usize) -> Option<usize> {
        let dropped = {
            let mut state = self.lock();
            if state.active_turn.is_some() {
                return None;
            }
            let state = &mut *state;
            let dropped = rollback::drop_last_turns(
                &mut state.history,
                &mut state.turns,
                &mut state.turn_starts,
                count,
            );
            state.prefix_recorded = !state.history.is_empty();
            state.environment_sent = EnvironmentContext::last_in(&state.history);
            state.collaboration_sent = collaboration_mode::last_sent(&state.history);
            // Everything left is estimated until the next response measures it.
            state.history_len_at_measure = 0;
            state.context_tokens = 0;
            if state.turns.is_empty() {
                state.preview.clear();
            }
            state.updated_at = chrono::Utc::now().timestamp();
            dropped
        };
        self.record(vec![RolloutItem::EventMsg(EventMsg::ThreadRolledBack {
            num_turns: u32::try_from(dropped).unwrap_or(u32::MAX),
        })]);
        Some(dropped)
    }

    /// Files an item that completed on its own (a unified exec session that ended): with its turn if that
    /// ended, else kept until it does; recorded in the rollout under its turn either way.
    pub(crate) fn file_late_item(&self, turn_id: &str, item: TurnItem) {
        {
            let mut state = self.lock();
            let running = state
                .active_turn
                .as_ref()
                .is_some_and(|active| active.turn_id == turn_id);
            match state.turns.iter_mut().rev().find(|turn| turn.id == turn_id) {
                Some(turn) => turn.items.push(item.clone()),
                None if running => state.late_items.push((turn_id.to_string(), item.clone())),
                // Its turn was rolled back.
                None => tracing::debug!("item of a turn the thread no longer has; not filed"),
            }
        }
        self.record(vec![RolloutItem::ItemCompleted {
            turn_id: turn_id.to_string(),
            item,
        }]);
    }

    /// The thread's unified exec sessions, reporting through `events` and filing their items here.
    pub(crate) fn unified_exec_sessions(&self, events: &EventSink) -> Arc<UnifiedExecSessions> {
        let conversation = self.clone();
        Arc::new(UnifiedExecSessions::new(ProcessReporter {
            events: events.clone(),
            file_item: Arc::new(move |turn_id: &str, item| {
                conversation.file_late_item(turn_id, item);
            }),
        }))
    }

    /// Gives every tool call in history without an output the output "aborted": an interrupted or failed
    /// turn, or a daemon killed while a tool ran, can leave one, and the model needs one for every call.
    pub(crate) fn answer_unanswered_calls(&self) {
        let outputs: Vec<ResponseItem> = {
            let mut state = self.lock();
            let answered: std::collections::HashSet<&str> = state
                .history
                .iter()
                .filter_map(ResponseItem::output_call_id)
                .collect();
            let outputs: Vec<ResponseItem> = state
                .history
                .iter()
                .filter_map(ToolCall::from_item)
                .filter(|call| !answered.contains(call.call_id()))
                .map(|call| call.output(TOOL_ABORTED.to_string()))
                .collect();
            state.history.extend(outputs.iter().cloned());
            outputs
        };
        if !outputs.is_empty() {
            self.record(outputs.into_iter().map(RolloutItem::ResponseItem).collect());
        }
    }
}

//! The set of loaded threads and every thread-level operation: start, resume, fork, read, list, archive,
//! unarchive and unload. Builds each thread's settings from config and its `ModelClient` from only the
//! values the client needs.

mod deletion;
mod mcp;
mod metadata_update;

pub use deletion::ThreadDeletion;
pub use metadata_update::GitInfoPatch;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::Mutex;

use tokio::sync::mpsc;

use crate::auth::AuthManager;
use crate::client::Metrics;
use crate::client::ModelClient;
use crate::client::ModelClientParams;
use crate::client::WebSocketProtocol;
use crate::client::identity::CLI_VERSION;
use crate::client::identity::ClientIdentity;
use crate::config::Config;
use crate::config::ConfigLoadOptions;
use crate::config::ConfigOverrides;
use crate::context::collaboration_mode;
use crate::context::environment::EnvironmentContext;
use crate::context::git_ceilings::GitCeilings;
use crate::context::git_info::DEFAULT_GIT_INFO_TIMEOUT;
use crate::context::git_info::collect_git_info;
use crate::model::catalog;
use crate::model::info::ModelInfo;
use crate::protocol::event::EventMsg;
use crate::protocol::event::ThreadEvent;
use crate::protocol::event::ThreadStatus;
use crate::protocol::event_sink::EventSink;
use crate::rollout;
use crate::rollout::RolloutItem;
use crate::rollout::RolloutRecorder;
use crate::rollout::SessionMeta;
use crate::rollout::ThreadHistory;
use crate::rollout::ThreadListPage;
use crate::rollout::ThreadListQuery;
use crate::session::conversation::Conversation;
use crate::session::conversation::ThreadState;
use crate::session::models_manager::ModelsManager;
use crate::session::thread::CodexThread;
use crate::session::thread::ThreadError;
use crate::session::thread::ThreadInner;
use crate::session::thread::ThreadSnapshot;
use crate::session::thread_settings::CompactionSettings;
use crate::session::thread_settings::ThreadMetadata;
use crate::session::thread_settings::ThreadSettings;
use crate::tools::approval::SessionApprovals;
use crate::tools::dynamic_tools::DynamicTool;
use crate::tools::dynamic_tools::lenient_dynamic_tools;

/// How a thread is created.
#[derive(Debug, Clone, Default)]
pub struct StartThreadOptions {
    pub overrides: ConfigOverrides,
    pub ephemeral: bool,
    /// The host's own tools, offered to the model in every turn and kept in the rollout.
    pub dynamic_tools: Vec<DynamicTool>,
}

/// All loaded threads of this process.
pub struct ThreadManager {
    base_options: ConfigLoadOptions,
    codex_home: PathBuf,
    auth_manager: Arc<AuthManager>,
    identity: Mutex<ClientIdentity>,
    threads: Arc<Mutex<HashMap<String, CodexThread>>>,
    events: mpsc::Sender<ThreadEvent>,
    /// One connection pool shared by every thread's model client.
    http: reqwest::Client,
    models: Arc<ModelsManager>,
    /// Where every thread's model client reports its measurements.
    metrics: Metrics,
    /// The MCP servers of the threads.
    mcp: Arc<crate::mcp::McpHub>,
}

impl ThreadManager {
    pub fn new(
        base_options: ConfigLoadOptions,
        codex_home: PathBuf,
        auth_manager: Arc<AuthManager>,
        events: mpsc::Sender<ThreadEvent>,
        models: Arc<ModelsManager>,
    ) -> Self {
        let http = reqwest::Client::new();
        ThreadManager {
            mcp: Arc::new(crate::mcp::McpHub::new(http.clone(), codex_home.clone())),
            base_options,
            codex_home,
            auth_manager,
            identity: Mutex::new(ClientIdentity::default()),
            threads: Arc::new(Mutex::new(HashMap::new())),
            events,
            http,
            models,
            metrics: Metrics::default(),
        }
    }

    /// Reports the measurements of the model clients of threads created from now on to `metrics`.
    pub fn with_metrics(mut self, metrics: Metrics) -> Self {
        self.metrics = metrics;
        self
    }

    pub fn set_client_identity(&self, identity: ClientIdentity) {
        self.models.set_client_identity(identity.clone());
        *self.identity.lock().unwrap_or_else(|e| e.into_inner()) = identity;
    }

    /// The live model catalog (refreshed when the provider's `x-models-etag` changes).
    pub fn models(&self) -> &Arc<ModelsManager> {
        &self.models
    }

    pub fn codex_home(&self) -> &PathBuf {
        &self.codex_home
    }

    /// The provider a new thread would use, as config says now.
    pub fn default_model_provider_id(&self) -> Result<String, ThreadError> {
        Ok(self
            .load_config(ConfigOverrides::default())?
            .model_provider_id)
    }

    /// The config a new or resumed thread runs with; its model's entry comes from the live catalog (refreshed
    /// from the provider, e.g. `prefer_websockets`) when that lists it, with config's per-model keys on top.
    fn load_config(&self, overrides: ConfigOverrides) -> Result<Config, ThreadError> {
        let mut options = self.base_options.clone();
        options.overrides = overrides;
        let mut config = Config::load(options).map_err(ThreadError::Config)?;
        if let Some(live) = self.models.find(&config.model) {
            config.model_info = config.model_overrides.apply(live);
        }
        Ok(config)
    }

    fn model_client(&self, thread_id: &str, config: &Config) -> ModelClient {
        let identity = self
            .identity
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let params = ModelClientParams {
            conversation_id: thread_id.to_string(),
            provider: config.model_provider.clone(),
            auth_manager: Some(Arc::clone(&self.auth_manager)),
            originator: identity.originator,
            user_agent: identity.user_agent,
            session_source_header: None,
            model_verbosity: config.model_verbosity,
            beta_features_header: None,
            http: Some(self.http.clone()),
            enable_responses_websockets: config
                .features
                .enabled(crate::config::Feature::ResponsesWebsockets),
            websocket_protocol: if config
                .features
                .enabled(crate::config::Feature::ResponsesWebsocketsV2)
            {
                WebSocketProtocol::V2
            } else {
                WebSocketProtocol::V1
            },
        };
        ModelClient::with_metrics(params, self.metrics.clone())
    }

    fn settings_from(&self, config: &Config, dynamic_tools: Arc<[DynamicTool]>) -> ThreadSettings {
        ThreadSettings {
            model: config.model.clone(),
            model_info: config.model_info.clone(),
            model_provider_id: config.model_provider_id.clone(),
            effort: config.model_reasoning_effort,
            summary: config.model_reasoning_summary,
            service_tier: config.service_tier.clone(),
            cwd: config.cwd.clone(),
            base_instructions: config
                .base_instructions
                .clone()
                .unwrap_or_else(|| catalog::BASE_INSTRUCTIONS.to_string()),
            developer_instructions: config.developer_instructions.clone(),
            approval_policy: config.approval_policy,
            sandbox_mode: config.sandbox_mode,
            sandbox_workspace_write: config.sandbox_workspace_write.clone(),
            codex_home: config.codex_home.clone(),
            project_doc_max_bytes: config.project_doc_max_bytes,
            web_search_mode: config.web_search_mode,
            compaction: CompactionSettings {
                auto_token_limit: config.model_auto_compact_token_limit,
                prompt: config.compact_prompt.clone(),
            },
            dynamic_tools,
            collaboration_mode: None,
            features: config.features.clone(),
            review_model: config
                .review_model
                .as_deref()
                .map(|slug| self.model_info(slug)),
        }
    }

    /// A model's entry in the live catalog (for `turn/start` model overrides).
    pub fn model_info(&self, slug: &str) -> ModelInfo {
        self.models
            .find(slug)
            .unwrap_or_else(|| catalog::fallback(slug))
    }

    fn insert(&self, thread: CodexThread) {
        self.threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(thread.id().to_string(), thread);
    }

    pub fn get(&self, thread_id: &str) -> Option<CodexThread> {
        self.threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(thread_id)
            .cloned()
    }

    /// Ids of loaded threads, sorted for stable pagination.
    pub fn loaded_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    fn spawn_thread(
        &self,
        metadata: ThreadMetadata,
        config: &Config,
        recorder: Option<RolloutRecorder>,
        history: ThreadHistory,
        dynamic_tools: Vec<DynamicTool>,
    ) -> CodexThread {
        let client = self.model_client(&metadata.id, config);
        // Warm the WebSocket now so the first turn does not pay the handshake (a no-op over HTTP).
        // The handshake carries the thread's git state, as the turn's requests will.
        let thread_git = metadata
            .workspace_git
            .as_ref()
            .and_then(|(_, git)| git.as_ref());
        let sandbox = crate::context::turn_metadata::sandbox_tag(config.sandbox_mode);
        client.preconnect(
            &config.model_info,
            Some(crate::context::turn_metadata::turn_metadata_header(
                "",
                thread_git,
                Some(sandbox),
            )),
        );
        let prefix_recorded = !history.history.is_empty();
        // What the model was last told about its environment, so an unchanged one is not repeated.
        let environment_sent = EnvironmentContext::last_in(&history.history);
        let collaboration_sent = collaboration_mode::last_sent(&history.history);
        let mcp = self.mcp_servers_for(config);
        let events = EventSink::new(&metadata.id, self.events.clone(), ThreadStatus::Idle);
        let conversation = Conversation::new(
            ThreadState {
                // The last usage report measured the whole history as stored; without one,
                // all of it is estimated.
                history_len_at_measure: if history.token_usage.is_some() {
                    history.history.len()
                } else {
                    0
                },
                history: history.history,
                turns: history.turns,
                context_tokens: history
                    .token_usage
                    .map_or(0, |usage| usage.last.total_tokens),
                token_usage: history.token_usage,
                name: history.name,
                preview: history.preview,
                updated_at: history.updated_at.unwrap_or(metadata.created_at),
                active_turn: None,
                prefix_recorded,
                steered_input: Vec::new(),
                collaboration_sent,
                environment_sent,
                closed: false,
                git_info: metadata.git_info.clone(),
                late_items: Vec::new(),
                turn_starts: history.turn_starts,
            },
            recorder,
        );
        let unified_exec = conversation.unified_exec_sessions(&events);
        let thread = CodexThread {
            inner: Arc::new(ThreadInner {
                settings: Mutex::new(self.settings_from(config, dynamic_tools.into())),
                client,
                models: Arc::clone(&self.models),
                conversation: conversation.clone(),
                events,
                metadata,
                approvals: SessionApprovals::default(),
                turn_ended: Arc::new(tokio::sync::Notify::new()),
                mcp,
                unified_exec,
            }),
        };
        self.insert(thread.clone());
        thread
    }

    fn session_meta(
        &self,
        id: &str,
        forked_from_id: Option<String>,
        config: &Config,
        git: Option<rollout::GitInfo>,
        dynamic_tools: &[DynamicTool],
    ) -> SessionMeta {
        let now = chrono::Utc::now();
        let identity = self
            .identity
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        SessionMeta {
            id: id.to_string(),
            forked_from_id,
            timestamp: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            created_at: now.timestamp(),
            cwd: config.cwd.clone(),
            originator: identity.originator,
            cli_version: CLI_VERSION.to_string(),
            source: "vscode".to_string(),
            model_provider: config.model_provider_id.clone(),
            model: config.model.clone(),
            reasoning_effort: config
                .model_reasoning_effort
                .and_then(|e| serde_json::to_value(e).ok())
                .and_then(|v| v.as_str().map(str::to_string)),
            base_instructions: config.base_instructions.clone(),
            developer_instructions: config.developer_instructions.clone(),
            approval_policy: serde_json::to_value(config.approval_policy)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string)),
            sandbox: serde_json::to_value(config.sandbox_mode).ok(),
            git,
            dynamic_tools: dynamic_tools
                .iter()
                .filter_map(|tool| serde_json::to_value(tool).ok())
                .collect(),
        }
    }

    /// Starts a new thread and persists it (unless ephemeral).
    pub async fn start_thread(
        &self,
        options: StartThreadOptions,
    ) -> Result<CodexThread, ThreadError> {
        let config = self.load_config(options.overrides)?;
        self.check_required_mcp_servers(&config).await?;
        let id = uuid::Uuid::now_v7().to_string();
        let workspace_git = collect_git_info(
            &config.cwd,
            &GitCeilings::from_env(),
            DEFAULT_GIT_INFO_TIMEOUT,
        )
        .await;
        let git = workspace_git.as_ref().map(|info| info.rollout_git_info());
        let meta = self.session_meta(&id, None, &config, git, &options.dynamic_tools);
        let recorder = if options.ephemeral {
            None
        } else {
            Some(
                RolloutRecorder::create(&self.codex_home, meta.clone())
                    .await
                    .map_err(|e| ThreadError::Rollout(e.into()))?,
            )
        };
        let metadata = ThreadMetadata {
            id,
            forked_from_id: None,
            created_at: meta.created_at,
            path: recorder.as_ref().map(|r| r.path().to_path_buf()),
            ephemeral: options.ephemeral,
            cli_version: CLI_VERSION.to_string(),
            source: meta.source.clone(),
            git_info: meta.git.clone(),
            workspace_git: Some((config.cwd.clone(), workspace_git)),
        };
        let history = ThreadHistory::default();
        Ok(self.spawn_thread(metadata, &config, recorder, history, options.dynamic_tools))
    }

    /// Loads a stored thread (or returns the loaded one) with its history and turns.
    pub async fn resume_thread(
        &self,
        thread_id: &str,
        mut overrides: ConfigOverrides,
    ) -> Result<CodexThread, ThreadError> {
        if let Some(thread) = self.get(thread_id)
            && !thread.is_closed()
        {
            // Following it again cancels an unload waiting for its turn to end.
            thread.set_subscribed(true);
            return Ok(thread);
        }
        let (path, _archived) = rollout::find_thread_path(&self.codex_home, thread_id)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?
            .ok_or_else(|| ThreadError::NotFound(thread_id.to_string()))?;
        let loaded = rollout::load_rollout(&path)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?;
        // An upstream thread that never ran a turn names no model: the configured one is used.
        if overrides.model.is_none() && !loaded.meta.model.is_empty() {
            overrides.model = Some(loaded.meta.model.clone());
        }
        if overrides.cwd.is_none() {
            overrides.cwd = Some(loaded.meta.cwd.clone());
        }
        let config = self.load_config(overrides)?;
        let mut history = ThreadHistory::from_items(&loaded.items);
        if history.name.is_none() {
            history.name = rollout::indexed_thread_name(&self.codex_home, thread_id).await;
        }
        let recorder = RolloutRecorder::resume(&path)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?;
        // Gathered now, as at thread start, so the first request of the next turn already carries it.
        let workspace_git = collect_git_info(
            &config.cwd,
            &GitCeilings::from_env(),
            DEFAULT_GIT_INFO_TIMEOUT,
        )
        .await;
        let metadata = ThreadMetadata {
            id: loaded.meta.id.clone(),
            forked_from_id: loaded.meta.forked_from_id.clone(),
            created_at: loaded.meta.created_at,
            path: Some(path),
            ephemeral: false,
            cli_version: loaded.meta.cli_version.clone(),
            source: loaded.meta.source.clone(),
            git_info: history
                .git_info
                .clone()
                .unwrap_or_else(|| loaded.meta.git.clone()),
            workspace_git: Some((config.cwd.clone(), workspace_git)),
        };
        let dynamic_tools = lenient_dynamic_tools(loaded.meta.dynamic_tools);
        Ok(self.spawn_thread(metadata, &config, Some(recorder), history, dynamic_tools))
    }

    /// Copies a thread's history into a new thread.
    pub async fn fork_thread(
        &self,
        source_id: &str,
        mut overrides: ConfigOverrides,
        ephemeral: bool,
    ) -> Result<CodexThread, ThreadError> {
        let source = match self.get(source_id) {
            Some(thread) => {
                if let Some(recorder) = thread.inner.conversation.recorder() {
                    recorder
                        .flush()
                        .await
                        .map_err(|e| ThreadError::Rollout(e.into()))?;
                    rollout::load_rollout(recorder.path())
                        .await
                        .map_err(|e| ThreadError::Rollout(e.into()))?
                } else {
                    return Err(ThreadError::InvalidInput(format!(
                        "thread {source_id} is ephemeral and cannot be forked"
                    )));
                }
            }
            None => {
                let (path, _) = rollout::find_thread_path(&self.codex_home, source_id)
                    .await
                    .map_err(|e| ThreadError::Rollout(e.into()))?
                    .ok_or_else(|| ThreadError::NotFound(source_id.to_string()))?;
                rollout::load_rollout(&path)
                    .await
                    .map_err(|e| ThreadError::Rollout(e.into()))?
            }
        };
        // Like a resume, the copy keeps the source's model and working directory unless told otherwise.
        overrides
            .model
            .get_or_insert_with(|| source.meta.model.clone());
        overrides.cwd.get_or_insert_with(|| source.meta.cwd.clone());
        let items = source.items;
        let config = self.load_config(overrides)?;
        let id = uuid::Uuid::now_v7().to_string();
        let workspace_git = collect_git_info(
            &config.cwd,
            &GitCeilings::from_env(),
            DEFAULT_GIT_INFO_TIMEOUT,
        )
        .await;
        let git = workspace_git.as_ref().map(|info| info.rollout_git_info());
        // The copy offers the source's host tools, as upstream's fork does.
        let dynamic_tools = lenient_dynamic_tools(source.meta.dynamic_tools);
        let meta = self.session_meta(
            &id,
            Some(source_id.to_string()),
            &config,
            git,
            &dynamic_tools,
        );
        let history = ThreadHistory::from_items(&items);
        let recorder = if ephemeral {
            None
        } else {
            let recorder = RolloutRecorder::create(&self.codex_home, meta.clone())
                .await
                .map_err(|e| ThreadError::Rollout(e.into()))?;
            recorder.record_copied(
                items
                    .into_iter()
                    .filter(|item| !matches!(item, RolloutItem::SessionMeta(_)))
                    .collect(),
            );
            Some(recorder)
        };
        let metadata = ThreadMetadata {
            id,
            forked_from_id: Some(source_id.to_string()),
            created_at: meta.created_at,
            path: recorder.as_ref().map(|r| r.path().to_path_buf()),
            ephemeral,
            cli_version: CLI_VERSION.to_string(),
            git_info: meta.git.clone(),
            workspace_git: Some((config.cwd.clone(), workspace_git)),
            source: meta.source,
        };
        Ok(self.spawn_thread(metadata, &config, recorder, history, dynamic_tools))
    }

    /// A loaded thread's live snapshot, or a stored one with status `NotLoaded`.
    pub async fn read_thread(&self, thread_id: &str) -> Result<ThreadSnapshot, ThreadError> {
        if let Some(thread) = self.get(thread_id) {
            return Ok(thread.snapshot());
        }
        let (path, _) = rollout::find_thread_path(&self.codex_home, thread_id)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?
            .ok_or_else(|| ThreadError::NotLoaded(thread_id.to_string()))?;
        let loaded = rollout::load_rollout(&path)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?;
        let mut history = ThreadHistory::from_items(&loaded.items);
        if history.name.is_none() {
            history.name = rollout::indexed_thread_name(&self.codex_home, thread_id).await;
        }
        let meta = loaded.meta;
        let model_info = self.model_info(&meta.model);
        Ok(ThreadSnapshot {
            metadata: ThreadMetadata {
                id: meta.id.clone(),
                forked_from_id: meta.forked_from_id.clone(),
                created_at: meta.created_at,
                path: Some(path),
                ephemeral: false,
                cli_version: meta.cli_version.clone(),
                source: meta.source.clone(),
                git_info: history.git_info.clone().unwrap_or_else(|| meta.git.clone()),
                workspace_git: None,
            },
            settings: ThreadSettings {
                model: meta.model.clone(),
                model_info,
                model_provider_id: meta.model_provider.clone(),
                effort: None,
                summary: Default::default(),
                service_tier: None,
                cwd: meta.cwd.clone(),
                base_instructions: meta.base_instructions.clone().unwrap_or_default(),
                developer_instructions: meta.developer_instructions.clone(),
                approval_policy: meta
                    .approval_policy
                    .as_deref()
                    .and_then(|policy| serde_json::from_value(serde_json::json!(policy)).ok())
                    .unwrap_or_default(),
                sandbox_mode: Default::default(),
                sandbox_workspace_write: Default::default(),
                codex_home: self.codex_home.clone(),
                project_doc_max_bytes: 0,
                web_search_mode: Default::default(),
                compaction: CompactionSettings::default(),
                dynamic_tools: lenient_dynamic_tools(meta.dynamic_tools.clone()).into(),
                collaboration_mode: None,
                features: Default::default(),
                review_model: None,
            },
            name: history.name,
            preview: history.preview,
            updated_at: history.updated_at.unwrap_or(meta.created_at),
            status: ThreadStatus::NotLoaded,
            turns: history.turns,
        })
    }

    /// Stored threads, newest first; loaded ones carry their live status.
    pub async fn list_threads(
        &self,
        query: ThreadListQuery,
    ) -> Result<(ThreadListPage, HashMap<String, ThreadStatus>), ThreadError> {
        let mut page = rollout::list_threads(&self.codex_home, query)
            .await
            .map_err(|e| match e.kind() {
                // The only bad input a listing can get is a cursor it did not hand out.
                std::io::ErrorKind::InvalidInput => ThreadError::InvalidInput(e.to_string()),
                _ => ThreadError::Rollout(e.into()),
            })?;
        let mut statuses = HashMap::new();
        // A loaded thread's name and preview may be newer than what its rollout writer has flushed.
        for summary in &mut page.items {
            if let Some(thread) = self.get(&summary.id) {
                let snapshot = thread.snapshot();
                summary.name = snapshot.name;
                if !snapshot.preview.is_empty() {
                    summary.preview = snapshot.preview;
                }
                summary.meta.git = snapshot.metadata.git_info;
                statuses.insert(summary.id.clone(), snapshot.status);
            } else if let Some(git) = metadata_update::stored_git_info(&summary.path).await {
                summary.meta.git = git;
            }
        }
        Ok((page, statuses))
    }

    /// Unloads a thread (interrupting its turn) and moves its rollout to `archived_sessions/`.
    pub async fn archive_thread(&self, thread_id: &str) -> Result<(), ThreadError> {
        let removed = self
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(thread_id);
        if let Some(thread) = removed {
            thread.shutdown().await;
        }
        let (path, archived) = rollout::find_thread_path(&self.codex_home, thread_id)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?
            .ok_or_else(|| ThreadError::NotFound(thread_id.to_string()))?;
        if archived {
            return Ok(());
        }
        rollout::archive_thread(&self.codex_home, &path)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?;
        Ok(())
    }

    /// Moves an archived thread back and returns its stored snapshot.
    pub async fn unarchive_thread(&self, thread_id: &str) -> Result<ThreadSnapshot, ThreadError> {
        let (path, archived) = rollout::find_thread_path(&self.codex_home, thread_id)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?
            .ok_or_else(|| ThreadError::NotFound(thread_id.to_string()))?;
        if archived {
            rollout::unarchive_thread(&self.codex_home, &path)
                .await
                .map_err(|e| ThreadError::Rollout(e.into()))?;
        }
        self.read_thread(thread_id).await
    }

    /// The host stops following a thread. An idle thread is unloaded at once (after `unload_now` is
    /// dropped, so the host sees the answer first); one running a turn keeps running, unreported, and is
    /// unloaded when the turn ends unless the host follows it again (`thread/resume`) first.
    pub fn unsubscribe(&self, thread_id: &str) -> (UnsubscribeOutcome, Option<PendingUnload>) {
        let Some(thread) = self.get(thread_id) else {
            return (UnsubscribeOutcome::NotLoaded, None);
        };
        if !thread.set_subscribed(false) {
            return (UnsubscribeOutcome::NotSubscribed, None);
        }
        let (release, released) = tokio::sync::oneshot::channel();
        let threads = Arc::clone(&self.threads);
        tokio::spawn(async move {
            let _ = released.await;
            unload_when_idle(threads, thread).await;
        });
        (
            UnsubscribeOutcome::Unsubscribed,
            Some(PendingUnload { _release: release }),
        )
    }

    /// Interrupts every turn and flushes every rollout (shutdown).
    pub async fn shutdown_all(&self) {
        let threads: Vec<CodexThread> = self
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect();
        for thread in threads {
            thread.shutdown().await;
        }
        self.mcp.shutdown();
    }
}

/// What `unsubscribe` found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsubscribeOutcome {
    NotLoaded,
    NotSubscribed,
    Unsubscribed,
}

/// Holds back an unload until dropped, so the host's answer is written before the thread's closing events.
pub struct PendingUnload {
    _release: tokio::sync::oneshot::Sender<()>,
}

/// Unloads `thread` once no turn runs in it, unless it is followed again first: it leaves the loaded
/// threads, its rollout is flushed, and every host is told (`notLoaded`, then closed).
async fn unload_when_idle(threads: Arc<Mutex<HashMap<String, CodexThread>>>, thread: CodexThread) {
    loop {
        thread.wait_until_idle().await;
        if thread.is_subscribed() {
            return;
        }
        match thread.close_if_unfollowed_and_idle() {
            Some(true) => break,
            Some(false) => {}
            // Another unsubscribe already closed it.
            None => return,
        }
    }
    {
        let mut threads = threads.lock().unwrap_or_else(|e| e.into_inner());
        // A thread loaded again under the same id since is another one: leave it.
        if threads
            .get(thread.id())
            .is_some_and(|loaded| Arc::ptr_eq(&loaded.inner, &thread.inner))
        {
            threads.remove(thread.id());
        }
    }
    thread.shutdown().await;
    thread.inner.events.replace_status(ThreadStatus::NotLoaded);
    thread
        .inner
        .emit_always(EventMsg::StatusChanged(ThreadStatus::NotLoaded))
        .await;
    thread.inner.emit_always(EventMsg::Closed).await;
    tracing::debug!("thread {} unloaded", thread.id());
}

//! What one turn runs with: its id, a snapshot of the thread's settings, its cancellation, its metadata
//! header, the thread's event sink and approvals, and handles on the conversation it extends. The turn
//! loop and the tools take a `&TurnContext` (the tools only its `ToolContext` part), never the thread.

use crate::tools::unified_exec::UnifiedExecSessions;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::context::collaboration_mode::mode_kind;
use crate::context::git_ceilings::GitCeilings;
use crate::context::git_info::DEFAULT_GIT_INFO_TIMEOUT;
use crate::context::git_info::GitInfo;
use crate::context::turn_metadata::TurnMetadataState;
use crate::context::turn_metadata::sandbox_tag;
use crate::mcp::McpServers;
use crate::protocol::event_sink::EventSink;
use crate::sandbox::SandboxPolicy;
use crate::session::conversation::Conversation;
use crate::session::thread_settings::ThreadSettings;
use crate::session::thread_settings::TurnOnlyOptions;
use crate::tools::approval::SessionApprovals;
use crate::tools::context::ToolContext;
use crate::tools::context::ToolSettings;
use crate::tools::mcp_tools::McpTurnTools;

/// The workspace inspected when the thread started and its git state (`None`: not a repository).
pub(crate) type WorkspaceGit = Option<(PathBuf, Option<GitInfo>)>;

/// Called with the provider's `x-models-etag` when a response carries one.
pub(crate) type ModelsEtagHook = Arc<dyn Fn(String) + Send + Sync>;

/// What every turn of a thread shares with the thread (and with the thread's own shell commands).
#[derive(Clone)]
pub(crate) struct TurnShared {
    pub(crate) conversation: Conversation,
    pub(crate) events: EventSink,
    pub(crate) approvals: SessionApprovals,
    /// Notified when a turn has ended (after `turn/completed` is emitted).
    pub(crate) turn_ended: Arc<Notify>,
    pub(crate) workspace_git: WorkspaceGit,
    /// The thread's MCP servers.
    pub(crate) mcp: Arc<McpServers>,
    /// The thread's unified exec sessions.
    pub(crate) unified_exec: Arc<UnifiedExecSessions>,
}

impl TurnShared {
    /// The git state gathered when the thread started, if the turn still works in that directory.
    pub(crate) fn known_git(&self, cwd: &std::path::Path) -> Option<Option<&GitInfo>> {
        match &self.workspace_git {
            Some((git_cwd, git)) if git_cwd == cwd => Some(git.as_ref()),
            Some(_) | None => None,
        }
    }
}

/// One turn's context.
pub(crate) struct TurnContext {
    /// The turn's id, its tool settings, cancellation, events and approvals: what its tools may see.
    pub(crate) tools: ToolContext,
    /// The thread's settings when the turn started (with the turn's lasting overrides applied).
    pub(crate) settings: ThreadSettings,
    pub(crate) this_turn: TurnOnlyOptions,
    /// The `x-codex-turn-metadata` header, enriched with git state once it is known.
    pub(crate) metadata: TurnMetadataState,
    pub(crate) shared: TurnShared,
    /// How often a dropped or failed stream is retried before the turn fails.
    pub(crate) stream_max_retries: u64,
    models_etag_hook: Option<ModelsEtagHook>,
    /// A review's reviewer: offered no web search and no image viewing.
    pub(crate) reviewing: bool,
}

impl TurnContext {
    pub(crate) fn new(
        turn_id: String,
        settings: ThreadSettings,
        this_turn: TurnOnlyOptions,
        cancel: CancellationToken,
        shared: TurnShared,
    ) -> Self {
        let tools = ToolContext {
            turn_id,
            settings: ToolSettings {
                cwd: settings.cwd.clone(),
                approval_policy: settings.approval_policy,
                sandbox: SandboxPolicy::from_config(
                    settings.sandbox_mode,
                    &settings.sandbox_workspace_write,
                ),
                codex_home: settings.codex_home.clone(),
                image_input: settings.model_info.takes_images(),
                host_tool_names: settings
                    .dynamic_tools
                    .iter()
                    .map(|tool| tool.name().to_string())
                    .collect(),
                collaboration_mode: mode_kind(settings.collaboration_mode.as_ref()),
                mcp: Arc::new(McpTurnTools::new(Arc::clone(&shared.mcp))),
            },
            cancel,
            events: shared.events.clone(),
            approvals: shared.approvals.clone(),
            approval_turn: None,
            unified_exec: Arc::clone(&shared.unified_exec),
        };
        let mut metadata = TurnMetadataState::with_known_git(
            &tools.turn_id,
            Some(sandbox_tag(settings.sandbox_mode)),
            shared.known_git(&settings.cwd).flatten(),
        );
        metadata.spawn_git_enrichment(
            settings.cwd.clone(),
            GitCeilings::from_env(),
            DEFAULT_GIT_INFO_TIMEOUT,
        );
        Self {
            tools,
            settings,
            this_turn,
            metadata,
            shared,
            stream_max_retries: 0,
            models_etag_hook: None,
            reviewing: false,
        }
    }

    /// This context as a review's reviewer's (see `reviewing`).
    pub(crate) fn reviewing(mut self) -> Self {
        self.reviewing = true;
        self
    }

    pub(crate) fn with_stream_max_retries(mut self, retries: u64) -> Self {
        self.stream_max_retries = retries;
        self
    }

    pub(crate) fn with_models_etag_hook(mut self, hook: ModelsEtagHook) -> Self {
        self.models_etag_hook = Some(hook);
        self
    }

    pub(crate) fn turn_id(&self) -> &str {
        &self.tools.turn_id
    }

    pub(crate) fn cancel(&self) -> &CancellationToken {
        &self.tools.cancel
    }

    pub(crate) fn events(&self) -> &EventSink {
        &self.shared.events
    }

    pub(crate) fn conversation(&self) -> &Conversation {
        &self.shared.conversation
    }

    /// Passes a response's models etag on to whoever keeps the model list current.
    pub(crate) fn models_etag_seen(&self, etag: String) {
        if let Some(hook) = &self.models_etag_hook {
            hook(etag);
        }
    }
}

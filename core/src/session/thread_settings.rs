//! What a thread runs with: its settings (model, policies, working directory, instructions), its identity
//! and metadata, and the overrides a turn may bring, kept for later turns or for that turn only.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::AskForApproval;
use crate::config::SandboxMode;
use crate::config::SandboxWorkspaceWrite;
use crate::context::collaboration_mode::CollaborationMode;
use crate::model::info::ModelInfo;
use crate::model::info::ReasoningEffort;
use crate::model::info::ReasoningSummaryMode;
use crate::tools::dynamic_tools::DynamicTool;

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
    /// When and how the thread compacts its history.
    pub compaction: CompactionSettings,
    /// The host's own tools (`dynamicTools`), fixed when the thread started and kept in its rollout.
    pub dynamic_tools: Arc<[DynamicTool]>,
    /// The collaboration mode a turn chose (experimental); `None`: never chosen, which works as `default`.
    pub collaboration_mode: Option<CollaborationMode>,
    /// The `[features]` in force (which shell tool the model gets, among others).
    pub features: crate::config::Features,
    /// The model `review/start` reviews with (`review_model`); `None`: the thread's own.
    pub review_model: Option<ModelInfo>,
}

/// `model_auto_compact_token_limit` and the compaction prompt, from config.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompactionSettings {
    pub auto_token_limit: Option<i64>,
    /// The summarization instructions; `None`: the built-in prompt.
    pub prompt: Option<String>,
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
    /// A collaboration mode with the model and effort it comes with; it wins over `model` and `effort`.
    pub collaboration: Option<CollaborationChange>,
    /// This turn only, not kept for later turns.
    pub this_turn: TurnOnlyOptions,
}

/// A collaboration mode selected by a turn (`collaborationMode`) and the settings it brings.
#[derive(Debug, Clone, PartialEq)]
pub struct CollaborationChange {
    pub mode: CollaborationMode,
    pub model: String,
    /// `None`: the model's default effort.
    pub effort: Option<ReasoningEffort>,
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

impl ThreadSettings {
    /// Applies a turn's lasting overrides; `model_lookup` gives the catalog entry of a new model.
    pub(crate) fn apply(
        &mut self,
        overrides: TurnOverrides,
        model_lookup: impl Fn(&str) -> ModelInfo,
    ) {
        if let Some(model) = overrides.model {
            self.model_info = model_lookup(&model);
            self.model = model;
        }
        if let Some(effort) = overrides.effort {
            self.effort = Some(effort);
        }
        if let Some(summary) = overrides.summary {
            self.summary = summary;
        }
        if let Some(cwd) = overrides.cwd {
            self.cwd = cwd;
        }
        if let Some(approval_policy) = overrides.approval_policy {
            self.approval_policy = approval_policy;
        }
        if let Some((mode, workspace_write)) = overrides.sandbox {
            self.sandbox_mode = mode;
            self.sandbox_workspace_write = workspace_write;
        }
        if let Some(service_tier) = overrides.service_tier {
            self.service_tier = Some(service_tier);
        }
        if let Some(change) = overrides.collaboration {
            if change.model != self.model {
                self.model_info = model_lookup(&change.model);
                self.model = change.model;
            }
            self.effort = change.effort;
            self.collaboration_mode = Some(change.mode);
        }
    }
}

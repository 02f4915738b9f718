//! Core values as v2 wire values (and wire inputs as core values): threads, turns, items, statuses, errors,
//! token usage, rate limits, approval and sandbox settings. Every match is exhaustive, so a new variant on
//! either side fails the build here instead of vanishing on the wire.

use codex_app_server_protocol as wire;
use codex_core::config::AskForApproval;
use codex_core::config::SandboxMode;
use codex_core::config::SandboxWorkspaceWrite;
use codex_core::model::info::ReasoningEffort;
use codex_core::model::info::ReasoningSummaryMode;
use codex_core::protocol::dynamic_tool::DynamicToolContentItem;
use codex_core::protocol::event::ThreadStatus;
use codex_core::protocol::event::TurnSummary;
use codex_core::protocol::plan::PlanStep;
use codex_core::protocol::plan::StepStatus;
use codex_core::protocol::rate_limit::RateLimitSnapshot;
use codex_core::protocol::response_item::MessagePhase;
use codex_core::protocol::token_usage::TokenUsage;
use codex_core::protocol::token_usage::TokenUsageInfo;
use codex_core::protocol::turn_item::CommandAction;
use codex_core::protocol::turn_item::CommandSource;
use codex_core::protocol::turn_item::FileChange;
use codex_core::protocol::turn_item::FileChangeKind;
use codex_core::protocol::turn_item::ToolItemStatus;
use codex_core::protocol::turn_item::TurnItem;
use codex_core::protocol::turn_item::UserInput;
use codex_core::protocol::turn_outcome::CodexErrorInfo;
use codex_core::protocol::turn_outcome::TurnError;
use codex_core::protocol::turn_outcome::TurnStatus;
use codex_core::rollout::StoredTurn;
use codex_core::rollout::ThreadSummary;
use codex_core::session::thread::ThreadSnapshot;

/// The current time in Unix milliseconds, for the wire's `*AtMs` fields.
pub fn now_unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// A loaded or stored thread as the wire's `Thread`; `turns` only when asked for.
pub fn thread(snapshot: &ThreadSnapshot, include_turns: bool) -> wire::Thread {
    wire::Thread {
        id: snapshot.metadata.id.clone(),
        preview: snapshot.preview.clone(),
        name: snapshot.name.clone(),
        model_provider: snapshot.settings.model_provider_id.clone(),
        created_at: snapshot.metadata.created_at,
        updated_at: snapshot.updated_at,
        status: thread_status(snapshot.status),
        path: snapshot
            .metadata
            .path
            .as_ref()
            .map(|path| path.display().to_string()),
        cwd: snapshot.settings.cwd.display().to_string(),
        cli_version: snapshot.metadata.cli_version.clone(),
        source: session_source(&snapshot.metadata.source),
        agent_nickname: None,
        agent_role: None,
        git_info: snapshot.metadata.git_info.as_ref().map(git_info),
        turns: if include_turns {
            snapshot.turns.iter().map(stored_turn).collect()
        } else {
            Vec::new()
        },
        ephemeral: snapshot.metadata.ephemeral,
        session_id: snapshot.metadata.id.clone(),
        project_id: None,
    }
}

/// A stored thread from a listing; `status` is the live one when the thread is loaded.
pub fn listed_thread(summary: &ThreadSummary, status: ThreadStatus) -> wire::Thread {
    wire::Thread {
        id: summary.id.clone(),
        preview: summary.preview.clone(),
        name: summary.name.clone(),
        model_provider: summary.meta.model_provider.clone(),
        created_at: summary.created_at,
        updated_at: summary.updated_at,
        status: thread_status(status),
        path: Some(summary.path.display().to_string()),
        cwd: summary.meta.cwd.display().to_string(),
        cli_version: summary.meta.cli_version.clone(),
        source: session_source(&summary.meta.source),
        agent_nickname: None,
        agent_role: None,
        git_info: summary.meta.git.as_ref().map(git_info),
        turns: Vec::new(),
        ephemeral: false,
        session_id: summary.id.clone(),
        project_id: None,
    }
}

fn git_info(git: &codex_core::rollout::GitInfo) -> wire::GitInfo {
    wire::GitInfo {
        sha: git.commit_hash.clone(),
        branch: git.branch.clone(),
        origin_url: git.repository_url.clone(),
    }
}

/// The stored source as the wire says it: upstream's `mcp` is an app-server thread; of its sub-agent
/// sources (`subagent_<kind>` once stored) only the plain `review` / `compact` ones are known whole.
fn session_source(source: &str) -> wire::SessionSource {
    match source {
        "mcp" => wire::SessionSource::AppServer,
        "subagent_review" => wire::SessionSource::SubAgent(serde_json::json!("review")),
        "subagent_compact" => wire::SessionSource::SubAgent(serde_json::json!("compact")),
        _ => serde_json::from_value(serde_json::Value::String(source.to_string()))
            .unwrap_or(wire::SessionSource::Unknown),
    }
}

pub fn thread_status(status: ThreadStatus) -> wire::ThreadStatus {
    match status {
        ThreadStatus::NotLoaded => wire::ThreadStatus::NotLoaded,
        ThreadStatus::Idle => wire::ThreadStatus::Idle,
        ThreadStatus::SystemError => wire::ThreadStatus::SystemError,
        ThreadStatus::Active {
            waiting_on_approval,
            waiting_on_user_input,
        } => wire::ThreadStatus::Active {
            active_flags: [
                waiting_on_approval.then_some(wire::ThreadActiveFlag::WaitingOnApproval),
                waiting_on_user_input.then_some(wire::ThreadActiveFlag::WaitingOnUserInput),
            ]
            .into_iter()
            .flatten()
            .collect(),
        },
    }
}

/// A turn on its boundaries (`turn/started`, `turn/completed`, `turn/start`): items travel separately.
pub fn turn_summary(turn: &TurnSummary) -> wire::Turn {
    wire::Turn {
        id: turn.id.clone(),
        items: Vec::new(),
        status: turn_status(turn.status),
        error: turn.error.as_ref().map(turn_error),
        started_at: turn.started_at,
        completed_at: turn.completed_at,
        duration_ms: turn.duration_ms,
        items_view: Some(wire::TurnItemsView::NotLoaded),
    }
}

/// A turn from history, with its items.
pub fn stored_turn(turn: &StoredTurn) -> wire::Turn {
    wire::Turn {
        id: turn.id.clone(),
        items: turn.items.iter().map(thread_item).collect(),
        status: turn_status(turn.status),
        error: turn.error.as_ref().map(turn_error),
        started_at: turn.started_at,
        completed_at: turn.completed_at,
        duration_ms: turn.duration_ms,
        items_view: Some(wire::TurnItemsView::Full),
    }
}

pub fn turn_status(status: TurnStatus) -> wire::TurnStatus {
    match status {
        TurnStatus::InProgress => wire::TurnStatus::InProgress,
        TurnStatus::Completed => wire::TurnStatus::Completed,
        TurnStatus::Interrupted => wire::TurnStatus::Interrupted,
        TurnStatus::Failed => wire::TurnStatus::Failed,
    }
}

pub fn turn_error(error: &TurnError) -> wire::TurnError {
    wire::TurnError {
        message: error.message.clone(),
        codex_error_info: error.codex_error_info.map(codex_error_info),
        additional_details: error.additional_details.clone(),
    }
}

fn codex_error_info(info: CodexErrorInfo) -> wire::CodexErrorInfo {
    match info {
        CodexErrorInfo::ContextWindowExceeded => wire::CodexErrorInfo::ContextWindowExceeded,
        CodexErrorInfo::UsageLimitExceeded => wire::CodexErrorInfo::UsageLimitExceeded,
        CodexErrorInfo::ServerOverloaded => wire::CodexErrorInfo::ServerOverloaded,
        CodexErrorInfo::HttpConnectionFailed { http_status_code } => {
            wire::CodexErrorInfo::HttpConnectionFailed { http_status_code }
        }
        CodexErrorInfo::ResponseStreamConnectionFailed { http_status_code } => {
            wire::CodexErrorInfo::ResponseStreamConnectionFailed { http_status_code }
        }
        CodexErrorInfo::InternalServerError => wire::CodexErrorInfo::InternalServerError,
        CodexErrorInfo::Unauthorized => wire::CodexErrorInfo::Unauthorized,
        CodexErrorInfo::BadRequest => wire::CodexErrorInfo::BadRequest,
        CodexErrorInfo::SandboxError => wire::CodexErrorInfo::SandboxError,
        CodexErrorInfo::ResponseStreamDisconnected { http_status_code } => {
            wire::CodexErrorInfo::ResponseStreamDisconnected { http_status_code }
        }
        CodexErrorInfo::ResponseTooManyFailedAttempts { http_status_code } => {
            wire::CodexErrorInfo::ResponseTooManyFailedAttempts { http_status_code }
        }
        CodexErrorInfo::Other => wire::CodexErrorInfo::Other,
    }
}

fn message_phase(phase: MessagePhase) -> wire::MessagePhase {
    match phase {
        MessagePhase::Commentary => wire::MessagePhase::Commentary,
        MessagePhase::FinalAnswer => wire::MessagePhase::FinalAnswer,
    }
}

pub fn thread_item(item: &TurnItem) -> wire::ThreadItem {
    match item {
        TurnItem::UserMessage {
            id,
            content,
            client_id,
        } => wire::ThreadItem::UserMessage {
            id: id.clone(),
            content: content.iter().map(user_input).collect(),
            client_id: client_id.clone(),
        },
        TurnItem::Plan { id, text } => wire::ThreadItem::Plan {
            id: id.clone(),
            text: text.clone(),
        },
        TurnItem::AgentMessage { id, text, phase } => wire::ThreadItem::AgentMessage {
            id: id.clone(),
            text: text.clone(),
            phase: phase.map(message_phase),
        },
        TurnItem::Reasoning {
            id,
            summary,
            content,
        } => wire::ThreadItem::Reasoning {
            id: id.clone(),
            summary: summary.clone(),
            content: content.clone(),
        },
        TurnItem::CommandExecution {
            id,
            command,
            cwd,
            status,
            command_actions,
            aggregated_output,
            exit_code,
            duration_ms,
            source,
            process_id,
        } => wire::ThreadItem::CommandExecution {
            id: id.clone(),
            command: command.clone(),
            cwd: cwd.clone(),
            process_id: process_id.clone(),
            status: match status {
                ToolItemStatus::InProgress => wire::CommandExecutionStatus::InProgress,
                ToolItemStatus::Completed => wire::CommandExecutionStatus::Completed,
                ToolItemStatus::Failed => wire::CommandExecutionStatus::Failed,
                ToolItemStatus::Declined => wire::CommandExecutionStatus::Declined,
            },
            command_actions: command_actions.iter().map(command_action).collect(),
            aggregated_output: aggregated_output.clone(),
            exit_code: *exit_code,
            duration_ms: *duration_ms,
            source: match source {
                CommandSource::Agent => wire::CommandExecutionSource::Agent,
                CommandSource::UserShell => wire::CommandExecutionSource::UserShell,
                CommandSource::UnifiedExecStartup => {
                    wire::CommandExecutionSource::UnifiedExecStartup
                }
            },
        },
        TurnItem::FileChange {
            id,
            changes,
            status,
        } => wire::ThreadItem::FileChange {
            id: id.clone(),
            changes: changes.iter().map(file_update_change).collect(),
            status: match status {
                ToolItemStatus::InProgress => wire::PatchApplyStatus::InProgress,
                ToolItemStatus::Completed => wire::PatchApplyStatus::Completed,
                ToolItemStatus::Failed => wire::PatchApplyStatus::Failed,
                ToolItemStatus::Declined => wire::PatchApplyStatus::Declined,
            },
        },
        TurnItem::WebSearch { id, query } => wire::ThreadItem::WebSearch {
            id: id.clone(),
            query: query.clone(),
            action: None,
        },
        TurnItem::DynamicToolCall {
            id,
            tool,
            arguments,
            status,
            content_items,
            success,
            duration_ms,
        } => wire::ThreadItem::DynamicToolCall {
            id: id.clone(),
            namespace: None,
            tool: tool.clone(),
            arguments: arguments.clone(),
            status: dynamic_tool_status(*status),
            content_items: content_items
                .as_ref()
                .map(|items| items.iter().map(dynamic_tool_content).collect()),
            success: *success,
            duration_ms: *duration_ms,
        },
        TurnItem::McpToolCall { .. } => mcp_tool_call_item(item),
        TurnItem::ImageView { id, path } => wire::ThreadItem::ImageView {
            id: id.clone(),
            path: path.clone(),
        },
        TurnItem::ContextCompaction { id } => {
            wire::ThreadItem::ContextCompaction { id: id.clone() }
        }
        TurnItem::EnteredReviewMode { id, review } => wire::ThreadItem::EnteredReviewMode {
            id: id.clone(),
            review: review.clone(),
        },
        TurnItem::ExitedReviewMode { id, review } => wire::ThreadItem::ExitedReviewMode {
            id: id.clone(),
            review: review.clone(),
        },
    }
}

/// One file of a `fileChange` item.
fn file_update_change(change: &FileChange) -> wire::FileUpdateChange {
    wire::FileUpdateChange {
        path: change.path.clone(),
        kind: match &change.kind {
            FileChangeKind::Add => wire::PatchChangeKind::Add,
            FileChangeKind::Delete => wire::PatchChangeKind::Delete,
            FileChangeKind::Update { move_path } => wire::PatchChangeKind::Update {
                move_path: move_path.clone(),
            },
        },
        diff: change.diff.clone(),
    }
}

/// An `mcpToolCall` item (`item` is a `TurnItem::McpToolCall`).
fn mcp_tool_call_item(item: &TurnItem) -> wire::ThreadItem {
    let TurnItem::McpToolCall {
        id,
        server,
        tool,
        arguments,
        status,
        result,
        error,
        duration_ms,
    } = item
    else {
        unreachable!("not an MCP tool call: {item:?}");
    };
    wire::ThreadItem::McpToolCall {
        id: id.clone(),
        server: server.clone(),
        tool: tool.clone(),
        status: mcp_tool_status(*status),
        arguments: arguments.clone(),
        result: result.as_ref().map(|result| wire::McpToolCallResult {
            content: result.content.clone(),
            structured_content: result.structured_content.clone(),
            meta: None,
        }),
        error: error.as_ref().map(|message| wire::McpToolCallError {
            message: message.clone(),
        }),
        duration_ms: *duration_ms,
    }
}

fn mcp_tool_status(status: ToolItemStatus) -> wire::McpToolCallStatus {
    match status {
        ToolItemStatus::InProgress => wire::McpToolCallStatus::InProgress,
        ToolItemStatus::Completed => wire::McpToolCallStatus::Completed,
        ToolItemStatus::Failed | ToolItemStatus::Declined => wire::McpToolCallStatus::Failed,
    }
}

fn dynamic_tool_status(status: ToolItemStatus) -> wire::DynamicToolCallStatus {
    match status {
        ToolItemStatus::InProgress => wire::DynamicToolCallStatus::InProgress,
        ToolItemStatus::Completed => wire::DynamicToolCallStatus::Completed,
        ToolItemStatus::Failed | ToolItemStatus::Declined => wire::DynamicToolCallStatus::Failed,
    }
}

fn dynamic_tool_content(item: &DynamicToolContentItem) -> wire::DynamicToolCallOutputContentItem {
    match item {
        DynamicToolContentItem::InputText { text } => {
            wire::DynamicToolCallOutputContentItem::InputText { text: text.clone() }
        }
        DynamicToolContentItem::InputImage { image_url } => {
            wire::DynamicToolCallOutputContentItem::InputImage {
                image_url: image_url.clone(),
            }
        }
        DynamicToolContentItem::InputAudio { audio_url } => {
            wire::DynamicToolCallOutputContentItem::InputAudio {
                audio_url: audio_url.clone(),
            }
        }
    }
}

fn user_input(input: &UserInput) -> wire::UserInput {
    match input {
        UserInput::Text {
            text,
            text_elements,
        } => wire::UserInput::Text {
            text: text.clone(),
            text_elements: text_elements
                .iter()
                .map(|element| wire::TextElement {
                    byte_range: wire::ByteRange {
                        start: element.byte_start,
                        end: element.byte_end,
                    },
                    placeholder: element.placeholder.clone(),
                })
                .collect(),
        },
        UserInput::Image {
            url,
            file_id,
            detail,
        } => wire::UserInput::Image {
            url: url.clone(),
            file_id: file_id.clone(),
            detail: detail
                .as_deref()
                .and_then(|detail| serde_json::from_value(serde_json::json!(detail)).ok()),
        },
        UserInput::LocalImage { path, detail } => wire::UserInput::LocalImage {
            path: path.clone(),
            detail: detail
                .as_deref()
                .and_then(|detail| serde_json::from_value(serde_json::json!(detail)).ok()),
        },
    }
}

/// The wire's user input as core input. Skills and mentions are passed to the model as text naming them.
pub fn core_user_input(input: wire::UserInput) -> UserInput {
    match input {
        wire::UserInput::Text {
            text,
            text_elements,
        } => UserInput::Text {
            text,
            text_elements: text_elements
                .into_iter()
                .map(|element| codex_core::protocol::turn_item::TextElement {
                    byte_start: element.byte_range.start,
                    byte_end: element.byte_range.end,
                    placeholder: element.placeholder,
                })
                .collect(),
        },
        wire::UserInput::Image {
            url,
            file_id,
            detail,
        } => UserInput::Image {
            url,
            file_id,
            detail: detail.map(|detail| detail.as_str().to_string()),
        },
        wire::UserInput::LocalImage { path, detail } => UserInput::LocalImage {
            path,
            detail: detail.map(|detail| detail.as_str().to_string()),
        },
        wire::UserInput::Skill { name, path } => UserInput::Text {
            text: format!("Use the skill `{name}` described in {path}."),
            text_elements: Vec::new(),
        },
        wire::UserInput::Mention { name, path } => UserInput::Text {
            text: format!("@{name} ({path})"),
            text_elements: Vec::new(),
        },
    }
}

/// A plan step as `turn/plan/updated` carries it.
pub fn plan_step(step: PlanStep) -> wire::TurnPlanStep {
    wire::TurnPlanStep {
        step: step.step,
        status: match step.status {
            StepStatus::Pending => wire::TurnPlanStepStatus::Pending,
            StepStatus::InProgress => wire::TurnPlanStepStatus::InProgress,
            StepStatus::Completed => wire::TurnPlanStepStatus::Completed,
        },
    }
}

pub fn token_usage(info: &TokenUsageInfo) -> wire::ThreadTokenUsage {
    let breakdown = |usage: &TokenUsage| wire::TokenUsageBreakdown {
        total_tokens: usage.total_tokens,
        input_tokens: usage.input_tokens,
        cached_input_tokens: usage.cached_input_tokens,
        output_tokens: usage.output_tokens,
        reasoning_output_tokens: usage.reasoning_output_tokens,
    };
    wire::ThreadTokenUsage {
        total: breakdown(&info.total),
        last: breakdown(&info.last),
        model_context_window: info.model_context_window,
    }
}

pub fn rate_limit_snapshot(snapshot: &RateLimitSnapshot) -> wire::RateLimitSnapshot {
    let window =
        |window: &codex_core::protocol::rate_limit::RateLimitWindow| wire::RateLimitWindow {
            // The wire carries whole percents; round rather than truncate so 99.6% shows as 100.
            used_percent: window.used_percent.round().clamp(0.0, f64::from(i32::MAX)) as i32,
            window_duration_mins: window.window_minutes,
            resets_at: window.resets_at,
        };
    wire::RateLimitSnapshot {
        limit_id: snapshot.limit_id.clone(),
        limit_name: snapshot.limit_name.clone(),
        primary: snapshot.primary.as_ref().map(window),
        secondary: snapshot.secondary.as_ref().map(window),
        credits: snapshot
            .credits
            .as_ref()
            .map(|credits| wire::CreditsSnapshot {
                has_credits: credits.has_credits,
                unlimited: credits.unlimited,
                balance: credits.balance.clone(),
            }),
        plan_type: snapshot.plan_type.as_deref().map(plan_type),
    }
}

/// A plan name as the wire's `PlanType`; names the wire does not know are `unknown`.
pub fn plan_type(plan: &str) -> wire::PlanType {
    serde_json::from_value(serde_json::Value::String(plan.to_string()))
        .unwrap_or(wire::PlanType::Unknown)
}

pub fn approval_policy(policy: AskForApproval) -> wire::AskForApproval {
    match policy {
        AskForApproval::Untrusted => wire::AskForApproval::UnlessTrusted,
        AskForApproval::OnRequest => wire::AskForApproval::OnRequest,
        AskForApproval::Granular(config) => {
            wire::AskForApproval::Granular(wire::GranularApprovalConfig {
                sandbox_approval: config.sandbox_approval,
                rules: config.rules,
                skill_approval: config.skill_approval,
                request_permissions: config.request_permissions,
                mcp_elicitations: config.mcp_elicitations,
            })
        }
        AskForApproval::Never => wire::AskForApproval::Never,
    }
}

/// The wire's approval policy as config's (0.105's spellings were folded in when it was read).
pub fn core_approval_policy(policy: wire::AskForApproval) -> AskForApproval {
    match policy {
        wire::AskForApproval::UnlessTrusted => AskForApproval::Untrusted,
        wire::AskForApproval::OnRequest => AskForApproval::OnRequest,
        wire::AskForApproval::Granular(config) => {
            AskForApproval::Granular(codex_core::config::GranularApprovalConfig {
                sandbox_approval: config.sandbox_approval,
                rules: config.rules,
                skill_approval: config.skill_approval,
                request_permissions: config.request_permissions,
                mcp_elicitations: config.mcp_elicitations,
            })
        }
        wire::AskForApproval::Never => AskForApproval::Never,
    }
}

pub fn core_sandbox_mode(mode: wire::SandboxMode) -> SandboxMode {
    match mode {
        wire::SandboxMode::ReadOnly => SandboxMode::ReadOnly,
        wire::SandboxMode::WorkspaceWrite => SandboxMode::WorkspaceWrite,
        wire::SandboxMode::DangerFullAccess => SandboxMode::DangerFullAccess,
    }
}

/// The resolved sandbox policy object that start/resume/fork responses carry.
pub fn sandbox_policy(mode: SandboxMode, workspace: &SandboxWorkspaceWrite) -> wire::SandboxPolicy {
    match mode {
        SandboxMode::ReadOnly => wire::SandboxPolicy::ReadOnly {
            access: wire::ReadOnlyAccess::FullAccess,
        },
        SandboxMode::WorkspaceWrite => wire::SandboxPolicy::WorkspaceWrite {
            writable_roots: workspace
                .writable_roots
                .iter()
                .map(|root| root.display().to_string())
                .collect(),
            read_only_access: wire::ReadOnlyAccess::FullAccess,
            network_access: workspace.network_access,
            exclude_tmpdir_env_var: workspace.exclude_tmpdir_env_var,
            exclude_slash_tmp: workspace.exclude_slash_tmp,
        },
        SandboxMode::DangerFullAccess => wire::SandboxPolicy::DangerFullAccess,
    }
}

pub fn reasoning_effort(effort: ReasoningEffort) -> wire::ReasoningEffort {
    match effort {
        ReasoningEffort::None => wire::ReasoningEffort::None,
        ReasoningEffort::Minimal => wire::ReasoningEffort::Minimal,
        ReasoningEffort::Low => wire::ReasoningEffort::Low,
        ReasoningEffort::Medium => wire::ReasoningEffort::Medium,
        ReasoningEffort::High => wire::ReasoningEffort::High,
        ReasoningEffort::Xhigh => wire::ReasoningEffort::XHigh,
    }
}

/// The wire's effort as config's; 0.171's `max` and `ultra` are the most `model` offers (`xhigh` when its
/// catalog entry lists no levels).
pub fn core_reasoning_effort(
    effort: wire::ReasoningEffort,
    model: &codex_core::model::info::ModelInfo,
) -> ReasoningEffort {
    match effort {
        wire::ReasoningEffort::Max | wire::ReasoningEffort::Ultra => model
            .supported_reasoning_levels
            .iter()
            .map(|preset| preset.effort)
            .max_by_key(|effort| effort_rank(*effort))
            .unwrap_or(ReasoningEffort::Xhigh),
        wire::ReasoningEffort::None => ReasoningEffort::None,
        wire::ReasoningEffort::Minimal => ReasoningEffort::Minimal,
        wire::ReasoningEffort::Low => ReasoningEffort::Low,
        wire::ReasoningEffort::Medium => ReasoningEffort::Medium,
        wire::ReasoningEffort::High => ReasoningEffort::High,
        wire::ReasoningEffort::XHigh => ReasoningEffort::Xhigh,
    }
}

/// Orders efforts from least to most thinking.
fn effort_rank(effort: ReasoningEffort) -> u8 {
    match effort {
        ReasoningEffort::None => 0,
        ReasoningEffort::Minimal => 1,
        ReasoningEffort::Low => 2,
        ReasoningEffort::Medium => 3,
        ReasoningEffort::High => 4,
        ReasoningEffort::Xhigh => 5,
    }
}

pub fn core_reasoning_summary(summary: wire::ReasoningSummary) -> ReasoningSummaryMode {
    match summary {
        wire::ReasoningSummary::Auto => ReasoningSummaryMode::Auto,
        wire::ReasoningSummary::Concise => ReasoningSummaryMode::Concise,
        wire::ReasoningSummary::Detailed => ReasoningSummaryMode::Detailed,
        wire::ReasoningSummary::None => ReasoningSummaryMode::None,
    }
}

/// A core command action as its wire shape.
pub fn command_action(action: &CommandAction) -> wire::CommandAction {
    match action.clone() {
        CommandAction::Read {
            command,
            name,
            path,
        } => wire::CommandAction::Read {
            command,
            name,
            path,
        },
        CommandAction::ListFiles { command, path } => {
            wire::CommandAction::ListFiles { command, path }
        }
        CommandAction::Search {
            command,
            query,
            path,
        } => wire::CommandAction::Search {
            command,
            query,
            path,
        },
        CommandAction::Unknown { command } => wire::CommandAction::Unknown { command },
    }
}

/// The sandbox of a `command/exec` whose host gave an explicit policy. `externalSandbox` means the host
/// sandboxes the daemon itself, so nothing more is applied. Sandboxed commands may read everywhere, so a
/// restricted read access is refused rather than silently widened.
pub fn core_sandbox_policy(
    policy: wire::SandboxPolicy,
) -> Result<codex_core::sandbox::SandboxPolicy, String> {
    match policy {
        wire::SandboxPolicy::DangerFullAccess | wire::SandboxPolicy::ExternalSandbox { .. } => {
            Ok(codex_core::sandbox::SandboxPolicy::DangerFullAccess)
        }
        wire::SandboxPolicy::ReadOnly { access } => {
            require_full_read_access(&access)?;
            Ok(codex_core::sandbox::SandboxPolicy::ReadOnly)
        }
        wire::SandboxPolicy::WorkspaceWrite {
            writable_roots,
            read_only_access,
            network_access,
            exclude_tmpdir_env_var,
            exclude_slash_tmp,
        } => {
            require_full_read_access(&read_only_access)?;
            Ok(codex_core::sandbox::SandboxPolicy::WorkspaceWrite {
                writable_roots: writable_roots
                    .into_iter()
                    .map(std::path::PathBuf::from)
                    .collect(),
                network_access,
                exclude_tmpdir_env_var,
                exclude_slash_tmp,
            })
        }
    }
}

fn require_full_read_access(access: &wire::ReadOnlyAccess) -> Result<(), String> {
    match access {
        wire::ReadOnlyAccess::FullAccess => Ok(()),
        wire::ReadOnlyAccess::Restricted { .. } => Err(
            "restricted read access is not supported: sandboxed commands may read everywhere"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn stored_sources_of_upstream_threads_map_to_the_wire() {
        let sources = [
            "vscode",
            "exec",
            "mcp",
            "subagent_review",
            "subagent_thread_spawn",
        ];
        assert_eq!(
            sources.map(session_source),
            [
                wire::SessionSource::VSCode,
                wire::SessionSource::Exec,
                wire::SessionSource::AppServer,
                wire::SessionSource::SubAgent(serde_json::json!("review")),
                wire::SessionSource::Unknown,
            ]
        );
    }
}

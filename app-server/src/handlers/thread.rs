//! `thread/*`: start, resume, fork, list, read, archive, unarchive, name/set and loaded/list, on top of
//! core's `ThreadManager`. Notifications that must follow a response (`thread/started`, `thread/archived`,
//! ...) ride on the [`Answer`] so they are written after it.

use std::path::PathBuf;

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerNotification;
use codex_core::config::ConfigOverrides;
use codex_core::protocol::event::ThreadStatus;
use codex_core::rollout::ThreadListQuery;
use codex_core::rollout::ThreadSortKey;
use codex_core::session::thread::CodexThread;
use codex_core::session::thread::ThreadError;
use codex_core::session::thread_manager::StartThreadOptions;
use codex_core::session::thread_manager::UnsubscribeOutcome;

use crate::connection_hub::Unsubscribed;
use crate::dynamic_tool_specs;
use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::unsupported_params;
use crate::wire_conversion;

/// The config overrides that `thread/start`, `thread/resume` and `thread/fork` params all carry (same field
/// names in the three params types).
macro_rules! config_overrides {
    ($params:expr) => {
        ConfigOverrides {
            model: $params.model,
            model_provider: $params.model_provider,
            cwd: $params.cwd.map(PathBuf::from),
            approval_policy: $params
                .approval_policy
                .map(wire_conversion::core_approval_policy),
            sandbox_mode: $params.sandbox.map(wire_conversion::core_sandbox_mode),
            base_instructions: $params.base_instructions,
            developer_instructions: $params.developer_instructions,
            reasoning_effort: None,
            service_tier: $params.service_tier,
            config: $params.config.unwrap_or_default(),
        }
    };
}

/// The most thread ids `thread/list` takes in `includedThreadIds` or `excludedThreadIds`, as upstream.
const MAX_LISTED_THREAD_IDS: usize = 100;

/// The loaded thread `thread_id`, or "thread not found" when it is not loaded (or was unloaded).
pub(crate) fn loaded_thread(
    context: &RequestContext,
    thread_id: &str,
) -> Result<codex_core::session::thread::CodexThread, RequestError> {
    context
        .engine
        .threads
        .get(thread_id)
        .filter(|thread| !thread.is_closed())
        .ok_or_else(|| thread_error(ThreadError::NotFound(thread_id.to_string())))
}

pub(crate) fn thread_error(error: ThreadError) -> RequestError {
    match error {
        ThreadError::TurnInProgress(_)
        | ThreadError::NoSuchTurn { .. }
        | ThreadError::TurnEnded { .. }
        | ThreadError::NotLoaded(_)
        | ThreadError::NotFound(_)
        | ThreadError::NoRollout(_)
        | ThreadError::UndoRefused(_)
        | ThreadError::Config(_) => RequestError::Rejected(error.to_string()),
        ThreadError::InvalidInput(message) => RequestError::InvalidParams(message),
        ThreadError::Rollout(source) => RequestError::Internal(source.to_string()),
        ThreadError::McpServerRequired(_) => {
            RequestError::Internal(format!("error creating thread: {error}"))
        }
    }
}

/// The response of start/resume/fork: the thread and the settings it runs with.
fn thread_response(thread: &CodexThread, include_turns: bool) -> wire::ThreadStartResponse {
    let snapshot = thread.snapshot();
    let settings = &snapshot.settings;
    wire::ThreadStartResponse {
        model: settings.model.clone(),
        model_provider: settings.model_provider_id.clone(),
        cwd: settings.cwd.display().to_string(),
        approval_policy: wire_conversion::approval_policy(settings.approval_policy),
        approvals_reviewer: wire::ApprovalsReviewer::User,
        sandbox: wire_conversion::sandbox_policy(
            settings.sandbox_mode,
            &settings.sandbox_workspace_write,
        ),
        reasoning_effort: settings.effort.map(wire_conversion::reasoning_effort),
        service_tier: settings.service_tier.clone(),
        thread: wire_conversion::thread(&snapshot, include_turns),
    }
}

/// The notice for 0.105's `personality`, which 0.171 keeps only as a deprecated, style-less field.
pub(crate) fn personality_notice(
    personality: Option<wire::Personality>,
) -> Option<ServerNotification> {
    match personality? {
        wire::Personality::None => None,
        wire::Personality::Friendly | wire::Personality::Pragmatic => Some(
            ServerNotification::DeprecationNotice(wire::DeprecationNoticeNotification {
                summary: "`personality` no longer selects a style; the thread keeps its instructions"
                    .to_string(),
                details: Some(
                    "As in upstream 0.171, `friendly` and `pragmatic` are accepted and have no effect."
                        .to_string(),
                ),
            }),
        ),
    }
}

/// Refuses the `thread/start` fields this server does not implement.
fn check_start_params(params: &wire::ThreadStartParams) -> Result<(), RequestError> {
    const METHOD: &str = "thread/start";
    unsupported_params::require_user_reviewer(METHOD, params.approvals_reviewer)?;
    unsupported_params::refuse_if(
        METHOD,
        "experimentalRawEvents",
        params.experimental_raw_events == Some(true),
        "raw Responses events are not forwarded",
    )?;
    unsupported_params::refuse_if(
        METHOD,
        "persistExtendedHistory",
        params.persist_extended_history == Some(true),
        "the rollout keeps the standard history only",
    )
}

/// `thread/start`: starts a thread and subscribes the connection to it; upstream announces the thread's idle
/// status before the response and `thread/started` after it.
pub async fn start(
    context: RequestContext,
    mut params: wire::ThreadStartParams,
) -> Result<Answer<wire::ThreadStartResponse>, RequestError> {
    check_start_params(&params)?;
    let dynamic_tools = dynamic_tool_specs::dynamic_tools(params.dynamic_tools.take())?;
    let notice = personality_notice(params.personality);
    let ephemeral = params.ephemeral.unwrap_or(false);
    let overrides = config_overrides!(params);
    let thread = context
        .engine
        .threads
        .start_thread(StartThreadOptions {
            overrides,
            ephemeral,
            dynamic_tools,
        })
        .await
        .map_err(thread_error)?;
    context
        .engine
        .connections
        .subscribe(context.connection_id, thread.id());
    let idle = ServerNotification::ThreadStatusChanged(wire::ThreadStatusChangedNotification {
        thread_id: thread.id().to_string(),
        status: wire::ThreadStatus::Idle,
    });
    let response = thread_response(&thread, false);
    let started = ServerNotification::ThreadStarted(wire::ThreadStartedNotification {
        thread: response.thread.clone(),
    });
    Ok(Answer::new(response)
        .preceded_by(idle)
        .then_notify(notice.into_iter().chain([started]))
        .then_release(thread.mcp_startup_report()))
}

/// `thread/resume`: loads a stored thread (or takes the loaded one) and subscribes the connection to it.
pub async fn resume(
    context: RequestContext,
    params: wire::ThreadResumeParams,
) -> Result<Answer<wire::ThreadResumeResponse>, RequestError> {
    if params.history.is_some() || params.path.is_some() {
        return Err(RequestError::Rejected(
            "thread/resume from `history` or `path` is not supported; resume by `threadId`"
                .to_string(),
        ));
    }
    unsupported_params::require_user_reviewer("thread/resume", params.approvals_reviewer)?;
    unsupported_params::refuse_if(
        "thread/resume",
        "persistExtendedHistory",
        params.persist_extended_history == Some(true),
        "the rollout keeps the standard history only",
    )?;
    let notice = personality_notice(params.personality);
    let include_turns = params.exclude_turns != Some(true);
    let overrides = config_overrides!(params);
    let thread = context
        .engine
        .threads
        .resume_thread(&params.thread_id, overrides)
        .await
        .map_err(thread_error)?;
    context
        .engine
        .connections
        .subscribe(context.connection_id, thread.id());
    Ok(Answer::new(thread_response(&thread, include_turns))
        .then_notify(notice)
        .then_release(thread.mcp_startup_report()))
}

/// `thread/fork`: copies a thread into a new one and subscribes the connection to the copy; `thread/started`
/// follows the response.
pub async fn fork(
    context: RequestContext,
    params: wire::ThreadForkParams,
) -> Result<Answer<wire::ThreadForkResponse>, RequestError> {
    if params.path.is_some() {
        return Err(RequestError::Rejected(
            "thread/fork from `path` is not supported; fork by `threadId`".to_string(),
        ));
    }
    unsupported_params::require_user_reviewer("thread/fork", params.approvals_reviewer)?;
    unsupported_params::refuse_if_set(
        "thread/fork",
        "lastTurnId",
        &params.last_turn_id,
        "a fork copies the whole thread",
    )?;
    unsupported_params::refuse_if(
        "thread/fork",
        "persistExtendedHistory",
        params.persist_extended_history == Some(true),
        "the rollout keeps the standard history only",
    )?;
    let include_turns = params.exclude_turns != Some(true);
    let ephemeral = params.ephemeral.unwrap_or(false);
    let overrides = config_overrides!(params);
    let thread = context
        .engine
        .threads
        .fork_thread(&params.thread_id, overrides, ephemeral)
        .await
        .map_err(thread_error)?;
    let started = follow_fork(&context, &thread);
    let response = thread_response(&thread, include_turns);
    Ok(Answer::new(response)
        .then_notify([started])
        .then_release(thread.mcp_startup_report()))
}

/// Subscribes the connection to a fork it made; the `thread/started` (without turns) announcing it.
pub(crate) fn follow_fork(context: &RequestContext, thread: &CodexThread) -> ServerNotification {
    context
        .engine
        .connections
        .subscribe(context.connection_id, thread.id());
    ServerNotification::ThreadStarted(wire::ThreadStartedNotification {
        thread: wire::Thread {
            turns: Vec::new(),
            ..thread_response(thread, false).thread
        },
    })
}

/// `thread/list`: one page of the stored threads, newest first, with the status of each.
pub async fn list(
    context: RequestContext,
    params: wire::ThreadListParams,
) -> Result<Answer<wire::ThreadListResponse>, RequestError> {
    const METHOD: &str = "thread/list";
    unsupported_params::refuse_if(
        METHOD,
        "sortKey",
        params.sort_key == Some(wire::ThreadSortKey::SectionPosition),
        "threads have no sections here",
    )?;
    unsupported_params::refuse_if(
        METHOD,
        "sortDirection",
        params.sort_direction == Some(wire::SortDirection::Asc),
        "threads are listed newest first",
    )?;
    unsupported_params::refuse_if(
        METHOD,
        "currentAccountOnly",
        params.current_account_only == Some(true),
        "local history is not kept per ChatGPT account",
    )?;
    unsupported_params::refuse_if_set(
        METHOD,
        "sectionId",
        &params.section_id,
        "threads have no sections here",
    )?;
    for (field, ids) in [
        ("includedThreadIds", &params.included_thread_ids),
        ("excludedThreadIds", &params.excluded_thread_ids),
    ] {
        if ids
            .as_ref()
            .is_some_and(|ids| ids.len() > MAX_LISTED_THREAD_IDS)
        {
            return Err(RequestError::InvalidParams(format!(
                "{METHOD}: `{field}` holds more than {MAX_LISTED_THREAD_IDS} thread ids"
            )));
        }
    }
    let query = ThreadListQuery {
        cursor: params.cursor,
        limit: params
            .limit
            .map_or(codex_core::rollout::DEFAULT_THREAD_LIST_LIMIT, |limit| {
                limit as usize
            }),
        sort_key: match params.sort_key {
            Some(wire::ThreadSortKey::UpdatedAt | wire::ThreadSortKey::RecencyAt) => {
                ThreadSortKey::UpdatedAt
            }
            Some(wire::ThreadSortKey::CreatedAt | wire::ThreadSortKey::SectionPosition) | None => {
                ThreadSortKey::CreatedAt
            }
        },
        archived: params.archived.unwrap_or(false),
        model_providers: params.model_providers,
        cwds: params
            .cwd
            .map(wire::ThreadListCwdFilter::into_vec)
            .unwrap_or_default()
            .into_iter()
            .map(PathBuf::from)
            .collect(),
        thread_ids: params.included_thread_ids,
        excluded_thread_ids: params.excluded_thread_ids.unwrap_or_default(),
        originators: params.originators,
        search_term: params.search_term,
        sources: Some(stored_sources(params.source_kinds.unwrap_or_default())),
    };
    let (page, statuses) = context
        .engine
        .threads
        .list_threads(query)
        .await
        .map_err(thread_error)?;
    let data = page
        .items
        .iter()
        .map(|summary| {
            let status = statuses
                .get(&summary.id)
                .copied()
                .unwrap_or(ThreadStatus::NotLoaded);
            wire_conversion::listed_thread(summary, status)
        })
        .collect();
    Ok(Answer::new(wire::ThreadListResponse {
        data,
        next_cursor: page.next_cursor,
    }))
}

/// `thread/read`: a loaded or stored thread, with its turns if asked.
pub async fn read(
    context: RequestContext,
    params: wire::ThreadReadParams,
) -> Result<Answer<wire::ThreadReadResponse>, RequestError> {
    let snapshot = context
        .engine
        .threads
        .read_thread(&params.thread_id)
        .await
        .map_err(thread_error)?;
    Ok(Answer::new(wire::ThreadReadResponse {
        thread: wire_conversion::thread(&snapshot, params.include_turns),
    }))
}

/// `thread/archive`: moves a thread's rollout to the archive; `thread/archived` follows the response.
pub async fn archive(
    context: RequestContext,
    params: wire::ThreadArchiveParams,
) -> Result<Answer<wire::ThreadArchiveResponse>, RequestError> {
    context
        .engine
        .threads
        .archive_thread(&params.thread_id)
        .await
        .map_err(thread_error)?;
    let archived = ServerNotification::ThreadArchived(wire::ThreadArchivedNotification {
        thread_id: params.thread_id,
    });
    Ok(Answer::new(wire::ThreadArchiveResponse {}).then_notify([archived]))
}

/// `thread/unsubscribe`: the connection stops following the thread; one nobody follows any more is unloaded
/// once idle (`thread/closed`, to the connection that left last, after the response).
pub async fn unsubscribe(
    context: RequestContext,
    params: wire::ThreadUnsubscribeParams,
) -> Result<Answer<wire::ThreadUnsubscribeResponse>, RequestError> {
    let connections = &context.engine.connections;
    let (outcome, pending_unload) = match connections
        .unsubscribe(context.connection_id, &params.thread_id)
    {
        Unsubscribed::Last => context.engine.threads.unsubscribe(&params.thread_id),
        Unsubscribed::OthersRemain => (UnsubscribeOutcome::Unsubscribed, None),
        Unsubscribed::NotSubscribed if context.engine.threads.get(&params.thread_id).is_none() => {
            (UnsubscribeOutcome::NotLoaded, None)
        }
        Unsubscribed::NotSubscribed => (UnsubscribeOutcome::NotSubscribed, None),
    };
    let status = match outcome {
        UnsubscribeOutcome::NotLoaded => wire::ThreadUnsubscribeStatus::NotLoaded,
        UnsubscribeOutcome::NotSubscribed => wire::ThreadUnsubscribeStatus::NotSubscribed,
        UnsubscribeOutcome::Unsubscribed => wire::ThreadUnsubscribeStatus::Unsubscribed,
    };
    let answer = Answer::new(wire::ThreadUnsubscribeResponse { status });
    Ok(match pending_unload {
        Some(pending) => answer.then_release(pending),
        None => answer,
    })
}

/// `thread/unarchive`: moves a thread's rollout back from the archive; `thread/unarchived` follows the
/// response.
pub async fn unarchive(
    context: RequestContext,
    params: wire::ThreadUnarchiveParams,
) -> Result<Answer<wire::ThreadUnarchiveResponse>, RequestError> {
    let snapshot = context
        .engine
        .threads
        .unarchive_thread(&params.thread_id)
        .await
        .map_err(thread_error)?;
    let unarchived = ServerNotification::ThreadUnarchived(wire::ThreadUnarchivedNotification {
        thread_id: params.thread_id,
    });
    Ok(Answer::new(wire::ThreadUnarchiveResponse {
        thread: wire_conversion::thread(&snapshot, false),
    })
    .then_notify([unarchived]))
}

/// `thread/name/set`: names a loaded or stored thread (loading it, so the name lands in its rollout).
pub async fn set_name(
    context: RequestContext,
    params: wire::ThreadSetNameParams,
) -> Result<Answer<wire::ThreadSetNameResponse>, RequestError> {
    let name = params.name.trim().to_string();
    if name.is_empty() {
        return Err(RequestError::InvalidParams(
            "thread name must not be empty".to_string(),
        ));
    }
    let thread = match context.engine.threads.get(&params.thread_id) {
        Some(thread) => thread,
        None => context
            .engine
            .threads
            .resume_thread(&params.thread_id, ConfigOverrides::default())
            .await
            .map_err(thread_error)?,
    };
    thread.set_name(Some(name)).await;
    Ok(Answer::new(wire::ThreadSetNameResponse {}))
}

/// `thread/loaded/list`: one page of the loaded threads' ids, sorted.
pub async fn loaded_list(
    context: RequestContext,
    params: wire::ThreadLoadedListParams,
) -> Result<Answer<wire::ThreadLoadedListResponse>, RequestError> {
    let ids = context.engine.threads.loaded_ids();
    // The cursor is the last id of the previous page; ids are sorted, so pages never overlap.
    let start = match &params.cursor {
        Some(cursor) => ids.partition_point(|id| id <= cursor),
        None => 0,
    };
    let limit = params
        .limit
        .map_or(ids.len(), |limit| limit.max(1) as usize);
    let page: Vec<String> = ids.iter().skip(start).take(limit).cloned().collect();
    let next_cursor = (start + page.len() < ids.len())
        .then(|| page.last().cloned())
        .flatten();
    Ok(Answer::new(wire::ThreadLoadedListResponse {
        data: page,
        next_cursor,
    }))
}

/// The stored `session_meta.source` names of `kinds`; none means the interactive ones, as upstream.
fn stored_sources(kinds: Vec<wire::ThreadSourceKind>) -> Vec<String> {
    use wire::ThreadSourceKind as Kind;
    let kinds = if kinds.is_empty() {
        vec![Kind::Cli, Kind::VSCode]
    } else {
        kinds
    };
    let names = kinds
        .into_iter()
        .flat_map(|kind| -> &'static [&'static str] {
            match kind {
                Kind::Cli => &["cli"],
                Kind::VSCode => &["vscode"],
                Kind::Exec => &["exec"],
                Kind::AppServer => &["mcp", "app_server"],
                Kind::SubAgent => &[
                    "subagent_review",
                    "subagent_compact",
                    "subagent_thread_spawn",
                    "subagent_other",
                ],
                Kind::SubAgentReview => &["subagent_review"],
                Kind::SubAgentCompact => &["subagent_compact"],
                Kind::SubAgentThreadSpawn => &["subagent_thread_spawn"],
                Kind::SubAgentOther => &["subagent_other"],
                Kind::Unknown => &["unknown"],
            }
        });
    names.map(|name| name.to_string()).collect()
}

//! `thread/delete`, `thread/metadata/update` and `thread/shellCommand`.

use std::time::Duration;

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerNotification;
use codex_core::session::thread_manager::GitInfoPatch;
use codex_core::session::thread_shell_command::USER_SHELL_DEFAULT_TIMEOUT;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::loaded_thread;
use crate::handlers::thread::thread_error;
use crate::wire_conversion;

/// `thread/delete`: deletes a loaded or stored thread. A loaded one is unloaded first, announced (as upstream
/// does) with `notLoaded` before the response; `thread/deleted` follows the response. The other connections
/// following the thread hear both.
pub async fn delete(
    context: RequestContext,
    params: wire::ThreadDeleteParams,
) -> Result<Answer<wire::ThreadDeleteResponse>, RequestError> {
    let deletion = context
        .engine
        .threads
        .delete_thread(&params.thread_id)
        .await
        .map_err(thread_error)?;
    let not_loaded =
        ServerNotification::ThreadStatusChanged(wire::ThreadStatusChangedNotification {
            thread_id: params.thread_id.clone(),
            status: wire::ThreadStatus::NotLoaded,
        });
    let deleted = ServerNotification::ThreadDeleted(wire::ThreadDeletedNotification {
        thread_id: params.thread_id.clone(),
    });
    let others_hear = if deletion.unloaded {
        vec![not_loaded.clone(), deleted.clone()]
    } else {
        vec![deleted.clone()]
    };
    context
        .engine
        .connections
        .thread_deleted(&params.thread_id, context.connection_id, others_hear)
        .await;
    let answer = Answer::new(wire::ThreadDeleteResponse {});
    let answer = if deletion.unloaded {
        answer.preceded_by(not_loaded)
    } else {
        answer
    };
    Ok(answer.then_notify([deleted]))
}

/// `thread/metadata/update`: patches a thread's stored git metadata and answers with the thread as it is now
/// (without turns).
pub async fn metadata_update(
    context: RequestContext,
    params: wire::ThreadMetadataUpdateParams,
) -> Result<Answer<wire::ThreadMetadataUpdateResponse>, RequestError> {
    // Projects and Daybreak are upstream features this daemon does not have: refused, never dropped.
    if params.project_id.is_some() {
        return Err(RequestError::InvalidParams(
            "`projectId` is not supported by this server".to_string(),
        ));
    }
    if params.daybreak_enabled.is_some() {
        return Err(RequestError::InvalidParams(
            "`daybreakEnabled` is not supported by this server".to_string(),
        ));
    }
    let git_info = params.git_info.ok_or_else(|| {
        RequestError::Rejected("thread metadata update must include at least one field".to_string())
    })?;
    let patch = git_info_patch(git_info)?;
    let snapshot = context
        .engine
        .threads
        .update_git_info(&params.thread_id, &patch)
        .await
        .map_err(thread_error)?;
    Ok(Answer::new(wire::ThreadMetadataUpdateResponse {
        thread: wire_conversion::thread(&snapshot, false),
    }))
}

/// Checks the patch as upstream does: at least one field, and no empty string (clear with `null`).
fn git_info_patch(
    params: wire::ThreadMetadataGitInfoUpdateParams,
) -> Result<GitInfoPatch, RequestError> {
    let wire::ThreadMetadataGitInfoUpdateParams {
        sha,
        branch,
        origin_url,
    } = params;
    if sha.is_none() && branch.is_none() && origin_url.is_none() {
        return Err(RequestError::Rejected(
            "gitInfo must include at least one field".to_string(),
        ));
    }
    for (name, value) in [
        ("sha", &sha),
        ("branch", &branch),
        ("originUrl", &origin_url),
    ] {
        if let Some(Some(text)) = value
            && text.trim().is_empty()
        {
            return Err(RequestError::Rejected(format!(
                "gitInfo.{name} must not be empty"
            )));
        }
    }
    Ok(GitInfoPatch {
        commit_hash: sha,
        branch,
        repository_url: origin_url,
    })
}

/// `thread/compact/start`: compacts a loaded thread's history as a turn of its own; answers `{}` before the
/// turn's events (`contextCompaction` item, `thread/compacted`).
pub async fn compact_start(
    context: RequestContext,
    params: wire::ThreadCompactStartParams,
) -> Result<Answer<wire::ThreadCompactStartResponse>, RequestError> {
    let thread = loaded_thread(&context, &params.thread_id)?;
    let pending = thread.start_compaction().map_err(thread_error)?;
    Ok(Answer::new(wire::ThreadCompactStartResponse {}).then_release(pending))
}

/// `thread/shellCommand`: runs the user's command line in a loaded thread as a turn of its own; answers `{}`
/// before the turn's events.
pub async fn shell_command(
    context: RequestContext,
    params: wire::ThreadShellCommandParams,
) -> Result<Answer<wire::ThreadShellCommandResponse>, RequestError> {
    let thread = loaded_thread(&context, &params.thread_id)?;
    if params.command.trim().is_empty() {
        return Err(RequestError::Rejected(
            "command must not be empty".to_string(),
        ));
    }
    let timeout = match params.timeout_ms {
        None => USER_SHELL_DEFAULT_TIMEOUT,
        Some(timeout_ms) => u64::try_from(timeout_ms)
            .map(Duration::from_millis)
            .map_err(|_| {
                RequestError::InvalidParams(format!(
                    "`timeoutMs` must not be negative, got {timeout_ms}"
                ))
            })?,
    };
    let pending = thread
        .start_shell_command(params.command, timeout)
        .map_err(thread_error)?;
    Ok(Answer::new(wire::ThreadShellCommandResponse {}).then_release(pending))
}

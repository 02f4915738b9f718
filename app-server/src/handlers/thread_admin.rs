//! `thread/delete`, `thread/metadata/update` and `thread/shellCommand`.

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerNotification;
use codex_core::thread::ThreadError;
use codex_core::thread_shell_command::USER_SHELL_DEFAULT_TIMEOUT;
use std::time::Duration;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::thread::thread_error;
use crate::handlers::to_value;

/// Deletes a loaded or stored thread. A loaded one is unloaded first, announced (as upstream does) with
/// `notLoaded` before the answer; `thread/deleted` follows the answer.
pub async fn delete(
    context: RequestContext,
    params: wire::ThreadDeleteParams,
) -> Result<Answer, RequestError> {
    let deletion = context
        .engine
        .threads
        .delete_thread(&params.thread_id)
        .await
        .map_err(thread_error)?;
    if deletion.unloaded {
        context
            .outgoing
            .send_notification(ServerNotification::ThreadStatusChanged(
                wire::ThreadStatusChangedNotification {
                    thread_id: params.thread_id.clone(),
                    status: wire::ThreadStatus::NotLoaded,
                },
            ));
    }
    Ok(Answer {
        result: to_value(wire::ThreadDeleteResponse {})?,
        then_notify: vec![ServerNotification::ThreadDeleted(
            wire::ThreadDeletedNotification {
                thread_id: params.thread_id,
            },
        )],
        then_release: None,
    })
}

pub async fn metadata_update(
    _context: RequestContext,
    _params: wire::ThreadMetadataUpdateParams,
) -> Result<Answer, RequestError> {
    Err(RequestError::Internal("todo".to_string()))
}

/// Runs the user's command line in a loaded thread as a turn of its own; answers `{}` before the turn's
/// events.
pub async fn shell_command(
    context: RequestContext,
    params: wire::ThreadShellCommandParams,
) -> Result<Answer, RequestError> {
    let thread = context
        .engine
        .threads
        .get(&params.thread_id)
        .filter(|thread| !thread.is_closed())
        .ok_or_else(|| thread_error(ThreadError::NotFound(params.thread_id.clone())))?;
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
    Ok(Answer {
        result: to_value(wire::ThreadShellCommandResponse {})?,
        then_notify: Vec::new(),
        then_release: Some(Box::new(pending)),
    })
}

//! The dispatcher, in the style of rust-analyzer's `RequestDispatcher::on::<R>`: [`route`] gives each decoded
//! request to the handler typed by its method's marker (`codex_app_server_protocol::methods`), through
//! [`on`], and [`answer_request`] writes what comes back, in one place: the typed response as JSON, its
//! notifications in order, a failure or a panic as a JSON-RPC error.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use codex_app_server_protocol::ClientMethod;
use codex_app_server_protocol::ClientRequest;
use codex_app_server_protocol::RequestId;
use codex_app_server_protocol::methods as m;
use futures::FutureExt;
use serde_json::Value;

use crate::error::RequestError;
use crate::handlers::Answer;
use crate::handlers::RequestContext;
use crate::handlers::account;
use crate::handlers::background_terminals;
use crate::handlers::command;
use crate::handlers::command_session;
use crate::handlers::config;
use crate::handlers::fuzzy_file_search as fuzzy;
use crate::handlers::mcp;
use crate::handlers::model;
use crate::handlers::review;
use crate::handlers::thread;
use crate::handlers::thread_admin;
use crate::handlers::thread_history;
use crate::handlers::thread_undo;
use crate::handlers::turn;
use crate::outgoing::OutgoingMessageSender;
use crate::outgoing_queue::RequestSlot;

/// Runs `handler` as the handler of method `M`. Every handler has this one shape; one whose params or
/// response are not `M`'s does not compile:
///
/// ```compile_fail
/// # use codex_app_server::{dispatch::on, error::RequestError, handlers::{Answer, RequestContext}};
/// # use codex_app_server_protocol::{methods, ThreadArchiveResponse, ThreadSetNameParams};
/// async fn set_name(
///     _: RequestContext,
///     _: ThreadSetNameParams,
/// ) -> Result<Answer<ThreadArchiveResponse>, RequestError> {
///     Ok(Answer::new(ThreadArchiveResponse {}))
/// }
/// async fn route(context: RequestContext, params: ThreadSetNameParams) {
///     let _ = on::<methods::ThreadSetName, _>(context, params, set_name).await;
/// }
/// ```
///
/// while the same handler answering `thread/name/set`'s own response does:
///
/// ```no_run
/// # use codex_app_server::{dispatch::on, error::RequestError, handlers::{Answer, RequestContext}};
/// # use codex_app_server_protocol::{methods, ThreadSetNameParams, ThreadSetNameResponse};
/// async fn set_name(
///     _: RequestContext,
///     _: ThreadSetNameParams,
/// ) -> Result<Answer<ThreadSetNameResponse>, RequestError> {
///     Ok(Answer::new(ThreadSetNameResponse {}))
/// }
/// async fn route(context: RequestContext, params: ThreadSetNameParams) {
///     let _ = on::<methods::ThreadSetName, _>(context, params, set_name).await;
/// }
/// ```
pub async fn on<M, Fut>(
    context: RequestContext,
    params: M::Params,
    handler: impl FnOnce(RequestContext, M::Params) -> Fut,
) -> Result<Answer<Value>, RequestError>
where
    M: ClientMethod,
    Fut: Future<Output = Result<Answer<M::Response>, RequestError>>,
{
    handler(context, params).await?.into_json()
}

/// One arm per method, so a new method cannot be forgotten here.
pub async fn route(
    context: RequestContext,
    request: ClientRequest,
) -> Result<Answer<Value>, RequestError> {
    use ClientRequest as R;
    let cx = context;
    match request {
        R::Initialize { .. } => Err(RequestError::AlreadyInitialized),
        R::ThreadStart { .. }
        | R::ThreadResume { .. }
        | R::ThreadFork { .. }
        | R::ThreadList { .. }
        | R::ThreadRead { .. }
        | R::ThreadArchive { .. }
        | R::ThreadUnarchive { .. }
        | R::ThreadSetName { .. }
        | R::ThreadLoadedList { .. }
        | R::ThreadUnsubscribe { .. }
        | R::ThreadInjectItems { .. }
        | R::ThreadTurnsList { .. }
        | R::ThreadItemsList { .. }
        | R::ThreadDelete { .. }
        | R::ThreadRollback { .. }
        | R::ThreadRevert { .. }
        | R::ThreadMetadataUpdate { .. }
        | R::ThreadShellCommand { .. }
        | R::ThreadCompactStart { .. }
        | R::ThreadBackgroundTerminalsList { .. }
        | R::ThreadBackgroundTerminalsTerminate { .. }
        | R::ThreadBackgroundTerminalsClean { .. }
        | R::TurnStart { .. }
        | R::TurnInterrupt { .. }
        | R::TurnSteer { .. } => route_thread(cx, request).await,
        R::ModelList { params, .. } => on::<m::ModelList, _>(cx, params, model::list).await,
        R::LoginAccount { params, .. } => {
            on::<m::LoginAccount, _>(cx, params, account::login_start).await
        }
        R::CancelLoginAccount { params, .. } => {
            on::<m::CancelLoginAccount, _>(cx, params, account::login_cancel).await
        }
        R::LogoutAccount { params, .. } => {
            on::<m::LogoutAccount, _>(cx, params, account::logout).await
        }
        R::GetAccount { params, .. } => on::<m::GetAccount, _>(cx, params, account::read).await,
        R::GetAccountRateLimits { params, .. } => {
            on::<m::GetAccountRateLimits, _>(cx, params, account::read_rate_limits).await
        }
        R::ConfigRead { params, .. } => on::<m::ConfigRead, _>(cx, params, config::read).await,
        R::ConfigValueWrite { params, .. } => {
            on::<m::ConfigValueWrite, _>(cx, params, config::write_value).await
        }
        R::ConfigBatchWrite { params, .. } => {
            on::<m::ConfigBatchWrite, _>(cx, params, config::batch_write).await
        }
        R::CommandExec { params, .. } => on::<m::CommandExec, _>(cx, params, command::exec).await,
        R::CommandExecWrite { params, .. } => {
            on::<m::CommandExecWrite, _>(cx, params, command_session::write).await
        }
        R::CommandExecResize { params, .. } => {
            on::<m::CommandExecResize, _>(cx, params, command_session::resize).await
        }
        R::CommandExecTerminate { params, .. } => {
            on::<m::CommandExecTerminate, _>(cx, params, command_session::terminate).await
        }
        R::McpServerOauthLogin { params, .. } => {
            on::<m::McpServerOauthLogin, _>(cx, params, mcp::oauth_login).await
        }
        R::McpServerRefresh { params, .. } => {
            on::<m::McpServerRefresh, _>(cx, params, mcp::reload).await
        }
        R::ListMcpServerStatus { params, .. } => {
            on::<m::ListMcpServerStatus, _>(cx, params, mcp::list_status).await
        }
        R::McpResourceRead { params, .. } => {
            on::<m::McpResourceRead, _>(cx, params, mcp::read_resource).await
        }
        R::McpServerToolCall { params, .. } => {
            on::<m::McpServerToolCall, _>(cx, params, mcp::call_tool).await
        }
        R::ReviewStart { params, .. } => on::<m::ReviewStart, _>(cx, params, review::start).await,
        R::FuzzyFileSearch { params, .. } => {
            on::<m::FuzzyFileSearch, _>(cx, params, fuzzy::search).await
        }
        R::FuzzyFileSearchSessionStart { params, .. } => {
            on::<m::FuzzyFileSearchSessionStart, _>(cx, params, fuzzy::session_start).await
        }
        R::FuzzyFileSearchSessionUpdate { params, .. } => {
            on::<m::FuzzyFileSearchSessionUpdate, _>(cx, params, fuzzy::session_update).await
        }
        R::FuzzyFileSearchSessionStop { params, .. } => {
            on::<m::FuzzyFileSearchSessionStop, _>(cx, params, fuzzy::session_stop).await
        }
    }
}

/// The thread and turn methods (`route`'s share, split off to keep each match on a screen).
async fn route_thread(
    context: RequestContext,
    request: ClientRequest,
) -> Result<Answer<Value>, RequestError> {
    use ClientRequest as R;
    let cx = context;
    match request {
        R::ThreadStart { params, .. } => on::<m::ThreadStart, _>(cx, params, thread::start).await,
        R::ThreadResume { params, .. } => {
            on::<m::ThreadResume, _>(cx, params, thread::resume).await
        }
        R::ThreadFork { params, .. } => on::<m::ThreadFork, _>(cx, params, thread::fork).await,
        R::ThreadList { params, .. } => on::<m::ThreadList, _>(cx, params, thread::list).await,
        R::ThreadRead { params, .. } => on::<m::ThreadRead, _>(cx, params, thread::read).await,
        R::ThreadArchive { params, .. } => {
            on::<m::ThreadArchive, _>(cx, params, thread::archive).await
        }
        R::ThreadUnarchive { params, .. } => {
            on::<m::ThreadUnarchive, _>(cx, params, thread::unarchive).await
        }
        R::ThreadSetName { params, .. } => {
            on::<m::ThreadSetName, _>(cx, params, thread::set_name).await
        }
        R::ThreadLoadedList { params, .. } => {
            on::<m::ThreadLoadedList, _>(cx, params, thread::loaded_list).await
        }
        R::ThreadUnsubscribe { params, .. } => {
            on::<m::ThreadUnsubscribe, _>(cx, params, thread::unsubscribe).await
        }
        R::ThreadInjectItems { params, .. } => {
            on::<m::ThreadInjectItems, _>(cx, params, thread_history::inject_items).await
        }
        R::ThreadTurnsList { params, .. } => {
            on::<m::ThreadTurnsList, _>(cx, params, thread_history::turns_list).await
        }
        R::ThreadItemsList { params, .. } => {
            on::<m::ThreadItemsList, _>(cx, params, thread_history::items_list).await
        }
        R::ThreadDelete { params, .. } => {
            on::<m::ThreadDelete, _>(cx, params, thread_admin::delete).await
        }
        R::ThreadRollback { params, .. } => {
            on::<m::ThreadRollback, _>(cx, params, thread_undo::rollback).await
        }
        R::ThreadRevert { params, .. } => {
            on::<m::ThreadRevert, _>(cx, params, thread_undo::revert).await
        }
        R::ThreadMetadataUpdate { params, .. } => {
            on::<m::ThreadMetadataUpdate, _>(cx, params, thread_admin::metadata_update).await
        }
        R::ThreadShellCommand { params, .. } => {
            on::<m::ThreadShellCommand, _>(cx, params, thread_admin::shell_command).await
        }
        R::ThreadCompactStart { params, .. } => {
            on::<m::ThreadCompactStart, _>(cx, params, thread_admin::compact_start).await
        }
        R::ThreadBackgroundTerminalsList { params, .. } => {
            on::<m::ThreadBackgroundTerminalsList, _>(cx, params, background_terminals::list).await
        }
        R::ThreadBackgroundTerminalsTerminate { params, .. } => {
            let handler = background_terminals::terminate;
            on::<m::ThreadBackgroundTerminalsTerminate, _>(cx, params, handler).await
        }
        R::ThreadBackgroundTerminalsClean { params, .. } => {
            on::<m::ThreadBackgroundTerminalsClean, _>(cx, params, background_terminals::clean)
                .await
        }
        R::TurnStart { params, .. } => on::<m::TurnStart, _>(cx, params, turn::start).await,
        R::TurnInterrupt { params, .. } => {
            on::<m::TurnInterrupt, _>(cx, params, turn::interrupt).await
        }
        R::TurnSteer { params, .. } => on::<m::TurnSteer, _>(cx, params, turn::steer).await,
        other => Err(RequestError::Internal(format!(
            "{} is not a thread method",
            other.method()
        ))),
    }
}

/// Runs one request's handler to completion and writes its answer; a panic becomes an internal error.
pub(crate) async fn answer_request(
    outgoing: OutgoingMessageSender,
    slot: RequestSlot,
    id: RequestId,
    method: String,
    routed: impl Future<Output = Result<Answer<Value>, RequestError>>,
) {
    let result = AssertUnwindSafe(routed)
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|reason| reason.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "handler panicked".to_string());
            tracing::error!("handler for {method} panicked: {reason}");
            Err(RequestError::Internal(format!(
                "handler for {method} panicked"
            )))
        });
    write_answer(&outgoing, slot, id, result).await;
}

/// Writes a request's outcome: its answer in the answer's order, or its error.
pub(crate) async fn write_answer(
    outgoing: &OutgoingMessageSender,
    slot: RequestSlot,
    id: RequestId,
    result: Result<Answer<Value>, RequestError>,
) {
    match result {
        Ok(answer) => answer.write(outgoing, slot, id).await,
        Err(error) => outgoing.send_error(slot, Some(id), error.into()),
    }
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod tests;

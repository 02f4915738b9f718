//! `fuzzyFileSearch` and its experimental sessions (`fuzzyFileSearch/sessionStart`, `sessionUpdate`,
//! `sessionStop`), over the engine's file searcher. Searches run on blocking threads, never on the async
//! workers. As upstream: a search cancelled by a newer one with its token answers no files; a session
//! reports each query with `fuzzyFileSearch/sessionUpdated` then `fuzzyFileSearch/sessionCompleted`, after
//! the `sessionUpdate`'s answer, and nothing once stopped.

use std::sync::Arc;

use codex_app_server_protocol as wire;
use codex_app_server_protocol::ServerNotification;
use codex_core::file_search::EntryKind;
use codex_core::file_search::FileMatch;
use codex_core::file_search::SearchError;
use codex_core::file_search::SessionEvent;

use crate::error::RequestError;
use crate::file_searches::SessionEvents;
use crate::handlers::Answer;
use crate::handlers::NotificationSink;
use crate::handlers::RequestContext;

/// `fuzzyFileSearch`: the best 50 files and directories under `roots` for `query`.
pub async fn search(
    context: RequestContext,
    params: wire::FuzzyFileSearchParams,
) -> Result<Answer<wire::FuzzyFileSearchResponse>, RequestError> {
    let ticket = context.file_searches.claim_search(&context.request_id);
    // A request dropped unanswered (its connection closed) stops its search.
    let _stop_when_dropped = ticket.cancel.clone().drop_guard();
    let no_files = || {
        Ok(Answer::new(wire::FuzzyFileSearchResponse {
            files: Vec::new(),
        }))
    };
    let _slot = tokio::select! {
        slot = context.engine.file_search_slots.acquire() => {
            slot.map_err(|error| RequestError::Internal(error.to_string()))?
        }
        () = ticket.cancel.cancelled() => return no_files(),
    };
    let searcher = Arc::clone(&context.engine.file_search);
    let cancel = ticket.cancel.clone();
    let found =
        tokio::task::spawn_blocking(move || searcher.search(&params.query, &params.roots, &cancel))
            .await
            .map_err(|error| RequestError::Internal(error.to_string()))?;
    drop(ticket);
    match found {
        Ok(files) => Ok(Answer::new(wire::FuzzyFileSearchResponse {
            files: files.into_iter().map(wire_file).collect(),
        })),
        Err(SearchError::Cancelled) => no_files(),
        Err(error @ (SearchError::NoRoots | SearchError::Thread(_))) => {
            tracing::warn!("fuzzy file search failed: {error}");
            no_files()
        }
    }
}

/// `fuzzyFileSearch/sessionStart`: the session was started when the request was registered (its walk is
/// under way); its reports follow this answer.
pub async fn session_start(
    context: RequestContext,
    _params: wire::FuzzyFileSearchSessionStartParams,
) -> Result<Answer<wire::FuzzyFileSearchSessionStartResponse>, RequestError> {
    let events = context
        .file_searches
        .claim_session_events(&context.request_id)
        .ok_or_else(|| RequestError::Internal("the session was not registered".to_string()))?;
    Ok(Answer::new(wire::FuzzyFileSearchSessionStartResponse {})
        .then_spawn(move |sink| send_events(events, sink)))
}

/// `fuzzyFileSearch/sessionUpdate`: the session's new query, handed over once this answer is queued.
pub async fn session_update(
    context: RequestContext,
    _params: wire::FuzzyFileSearchSessionUpdateParams,
) -> Result<Answer<wire::FuzzyFileSearchSessionUpdateResponse>, RequestError> {
    let release = context
        .file_searches
        .claim_query(&context.request_id)
        .ok_or_else(|| RequestError::Internal("the query was not registered".to_string()))?;
    Ok(Answer::new(wire::FuzzyFileSearchSessionUpdateResponse {}).then_release(release))
}

/// `fuzzyFileSearch/sessionStop`: the session was stopped when the request was registered (a session not
/// running is no error, as upstream).
pub async fn session_stop(
    _context: RequestContext,
    _params: wire::FuzzyFileSearchSessionStopParams,
) -> Result<Answer<wire::FuzzyFileSearchSessionStopResponse>, RequestError> {
    Ok(Answer::new(wire::FuzzyFileSearchSessionStopResponse {}))
}

/// Sends a session's reports until it stops.
async fn send_events(mut session: SessionEvents, sink: NotificationSink) {
    loop {
        let event = tokio::select! {
            biased;
            () = session.stopped.cancelled() => return,
            event = session.events.recv() => event,
        };
        let Some(event) = event else {
            return;
        };
        let session_id = session.session_id.clone();
        let notification = match event {
            SessionEvent::Updated { query, files } => {
                ServerNotification::FuzzyFileSearchSessionUpdated(
                    wire::FuzzyFileSearchSessionUpdatedNotification {
                        session_id,
                        query,
                        files: files.into_iter().map(wire_file).collect(),
                    },
                )
            }
            SessionEvent::Completed => ServerNotification::FuzzyFileSearchSessionCompleted(
                wire::FuzzyFileSearchSessionCompletedNotification { session_id },
            ),
        };
        sink.notify(notification).await;
    }
}

fn wire_file(found: FileMatch) -> wire::FuzzyFileSearchResult {
    wire::FuzzyFileSearchResult {
        root: found.root,
        path: found.path,
        match_type: match found.kind {
            EntryKind::File => wire::FuzzyFileSearchMatchType::File,
            EntryKind::Directory => wire::FuzzyFileSearchMatchType::Directory,
        },
        file_name: found.file_name,
        score: found.score,
        indices: Some(found.indices),
    }
}

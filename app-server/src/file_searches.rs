//! A connection's fuzzy file searches: the cancellation tokens of its `fuzzyFileSearch` requests and its
//! search sessions. The message processor registers each such request before it runs, so requests take
//! effect in the order they came: a search with a token cancels the one still running under it, and a
//! `fuzzyFileSearch/sessionUpdate` sent right after its `sessionStart` finds the session. What a request's
//! handler needs it claims by the request's id. Everything ends with the connection.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::MutexGuard;

use codex_app_server_protocol::ClientRequest;
use codex_app_server_protocol::RequestId;
use codex_core::file_search::FileSearcher;
use codex_core::file_search::SearchError;
use codex_core::file_search::SearchSession;
use codex_core::file_search::SessionEvent;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::error::RequestError;

/// Events a session may have waiting for the host.
const SESSION_EVENT_CAPACITY: usize = 64;

/// One live session.
struct SessionEntry {
    session: Arc<SearchSession>,
    /// Cancelled when the session stops: its events are no longer sent.
    stopped: CancellationToken,
}

impl Drop for SessionEntry {
    fn drop(&mut self) {
        self.stopped.cancel();
        self.session.stop();
    }
}

/// What a registered request's handler claims.
enum Claim {
    Search(SearchTicket),
    Start(SessionEvents),
    Update(QueryRelease),
}

#[derive(Default)]
struct Registry {
    /// Running searches by cancellation token: the generation of the latest one and its token.
    tokens: HashMap<String, (u64, CancellationToken)>,
    sessions: HashMap<String, SessionEntry>,
    claims: HashMap<RequestId, Claim>,
    /// Generations of searches and numbers of session queries, in the order the requests came.
    next_number: u64,
    closed: bool,
}

/// A connection's searches and sessions.
pub struct FileSearches {
    searcher: Arc<FileSearcher>,
    registry: Arc<Mutex<Registry>>,
}

/// A `fuzzyFileSearch`'s cancellation; leaves the registry when dropped (unless a newer search took its
/// token).
pub struct SearchTicket {
    pub cancel: CancellationToken,
    token: Option<(String, u64)>,
    registry: Arc<Mutex<Registry>>,
}

impl Drop for SearchTicket {
    fn drop(&mut self) {
        let Some((token, generation)) = &self.token else {
            return;
        };
        let mut registry = lock(&self.registry);
        if registry
            .tokens
            .get(token)
            .is_some_and(|(latest, _)| latest == generation)
        {
            registry.tokens.remove(token);
        }
    }
}

/// A new session's events, for the task that sends them once `sessionStart` is answered.
pub struct SessionEvents {
    pub session_id: String,
    pub events: mpsc::Receiver<SessionEvent>,
    pub stopped: CancellationToken,
}

/// A `sessionUpdate`'s query, handed to its session when dropped: once the update's answer is queued, so
/// the notifications it causes follow it.
pub struct QueryRelease {
    session: Arc<SearchSession>,
    number: u64,
    query: String,
}

impl Drop for QueryRelease {
    fn drop(&mut self) {
        self.session
            .update_query(self.number, std::mem::take(&mut self.query));
    }
}

fn lock(registry: &Mutex<Registry>) -> MutexGuard<'_, Registry> {
    registry
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl FileSearches {
    pub fn new(searcher: Arc<FileSearcher>) -> FileSearches {
        FileSearches {
            searcher,
            registry: Arc::default(),
        }
    }

    /// Registers `request` when it is a file search or a session request; refuses what upstream refuses
    /// before anything runs.
    pub fn register_request(
        &self,
        id: &RequestId,
        request: &ClientRequest,
    ) -> Result<(), RequestError> {
        let mut registry = lock(&self.registry);
        let claim = match request {
            ClientRequest::FuzzyFileSearch { params, .. } => Claim::Search(
                self.register_search(&mut registry, params.cancellation_token.as_deref()),
            ),
            ClientRequest::FuzzyFileSearchSessionStart { params, .. } => Claim::Start(
                self.start_session(&mut registry, &params.session_id, &params.roots)?,
            ),
            ClientRequest::FuzzyFileSearchSessionUpdate { params, .. } => {
                let Some(entry) = registry.sessions.get(&params.session_id) else {
                    return Err(RequestError::Rejected(format!(
                        "fuzzy file search session not found: {}",
                        params.session_id
                    )));
                };
                let session = Arc::clone(&entry.session);
                registry.next_number += 1;
                Claim::Update(QueryRelease {
                    session,
                    number: registry.next_number,
                    query: params.query.clone(),
                })
            }
            ClientRequest::FuzzyFileSearchSessionStop { params, .. } => {
                registry.sessions.remove(&params.session_id);
                return Ok(());
            }
            _ => return Ok(()),
        };
        let replaced = registry.claims.insert(id.clone(), claim);
        // Dropped outside the lock: a ticket's drop takes it.
        drop(registry);
        drop(replaced);
        Ok(())
    }

    fn register_search(&self, registry: &mut Registry, token: Option<&str>) -> SearchTicket {
        let cancel = CancellationToken::new();
        if registry.closed {
            cancel.cancel();
        }
        registry.next_number += 1;
        let generation = registry.next_number;
        let token = token.map(|token| {
            let replaced = registry
                .tokens
                .insert(token.to_string(), (generation, cancel.clone()));
            if let Some((_, earlier)) = replaced {
                earlier.cancel();
            }
            (token.to_string(), generation)
        });
        SearchTicket {
            cancel,
            token,
            registry: Arc::clone(&self.registry),
        }
    }

    fn start_session(
        &self,
        registry: &mut Registry,
        session_id: &str,
        roots: &[String],
    ) -> Result<SessionEvents, RequestError> {
        if session_id.is_empty() {
            return Err(RequestError::Rejected(
                "sessionId must not be empty".to_string(),
            ));
        }
        if registry.closed {
            return Err(RequestError::Rejected("connection closed".to_string()));
        }
        let (sender, events) = mpsc::channel(SESSION_EVENT_CAPACITY);
        let session = self
            .searcher
            .start_session(roots.to_vec(), sender)
            .map_err(|error: SearchError| {
                RequestError::FileSearchSessionFailed(error.to_string())
            })?;
        let stopped = CancellationToken::new();
        let entry = SessionEntry {
            session: Arc::new(session),
            stopped: stopped.clone(),
        };
        // A session started again under its id replaces the old one, which stops.
        registry.sessions.insert(session_id.to_string(), entry);
        Ok(SessionEvents {
            session_id: session_id.to_string(),
            events,
            stopped,
        })
    }

    /// The cancellation of the `fuzzyFileSearch` request `id` (a fresh one if it was never registered).
    pub fn claim_search(&self, id: &RequestId) -> SearchTicket {
        match self.claim(id) {
            Some(Claim::Search(ticket)) => ticket,
            Some(Claim::Start(_) | Claim::Update(_)) | None => SearchTicket {
                cancel: CancellationToken::new(),
                token: None,
                registry: Arc::clone(&self.registry),
            },
        }
    }

    /// The events of the session the `sessionStart` request `id` started.
    pub fn claim_session_events(&self, id: &RequestId) -> Option<SessionEvents> {
        match self.claim(id) {
            Some(Claim::Start(events)) => Some(events),
            Some(Claim::Search(_) | Claim::Update(_)) | None => None,
        }
    }

    /// The query of the `sessionUpdate` request `id`, handed over when the release is dropped.
    pub fn claim_query(&self, id: &RequestId) -> Option<QueryRelease> {
        match self.claim(id) {
            Some(Claim::Update(release)) => Some(release),
            Some(Claim::Search(_) | Claim::Start(_)) | None => None,
        }
    }

    fn claim(&self, id: &RequestId) -> Option<Claim> {
        lock(&self.registry).claims.remove(id)
    }

    /// Ends everything: searches are cancelled, sessions stopped, nothing new is registered.
    pub fn close(&self) {
        let (tokens, sessions, claims) = {
            let mut registry = lock(&self.registry);
            registry.closed = true;
            (
                std::mem::take(&mut registry.tokens),
                std::mem::take(&mut registry.sessions),
                std::mem::take(&mut registry.claims),
            )
        };
        tokens.values().for_each(|(_, cancel)| cancel.cancel());
        // Dropped outside the lock: a ticket's drop takes it.
        drop((sessions, claims));
    }
}

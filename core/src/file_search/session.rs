//! A search session (upstream's `fuzzyFileSearch/session*`): its roots are walked once, on a thread of its
//! own, then every query the host types is ranked against that walk. Each query gives one
//! [`SessionEvent::Updated`] then [`SessionEvent::Completed`]; a query replaced by a newer one before its turn
//! gives nothing (only the newest pending query runs, and a newer query stops a ranking under way). Before the
//! first query the session reports the empty query once its walk is done, as upstream does. Stopping (or
//! dropping) the session ends its thread and its walk; it reports nothing after that.

use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::file_search::cache::IndexCache;
use crate::file_search::error::SearchError;
use crate::file_search::file_match::FileMatch;
use crate::file_search::index::FileIndex;
use crate::file_search::query::Query;
use crate::file_search::rank::MATCH_LIMIT;
use crate::file_search::rank::rank;

/// What a session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    Updated {
        query: String,
        files: Vec<FileMatch>,
    },
    Completed,
}

/// What the host and the session's thread share.
struct Shared {
    stop: CancellationToken,
    /// The number of the newest query handed to the session.
    newest: AtomicU64,
}

/// A running session; dropping it stops it.
pub struct SearchSession {
    shared: Arc<Shared>,
    queries: std::sync::mpsc::Sender<(u64, String)>,
}

impl SearchSession {
    pub(crate) fn start(
        cache: Arc<IndexCache>,
        roots: Vec<String>,
        events: mpsc::Sender<SessionEvent>,
    ) -> Result<SearchSession, SearchError> {
        let shared = Arc::new(Shared {
            stop: CancellationToken::new(),
            newest: AtomicU64::new(0),
        });
        let (queries, received) = std::sync::mpsc::channel();
        let worker = Worker {
            shared: Arc::clone(&shared),
            queries: received,
            events,
        };
        std::thread::Builder::new()
            .name("file-search-session".to_string())
            .spawn(move || worker.run(&cache, &roots))
            .map_err(SearchError::Thread)?;
        Ok(SearchSession { shared, queries })
    }

    /// Hands the session query number `number` (numbers grow with the host's order: an older number arriving
    /// late is ignored).
    pub fn update_query(&self, number: u64, query: String) {
        self.shared.newest.fetch_max(number, Ordering::SeqCst);
        // A send fails only once the thread has ended, when there is nothing left to update.
        let _ = self.queries.send((number, query));
    }

    pub fn stop(&self) {
        self.shared.stop.cancel();
    }
}

impl Drop for SearchSession {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The session's thread.
struct Worker {
    shared: Arc<Shared>,
    queries: std::sync::mpsc::Receiver<(u64, String)>,
    events: mpsc::Sender<SessionEvent>,
}

impl Worker {
    fn run(self, cache: &IndexCache, roots: &[String]) {
        let Ok(index) = cache.index(roots, &self.shared.stop) else {
            return;
        };
        let (mut number, mut query) = (0, String::new());
        loop {
            if let Some((newer, text)) = self.newest_pending(number) {
                (number, query) = (newer, text);
            }
            if !self.report(&index, number, &query) {
                return;
            }
            match self.queries.recv() {
                Ok((newer, text)) if newer > number => (number, query) = (newer, text),
                Ok(_) => continue,
                Err(_) => return,
            }
        }
    }

    /// The newest query waiting, if newer than `current`.
    fn newest_pending(&self, current: u64) -> Option<(u64, String)> {
        self.queries
            .try_iter()
            .filter(|(number, _)| *number > current)
            .max_by_key(|(number, _)| *number)
    }

    /// Ranks and reports `query`; false once the session is over (stopped, or nobody listens).
    fn report(&self, index: &FileIndex, number: u64, query: &str) -> bool {
        let shared = &self.shared;
        let superseded =
            || shared.stop.is_cancelled() || shared.newest.load(Ordering::SeqCst) > number;
        let files = match Query::parse(query) {
            None => Ok(Vec::new()),
            Some(parsed) => rank(index, &parsed, MATCH_LIMIT, &superseded),
        };
        if self.shared.stop.is_cancelled() {
            return false;
        }
        let Ok(files) = files else {
            // A newer query is pending: it runs next.
            return true;
        };
        let updated = SessionEvent::Updated {
            query: query.to_string(),
            files,
        };
        self.events.blocking_send(updated).is_ok()
            && self.events.blocking_send(SessionEvent::Completed).is_ok()
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;

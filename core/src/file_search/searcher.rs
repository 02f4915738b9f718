//! The file search service one daemon shares: one-shot searches and sessions over the shared index cache.
//! Everything here blocks (walking, matching); callers run it off the async runtime.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::file_search::cache::IndexCache;
use crate::file_search::error::SearchError;
use crate::file_search::file_match::FileMatch;
use crate::file_search::query::Query;
use crate::file_search::rank::MATCH_LIMIT;
use crate::file_search::rank::rank;
use crate::file_search::session::SearchSession;
use crate::file_search::session::SessionEvent;

/// Searches files under roots, keeping walked trees between searches.
#[derive(Default)]
pub struct FileSearcher {
    cache: Arc<IndexCache>,
}

impl FileSearcher {
    /// The best [`MATCH_LIMIT`] files and directories under `roots` for `query`, best first. No roots or an
    /// empty query find nothing (without walking).
    pub fn search(
        &self,
        query: &str,
        roots: &[String],
        cancel: &CancellationToken,
    ) -> Result<Vec<FileMatch>, SearchError> {
        let Some(query) = Query::parse(query) else {
            return Ok(Vec::new());
        };
        if roots.is_empty() {
            return Ok(Vec::new());
        }
        let index = self.cache.index(roots, cancel)?;
        let started = std::time::Instant::now();
        let ranked = rank(&index, &query, MATCH_LIMIT, &|| cancel.is_cancelled());
        tracing::debug!(
            "file search: ranked {} entries in {:?}",
            index.len(),
            started.elapsed()
        );
        ranked
    }

    /// Starts a session over `roots` (walked once, on the session's own thread); what it finds goes to
    /// `events`.
    pub fn start_session(
        &self,
        roots: Vec<String>,
        events: mpsc::Sender<SessionEvent>,
    ) -> Result<SearchSession, SearchError> {
        if roots.is_empty() {
            return Err(SearchError::NoRoots);
        }
        SearchSession::start(Arc::clone(&self.cache), roots, events)
    }
}

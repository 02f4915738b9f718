//! Why a file search gives no answer: nothing to search, cancelled, or its session's thread could not start.

/// A file search that could not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// A session needs a root to walk (upstream's text).
    #[error("at least one search directory is required")]
    NoRoots,
    /// Cancelled before it finished: by its cancellation token, a newer query of its session, or the session
    /// stopping.
    #[error("the file search was cancelled")]
    Cancelled,
    /// The session's worker thread could not be started.
    #[error("could not start the file search thread")]
    Thread(#[source] std::io::Error),
}

//! Fuzzy file search (`fuzzyFileSearch` and its sessions): the roots are walked as upstream walks them
//! (`walk`: `.gitignore` inside git repositories, hidden files included), the walk kept while the tree does
//! not change (`cache`, `freshness`), and its entries ranked for a query with upstream's scoring (`query`:
//! nucleo's fzf-style matcher plus upstream's file-name tiers; `rank`, `top_matches`). Cancellable,
//! bounded (`index`), and blocking: the daemon runs it off its async workers.

mod cache;
mod error;
mod file_match;
mod freshness;
mod index;
mod query;
mod rank;
mod searcher;
mod session;
mod top_matches;
mod walk;

pub use error::SearchError;
pub use file_match::FileMatch;
pub use index::EntryKind;
pub use rank::MATCH_LIMIT;
pub use searcher::FileSearcher;
pub use session::SearchSession;
pub use session::SessionEvent;

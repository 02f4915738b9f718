//! One answer of a file search: the entry's root (as the caller wrote it), its path relative to that root,
//! its file name, file or directory, its score and the characters of the path the query matched.

use crate::file_search::index::EntryKind;
use crate::file_search::index::FileIndex;
use crate::file_search::top_matches::Candidate;

/// A matched file or directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMatch {
    pub root: String,
    /// Relative to `root`, `/`-separated; `""` for the root itself.
    pub path: String,
    pub file_name: String,
    pub kind: EntryKind,
    pub score: u32,
    /// Sorted, distinct character positions in `path`.
    pub indices: Vec<u32>,
}

impl FileMatch {
    pub(crate) fn new(index: &FileIndex, candidate: Candidate, indices: Vec<u32>) -> FileMatch {
        let entry = index.entry(candidate.entry);
        FileMatch {
            root: index.roots()[entry.root].clone(),
            path: entry.path.to_string(),
            file_name: entry.file_name().to_string(),
            kind: entry.kind,
            score: candidate.score,
            indices,
        }
    }
}

//! Errors from parsing a patch and from applying it to disk.

use std::io;
use std::path::PathBuf;

use super::write_scope::PathAccess;

/// The patch text does not follow the patch grammar; `line_number` is 1-based in the text as received.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid patch at line {line_number}: {message}")]
pub struct ParseError {
    pub line_number: usize,
    pub message: String,
}

/// Why a patch could not be applied. When this is returned, nothing on disk has changed (but for a file a
/// failed rollback could not restore, which is logged).
#[derive(Debug, thiserror::Error)]
pub enum ApplyPatchError {
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("Failed to find context '{context}' in {}", path.display())]
    ContextNotFound { path: PathBuf, context: String },
    #[error(
        "Failed to find expected lines in {} (hunk starting with '{first_line}')",
        path.display()
    )]
    HunkNotFound { path: PathBuf, first_line: String },
    #[error("{} does not exist", path.display())]
    FileNotFound { path: PathBuf },
    #[error("Failed to read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("Failed to write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("{} is {access}", path.display())]
    NotWritable { path: PathBuf, access: PathAccess },
    #[error(
        "{} was not touched: a symbolic link stands in its path (it was replaced after the patch was checked, \
         or is a link that leads nowhere)",
        path.display()
    )]
    LinkInPath { path: PathBuf },
    #[error(
        "{} was not touched: apply_patch writes files only with openat2 (Linux 5.6+), which this kernel does \
         not provide",
        path.display()
    )]
    Openat2Unavailable { path: PathBuf },
    #[error("{} is not a file path", path.display())]
    NotAFilePath { path: PathBuf },
}

//! A place in the sources, as reports show it: `core/src/turn.rs:59`.

use std::fmt;
use std::path::Path;
use std::path::PathBuf;

/// A line of a file, the file relative to the workspace root.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

impl Location {
    pub fn new(file: &Path, line: usize) -> Self {
        Location {
            file: file.to_path_buf(),
            line,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

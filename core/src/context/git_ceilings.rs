//! `GIT_CEILING_DIRECTORIES`: the directories the upward search for a working directory's repository must
//! not climb into. git honours it when it looks for a repository; our own search (the project docs' repo
//! root) honours it the same way, and the git commands we run get the same list, so both agree.

use std::ffi::OsStr;
use std::ffi::OsString;
use std::path::Path;
use std::path::PathBuf;

/// The environment variable git reads.
pub const GIT_CEILING_DIRECTORIES_ENV_VAR: &str = "GIT_CEILING_DIRECTORIES";

/// Ceiling directories, absolute and (unless git's rules say otherwise) canonical.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitCeilings {
    dirs: Vec<PathBuf>,
}

impl GitCeilings {
    /// The daemon's `GIT_CEILING_DIRECTORIES`; none when it is unset.
    pub fn from_env() -> Self {
        std::env::var_os(GIT_CEILING_DIRECTORIES_ENV_VAR)
            .map(|value| Self::parse(&value))
            .unwrap_or_default()
    }

    /// Parses a `GIT_CEILING_DIRECTORIES` value as git does: a `:`-separated list where relative entries are
    /// ignored, entries are resolved through symlinks (and dropped when they do not resolve) except after an
    /// empty entry, which tells git the rest need no resolution.
    pub fn parse(value: &OsStr) -> Self {
        let mut resolve = true;
        let mut dirs = Vec::new();
        for entry in std::env::split_paths(value) {
            if entry.as_os_str().is_empty() {
                resolve = false;
            } else if !entry.is_absolute() {
                continue;
            } else if !resolve {
                dirs.push(entry);
            } else if let Ok(dir) = std::fs::canonicalize(&entry) {
                dirs.push(dir);
            }
        }
        Self { dirs }
    }

    /// Ceilings at `dirs` (each resolved through symlinks when it exists).
    pub fn new<P: AsRef<Path>>(dirs: impl IntoIterator<Item = P>) -> Self {
        let dirs = dirs
            .into_iter()
            .map(|dir| std::fs::canonicalize(dir.as_ref()).unwrap_or_else(|_| dir.as_ref().into()))
            .collect();
        Self { dirs }
    }

    /// `dir` and its ancestors, nearest first, that a search for the repository holding `dir` may look at:
    /// up to, not including, the nearest ceiling above `dir`. `dir` itself is always included, even when it is
    /// a ceiling. `dir` should be canonical, as the ceilings are.
    pub fn search_path<'a>(&self, dir: &'a Path) -> impl Iterator<Item = &'a Path> + use<'a> {
        let nearest_ceiling = self
            .dirs
            .iter()
            .filter(|ceiling| dir != ceiling.as_path() && dir.starts_with(ceiling))
            .max_by_key(|ceiling| ceiling.components().count())
            .cloned();
        dir.ancestors()
            .take_while(move |ancestor| nearest_ceiling.as_deref() != Some(*ancestor))
    }

    /// The value for a git child's `GIT_CEILING_DIRECTORIES`; `None` when there are no ceilings. Every entry is
    /// already resolved, so an empty first entry spares git resolving them again (and keeps entries that
    /// were given after an empty one unresolved, as they were).
    pub fn env_value(&self) -> Option<OsString> {
        if self.dirs.is_empty() {
            return None;
        }
        let entries = std::iter::once(PathBuf::new()).chain(self.dirs.iter().cloned());
        std::env::join_paths(entries).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn parse_follows_gits_rules() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let real = std::fs::canonicalize(tmp.path()).expect("canonicalize");
        let missing = real.join("missing");
        let value = std::env::join_paths([
            real.join("."),
            PathBuf::from("relative/dir"),
            missing.clone(),
            PathBuf::new(),
            real.join("kept/as/given"),
        ])
        .expect("join");

        assert_eq!(
            GitCeilings::parse(&value),
            GitCeilings {
                dirs: vec![real.clone(), real.join("kept/as/given")]
            }
        );
        assert_eq!(GitCeilings::parse(OsStr::new("")), GitCeilings::default());
    }

    #[test]
    fn search_path_stops_below_the_nearest_ceiling() {
        let ceilings = GitCeilings::new(["/nonexistent/a", "/nonexistent/a/b", "/elsewhere"]);
        assert_eq!(
            ceilings
                .search_path(Path::new("/nonexistent/a/b/c/d"))
                .collect::<Vec<_>>(),
            vec![
                Path::new("/nonexistent/a/b/c/d"),
                Path::new("/nonexistent/a/b/c")
            ]
        );
        // A ceiling is never climbed into, but a search that starts there looks at it.
        assert_eq!(
            ceilings
                .search_path(Path::new("/nonexistent/a/b"))
                .collect::<Vec<_>>(),
            vec![Path::new("/nonexistent/a/b")]
        );
        // `/nonexistent/ab` is not below `/nonexistent/a`.
        assert_eq!(
            ceilings.search_path(Path::new("/nonexistent/ab")).count(),
            3
        );
        assert_eq!(
            GitCeilings::default()
                .search_path(Path::new("/x/y"))
                .collect::<Vec<_>>(),
            vec![Path::new("/x/y"), Path::new("/x"), Path::new("/")]
        );
    }

    #[test]
    fn env_value_lists_resolved_entries_after_an_empty_one() {
        assert_eq!(GitCeilings::default().env_value(), None);
        let ceilings = GitCeilings::new(["/nonexistent/a", "/nonexistent/b"]);
        assert_eq!(
            ceilings.env_value(),
            Some(OsString::from(":/nonexistent/a:/nonexistent/b"))
        );
        assert_eq!(
            GitCeilings::parse(&ceilings.env_value().expect("value")),
            ceilings
        );
    }
}

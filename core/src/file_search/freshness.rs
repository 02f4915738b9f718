//! Whether an index still describes the tree it was walked from, checked without walking again: the walk
//! records a signature (modification time, size, inode) of every directory it read and of every ignore file
//! that shaped it (`.gitignore`, `.ignore`, `.git/info/exclude`, those of the roots' parents, git's global
//! excludes), and whether each parent of a root holds a `.git`; adding, removing or renaming an entry
//! changes its directory's signature. Like git's racy-index
//! rule, a directory changed within [`RACY_WINDOW`] of the walk may have changed again within the same
//! timestamp tick, so such an index is never trusted again.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering;
use std::time::Duration;
use std::time::SystemTime;

/// How close to the walk a change makes the walk's view of that directory untrustworthy.
const RACY_WINDOW: Duration = Duration::from_secs(2);
/// Paths one checking thread takes at least (fewer paths are checked on fewer threads).
const PATHS_PER_THREAD: usize = 2048;
/// The most threads a check uses.
const MAX_THREADS: usize = 8;

/// What a path looked like when the walk read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signature {
    Missing,
    Present {
        modified: Option<SystemTime>,
        len: u64,
        inode: u64,
    },
}

impl Signature {
    /// The signature of `path` now (symlinks followed, as the walk follows them).
    pub(crate) fn of(path: &Path) -> Signature {
        match std::fs::metadata(path) {
            Ok(metadata) => Signature::from_metadata(&metadata),
            Err(_) => Signature::Missing,
        }
    }

    pub(crate) fn from_metadata(metadata: &Metadata) -> Signature {
        Signature::Present {
            modified: metadata.modified().ok(),
            len: metadata.len(),
            inode: metadata.ino(),
        }
    }

    /// Whether the path changed within `window` before `moment` or after it (or has no time to tell).
    fn changed_near(&self, moment: SystemTime, window: Duration) -> bool {
        match self {
            Signature::Missing => false,
            Signature::Present { modified: None, .. } => true,
            Signature::Present {
                modified: Some(modified),
                ..
            } => moment
                .checked_sub(window)
                .is_none_or(|earliest| *modified >= earliest),
        }
    }
}

/// The signatures a walk recorded.
#[derive(Debug)]
pub(crate) struct Freshness {
    watched: Vec<(PathBuf, Signature)>,
    /// Paths whose presence alone matters, and whether each was there.
    presence: Vec<(PathBuf, bool)>,
    /// Something changed too close to the walk for its signature to prove anything.
    racy: bool,
}

impl Freshness {
    /// What `watched` (signed) and `presence_of` (present or not) look like now, for a walk that started at
    /// `walk_started`.
    pub(crate) fn new(
        walk_started: SystemTime,
        watched: Vec<(PathBuf, Signature)>,
        presence_of: Vec<PathBuf>,
    ) -> Freshness {
        let racy = watched
            .iter()
            .any(|(_, signature)| signature.changed_near(walk_started, RACY_WINDOW));
        let presence = presence_of
            .into_iter()
            .map(|path| {
                let present = path.exists();
                (path, present)
            })
            .collect();
        Freshness {
            watched,
            presence,
            racy,
        }
    }

    /// Whether every recorded path still has its signature (checked in parallel, stopping at the first
    /// change).
    pub(crate) fn still_holds(&self) -> bool {
        if self.racy
            || self
                .presence
                .iter()
                .any(|(path, present)| path.exists() != *present)
        {
            return false;
        }
        let threads = (self.watched.len() / PATHS_PER_THREAD).clamp(1, MAX_THREADS);
        let chunk = self.watched.len().div_ceil(threads).max(1);
        let changed = AtomicBool::new(false);
        std::thread::scope(|scope| {
            for part in self.watched.chunks(chunk) {
                let changed = &changed;
                scope.spawn(move || {
                    for (path, signature) in part {
                        if changed.load(Ordering::Relaxed) {
                            return;
                        }
                        if Signature::of(path) != *signature {
                            changed.store(true, Ordering::Relaxed);
                            return;
                        }
                    }
                });
            }
        });
        !changed.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn old_signature_of(path: &Path) -> Signature {
        match Signature::of(path) {
            Signature::Present { len, inode, .. } => Signature::Present {
                modified: Some(SystemTime::UNIX_EPOCH),
                len,
                inode,
            },
            Signature::Missing => Signature::Missing,
        }
    }

    #[test]
    fn a_recent_change_is_never_trusted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let freshness = Freshness::new(
            SystemTime::now(),
            vec![(dir.path().to_path_buf(), Signature::of(dir.path()))],
            Vec::new(),
        );
        assert!(!freshness.still_holds());
    }

    #[test]
    fn a_changed_signature_breaks_it_and_an_unchanged_one_keeps_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing");
        let same = Freshness::new(
            SystemTime::now(),
            vec![(missing.clone(), Signature::Missing)],
            Vec::new(),
        );
        assert!(same.still_holds());
        let changed = Freshness::new(
            SystemTime::now(),
            vec![(dir.path().to_path_buf(), old_signature_of(dir.path()))],
            Vec::new(),
        );
        assert!(!changed.still_holds());
        std::fs::write(&missing, "x").expect("write");
        assert!(!same.still_holds());
    }

    #[test]
    fn a_repository_appearing_above_breaks_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = dir.path().join(".git");
        let freshness = Freshness::new(SystemTime::now(), Vec::new(), vec![git.clone()]);
        assert!(freshness.still_holds());
        std::fs::create_dir(&git).expect("mkdir");
        assert!(!freshness.still_holds());
    }
}

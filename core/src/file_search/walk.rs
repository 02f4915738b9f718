//! The walk: every file and directory under the roots, as upstream's file search finds them — ripgrep's
//! parallel walker (`ignore`) with hidden entries included, symlinks followed, `.gitignore` applied inside git
//! repositories only and `.ignore` everywhere. An entry belongs to the deepest root that contains it, so
//! overlapping roots list it once. Cancellable, and bounded by the index's caps.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;
use std::time::SystemTime;

use ignore::DirEntry;
use ignore::ParallelVisitor;
use ignore::ParallelVisitorBuilder;
use ignore::WalkBuilder;
use ignore::WalkState;
use tokio_util::sync::CancellationToken;

use crate::file_search::error::SearchError;
use crate::file_search::freshness::Freshness;
use crate::file_search::freshness::Signature;
use crate::file_search::index::EntryKind;
use crate::file_search::index::FileIndex;
use crate::file_search::index::MAX_ENTRIES;

/// The most walker threads (upstream's cap).
const MAX_THREADS: usize = 12;
/// Entries a walker thread visits between two looks at the cancellation token.
const CANCEL_CHECK_INTERVAL: usize = 256;
/// The ignore files whose content shapes a walk besides those found in it.
const IGNORE_FILE_NAMES: [&str; 2] = [".gitignore", ".ignore"];

/// A finished walk: its index and how to tell later whether the tree changed since.
#[derive(Debug)]
pub(crate) struct Walked {
    pub(crate) index: FileIndex,
    pub(crate) freshness: Freshness,
}

/// Walks `roots` (as the caller wrote them; relative ones against the daemon's directory). A root that does
/// not exist contributes nothing.
pub(crate) fn walk(roots: &[String], cancel: &CancellationToken) -> Result<Walked, SearchError> {
    let started = SystemTime::now();
    let paths: Vec<PathBuf> = roots.iter().map(PathBuf::from).collect();
    let walked_roots = distinct_roots(&paths);
    let mut index = FileIndex::new(roots.to_vec());
    let mut watched = Vec::new();
    if let Some((first, rest)) = walked_roots.split_first() {
        let mut builder = WalkBuilder::new(&paths[*first]);
        for root in rest {
            builder.add(&paths[*root]);
        }
        builder
            .hidden(false)
            .follow_links(true)
            .require_git(true)
            .threads(walker_threads());
        let shared = Shared {
            roots: &paths,
            walked_roots: &walked_roots,
            cancel,
            seen: AtomicUsize::new(0),
            full: AtomicBool::new(false),
            batches: Mutex::new(Vec::new()),
        };
        builder
            .build_parallel()
            .visit(&mut CollectorBuilder { shared: &shared });
        if cancel.is_cancelled() {
            return Err(SearchError::Cancelled);
        }
        let batches = shared
            .batches
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for batch in batches {
            for (root, path, kind) in batch.entries {
                index.push(root, &path, kind);
            }
            watched.extend(batch.watched);
        }
        if shared.full.load(Ordering::Relaxed) {
            index.mark_truncated();
        }
    }
    let (outside, repositories) = outside_the_roots(&paths, &walked_roots);
    watched.extend(outside);
    Ok(Walked {
        index,
        freshness: Freshness::new(started, watched, repositories),
    })
}

/// The roots walked: each path once (its first occurrence answers for it).
fn distinct_roots(paths: &[PathBuf]) -> Vec<usize> {
    let mut distinct: Vec<usize> = Vec::new();
    for (position, path) in paths.iter().enumerate() {
        if !distinct.iter().any(|seen| paths[*seen] == *path) {
            distinct.push(position);
        }
    }
    distinct
}

fn walker_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_THREADS)
}

/// The deepest root containing `path`, and `path` relative to it.
fn owning_root<'p>(roots: &[PathBuf], path: &'p Path) -> Option<(usize, &'p Path)> {
    let mut owner: Option<(usize, &Path, usize)> = None;
    for (position, root) in roots.iter().enumerate() {
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let depth = root.components().count();
        if owner.is_none_or(|(_, _, best)| depth > best) {
            owner = Some((position, relative, depth));
        }
    }
    owner.map(|(position, relative, _)| (position, relative))
}

/// What the walker threads share.
struct Shared<'a> {
    roots: &'a [PathBuf],
    /// The positions in `roots` walked (each distinct path once).
    walked_roots: &'a [usize],
    cancel: &'a CancellationToken,
    seen: AtomicUsize,
    full: AtomicBool,
    batches: Mutex<Vec<Batch>>,
}

/// What one walker thread found.
#[derive(Default)]
struct Batch {
    entries: Vec<(usize, String, EntryKind)>,
    watched: Vec<(PathBuf, Signature)>,
}

struct CollectorBuilder<'a> {
    shared: &'a Shared<'a>,
}

impl<'s> ParallelVisitorBuilder<'s> for CollectorBuilder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Collector {
            shared: self.shared,
            batch: Batch::default(),
            visited: 0,
        })
    }
}

/// One walker thread's visitor; hands its batch over when the walk drops it.
struct Collector<'a> {
    shared: &'a Shared<'a>,
    batch: Batch,
    visited: usize,
}

impl Drop for Collector<'_> {
    fn drop(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.shared
            .batches
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(batch);
    }
}

impl ParallelVisitor for Collector<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        self.visited += 1;
        if self.visited.is_multiple_of(CANCEL_CHECK_INTERVAL) && self.shared.cancel.is_cancelled() {
            return WalkState::Quit;
        }
        let Ok(entry) = entry else {
            return WalkState::Continue;
        };
        let Some(file_type) = entry.file_type() else {
            return WalkState::Continue;
        };
        let Some((root, relative)) = self.placed(&entry) else {
            return WalkState::Skip;
        };
        let kind = if file_type.is_dir() {
            EntryKind::Directory
        } else {
            EntryKind::File
        };
        self.watch(&entry, kind);
        let Some(relative) = relative.to_str() else {
            return WalkState::Continue;
        };
        if self.shared.seen.fetch_add(1, Ordering::Relaxed) >= MAX_ENTRIES {
            self.shared.full.store(true, Ordering::Relaxed);
            return WalkState::Quit;
        }
        self.batch.entries.push((root, relative.to_string(), kind));
        WalkState::Continue
    }
}

impl Collector<'_> {
    /// The root that lists `entry` and its path relative to that root; `None` when a deeper root lists it
    /// (and what is under it) on its own walk. With one root (the usual search) the walker built the
    /// entry's path by joining names onto that root, so the relative path is the rest of its bytes.
    fn placed<'e>(&self, entry: &'e DirEntry) -> Option<(usize, &'e Path)> {
        let path = entry.path();
        if let [root] = self.shared.walked_roots {
            let rest = path
                .as_os_str()
                .as_bytes()
                .get(self.shared.roots[*root].as_os_str().len()..)?;
            let rest = rest.strip_prefix(b"/").unwrap_or(rest);
            return Some((*root, Path::new(OsStr::from_bytes(rest))));
        }
        // The root this walk started from: the entry's path less its depth's components.
        let walk_root = path.ancestors().nth(entry.depth());
        let (root, relative) = owning_root(self.shared.roots, path)?;
        (walk_root == Some(self.shared.roots[root].as_path())).then_some((root, relative))
    }

    /// Records the signature of a directory read and of an ignore file that shaped the walk.
    fn watch(&mut self, entry: &DirEntry, kind: EntryKind) {
        let watched = match kind {
            EntryKind::Directory => true,
            EntryKind::File => {
                let name = entry.file_name();
                IGNORE_FILE_NAMES
                    .iter()
                    .any(|ignore_file| name == *ignore_file)
                    || entry.path().ends_with(".git/info/exclude")
            }
        };
        if !watched {
            return;
        }
        let signature = entry.metadata().map_or(Signature::Missing, |metadata| {
            Signature::from_metadata(&metadata)
        });
        self.batch
            .watched
            .push((entry.path().to_path_buf(), signature));
    }
}

/// What shapes the walk from outside the roots: the ignore files of every parent of a root and git's global
/// excludes (signed), and whether each parent holds a `.git` (only its presence matters: it makes the
/// root's `.gitignore` files apply).
fn outside_the_roots(
    paths: &[PathBuf],
    walked_roots: &[usize],
) -> (Vec<(PathBuf, Signature)>, Vec<PathBuf>) {
    let mut signed: Vec<PathBuf> = global_git_files();
    let mut repositories: Vec<PathBuf> = Vec::new();
    for root in walked_roots {
        for parent in paths[*root].ancestors().skip(1) {
            if parent.as_os_str().is_empty() {
                continue;
            }
            for name in IGNORE_FILE_NAMES {
                signed.push(parent.join(name));
            }
            signed.push(parent.join(".git/info/exclude"));
            repositories.push(parent.join(".git"));
        }
    }
    signed.sort();
    signed.dedup();
    repositories.sort();
    repositories.dedup();
    let signed = signed
        .into_iter()
        .map(|path| {
            let signature = Signature::of(&path);
            (path, signature)
        })
        .collect();
    (signed, repositories)
}

/// Where git's global configuration and excludes live (what the walker reads for `core.excludesFile`).
fn global_git_files() -> Vec<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| home.as_ref().map(|home| home.join(".config")));
    let mut files = Vec::new();
    if let Some(home) = &home {
        files.push(home.join(".gitconfig"));
    }
    if let Some(config_home) = config_home {
        files.push(config_home.join("git/config"));
        files.push(config_home.join("git/ignore"));
    }
    files
}

#[cfg(test)]
#[path = "walk_tests.rs"]
mod tests;

//! Walked indexes kept between searches, by their list of roots: a host searching as its user types asks for
//! the same roots over and over, and checking that a tree did not change (`freshness`) is far cheaper than
//! walking it again. One walk at a time per list of roots (a second search waits and reuses it); the least
//! recently used lists are dropped beyond [`CACHED_ROOT_LISTS`] or [`CACHED_ENTRIES`] entries in all. An
//! index whose walk was cancelled is never kept.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::MutexGuard;

use tokio_util::sync::CancellationToken;

use crate::file_search::error::SearchError;
use crate::file_search::freshness::Freshness;
use crate::file_search::index::FileIndex;
use crate::file_search::walk::walk;

/// The most lists of roots whose index is kept.
const CACHED_ROOT_LISTS: usize = 4;
/// The most entries kept in all the cached indexes.
const CACHED_ENTRIES: usize = 2_000_000;

/// An index and how to tell it still holds.
struct Cached {
    index: Arc<FileIndex>,
    freshness: Freshness,
}

/// One list of roots: its index, if walked, behind the lock its walks take turns on.
#[derive(Default)]
struct Slot {
    cached: Mutex<Option<Cached>>,
}

/// The slots, most recently used last.
#[derive(Default)]
pub(crate) struct IndexCache {
    slots: Mutex<Vec<(Vec<String>, Arc<Slot>)>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl IndexCache {
    /// The index of `roots`: the cached one if the tree has not changed since its walk, else a new walk.
    /// Blocks (walking, or waiting for another search's walk of the same roots).
    pub(crate) fn index(
        &self,
        roots: &[String],
        cancel: &CancellationToken,
    ) -> Result<Arc<FileIndex>, SearchError> {
        let slot = self.slot(roots);
        let mut cached = lock(&slot.cached);
        if cancel.is_cancelled() {
            return Err(SearchError::Cancelled);
        }
        let started = std::time::Instant::now();
        if let Some(kept) = cached.as_ref()
            && kept.freshness.still_holds()
        {
            tracing::debug!(
                "file search: the index of {roots:?} still holds (checked in {:?})",
                started.elapsed()
            );
            return Ok(Arc::clone(&kept.index));
        }
        *cached = None;
        let walked = walk(roots, cancel)?;
        tracing::debug!(
            "file search: walked {roots:?}: {} entries in {:?}",
            walked.index.len(),
            started.elapsed()
        );
        if walked.index.truncated() {
            tracing::warn!(
                "file search: {roots:?} hold more entries than an index keeps; searching the first {}",
                walked.index.len()
            );
        }
        let index = Arc::new(walked.index);
        *cached = Some(Cached {
            index: Arc::clone(&index),
            freshness: walked.freshness,
        });
        drop(cached);
        self.evict();
        Ok(index)
    }

    /// The slot of `roots`, made the most recently used.
    fn slot(&self, roots: &[String]) -> Arc<Slot> {
        let mut slots = lock(&self.slots);
        let slot = match slots.iter().position(|(kept, _)| kept.as_slice() == roots) {
            Some(position) => slots.remove(position).1,
            None => Arc::default(),
        };
        slots.push((roots.to_vec(), Arc::clone(&slot)));
        slot
    }

    /// Drops the least recently used indexes beyond the caps (a search using one keeps it alive).
    fn evict(&self) {
        let mut slots = lock(&self.slots);
        let mut entries = 0;
        let mut kept = 0;
        for position in (0..slots.len()).rev() {
            // A slot whose walk is running is neither counted nor dropped; one without an index is dropped
            // unless a search is about to walk it.
            let size = match slots[position].1.cached.try_lock() {
                Ok(cached) => cached.as_ref().map(|cached| cached.index.len()),
                Err(_) => continue,
            };
            let Some(size) = size else {
                if Arc::strong_count(&slots[position].1) == 1 {
                    slots.remove(position);
                }
                continue;
            };
            if kept >= CACHED_ROOT_LISTS || entries + size > CACHED_ENTRIES {
                slots.remove(position);
                continue;
            }
            kept += 1;
            entries += size;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn cancel() -> CancellationToken {
        CancellationToken::new()
    }

    #[test]
    fn a_cancelled_walk_is_not_kept_and_a_later_search_walks_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("a.txt"), "").expect("write");
        let roots = vec![dir.path().display().to_string()];
        let cache = IndexCache::default();
        let cancelled = cancel();
        cancelled.cancel();
        assert!(matches!(
            cache.index(&roots, &cancelled),
            Err(SearchError::Cancelled)
        ));
        let index = cache.index(&roots, &cancel()).expect("walked");
        assert_eq!(index.len(), 2);
    }

    /// Dates `path` an hour back, out of the racy window.
    fn age(path: &std::path::Path) {
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        fs::File::open(path)
            .expect("open")
            .set_modified(an_hour_ago)
            .expect("set mtime");
    }

    #[test]
    fn an_unchanged_tree_is_reused_and_a_changed_one_walked_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::create_dir(dir.path().join("sub")).expect("mkdir");
        fs::write(dir.path().join("sub/a.txt"), "").expect("write");
        age(&dir.path().join("sub"));
        age(dir.path());
        let roots = vec![dir.path().display().to_string()];
        let cache = IndexCache::default();
        let first = cache.index(&roots, &cancel()).expect("walked");
        let again = cache.index(&roots, &cancel()).expect("cached");
        assert!(
            Arc::ptr_eq(&first, &again),
            "the unchanged tree was walked again"
        );
        fs::write(dir.path().join("sub/b.txt"), "").expect("write");
        let changed = cache.index(&roots, &cancel()).expect("walked");
        assert!(!Arc::ptr_eq(&first, &changed));
        assert_eq!(changed.len(), 4);
    }

    #[test]
    fn only_the_most_recent_root_lists_are_kept() {
        let dirs: Vec<_> = (0..CACHED_ROOT_LISTS + 1)
            .map(|_| tempfile::tempdir().expect("tempdir"))
            .collect();
        let cache = IndexCache::default();
        for dir in &dirs {
            let roots = vec![dir.path().display().to_string()];
            cache.index(&roots, &cancel()).expect("walked");
        }
        assert_eq!(lock(&cache.slots).len(), CACHED_ROOT_LISTS);
    }
}

//! `TurnDiffTracker`: the aggregated diff of a turn. It remembers each file's content from before the turn's
//! first patch touched it and diffs that against what is on disk now, so several patches to one file show
//! as one change and a file changed back shows no diff at all. The calls of a response that run at once
//! share it.

use std::collections::BTreeMap;
use std::path::Path;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::MutexGuard;

use crate::tools::apply_patch::unified_diff;

#[derive(Debug, Default)]
pub struct TurnDiffTracker {
    /// Content before the turn changed the file; `None` when it did not exist.
    baselines: Mutex<BTreeMap<PathBuf, Option<String>>>,
}

impl TurnDiffTracker {
    /// Records the current content of every path not seen yet in this turn; call before writing them.
    pub fn remember_originals(&self, paths: &[PathBuf]) {
        let mut baselines = self.baselines();
        for path in paths {
            baselines
                .entry(path.clone())
                .or_insert_with(|| read_text(path));
        }
    }

    /// The unified diff of every remembered file from its baseline to its current content, files in path
    /// order; paths under `cwd` (as given or resolved, as patches record them) are shown relative to it.
    pub fn diff(&self, cwd: &Path) -> String {
        let resolved_cwd = cwd.canonicalize().unwrap_or_else(|_| cwd.to_path_buf());
        let mut diff = String::new();
        for (path, baseline) in self.baselines().iter() {
            let current = read_text(path);
            if current == *baseline {
                continue;
            }
            let shown = path
                .strip_prefix(cwd)
                .or_else(|_| path.strip_prefix(&resolved_cwd))
                .unwrap_or(path)
                .display()
                .to_string();
            diff.push_str(&unified_diff(
                baseline.as_deref().unwrap_or_default(),
                current.as_deref().unwrap_or_default(),
                &shown,
            ));
        }
        diff
    }

    fn baselines(&self) -> MutexGuard<'_, BTreeMap<PathBuf, Option<String>>> {
        self.baselines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// A file's text (invalid UTF-8 replaced), or `None` when it cannot be read.
fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn diff_spans_the_turn_and_ignores_files_changed_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let edited = dir.path().join("a.txt");
        let restored = dir.path().join("b.txt");
        std::fs::write(&edited, "one\n").expect("write");
        std::fs::write(&restored, "same\n").expect("write");
        let tracker = TurnDiffTracker::default();
        tracker.remember_originals(&[edited.clone(), restored.clone()]);
        std::fs::write(&edited, "two\n").expect("write");
        std::fs::write(&restored, "changed\n").expect("write");
        tracker.remember_originals(std::slice::from_ref(&edited));
        std::fs::write(&edited, "three\n").expect("write");
        std::fs::write(&restored, "same\n").expect("write");
        assert_eq!(
            tracker.diff(dir.path()),
            unified_diff("one\n", "three\n", "a.txt")
        );
    }
}

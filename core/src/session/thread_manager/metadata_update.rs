//! `thread/metadata/update`: the host patches a thread's git metadata. The patch is kept in memory for a
//! loaded thread and appended to the rollout (`thread_git_info`) for any stored one, so it survives
//! restarts and shows in `thread/read`, `thread/resume` and `thread/list`.

use std::path::Path;

use super::ThreadManager;
use crate::rollout;
use crate::rollout::GitInfo;
use crate::rollout::RolloutItem;
use crate::rollout::RolloutRecorder;
use crate::session::thread::ThreadError;
use crate::session::thread::ThreadSnapshot;

/// A patch of each git field: `None` leaves it, `Some(None)` clears it, `Some(Some(value))` replaces it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitInfoPatch {
    pub commit_hash: Option<Option<String>>,
    pub branch: Option<Option<String>>,
    pub repository_url: Option<Option<String>>,
}

impl GitInfoPatch {
    /// The git metadata after the patch; `None` once every field is cleared.
    pub fn apply(&self, current: Option<GitInfo>) -> Option<GitInfo> {
        let current = current.unwrap_or(GitInfo {
            commit_hash: None,
            branch: None,
            repository_url: None,
        });
        let patched = GitInfo {
            commit_hash: patch_field(&self.commit_hash, current.commit_hash),
            branch: patch_field(&self.branch, current.branch),
            repository_url: patch_field(&self.repository_url, current.repository_url),
        };
        let empty = patched.commit_hash.is_none()
            && patched.branch.is_none()
            && patched.repository_url.is_none();
        (!empty).then_some(patched)
    }
}

fn patch_field(patch: &Option<Option<String>>, current: Option<String>) -> Option<String> {
    match patch {
        Some(value) => value.clone(),
        None => current,
    }
}

impl ThreadManager {
    /// Patches the git metadata of a loaded or stored thread and returns the thread as it is now.
    pub async fn update_git_info(
        &self,
        thread_id: &str,
        patch: &GitInfoPatch,
    ) -> Result<ThreadSnapshot, ThreadError> {
        if let Some(thread) = self.get(thread_id) {
            let git = {
                let mut state = thread.inner.conversation.lock();
                state.git_info = patch.apply(state.git_info.take());
                state.git_info.clone()
            };
            if let Some(recorder) = thread.inner.conversation.recorder() {
                recorder.record(vec![RolloutItem::ThreadGitInfo { git }]);
                recorder
                    .flush()
                    .await
                    .map_err(|e| ThreadError::Rollout(e.into()))?;
            }
            return Ok(thread.snapshot());
        }
        let (path, _archived) = rollout::find_thread_path(&self.codex_home, thread_id)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?
            .ok_or_else(|| ThreadError::NoRollout(thread_id.to_string()))?;
        let current = self.read_thread(thread_id).await?.metadata.git_info;
        append_git_info(&path, patch.apply(current)).await?;
        self.read_thread(thread_id).await
    }
}

/// Appends a `thread_git_info` line to a rollout nobody is writing.
async fn append_git_info(path: &Path, git: Option<GitInfo>) -> Result<(), ThreadError> {
    let recorder = RolloutRecorder::resume(path)
        .await
        .map_err(|e| ThreadError::Rollout(e.into()))?;
    recorder.record(vec![RolloutItem::ThreadGitInfo { git }]);
    recorder
        .shutdown()
        .await
        .map_err(|e| ThreadError::Rollout(e.into()))
}

/// The git metadata last set on a stored thread, if ever; a rollout that cannot be read keeps its session
/// meta's (logged).
pub(super) async fn stored_git_info(path: &Path) -> Option<Option<GitInfo>> {
    let path = path.to_path_buf();
    let scanned = tokio::task::spawn_blocking(move || rollout::latest_git_info(&path)).await;
    match scanned {
        Ok(Ok(git)) => git,
        Ok(Err(error)) => {
            tracing::warn!("reading git metadata updates: {error}");
            None
        }
        Err(error) => {
            tracing::warn!("reading git metadata updates: {error}");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    fn git(commit: Option<&str>, branch: Option<&str>, url: Option<&str>) -> GitInfo {
        GitInfo {
            commit_hash: commit.map(str::to_string),
            branch: branch.map(str::to_string),
            repository_url: url.map(str::to_string),
        }
    }

    #[test]
    fn a_patch_replaces_clears_and_leaves_fields() {
        let patch = GitInfoPatch {
            commit_hash: Some(Some("def".to_string())),
            branch: Some(None),
            repository_url: None,
        };
        assert_eq!(
            patch.apply(Some(git(
                Some("abc"),
                Some("main"),
                Some("https://x/y.git")
            ))),
            Some(git(Some("def"), None, Some("https://x/y.git")))
        );
        assert_eq!(patch.apply(None), Some(git(Some("def"), None, None)));
    }

    #[test]
    fn clearing_every_field_leaves_no_git_metadata() {
        let patch = GitInfoPatch {
            commit_hash: Some(None),
            branch: Some(None),
            repository_url: Some(None),
        };
        assert_eq!(patch.apply(Some(git(Some("abc"), None, None))), None);
    }
}

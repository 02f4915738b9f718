//! `thread/delete`: a thread is unloaded if loaded (its turn interrupted and awaited, its rollout writer
//! stopped, so nothing recreates the file afterwards) and its rollout, live or archived, is removed.

use super::ThreadManager;
use crate::protocol::event::ThreadStatus;
use crate::rollout;
use crate::session::thread::CodexThread;
use crate::session::thread::ThreadError;

/// What deleting a thread did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThreadDeletion {
    /// The thread was loaded and has been unloaded (its status is now `NotLoaded`).
    pub unloaded: bool,
}

impl ThreadManager {
    /// Deletes a thread. A loaded ephemeral thread is only unloaded (it has no rollout); a thread that is
    /// neither loaded nor stored is an error.
    pub async fn delete_thread(&self, thread_id: &str) -> Result<ThreadDeletion, ThreadError> {
        let removed = self
            .threads
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(thread_id);
        let unloaded = removed.is_some();
        if let Some(thread) = removed {
            stop_for_deletion(&thread).await;
        }
        let found = rollout::find_thread_path(&self.codex_home, thread_id)
            .await
            .map_err(|e| ThreadError::Rollout(e.into()))?;
        match found {
            Some((path, _archived)) => rollout::delete_rollout(&path)
                .await
                .map_err(|e| ThreadError::Rollout(e.into()))?,
            None if unloaded => {}
            None => return Err(ThreadError::NoRollout(thread_id.to_string())),
        }
        Ok(ThreadDeletion { unloaded })
    }
}

/// Closes the thread to new turns, interrupts the running one and waits for it to end, then stops the
/// rollout writer after it wrote everything recorded so far.
async fn stop_for_deletion(thread: &CodexThread) {
    let cancel = {
        let mut state = thread.inner.conversation.lock();
        state.closed = true;
        thread.inner.events.replace_status(ThreadStatus::NotLoaded);
        state
            .active_turn
            .as_ref()
            .map(|active| active.cancel.clone())
    };
    if let Some(cancel) = cancel {
        cancel.cancel();
    }
    thread.wait_until_idle().await;
    if let Some(recorder) = thread.inner.conversation.recorder()
        && let Err(err) = recorder.shutdown().await
    {
        tracing::warn!(
            "stopping the rollout of deleted thread {}: {err}",
            thread.id()
        );
    }
}

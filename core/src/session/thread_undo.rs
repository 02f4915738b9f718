//! Undoing turns (`thread/rollback`, `thread/revert`): the thread's last turns leave its model history,
//! its turns and, as a `thread_rolled_back` line, its rollout, so a resumed thread agrees. Files the turns
//! changed stay as they are (as upstream).

use crate::session::thread::CodexThread;
use crate::session::thread::ThreadError;
use crate::session::thread::ThreadSnapshot;

impl CodexThread {
    /// Drops the last `num_turns` turns (all of them when there are fewer); the thread as it is after.
    /// Refused while a turn runs, in upstream 0.105's words.
    pub async fn roll_back(&self, num_turns: u32) -> Result<ThreadSnapshot, ThreadError> {
        let count = usize::try_from(num_turns).unwrap_or(usize::MAX);
        self.inner.conversation.roll_back(count).ok_or_else(|| {
            ThreadError::UndoRefused("Cannot rollback while a turn is in progress.".to_string())
        })?;
        self.flush_rollout().await?;
        Ok(self.snapshot())
    }

    /// Drops turn `before_turn_id` and every turn after it; the thread as it is after. A turn the thread
    /// does not have (or the one running) is `turn not found: <id>`, as upstream 0.171 says.
    pub async fn revert(&self, before_turn_id: &str) -> Result<ThreadSnapshot, ThreadError> {
        let count = {
            let state = self.inner.conversation.lock();
            let position = state
                .turns
                .iter()
                .position(|turn| turn.id == before_turn_id)
                .ok_or_else(|| {
                    ThreadError::UndoRefused(format!("turn not found: {before_turn_id}"))
                })?;
            state.turns.len() - position
        };
        self.inner.conversation.roll_back(count).ok_or_else(|| {
            ThreadError::UndoRefused("Cannot revert while a turn is in progress.".to_string())
        })?;
        self.flush_rollout().await?;
        Ok(self.snapshot())
    }

    async fn flush_rollout(&self) -> Result<(), ThreadError> {
        self.inner
            .conversation
            .flush()
            .await
            .map_err(|err| ThreadError::Rollout(err.into()))
    }
}

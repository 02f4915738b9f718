//! `thread/compact/start`: compacting a thread's history on demand, as a turn of its own whose one item is
//! the `contextCompaction`.

use std::sync::Arc;

use crate::session::thread::CodexThread;
use crate::session::thread::PendingTurn;
use crate::session::thread::ThreadError;
use crate::session::thread_settings::TurnOnlyOptions;
use crate::session::turn::run_compaction_turn;

impl CodexThread {
    /// Accepts a compaction as a new turn; it runs once the returned [`PendingTurn`] is dropped.
    pub fn start_compaction(&self) -> Result<PendingTurn, ThreadError> {
        let (turn, cancel) = self.claim_turn()?;
        let inner = Arc::clone(&self.inner);
        let summary = turn.clone();
        Ok(PendingTurn::spawn(turn, async move {
            let ctx = inner.turn_context(summary.id.clone(), TurnOnlyOptions::default(), cancel);
            let mut model = inner.client.new_session();
            run_compaction_turn(&ctx, &mut model, summary).await;
        }))
    }
}

//! Dropping a thread's last turns (`thread/rollback`, `thread/revert`): from its turns, and from its model
//! history back to where the first dropped turn began. Used live and when a rollout's
//! `thread_rolled_back` line is replayed, so both agree.

use std::collections::HashMap;

use crate::protocol::response_item::ResponseItem;

use super::stored_turn::StoredTurn;

/// Where each turn began in the model history, by turn id.
pub type TurnStarts = HashMap<String, usize>;

/// Drops the last `count` turns (all of them when there are fewer) and the history from the first dropped
/// turn's start on; returns how many turns were dropped. A turn whose start is unknown cuts no history.
pub fn drop_last_turns(
    history: &mut Vec<ResponseItem>,
    turns: &mut Vec<StoredTurn>,
    starts: &mut TurnStarts,
    count: usize,
) -> usize {
    let keep = turns.len().saturating_sub(count);
    let dropped: Vec<StoredTurn> = turns.drain(keep..).collect();
    let cut = dropped
        .iter()
        .filter_map(|turn| starts.get(&turn.id).copied())
        .min();
    match cut {
        Some(cut) => history.truncate(cut),
        None if !dropped.is_empty() => {
            tracing::warn!("rolled back turns whose history start is unknown; history kept");
        }
        None => {}
    }
    for turn in &dropped {
        starts.remove(&turn.id);
    }
    dropped.len()
}

/// After a compaction replaced the history with `new_len` items, every earlier turn begins at its end: a
/// rollback cannot cut into the summary.
pub fn compacted(starts: &mut TurnStarts, new_len: usize) {
    for start in starts.values_mut() {
        *start = new_len;
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::protocol::turn_outcome::TurnStatus;

    fn turn(id: &str) -> StoredTurn {
        StoredTurn {
            id: id.to_string(),
            items: Vec::new(),
            status: TurnStatus::Completed,
            error: None,
            started_at: None,
            completed_at: None,
            duration_ms: None,
        }
    }

    #[test]
    fn the_last_turns_go_with_their_history() {
        let mut history: Vec<ResponseItem> = ["prefix", "one", "two", "three"]
            .map(ResponseItem::user_text)
            .to_vec();
        let mut turns = vec![turn("t1"), turn("t2"), turn("t3")];
        let mut starts = TurnStarts::from([
            ("t1".to_string(), 1),
            ("t2".to_string(), 2),
            ("t3".to_string(), 3),
        ]);
        assert_eq!(drop_last_turns(&mut history, &mut turns, &mut starts, 2), 2);
        assert_eq!(
            history,
            ["prefix", "one"].map(ResponseItem::user_text).to_vec()
        );
        assert_eq!(turns, vec![turn("t1")]);
        assert_eq!(starts, TurnStarts::from([("t1".to_string(), 1)]));
        assert_eq!(drop_last_turns(&mut history, &mut turns, &mut starts, 9), 1);
        assert_eq!(history, vec![ResponseItem::user_text("prefix")]);
        assert_eq!(drop_last_turns(&mut history, &mut turns, &mut starts, 1), 0);
    }

    #[test]
    fn a_compaction_protects_its_summary() {
        let mut starts = TurnStarts::from([("t1".to_string(), 1), ("t2".to_string(), 5)]);
        compacted(&mut starts, 2);
        let mut history = ["prefix", "summary"].map(ResponseItem::user_text).to_vec();
        let mut turns = vec![turn("t1"), turn("t2")];
        drop_last_turns(&mut history, &mut turns, &mut starts, 2);
        assert_eq!(history.len(), 2);
    }
}

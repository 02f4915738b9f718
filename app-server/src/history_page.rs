//! Cursor pagination over a thread's append-only history (`thread/turns/list`, `thread/items/list`).
//! A position is an index into the thread's turns, or into all its items in order; history only grows, so
//! a position names the same turn or item for as long as the thread exists. Cursors are opaque JSON
//! strings that carry the thread and the kind of position, so one is never applied to another list.

use std::ops::Range;

use codex_app_server_protocol::SortDirection;
use serde::Deserialize;
use serde::Serialize;

/// What a cursor's position indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum CursorScope {
    Turns,
    Items,
}

/// Where a page starts: next to `position` (or at it, with `include_anchor`), walking the page's way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageCursor {
    pub thread_id: String,
    pub scope: CursorScope,
    pub position: usize,
    pub include_anchor: bool,
}

/// A cursor that is not one of ours for this thread and list.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid cursor: {0}")]
pub struct InvalidCursor(pub String);

impl PageCursor {
    pub fn encode(&self) -> String {
        // A struct of strings, numbers and booleans always serializes.
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn decode(text: &str, thread_id: &str, scope: CursorScope) -> Result<Self, InvalidCursor> {
        match serde_json::from_str::<PageCursor>(text) {
            Ok(cursor) if cursor.thread_id == thread_id && cursor.scope == scope => Ok(cursor),
            Ok(_) | Err(_) => Err(InvalidCursor(text.to_string())),
        }
    }
}

/// One page of positions and whether more lie beyond its last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageWindow {
    pub positions: Vec<usize>,
    pub has_more: bool,
}

/// The positions of one page within `range`: from the start (or from the anchor), in `direction`, at most
/// `limit` (at least one) of them.
pub fn window(
    range: Range<usize>,
    anchor: Option<(usize, bool)>,
    direction: SortDirection,
    limit: usize,
) -> PageWindow {
    let limit = limit.max(1);
    let candidates: Vec<usize> = match direction {
        SortDirection::Asc => {
            let from = match anchor {
                Some((position, true)) => position,
                Some((position, false)) => position.saturating_add(1),
                None => range.start,
            };
            (from.max(range.start)..range.end).collect()
        }
        SortDirection::Desc => {
            let to = match anchor {
                Some((position, true)) => position.saturating_add(1),
                Some((position, false)) => position,
                None => range.end,
            };
            (range.start..to.min(range.end)).rev().collect()
        }
    };
    PageWindow {
        has_more: candidates.len() > limit,
        positions: candidates.into_iter().take(limit).collect(),
    }
}

/// The `nextCursor` and `backwardsCursor` of a page: continue after its last position, or turn around and
/// start again at it.
pub fn page_cursors(
    window: &PageWindow,
    thread_id: &str,
    scope: CursorScope,
) -> (Option<String>, Option<String>) {
    let Some(&last) = window.positions.last() else {
        return (None, None);
    };
    let cursor = |include_anchor| {
        PageCursor {
            thread_id: thread_id.to_string(),
            scope,
            position: last,
            include_anchor,
        }
        .encode()
    };
    (window.has_more.then(|| cursor(false)), Some(cursor(true)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;

    #[test]
    fn ascending_pages_walk_forward_from_an_exclusive_anchor() {
        assert_eq!(
            window(0..5, None, SortDirection::Asc, 2),
            PageWindow {
                positions: vec![0, 1],
                has_more: true
            }
        );
        assert_eq!(
            window(0..5, Some((1, false)), SortDirection::Asc, 2),
            PageWindow {
                positions: vec![2, 3],
                has_more: true
            }
        );
        assert_eq!(
            window(0..5, Some((3, false)), SortDirection::Asc, 2),
            PageWindow {
                positions: vec![4],
                has_more: false
            }
        );
    }

    #[test]
    fn descending_pages_walk_back_and_an_inclusive_anchor_turns_around() {
        assert_eq!(
            window(0..5, None, SortDirection::Desc, 2),
            PageWindow {
                positions: vec![4, 3],
                has_more: true
            }
        );
        assert_eq!(
            window(0..5, Some((3, true)), SortDirection::Asc, 10),
            PageWindow {
                positions: vec![3, 4],
                has_more: false
            }
        );
        assert_eq!(
            window(0..5, Some((0, false)), SortDirection::Desc, 2),
            PageWindow {
                positions: vec![],
                has_more: false
            }
        );
    }

    #[test]
    fn a_window_stays_inside_its_range_and_takes_at_least_one() {
        assert_eq!(
            window(2..4, None, SortDirection::Asc, 0),
            PageWindow {
                positions: vec![2],
                has_more: true
            }
        );
        assert_eq!(
            window(2..4, Some((7, true)), SortDirection::Desc, 5),
            PageWindow {
                positions: vec![3, 2],
                has_more: false
            }
        );
    }

    #[test]
    fn cursors_round_trip_only_for_their_thread_and_scope() {
        let cursor = PageCursor {
            thread_id: "t1".to_string(),
            scope: CursorScope::Turns,
            position: 3,
            include_anchor: false,
        };
        let text = cursor.encode();
        assert_eq!(
            PageCursor::decode(&text, "t1", CursorScope::Turns),
            Ok(cursor)
        );
        assert_eq!(
            PageCursor::decode(&text, "t2", CursorScope::Turns),
            Err(InvalidCursor(text.clone()))
        );
        assert_eq!(
            PageCursor::decode(&text, "t1", CursorScope::Items),
            Err(InvalidCursor(text.clone()))
        );
        assert_eq!(
            PageCursor::decode("garbage", "t1", CursorScope::Turns),
            Err(InvalidCursor("garbage".to_string()))
        );
    }

    #[test]
    fn an_empty_page_has_no_cursors() {
        let empty = PageWindow {
            positions: vec![],
            has_more: false,
        };
        assert_eq!(page_cursors(&empty, "t1", CursorScope::Items), (None, None));
    }
}

//! `StoredTurn`: one turn as persisted, what both our turn lines and upstream's `event_msg` lines rebuild.

use crate::protocol::turn_item::TurnItem;
use crate::protocol::turn_outcome::TurnError;
use crate::protocol::turn_outcome::TurnStatus;

/// One turn as persisted.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTurn {
    pub id: String,
    pub items: Vec<TurnItem>,
    pub status: TurnStatus,
    pub error: Option<TurnError>,
    /// Unix seconds.
    pub started_at: Option<i64>,
    /// Unix seconds.
    pub completed_at: Option<i64>,
    pub duration_ms: Option<i64>,
}

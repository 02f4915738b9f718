//! Undoing turns: 0.105's `thread/rollback` (drop the last N turns) and 0.171's `thread/revert` (drop a
//! turn and every later one) with `thread/reverted`. Neither reverts files the turns changed.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::thread::Thread;

/// Params of `thread/rollback` (0.105).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadRollbackParams {
    pub thread_id: String,
    /// How many turns to drop from the end of the thread; at least 1. Only the thread's history changes:
    /// files the turns changed stay as they are.
    pub num_turns: u32,
}

impl ExperimentalApi for ThreadRollbackParams {}

/// Result of `thread/rollback`: the thread after it, with its turns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadRollbackResponse {
    pub thread: Thread,
}

/// Params of `thread/revert` (0.171).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadRevertParams {
    pub thread_id: String,
    /// The first turn dropped; every later turn goes too.
    pub before_turn_id: String,
}

impl ExperimentalApi for ThreadRevertParams {}

/// Result of `thread/revert`: the thread without its turns, and cursors that page what is left backwards
/// (`sortDirection: "desc"`, the first page including the cursor's own entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadRevertResponse {
    pub thread: Thread,
    /// For `thread/turns/list`; `null` when no turn is left.
    pub turns_backwards_cursor: Option<String>,
    /// For `thread/items/list`; `null` when no item is left.
    pub items_backwards_cursor: Option<String>,
}

/// `thread/reverted`: a thread's history was cut back (`thread/revert`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadRevertedNotification {
    pub thread_id: String,
}

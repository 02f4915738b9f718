//! A thread's history beyond `thread/read`: `thread/inject_items` (raw model-visible items) and the paged
//! reads `thread/turns/list` and `thread/items/list`.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::item::ThreadItem;
use crate::protocol::v2::thread::SortDirection;
use crate::protocol::v2::turn::Turn;
use crate::protocol::v2::turn::TurnItemsView;

/// Params of `thread/inject_items`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadInjectItemsParams {
    pub thread_id: String,
    /// Raw Responses API items to append to the thread's model-visible history.
    pub items: Vec<serde_json::Value>,
}

impl ExperimentalApi for ThreadInjectItemsParams {}

/// Result of `thread/inject_items`: `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadInjectItemsResponse {}

/// Params of `thread/turns/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadTurnsListParams {
    pub thread_id: String,
    /// Opaque cursor from a previous page's `nextCursor` or `backwardsCursor`.
    #[serde(default)]
    pub cursor: Option<String>,
    /// Turns per page.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Defaults to descending (newest first).
    #[serde(default)]
    pub sort_direction: Option<SortDirection>,
    /// Defaults to `summary`.
    #[serde(default)]
    pub items_view: Option<TurnItemsView>,
}

impl ExperimentalApi for ThreadTurnsListParams {}

/// Result of `thread/turns/list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadTurnsListResponse {
    /// Each turn's `itemsView` says how much of its `items` is included.
    pub data: Vec<Turn>,
    /// Continues after the last turn of this page; null when there are no more.
    pub next_cursor: Option<String>,
    /// For the opposite `sortDirection`, starting at (and including) this page's last turn; null on an
    /// empty page.
    pub backwards_cursor: Option<String>,
}

/// An exclusive item position within the requested turn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ThreadItemsListAnchor {
    #[serde(rename_all = "camelCase")]
    Item { item_id: String },
}

/// Starting position for an item page: an opaque cursor, or an item anchor inside `turnId`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(untagged)]
#[ts(export_to = "v2/")]
pub enum ThreadItemsListCursor {
    Cursor(String),
    Anchor(ThreadItemsListAnchor),
}

/// Which saved outputs of a turn to leave out of the page, to fetch separately by item id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadItemOutputDeferral {
    /// Experimental. Defer nonempty output from successful commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub command_execution: Option<bool>,
    /// Experimental. Defer nonempty plain-text results from successful MCP tool calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub mcp_tool_call: Option<bool>,
}

/// Params of `thread/items/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadItemsListParams {
    pub thread_id: String,
    /// Only this turn's items; the whole thread's when omitted.
    #[serde(default)]
    pub turn_id: Option<String>,
    #[serde(default)]
    pub cursor: Option<ThreadItemsListCursor>,
    /// Items per page.
    #[serde(default)]
    pub limit: Option<u32>,
    /// Defaults to ascending (oldest first).
    #[serde(default)]
    pub sort_direction: Option<SortDirection>,
    #[serde(default)]
    pub defer_output: Option<ThreadItemOutputDeferral>,
}

impl ExperimentalApi for ThreadItemsListParams {
    fn experimental_field(&self) -> Option<&'static str> {
        let deferral = self.defer_output.as_ref()?;
        if deferral.command_execution.is_some() {
            Some("deferOutput.commandExecution")
        } else if deferral.mcp_tool_call.is_some() {
            Some("deferOutput.mcpToolCall")
        } else {
            None
        }
    }
}

/// One listed item and the turn it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadItemEntry {
    pub turn_id: String,
    pub item: ThreadItem,
    /// Unix milliseconds; null when not recorded.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub started_at_ms: Option<i64>,
    /// Unix milliseconds; null when not recorded.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub completed_at_ms: Option<i64>,
}

/// Result of `thread/items/list`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadItemsListResponse {
    pub data: Vec<ThreadItemEntry>,
    /// Continues after the last item of this page; null when there are no more.
    pub next_cursor: Option<String>,
    /// For the opposite `sortDirection`, starting at (and including) this page's last item; null on an
    /// empty page.
    pub backwards_cursor: Option<String>,
}

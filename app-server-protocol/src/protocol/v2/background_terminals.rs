//! The model's unified exec sessions still running in a thread (upstream's background terminals):
//! `thread/backgroundTerminals/list`, `thread/backgroundTerminals/terminate` (0.171) and
//! `thread/backgroundTerminals/clean`, all three experimental methods.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;

/// Params of `thread/backgroundTerminals/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct ThreadBackgroundTerminalsListParams {
    pub thread_id: String,
    /// Opaque pagination cursor returned by a previous call.
    pub cursor: Option<String>,
    /// Optional page size.
    pub limit: Option<u32>,
}

impl ExperimentalApi for ThreadBackgroundTerminalsListParams {}

/// Result of `thread/backgroundTerminals/list`: one page of the running sessions, by session id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadBackgroundTerminalsListResponse {
    pub data: Vec<ThreadBackgroundTerminal>,
    /// Opaque cursor to pass to the next call to continue after the last item. If None, there are no more
    /// items to return.
    pub next_cursor: Option<String>,
}

/// One running session. The process statistics are always null here, as upstream sends them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadBackgroundTerminal {
    /// The `commandExecution` item of the `exec_command` that started the session.
    pub item_id: String,
    /// The session's id, as the model knows it (the item's `processId`).
    pub process_id: String,
    pub command: String,
    pub cwd: String,
    pub os_pid: Option<u32>,
    pub cpu_percent: Option<f64>,
    #[ts(type = "number | null")]
    pub rss_kb: Option<u64>,
}

/// Params of `thread/backgroundTerminals/terminate` (0.171).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadBackgroundTerminalsTerminateParams {
    pub thread_id: String,
    /// A session id from the list (a decimal integer in a string).
    pub process_id: String,
}

impl ExperimentalApi for ThreadBackgroundTerminalsTerminateParams {}

/// Result of `thread/backgroundTerminals/terminate`: whether the session was running (and now ended).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadBackgroundTerminalsTerminateResponse {
    pub terminated: bool,
}

/// Params of `thread/backgroundTerminals/clean`: ends every session of the thread.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadBackgroundTerminalsCleanParams {
    pub thread_id: String,
}

impl ExperimentalApi for ThreadBackgroundTerminalsCleanParams {}

/// Result of `thread/backgroundTerminals/clean`: `{}`, once every session's item has completed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadBackgroundTerminalsCleanResponse {}

#[cfg(test)]
#[path = "background_terminals_tests.rs"]
mod tests;

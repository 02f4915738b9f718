//! Fuzzy file search: `fuzzyFileSearch` (one query, answered with ranked paths) and the experimental
//! sessions (`fuzzyFileSearch/sessionStart`, `sessionUpdate`, `sessionStop`) that report each query typed
//! with `fuzzyFileSearch/sessionUpdated` then `fuzzyFileSearch/sessionCompleted`. A result's fields are
//! snake_case, as upstream's schema has them.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;

/// Params of `fuzzyFileSearch`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/", optional_fields = nullable)]
pub struct FuzzyFileSearchParams {
    pub query: String,
    pub roots: Vec<String>,
    /// A search with the same token still running is cancelled (it answers no files).
    pub cancellation_token: Option<String>,
}

impl ExperimentalApi for FuzzyFileSearchParams {}

/// Result of `fuzzyFileSearch`: at most 50 matches, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchResponse {
    pub files: Vec<FuzzyFileSearchResult>,
}

/// Whether a match is a file or a directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export_to = "v2/")]
pub enum FuzzyFileSearchMatchType {
    File,
    Directory,
}

/// One match: a path relative to one of the roots, its score and the characters of the path that matched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchResult {
    /// The root it was found under, as the request wrote it.
    pub root: String,
    /// Relative to `root`, `/`-separated.
    pub path: String,
    pub match_type: FuzzyFileSearchMatchType,
    pub file_name: String,
    pub score: u32,
    /// Positions (in characters) of `path` the query matched, ascending.
    pub indices: Option<Vec<u32>>,
}

/// Params of `fuzzyFileSearch/sessionStart`: a session over `roots`, walked once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchSessionStartParams {
    pub session_id: String,
    pub roots: Vec<String>,
}

impl ExperimentalApi for FuzzyFileSearchSessionStartParams {}

/// Result of `fuzzyFileSearch/sessionStart`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchSessionStartResponse {}

/// Params of `fuzzyFileSearch/sessionUpdate`: the session's new query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchSessionUpdateParams {
    pub session_id: String,
    pub query: String,
}

impl ExperimentalApi for FuzzyFileSearchSessionUpdateParams {}

/// Result of `fuzzyFileSearch/sessionUpdate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchSessionUpdateResponse {}

/// Params of `fuzzyFileSearch/sessionStop`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchSessionStopParams {
    pub session_id: String,
}

impl ExperimentalApi for FuzzyFileSearchSessionStopParams {}

/// Result of `fuzzyFileSearch/sessionStop`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchSessionStopResponse {}

/// `fuzzyFileSearch/sessionUpdated`: the matches of the session's query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchSessionUpdatedNotification {
    pub session_id: String,
    pub query: String,
    pub files: Vec<FuzzyFileSearchResult>,
}

/// `fuzzyFileSearch/sessionCompleted`: the session's query has its final matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct FuzzyFileSearchSessionCompletedNotification {
    pub session_id: String,
}

#[cfg(test)]
#[path = "fuzzy_file_search_tests.rs"]
mod tests;

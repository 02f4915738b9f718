//! `review/start`: a code review of the working tree, a branch, a commit or by the user's own instructions,
//! run as a turn of a thread.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::turn::Turn;

/// Params of `review/start`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ReviewStartParams {
    pub thread_id: String,
    pub target: ReviewTarget,
    /// Where the review runs: `inline` (the default) as a turn of `threadId`, or `detached` (0.105) as a
    /// turn of a new thread forked from it, whose id the response gives in `reviewThreadId`.
    #[serde(default)]
    pub delivery: Option<ReviewDelivery>,
}

impl ExperimentalApi for ReviewStartParams {}

/// What to review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ReviewTarget {
    /// The working tree: staged, unstaged and untracked files.
    UncommittedChanges,
    /// The current branch's changes since it left `branch`.
    BaseBranch { branch: String },
    /// The changes one commit made.
    Commit {
        sha: String,
        /// A label for the commit (its subject, say).
        #[serde(default)]
        title: Option<String>,
    },
    /// The user's own review instructions.
    Custom { instructions: String },
}

/// Where a review runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub enum ReviewDelivery {
    Inline,
    Detached,
}

/// Result of `review/start`: the review's turn (`inProgress`, its one item the user message naming what
/// is reviewed) and the thread it runs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ReviewStartResponse {
    pub turn: Turn,
    pub review_thread_id: String,
}

//! Thread administration beyond archive/name: `thread/delete` (and `thread/deleted`),
//! `thread/metadata/update`, `thread/shellCommand` and `thread/compact/start` (and `thread/compacted`).

use schemars::JsonSchema;
use serde::Deserialize;
use serde::Deserializer;
use serde::Serialize;
use ts_rs::TS;

use crate::protocol::experimental::ExperimentalApi;
use crate::protocol::v2::thread::Thread;

/// Params of `thread/delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadDeleteParams {
    pub thread_id: String,
}

impl ExperimentalApi for ThreadDeleteParams {}

/// Result of `thread/delete`: `{}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadDeleteResponse {}

/// `thread/deleted`: a thread's rollout is gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadDeletedNotification {
    pub thread_id: String,
}

/// Params of `thread/compact/start`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadCompactStartParams {
    pub thread_id: String,
}

impl ExperimentalApi for ThreadCompactStartParams {}

/// Result of `thread/compact/start`: `{}`; the compaction runs as a turn of its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadCompactStartResponse {}

/// `thread/compacted` (deprecated upstream in favour of the `contextCompaction` item; sent for clients
/// that still listen for it): the thread's history was compacted in turn `turn_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ContextCompactedNotification {
    pub thread_id: String,
    pub turn_id: String,
}

/// A present key decodes to `Some(value)` (`Some(None)` for `null`); a missing one stays `None` through
/// `#[serde(default)]`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(deserializer).map(Some)
}

/// A patch of a thread's stored git metadata: a missing field is left unchanged, `null` clears it, a
/// non-empty string replaces it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadMetadataGitInfoUpdateParams {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    #[ts(optional, type = "string | null")]
    pub sha: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    #[ts(optional, type = "string | null")]
    pub branch: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    #[ts(optional, type = "string | null")]
    pub origin_url: Option<Option<String>>,
}

/// Params of `thread/metadata/update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadMetadataUpdateParams {
    pub thread_id: String,
    #[serde(default)]
    pub git_info: Option<ThreadMetadataGitInfoUpdateParams>,
    /// Experimental. The project the thread belongs to; an empty string clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub project_id: Option<String>,
    /// Experimental. The client's Daybreak choice for this thread.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub daybreak_enabled: Option<bool>,
}

impl ExperimentalApi for ThreadMetadataUpdateParams {
    fn experimental_field(&self) -> Option<&'static str> {
        if self.project_id.is_some() {
            Some("projectId")
        } else if self.daybreak_enabled.is_some() {
            Some("daybreakEnabled")
        } else {
            None
        }
    }
}

/// Result of `thread/metadata/update`: the thread as stored now (without turns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadMetadataUpdateResponse {
    pub thread: Thread,
}

/// Params of `thread/shellCommand`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export_to = "v2/")]
pub struct ThreadShellCommandParams {
    pub thread_id: String,
    /// A shell command line, run by the user's shell with `-lc` (pipes, redirects and quoting kept).
    /// Runs unsandboxed: the host's user typed it, the model did not.
    pub command: String,
    /// Milliseconds before the command is killed; one hour when null. Zero times out at once.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub timeout_ms: Option<i64>,
}

impl ExperimentalApi for ThreadShellCommandParams {}

/// Result of `thread/shellCommand`: `{}`, sent before the command's turn starts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TS)]
#[ts(export_to = "v2/")]
pub struct ThreadShellCommandResponse {}

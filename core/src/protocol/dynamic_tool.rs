//! Asking the host to run one of its own tools (`dynamicTools`): the request a turn raises for the model's
//! call, what the host answered, and the one-shot reply channel that carries the answer back to the waiting
//! turn. The turn drops its end when it is interrupted; a reply dropped by the host side (nobody follows the
//! thread) reads as a call cancelled before any answer.

use crate::protocol::host_reply::HostReply;
use serde::Deserialize;
use serde::Serialize;

/// One part of a host tool's output, as the host gave it (and as its item shows it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum DynamicToolContentItem {
    #[serde(rename_all = "camelCase")]
    InputText { text: String },
    #[serde(rename_all = "camelCase")]
    InputImage { image_url: String },
    #[serde(rename_all = "camelCase")]
    InputAudio { audio_url: String },
}

/// The host's result for one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicToolResponse {
    pub content_items: Vec<DynamicToolContentItem>,
    pub success: bool,
}

/// How the host's side of one call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DynamicToolAnswer {
    /// The host ran the tool and answered.
    Answered(DynamicToolResponse),
    /// The host answered with an error, or its connection closed before it answered.
    HostFailed,
    /// The host's answer was not a tool result.
    Invalid,
}

/// The sending half of a call's answer.
pub type DynamicToolReply = HostReply<DynamicToolAnswer>;

/// A call of the model to a host tool, waiting for the host to run it.
#[derive(Debug, Clone, PartialEq)]
pub struct DynamicToolCallRequest {
    pub turn_id: String,
    /// The model's call id, also the id of the call's `dynamicToolCall` item.
    pub call_id: String,
    pub tool: String,
    /// The model's arguments, parsed.
    pub arguments: serde_json::Value,
    pub reply: DynamicToolReply,
}

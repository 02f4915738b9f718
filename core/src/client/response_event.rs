//! `ResponseEvent`: what a model response stream yields, from response headers and SSE events alike.

use crate::protocol::rate_limit::RateLimitSnapshot;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_usage::TokenUsage;

/// One event of a model response.
#[derive(Debug, Clone, PartialEq)]
pub enum ResponseEvent {
    Created,
    OutputItemAdded(ResponseItem),
    /// The authoritative, finished item.
    OutputItemDone(ResponseItem),
    OutputTextDelta(String),
    ReasoningSummaryDelta {
        delta: String,
        summary_index: i64,
    },
    ReasoningSummaryPartAdded {
        summary_index: i64,
    },
    ReasoningContentDelta {
        delta: String,
        content_index: i64,
    },
    /// The model the server actually ran (`openai-model` header).
    ServerModel(String),
    /// The server already counted prior reasoning tokens (`x-reasoning-included`).
    ServerReasoningIncluded(bool),
    /// The model catalog changed (`x-models-etag`).
    ModelsEtag(String),
    RateLimits(RateLimitSnapshot),
    Completed {
        response_id: String,
        token_usage: Option<TokenUsage>,
        end_turn: Option<bool>,
    },
}

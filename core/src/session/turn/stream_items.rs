//! The items users see for what the model streams: the item an `output_item.added` opens (and which
//! item later deltas belong to), and the authoritative item of an `output_item.done`.

use crate::protocol::response_item::ReasoningContent;
use crate::protocol::response_item::ReasoningSummary;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::response_item::WebSearchCallAction;
use crate::protocol::turn_item::TurnItem;

/// The item currently streaming, so deltas know where they belong.
pub(super) enum StreamingItem {
    Message { id: String },
    Reasoning { id: String },
    WebSearch { id: String },
}

impl StreamingItem {
    pub(super) fn id(&self) -> &str {
        match self {
            StreamingItem::Message { id }
            | StreamingItem::Reasoning { id }
            | StreamingItem::WebSearch { id } => id,
        }
    }
}

/// The item an `output_item.added` opens, for live display.
pub(super) fn started_item(item: &ResponseItem) -> Option<(TurnItem, StreamingItem)> {
    match item {
        ResponseItem::Message {
            id, role, phase, ..
        } if role == "assistant" => {
            let id = id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            Some((
                TurnItem::AgentMessage {
                    id: id.clone(),
                    text: String::new(),
                    phase: *phase,
                },
                StreamingItem::Message { id },
            ))
        }
        ResponseItem::Reasoning { id, .. } => {
            let id = id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            Some((
                TurnItem::Reasoning {
                    id: id.clone(),
                    summary: Vec::new(),
                    content: Vec::new(),
                },
                StreamingItem::Reasoning { id },
            ))
        }
        ResponseItem::WebSearchCall { id, action, .. } => {
            let id = id
                .clone()
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            Some((
                TurnItem::WebSearch {
                    id: id.clone(),
                    query: web_search_query(action.as_ref()),
                },
                StreamingItem::WebSearch { id },
            ))
        }
        ResponseItem::Message { .. }
        | ResponseItem::FunctionCall { .. }
        | ResponseItem::FunctionCallOutput { .. }
        | ResponseItem::CustomToolCall { .. }
        | ResponseItem::CustomToolCallOutput { .. }
        | ResponseItem::LocalShellCall { .. }
        | ResponseItem::Compaction { .. }
        | ResponseItem::Other => None,
    }
}

/// The authoritative turn item for an `output_item.done`, if the item is one users see.
pub(super) fn completed_item(
    item: &ResponseItem,
    streaming_id: Option<String>,
) -> Option<TurnItem> {
    match item {
        ResponseItem::Message {
            id, role, phase, ..
        } if role == "assistant" => Some(TurnItem::AgentMessage {
            id: streaming_id
                .or_else(|| id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            text: item.assistant_text().unwrap_or_default(),
            phase: *phase,
        }),
        ResponseItem::Reasoning {
            id,
            summary,
            content,
            ..
        } => Some(TurnItem::Reasoning {
            id: streaming_id
                .or_else(|| id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            summary: summary
                .iter()
                .map(|s| match s {
                    ReasoningSummary::SummaryText { text } => text.clone(),
                })
                .collect(),
            content: content
                .iter()
                .flatten()
                .map(|c| match c {
                    ReasoningContent::ReasoningText { text } | ReasoningContent::Text { text } => {
                        text.clone()
                    }
                })
                .collect(),
        }),
        ResponseItem::WebSearchCall { id, action, .. } => Some(TurnItem::WebSearch {
            id: streaming_id
                .or_else(|| id.clone())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            query: web_search_query(action.as_ref()),
        }),
        ResponseItem::Message { .. }
        | ResponseItem::FunctionCall { .. }
        | ResponseItem::FunctionCallOutput { .. }
        | ResponseItem::CustomToolCall { .. }
        | ResponseItem::CustomToolCallOutput { .. }
        | ResponseItem::LocalShellCall { .. }
        | ResponseItem::Compaction { .. }
        | ResponseItem::Other => None,
    }
}

/// What a web search call looked for, as the `webSearch` item's `query`.
fn web_search_query(action: Option<&WebSearchCallAction>) -> String {
    match action {
        Some(WebSearchCallAction::Search { query, queries }) => query
            .clone()
            .or_else(|| queries.as_ref().map(|queries| queries.join(" | ")))
            .unwrap_or_default(),
        Some(WebSearchCallAction::OpenPage { url }) => url.clone().unwrap_or_default(),
        Some(WebSearchCallAction::FindInPage { url, pattern }) => {
            pattern.clone().or_else(|| url.clone()).unwrap_or_default()
        }
        Some(WebSearchCallAction::Other) | None => String::new(),
    }
}

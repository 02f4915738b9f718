//! What a remote compaction leaves: of the items the provider's compaction endpoint returns, the ones
//! the conversation goes on with — the user's messages, any assistant messages, earlier summaries and the
//! opaque `compaction` item — after a fresh session prefix. Instructions and environment the server
//! echoes back are dropped: the prefix carries the current ones.

use crate::protocol::response_item::ResponseItem;
use crate::session::turn::compaction::history::is_engine_context;
use crate::session::turn::compaction::history::user_message_text;

/// The history after a remote compaction: `prefix`, then the kept part of `output`.
pub(super) fn remote_compacted_history(
    prefix: Vec<ResponseItem>,
    output: Vec<ResponseItem>,
) -> Vec<ResponseItem> {
    let mut history = prefix;
    history.extend(output.into_iter().filter(kept_from_output));
    history
}

/// Whether an item of the endpoint's answer belongs in the new history.
fn kept_from_output(item: &ResponseItem) -> bool {
    match item {
        ResponseItem::Message { role, .. } if role == "assistant" => true,
        ResponseItem::Message { role, .. } if role == "user" => {
            user_message_text(item).is_some_and(|text| !is_engine_context(&text))
        }
        ResponseItem::Compaction { .. } => true,
        // Developer and system messages restate instructions; the prefix has the current ones.
        ResponseItem::Message { .. }
        | ResponseItem::Reasoning { .. }
        | ResponseItem::FunctionCall { .. }
        | ResponseItem::FunctionCallOutput { .. }
        | ResponseItem::CustomToolCall { .. }
        | ResponseItem::CustomToolCallOutput { .. }
        | ResponseItem::LocalShellCall { .. }
        | ResponseItem::WebSearchCall { .. }
        | ResponseItem::Other => false,
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;
    use crate::protocol::response_item::ContentItem;

    fn message(role: &str, text: &str) -> ResponseItem {
        ResponseItem::Message {
            id: None,
            role: role.to_string(),
            content: vec![ContentItem::InputText {
                text: text.to_string(),
            }],
            end_turn: None,
            phase: None,
        }
    }

    #[test]
    fn the_prefix_comes_first_and_echoed_context_is_dropped() {
        let compaction = ResponseItem::Compaction {
            encrypted_content: "opaque".to_string(),
        };
        let output = vec![
            message("developer", "old instructions"),
            message("user", "<environment_context>\n</environment_context>"),
            message("user", "fix the bug"),
            ResponseItem::Reasoning {
                id: None,
                summary: Vec::new(),
                content: None,
                encrypted_content: None,
            },
            message("assistant", "on it"),
            compaction.clone(),
        ];
        let prefix = vec![message("developer", "current instructions")];
        assert_eq!(
            remote_compacted_history(prefix, output),
            vec![
                message("developer", "current instructions"),
                message("user", "fix the bug"),
                message("assistant", "on it"),
                compaction,
            ]
        );
    }
}

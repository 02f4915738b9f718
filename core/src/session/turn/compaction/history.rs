//! The history a compaction leaves: the session prefix, the most recent user messages that fit a token
//! budget (with their images; the oldest one cut to its text's end if it only partly fits), and the summary,
//! in that order.

use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::token_estimate::IMAGE_BYTES_ESTIMATE;
use crate::protocol::token_estimate::approx_tokens;
use crate::protocol::token_estimate::estimate_tokens;
use crate::session::turn::compaction::prompt::SUMMARY_PREFIX;
use crate::session::turn::compaction::prompt::UPSTREAM_SUMMARY_START;

/// How many tokens of the user's own messages a compacted history keeps, newest first.
pub(crate) const USER_MESSAGES_TOKEN_BUDGET: i64 = 20_000;

/// The messages the user wrote, as the model read them (text and images), oldest first: not the session
/// prefix, the environment context, a user shell command's record or an earlier summary.
pub(crate) fn user_messages(history: &[ResponseItem]) -> Vec<Vec<ContentItem>> {
    history
        .iter()
        .filter_map(|item| {
            let text = user_message_text(item)?;
            let ResponseItem::Message { content, .. } = item else {
                return None;
            };
            let has_image = content
                .iter()
                .any(|part| matches!(part, ContentItem::InputImage { .. }));
            ((!text.is_empty() || has_image) && !is_engine_context(&text) && !is_summary(&text))
                .then(|| content.clone())
        })
        .collect()
}

/// The text parts of `content`, joined.
fn text_of(content: &[ContentItem]) -> String {
    content
        .iter()
        .filter_map(|part| match part {
            ContentItem::InputText { text } => Some(text.as_str()),
            ContentItem::InputImage { .. } | ContentItem::OutputText { .. } => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The estimated tokens of a user message: its text, and each image as a resized one.
fn message_tokens(content: &[ContentItem]) -> i64 {
    let images = content
        .iter()
        .filter(|part| matches!(part, ContentItem::InputImage { .. }))
        .count();
    let image_tokens = i64::try_from(IMAGE_BYTES_ESTIMATE.div_ceil(4) * images).unwrap_or(i64::MAX);
    approx_tokens(&text_of(content)).saturating_add(image_tokens)
}

/// The text parts of a user-role message, joined; `None` for any other item.
pub(crate) fn user_message_text(item: &ResponseItem) -> Option<String> {
    match item {
        ResponseItem::Message { role, content, .. } if role == "user" => Some(text_of(content)),
        _ => None,
    }
}

/// A user-role message the engine wrote rather than the user: the session prefix and environment, or the
/// record of a user's shell command.
pub(crate) fn is_engine_context(text: &str) -> bool {
    text.starts_with("<environment_context>")
        || text.starts_with("# AGENTS.md instructions")
        || text.starts_with("<user_instructions>")
        || text.starts_with("<user_shell_command>")
}

/// The summary an earlier compaction (ours or upstream's) left.
fn is_summary(text: &str) -> bool {
    text.starts_with(SUMMARY_PREFIX) || text.starts_with(UPSTREAM_SUMMARY_START)
}

/// Removes the oldest item of `history`, and the outputs of any call that leaves without them (an output
/// whose call is gone is refused by the API). `false`, leaving it as it is, when one item or none is left.
pub(crate) fn drop_oldest(history: &mut Vec<ResponseItem>) -> bool {
    if history.len() <= 1 {
        return false;
    }
    let dropped = history.remove(0);
    if let Some(call_id) = call_id_of(&dropped) {
        history.retain(|item| item.output_call_id() != Some(call_id.as_str()));
    }
    true
}

/// The id of the call a tool-call item makes.
fn call_id_of(item: &ResponseItem) -> Option<String> {
    match item {
        ResponseItem::FunctionCall { call_id, .. }
        | ResponseItem::CustomToolCall { call_id, .. } => Some(call_id.clone()),
        ResponseItem::LocalShellCall { call_id, .. } => call_id.clone(),
        ResponseItem::Message { .. }
        | ResponseItem::Reasoning { .. }
        | ResponseItem::FunctionCallOutput { .. }
        | ResponseItem::CustomToolCallOutput { .. }
        | ResponseItem::WebSearchCall { .. }
        | ResponseItem::Compaction { .. }
        | ResponseItem::Other => None,
    }
}

/// Drops the oldest items of `history` until its estimate fits `window` tokens (or one item is left);
/// how many went.
pub(crate) fn trim_to_window(history: &mut Vec<ResponseItem>, window: i64) -> usize {
    let mut dropped = 0;
    while estimate_tokens(history) > window && drop_oldest(history) {
        dropped += 1;
    }
    dropped
}

/// The compacted history: `prefix`, then the newest of `user_messages` within `budget` tokens (in their
/// order, images kept; the oldest kept one cut to the end of its text that fits), then the summary.
pub(crate) fn build_compacted_history(
    prefix: Vec<ResponseItem>,
    user_messages: &[Vec<ContentItem>],
    summary: &str,
    budget: i64,
) -> Vec<ResponseItem> {
    let mut kept = Vec::new();
    let mut remaining = budget;
    for message in user_messages.iter().rev() {
        if remaining <= 0 {
            break;
        }
        let tokens = message_tokens(message);
        if tokens <= remaining {
            kept.push(message.clone());
            remaining -= tokens;
        } else {
            kept.push(vec![ContentItem::InputText {
                text: cut_to_tokens(&text_of(message), remaining),
            }]);
            remaining = 0;
        }
    }
    kept.reverse();
    let mut history = prefix;
    history.extend(kept.into_iter().map(|content| ResponseItem::Message {
        id: None,
        role: "user".to_string(),
        content,
        end_turn: None,
        phase: None,
    }));
    history.push(ResponseItem::user_text(format!(
        "{SUMMARY_PREFIX}\n{summary}"
    )));
    history
}

/// The end of `text` that fits `tokens` (the most recent words of a long message), on a char boundary.
fn cut_to_tokens(text: &str, tokens: i64) -> String {
    let max_bytes = usize::try_from(tokens.saturating_mul(4)).unwrap_or(usize::MAX);
    if text.len() <= max_bytes {
        return text.to_string();
    }
    let mut start = text.len() - max_bytes;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("[...]{}", &text[start..])
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn texts(history: &[ResponseItem]) -> Vec<String> {
        history
            .iter()
            .map(|item| match item {
                ResponseItem::Message { content, .. } => match content.first() {
                    Some(ContentItem::InputText { text }) => text.clone(),
                    _ => String::new(),
                },
                _ => String::new(),
            })
            .collect()
    }

    #[test]
    fn only_the_users_own_messages_are_kept() {
        let history = vec![
            ResponseItem::user_text(
                "# AGENTS.md instructions for /w\n\n<INSTRUCTIONS>x</INSTRUCTIONS>",
            ),
            ResponseItem::user_text("<environment_context>\n</environment_context>"),
            ResponseItem::user_text("fix the bug"),
            ResponseItem::user_text(format!("{SUMMARY_PREFIX}\nold summary")),
            ResponseItem::user_text("<user_shell_command>\nls\n</user_shell_command>"),
            ResponseItem::user_text("now add a test"),
        ];
        assert_eq!(
            user_messages(&history),
            vec![
                vec![ContentItem::InputText {
                    text: "fix the bug".to_string()
                }],
                vec![ContentItem::InputText {
                    text: "now add a test".to_string()
                }],
            ]
        );
    }

    fn image_message(text: &str) -> Vec<ContentItem> {
        vec![
            ContentItem::InputText {
                text: text.to_string(),
            },
            ContentItem::InputImage {
                image_url: Some("data:image/png;base64,AAAA".to_string()),
                file_id: None,
                detail: Some("high".to_string()),
            },
        ]
    }

    #[test]
    fn kept_messages_keep_their_images_and_an_image_costs_a_resized_ones_tokens() {
        let history = vec![
            ResponseItem::user_text("<environment_context>\n</environment_context>"),
            ResponseItem::Message {
                id: None,
                role: "user".to_string(),
                content: image_message("first"),
                end_turn: None,
                phase: None,
            },
            ResponseItem::Message {
                id: None,
                role: "user".to_string(),
                content: image_message("second"),
                end_turn: None,
                phase: None,
            },
        ];
        let messages = user_messages(&history);
        assert_eq!(
            messages,
            vec![image_message("first"), image_message("second")]
        );
        // Room for one message with its image (~1,846 tokens), and a cut of the older one's text.
        let compacted = build_compacted_history(Vec::new(), &messages, "sum", 1_900);
        let contents: Vec<Vec<ContentItem>> = compacted
            .into_iter()
            .map(|item| match item {
                ResponseItem::Message { content, .. } => content,
                other => panic!("not a message: {other:?}"),
            })
            .collect();
        assert_eq!(
            contents,
            vec![
                vec![ContentItem::InputText {
                    text: "first".to_string()
                }],
                image_message("second"),
                vec![ContentItem::InputText {
                    text: format!("{SUMMARY_PREFIX}\nsum")
                }],
            ]
        );
    }

    #[test]
    fn the_newest_messages_fill_the_budget_and_the_summary_comes_last() {
        let prefix = vec![ResponseItem::user_text(
            "<environment_context>\n</environment_context>",
        )];
        let messages: Vec<Vec<ContentItem>> = ["a".repeat(400), "b".repeat(40), "c".repeat(40)]
            .into_iter()
            .map(|text| vec![ContentItem::InputText { text }])
            .collect();
        // 30 tokens: both short messages (10 each) and the last 10 tokens of the long one.
        let history = build_compacted_history(prefix, &messages, "done so far", 30);
        assert_eq!(
            texts(&history),
            vec![
                "<environment_context>\n</environment_context>".to_string(),
                format!("[...]{}", "a".repeat(40)),
                "b".repeat(40),
                "c".repeat(40),
                format!("{SUMMARY_PREFIX}\ndone so far"),
            ]
        );
    }

    fn call(call_id: &str) -> ResponseItem {
        ResponseItem::FunctionCall {
            namespace: None,
            id: None,
            name: "shell".to_string(),
            arguments: "{}".to_string(),
            call_id: call_id.to_string(),
        }
    }

    fn output(call_id: &str) -> ResponseItem {
        ResponseItem::FunctionCallOutput {
            call_id: call_id.to_string(),
            output: crate::protocol::response_item::FunctionCallOutputBody::Text("ok".to_string()),
        }
    }

    #[test]
    fn dropping_a_call_drops_its_output_and_the_last_item_stays() {
        let mut history = vec![
            call("c1"),
            ResponseItem::user_text("between"),
            output("c1"),
            output("c2"),
        ];
        assert!(drop_oldest(&mut history));
        assert_eq!(
            history,
            vec![ResponseItem::user_text("between"), output("c2")]
        );
        assert!(drop_oldest(&mut history));
        assert!(!drop_oldest(&mut history));
        assert_eq!(history, vec![output("c2")]);
    }

    #[test]
    fn trimming_drops_the_oldest_until_the_estimate_fits() {
        let mut history: Vec<ResponseItem> = (0..10)
            .map(|n| ResponseItem::user_text(format!("{n}{}", "x".repeat(400))))
            .collect();
        let one = estimate_tokens(&history[..1]);
        let dropped = trim_to_window(&mut history, 3 * one);
        assert_eq!(dropped, 7);
        assert_eq!(
            user_message_text(&history[0]).map(|t| t.starts_with('7')),
            Some(true)
        );
    }

    #[test]
    fn a_cut_never_splits_a_character() {
        let cut = cut_to_tokens(&"é".repeat(100), 3);
        assert!(cut.starts_with("[...]"));
        assert!(cut.len() <= "[...]".len() + 12);
    }
}

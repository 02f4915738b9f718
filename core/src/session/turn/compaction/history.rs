//! The history a compaction leaves: the session prefix, the most recent user messages that fit a token
//! budget (the oldest one cut if it only partly fits), and the summary, in that order.

use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::ResponseItem;
use crate::session::turn::compaction::prompt::SUMMARY_PREFIX;
use crate::session::turn::compaction::prompt::UPSTREAM_SUMMARY_START;

/// How many tokens of the user's own messages a compacted history keeps, newest first.
pub(crate) const USER_MESSAGES_TOKEN_BUDGET: i64 = 20_000;

/// A rough token count (four bytes a token), for budgets and for the context after a compaction.
pub(crate) fn approx_tokens(text: &str) -> i64 {
    i64::try_from(text.len().div_ceil(4)).unwrap_or(i64::MAX)
}

/// The estimated size of `items` as the model would read them.
pub(crate) fn estimate_tokens(items: &[ResponseItem]) -> i64 {
    items
        .iter()
        .map(|item| serde_json::to_string(item).map_or(0, |json| approx_tokens(&json)))
        .sum()
}

/// The texts of the messages the user wrote, oldest first: not the session prefix, the environment
/// context, a user shell command's record or an earlier summary.
pub(crate) fn user_messages(history: &[ResponseItem]) -> Vec<String> {
    history
        .iter()
        .filter_map(|item| match item {
            ResponseItem::Message { role, content, .. } if role == "user" => {
                let text = content
                    .iter()
                    .filter_map(|part| match part {
                        ContentItem::InputText { text } => Some(text.as_str()),
                        ContentItem::InputImage { .. } | ContentItem::OutputText { .. } => None,
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                (!text.is_empty() && !is_context_message(&text)).then_some(text)
            }
            _ => None,
        })
        .collect()
}

/// A user-role message the engine wrote rather than the user.
fn is_context_message(text: &str) -> bool {
    text.starts_with("<environment_context>")
        || text.starts_with("# AGENTS.md instructions")
        || text.starts_with("<user_instructions>")
        || text.starts_with("<user_shell_command>")
        || text.starts_with(SUMMARY_PREFIX)
        || text.starts_with(UPSTREAM_SUMMARY_START)
}

/// The compacted history: `prefix`, then the newest of `user_messages` within `budget` tokens (in their
/// order; the oldest kept one cut to what fits), then the summary.
pub(crate) fn build_compacted_history(
    prefix: Vec<ResponseItem>,
    user_messages: &[String],
    summary: &str,
    budget: i64,
) -> Vec<ResponseItem> {
    let mut kept = Vec::new();
    let mut remaining = budget;
    for message in user_messages.iter().rev() {
        if remaining <= 0 {
            break;
        }
        let tokens = approx_tokens(message);
        if tokens <= remaining {
            kept.push(message.clone());
            remaining -= tokens;
        } else {
            kept.push(cut_to_tokens(message, remaining));
            remaining = 0;
        }
    }
    kept.reverse();
    let mut history = prefix;
    history.extend(kept.into_iter().map(ResponseItem::user_text));
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
            vec!["fix the bug", "now add a test"]
        );
    }

    #[test]
    fn the_newest_messages_fill_the_budget_and_the_summary_comes_last() {
        let prefix = vec![ResponseItem::user_text(
            "<environment_context>\n</environment_context>",
        )];
        let messages = vec!["a".repeat(400), "b".repeat(40), "c".repeat(40)];
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

    #[test]
    fn a_cut_never_splits_a_character() {
        let cut = cut_to_tokens(&"é".repeat(100), 3);
        assert!(cut.starts_with("[...]"));
        assert!(cut.len() <= "[...]".len() + 12);
    }
}

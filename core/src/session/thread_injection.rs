//! `thread/inject_items`: raw Responses API items appended to a loaded thread's model-visible history and
//! to its rollout, without a turn. They are not turn items, so history reads (`thread/read`,
//! `thread/turns/list`) do not show them; the next turn's requests carry them.

use crate::protocol::response_item::ResponseItem;
use crate::rollout::RolloutItem;
use crate::session::thread::CodexThread;
use crate::session::turn::context_items;

/// Why items could not be injected.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InjectItemsError {
    #[error("items must not be empty")]
    Empty,
    #[error("items[{index}] is not a valid response item: {message}")]
    InvalidItem { index: usize, message: String },
}

/// Decodes every raw item, refusing the whole batch if one is not a Responses API item this build models
/// (an item of an unknown type would otherwise be dropped from every request).
pub fn parse_items(raw: Vec<serde_json::Value>) -> Result<Vec<ResponseItem>, InjectItemsError> {
    if raw.is_empty() {
        return Err(InjectItemsError::Empty);
    }
    raw.into_iter()
        .enumerate()
        .map(|(index, value)| {
            let kind = value
                .get("type")
                .and_then(|kind| kind.as_str())
                .map(str::to_owned);
            match serde_json::from_value::<ResponseItem>(value) {
                Ok(ResponseItem::Other) => Err(InjectItemsError::InvalidItem {
                    index,
                    message: format!("unsupported type `{}`", kind.unwrap_or_default()),
                }),
                Ok(item) => Ok(item),
                Err(error) => Err(InjectItemsError::InvalidItem {
                    index,
                    message: error.to_string(),
                }),
            }
        })
        .collect()
}

impl CodexThread {
    /// Appends `items` to the history the next request sends, after the session prefix and environment
    /// context (recorded first if the thread has none yet, as a turn would), and persists them.
    pub async fn inject_items(&self, items: Vec<ResponseItem>) {
        let mut new_history = context_items(&self.inner.shared(), &self.settings()).await;
        new_history.extend(items);
        {
            let mut state = self.inner.conversation.lock();
            state.history.extend(new_history.iter().cloned());
        }
        self.inner.record(
            new_history
                .into_iter()
                .map(RolloutItem::ResponseItem)
                .collect(),
        );
        if let Err(err) = self.inner.conversation.flush().await {
            tracing::warn!("flushing rollout of thread {}: {err}", self.id());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pretty_assertions::assert_eq;
    use serde_json::json;

    #[test]
    fn parses_messages_and_tool_items() {
        let items = parse_items(vec![
            json!({"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]}),
            json!({"type": "function_call_output", "call_id": "c1", "output": "ok"}),
        ]);
        assert_eq!(items.map(|items| items.len()), Ok(2));
    }

    #[test]
    fn refuses_an_empty_batch() {
        assert_eq!(parse_items(Vec::new()), Err(InjectItemsError::Empty));
    }

    #[test]
    fn refuses_an_unknown_type_by_index() {
        let error = parse_items(vec![
            json!({"type": "message", "role": "user", "content": []}),
            json!({"type": "image_generation_call", "result": "x"}),
        ]);
        assert_eq!(
            error,
            Err(InjectItemsError::InvalidItem {
                index: 1,
                message: "unsupported type `image_generation_call`".to_string(),
            })
        );
    }

    #[test]
    fn refuses_an_item_without_a_type() {
        let error = parse_items(vec![json!({"bogus": 1})]).map(|_| ());
        assert_eq!(
            error,
            Err(InjectItemsError::InvalidItem {
                index: 0,
                message: "missing field `type`".to_string(),
            })
        );
    }
}

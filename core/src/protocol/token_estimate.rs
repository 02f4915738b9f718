//! A rough token count (four bytes of JSON a token) for what no usage report covers yet: the history a
//! compaction leaves, items added since the model's last answer, budgets and window checks.

use crate::protocol::response_item::ResponseItem;

const BYTES_PER_TOKEN: usize = 4;

/// The estimated token count of `text`.
pub fn approx_tokens(text: &str) -> i64 {
    i64::try_from(text.len().div_ceil(BYTES_PER_TOKEN)).unwrap_or(i64::MAX)
}

/// The estimated size of `items` as the model would read them (their request JSON).
pub fn estimate_tokens(items: &[ResponseItem]) -> i64 {
    items
        .iter()
        .map(|item| serde_json::to_string(item).map_or(0, |json| approx_tokens(&json)))
        .fold(0, i64::saturating_add)
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn four_bytes_make_a_token_rounded_up() {
        assert_eq!(
            (
                approx_tokens(""),
                approx_tokens("abcd"),
                approx_tokens("abcde")
            ),
            (0, 1, 2)
        );
    }

    #[test]
    fn items_count_as_their_request_json() {
        let item = ResponseItem::user_text("hello");
        let json = serde_json::to_string(&item).unwrap_or_default();
        assert_eq!(
            estimate_tokens(&[item.clone(), item]),
            2 * approx_tokens(&json)
        );
    }
}

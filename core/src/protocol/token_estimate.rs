//! A rough token count (four bytes of JSON a token) for what no usage report covers yet: the history a
//! compaction leaves, items added since the model's last answer, budgets and window checks. An image counts
//! as upstream counts a resized one, whatever the length of its URL.

use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::FunctionCallOutputBody;
use crate::protocol::response_item::ResponseItem;

const BYTES_PER_TOKEN: usize = 4;

/// What one image stands for: upstream's estimate of a resized image (7,373 bytes, about 1,844 tokens). Its
/// base64 `data:` URL would count a screenshot as a large part of a context window.
pub const IMAGE_BYTES_ESTIMATE: usize = 7_373;

/// The estimated token count of `text`.
pub fn approx_tokens(text: &str) -> i64 {
    i64::try_from(text.len().div_ceil(BYTES_PER_TOKEN)).unwrap_or(i64::MAX)
}

/// The estimated size of `items` as the model would read them (their request JSON, images as
/// [`IMAGE_BYTES_ESTIMATE`]).
pub fn estimate_tokens(items: &[ResponseItem]) -> i64 {
    items
        .iter()
        .map(|item| {
            let json_bytes = serde_json::to_string(item).map_or(0, |json| json.len());
            let (images, url_bytes) =
                image_urls(item).fold((0, 0), |(count, bytes), url| (count + 1, bytes + url.len()));
            let bytes = json_bytes.saturating_sub(url_bytes) + images * IMAGE_BYTES_ESTIMATE;
            i64::try_from(bytes.div_ceil(BYTES_PER_TOKEN)).unwrap_or(i64::MAX)
        })
        .fold(0, i64::saturating_add)
}

/// The URLs of the images in `item` (a message's parts or a tool output's).
fn image_urls(item: &ResponseItem) -> impl Iterator<Item = &str> {
    let parts: &[ContentItem] = match item {
        ResponseItem::Message { content, .. }
        | ResponseItem::FunctionCallOutput {
            output: FunctionCallOutputBody::Content(content),
            ..
        } => content,
        ResponseItem::FunctionCallOutput {
            output: FunctionCallOutputBody::Text(_),
            ..
        }
        | ResponseItem::Reasoning { .. }
        | ResponseItem::FunctionCall { .. }
        | ResponseItem::CustomToolCall { .. }
        | ResponseItem::CustomToolCallOutput { .. }
        | ResponseItem::LocalShellCall { .. }
        | ResponseItem::WebSearchCall { .. }
        | ResponseItem::Compaction { .. }
        | ResponseItem::Other => &[],
    };
    parts.iter().filter_map(|part| match part {
        ContentItem::InputImage { image_url, .. } => Some(image_url.as_deref().unwrap_or("")),
        ContentItem::InputText { .. } | ContentItem::OutputText { .. } => None,
    })
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
    fn an_image_counts_as_a_resized_one_whatever_its_url() {
        let image = |url: &str| ResponseItem::Message {
            id: None,
            role: "user".to_string(),
            content: vec![ContentItem::InputImage {
                image_url: Some(url.to_string()),
                file_id: None,
                detail: None,
            }],
            end_turn: None,
            phase: None,
        };
        let small = estimate_tokens(&[image("data:image/png;base64,AAAA")]);
        let large = estimate_tokens(&[image(&format!(
            "data:image/png;base64,{}",
            "A".repeat(4_000_000)
        ))]);
        assert_eq!(small, large);
        assert!((1_844..1_900).contains(&small), "{small}");
        let output = ResponseItem::FunctionCallOutput {
            call_id: "c".to_string(),
            output: FunctionCallOutputBody::Content(vec![ContentItem::InputImage {
                image_url: Some(format!("data:image/png;base64,{}", "A".repeat(100_000))),
                file_id: None,
                detail: Some("high".to_string()),
            }]),
        };
        assert!((1_844..1_900).contains(&estimate_tokens(&[output])));
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

//! What the model is given for a host tool's answer, as upstream 0.171 gives it: a lone text part as plain
//! text; otherwise the parts in order, each image a `data:` URL made ready as a user's image is (`detail`
//! high), an image that cannot be decoded and any audio told in upstream's words. A remote image URL
//! replaces the whole output with upstream's refusal.

use base64::Engine;

use crate::prompt_image::DEFAULT_IMAGE_DETAIL;
use crate::prompt_image::ImageSizing;
use crate::prompt_image::PromptImageError;
use crate::prompt_image::prepare;
use crate::protocol::dynamic_tool::DynamicToolContentItem;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::FunctionCallOutputBody;

const REMOTE_IMAGE_REFUSED: &str =
    "remote image URLs are not supported; use an inline data URL instead";
const IMAGE_NOT_PROCESSED: &str = "image content omitted because it could not be processed";
const NO_AUDIO_INPUT: &str = "audio content omitted because you do not support audio input";
/// Ours: upstream's wording for a model that takes no images was not observed.
const NO_IMAGE_INPUT: &str = "image content omitted because you do not support image input";

/// The function call output for the host's `items`; `image_input` says whether the model takes images.
pub(super) async fn model_output(
    items: &[DynamicToolContentItem],
    image_input: bool,
) -> FunctionCallOutputBody {
    if let [DynamicToolContentItem::InputText { text }] = items {
        return FunctionCallOutputBody::Text(text.clone());
    }
    if items.iter().any(is_remote_image) {
        return FunctionCallOutputBody::Text(REMOTE_IMAGE_REFUSED.to_string());
    }
    let mut content = Vec::with_capacity(items.len());
    for item in items {
        content.push(match item {
            DynamicToolContentItem::InputText { text } => {
                ContentItem::InputText { text: text.clone() }
            }
            DynamicToolContentItem::InputImage { image_url } if image_input => {
                image_part(image_url).await
            }
            DynamicToolContentItem::InputImage { .. } => text_part(NO_IMAGE_INPUT),
            DynamicToolContentItem::InputAudio { .. } => text_part(NO_AUDIO_INPUT),
        });
    }
    FunctionCallOutputBody::Content(content)
}

fn text_part(text: &str) -> ContentItem {
    ContentItem::InputText {
        text: text.to_string(),
    }
}

fn is_remote_image(item: &DynamicToolContentItem) -> bool {
    match item {
        DynamicToolContentItem::InputImage { image_url } => {
            let scheme = image_url.get(..8).unwrap_or(image_url).to_ascii_lowercase();
            scheme.starts_with("http://") || scheme.starts_with("https://")
        }
        DynamicToolContentItem::InputText { .. } | DynamicToolContentItem::InputAudio { .. } => {
            false
        }
    }
}

/// A `data:` URL's image decoded and shrunk to the model's budget; any other reference passed on as it is.
async fn image_part(image_url: &str) -> ContentItem {
    let image = |image_url: String| ContentItem::InputImage {
        image_url: Some(image_url),
        file_id: None,
        detail: Some(DEFAULT_IMAGE_DETAIL.to_string()),
    };
    let Some(bytes) = data_url_bytes(image_url) else {
        return image(image_url.to_string());
    };
    let prepared = match bytes {
        Ok(bytes) => tokio::task::spawn_blocking(move || prepare(bytes, ImageSizing::Fit))
            .await
            .unwrap_or_else(|join| Err(PromptImageError::Read(std::io::Error::other(join)))),
        Err(()) => Err(PromptImageError::Unsupported),
    };
    match prepared {
        Ok(prepared) => image(prepared.data_url()),
        Err(err) => {
            tracing::debug!("a host tool's image could not be processed: {err}");
            text_part(IMAGE_NOT_PROCESSED)
        }
    }
}

/// The bytes of a base64 `data:` URL; `None` for another kind of reference, `Err` for a broken one.
fn data_url_bytes(url: &str) -> Option<Result<Vec<u8>, ()>> {
    let rest = url
        .get(..5)
        .filter(|scheme| scheme.eq_ignore_ascii_case("data:"))
        .map(|_| &url[5..])?;
    let Some((header, payload)) = rest.split_once(',') else {
        return Some(Err(()));
    };
    if !header.to_ascii_lowercase().ends_with(";base64") {
        return Some(Err(()));
    }
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(payload.trim())
            .map_err(|_| ()),
    )
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn text(text: &str) -> DynamicToolContentItem {
        DynamicToolContentItem::InputText {
            text: text.to_string(),
        }
    }

    fn image(url: &str) -> DynamicToolContentItem {
        DynamicToolContentItem::InputImage {
            image_url: url.to_string(),
        }
    }

    #[tokio::test]
    async fn a_lone_text_is_plain_text_and_anything_else_a_list_of_parts() {
        assert_eq!(
            model_output(&[text("open")], true).await,
            FunctionCallOutputBody::Text("open".to_string())
        );
        assert_eq!(
            model_output(&[], true).await,
            FunctionCallOutputBody::Content(Vec::new())
        );
        assert_eq!(
            model_output(&[text("one"), text("two")], true).await,
            FunctionCallOutputBody::Content(vec![text_part("one"), text_part("two")])
        );
    }

    #[tokio::test]
    async fn images_audio_and_remote_urls_are_answered_in_upstreams_words() {
        let audio = DynamicToolContentItem::InputAudio {
            audio_url: "data:audio/wav;base64,UklGRg==".to_string(),
        };
        assert_eq!(
            model_output(
                &[
                    image("data:image/png;base64,AAAA"),
                    image("nonsense"),
                    audio
                ],
                true
            )
            .await,
            FunctionCallOutputBody::Content(vec![
                text_part(IMAGE_NOT_PROCESSED),
                ContentItem::InputImage {
                    image_url: Some("nonsense".to_string()),
                    file_id: None,
                    detail: Some("high".to_string()),
                },
                text_part(NO_AUDIO_INPUT),
            ])
        );
        assert_eq!(
            model_output(&[text("x"), image("HTTPS://example.com/a.png")], true).await,
            FunctionCallOutputBody::Text(REMOTE_IMAGE_REFUSED.to_string())
        );
        assert_eq!(
            model_output(&[image("data:image/png;base64,AAAA")], false).await,
            FunctionCallOutputBody::Content(vec![text_part(NO_IMAGE_INPUT)])
        );
    }
}

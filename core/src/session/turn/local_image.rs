//! A `localImage` input as the model reads it, as upstream 0.171 sends one: `<image name=[Image #N]
//! path="...">`, the file's content as an `input_image` (a `data:` URL, shrunk to fit, `detail` high unless
//! the user said otherwise), `</image>`. A file that cannot be read becomes one sentence saying so; content
//! that is not an image, upstream's placeholder between the tags. Neither fails the turn; both are logged.

use std::path::Path;

use crate::prompt_image::DEFAULT_IMAGE_DETAIL;
use crate::prompt_image::ImageSizing;
use crate::prompt_image::load_prompt_image;
use crate::protocol::response_item::ContentItem;

/// What the model reads in place of a file whose content is not an image it can be sent.
const UNPROCESSABLE_IMAGE: &str = "image content omitted because it could not be processed";

const IMAGE_CLOSE_TAG: &str = "</image>";

/// The parts standing for the local image `path` (relative to `cwd` unless absolute), the `number`th image
/// of its message.
pub(super) async fn local_image_content(
    path: &str,
    detail: Option<&str>,
    cwd: &Path,
    number: usize,
) -> Vec<ContentItem> {
    let detail = detail.unwrap_or(DEFAULT_IMAGE_DETAIL);
    let sizing = if detail == "original" {
        ImageSizing::Original
    } else {
        ImageSizing::Fit
    };
    let open_tag = ContentItem::InputText {
        text: format!("<image name=[Image #{number}] path=\"{path}\">"),
    };
    let close_tag = ContentItem::InputText {
        text: IMAGE_CLOSE_TAG.to_string(),
    };
    match load_prompt_image(cwd.join(path), sizing).await {
        Ok(image) => vec![
            open_tag,
            ContentItem::InputImage {
                image_url: Some(image.data_url()),
                file_id: None,
                detail: Some(detail.to_string()),
            },
            close_tag,
        ],
        Err(err) if err.is_file_error() => {
            tracing::warn!("local image {path} could not be read: {err}");
            vec![ContentItem::InputText {
                text: format!("Codex could not read the local image at `{path}`: {err}"),
            }]
        }
        Err(err) => {
            tracing::warn!("local image {path} is not an image the model can be sent: {err}");
            vec![
                open_tag,
                ContentItem::InputText {
                    text: UNPROCESSABLE_IMAGE.to_string(),
                },
                close_tag,
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn text(text: &str) -> ContentItem {
        ContentItem::InputText {
            text: text.to_string(),
        }
    }

    fn png(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbaImage::from_pixel(width, height, image::Rgba([1, 2, 3, 255]));
        let mut bytes = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut bytes, image::ImageFormat::Png)
            .expect("png");
        bytes.into_inner()
    }

    #[tokio::test]
    async fn an_image_goes_between_its_tags_as_a_data_url() {
        let dir = tempfile::tempdir().expect("tempdir");
        let bytes = png(8, 4);
        std::fs::write(dir.path().join("a.png"), &bytes).expect("write");
        let url = format!(
            "data:image/png;base64,{}",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &bytes)
        );
        assert_eq!(
            local_image_content("a.png", None, dir.path(), 2).await,
            vec![
                text("<image name=[Image #2] path=\"a.png\">"),
                ContentItem::InputImage {
                    image_url: Some(url),
                    file_id: None,
                    detail: Some("high".to_string()),
                },
                text("</image>"),
            ]
        );
    }

    #[tokio::test]
    async fn a_missing_file_and_a_non_image_become_text() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing.png");
        let missing = missing.to_str().expect("utf-8");
        assert_eq!(
            local_image_content(missing, None, dir.path(), 1).await,
            vec![text(&format!(
                "Codex could not read the local image at `{missing}`: No such file or directory (os error 2)"
            ))]
        );
        std::fs::write(dir.path().join("notes.txt"), "not an image").expect("write");
        assert_eq!(
            local_image_content("notes.txt", Some("low"), dir.path(), 3).await,
            vec![
                text("<image name=[Image #3] path=\"notes.txt\">"),
                text(UNPROCESSABLE_IMAGE),
                text("</image>"),
            ]
        );
    }
}

//! The `view_image` tool, as upstream 0.171 offers it: the model names an image file (relative to the turn's
//! working directory) and gets its content back as the call's output, one `input_image` part shrunk as a
//! user's image is, `detail` high; the host sees an `imageView` item. What goes wrong is told to the model in
//! upstream's words and shows no item. Our sandbox restricts writes and the network, never reads (in every
//! mode a command may read the whole file system), so this tool reads what a command could.

use serde::Deserialize;

use crate::prompt_image::DEFAULT_IMAGE_DETAIL;
use crate::prompt_image::ImageSizing;
use crate::prompt_image::PromptImageError;
use crate::prompt_image::load_prompt_image;
use crate::protocol::response_item::ContentItem;
use crate::protocol::response_item::FunctionCallOutputBody;
use crate::protocol::response_item::ResponseItem;
use crate::protocol::turn_item::TurnItem;
use crate::tools::tool_call::ToolCall;
use crate::tools::tool_call::ToolCallResult;
use crate::tools::tool_run::ToolRun;

pub(crate) const VIEW_IMAGE_TOOL_NAME: &str = "view_image";

const NO_IMAGE_INPUT: &str = "view_image is not allowed because you do not support image inputs";

#[derive(Debug, Deserialize)]
struct ViewImageArguments {
    path: String,
    /// Not offered, but accepted as upstream still accepts it: `high` or `original`, both sent as `high`
    /// (whether a model takes original detail is not known here, and upstream then falls back to high).
    #[serde(default)]
    detail: Option<String>,
}

impl ToolRun<'_> {
    /// Runs one `view_image` call with the model's `arguments`.
    pub(super) async fn view_image(&self, call: &ToolCall, arguments: &str) -> ToolCallResult {
        let answer = |text: String| ToolCallResult {
            output: call.output(text),
            item: None,
            abort_turn: false,
        };
        if !self.ctx.settings.image_input {
            return answer(NO_IMAGE_INPUT.to_string());
        }
        let arguments: ViewImageArguments = match serde_json::from_str(arguments) {
            Ok(arguments) => arguments,
            Err(err) => return answer(format!("failed to parse function arguments: {err}")),
        };
        match arguments.detail.as_deref() {
            None | Some("high" | "original") => {}
            Some(other) => {
                return answer(format!(
                    "view_image.detail only supports `high` or `original`; omit `detail` for default high resized behavior, got `{other}`"
                ));
            }
        }
        let path = self.ctx.settings.cwd.join(&arguments.path);
        let image = match load_prompt_image(path.clone(), ImageSizing::Fit).await {
            Ok(image) => image,
            Err(err) => {
                tracing::debug!("view_image {} failed: {err}", path.display());
                return answer(failure_text(&path, &err));
            }
        };
        let item = TurnItem::ImageView {
            id: call.call_id().to_string(),
            path: path.display().to_string(),
        };
        self.emit_started(&item).await;
        self.emit_completed(&item).await;
        ToolCallResult {
            output: ResponseItem::FunctionCallOutput {
                call_id: call.call_id().to_string(),
                output: FunctionCallOutputBody::Content(vec![ContentItem::InputImage {
                    image_url: Some(image.data_url()),
                    file_id: None,
                    detail: Some(DEFAULT_IMAGE_DETAIL.to_string()),
                }]),
            },
            item: Some(item),
            abort_turn: false,
        }
    }
}

/// What the model is told when the image at `path` could not be sent, in upstream's words.
fn failure_text(path: &std::path::Path, err: &PromptImageError) -> String {
    let path = path.display();
    match err {
        PromptImageError::Locate(_) => format!("unable to locate image at `{path}`: {err}"),
        PromptImageError::NotAFile => format!("image path `{path}` is not a file"),
        PromptImageError::TooLarge { .. } | PromptImageError::Read(_) => {
            format!("unable to read image at `{path}`: {err}")
        }
        PromptImageError::Unsupported
        | PromptImageError::Decode(_)
        | PromptImageError::Encode { .. } => format!("unable to process image: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn failures_are_told_in_upstreams_words() {
        let path = std::path::Path::new("/w/a.png");
        let missing = PromptImageError::Locate(std::io::Error::from_raw_os_error(2));
        assert_eq!(
            [
                failure_text(path, &missing),
                failure_text(path, &PromptImageError::NotAFile),
                failure_text(path, &PromptImageError::Unsupported),
            ],
            [
                "unable to locate image at `/w/a.png`: No such file or directory (os error 2)",
                "image path `/w/a.png` is not a file",
                "unable to process image: invalid or unsupported image data",
            ]
        );
    }
}

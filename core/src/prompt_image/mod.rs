//! An image file made ready for the model, as upstream Codex (0.171) prepares one: read within a size limit,
//! recognised by its content as PNG, JPEG, GIF or WebP, decoded within bounds, shrunk to the model's budget
//! (`fit`) and sent as a `data:` URL. An image that already fits keeps its bytes (a GIF is re-encoded as PNG).

mod encode;
mod fit;
mod format;

use std::io::Read;
use std::path::Path;
use std::path::PathBuf;

use base64::Engine;

pub(crate) use fit::fit_dimensions;
use format::ImageKind;

/// The `detail` an image is sent with when nobody named one, as upstream.
pub(crate) const DEFAULT_IMAGE_DETAIL: &str = "high";

/// The largest image file read: it is held in memory and decoded whole. Ours; upstream's only cap is a
/// 1 GiB sanity guard.
pub(crate) const MAX_IMAGE_FILE_BYTES: u64 = 50 * 1024 * 1024;

/// The widest or tallest image decoded; past this a file is refused before its pixels are allocated.
const MAX_DECODED_DIMENSION: u32 = 32_768;

/// The most memory one decode may allocate.
const MAX_DECODE_ALLOC_BYTES: u64 = 512 * 1024 * 1024;

/// Why an image could not be made ready. Reading errors say what the file system said; the data errors
/// read as upstream's "invalid or unsupported image data".
#[derive(Debug, thiserror::Error)]
pub(crate) enum PromptImageError {
    /// The path could not be looked at (missing, no permission).
    #[error(transparent)]
    Locate(std::io::Error),
    #[error("not a regular file")]
    NotAFile,
    #[error("the file is {size} bytes, over the {max}-byte limit for images")]
    TooLarge { size: u64, max: u64 },
    /// The file was there but reading it failed.
    #[error(transparent)]
    Read(std::io::Error),
    /// Not PNG, JPEG, GIF or WebP by its content, whatever its name.
    #[error("invalid or unsupported image data")]
    Unsupported,
    #[error("invalid or unsupported image data")]
    Decode(#[source] image::ImageError),
    #[error("failed to encode the image as {format}: {source}")]
    Encode {
        format: &'static str,
        #[source]
        source: image::ImageError,
    },
}

impl PromptImageError {
    /// Whether the file itself could not be read (as opposed to its content not being an image).
    pub(crate) fn is_file_error(&self) -> bool {
        match self {
            PromptImageError::Locate(_)
            | PromptImageError::NotAFile
            | PromptImageError::TooLarge { .. }
            | PromptImageError::Read(_) => true,
            PromptImageError::Unsupported
            | PromptImageError::Decode(_)
            | PromptImageError::Encode { .. } => false,
        }
    }
}

/// How an image is sized for the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ImageSizing {
    /// Shrunk to the high-detail budget (`fit_dimensions`); upstream's default.
    Fit,
    /// Kept at its resolution (`detail: "original"`).
    Original,
}

/// An image as the model receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PromptImage {
    pub(crate) bytes: Vec<u8>,
    pub(crate) mime: &'static str,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

impl PromptImage {
    /// `data:<mime>;base64,<bytes>`, the `image_url` of an `input_image` part.
    pub(crate) fn data_url(&self) -> String {
        let encoded = base64::engine::general_purpose::STANDARD.encode(&self.bytes);
        format!("data:{};base64,{encoded}", self.mime)
    }
}

/// Reads and prepares the image at `path` off the async runtime (decoding and resizing take a while).
pub(crate) async fn load_prompt_image(
    path: PathBuf,
    sizing: ImageSizing,
) -> Result<PromptImage, PromptImageError> {
    tokio::task::spawn_blocking(move || prepare(read_image_file(&path)?, sizing))
        .await
        .unwrap_or_else(|join| Err(PromptImageError::Read(std::io::Error::other(join))))
}

/// The bytes of the regular file at `path`, if it is no bigger than [`MAX_IMAGE_FILE_BYTES`].
pub(crate) fn read_image_file(path: &Path) -> Result<Vec<u8>, PromptImageError> {
    let metadata = std::fs::metadata(path).map_err(PromptImageError::Locate)?;
    if !metadata.is_file() {
        return Err(PromptImageError::NotAFile);
    }
    let too_large = |size| PromptImageError::TooLarge {
        size,
        max: MAX_IMAGE_FILE_BYTES,
    };
    if metadata.len() > MAX_IMAGE_FILE_BYTES {
        return Err(too_large(metadata.len()));
    }
    let file = std::fs::File::open(path).map_err(PromptImageError::Read)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or_default());
    // The file may grow between the look and the read: never take more than the limit.
    file.take(MAX_IMAGE_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(PromptImageError::Read)?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > MAX_IMAGE_FILE_BYTES {
        return Err(too_large(read));
    }
    Ok(bytes)
}

/// Makes `bytes` ready for the model: the same bytes when the format passes through and the size fits,
/// else decoded, resized as `sizing` says and re-encoded (in the source format where it can be written,
/// PNG otherwise).
pub(crate) fn prepare(
    bytes: Vec<u8>,
    sizing: ImageSizing,
) -> Result<PromptImage, PromptImageError> {
    let kind = ImageKind::detect(&bytes).ok_or(PromptImageError::Unsupported)?;
    let decoded = decode(&bytes, kind)?;
    let (width, height) = (decoded.width(), decoded.height());
    let (target_width, target_height) = match sizing {
        ImageSizing::Fit => fit_dimensions(width, height),
        ImageSizing::Original => (width, height),
    };
    if (target_width, target_height) == (width, height) && kind.passes_through() {
        return Ok(PromptImage {
            bytes,
            mime: kind.mime(),
            width,
            height,
        });
    }
    let resized = if (target_width, target_height) == (width, height) {
        decoded
    } else {
        decoded.resize_exact(
            target_width,
            target_height,
            image::imageops::FilterType::Triangle,
        )
    };
    let output = kind.reencoded_as();
    Ok(PromptImage {
        bytes: encode::encode(&resized, output)?,
        mime: output.mime(),
        width: resized.width(),
        height: resized.height(),
    })
}

/// Decodes `bytes` as `kind`, refusing dimensions and allocations past the limits before decoding pixels.
fn decode(bytes: &[u8], kind: ImageKind) -> Result<image::DynamicImage, PromptImageError> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_DECODED_DIMENSION);
    limits.max_image_height = Some(MAX_DECODED_DIMENSION);
    limits.max_alloc = Some(MAX_DECODE_ALLOC_BYTES);
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), kind.format());
    reader.limits(limits);
    reader.decode().map_err(PromptImageError::Decode)
}

#[cfg(test)]
mod tests;

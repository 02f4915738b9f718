//! The image formats the model is sent, recognised by their first bytes (never by the file's name), and what
//! each becomes when it must be re-encoded.

use image::ImageFormat;

/// An image format the model accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ImageKind {
    Png,
    Jpeg,
    Gif,
    WebP,
}

impl ImageKind {
    /// The format `bytes` start like, if it is one of ours.
    pub(super) fn detect(bytes: &[u8]) -> Option<ImageKind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageKind::Png)
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageKind::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(ImageKind::Gif)
        } else if bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP" {
            Some(ImageKind::WebP)
        } else {
            None
        }
    }

    pub(super) fn mime(self) -> &'static str {
        match self {
            ImageKind::Png => "image/png",
            ImageKind::Jpeg => "image/jpeg",
            ImageKind::Gif => "image/gif",
            ImageKind::WebP => "image/webp",
        }
    }

    pub(super) fn format(self) -> ImageFormat {
        match self {
            ImageKind::Png => ImageFormat::Png,
            ImageKind::Jpeg => ImageFormat::Jpeg,
            ImageKind::Gif => ImageFormat::Gif,
            ImageKind::WebP => ImageFormat::WebP,
        }
    }

    /// Whether a file that needs no resizing is sent as it is. A GIF never is (as upstream: only a
    /// still GIF is documented as accepted, so its first frame goes as PNG).
    pub(super) fn passes_through(self) -> bool {
        match self {
            ImageKind::Png | ImageKind::Jpeg | ImageKind::WebP => true,
            ImageKind::Gif => false,
        }
    }

    /// The format a decoded image of this kind is written back in.
    pub(super) fn reencoded_as(self) -> ImageKind {
        match self {
            ImageKind::Png | ImageKind::Gif => ImageKind::Png,
            ImageKind::Jpeg => ImageKind::Jpeg,
            ImageKind::WebP => ImageKind::WebP,
        }
    }
}

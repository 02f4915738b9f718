//! Writing a decoded (and usually resized) image back out: PNG and lossless WebP from RGBA pixels, JPEG at
//! quality 85 from RGB, as upstream does.

use image::DynamicImage;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;

use super::PromptImageError;
use super::format::ImageKind;

const JPEG_QUALITY: u8 = 85;

/// `image` encoded as `kind`; a GIF is never asked for (see `ImageKind::reencoded_as`) and is written as PNG.
pub(super) fn encode(image: &DynamicImage, kind: ImageKind) -> Result<Vec<u8>, PromptImageError> {
    let mut bytes = Vec::new();
    let written = match kind {
        ImageKind::Png | ImageKind::Gif => DynamicImage::ImageRgba8(image.to_rgba8())
            .write_with_encoder(PngEncoder::new(&mut bytes)),
        ImageKind::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8())
            .write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)),
        ImageKind::WebP => DynamicImage::ImageRgba8(image.to_rgba8())
            .write_with_encoder(WebPEncoder::new_lossless(&mut bytes)),
    };
    written.map_err(|source| PromptImageError::Encode {
        format: kind.mime(),
        source,
    })?;
    Ok(bytes)
}

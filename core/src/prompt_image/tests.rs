use pretty_assertions::assert_eq;

use super::*;

fn encoded(width: u32, height: u32, format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 90, 255])
    });
    let image = match format {
        image::ImageFormat::Jpeg => {
            image::DynamicImage::ImageRgb8(image::DynamicImage::ImageRgba8(pixels).to_rgb8())
        }
        _ => image::DynamicImage::ImageRgba8(pixels),
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    image.write_to(&mut bytes, format).expect("encode fixture");
    bytes.into_inner()
}

fn decoded_size(image: &PromptImage) -> (u32, u32) {
    let decoded = image::load_from_memory(&image.bytes).expect("decodes");
    (decoded.width(), decoded.height())
}

#[test]
fn an_image_that_fits_keeps_its_bytes() {
    for (format, mime) in [
        (image::ImageFormat::Png, "image/png"),
        (image::ImageFormat::Jpeg, "image/jpeg"),
        (image::ImageFormat::WebP, "image/webp"),
    ] {
        let bytes = encoded(64, 32, format);
        let image = prepare(bytes.clone(), ImageSizing::Fit).expect("prepared");
        assert_eq!(
            image,
            PromptImage {
                bytes,
                mime,
                width: 64,
                height: 32
            }
        );
    }
}

#[test]
fn a_large_image_is_shrunk_in_its_own_format() {
    for (format, mime) in [
        (image::ImageFormat::Png, "image/png"),
        (image::ImageFormat::Jpeg, "image/jpeg"),
        (image::ImageFormat::WebP, "image/webp"),
    ] {
        let image = prepare(encoded(2304, 864, format), ImageSizing::Fit).expect("prepared");
        assert_eq!(
            (image.mime, image.width, image.height, decoded_size(&image)),
            (mime, 2048, 768, (2048, 768))
        );
    }
    let square = prepare(
        encoded(3000, 3000, image::ImageFormat::Png),
        ImageSizing::Fit,
    )
    .expect("prepared");
    assert_eq!(decoded_size(&square), (1600, 1600));
}

#[test]
fn original_sizing_keeps_the_resolution() {
    let bytes = encoded(2304, 864, image::ImageFormat::Png);
    let image = prepare(bytes.clone(), ImageSizing::Original).expect("prepared");
    assert_eq!((image.bytes, image.width), (bytes, 2304));
}

#[test]
fn a_gif_goes_as_png() {
    let image = prepare(encoded(10, 20, image::ImageFormat::Gif), ImageSizing::Fit).expect("gif");
    assert_eq!((image.mime, decoded_size(&image)), ("image/png", (10, 20)));
    assert!(
        image
            .data_url()
            .starts_with("data:image/png;base64,iVBORw0KGgo")
    );
}

#[test]
fn what_is_not_an_image_of_ours_is_refused_by_content() {
    let bmp = b"BM6\x00\x00\x00\x00\x00\x00\x006\x00\x00\x00".to_vec();
    assert!(matches!(
        prepare(bmp, ImageSizing::Fit),
        Err(PromptImageError::Unsupported)
    ));
    assert!(matches!(
        prepare(b"hello, not an image".to_vec(), ImageSizing::Fit),
        Err(PromptImageError::Unsupported)
    ));
    let mut truncated = encoded(64, 64, image::ImageFormat::Png);
    truncated.truncate(40);
    let err = prepare(truncated, ImageSizing::Fit).expect_err("truncated");
    assert!(matches!(err, PromptImageError::Decode(_)), "{err:?}");
    assert_eq!(err.to_string(), "invalid or unsupported image data");
    assert!(!err.is_file_error());
}

#[test]
fn a_missing_file_a_directory_and_a_huge_file_are_read_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let missing = read_image_file(&dir.path().join("missing.png")).expect_err("missing");
    assert_eq!(
        missing.to_string(),
        "No such file or directory (os error 2)"
    );
    assert!(missing.is_file_error());
    let not_a_file = read_image_file(dir.path()).expect_err("a directory");
    assert_eq!(not_a_file.to_string(), "not a regular file");
    let huge = dir.path().join("huge.png");
    let file = std::fs::File::create(&huge).expect("create");
    file.set_len(MAX_IMAGE_FILE_BYTES + 1).expect("sparse file");
    assert_eq!(
        read_image_file(&huge).expect_err("too large").to_string(),
        format!(
            "the file is {} bytes, over the {MAX_IMAGE_FILE_BYTES}-byte limit for images",
            MAX_IMAGE_FILE_BYTES + 1
        )
    );
}

#[tokio::test]
async fn loading_reads_and_prepares_off_the_runtime() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.png");
    std::fs::write(&path, encoded(3000, 1000, image::ImageFormat::Png)).expect("write");
    let image = load_prompt_image(path, ImageSizing::Fit)
        .await
        .expect("loaded");
    assert_eq!((image.width, image.height), (2048, 683));
}

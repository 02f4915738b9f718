//! How far an image is shrunk before the model sees it: upstream's high-detail budget of at most 2,048
//! pixels a side and at most 2,500 patches of 32x32 pixels (a 3000x3000 image goes as 1600x1600, a
//! 2304x864 one as 2048x768). Never enlarged.

/// The longest side an image keeps.
pub(crate) const MAX_DIMENSION: u32 = 2048;
/// The side of the square patches the model reads an image in.
pub(crate) const PATCH_SIZE: u32 = 32;
/// The most patches an image keeps.
pub(crate) const MAX_PATCHES: u64 = 2_500;

/// The size a `width` x `height` image is sent at.
pub(crate) fn fit_dimensions(width: u32, height: u32) -> (u32, u32) {
    let (width, height) = (width.max(1), height.max(1));
    if fits(width, height) {
        return (width, height);
    }
    // First the longest side, rounding to the nearest pixel.
    let side_scale = (f64::from(MAX_DIMENSION) / f64::from(width.max(height))).min(1.0);
    let (width, height) = (
        scaled_round(width, side_scale),
        scaled_round(height, side_scale),
    );
    if fits(width, height) {
        return (width, height);
    }
    // Then the area: scale to the patch budget, shrunk a little more so that the patch grid, counted in
    // whole patches, stays within it.
    let (w, h) = (f64::from(width), f64::from(height));
    let patch = f64::from(PATCH_SIZE);
    let mut scale = (patch * patch * MAX_PATCHES as f64 / (w * h)).sqrt();
    let (patches_wide, patches_high) = (w * scale / patch, h * scale / patch);
    scale *= (patches_wide.floor() / patches_wide).min(patches_high.floor() / patches_high);
    (scaled_floor(width, scale), scaled_floor(height, scale))
}

fn fits(width: u32, height: u32) -> bool {
    width <= MAX_DIMENSION && height <= MAX_DIMENSION && patches(width, height) <= MAX_PATCHES
}

/// The patches a `width` x `height` image covers, a partial patch counting whole.
pub(crate) fn patches(width: u32, height: u32) -> u64 {
    u64::from(width.div_ceil(PATCH_SIZE)) * u64::from(height.div_ceil(PATCH_SIZE))
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // Scales are in (0, 1]: no overflow.
fn scaled_round(side: u32, scale: f64) -> u32 {
    ((f64::from(side) * scale).round() as u32).max(1)
}

#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // Scales are in (0, 1]: no overflow.
fn scaled_floor(side: u32, scale: f64) -> u32 {
    ((f64::from(side) * scale).floor() as u32).max(1)
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    #[test]
    fn what_fits_is_kept() {
        assert_eq!(fit_dimensions(64, 32), (64, 32));
        assert_eq!(fit_dimensions(1600, 1600), (1600, 1600));
        assert_eq!(fit_dimensions(0, 5), (1, 5));
    }

    #[test]
    fn the_longest_side_goes_to_2048() {
        assert_eq!(fit_dimensions(2304, 864), (2048, 768));
        assert_eq!(fit_dimensions(4096, 100), (2048, 50));
        assert_eq!(fit_dimensions(100_000, 10), (2048, 1));
    }

    #[test]
    fn a_large_area_goes_to_the_patch_budget() {
        // As upstream 0.171 sends them.
        assert_eq!(fit_dimensions(3000, 3000), (1600, 1600));
        let (width, height) = fit_dimensions(2048, 1250);
        assert!(patches(width, height) <= MAX_PATCHES, "{width}x{height}");
        for (w, h) in [
            (4000, 3000),
            (2049, 2047),
            (1999, 1999),
            (2048, 2048),
            (8000, 6000),
        ] {
            let (width, height) = fit_dimensions(w, h);
            assert!(width <= MAX_DIMENSION && height <= MAX_DIMENSION, "{w}x{h}");
            assert!(
                patches(width, height) <= MAX_PATCHES,
                "{w}x{h} -> {width}x{height}"
            );
            assert!(
                patches(width, height) > MAX_PATCHES * 9 / 10,
                "{w}x{h} -> {width}x{height}"
            );
        }
    }
}

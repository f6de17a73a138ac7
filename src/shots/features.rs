//! What shot detection keeps of each frame, and the distances between
//! frames it is built on. Everything works on the 48×27 thumbnails of
//! [`crate::preprocess`]: small enough that comparing every frame with its
//! neighbours costs less than decoding it, large enough to see framing.

/// One frame's thumbnail and colour histogram.
#[derive(Clone, Debug)]
pub struct Features {
    /// `[H, W, 3]` 8-bit R′G′B′.
    pub rgb: Box<[u8]>,
    /// The HSV histogram (8 × 4 × 4 bins, summing to 1).
    pub histogram: Box<[f32]>,
    /// Spatial standard deviation of luma, 0…1: near 0 for a frame of one
    /// colour (black or white), as in the middle of a fade.
    pub luma_std: f32,
    /// Mean luma, 0…1.
    pub luma_mean: f32,
    /// The frame's motion plane ([`crate::preprocess::motion`]), where the
    /// pass computed one (decoded frames of an analysis that wants motion).
    pub motion: Option<std::sync::Arc<[u16]>>,
}

/// Thumbnail geometry shared by all frames of a title.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub width: usize,
    pub height: usize,
}

/// Largest shift, in thumbnail pixels, that [`motion_distance`] tries.
const SHIFT: usize = 2;

impl Features {
    /// Builds one frame's features from its thumbnail and histogram.
    pub fn new(rgb: &[u8], histogram: &[f32]) -> Self {
        let (luma_mean, luma_std) = luma_moments(rgb);
        Self {
            luma_std,
            luma_mean,
            rgb: rgb.into(),
            histogram: histogram.into(),
            motion: None,
        }
    }

    /// The same features with the frame's motion plane.
    pub fn with_motion(self, plane: &[u16]) -> Self {
        Self {
            motion: Some(plane.into()),
            ..self
        }
    }
}

/// Mean and spatial standard deviation of luma.
fn luma_moments(rgb: &[u8]) -> (f32, f32) {
    let n = (rgb.len() / 3).max(1) as f32;
    let (mut sum, mut sq) = (0.0f32, 0.0f32);
    for px in rgb.chunks_exact(3) {
        let y = luma(px);
        sum += y;
        sq += y * y;
    }
    let mean = sum / n;
    (mean, (sq / n - mean * mean).max(0.0).sqrt())
}

/// Luma (0…1) of one 8-bit R′G′B′ pixel (BT.601 weights).
pub fn luma(px: &[u8]) -> f32 {
    (0.299 * f32::from(px[0]) + 0.587 * f32::from(px[1]) + 0.114 * f32::from(px[2])) / 255.0
}

/// Half the L1 distance of two histograms: 0 for equal colour
/// distributions, 1 for disjoint ones.
pub fn histogram_distance(a: &Features, b: &Features) -> f32 {
    0.5 * a
        .histogram
        .iter()
        .zip(b.histogram.iter())
        .map(|(x, y)| (x - y).abs())
        .sum::<f32>()
}

/// Mean absolute difference of two thumbnails, 0…1.
pub fn pixel_distance(a: &Features, b: &Features) -> f32 {
    let sum: u32 = a
        .rgb
        .iter()
        .zip(b.rgb.iter())
        .map(|(&x, &y)| u32::from(x.abs_diff(y)))
        .sum();
    sum as f32 / (a.rgb.len().max(1) as f32 * 255.0)
}

/// Mean absolute difference after the best of the shifts of `b` by up to
/// ±2 pixels each way (compared over the interior, so every shift sees the
/// same number of pixels): camera and subject motion cost little, a change
/// of picture a lot.
pub fn motion_distance(a: &Features, b: &Features, grid: Grid) -> f32 {
    let (w, h) = (grid.width, grid.height);
    if w <= 2 * SHIFT || h <= 2 * SHIFT {
        return pixel_distance(a, b);
    }
    let mut best = u32::MAX;
    for dy in 0..=2 * SHIFT {
        for dx in 0..=2 * SHIFT {
            best = best.min(shifted_sum(a, b, grid, (dx, dy), best));
        }
    }
    let count = (w - 2 * SHIFT) * (h - 2 * SHIFT) * 3;
    best as f32 / (count as f32 * 255.0)
}

/// Sum of absolute differences between the interior of `a` and `b` moved by
/// `(dx, dy) - SHIFT`; stops early once past `limit`.
fn shifted_sum(
    a: &Features,
    b: &Features,
    grid: Grid,
    (dx, dy): (usize, usize),
    limit: u32,
) -> u32 {
    let (w, h) = (grid.width, grid.height);
    let span = (w - 2 * SHIFT) * 3;
    let mut sum = 0u32;
    for y in SHIFT..h - SHIFT {
        let ra = (y * w + SHIFT) * 3;
        let rb = ((y + dy - SHIFT) * w + dx) * 3;
        sum += a.rgb[ra..ra + span]
            .iter()
            .zip(&b.rgb[rb..rb + span])
            .map(|(&x, &y)| u32::from(x.abs_diff(y)))
            .sum::<u32>();
        if sum > limit {
            return sum;
        }
    }
    sum
}

/// How different two frames look: colour distribution plus motion-tolerant
/// pixel difference. About 0.05 between frames of one shot, 0.5–2 across a
/// cut.
pub fn change(a: &Features, b: &Features, grid: Grid) -> f32 {
    histogram_distance(a, b) + 2.5 * motion_distance(a, b, grid)
}

/// A cheap upper bound of [`change`]: the motion-tolerant distance taken
/// at zero shift only. A frame pair below it cannot be a cut.
pub fn change_upper_bound(a: &Features, b: &Features, grid: Grid) -> f32 {
    let (w, h) = (grid.width, grid.height);
    if w <= 2 * SHIFT || h <= 2 * SHIFT {
        return change(a, b, grid);
    }
    let sum = shifted_sum(a, b, grid, (SHIFT, SHIFT), u32::MAX);
    let count = (w - 2 * SHIFT) * (h - 2 * SHIFT) * 3;
    histogram_distance(a, b) + 2.5 * sum as f32 / (count as f32 * 255.0)
}

/// For a frame `m` between `a` and `b`: how far `m` lies from their average,
/// relative to how far apart they are, and that distance. Inside a dissolve
/// each frame is a mix of the shots on either side, so the ratio is near 0;
/// across a cut it is near ½.
pub fn midpoint(a: &Features, m: &Features, b: &Features) -> (f32, f32) {
    let (mut apart, mut off) = (0u32, 0u32);
    for ((&x, &y), &z) in a.rgb.iter().zip(m.rgb.iter()).zip(b.rgb.iter()) {
        apart += u32::from(x.abs_diff(z));
        off += (2 * i32::from(y) - i32::from(x) - i32::from(z)).unsigned_abs();
    }
    let n = a.rgb.len().max(1) as f32 * 255.0;
    let apart = apart as f32 / n;
    let off = off as f32 / (2.0 * n);
    (off / apart.max(1e-3), apart)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GRID: Grid = Grid {
        width: 8,
        height: 6,
    };

    fn frame(f: impl Fn(usize, usize) -> u8) -> Features {
        let mut rgb = Vec::new();
        for y in 0..GRID.height {
            for x in 0..GRID.width {
                rgb.extend([f(x, y); 3]);
            }
        }
        let mut histogram = vec![0.0; 128];
        histogram[usize::from(f(0, 0) / 64)] = 1.0;
        Features::new(&rgb, &histogram)
    }

    #[test]
    fn a_shifted_picture_is_close_under_motion_but_not_pixel_by_pixel() {
        let a = frame(|x, y| ((x * 37 + y * 91) % 256) as u8);
        let b = frame(|x, y| (((x + 1) * 37 + y * 91) % 256) as u8);
        assert!(pixel_distance(&a, &b) > 0.1);
        assert_eq!(motion_distance(&a, &b, GRID), 0.0);
    }

    #[test]
    fn midpoint_of_a_mix_is_zero_and_of_an_endpoint_is_a_half() {
        let a = frame(|_, _| 40);
        let b = frame(|_, _| 200);
        let mix = frame(|_, _| 120);
        assert!(midpoint(&a, &mix, &b).0 < 1e-6);
        assert!((midpoint(&a, &b, &b).0 - 0.5).abs() < 1e-6);
    }

    #[test]
    fn a_flat_frame_has_no_luma_spread() {
        assert!(frame(|_, _| 17).luma_std < 1e-4);
        assert!(frame(|x, _| if x < 4 { 0 } else { 255 }).luma_std > 0.4);
    }
}

//! The explicit composition term of a pair's score: where the light and
//! the edges sit in the picture, compared position by position.
//!
//! A keyframe's **signature** is computed from its model input (the
//! letterboxed, normalised 3×S×S image the embedder sees): bars (rows and
//! columns of pure black at the edges) are trimmed, the picture is averaged
//! into a 64×36 luma grid, and two 16×9 maps are kept — mean luma and mean
//! Sobel edge strength — each centred and scaled to unit length, then
//! quantised to i8. Two signatures compare by the mean of the two maps'
//! correlations, in [−1, 1]: 1 when bright areas and contours fall in the
//! same places of both frames, whatever the frames show.

/// Width and height of each map.
pub const MAP_W: usize = 16;
pub const MAP_H: usize = 9;
/// Length of a signature: the luma map, then the edge map.
pub const LEN: usize = 2 * MAP_W * MAP_H;
/// Version of the signature (part of the embedding stage's cache key).
pub const VERSION: &str = "luma+sobel16x9/1";

const FINE_W: usize = 4 * MAP_W;
const FINE_H: usize = 4 * MAP_H;
/// Luma of the letterbox bars plus a margin: (0 − 127) / 128 is black.
const BAR_LUMA: f32 = -0.97;

/// The signature of one normalised CHW image of `size`×`size` pixels.
pub fn signature(image: &[f32], size: usize) -> Vec<i8> {
    let luma = luma_plane(image, size);
    let (x0, x1, y0, y1) = active_area(&luma, size);
    let fine = area_average(&luma, size, (x0, x1, y0, y1), FINE_W, FINE_H);
    let edges = sobel(&fine, FINE_W, FINE_H);
    let mut out = quantise(&normalise(pool4(&fine)));
    out.extend(quantise(&normalise(pool4(&edges))));
    out
}

/// Mean correlation of the luma maps and of the edge maps of two signatures.
pub fn similarity(a: &[i8], b: &[i8]) -> f32 {
    if a.len() != LEN || b.len() != LEN {
        return 0.0;
    }
    let half = LEN / 2;
    (cosine(&a[..half], &b[..half]) + cosine(&a[half..], &b[half..])) / 2.0
}

fn cosine(a: &[i8], b: &[i8]) -> f32 {
    let dot = |x: &[i8], y: &[i8]| -> f32 {
        x.iter()
            .zip(y)
            .map(|(&p, &q)| f32::from(p) * f32::from(q))
            .sum()
    };
    let norm = (dot(a, a) * dot(b, b)).sqrt();
    if norm > 0.0 {
        dot(a, b) / norm
    } else {
        0.0
    }
}

fn luma_plane(image: &[f32], size: usize) -> Vec<f32> {
    let plane = size * size;
    if image.len() < 3 * plane {
        return vec![BAR_LUMA - 1.0; plane];
    }
    (0..plane)
        .map(|i| 0.299 * image[i] + 0.587 * image[plane + i] + 0.114 * image[2 * plane + i])
        .collect()
}

/// The rectangle inside the bars: [x0, x1) × [y0, y1).
fn active_area(luma: &[f32], size: usize) -> (usize, usize, usize, usize) {
    let lit_row = |y: usize| luma[y * size..(y + 1) * size].iter().any(|&v| v > BAR_LUMA);
    let lit_col = |x: usize| (0..size).any(|y| luma[y * size + x] > BAR_LUMA);
    let y0 = (0..size).find(|&y| lit_row(y)).unwrap_or(0);
    let y1 = (0..size)
        .rev()
        .find(|&y| lit_row(y))
        .map_or(size, |y| y + 1);
    let x0 = (0..size).find(|&x| lit_col(x)).unwrap_or(0);
    let x1 = (0..size)
        .rev()
        .find(|&x| lit_col(x))
        .map_or(size, |x| x + 1);
    if x1 < x0 + FINE_W / 4 || y1 < y0 + FINE_H / 4 {
        return (0, size, 0, size);
    }
    (x0, x1, y0, y1)
}

/// Box average of the area into a `w`×`h` grid (each cell at least one pixel).
fn area_average(
    plane: &[f32],
    size: usize,
    (x0, x1, y0, y1): (usize, usize, usize, usize),
    w: usize,
    h: usize,
) -> Vec<f32> {
    let span = |lo: usize, hi: usize, n: usize, i: usize| {
        let a = lo + (hi - lo) * i / n;
        let b = (lo + (hi - lo) * (i + 1) / n).max(a + 1);
        (a, b)
    };
    let mut out = Vec::with_capacity(w * h);
    for gy in 0..h {
        let (ya, yb) = span(y0, y1, h, gy);
        for gx in 0..w {
            let (xa, xb) = span(x0, x1, w, gx);
            let sum: f32 = (ya..yb)
                .flat_map(|y| plane[y * size + xa..y * size + xb].iter())
                .sum();
            out.push(sum / ((yb - ya) * (xb - xa)) as f32);
        }
    }
    out
}

/// Sobel gradient magnitude, edges replicated.
fn sobel(plane: &[f32], w: usize, h: usize) -> Vec<f32> {
    let at = |x: isize, y: isize| {
        let x = x.clamp(0, w as isize - 1) as usize;
        let y = y.clamp(0, h as isize - 1) as usize;
        plane[y * w + x]
    };
    let mut out = Vec::with_capacity(w * h);
    for y in 0..h as isize {
        for x in 0..w as isize {
            let gx = at(x + 1, y - 1) + 2.0 * at(x + 1, y) + at(x + 1, y + 1)
                - at(x - 1, y - 1)
                - 2.0 * at(x - 1, y)
                - at(x - 1, y + 1);
            let gy = at(x - 1, y + 1) + 2.0 * at(x, y + 1) + at(x + 1, y + 1)
                - at(x - 1, y - 1)
                - 2.0 * at(x, y - 1)
                - at(x + 1, y - 1);
            out.push((gx * gx + gy * gy).sqrt());
        }
    }
    out
}

/// 4×4 mean pooling of a FINE_W×FINE_H grid into MAP_W×MAP_H.
fn pool4(fine: &[f32]) -> Vec<f32> {
    let mut out = vec![0.0; MAP_W * MAP_H];
    for (i, v) in fine.iter().enumerate() {
        let (x, y) = (i % FINE_W, i / FINE_W);
        out[(y / 4) * MAP_W + x / 4] += v / 16.0;
    }
    out
}

/// Centred and scaled to unit length (all zeros for a flat map).
fn normalise(map: Vec<f32>) -> Vec<f32> {
    let mean = map.iter().sum::<f32>() / map.len() as f32;
    let centred: Vec<f32> = map.iter().map(|v| v - mean).collect();
    let norm = centred.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm < 1e-4 {
        return vec![0.0; map.len()];
    }
    centred.iter().map(|v| v / norm).collect()
}

fn quantise(map: &[f32]) -> Vec<i8> {
    let peak = map.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    if peak == 0.0 {
        return vec![0; map.len()];
    }
    map.iter()
        .map(|v| (v / peak * 127.0).round() as i8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A letterboxed CHW image: bars above and below, a bright disc at (cx, cy)
    /// in relative picture coordinates.
    fn disc(size: usize, cx: f32, cy: f32, brightness: f32) -> Vec<f32> {
        let (top, bottom) = (size / 4, size - size / 4);
        let mut img = vec![-127.0 / 128.0; 3 * size * size];
        for y in top..bottom {
            for x in 0..size {
                let u = x as f32 / size as f32;
                let v = (y - top) as f32 / (bottom - top) as f32;
                let inside = (u - cx).powi(2) * 3.0 + (v - cy).powi(2) < 0.02;
                let value = if inside { brightness } else { -0.5 };
                for c in 0..3 {
                    img[c * size * size + y * size + x] = value;
                }
            }
        }
        img
    }

    #[test]
    fn same_layout_matches_whatever_the_brightness() {
        let a = signature(&disc(224, 0.3, 0.5, 0.9), 224);
        let b = signature(&disc(224, 0.3, 0.5, 0.2), 224);
        let moved = signature(&disc(224, 0.75, 0.4, 0.9), 224);
        assert_eq!(a.len(), LEN);
        assert!(similarity(&a, &b) > 0.95, "{}", similarity(&a, &b));
        assert!(similarity(&a, &moved) < 0.3, "{}", similarity(&a, &moved));
    }

    #[test]
    fn bars_are_trimmed() {
        let luma = luma_plane(&disc(224, 0.5, 0.5, 0.9), 224);
        assert_eq!(active_area(&luma, 224), (0, 224, 56, 168));
    }

    #[test]
    fn a_flat_frame_has_no_composition() {
        let flat = vec![0.1; 3 * 224 * 224];
        let sig = signature(&flat, 224);
        assert!(sig.iter().all(|&v| v == 0));
        assert_eq!(similarity(&sig, &sig), 0.0);
    }
}

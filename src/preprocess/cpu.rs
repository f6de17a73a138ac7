//! The CPU path: the same maths as the WGSL kernels, in plain loops the
//! compiler vectorises, one frame per thread (rayon).

use super::frame::{FrameView, Plane, RowSums};
use super::geometry::{letterbox, AxisWeights, Placement};
use super::{Config, FrameOutputs};
use std::collections::HashMap;
use std::sync::Arc;

/// Buffers one worker reuses from frame to frame.
#[derive(Default)]
pub struct Scratch {
    row: Vec<f32>,
    sums: RowSums,
    planes: [Vec<f32>; 3],
    rgb: Vec<[f32; 3]>,
    weights: HashMap<(u32, u32), Arc<AxisWeights>>,
    motion: Vec<u64>,
}

impl Scratch {
    /// Weights for a (source, output) length, computed once per worker.
    fn weights(&mut self, source: u32, out: u32) -> Arc<AxisWeights> {
        Arc::clone(
            self.weights
                .entry((source, out))
                .or_insert_with(|| Arc::new(AxisWeights::new(source, out))),
        )
    }
}

/// Preprocesses one frame into its slices of a batch's outputs.
pub fn process(view: &FrameView, config: &Config, out: FrameOutputs<'_>, scratch: &mut Scratch) {
    let turned = view.rotation % 180 == 90;
    if config.want_model_input {
        let aspect = if turned {
            1.0 / view.aspect
        } else {
            view.aspect
        };
        let place = letterbox(aspect, config.model_side);
        resample(view, oriented(place.width, place.height, turned), scratch);
        write_model_input(view.rotation, place, config, &scratch.rgb, out.model_input);
    }
    let mut out = out;
    if config.want_thumbnails {
        let (tw, th) = (config.thumb_width, config.thumb_height);
        resample(view, oriented(tw, th, turned), scratch);
        write_thumbnails(view.rotation, (tw, th), &scratch.rgb, &mut out);
    }
    // After the thumbnail, which has just brought the frame into the cache.
    if config.want_motion {
        let size = (config.motion_width, config.motion_height);
        super::motion::write_motion_plane(view, size, out.motion, &mut scratch.motion);
    }
}

fn oriented(width: u32, height: u32, turned: bool) -> (u32, u32) {
    if turned {
        (height, width)
    } else {
        (width, height)
    }
}

/// Area-averages the three planes to `size` (source orientation) and
/// converts to R′G′B′ into `scratch.rgb`.
fn resample(view: &FrameView, size: (u32, u32), scratch: &mut Scratch) {
    let (w, h) = size;
    for (i, plane) in [view.luma, view.cb, view.cr].iter().enumerate() {
        let wx = scratch.weights(plane.width, w);
        let wy = scratch.weights(plane.height, h);
        let mut out = std::mem::take(&mut scratch.planes[i]);
        out.resize((w * h) as usize, 0.0);
        resize_plane(plane, &wx, &wy, scratch, &mut out);
        scratch.planes[i] = out;
    }
    let [y, cb, cr] = &scratch.planes;
    scratch.rgb.clear();
    scratch.rgb.extend(
        y.iter()
            .zip(cb)
            .zip(cr)
            .map(|((&y, &cb), &cr)| view.colour.to_rgb(y, cb, cr)),
    );
}

/// Separable area average, vertical first: the source rows under an output
/// row are summed with their weights into one accumulator row (a vectorised
/// pass over the samples), then the accumulator is averaged horizontally.
/// The rows wholly inside an output row share one weight: they are summed
/// in integers and weighed once; only the edge rows are weighed one by one.
fn resize_plane(
    plane: &Plane,
    wx: &AxisWeights,
    wy: &AxisWeights,
    scratch: &mut Scratch,
    out: &mut [f32],
) {
    let out_w = wx.first.len();
    scratch.row.resize(plane.width as usize, 0.0);
    let (acc, sums) = (&mut scratch.row, &mut scratch.sums);
    for (i, dst) in out.chunks_exact_mut(out_w).enumerate() {
        let (first, taps) = wy.taps(i);
        acc.fill(0.0);
        let whole = whole_rows(taps);
        for (k, &w) in taps.iter().enumerate() {
            if !whole.contains(&k) {
                plane.accumulate_row(first + k, w, acc);
            }
        }
        if let Some(&w) = taps.get(whole.start) {
            let rows = first + whole.start..first + whole.end;
            plane.accumulate_rows(rows, w, acc, sums);
        }
        for (j, d) in dst.iter_mut().enumerate() {
            let (x0, xw) = wx.taps(j);
            *d = xw.iter().zip(&acc[x0..]).map(|(w, s)| w * s).sum();
        }
    }
}

/// The taps (a contiguous run) of the largest weight: the source samples an
/// output sample covers wholly. Edge samples covered in part weigh less.
fn whole_rows(taps: &[f32]) -> std::ops::Range<usize> {
    let top = taps.iter().copied().fold(0.0, f32::max);
    let start = taps.iter().position(|&w| w == top).unwrap_or(0);
    let len = taps[start..].iter().take_while(|&&w| w == top).count();
    start..start + len
}

/// The source-orientation pixel shown at display position `(x, y)` of a
/// `w`×`h` display image turned `rotation` degrees clockwise.
#[inline]
pub fn source_xy(rotation: u32, x: u32, y: u32, w: u32, h: u32) -> (u32, u32) {
    match rotation % 360 {
        90 => (y, w - 1 - x),
        180 => (w - 1 - x, h - 1 - y),
        270 => (h - 1 - y, x),
        _ => (x, y),
    }
}

/// Letterboxed, normalised NCHW model input: black bars, `(v − mean) / std`.
fn write_model_input(
    rotation: u32,
    place: Placement,
    config: &Config,
    rgb: &[[f32; 3]],
    out: &mut [f32],
) {
    let side = config.model_side;
    let plane = (side * side) as usize;
    let src_w = if rotation % 180 == 90 {
        place.height
    } else {
        place.width
    };
    for c in 0..3 {
        let pad = (0.0 - config.mean[c]) / config.std[c];
        let channel = &mut out[c * plane..(c + 1) * plane];
        for y in 0..side {
            for x in 0..side {
                let inside = x >= place.x
                    && x < place.x + place.width
                    && y >= place.y
                    && y < place.y + place.height;
                channel[(y * side + x) as usize] = if inside {
                    let (sx, sy) = source_xy(
                        rotation,
                        x - place.x,
                        y - place.y,
                        place.width,
                        place.height,
                    );
                    (rgb[(sy * src_w + sx) as usize][c] - config.mean[c]) / config.std[c]
                } else {
                    pad
                };
            }
        }
    }
}

/// Thumbnail as 8-bit RGB (HWC), its HSV, and a joint HSV histogram.
fn write_thumbnails(rotation: u32, size: (u32, u32), rgb: &[[f32; 3]], out: &mut FrameOutputs<'_>) {
    let (w, h) = size;
    let src_w = if rotation % 180 == 90 { h } else { w };
    out.histogram.fill(0.0);
    let share = 1.0 / (w * h) as f32;
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = source_xy(rotation, x, y, w, h);
            let px = rgb[(sy * src_w + sx) as usize];
            let i = (y * w + x) as usize;
            for (byte, v) in out.thumb_rgb[i * 3..i * 3 + 3].iter_mut().zip(px) {
                *byte = to_byte(v);
            }
            let hsv = rgb_to_hsv(px);
            out.thumb_hsv[i * 3..i * 3 + 3].copy_from_slice(&hsv);
            let bytes = [
                out.thumb_rgb[i * 3],
                out.thumb_rgb[i * 3 + 1],
                out.thumb_rgb[i * 3 + 2],
            ];
            out.histogram[histogram_bin(bytes)] += share;
        }
    }
}

/// Rounds 0…1 to 0…255. Halves (which averaging produces exactly) round up
/// by a margin of 1/4096 level, so that the float noise of two paths cannot
/// send one flat region to different bytes.
#[inline]
pub fn to_byte(v: f32) -> u8 {
    (v * 255.0 + 0.5 + ROUNDING_MARGIN)
        .floor()
        .clamp(0.0, 255.0) as u8
}

/// See [`to_byte`].
pub const ROUNDING_MARGIN: f32 = 1.0 / 4096.0;

/// Below this spread between channels a pixel is grey and its hue 0: hue is
/// meaningless there, and rounding noise would otherwise pick one at random.
pub const GREY_SPREAD: f32 = 1.0 / 1024.0;

/// Hue, saturation, value, each in 0…1 (hue 0 for greys).
#[inline]
pub fn rgb_to_hsv([r, g, b]: [f32; 3]) -> [f32; 3] {
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = max - min;
    let s = if max > 0.0 { delta / max } else { 0.0 };
    let h = if delta < GREY_SPREAD {
        0.0
    } else if max == r {
        ((g - b) / delta).rem_euclid(6.0) / 6.0
    } else if max == g {
        ((b - r) / delta + 2.0) / 6.0
    } else {
        ((r - g) / delta + 4.0) / 6.0
    };
    [h, s, max]
}

/// Bins of the joint histogram: 8 hues × 4 saturations × 4 values.
pub const HISTOGRAM_BINS: usize = 128;

/// The histogram bin of an 8-bit RGB pixel, in integer arithmetic so that
/// both paths bin identical pixels identically.
#[inline]
pub fn histogram_bin([r, g, b]: [u8; 3]) -> usize {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let max = r.max(g).max(b);
    let delta = max - r.min(g).min(b);
    let (hb, sb) = if delta == 0 {
        (0, 0)
    } else {
        let sixths = if max == r {
            (g - b).rem_euclid(6 * delta)
        } else if max == g {
            b - r + 2 * delta
        } else {
            r - g + 4 * delta
        };
        ((sixths * 8 / (6 * delta)).min(7), (delta * 4 / max).min(3))
    };
    let vb = max * 4 / 256;
    ((hb * 4 + sb) * 4 + vb) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hsv_of_primaries_and_grey() {
        assert_eq!(rgb_to_hsv([1.0, 0.0, 0.0]), [0.0, 1.0, 1.0]);
        let [h, s, v] = rgb_to_hsv([0.0, 1.0, 0.0]);
        assert!((h - 1.0 / 3.0).abs() < 1e-6 && s == 1.0 && v == 1.0);
        assert_eq!(rgb_to_hsv([0.5, 0.5, 0.5]), [0.0, 0.0, 0.5]);
        assert_eq!(histogram_bin([255, 0, 1]), HISTOGRAM_BINS - 1);
        assert_eq!(histogram_bin([0, 0, 0]), 0);
        assert_eq!(histogram_bin([255, 255, 255]), 3);
        assert_eq!(histogram_bin([0, 255, 0]), ((8 / 3) * 4 + 3) * 4 + 3);
    }

    /// `width`×`height` samples, deterministic noise over `0..=max`.
    fn noise(width: usize, height: usize, max: u32) -> Vec<u32> {
        (0..width * height)
            .map(|i| (i as u32).wrapping_mul(2_654_435_761) >> 7 & 0xffff)
            .map(|v| v % (max + 1))
            .collect()
    }

    /// The area average in f64, straight from the definition.
    fn reference(samples: &[u32], size: (usize, usize), out: (u32, u32)) -> Vec<f64> {
        let (wx, wy) = (
            AxisWeights::new(size.0 as u32, out.0),
            AxisWeights::new(size.1 as u32, out.1),
        );
        let mut result = Vec::new();
        for i in 0..out.1 as usize {
            let (y0, ty) = wy.taps(i);
            for j in 0..out.0 as usize {
                let (x0, tx) = wx.taps(j);
                let mut sum = 0.0;
                for (dy, &a) in ty.iter().enumerate() {
                    for (dx, &b) in tx.iter().enumerate() {
                        let s = samples[(y0 + dy) * size.0 + x0 + dx];
                        sum += f64::from(a) * f64::from(b) * f64::from(s);
                    }
                }
                result.push(sum);
            }
        }
        result
    }

    /// Resizes one plane of `size` to `out` through [`resize_plane`].
    fn resized(
        samples: super::super::frame::Samples,
        size: (usize, usize),
        step: usize,
        out: (u32, u32),
    ) -> Vec<f32> {
        let plane = Plane {
            samples,
            width: size.0 as u32,
            height: size.1 as u32,
            stride: size.0 * step,
            step,
            offset: 0,
        };
        let mut scratch = Scratch::default();
        let (wx, wy) = (
            scratch.weights(size.0 as u32, out.0),
            scratch.weights(size.1 as u32, out.1),
        );
        let mut result = vec![0.0; (out.0 * out.1) as usize];
        resize_plane(&plane, &wx, &wy, &mut scratch, &mut result);
        result
    }

    #[test]
    fn integer_row_sums_give_the_exact_area_average() {
        use super::super::frame::Samples;
        // Whole ratios (1080 → 27: 40 rows each), fractional ones with edge
        // rows, more rows than a u16 sum holds (600 → 1), interleaved
        // samples, and 10-bit words.
        for (size, out) in [
            ((192, 1080), (48, 27)),
            ((128, 720), (48, 27)),
            ((192, 1080), (224, 126)),
            ((8, 600), (2, 1)),
            ((5, 7), (10, 3)),
        ] {
            let values = noise(size.0, size.1, 255);
            let expected = reference(&values, size, out);
            let bytes: Vec<u8> = values.iter().map(|&v| v as u8).collect();
            let got = resized(Samples::U8(&bytes), size, 1, out);
            let words: Vec<u16> = noise(size.0, size.1, 1023)
                .iter()
                .map(|&v| v as u16)
                .collect();
            let wide = reference(
                &words.iter().map(|&v| u32::from(v)).collect::<Vec<_>>(),
                size,
                out,
            );
            let got_wide = resized(Samples::U16(&words), size, 1, out);
            // The same bytes read every other sample (an NV12 chroma plane).
            let doubled: Vec<u8> = bytes.iter().flat_map(|&b| [b, 0]).collect();
            let got_step = resized(Samples::U8(&doubled), size, 2, out);
            for i in 0..expected.len() {
                let what = format!("{size:?} → {out:?}, sample {i}");
                assert!(
                    (f64::from(got[i]) - expected[i]).abs() < 1e-3,
                    "{what}: {} vs {}",
                    got[i],
                    expected[i]
                );
                assert_eq!(got_step[i], got[i], "{what}: interleaved");
                assert!(
                    (f64::from(got_wide[i]) - wide[i]).abs() < 4e-3,
                    "{what}: 10-bit"
                );
            }
        }
    }

    #[test]
    fn whole_rows_are_the_run_of_the_largest_weight() {
        assert_eq!(whole_rows(&[0.025; 40]), 0..40);
        assert_eq!(whole_rows(&[0.1, 0.3, 0.3, 0.3]), 1..4);
        assert_eq!(whole_rows(&[0.2, 0.35, 0.35, 0.1]), 1..3);
        assert_eq!(whole_rows(&[1.0]), 0..1);
        assert_eq!(whole_rows(&[]), 0..0);
    }

    #[test]
    fn rotation_maps_display_to_source() {
        // A 3×2 display image of a source turned 90° clockwise (source 2×3).
        assert_eq!(source_xy(90, 0, 0, 3, 2), (0, 2));
        assert_eq!(source_xy(270, 0, 0, 3, 2), (1, 0));
        assert_eq!(source_xy(180, 0, 0, 3, 2), (2, 1));
    }
}

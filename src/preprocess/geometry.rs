//! Where a frame lands in an output image, and the area-averaging weights.
//!
//! Resizing is an exact area average (a box filter with fractional edge
//! coverage): output pixel `j` of `n` covers source interval
//! `[j·s/n, (j+1)·s/n)` of a source axis of length `s`, each source sample
//! weighted by how much of it lies inside. The model input is letterboxed:
//! the whole frame, at its display aspect (sample aspect ratio and rotation
//! applied), is fitted inside the square and centred, and the bars are black.
//! Keeping the framing geometry intact matters more for match cuts than
//! filling the square.

/// A sub-rectangle of an output image, in whole pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placement {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// The rectangle a frame of display aspect `aspect` (width / height) fills
/// when letterboxed into `side`×`side`.
pub fn letterbox(aspect: f64, side: u32) -> Placement {
    let aspect = if aspect.is_finite() && aspect > 0.0 {
        aspect
    } else {
        1.0
    };
    let s = f64::from(side);
    let (w, h) = if aspect >= 1.0 {
        (s, (s / aspect).round().clamp(1.0, s))
    } else {
        ((s * aspect).round().clamp(1.0, s), s)
    };
    let (w, h) = (w as u32, h as u32);
    Placement {
        x: (side - w) / 2,
        y: (side - h) / 2,
        width: w,
        height: h,
    }
}

/// Area-averaging weights along one axis: for each output sample, the first
/// source sample it reads and the (normalised, summing to 1) weights.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisWeights {
    pub first: Vec<u32>,
    pub offsets: Vec<u32>,
    pub weights: Vec<f32>,
}

impl AxisWeights {
    /// Weights mapping `source` samples onto `out` samples.
    pub fn new(source: u32, out: u32) -> Self {
        let (s, n) = (f64::from(source.max(1)), f64::from(out.max(1)));
        let mut first = Vec::with_capacity(out as usize);
        let mut offsets = Vec::with_capacity(out as usize + 1);
        let mut weights = Vec::new();
        for j in 0..out.max(1) {
            let (a, b) = (f64::from(j) * s / n, f64::from(j + 1) * s / n);
            let (lo, hi) = (a.floor() as u32, (b.ceil() as u32).min(source.max(1)));
            first.push(lo);
            offsets.push(weights.len() as u32);
            for i in lo..hi {
                let overlap = (b.min(f64::from(i + 1)) - a.max(f64::from(i))).max(0.0);
                weights.push((overlap / (b - a)) as f32);
            }
        }
        offsets.push(weights.len() as u32);
        Self {
            first,
            offsets,
            weights,
        }
    }

    /// The first source sample and weights of output sample `j`.
    #[inline]
    pub fn taps(&self, j: usize) -> (usize, &[f32]) {
        let (a, b) = (self.offsets[j] as usize, self.offsets[j + 1] as usize);
        (self.first[j] as usize, &self.weights[a..b])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letterbox_keeps_aspect_and_centres() {
        assert_eq!(
            letterbox(16.0 / 9.0, 224),
            Placement {
                x: 0,
                y: 49,
                width: 224,
                height: 126
            }
        );
        assert_eq!(
            letterbox(9.0 / 16.0, 224),
            Placement {
                x: 49,
                y: 0,
                width: 126,
                height: 224
            }
        );
        assert_eq!(
            letterbox(1.0, 224),
            Placement {
                x: 0,
                y: 0,
                width: 224,
                height: 224
            }
        );
    }

    #[test]
    fn weights_sum_to_one_and_cover_fractions() {
        let w = AxisWeights::new(1920, 224);
        for j in 0..224 {
            let (_, taps) = w.taps(j);
            let sum: f32 = taps.iter().sum();
            assert!((sum - 1.0).abs() < 1e-5, "output {j}: {sum}");
        }
        let exact = AxisWeights::new(1920, 48);
        assert_eq!(exact.taps(1), (40, &[0.025f32; 40][..]));
        let up = AxisWeights::new(3, 6);
        assert_eq!(up.taps(1), (0, &[1.0f32][..]));
    }
}

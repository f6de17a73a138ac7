//! A motion plane ready for matching: luma normalised to zero mean and unit
//! spread (so a change of exposure between two frames does not read as
//! motion), with the half- and quarter-size levels block matching starts
//! from.

/// One level: `width`×`height` values, row-major.
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    pub width: usize,
    pub height: usize,
    pub data: Vec<f32>,
}

impl Level {
    #[inline]
    pub fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// Blurred by the binomial filter [1 2 1]/4 in each direction (edges
    /// repeated), then every other sample kept: half the size without the
    /// aliasing a plain 2×2 mean lets through.
    fn halved(&self) -> Level {
        let (w, h) = (self.width, self.height);
        let tap = |v: &dyn Fn(usize) -> f32, i: usize, n: usize| {
            (v(i.saturating_sub(1)) + 2.0 * v(i) + v((i + 1).min(n - 1))) / 4.0
        };
        let mut across = vec![0.0; w * h];
        for y in 0..h {
            for x in 0..w {
                across[y * w + x] = tap(&|i| self.at(i, y), x, w);
            }
        }
        let (width, height) = (w / 2, h / 2);
        let mut data = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                data.push(tap(&|i| across[i * w + 2 * x], 2 * y, h));
            }
        }
        Level {
            width,
            height,
            data,
        }
    }

    /// The mean absolute horizontal and vertical difference over the block
    /// `[x0, x0 + size) × [y0, y0 + size)`: how much texture a block has
    /// to be matched by.
    pub fn texture(&self, x0: usize, y0: usize, size: usize) -> f32 {
        let mut sum = 0.0;
        for y in y0..y0 + size {
            for x in x0..x0 + size {
                let v = self.at(x, y);
                sum += (self.at(x + 1, y) - v).abs() + (self.at(x, y + 1) - v).abs();
            }
        }
        sum / (2 * size * size) as f32
    }
}

/// A normalised plane and its coarser levels (`levels[0]` full size),
/// with the samples as stored, which the block search reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Pyramid {
    pub levels: Vec<Level>,
    pub samples: Vec<u16>,
    /// The largest sample.
    pub peak: u16,
}

/// Levels below the full size (64×36 → 32×18 → 16×9).
const COARSER_LEVELS: usize = 2;

impl Pyramid {
    /// From a motion plane of `width`×`height` samples as stored.
    pub fn new(samples: &[u16], width: usize, height: usize) -> Self {
        let n = samples.len().max(1) as f32;
        let mean = samples.iter().map(|&s| f32::from(s)).sum::<f32>() / n;
        let var = samples
            .iter()
            .map(|&s| (f32::from(s) - mean).powi(2))
            .sum::<f32>()
            / n;
        // A flat picture (black) stays flat: no spread to divide by.
        let scale = 1.0 / var.sqrt().max(1.0);
        let data = samples
            .iter()
            .map(|&s| (f32::from(s) - mean) * scale)
            .collect();
        let mut levels = vec![Level {
            width,
            height,
            data,
        }];
        for _ in 0..COARSER_LEVELS {
            let next = levels[levels.len() - 1].halved();
            levels.push(next);
        }
        Self {
            levels,
            samples: samples.to_vec(),
            peak: samples.iter().copied().max().unwrap_or(0),
        }
    }

    /// The variance of the samples taken `>> shift` (at least 1: a flat
    /// picture has no spread to divide by), as the block search sees them.
    pub fn variance(&self, shift: u32) -> f64 {
        let n = self.samples.len().max(1) as f64;
        let (mut sum, mut squares) = (0u64, 0u64);
        for &s in &self.samples {
            let v = u64::from(s >> shift);
            sum += v;
            squares += v * v;
        }
        let mean = sum as f64 / n;
        (squares as f64 / n - mean * mean).max(1.0)
    }

    pub fn full(&self) -> &Level {
        &self.levels[0]
    }
}

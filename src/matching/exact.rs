//! Exact similarity of keyframe descriptors, in blocks.
//!
//! Candidate pairs must be a function of the library's titles alone: the
//! same whatever order the titles were added in, on every machine. An
//! approximate index (HNSW) cannot promise that: its graph depends on the
//! order of insertion and its answers on the graph. So pairs come from
//! exact comparisons of 8-bit descriptors, computed with integer dot
//! products (exact on every instruction set, through SimSIMD's dispatched
//! kernels) and one `f64` division, and ties are broken by shot identity.
//!
//! A title joining a library is compared, as one block per title, with
//! every title already there: O(its shots × the library's shots) dot
//! products of 508 bytes, which at a workstation library's size (100,000
//! shots) takes a few seconds; see `make bench`.

use rayon::prelude::*;
use simsimd::SpatialSimilarity;

/// Descriptors quantised to 8 bits, row-major, with their norms.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Quantised {
    dims: usize,
    data: Vec<i8>,
    norms: Vec<f64>,
}

/// `v` scaled so its largest component is ±127, rounded (the scale does
/// not change a cosine). A vector with a NaN or no magnitude becomes zeros.
pub fn quantise(v: &[f32]) -> Vec<i8> {
    let peak = v.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    if peak <= 0.0 || v.iter().any(|x| !x.is_finite()) {
        return vec![0; v.len()];
    }
    let scale = 127.0 / peak;
    v.iter()
        .map(|x| (x * scale).round().clamp(-127.0, 127.0) as i8)
        .collect()
}

/// The exact dot product of two 8-bit vectors of equal length.
fn dot(a: &[i8], b: &[i8]) -> f64 {
    i8::dot(a, b).unwrap_or(0.0)
}

impl Quantised {
    pub fn new(dims: usize) -> Self {
        Self {
            dims,
            data: Vec::new(),
            norms: Vec::new(),
        }
    }

    /// Appends an already quantised vector (zeros when its length is wrong,
    /// so a damaged record never matches anything).
    pub fn push(&mut self, v: &[i8]) {
        let start = self.data.len();
        if v.len() == self.dims {
            self.data.extend_from_slice(v);
        } else {
            self.data.resize(start + self.dims, 0);
        }
        let row = &self.data[start..];
        self.norms.push(dot(row, row).sqrt());
    }

    /// Appends a descriptor, quantising it.
    pub fn push_f32(&mut self, v: &[f32]) {
        self.push(&quantise(v));
    }

    pub fn len(&self) -> usize {
        self.norms.len()
    }

    /// The length of each vector.
    pub fn dims(&self) -> usize {
        self.dims
    }

    pub fn is_empty(&self) -> bool {
        self.norms.is_empty()
    }

    pub fn row(&self, i: usize) -> &[i8] {
        &self.data[i * self.dims..(i + 1) * self.dims]
    }

    /// Cosine similarity of row `i` of `self` and row `j` of `other`; 0
    /// when either has no magnitude.
    pub fn similarity(&self, i: usize, other: &Quantised, j: usize) -> f32 {
        let norms = self.norms[i] * other.norms[j];
        if norms <= 0.0 {
            return 0.0;
        }
        (dot(self.row(i), other.row(j)) / norms) as f32
    }

    /// Every similarity of `self`'s rows with `other`'s: row-major,
    /// `self.len() × other.len()`. Rows are computed in parallel; each
    /// value is exact, so the result does not depend on the threads.
    pub fn block(&self, other: &Quantised) -> Block {
        let cols = other.len();
        let mut values = vec![0.0f32; self.len() * cols];
        if cols > 0 {
            values
                .par_chunks_mut(cols)
                .enumerate()
                .for_each(|(i, row)| {
                    for (j, value) in row.iter_mut().enumerate() {
                        *value = self.similarity(i, other, j);
                    }
                });
        }
        Block {
            rows: self.len(),
            cols,
            values,
        }
    }
}

/// Similarities of two sets of vectors.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub rows: usize,
    pub cols: usize,
    values: Vec<f32>,
}

impl Block {
    pub fn get(&self, i: usize, j: usize) -> f32 {
        self.values[i * self.cols + j]
    }

    pub fn row(&self, i: usize) -> &[f32] {
        &self.values[i * self.cols..(i + 1) * self.cols]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_products_are_exact_integers() {
        // Extremes and a long odd length exercise every tail of the kernels.
        for len in [1usize, 7, 31, 64, 508, 1001] {
            let a: Vec<i8> = (0..len)
                .map(|i| (((i * 37) % 255) as i32 - 127) as i8)
                .collect();
            let b: Vec<i8> = (0..len)
                .map(|i| (((i * 91) % 255) as i32 - 127) as i8)
                .collect();
            let exact: i64 = a
                .iter()
                .zip(&b)
                .map(|(&x, &y)| i64::from(x) * i64::from(y))
                .sum();
            assert_eq!(dot(&a, &b), exact as f64, "length {len}");
            let peak = vec![127i8; len];
            assert_eq!(dot(&peak, &peak), (127 * 127 * len) as f64);
        }
    }

    #[test]
    fn blocks_hold_cosines_and_zero_vectors_match_nothing() {
        let mut a = Quantised::new(3);
        a.push_f32(&[1.0, 0.0, 0.0]);
        a.push_f32(&[0.0, 0.0, 0.0]);
        let mut b = Quantised::new(3);
        b.push_f32(&[2.0, 0.0, 0.0]);
        b.push_f32(&[1.0, 1.0, 0.0]);
        b.push(&[1, 2]); // wrong length: stored as zeros
        let block = a.block(&b);
        assert_eq!((block.rows, block.cols), (2, 3));
        assert_eq!(block.get(0, 0), 1.0);
        assert!((block.get(0, 1) - std::f32::consts::FRAC_1_SQRT_2).abs() < 1e-6);
        assert_eq!(block.get(0, 2), 0.0);
        assert_eq!(block.row(1), &[0.0, 0.0, 0.0]);
        assert_eq!(quantise(&[f32::NAN, 1.0]), vec![0, 0]);
    }
}

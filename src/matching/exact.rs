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
//! products of 508 bytes; see `make bench` (`benches/lists.rs`).
//!
//! Blocks are matrix products (the `gemm` crate's kernels) in `f32` of the
//! 8-bit values. That is exact, not approximate: every product and every
//! partial sum is an integer below 2^24 (at most 1,040 dimensions of
//! ±127), which `f32` holds exactly, so the order of additions, fused
//! multiply-adds and the instruction set cannot change a result. Longer
//! vectors fall back to integer dot products.

use gemm::Parallelism;
use rayon::prelude::*;
use simsimd::SpatialSimilarity;

/// The longest vectors whose 8-bit dot products `f32` computes exactly.
const EXACT_F32_DIMS: usize = (1 << 24) / (127 * 127);

/// Rows of a block computed per task.
const BLOCK_ROWS: usize = 64;

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

/// Cosine similarity of two 8-bit vectors, the very value
/// [`Quantised::block`] gives them; 0 when either has no magnitude or their
/// lengths differ.
pub fn cosine_i8(a: &[i8], b: &[i8]) -> f32 {
    if a.len() != b.len() {
        return 0.0;
    }
    cosine(dot(a, b), dot(a, a).sqrt() * dot(b, b).sqrt())
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
        cosine(
            dot(self.row(i), other.row(j)),
            self.norms[i] * other.norms[j],
        )
    }

    /// Every similarity of `self`'s rows with `other`'s: row-major,
    /// `self.len() × other.len()`. Rows are computed in parallel; each
    /// value is exact, so the result does not depend on the threads.
    pub fn block(&self, other: &Quantised) -> Block {
        let (rows, cols) = (self.len(), other.len());
        let mut values = vec![0.0f32; rows * cols];
        if rows > 0 && cols > 0 {
            if self.dims == other.dims && self.dims <= EXACT_F32_DIMS {
                self.products(other, &mut values);
            } else {
                values
                    .par_chunks_mut(cols)
                    .enumerate()
                    .for_each(|(i, row)| {
                        for (j, value) in row.iter_mut().enumerate() {
                            *value = dot(self.row(i), other.row(j)) as f32;
                        }
                    });
            }
            values
                .par_chunks_mut(cols)
                .zip(&self.norms)
                .for_each(|(row, &a)| {
                    for (value, &b) in row.iter_mut().zip(&other.norms) {
                        *value = cosine(f64::from(*value), a * b);
                    }
                });
        }
        Block { rows, cols, values }
    }

    /// The dot products of every row pair into `out` (row-major), as exact
    /// `f32` matrix products.
    fn products(&self, other: &Quantised, out: &mut [f32]) {
        let (cols, k) = (other.len(), self.dims);
        let widen = |v: &[i8]| v.iter().map(|&x| f32::from(x)).collect::<Vec<f32>>();
        let (lhs, rhs) = (widen(&self.data), widen(&other.data));
        out.par_chunks_mut(BLOCK_ROWS * cols)
            .zip(lhs.par_chunks(BLOCK_ROWS * k))
            .for_each(|(dst, lhs)| {
                let m = dst.len() / cols;
                debug_assert_eq!(lhs.len(), m * k);
                // SAFETY: `dst` holds m × cols values (row stride cols),
                // `lhs` m × k (row stride k) and `rhs` is `other`'s cols
                // rows of k, read as the k × cols matrix (column stride k):
                // every index the product reads or writes is in bounds, and
                // the three slices do not overlap.
                unsafe {
                    gemm::gemm(
                        m,
                        cols,
                        k,
                        dst.as_mut_ptr(),
                        1,
                        cols as isize,
                        false,
                        lhs.as_ptr(),
                        1,
                        k as isize,
                        rhs.as_ptr(),
                        k as isize,
                        1,
                        0.0,
                        1.0,
                        false,
                        false,
                        false,
                        Parallelism::None,
                    );
                }
            });
    }
}

/// A dot product over the norms' product; 0 when either has no magnitude.
fn cosine(dot: f64, norms: f64) -> f32 {
    if norms <= 0.0 {
        0.0
    } else {
        (dot / norms) as f32
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
    fn blocks_are_exactly_the_integer_similarities() {
        let mut state = 7u64;
        let mut vectors = |n: usize, dims: usize| {
            let mut q = Quantised::new(dims);
            for _ in 0..n {
                let v: Vec<i8> = (0..dims)
                    .map(|_| {
                        state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                        (((state >> 33) % 255) as i32 - 127) as i8
                    })
                    .collect();
                q.push(&v);
            }
            q
        };
        // Around a block's row chunk and past the exact-f32 length.
        for (rows, cols, dims) in [(130, 70, 508), (3, 5, 1040), (4, 3, 1100)] {
            let (a, b) = (vectors(rows, dims), vectors(cols, dims));
            let block = a.block(&b);
            for i in 0..rows {
                for j in 0..cols {
                    assert_eq!(
                        block.get(i, j).to_bits(),
                        a.similarity(i, &b, j).to_bits(),
                        "{dims}: {i},{j}"
                    );
                }
            }
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

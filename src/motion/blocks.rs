//! The **block search**, the per-sample part of motion estimation: for each
//! block of a step's earlier motion plane, its cost at every offset of a
//! 9×9 window around the step's global shift in the later plane.
//!
//! Integers throughout, so the WGSL kernel (`shaders/motion_blocks.wgsl`,
//! run by [`super::gpu`]) gives exactly these numbers and either path
//! leads to the same motion. The cost is the zero-mean sum of squared
//! differences of the two 8×8 blocks (a local change of brightness is not
//! motion):
//!
//! - samples are taken `>> shift`, the step's [`shift_for`], so that they
//!   fit in 10 bits (8-bit sources: no shift; 16-bit words: as needed);
//! - with `Sa`, `Sb` the blocks' sums, `m = ⌊(Sa − Sb + 32) / 64⌋` (the
//!   difference of their means, rounded half up) and the cost is
//!   `Σ (a − b − m)²`: at most 64 · 2046², which fits in 32 bits;
//! - an offset whose block leaves the later plane costs [`INVALID`].
//!
//! The costs are laid out `[step][block][offset]`, offset `(oy + 4)·9 +
//! (ox + 4)` for `ox, oy` in `−4..=4` (the search keeps to ±3; the ring
//! around it gives the parabola its neighbours at the window's edge).

use super::estimate::BLOCK;
use bytemuck::{Pod, Zeroable};

/// Offsets either side of the global shift whose costs are computed.
pub const REACH: i32 = 4;
/// The window's side and size.
pub const SIDE: usize = 2 * REACH as usize + 1;
pub const OFFSETS: usize = SIDE * SIDE;
/// The cost of an offset whose block would leave the plane.
pub const INVALID: u32 = u32::MAX;
/// Bits the samples are brought down to.
pub const SAMPLE_BITS: u32 = 10;

/// One step's search, as the kernel reads it (`StepDesc` in the WGSL):
/// planes `a` (earlier) and `b` (later) by their place in the uploaded
/// list, the global shift, and the samples' shift.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct StepDesc {
    pub a: u32,
    pub b: u32,
    pub gx: i32,
    pub gy: i32,
    pub shift: u32,
}

/// The shift that brings samples up to `peak` (the larger of the two
/// planes' largest) into [`SAMPLE_BITS`] bits.
pub fn shift_for(peak: u16) -> u32 {
    (u16::BITS - peak.leading_zeros()).saturating_sub(SAMPLE_BITS)
}

/// Top-left corners of the blocks of a `width`×`height` plane: a grid
/// inset so that every block keeps a sample of margin for its texture.
pub fn origins(width: usize, height: usize) -> Vec<[u32; 2]> {
    let across = (width - 1) / BLOCK;
    let down = (height - 1) / BLOCK;
    let (mx, my) = ((width - across * BLOCK) / 2, (height - down * BLOCK) / 2);
    (0..down)
        .flat_map(|j| (0..across).map(move |i| [(mx + i * BLOCK) as u32, (my + j * BLOCK) as u32]))
        .collect()
}

/// The costs of every block of every step, on the CPU (the definition the
/// WGSL kernel follows; computed here as `Σe² − 2m·Σe + 64m²` with
/// `e = a − b`, the same integer as the kernel's `Σ(e − m)²`).
pub fn costs(
    planes: &[&[u16]],
    size: (usize, usize),
    origins: &[[u32; 2]],
    steps: &[StepDesc],
) -> Vec<u32> {
    let per_step = origins.len() * OFFSETS;
    let mut out = vec![INVALID; steps.len() * per_step];
    let shifted =
        |p: &[u16], shift: u32| -> Vec<i32> { p.iter().map(|&v| i32::from(v >> shift)).collect() };
    for (step, grids) in steps.iter().zip(out.chunks_mut(per_step.max(1))) {
        let a = shifted(planes[step.a as usize], step.shift);
        let b = shifted(planes[step.b as usize], step.shift);
        for (&origin, grid) in origins.iter().zip(grids.chunks_mut(OFFSETS)) {
            block_grid(&a, &b, size, origin, step, grid);
        }
    }
    out
}

/// One block's 9×9 costs into `grid` (samples already shifted).
fn block_grid(
    a: &[i32],
    b: &[i32],
    size: (usize, usize),
    origin: [u32; 2],
    step: &StepDesc,
    grid: &mut [u32],
) {
    let (w, h) = (size.0 as i32, size.1 as i32);
    let block = BLOCK as i32;
    let (ox, oy) = (origin[0] as usize, origin[1] as usize);
    for (o, cost) in grid.iter_mut().enumerate() {
        let bx = origin[0] as i32 + step.gx + (o % SIDE) as i32 - REACH;
        let by = origin[1] as i32 + step.gy + (o / SIDE) as i32 - REACH;
        if bx < 0 || by < 0 || bx + block > w || by + block > h {
            *cost = INVALID;
            continue;
        }
        let (mut sum, mut squares) = (0i32, 0i32);
        for y in 0..BLOCK {
            let row_a = &a[(oy + y) * size.0 + ox..][..BLOCK];
            let row_b = &b[(by as usize + y) * size.0 + bx as usize..][..BLOCK];
            for (va, vb) in row_a.iter().zip(row_b) {
                let e = va - vb;
                sum += e;
                squares += e * e;
            }
        }
        let m = i64::from(mean_difference(sum));
        let total = i64::from(squares) - 2 * m * i64::from(sum) + (BLOCK * BLOCK) as i64 * m * m;
        *cost = total as u32;
    }
}

/// `⌊(Σa − Σb + 32) / 64⌋` from `difference = Σa − Σb`, written as the
/// kernel writes it (unsigned division of a sum kept positive: 65,536 =
/// 1,024 · 64 exceeds any difference of two 64-sample sums of 10-bit
/// samples).
#[inline]
fn mean_difference(difference: i32) -> i32 {
    ((difference + 65_568) as u32 / 64) as i32 - 1024
}

/// Where the block searches run: the CPU, or the WGSL kernel on the
/// process's GPU device (the same numbers; the CPU when the GPU fails).
pub enum Searcher {
    Cpu,
    Gpu(Box<super::gpu::GpuBlockSearch>),
}

impl Searcher {
    /// The GPU searcher when preprocessing runs on the GPU (and the kernel
    /// starts), the CPU otherwise.
    pub fn for_backend(backend: crate::preprocess::Backend) -> Self {
        match backend {
            crate::preprocess::Backend::Cpu => Self::Cpu,
            crate::preprocess::Backend::Gpu => match super::gpu::GpuBlockSearch::new() {
                Ok(g) => Self::Gpu(Box::new(g)),
                Err(e) => {
                    tracing::warn!(error = %e, "GPU block search unavailable; motion uses the CPU path");
                    Self::Cpu
                }
            },
        }
    }

    /// The costs of [`costs`], on this searcher's path.
    pub fn costs(
        &mut self,
        planes: &[&[u16]],
        size: (usize, usize),
        origins: &[[u32; 2]],
        steps: &[StepDesc],
    ) -> Vec<u32> {
        if let Self::Gpu(g) = self {
            match g.costs(planes, size, origins, steps) {
                Ok(c) => return c,
                Err(e) => tracing::warn!(error = %e, "GPU block search failed; using the CPU path"),
            }
        }
        costs(planes, size, origins, steps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shift_brings_any_word_into_ten_bits() {
        assert_eq!(shift_for(255), 0);
        assert_eq!(shift_for(1023), 0);
        assert_eq!(shift_for(1024), 1);
        assert_eq!(shift_for(65_472), 6);
        assert_eq!(65_535 >> shift_for(u16::MAX), 1023);
    }

    #[test]
    fn the_mean_difference_rounds_half_up_on_both_signs() {
        for (sa, sb) in [
            (0, 0),
            (64, 0),
            (95, 0),
            (96, 0),
            (0, 95),
            (0, 96),
            (0, 65_472),
            (65_472, 0),
        ] {
            let want = ((sa - sb) as f64 / 64.0 + 0.5).floor() as i32;
            assert_eq!(mean_difference(sa - sb), want, "{sa} {sb}");
        }
    }

    #[test]
    fn a_moved_block_costs_nothing_at_its_shift_whatever_its_brightness() {
        let (w, h) = (64, 36);
        let hash = |i: usize| {
            let x = (i as u32 ^ 0x9e37_79b9).wrapping_mul(0x85eb_ca6b);
            ((x ^ (x >> 13)).wrapping_mul(0xc2b2_ae35) >> 24) as u16
        };
        let plane: Vec<u16> = (0..w * h).map(hash).collect();
        // The later plane: moved 2 right and 1 down, 40 levels brighter.
        let mut later = vec![0u16; w * h];
        for y in 1..h {
            for x in 2..w {
                later[y * w + x] = plane[(y - 1) * w + x - 2] + 40;
            }
        }
        let origins = origins(w, h);
        assert_eq!(origins.len(), 28);
        let step = StepDesc {
            a: 0,
            b: 1,
            gx: 1,
            gy: 0,
            ..StepDesc::default()
        };
        let costs = costs(&[&plane, &later], (w, h), &origins, &[step]);
        for grid in costs.chunks(OFFSETS) {
            let best = (0..OFFSETS).min_by_key(|&o| grid[o]).expect("offsets");
            assert_eq!(grid[best], 0);
            // (2, 1) is offset (+1, +1) from the global (1, 0).
            assert_eq!(best, (1 + REACH as usize) * SIDE + 1 + REACH as usize);
        }
        // Offsets leaving the plane: the first block at (−4, −4) from (1, 0).
        assert_eq!(costs[0], INVALID);
    }
}

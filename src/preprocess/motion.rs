//! The **motion plane**: a frame's luma on a small grid (64×36 by
//! default, display orientation, stretched like the thumbnail), from which
//! motion at shot ends is estimated (`crate::motion`).
//!
//! Integer arithmetic throughout, so the WGSL kernel (`shaders/motion.wgsl`)
//! gives exactly these values: each cell of the grid covers the source
//! columns `[ox·W / w, (ox + 1)·W / w)` (at least one) and the rows
//! likewise; all its columns are summed on up to [`MOTION_ROWS`] rows
//! spread evenly over it (row `r` of `n` at `y0 + (2r + 1)(y1 − y0) / 2n`),
//! as stored (8-bit samples, or 16-bit words), and the mean is rounded
//! half up. Reading a few rows of each cell costs an eighth of a luma pass
//! at 1080p; horizontal detail is averaged in full, which is the direction
//! most camera motion takes.

use super::cpu::source_xy;
use super::frame::{FrameView, Plane, Samples};

/// Rows summed in each cell of the motion plane.
pub const MOTION_ROWS: u32 = 4;

/// The bounds `[start, end)` of cell `i` of `cells` over `len` samples.
#[inline]
pub fn cell_bounds(i: u32, cells: u32, len: u32) -> (u32, u32) {
    let start = (u64::from(i) * u64::from(len) / u64::from(cells)) as u32;
    let end = ((u64::from(i) + 1) * u64::from(len) / u64::from(cells)) as u32;
    let start = start.min(len.saturating_sub(1));
    (start, end.max(start + 1).min(len))
}

/// Source row `r` of the `n` rows summed in a cell spanning `[y0, y1)`.
#[inline]
pub fn sampled_row(y0: u32, y1: u32, r: u32, n: u32) -> u32 {
    y0 + (2 * r + 1) * (y1 - y0) / (2 * n)
}

/// Writes `view`'s motion plane, `size` = (width, height) in display
/// orientation, into `out` (row-major, display orientation).
pub fn write_motion_plane(
    view: &FrameView,
    size: (u32, u32),
    out: &mut [u16],
    sums: &mut Vec<u64>,
) {
    let (w, h) = size;
    let turned = view.rotation % 180 == 90;
    let (sw, sh) = if turned { (h, w) } else { (w, h) };
    let luma = &view.luma;
    sums.clear();
    sums.resize((sw * sh) as usize, 0);
    let columns: Vec<(u32, u32)> = (0..sw).map(|ox| cell_bounds(ox, sw, luma.width)).collect();
    let rows: Vec<(u32, u32)> = (0..sh).map(|oy| cell_bounds(oy, sh, luma.height)).collect();
    let mut acc = Accumulator::for_plane(luma);
    for (oy, &(y0, y1)) in rows.iter().enumerate() {
        let n = MOTION_ROWS.min(y1 - y0);
        // The cell row's sampled rows added up sample by sample (a long,
        // vectorised loop), then each cell's columns of that sum.
        acc.clear();
        for r in 0..n {
            acc.add_row(luma, sampled_row(y0, y1, r, n) as usize);
        }
        let row_sums = &mut sums[oy * sw as usize..(oy + 1) * sw as usize];
        for (sum, &(x0, x1)) in row_sums.iter_mut().zip(&columns) {
            *sum = acc.sum(x0 as usize, x1 as usize);
        }
    }
    for y in 0..h {
        for x in 0..w {
            let (sx, sy) = source_xy(view.rotation, x, y, w, h);
            let ((x0, x1), (y0, y1)) = (columns[sx as usize], rows[sy as usize]);
            let count = u64::from(x1 - x0) * u64::from(MOTION_ROWS.min(y1 - y0));
            let mean = (sums[(sy * sw + sx) as usize] + count / 2) / count.max(1);
            out[(y * w + x) as usize] = mean as u16;
        }
    }
}

/// Column sums of up to [`MOTION_ROWS`] rows: `u16` lanes for 8-bit
/// samples (4 × 255 fits; twice the lanes of `u32` in a vector register),
/// `u32` for 16-bit words.
enum Accumulator {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

impl Accumulator {
    fn for_plane(plane: &Plane) -> Self {
        let n = plane.width as usize;
        match plane.samples {
            Samples::U8(_) => Self::Narrow(vec![0; n]),
            Samples::U16(_) => Self::Wide(vec![0; n]),
        }
    }

    fn clear(&mut self) {
        match self {
            Self::Narrow(a) => a.fill(0),
            Self::Wide(a) => a.fill(0),
        }
    }

    /// Adds row `y`'s samples, column by column.
    #[inline]
    fn add_row(&mut self, plane: &Plane, y: usize) {
        let start = y * plane.stride + plane.offset;
        match (self, plane.samples) {
            (Self::Narrow(acc), Samples::U8(d)) => add(acc, &d[start..], plane.step, u16::from),
            (Self::Wide(acc), Samples::U16(d)) => add(acc, &d[start..], plane.step, u32::from),
            // for_plane made the accumulator for this plane's samples.
            _ => {}
        }
    }

    /// The sum of columns `[x0, x1)`.
    fn sum(&self, x0: usize, x1: usize) -> u64 {
        match self {
            Self::Narrow(a) => u64::from(a[x0..x1].iter().map(|&v| u32::from(v)).sum::<u32>()),
            Self::Wide(a) => a[x0..x1].iter().map(|&v| u64::from(v)).sum(),
        }
    }
}

#[inline]
fn add<S: Copy, A: Copy + std::ops::AddAssign>(
    acc: &mut [A],
    row: &[S],
    step: usize,
    widen: impl Fn(S) -> A,
) {
    if step == 1 {
        acc.iter_mut().zip(row).for_each(|(a, &s)| *a += widen(s));
    } else {
        acc.iter_mut()
            .zip(row.iter().step_by(step))
            .for_each(|(a, &s)| *a += widen(s));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cover_every_sample_once_and_never_empty() {
        for (cells, len) in [(64, 1920), (36, 1080), (64, 720), (36, 40), (64, 30)] {
            let mut next = 0;
            for i in 0..cells {
                let (a, b) = cell_bounds(i, cells, len);
                assert!(
                    b > a && b <= len,
                    "cell {i} of {cells} over {len}: {a}..{b}"
                );
                if len >= cells {
                    assert_eq!(a, next, "contiguous");
                    next = b;
                }
            }
            if len >= cells {
                assert_eq!(next, len);
            }
        }
    }

    #[test]
    fn rows_are_spread_over_the_cell() {
        // A 30-row cell: rows 3, 11, 18, 26 of 0..30.
        let rows: Vec<u32> = (0..4).map(|r| sampled_row(0, 30, r, 4)).collect();
        assert_eq!(rows, vec![3, 11, 18, 26]);
        assert_eq!(sampled_row(10, 12, 1, 2), 11);
    }
}

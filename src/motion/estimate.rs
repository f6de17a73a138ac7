//! Motion between two frames' motion planes: the camera's global motion
//! (pan, tilt, zoom, roll) and what moves beyond it, on a grid of blocks.
//!
//! 1. **Global translation**, coarse to fine: the shift that best maps the
//!    earlier frame onto the later one at 16×9 (±4 samples, a quarter of
//!    the width at full size), refined by ±1 at 32×18 and at 64×36 (each
//!    level blurred before it is halved, so fine detail does not alias).
//! 2. **Block matching** at 64×36: 28 blocks of 8×8 each find their own
//!    shift within ±3 of the global one (the integer, zero-mean costs of
//!    [`blocks`], on the CPU or in WGSL with equal results), to a fraction
//!    of a sample by a parabola through the neighbouring costs and then
//!    Lucas–Kanade steps.
//!    Blocks without texture, or whose best match is poor, are left out.
//! 3. **The camera** is the similarity motion (shift, scale, rotation) that
//!    fits the blocks best, refitted without the blocks it explains worst
//!    (a moving subject must not drag the camera); the rest of each block's
//!    motion is the **subject**'s.
//!
//! All in samples of the motion plane per frame (divide by its width or
//! height for frame widths and heights).

use super::blocks::{self, StepDesc, INVALID, OFFSETS, REACH, SIDE};
use super::plane::{Level, Pyramid};

/// Block size and search radius (samples of the full level).
pub const BLOCK: usize = 8;
const BLOCK_SEARCH: i32 = 3;
/// Least texture (mean absolute step of the normalised plane) a block
/// needs to be matched, and the worst mean squared difference accepted.
const MIN_TEXTURE: f32 = 0.08;
const MAX_MATCH_COST: f32 = 0.6;

/// The camera's motion per frame, as the picture shows it: `pan`/`tilt`
/// the picture's shift in samples (positive: the picture moves right or
/// down, so the camera turns left or up), `zoom` the relative change of
/// scale (0.01: 1 % larger each frame, zooming in), `roll` the picture's
/// rotation in radians (clockwise on screen, y pointing down).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Camera {
    pub pan: f32,
    pub tilt: f32,
    pub zoom: f32,
    pub roll: f32,
}

impl Camera {
    /// The motion this camera gives the point `(dx, dy)` from the centre.
    pub fn at(&self, dx: f32, dy: f32) -> [f32; 2] {
        [
            self.pan + self.zoom * dx - self.roll * dy,
            self.tilt + self.zoom * dy + self.roll * dx,
        ]
    }

    fn scaled(self, k: f32) -> Self {
        Self {
            pan: self.pan * k,
            tilt: self.tilt * k,
            zoom: self.zoom * k,
            roll: self.roll * k,
        }
    }
}

/// One block's motion per frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlockMotion {
    /// The block's centre in samples of the full level.
    pub x: f32,
    pub y: f32,
    /// Its motion less the camera's there.
    pub residual: [f32; 2],
    /// Whether the camera's fit kept it (false: it moves on its own).
    pub inlier: bool,
}

/// The motion between two frames `gap` frames apart, per frame.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Step {
    pub camera: Camera,
    /// The blocks that could be matched.
    pub blocks: Vec<BlockMotion>,
    /// Blocks there are in all (matched or not).
    pub block_count: usize,
}

/// The motion from `earlier` to `later`, `gap` (≥ 1) frames apart, the
/// block search on the CPU ([`search`], [`blocks::costs`], [`finish`]).
pub fn step(earlier: &Pyramid, later: &Pyramid, gap: u32) -> Step {
    let desc = search(earlier, later, 0, 1);
    let full = earlier.full();
    let size = (full.width, full.height);
    let origins = blocks::origins(size.0, size.1);
    let planes = [earlier.samples.as_slice(), later.samples.as_slice()];
    let costs = blocks::costs(&planes, size, &origins, &[desc]);
    finish(earlier, later, gap, &desc, &origins, &costs)
}

/// What the block search needs for the step from `earlier` (uploaded as
/// plane `a`) to `later` (plane `b`): the global translation and the
/// samples' shift.
pub fn search(earlier: &Pyramid, later: &Pyramid, a: u32, b: u32) -> StepDesc {
    let (gx, gy) = global_shift(earlier, later);
    StepDesc {
        a,
        b,
        gx,
        gy,
        shift: blocks::shift_for(earlier.peak.max(later.peak)),
    }
}

/// The step's motion from its block search's `costs` (`[block][offset]`,
/// the blocks at `origins`, [`blocks::origins`]): each block's best
/// offset to a fraction of a sample, then the camera that fits them.
pub fn finish(
    earlier: &Pyramid,
    later: &Pyramid,
    gap: u32,
    desc: &StepDesc,
    origins: &[[u32; 2]],
    costs: &[u32],
) -> Step {
    let global = (desc.gx, desc.gy);
    let full = (earlier.full(), later.full());
    // Costs per sample, in units of the earlier plane's variance.
    let norm = (BLOCK * BLOCK) as f64 * earlier.variance(desc.shift);
    let matched: Vec<([f32; 2], [f32; 2])> = origins
        .iter()
        .zip(costs.chunks(OFFSETS))
        .filter_map(|(&[x0, y0], grid)| {
            let origin = (x0 as usize, y0 as usize);
            let v = match_block(full.0, full.1, origin, global, grid, norm)?;
            let centre = [(origin.0 + BLOCK / 2) as f32, (origin.1 + BLOCK / 2) as f32];
            Some((centre, v))
        })
        .collect();
    let centre = [full.0.width as f32 / 2.0, full.0.height as f32 / 2.0];
    let (camera, inliers) = fit_camera(&matched, centre, global);
    let per_frame = 1.0 / gap.max(1) as f32;
    let blocks = matched
        .iter()
        .zip(inliers)
        .map(|(&(c, v), inlier)| {
            let m = camera.at(c[0] - centre[0], c[1] - centre[1]);
            BlockMotion {
                x: c[0],
                y: c[1],
                residual: [(v[0] - m[0]) * per_frame, (v[1] - m[1]) * per_frame],
                inlier,
            }
        })
        .collect();
    Step {
        camera: camera.scaled(per_frame),
        blocks,
        block_count: origins.len(),
    }
}

/// Mean squared difference of `a` against `b` shifted by `(dx, dy)` over
/// their overlap; `None` when they overlap by less than half.
fn shifted_cost(a: &Level, b: &Level, dx: i32, dy: i32) -> Option<f32> {
    let (w, h) = (a.width as i32, a.height as i32);
    let (x0, x1) = (0.max(-dx), w.min(w - dx));
    let (y0, y1) = (0.max(-dy), h.min(h - dy));
    let area = (x1 - x0).max(0) * (y1 - y0).max(0);
    if 2 * area < w * h {
        return None;
    }
    let mut sum = 0.0;
    for y in y0..y1 {
        for x in x0..x1 {
            let d = a.at(x as usize, y as usize) - b.at((x + dx) as usize, (y + dy) as usize);
            sum += d * d;
        }
    }
    Some(sum / area as f32)
}

/// The best whole-sample shift within `radius` of `around` (ties go to
/// the shift nearest `around`: a flat picture has not moved).
fn best_shift(a: &Level, b: &Level, around: (i32, i32), radius: i32) -> (i32, i32) {
    let mut best = (f32::INFINITY, around);
    for dy in around.1 - radius..=around.1 + radius {
        for dx in around.0 - radius..=around.0 + radius {
            if let Some(c) = shifted_cost(a, b, dx, dy) {
                let c = c + TIE * ((dx - around.0).pow(2) + (dy - around.1).pow(2)) as f32;
                if c < best.0 {
                    best = (c, (dx, dy));
                }
            }
        }
    }
    best.1
}

/// Breaks ties between equally good shifts (normalised units).
const TIE: f32 = 1e-6;
/// Search radius at the coarsest level (16×9): ±16 samples at full size.
const GLOBAL_SEARCH: i32 = 4;

/// The global translation at full size, coarse to fine.
fn global_shift(a: &Pyramid, b: &Pyramid) -> (i32, i32) {
    let coarsest = a.levels.len() - 1;
    let mut shift = best_shift(
        &a.levels[coarsest],
        &b.levels[coarsest],
        (0, 0),
        GLOBAL_SEARCH,
    );
    for level in (0..coarsest).rev() {
        let around = (2 * shift.0, 2 * shift.1);
        shift = best_shift(&a.levels[level], &b.levels[level], around, 1);
    }
    shift
}

/// The block's shift to a fraction of a sample from its cost `grid`
/// (around `global`), or `None` when it has too little texture or no good
/// match. `norm` turns a cost into a mean squared difference of the
/// normalised planes.
fn match_block(
    a: &Level,
    b: &Level,
    origin: (usize, usize),
    global: (i32, i32),
    grid: &[u32],
    norm: f64,
) -> Option<[f32; 2]> {
    if a.texture(origin.0, origin.1, BLOCK) < MIN_TEXTURE {
        return None;
    }
    let raw = |ox: i32, oy: i32| grid[(oy + REACH) as usize * SIDE + (ox + REACH) as usize];
    let cost = |ox: i32, oy: i32| {
        let c = raw(ox, oy);
        (c != INVALID).then(|| (f64::from(c) / norm) as f32)
    };
    // The least cost within the search, the first in scan order on a tie.
    let mut best: Option<(u32, i32, i32)> = None;
    for oy in -BLOCK_SEARCH..=BLOCK_SEARCH {
        for ox in -BLOCK_SEARCH..=BLOCK_SEARCH {
            let c = raw(ox, oy);
            if c != INVALID && best.is_none_or(|(bc, _, _)| c < bc) {
                best = Some((c, ox, oy));
            }
        }
    }
    let (_, ox, oy) = best?;
    let at = cost(ox, oy)?;
    if at > MAX_MATCH_COST {
        return None;
    }
    let fx = vertex(cost(ox - 1, oy), at, cost(ox + 1, oy));
    let fy = vertex(cost(ox, oy - 1), at, cost(ox, oy + 1));
    let rough = [(global.0 + ox) as f32 + fx, (global.1 + oy) as f32 + fy];
    Some(refine(a, b, origin, rough).unwrap_or(rough))
}

/// Gauss–Newton steps (Lucas–Kanade) on the block's shift from `start`:
/// the parabola leans towards whole samples, these do not. `None` when
/// the block would leave the picture or the steps do not settle.
fn refine(a: &Level, b: &Level, origin: (usize, usize), start: [f32; 2]) -> Option<[f32; 2]> {
    // The block's gradient (central differences; blocks keep a margin).
    let mut grads = Vec::with_capacity(BLOCK * BLOCK);
    let mut h = [0.0f32; 3];
    for y in origin.1..origin.1 + BLOCK {
        for x in origin.0..origin.0 + BLOCK {
            let gx = (a.at(x + 1, y) - a.at(x.checked_sub(1)?, y)) / 2.0;
            let gy = (a.at(x, y + 1) - a.at(x, y.checked_sub(1)?)) / 2.0;
            h = [h[0] + gx * gx, h[1] + gx * gy, h[2] + gy * gy];
            grads.push((x, y, gx, gy));
        }
    }
    let det = h[0] * h[2] - h[1] * h[1];
    if det <= 1e-6 {
        return None;
    }
    let mut p = start;
    for _ in 0..REFINE_STEPS {
        let mut g = [0.0f32; 2];
        for &(x, y, gx, gy) in &grads {
            let e = a.at(x, y) - bilinear(b, x as f32 + p[0], y as f32 + p[1])?;
            g = [g[0] + gx * e, g[1] + gy * e];
        }
        let step = [
            (h[2] * g[0] - h[1] * g[1]) / det,
            (h[0] * g[1] - h[1] * g[0]) / det,
        ];
        p = [p[0] + step[0], p[1] + step[1]];
        if (p[0] - start[0]).abs() > 1.0 || (p[1] - start[1]).abs() > 1.0 {
            return None;
        }
    }
    Some(p)
}

const REFINE_STEPS: usize = 3;

/// `level` at a fractional position; `None` outside it.
fn bilinear(level: &Level, x: f32, y: f32) -> Option<f32> {
    let (max_x, max_y) = ((level.width - 1) as f32, (level.height - 1) as f32);
    if !(0.0..=max_x).contains(&x) || !(0.0..=max_y).contains(&y) {
        return None;
    }
    let (x0, y0) = (x.floor().min(max_x - 1.0), y.floor().min(max_y - 1.0));
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as usize, y0 as usize);
    let top = level.at(x0, y0) * (1.0 - fx) + level.at(x0 + 1, y0) * fx;
    let bottom = level.at(x0, y0 + 1) * (1.0 - fx) + level.at(x0 + 1, y0 + 1) * fx;
    Some(top * (1.0 - fy) + bottom * fy)
}

/// The offset (within ±½) of the minimum of the parabola through three
/// costs at −1, 0, +1; 0 where a side is missing or the costs are flat.
fn vertex(before: Option<f32>, at: f32, after: Option<f32>) -> f32 {
    let (Some(l), Some(r)) = (before, after) else {
        return 0.0;
    };
    let curve = l - 2.0 * at + r;
    if curve <= 1e-6 {
        return 0.0;
    }
    ((l - r) / (2.0 * curve)).clamp(-0.5, 0.5)
}

/// Fewest blocks the camera is fitted to; fewer, and the camera is the
/// global shift alone.
const MIN_BLOCKS: usize = 6;
const FIT_ROUNDS: usize = 3;
/// A block the camera misses by more than this many samples (or 2.5
/// times the median miss, if more) moves on its own.
const MIN_OUTLIER: f32 = 0.4;

/// The camera that fits the blocks' motion, and which blocks it explains.
fn fit_camera(
    blocks: &[([f32; 2], [f32; 2])],
    centre: [f32; 2],
    global: (i32, i32),
) -> (Camera, Vec<bool>) {
    let fallback = Camera {
        pan: global.0 as f32,
        tilt: global.1 as f32,
        ..Camera::default()
    };
    let mut keep = vec![true; blocks.len()];
    if blocks.len() < MIN_BLOCKS {
        return (fallback, keep);
    }
    let mut camera = fallback;
    if let Some(start) = best_pair_model(blocks, centre) {
        keep = blocks
            .iter()
            .map(|&(c, v)| miss(&start, c, v, centre) <= MIN_OUTLIER)
            .collect();
    }
    for _ in 0..FIT_ROUNDS {
        let kept: Vec<_> = blocks
            .iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|(b, _)| *b)
            .collect();
        if kept.len() < MIN_BLOCKS {
            break;
        }
        let Some(fitted) = least_squares(&kept, centre) else {
            break;
        };
        camera = fitted;
        let misses: Vec<f32> = blocks
            .iter()
            .map(|&(c, v)| miss(&camera, c, v, centre))
            .collect();
        let mut sorted = misses.clone();
        sorted.sort_by(f32::total_cmp);
        let limit = (2.5 * sorted[sorted.len() / 2]).max(MIN_OUTLIER);
        keep = misses.iter().map(|&m| m <= limit).collect();
    }
    (camera, keep)
}

/// The camera most blocks agree with: of the similarity motions through
/// every two blocks (an exhaustive, deterministic RANSAC: 378 models for
/// 28 blocks), the one that explains the most blocks within
/// [`MIN_OUTLIER`], ties to the smaller total miss. A subject crossing a
/// few blocks never outvotes the rest of the picture, however it pulls a
/// least-squares fit of all of them.
fn best_pair_model(blocks: &[([f32; 2], [f32; 2])], centre: [f32; 2]) -> Option<Camera> {
    let mut best: Option<(usize, f32, Camera)> = None;
    for (i, a) in blocks.iter().enumerate() {
        for b in &blocks[i + 1..] {
            let Some(model) = through_two(*a, *b, centre) else {
                continue;
            };
            let (mut count, mut total) = (0, 0.0);
            for &(c, v) in blocks {
                let m = miss(&model, c, v, centre);
                if m <= MIN_OUTLIER {
                    count += 1;
                    total += m;
                }
            }
            let better = best
                .as_ref()
                .is_none_or(|&(n, t, _)| count > n || (count == n && total < t));
            if better {
                best = Some((count, total, model));
            }
        }
    }
    best.map(|(_, _, model)| model)
}

/// The similarity motion that moves both blocks as they moved; `None`
/// when they are too close to tell zoom and roll.
fn through_two(
    (c1, v1): ([f32; 2], [f32; 2]),
    (c2, v2): ([f32; 2], [f32; 2]),
    centre: [f32; 2],
) -> Option<Camera> {
    let (a, b) = (c2[0] - c1[0], c2[1] - c1[1]);
    let d = a * a + b * b;
    if d < (2 * BLOCK * BLOCK) as f32 {
        return None;
    }
    let (dv0, dv1) = (v2[0] - v1[0], v2[1] - v1[1]);
    let zoom = (a * dv0 + b * dv1) / d;
    let roll = (a * dv1 - b * dv0) / d;
    let (dx, dy) = (c1[0] - centre[0], c1[1] - centre[1]);
    Some(Camera {
        pan: v1[0] - dx * zoom + dy * roll,
        tilt: v1[1] - dy * zoom - dx * roll,
        zoom,
        roll,
    })
}

fn miss(camera: &Camera, c: [f32; 2], v: [f32; 2], centre: [f32; 2]) -> f32 {
    let m = camera.at(c[0] - centre[0], c[1] - centre[1]);
    (v[0] - m[0]).hypot(v[1] - m[1])
}

/// The similarity motion closest to the blocks' in least squares.
fn least_squares(blocks: &[([f32; 2], [f32; 2])], centre: [f32; 2]) -> Option<Camera> {
    // Unknowns (pan, tilt, zoom, roll); two equations per block.
    let mut ata = [[0.0f64; 4]; 4];
    let mut atb = [0.0f64; 4];
    for &(c, v) in blocks {
        let (dx, dy) = (f64::from(c[0] - centre[0]), f64::from(c[1] - centre[1]));
        for (row, target) in [([1.0, 0.0, dx, -dy], v[0]), ([0.0, 1.0, dy, dx], v[1])] {
            for i in 0..4 {
                atb[i] += row[i] * f64::from(target);
                for j in 0..4 {
                    ata[i][j] += row[i] * row[j];
                }
            }
        }
    }
    let p = solve4(ata, atb)?;
    Some(Camera {
        pan: p[0] as f32,
        tilt: p[1] as f32,
        zoom: p[2] as f32,
        roll: p[3] as f32,
    })
}

/// Gaussian elimination with partial pivoting; `None` when singular.
fn solve4(mut a: [[f64; 4]; 4], mut b: [f64; 4]) -> Option<[f64; 4]> {
    for col in 0..4 {
        let pivot = (col..4).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-9 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..4 {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 4];
    for row in (0..4).rev() {
        let rest: f64 = (row + 1..4).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    Some(x)
}

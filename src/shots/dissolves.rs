//! Dissolves: stretches where each frame is a mix of the shots on either
//! side. Centres are found where a frame sits near the average of the
//! frames `k` before and after it; the extent is then the ramp that best
//! fits how far each frame has moved from the outgoing to the incoming
//! picture.

use super::features::midpoint;
use super::window::{Found, Window};
use super::TransitionKind;

/// The dissolves in `w`, not overlapping each other or busy frames.
pub(super) fn find(w: &Window) -> Vec<Found> {
    let (best, scale) = centres(w);
    let mut found: Vec<(f32, Found)> = groups(w, &best)
        .into_iter()
        .filter_map(|g| {
            let c = *g.iter().min_by(|&&a, &&b| best[a].total_cmp(&best[b]))?;
            extent(w, c, scale[c]).map(|f| (best[c], f))
        })
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<Found> = Vec::new();
    for (_, f) in found {
        if !out.iter().any(|o| f.from <= o.to && o.from <= f.to) {
            out.push(f);
        }
    }
    out
}

/// For each frame, the lowest midpoint ratio over the scales whose ends are
/// far enough apart, and that scale.
fn centres(w: &Window) -> (Vec<f32>, Vec<usize>) {
    let p = w.params;
    let n = w.len();
    let mut best = vec![f32::INFINITY; n];
    let mut scale = vec![0; n];
    for t in 0..n {
        for &k in &p.dissolve_scales {
            if t < k || t + k >= n {
                continue;
            }
            let (ratio, apart) = midpoint(&w.frames[t - k], &w.frames[t], &w.frames[t + k]);
            if apart > p.dissolve_min_apart && ratio < best[t] {
                best[t] = ratio;
                scale[t] = k;
            }
        }
    }
    (best, scale)
}

/// Runs of candidate centres (gaps of up to 3 frames joined).
fn groups(w: &Window, best: &[f32]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = Vec::new();
    for t in (0..w.len()).filter(|&t| best[t] < w.params.dissolve_ratio && !w.busy[t]) {
        match out.last_mut() {
            Some(g) if g.last().is_some_and(|&l| t - l <= 3) => g.push(t),
            _ => out.push(vec![t]),
        }
    }
    out
}

/// The dissolve around centre `c` (found at scale `k`), if the frames
/// there really move from one picture to the other through mixes.
fn extent(w: &Window, c: usize, k: usize) -> Option<Found> {
    let p = w.params;
    let (mut s, mut e) = (
        c.saturating_sub(k + p.dissolve_margin),
        (c + k + p.dissolve_margin).min(w.len() - 1),
    );
    if let Some(u) = (s..=c).rev().find(|&u| w.busy[u]) {
        s = u + 1;
    }
    if let Some(u) = (c..=e).find(|&u| w.busy[u]) {
        e = u.checked_sub(1)?;
    }
    if e < s + 6 || c <= s || c >= e {
        return None;
    }
    let alpha = progress(w, s, e);
    let (a, b) = fit_ramp(&alpha, c - s, p.dissolve_max_frames)?;
    if !mixes_between(&alpha, a, b) || drifts_on(w, s + a, s + b) {
        return None;
    }
    Some(Found {
        kind: TransitionKind::Dissolve,
        from: s + a,
        to: s + b,
        strength: 1.0,
    })
}

/// Where each frame of `s..=e` lies between frame `s` (0) and `e` (1):
/// its projection onto the line between them.
fn progress(w: &Window, s: usize, e: usize) -> Vec<f32> {
    let line = Line::new(&w.frames[s].rgb, &w.frames[e].rgb);
    (s..=e).map(|t| line.at(&w.frames[t].rgb)).collect()
}

/// The ramp (flat, linear from `a` to `b`, flat) that fits `alpha` best in
/// least squares, with `a < c < b`, at least 3 and at most `max` frames long,
/// rising by at least ½.
fn fit_ramp(alpha: &[f32], c: usize, max: usize) -> Option<(usize, usize)> {
    let m = alpha.len();
    let mut best: Option<(f32, (usize, usize))> = None;
    for a in 0..c {
        for b in (c + 1).max(a + 3)..m.min(a + max + 1) {
            let Some((err, rise)) = ramp_error(alpha, a, b) else {
                continue;
            };
            if rise >= 0.5 && best.is_none_or(|(e, _)| err < e) {
                best = Some((err, (a, b)));
            }
        }
    }
    best.map(|(_, ab)| ab)
}

/// Squared error of the best ramp with corners `a` and `b` (levels fitted),
/// and its rise.
fn ramp_error(alpha: &[f32], a: usize, b: usize) -> Option<(f32, f32)> {
    let x = |t: usize| ((t as f32 - a as f32) / (b - a) as f32).clamp(0.0, 1.0);
    let (mut uu, mut ux, mut xx, mut ua, mut xa) = (0.0f32, 0.0f32, 0.0f32, 0.0f32, 0.0f32);
    for (t, &al) in alpha.iter().enumerate() {
        let (xi, ui) = (x(t), 1.0 - x(t));
        uu += ui * ui;
        ux += ui * xi;
        xx += xi * xi;
        ua += ui * al;
        xa += xi * al;
    }
    let det = uu * xx - ux * ux;
    if det.abs() < 1e-9 {
        return None;
    }
    let lo = (ua * xx - xa * ux) / det;
    let hi = (xa * uu - ua * ux) / det;
    let err = alpha
        .iter()
        .enumerate()
        .map(|(t, &al)| (lo * (1.0 - x(t)) + hi * x(t) - al).powi(2))
        .sum();
    Some((err, hi - lo))
}

/// A dissolve shows mixes: enough frames strictly between `a` and `b` part
/// way (15–85 %) from the level before to the level after, without
/// standing still on the way. A cut has none.
fn mixes_between(alpha: &[f32], a: usize, b: usize) -> bool {
    let lo = median(&alpha[..=a]);
    let hi = median(&alpha[b..]);
    let span = (hi - lo).max(1e-3);
    let part = |v: f32| (v - lo) / span;
    let mixed = alpha[a + 1..b]
        .iter()
        .filter(|&&v| (0.15..0.85).contains(&part(v)))
        .count();
    // A dissolve keeps moving: no stretch of STALL frames inside it stays
    // put. Two cuts around a short shot can look like a slow mix at their
    // centre, but the short shot itself stands still.
    let stalls = b - a > STALL + 2
        && alpha[a..=b]
            .windows(STALL + 1)
            .any(|w| (part(w[STALL]) - part(w[0])).abs() < 0.02);
    mixed as f32 >= (0.4 * (b - a - 1) as f32).max(2.0) && !stalls
}

/// A slow change of colour or light inside one shot looks like a long,
/// slow mix, but it does not start or stop there: the frames before and
/// after keep moving along the same line at about the same rate. A dissolve
/// joins two pictures, and the motion inside either shot hardly moves along
/// the line from one to the other. So: the frames just outside `from..=to`
/// (up to `SIDE` each side, not in another transition), projected onto the
/// line from frame `from` to frame `to`, drift by at least `SIDE_DRIFT` of
/// the ramp's rate on every side that has two frames or more.
fn drifts_on(w: &Window, from: usize, to: usize) -> bool {
    let line = Line::new(&w.frames[from].rgb, &w.frames[to].rgb);
    let ramp = 1.0 / (to - from) as f32;
    // Frames not in another transition, going away from the dissolve; the
    // first GUARD of them may still be in it (its ends are fitted).
    let free = |t: &usize| !w.busy[*t];
    let before: Vec<usize> = (from.saturating_sub(GUARD + SIDE)..from)
        .rev()
        .take_while(free)
        .collect();
    let after: Vec<usize> = (to + 1..(to + 1 + GUARD + SIDE).min(w.len()))
        .take_while(free)
        .collect();
    // A side with fewer than two frames past the guard cannot say.
    let rate = |side: &[usize]| {
        let side = side.get(GUARD..).filter(|s| s.len() >= 2)?;
        let (near, far) = (*side.first()?, *side.last()?);
        let m = (side.len() - 1) as f32;
        Some((line.at(&w.frames[far].rgb) - line.at(&w.frames[near].rgb)).abs() / m)
    };
    let sides: Vec<f32> = [rate(&before), rate(&after)]
        .into_iter()
        .flatten()
        .collect();
    !sides.is_empty() && sides.iter().all(|&r| r >= SIDE_DRIFT * ramp)
}

/// Frames next to a dissolve's fitted ends that may still be in it.
const GUARD: usize = 2;
/// Frames looked at on either side of a dissolve.
const SIDE: usize = 4;
/// A side drifting at this fraction of the dissolve's rate or more is the
/// same change going on.
const SIDE_DRIFT: f32 = 0.3;

/// The line from one thumbnail to another, to project others onto.
struct Line<'a> {
    start: &'a [u8],
    direction: Vec<f32>,
    length2: f32,
}

impl<'a> Line<'a> {
    fn new(start: &'a [u8], end: &[u8]) -> Self {
        let direction: Vec<f32> = end
            .iter()
            .zip(start)
            .map(|(&b, &a)| f32::from(b) - f32::from(a))
            .collect();
        let length2 = direction.iter().map(|d| d * d).sum::<f32>().max(1e-6);
        Self {
            start,
            direction,
            length2,
        }
    }

    /// Where `rgb` lies along the line: 0 at its start, 1 at its end.
    fn at(&self, rgb: &[u8]) -> f32 {
        let dot: f32 = rgb
            .iter()
            .zip(self.start)
            .zip(&self.direction)
            .map(|((&x, &a), &d)| (f32::from(x) - f32::from(a)) * d)
            .sum();
        dot / self.length2
    }
}

/// Frames over which a dissolve must progress by at least 2 %.
const STALL: usize = 10;

fn median(values: &[f32]) -> f32 {
    let mut v = values.to_vec();
    v.sort_by(f32::total_cmp);
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ramp_fit_finds_the_corners_of_a_noiseless_ramp() {
        let alpha: Vec<f32> = (0..30)
            .map(|t| ((t as f32 - 8.0) / 12.0).clamp(0.0, 1.0))
            .collect();
        assert_eq!(fit_ramp(&alpha, 14, 60), Some((8, 20)));
        assert!(mixes_between(&alpha, 8, 20));
    }

    #[test]
    fn a_short_shot_between_two_cuts_is_not_a_slow_dissolve() {
        let two_cuts: Vec<f32> = (0..45)
            .map(|t| match t {
                0..=4 => 0.0,
                5..=35 => 0.5,
                _ => 1.0,
            })
            .collect();
        assert!(!mixes_between(&two_cuts, 4, 36));
        let slow: Vec<f32> = (0..45)
            .map(|t| ((t as f32 - 4.0) / 32.0).clamp(0.0, 1.0))
            .collect();
        assert!(mixes_between(&slow, 4, 36));
    }

    #[test]
    fn a_step_has_no_mixes() {
        let alpha: Vec<f32> = (0..30).map(|t| if t < 14 { 0.0 } else { 1.0 }).collect();
        let (a, b) = fit_ramp(&alpha, 14, 60).expect("a ramp");
        assert!(!mixes_between(&alpha, a, b));
    }
}

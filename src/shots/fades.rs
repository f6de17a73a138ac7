//! Flat stretches: frames of one flat colour (black, white, any), and the
//! fades into and out of them.
//!
//! - A short stretch reached by a fade-out and left by a fade-in is one
//!   `fade` transition (a fade through black), unless the same picture is
//!   on both sides (a strobe inside one shot).
//! - Any other flat stretch is a segment of its own, a black or colour
//!   "shot", with both boundaries reported: a `cut` where the picture
//!   changes in one frame, a `fade` where it ramps. So a hard cut to black is
//!   a cut, and a black stretch never joins two sources into one shot.
//! - At a title's (or window's) edge only a stretch of at least a minimum
//!   shot is a segment; a shorter one stays with the shot next to it.

use super::window::{Found, Window};
use super::TransitionKind;

/// The transitions around the flat stretches of `w`.
pub(super) fn find(w: &Window) -> Vec<Found> {
    let spread: Vec<f32> = w.frames.iter().map(|f| f.luma_std).collect();
    let flat_below = w.params.flat_luma_std;
    let mut out = Vec::new();
    let mut t = 0;
    while t < spread.len() {
        if spread[t] >= flat_below {
            t += 1;
            continue;
        }
        let first = t;
        while t < spread.len() && spread[t] < flat_below {
            t += 1;
        }
        out.extend(around(w, &spread, first, t - 1));
    }
    out
}

/// The transitions around the flat stretch `first..=last`.
fn around(w: &Window, spread: &[f32], first: usize, last: usize) -> Vec<Found> {
    let p = w.params;
    let n = spread.len();
    let len = last - first + 1;
    let before = (first > 0).then(|| ramp_start(spread, first, p.fade_step, p.fade_reach));
    let after = (last < n - 1).then(|| ramp_end(spread, last, p.fade_step, p.fade_reach));
    let (Some(from), Some(to)) = (before, after) else {
        // At an edge: a segment if long enough to be a shot.
        if (len as u64) < p.min_shot_frames {
            return Vec::new();
        }
        return segment(w, before.map(|b| (b, first)), after.map(|a| (last, a)));
    };
    // A side is a cut when the picture jumps to (or from) the flat colour in
    // one frame; a dim, low-contrast picture that fades without a visible
    // ramp changes little.
    let cut_in = from + 1 == first && w.change(from, first) >= p.cut_threshold;
    let cut_out = to == last + 1 && w.change(last, to) >= p.cut_threshold;
    if len < p.flat_segment_frames {
        let across = w.change(from, to);
        if across < p.fade_same_picture {
            return Vec::new(); // the same picture both sides: a strobe
        }
        if !cut_in && !cut_out {
            return vec![Found {
                kind: TransitionKind::Fade,
                from,
                to,
                strength: across / p.fade_same_picture,
            }];
        }
    }
    segment(w, Some((from, first)), Some((last, to)))
}

/// The boundaries of a flat segment: into it (`from`, its first frame) and
/// out of it (its last frame, `to`), each a cut (one frame apart) or a fade.
fn segment(w: &Window, into: Option<(usize, usize)>, out_of: Option<(usize, usize)>) -> Vec<Found> {
    [into, out_of]
        .into_iter()
        .flatten()
        .map(|(from, to)| {
            let strength = w.change(from, to) / w.params.fade_same_picture;
            Found::between(from, to, TransitionKind::Fade, strength)
        })
        .collect()
}

/// Rising spread, walking back from the flat stretch starting at `first`:
/// the last frame of the outgoing shot before it starts fading.
fn ramp_start(spread: &[f32], first: usize, step: f32, reach: usize) -> usize {
    let mut p = first - 1;
    let stop = first.saturating_sub(reach);
    while p >= 1 && p > stop && spread[p - 1] > spread[p] * step + 0.002 {
        p -= 1;
    }
    p
}

/// The first frame of the incoming shot wholly faded in.
fn ramp_end(spread: &[f32], last: usize, step: f32, reach: usize) -> usize {
    let mut q = last + 1;
    let stop = (last + reach).min(spread.len() - 1);
    while q < stop && spread[q + 1] > spread[q] * step + 0.002 {
        q += 1;
    }
    q
}

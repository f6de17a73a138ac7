//! Fades: a stretch of flat colour (black, white, any) reached by a fade-out
//! of the outgoing shot and left by a fade-in of the incoming one; either
//! ramp may be missing (a cut to black).

use super::window::{Found, Window};
use super::TransitionKind;

/// The fades in `w`.
pub(super) fn find(w: &Window) -> Vec<Found> {
    let n = w.len();
    let p = w.params;
    let spread: Vec<f32> = w.frames.iter().map(|f| f.luma_std).collect();
    let mut out = Vec::new();
    let mut t = 0;
    while t < n {
        if spread[t] >= p.flat_luma_std {
            t += 1;
            continue;
        }
        let first = t;
        while t < n && spread[t] < p.flat_luma_std {
            t += 1;
        }
        let last = t - 1;
        if first == 0 || last == n - 1 {
            continue; // the window's (or title's) edge: nothing on one side
        }
        let from = ramp_start(&spread, first, p.fade_step, p.fade_reach);
        let to = ramp_end(&spread, last, p.fade_step, p.fade_reach);
        let across = w.change(from, to);
        if across < p.fade_same_picture {
            continue; // the same picture both sides: a strobe inside a shot
        }
        out.push(Found {
            kind: TransitionKind::Fade,
            from,
            to,
            strength: across / p.fade_same_picture,
        });
    }
    out
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

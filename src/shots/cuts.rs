//! Hard cuts: a change between two frames that stands out from the changes
//! around it, is a single-frame peak, and does not come back (a flash).

use super::features::change;
use super::window::{Found, Window};
use super::TransitionKind;

/// The cuts in `w`, skipping frames already in a transition.
pub(super) fn find(w: &Window) -> Vec<Found> {
    let n = w.len();
    let s: Vec<f32> = (0..n)
        .map(|t| if t == 0 { 0.0 } else { w.change(t - 1, t) })
        .collect();
    (1..n)
        .filter(|&t| !w.busy[t] && !w.busy[t - 1])
        .filter(|&t| stands_out(w, &s, t))
        .filter(|&t| !comes_back(w, &s, t))
        .map(|t| Found {
            kind: TransitionKind::Cut,
            from: t - 1,
            to: t,
            strength: s[t] / w.params.cut_threshold,
        })
        .collect()
}

fn stands_out(w: &Window, s: &[f32], t: usize) -> bool {
    let p = w.params;
    if s[t] < p.jump_cut_threshold {
        return false;
    }
    let (lo, hi) = (
        t.saturating_sub(p.cut_window).max(1),
        (t + p.cut_window + 1).min(s.len()),
    );
    let around: Vec<f32> = (lo..hi)
        .filter(|&k| k.abs_diff(t) > 2)
        .map(|k| s[k])
        .collect();
    let baseline = if around.is_empty() {
        0.0
    } else {
        around.iter().sum::<f32>() / around.len() as f32
    };
    let near = [t.wrapping_sub(2), t.wrapping_sub(1), t + 1, t + 2]
        .into_iter()
        .filter(|&k| k >= 1 && k < s.len())
        .map(|k| s[k])
        .fold(0.0f32, f32::max);
    let clear =
        s[t] >= p.cut_threshold && s[t] >= p.cut_ratio * baseline && s[t] >= p.cut_peak * near;
    // A jump cut in a still scene changes less, but against near-zero
    // change around it.
    let quiet = s[t] >= p.jump_cut_ratio * baseline.max(near);
    clear || quiet
}

/// Whether the picture before `t` returns within `flash_frames`, or the
/// picture at `t` was already there shortly before.
fn comes_back(w: &Window, s: &[f32], t: usize) -> bool {
    let p = w.params;
    let limit = p.flash_similarity * s[t];
    let ahead = (1..=p.flash_frames)
        .filter(|j| t + j < w.len())
        .any(|j| change(&w.frames[t - 1], &w.frames[t + j], w.grid) < limit);
    let behind = (1..=p.flash_frames)
        .filter(|&i| t > i)
        .any(|i| change(&w.frames[t - 1 - i], &w.frames[t], w.grid) < limit);
    ahead || behind
}

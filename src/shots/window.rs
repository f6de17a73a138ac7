//! The detectors run over a window of consecutive frames: fades first (flat
//! frames are unmistakable), then dissolves, then cuts, each skipping the
//! frames the earlier ones claimed.

use super::features::{change, Features, Grid};
use super::{cuts, dissolves, fades, Params, TransitionKind};

/// A transition found in a window, in window-local frame indices.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Found {
    pub kind: TransitionKind,
    /// Last frame wholly in the outgoing shot.
    pub from: usize,
    /// First frame wholly in the incoming shot.
    pub to: usize,
    /// How clearly it stands out (≥ 1 when it passed its detector's test).
    pub strength: f32,
}

impl Found {
    /// From `from` to `to`: a cut where they are neighbours, `gradual`
    /// otherwise.
    pub fn between(from: usize, to: usize, gradual: TransitionKind, strength: f32) -> Self {
        let kind = if to == from + 1 {
            TransitionKind::Cut
        } else {
            gradual
        };
        Self {
            kind,
            from,
            to,
            strength,
        }
    }
}

pub(super) struct Window<'a> {
    pub frames: &'a [Features],
    pub grid: Grid,
    pub params: &'a Params,
    /// Frames already inside a found transition.
    pub busy: Vec<bool>,
}

impl Window<'_> {
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn change(&self, a: usize, b: usize) -> f32 {
        change(&self.frames[a], &self.frames[b], self.grid)
    }

    fn claim(&mut self, from: usize, to: usize) {
        let end = to.min(self.len().saturating_sub(1));
        for b in &mut self.busy[from.min(end)..=end] {
            *b = true;
        }
    }
}

/// All transitions in `frames`, in order.
pub(super) fn detect(frames: &[Features], grid: Grid, params: &Params) -> Vec<Found> {
    if frames.len() < 2 {
        return Vec::new();
    }
    let mut w = Window {
        frames,
        grid,
        params,
        busy: vec![false; frames.len()],
    };
    let mut out = fades::find(&w);
    for f in &out {
        w.claim(f.from, f.to);
    }
    let found = dissolves::find(&w);
    for f in &found {
        w.claim(f.from.saturating_sub(1), f.to + 1);
    }
    out.extend(found);
    out.extend(cuts::find(&w));
    out.sort_by_key(|f| f.from);
    out
}

//! Feeds frames to the detectors in overlapping windows and turns the
//! transitions into shots.

use super::exact::{self, Estimate, ExactFrames, NoEstimates};
use super::features::{Features, Grid};
use super::scan::ScanError;
use super::window::{self, Found};
use super::{Keyframes, Params, Segmentation, Shot, ShotKind, Transition};

/// Mean luma below which a flat frame is black.
const BLACK_LUMA: f32 = 0.1;

/// Frames a window owns (its results for them are kept); the window also
/// reads `Params::reach` frames either side. Small enough that shots settle
/// soon after they end (see [`Segmenter::settled`]), large enough that the
/// overlap costs little.
const OWNED: usize = 512;

/// Streaming shot detection: push every frame in order, then `finish`.
pub struct Segmenter {
    params: Params,
    grid: Grid,
    overlap: usize,
    owned: usize,
    /// Frames `base..base + buffer.len()`.
    buffer: Vec<Features>,
    /// Per frame of the buffer: whether its features are an estimate
    /// ([`super::exact`]).
    estimated: Vec<Estimate>,
    base: u64,
    found: Vec<(u64, Found)>,
    /// Per frame of the title: a picture, or one flat colour (for keyframes
    /// and the kind of a shot).
    tone: Vec<ShotKind>,
    /// Every transition starting before this frame has been found.
    found_until: u64,
    /// The last frames have been looked at ([`Segmenter::close`]).
    closed: bool,
}

impl Segmenter {
    pub fn new(params: Params, grid: Grid) -> Self {
        Self::with_window(params, grid, OWNED)
    }

    /// A segmenter whose windows own `owned` frames each.
    pub fn with_window(params: Params, grid: Grid, owned: usize) -> Self {
        Self {
            overlap: params.reach(),
            owned: owned.max(1),
            params,
            grid,
            buffer: Vec::new(),
            estimated: Vec::new(),
            base: 0,
            found: Vec::new(),
            tone: Vec::new(),
            found_until: 0,
            closed: false,
        }
    }

    /// Adds the next frame of the title, decoded.
    pub fn push(&mut self, frame: Features) {
        // Nothing is estimated, so nothing is decoded again.
        let _ = self.push_frame(frame, Estimate::Decoded, &mut NoEstimates);
    }

    /// Adds the next frame of the title, its features decoded or estimated;
    /// `exact` decodes estimated frames again where a transition is found.
    pub fn push_frame(
        &mut self,
        frame: Features,
        estimated: Estimate,
        exact: &mut dyn ExactFrames,
    ) -> Result<(), ScanError> {
        self.tone.push(tone(&frame, &self.params));
        self.buffer.push(frame);
        self.estimated.push(estimated);
        if self.buffer.len() >= self.owned + 2 * self.overlap {
            self.run(false, exact)?;
        }
        Ok(())
    }

    /// Frames pushed so far.
    pub fn frames(&self) -> u64 {
        self.tone.len() as u64
    }

    /// The transitions no later frame can change: every transition found so
    /// far, thinned, that ends at least a minimum shot before the frames
    /// still being looked at. The shots before the last of them are final.
    pub fn settled(&self) -> Vec<Transition> {
        let min_shot = self.params.min_shot_frames;
        let mut t = thin(&self.found, min_shot);
        t.retain(|t| t.to_frame + min_shot <= self.found_until);
        t
    }

    /// The shots and transitions of the whole title, from frames pushed
    /// with [`Segmenter::push`] (or closed with [`Segmenter::close`]).
    pub fn finish(mut self) -> Segmentation {
        if !self.closed {
            // Nothing pushed with `push` is estimated: no decoding, no error.
            let _ = self.run(true, &mut NoEstimates);
        }
        let transitions = thin(&self.found, self.params.min_shot_frames);
        let shots = shots(&transitions, &self.tone);
        Segmentation { shots, transitions }
    }

    /// Runs the detectors over the last frames, decoding estimated frames
    /// again with `exact`; [`Segmenter::finish`] then gives the result.
    pub fn close(&mut self, exact: &mut dyn ExactFrames) -> Result<(), ScanError> {
        if !self.closed {
            self.run(true, exact)?;
            self.closed = true;
        }
        Ok(())
    }

    /// Detects over the buffer, keeps what starts in the owned part, and
    /// drops the frames no later window needs.
    fn run(&mut self, last: bool, exact: &mut dyn ExactFrames) -> Result<(), ScanError> {
        let len = self.buffer.len();
        let own_start = if self.base == 0 { 0 } else { self.overlap };
        let own_end = if last { len } else { len - self.overlap };
        for f in self.detect(exact)? {
            if (own_start..own_end).contains(&f.from) {
                self.found.push((self.base, f));
            }
        }
        if !last {
            self.found_until = self.base + own_end as u64;
            let drop = own_end - self.overlap;
            self.buffer.drain(..drop);
            self.estimated.drain(..drop);
            self.base += drop as u64;
        }
        Ok(())
    }

    /// The transitions of the buffer, once those found touch no estimated
    /// frame (or after [`exact::MAX_ROUNDS`] rounds of making them exact).
    fn detect(&mut self, exact: &mut dyn ExactFrames) -> Result<Vec<Found>, ScanError> {
        for _ in 0..exact::MAX_ROUNDS {
            let found = window::detect(&self.buffer, self.grid, &self.params);
            let wanted = exact::wanted(&found, &self.estimated);
            if wanted.is_empty() {
                return Ok(found);
            }
            for (first, last) in wanted {
                let base = self.base;
                let features = exact.exact(base + first as u64, base + last as u64)?;
                for (i, f) in (first..=last).zip(features) {
                    self.tone[(base as usize) + i] = tone(&f, &self.params);
                    self.buffer[i] = f;
                    self.estimated[i] = Estimate::Decoded;
                }
            }
        }
        Ok(window::detect(&self.buffer, self.grid, &self.params))
    }
}

/// Title-frame transitions, dropping the weaker of two that would leave a
/// shot shorter than `min_shot` frames between them.
fn thin(found: &[(u64, Found)], min_shot: u64) -> Vec<Transition> {
    let mut kept: Vec<(Transition, f32)> = Vec::new();
    for (base, f) in found {
        let t = Transition {
            kind: f.kind,
            from_frame: base + f.from as u64,
            to_frame: base + f.to as u64,
        };
        match kept.last() {
            Some((prev, strength)) if t.from_frame + 1 < prev.to_frame + min_shot => {
                if f.strength > *strength {
                    kept.pop();
                    kept.push((t, f.strength));
                }
            }
            _ => kept.push((t, f.strength)),
        }
    }
    kept.into_iter().map(|(t, _)| t).collect()
}

fn tone(frame: &Features, params: &Params) -> ShotKind {
    if frame.luma_std >= params.flat_luma_std {
        ShotKind::Picture
    } else if frame.luma_mean < BLACK_LUMA {
        ShotKind::Black
    } else {
        ShotKind::Colour
    }
}

/// The shots between the transitions of a title of `tone.len()` frames.
fn shots(transitions: &[Transition], tone: &[ShotKind]) -> Vec<Shot> {
    let count = tone.len() as u64;
    if count == 0 {
        return Vec::new();
    }
    let starts = std::iter::once(0).chain(transitions.iter().map(|t| t.to_frame));
    let ends = transitions
        .iter()
        .map(|t| t.from_frame)
        .chain(std::iter::once(count - 1));
    starts
        .zip(ends)
        .enumerate()
        .map(|(index, (first, last))| Shot {
            index,
            first_frame: first,
            last_frame: last,
            keyframes: keyframes(first, last, tone),
            kind: kind(first, last, tone),
        })
        .collect()
}

/// A shot is black or colour when every frame of it is flat; black when
/// most of them are black.
fn kind(first: u64, last: u64, tone: &[ShotKind]) -> ShotKind {
    let frames = tone.get(first as usize..=last as usize).unwrap_or(&[]);
    if frames.is_empty() || frames.iter().any(|t| t.is_picture()) {
        return ShotKind::Picture;
    }
    let black = frames.iter().filter(|&&t| t == ShotKind::Black).count();
    if 2 * black >= frames.len() {
        ShotKind::Black
    } else {
        ShotKind::Colour
    }
}

fn keyframes(first: u64, last: u64, tone: &[ShotKind]) -> Keyframes {
    let is_flat = |i: u64| tone.get(i as usize).is_some_and(|t| !t.is_picture());
    let entry = (first..=last).find(|&i| !is_flat(i)).unwrap_or(first);
    let exit = (first..=last).rev().find(|&i| !is_flat(i)).unwrap_or(last);
    Keyframes {
        entry,
        middle: entry + (exit.max(entry) - entry) / 2,
        exit: exit.max(entry),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shots::TransitionKind;

    fn found(from: usize, to: usize, strength: f32) -> (u64, Found) {
        (
            0,
            Found::between(from, to, TransitionKind::Dissolve, strength),
        )
    }

    #[test]
    fn shots_cover_the_title_between_transitions() {
        let t = thin(&[found(9, 10, 2.0), found(30, 42, 1.0)], 6);
        let tone = [vec![ShotKind::Black; 2], vec![ShotKind::Picture; 58]].concat();
        let s = shots(&t, &tone);
        let ranges: Vec<_> = s.iter().map(|s| (s.first_frame, s.last_frame)).collect();
        assert_eq!(ranges, vec![(0, 9), (10, 30), (42, 59)]);
        assert_eq!(
            s[0].keyframes,
            Keyframes {
                entry: 2,
                middle: 5,
                exit: 9
            }
        );
    }

    /// A textured frame of shot `shot` at time `t` (slow drift inside a shot).
    fn frame(shot: usize, t: usize) -> Features {
        let grid = Grid {
            width: 48,
            height: 27,
        };
        let mut rgb = Vec::with_capacity(48 * 27 * 3);
        for y in 0..grid.height {
            for x in 0..grid.width {
                let cell = ((x + t / 6) as u32 / 3 + 1000 * shot as u32) ^ ((y as u32 / 3) << 16);
                let seed = cell.wrapping_mul(2_654_435_761);
                let v = (seed >> 24) as usize;
                rgb.extend([v as u8, (v * 3 % 256) as u8, (255 - v) as u8]);
            }
        }
        let mut histogram = vec![0.0; 128];
        histogram[shot % 128] = 1.0;
        Features::new(&rgb, &histogram)
    }

    #[test]
    fn windows_give_the_same_shots_as_one_pass() {
        let grid = Grid {
            width: 48,
            height: 27,
        };
        let run = |owned: usize| {
            let mut s = Segmenter::with_window(Params::default(), grid, owned);
            for t in 0..1500 {
                s.push(frame(t / 53, t));
            }
            s.finish()
        };
        let one = run(1_000_000);
        assert_eq!(one.transitions.len(), 1500 / 53);
        assert!(one
            .transitions
            .iter()
            .all(|t| t.to_frame.is_multiple_of(53)));
        assert_eq!(run(40), one);
        assert_eq!(run(211), one);
    }

    #[test]
    fn settled_transitions_are_final() {
        let grid = Grid {
            width: 48,
            height: 27,
        };
        let mut s = Segmenter::with_window(Params::default(), grid, 100);
        let mut seen = Vec::new();
        for t in 0..1500 {
            s.push(frame(t / 53, t));
            let settled = s.settled();
            assert!(settled.starts_with(&seen), "a settled transition changed");
            assert!(settled.iter().all(|x| x.to_frame <= t as u64));
            seen = settled;
        }
        assert!(seen.len() >= 1500 / 53 - 5, "{} settled", seen.len());
        assert!(s.finish().transitions.starts_with(&seen));
    }

    #[test]
    fn a_shot_shorter_than_the_minimum_keeps_the_stronger_transition() {
        let t = thin(&[found(9, 10, 2.0), found(12, 13, 5.0)], 6);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].to_frame, 13);
    }
}

//! Estimated frames made exact where a transition is found.
//!
//! A sparse pass ([`super::coarse`]) leaves some frames undecoded and
//! estimates their features from the frames either side. An estimate is a
//! linear mix, which is what a dissolve looks like, and it cannot say on
//! which frame a gradual change starts. So before a window's transitions
//! are kept, every estimated frame within `MARGIN` (2) frames of one is
//! decoded exactly ([`ExactFrames`]) and the window is looked at again,
//! until the transitions found touch no estimated frame (a transition that
//! was only made of estimates goes away).

use super::scan::ScanError;
use super::window::Found;
use super::{Features, TransitionKind};

/// Frames either side of a gradual transition that must be exact (a
/// cut's two frames must be, not its neighbours: where they are estimated,
/// the frames either side of the cut, decoded, bound them).
pub(super) const MARGIN: usize = 2;
/// Runs of wanted frames closer than this are decoded as one: the decoder
/// reads a little ahead of the pictures it hands out, so a second request
/// just after the first would find its packets already left out and seek
/// back to the keyframe.
pub(super) const JOIN: usize = 24;
/// Rounds of decoding and looking again, at most, per window.
pub(super) const MAX_ROUNDS: usize = 4;

/// How a frame's features were had.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Estimate {
    /// From its decoded picture.
    #[default]
    Decoded,
    /// A mix of the decoded frames either side, which differ little.
    Mix,
    /// One of the decoded frames either side, which differ a lot: where a
    /// cut would be, or fast motion.
    Step,
}

/// Decodes frames of the title again, exactly.
pub trait ExactFrames {
    /// The features of frames `first..=last` (title indices), one per
    /// frame, in order.
    fn exact(&mut self, first: u64, last: u64) -> Result<Vec<Features>, ScanError>;
}

/// For passes that estimate nothing.
pub struct NoEstimates;

impl ExactFrames for NoEstimates {
    fn exact(&mut self, first: u64, _: u64) -> Result<Vec<Features>, ScanError> {
        Err(ScanError::Frame {
            path: std::path::PathBuf::new(),
            index: first,
            reason: "no decoder to make an estimated frame exact".into(),
        })
    }
}

/// Runs of frames (window indices, inclusive) to decode again: the
/// estimated frames within [`MARGIN`] of a gradual transition in `found`;
/// a cut's two frames, and the [`Estimate::Step`]s within [`MARGIN`] of it
/// (a step beside a cut can make it stand out from frames that in fact
/// change as much); runs less than [`JOIN`] frames apart joined.
pub(super) fn wanted(found: &[Found], estimates: &[Estimate]) -> Vec<(usize, usize)> {
    let mut want = vec![false; estimates.len()];
    let end = estimates.len().saturating_sub(1);
    for f in found {
        let cut = f.kind == TransitionKind::Cut;
        for (i, w) in want
            .iter_mut()
            .enumerate()
            .take(f.to.saturating_add(MARGIN).min(end) + 1)
            .skip(f.from.saturating_sub(MARGIN))
        {
            *w |= match estimates[i] {
                Estimate::Decoded => false,
                Estimate::Step => true,
                Estimate::Mix => !cut || i == f.from || i == f.to,
            };
        }
    }
    runs(&want)
}

fn runs(flags: &[bool]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, _) in flags.iter().enumerate().filter(|(_, &f)| f) {
        match out.last_mut() {
            Some((_, last)) if i <= *last + JOIN => *last = i,
            _ => out.push((i, i)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(from: usize, to: usize) -> Found {
        Found::between(from, to, TransitionKind::Dissolve, 1.0)
    }

    #[test]
    fn only_estimated_frames_near_a_transition_are_wanted() {
        let mut estimated = vec![Estimate::Decoded; 100];
        for i in [3, 4, 10, 11, 12, 20, 21, 30, 38, 39, 70, 97] {
            estimated[i] = Estimate::Mix;
        }
        // A dissolve over 12..=19 wants 10..=21 of its frames; a cut at
        // 37|38 its two frames, one at 30|31 its one estimated frame: one
        // run from 10 to 38, runs that close joined. A cut at 70|71 is a
        // run of its own; one at 96|97 another, more than JOIN after it.
        let found = [12, 30, 37, 70, 96].map(|f| found(f, if f == 12 { 19 } else { f + 1 }));
        assert_eq!(wanted(&found, &estimated), [(10, 38), (70, 70), (97, 97)]);
        assert!(wanted(&[], &estimated).is_empty());
        assert!(wanted(&found[..1], &[Estimate::Decoded; 100]).is_empty());
        // A step beside a cut is wanted, a mix there is not.
        estimated[72] = Estimate::Step;
        assert_eq!(wanted(&found[3..4], &estimated), [(70, 72)]);
        estimated[72] = Estimate::Mix;
        assert_eq!(wanted(&found[3..4], &estimated), [(70, 70)]);
    }
}

//! Trimming a proposed cut: before deciding, an editor may move the
//! outgoing shot's out-frame and the incoming shot's in-frame, each within
//! its own shot. The trim is kept with the decision
//! ([`crate::store::CutPoints`]) and used by the export.

use crate::store::{CutPoints, Store, StoreError};

/// Why a trim cannot be taken.
#[derive(Debug, thiserror::Error)]
pub enum TrimError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("pair {0}: not a pair of this library, so its cut cannot be moved")]
    UnknownPair(String),
    #[error("pair {pair}: {side} frame {frame} lies outside its shot (frames {first} to {last})")]
    OutsideShot {
        pair: String,
        side: &'static str,
        frame: u64,
        first: u64,
        last: u64,
    },
}

/// A pair's proposed cut with the frame ranges of its two shots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CutSpan {
    pub proposed: CutPoints,
    /// First and last frame of the outgoing shot.
    pub out_shot: (u64, u64),
    /// First and last frame of the incoming shot.
    pub in_shot: (u64, u64),
}

impl CutSpan {
    /// The proposal moved to `out_frame` / `in_frame` (each left where it
    /// is when not given); `None` when the cut stays where proposed.
    pub fn trim(
        &self,
        pair: &str,
        out_frame: Option<u64>,
        in_frame: Option<u64>,
    ) -> Result<Option<CutPoints>, TrimError> {
        let cut = CutPoints {
            out_frame: out_frame.unwrap_or(self.proposed.out_frame),
            in_frame: in_frame.unwrap_or(self.proposed.in_frame),
        };
        self.check(pair, cut)?;
        Ok((cut != self.proposed).then_some(cut))
    }

    /// Refuses a cut whose frames lie outside their shots.
    pub fn check(&self, pair: &str, cut: CutPoints) -> Result<(), TrimError> {
        let sides = [
            ("out", cut.out_frame, self.out_shot),
            ("in", cut.in_frame, self.in_shot),
        ];
        for (side, frame, (first, last)) in sides {
            if !(first..=last).contains(&frame) {
                return Err(TrimError::OutsideShot {
                    pair: pair.to_string(),
                    side,
                    frame,
                    first,
                    last,
                });
            }
        }
        Ok(())
    }
}

/// Pair `id`'s proposed cut and its shots, from the library's store.
pub fn cut_span(store: &Store, id: &str) -> Result<CutSpan, TrimError> {
    let pair = store
        .pair(id)?
        .ok_or_else(|| TrimError::UnknownPair(id.to_string()))?;
    let range = |hash: &str, shot: usize| -> Result<(u64, u64), TrimError> {
        let ranges = store.shot_ranges(hash)?;
        let found = ranges.into_iter().find(|&(s, ..)| s == shot);
        found
            .map(|(_, first, last)| (first, last))
            .ok_or_else(|| TrimError::UnknownPair(id.to_string()))
    };
    Ok(CutSpan {
        proposed: CutPoints {
            out_frame: pair.from_frame,
            in_frame: pair.to_frame,
        },
        out_shot: range(&pair.from.content_hash, pair.from.shot)?,
        in_shot: range(&pair.to.content_hash, pair.to.shot)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPAN: CutSpan = CutSpan {
        proposed: CutPoints {
            out_frame: 129,
            in_frame: 40,
        },
        out_shot: (100, 129),
        in_shot: (40, 90),
    };

    #[test]
    fn a_trim_moves_either_point_within_its_shot() {
        let cut = SPAN.trim("p", Some(125), None).unwrap().unwrap();
        assert_eq!((cut.out_frame, cut.in_frame), (125, 40));
        let cut = SPAN.trim("p", None, Some(43)).unwrap().unwrap();
        assert_eq!((cut.out_frame, cut.in_frame), (129, 43));
        assert_eq!(SPAN.trim("p", Some(129), Some(40)).unwrap(), None);
        assert_eq!(SPAN.trim("p", None, None).unwrap(), None);
    }

    #[test]
    fn a_trim_outside_its_shot_is_refused_by_side() {
        let err = SPAN.trim("p", Some(130), None).unwrap_err().to_string();
        assert!(
            err.contains("out frame 130") && err.contains("100 to 129"),
            "{err}"
        );
        let err = SPAN.trim("p", None, Some(39)).unwrap_err().to_string();
        assert!(
            err.contains("in frame 39") && err.contains("40 to 90"),
            "{err}"
        );
    }
}

//! What plays of a pair: the outgoing shot up to the out-frame, then the
//! incoming shot from the in-frame, each a few seconds long and inside its
//! shot, as an NLE would play the cut the export makes.

use super::clip::Span;
use crate::jobs::listing::PairView;
use crate::jobs::trim::TrimError;
use crate::media::Rate;
use crate::store::CutPoints;
use std::path::PathBuf;

/// The longest stretch either side of a cut, in seconds.
pub const MAX_SECONDS: f64 = 10.0;

/// The two spans of `pair` cut at `cut` (`None`: where proposed), each up
/// to `seconds` long (0.2 to 10) and inside its shot.
pub fn spans(
    pair: &PairView,
    cut: Option<CutPoints>,
    seconds: f64,
) -> Result<(Span, Span), TrimError> {
    let span = pair.cut_span();
    let cut = cut.unwrap_or(span.proposed);
    span.check(&pair.id, cut)?;
    let seconds = if seconds.is_finite() {
        seconds.clamp(0.2, MAX_SECONDS)
    } else {
        2.0
    };
    let frames = |rate: &str| {
        let rate = Rate::parse(rate).unwrap_or(Rate::FALLBACK);
        ((seconds * rate.numer() as f64 / rate.denom() as f64).round() as u64).max(1)
    };
    let out_first = (cut.out_frame + 1)
        .saturating_sub(frames(&pair.from.frame_rate))
        .max(pair.from.shot_first);
    let in_last = (cut.in_frame + frames(&pair.to.frame_rate) - 1).min(pair.to.shot_last);
    let from = Span {
        path: PathBuf::from(&pair.from.path),
        content_hash: pair.from.content_hash.clone(),
        first: out_first,
        last: cut.out_frame,
    };
    let to = Span {
        path: PathBuf::from(&pair.to.path),
        content_hash: pair.to.content_hash.clone(),
        first: cut.in_frame,
        last: in_last,
    };
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::listing::PairEnd;
    use crate::matching::Components;

    fn end(frame: u64, first: u64, last: u64, rate: &str) -> PairEnd {
        PairEnd {
            path: "/films/a.mov".into(),
            content_hash: "a".into(),
            shot: 1,
            frame,
            timecode: String::new(),
            shot_in: String::new(),
            shot_out: String::new(),
            shot_first: first,
            shot_last: last,
            frame_rate: rate.into(),
            missing: false,
        }
    }

    fn pair() -> PairView {
        PairView {
            id: "p".into(),
            rank: 1,
            score: 1.0,
            kind: "frame".into(),
            from: end(199, 100, 199, "24000/1001"),
            to: end(500, 500, 620, "30000/1001"),
            components: Components::default(),
        }
    }

    #[test]
    fn two_seconds_either_side_at_each_titles_rate_inside_the_shots() {
        let (from, to) = spans(&pair(), None, 2.0).unwrap();
        assert_eq!((from.first, from.last), (152, 199), "48 frames at 23.976");
        assert_eq!((to.first, to.last), (500, 559), "60 frames at 29.97");
        let (from, to) = spans(&pair(), None, 10.0).unwrap();
        assert_eq!((from.first, to.last), (100, 620), "clamped to the shots");
    }

    #[test]
    fn a_trimmed_cut_plays_from_its_own_points_and_a_cut_outside_is_refused() {
        let cut = CutPoints {
            out_frame: 190,
            in_frame: 503,
        };
        let (from, to) = spans(&pair(), Some(cut), 1.0).unwrap();
        assert_eq!(
            (from.first, from.last, to.first, to.last),
            (167, 190, 503, 532)
        );
        let outside = CutPoints {
            out_frame: 200,
            in_frame: 503,
        };
        assert!(spans(&pair(), Some(outside), 1.0).is_err());
    }
}

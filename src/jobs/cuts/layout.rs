//! The approved pairs laid out as a sequence: in the chosen order, at one
//! sequence rate, two clips a pair, each clip at its own title's rate.

use super::gather::{Approved, End};
use super::{CutOptions, CutOrder};
use crate::export::{Clip, CutList, Side, Source};
use crate::media::Rate;
use crate::store::CutPoints;
use num_rational::Rational64;
use std::collections::{BTreeMap, HashMap};

/// Puts the approved pairs in `order`; `kept` is the library's own order
/// (the export view's), used by [`CutOrder::Sequence`].
pub(super) fn sort(approved: &mut [Approved], order: CutOrder, kept: &[String]) {
    let by_score = |a: &Approved, b: &Approved| {
        b.pair
            .score
            .total_cmp(&a.pair.score)
            .then(a.pair.id.cmp(&b.pair.id))
    };
    match order {
        CutOrder::Score => approved.sort_by(by_score),
        CutOrder::Decided => approved.sort_by_key(|a| (a.approved_at, a.pair.id.clone())),
        CutOrder::Sequence => {
            let place: HashMap<&str, usize> = kept
                .iter()
                .enumerate()
                .map(|(n, id)| (id.as_str(), n))
                .collect();
            approved.sort_by(|a, b| {
                let (pa, pb) = (place.get(a.pair.id.as_str()), place.get(b.pair.id.as_str()));
                match (pa, pb) {
                    (Some(x), Some(y)) => x.cmp(y),
                    (Some(_), None) => std::cmp::Ordering::Less,
                    (None, Some(_)) => std::cmp::Ordering::Greater,
                    (None, None) => by_score(a, b),
                }
            });
        }
    }
}

/// The rates of the approved pairs' clips, with how many clips each.
pub(super) fn rate_counts(approved: &[Approved]) -> BTreeMap<String, usize> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for a in approved {
        for end in [&a.from, &a.to] {
            *counts.entry(end.rate.to_string()).or_default() += 1;
        }
    }
    counts
}

/// The sequence's rate: the asked one, else the rate most clips have (of
/// equals, the first pair's).
pub(super) fn sequence_rate(approved: &[Approved], wanted: Option<Rate>) -> Option<Rate> {
    if wanted.is_some() {
        return wanted;
    }
    let counts = rate_counts(approved);
    let mut best: Option<(usize, Rate)> = None;
    for a in approved {
        for end in [&a.from, &a.to] {
            let n = counts.get(&end.rate.to_string()).copied().unwrap_or(0);
            if best.is_none_or(|(m, _)| n > m) {
                best = Some((n, end.rate));
            }
        }
    }
    best.map(|(_, rate)| rate)
}

/// Two clips per pair; sources in order of first use.
pub(super) fn lay_out(approved: &[Approved], rate: Rate, options: &CutOptions) -> CutList {
    let mut sources: Vec<Source> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut clips = Vec::new();
    for a in approved {
        let ends = [
            (&a.from, &a.pair.from.content_hash, Side::Out),
            (&a.to, &a.pair.to.content_hash, Side::In),
        ];
        for (end, hash, side) in ends {
            let source = *index.entry(hash.clone()).or_insert_with(|| {
                sources.push(source_of(end));
                sources.len() - 1
            });
            let length = clip_length(a.cut, side, end, rate, options.handles_secs);
            let first = match side {
                Side::Out => a.cut.out_frame + 1 - length.frames,
                Side::In => a.cut.in_frame,
            };
            clips.push(Clip {
                source,
                first,
                frames: length.frames,
                record_frames: length.record_frames,
                pair_id: a.pair.id.clone(),
                side,
            });
        }
    }
    CutList {
        title: options.title.clone(),
        rate,
        sources,
        clips,
        record_start: options.record_start.clone(),
    }
}

/// A clip's length in its source's frames and in the sequence's.
#[derive(Debug, PartialEq)]
struct Length {
    frames: u64,
    record_frames: u64,
}

/// `handles` seconds of one side of a cut, clamped to its shot: ending on
/// the out-frame, or starting on the in-frame. A source at another rate
/// than the sequence gets a whole number of sequence frames, and the source
/// frames nearest to that length, so each rate reads back the other.
fn clip_length(cut: CutPoints, side: Side, end: &End, rate: Rate, handles: f64) -> Length {
    let (first, last) = end.shot;
    let available = match side {
        Side::Out => cut.out_frame + 1 - first.min(cut.out_frame),
        Side::In => last.max(cut.in_frame) + 1 - cut.in_frame,
    };
    let wanted = ((handles * rate.numer() as f64 / rate.denom() as f64).round() as u64).max(1);
    if end.rate == rate {
        let frames = wanted.min(available);
        return Length {
            frames,
            record_frames: frames,
        };
    }
    let fits = (Rational64::from_integer(available as i64) * rate.0 / end.rate.0)
        .floor()
        .to_integer()
        .max(1) as u64;
    let record_frames = wanted.min(fits);
    let frames = crate::export::cutlist::conform(record_frames, rate, end.rate).clamp(1, available);
    Length {
        frames,
        record_frames,
    }
}

fn source_of(end: &End) -> Source {
    let title = &end.title;
    Source {
        path: title.path.clone(),
        name: crate::export::sheet::file_name(&title.path),
        rate: end.rate,
        start_timecode: title.start_timecode.clone(),
        frame_count: title.frame_count,
        size: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TitleRecord;

    fn end(rate: Rate, shot: (u64, u64)) -> End {
        End {
            title: TitleRecord {
                content_hash: "h".into(),
                path: "/m/a.mov".into(),
                frame_rate: rate.to_string(),
                start_timecode: None,
                frame_count: 10_000,
                shots: 1,
                analysis: String::new(),
                missing: false,
            },
            rate,
            shot,
        }
    }

    #[test]
    fn a_clip_at_another_rate_has_whole_frames_on_both_sides() {
        let film = Rate::new(24000, 1001).unwrap();
        let ntsc = Rate::new(30000, 1001).unwrap();
        let cut = CutPoints {
            out_frame: 500,
            in_frame: 100,
        };
        // 2 s of 29.97 in a 23.976 sequence: 48 sequence frames, 60 source.
        let long = end(ntsc, (0, 1000));
        let length = clip_length(cut, Side::Out, &long, film, 2.0);
        assert_eq!(
            length,
            Length {
                frames: 60,
                record_frames: 48
            }
        );
        // A 10-frame shot: 8 sequence frames hold 10 source frames.
        let short = end(ntsc, (491, 520));
        let length = clip_length(cut, Side::Out, &short, film, 2.0);
        assert_eq!(
            length,
            Length {
                frames: 10,
                record_frames: 8
            }
        );
        // Same rate: the handle, clamped to the shot.
        let same = end(film, (100, 130));
        let length = clip_length(cut, Side::In, &same, film, 2.0);
        assert_eq!(
            length,
            Length {
                frames: 31,
                record_frames: 31
            }
        );
        // Never empty, even a one-frame shot at a higher rate.
        let one = end(ntsc, (100, 100));
        let length = clip_length(cut, Side::In, &one, film, 2.0);
        assert_eq!(
            length,
            Length {
                frames: 1,
                record_frames: 1
            }
        );
    }
}

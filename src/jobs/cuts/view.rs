//! The approved cuts as the export view shows them: each pair's two clips
//! with their frames and timecodes and where they sit on the sequence, who
//! approved and their notes; conflicts apart.

use super::gather::{Approved, Disputed, End, Gathered};
use super::layout::rate_counts;
use super::CutsError;
use crate::export::sheet::file_name;
use crate::export::{CutList, Side};
use crate::media::TimecodeTrack;
use crate::store::CutPoints;
use serde::Serialize;

/// One frame of a title, named as an editor reads it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Shown {
    /// The file's name.
    pub name: String,
    pub path: String,
    pub content_hash: String,
    /// Frame index (the window's `frame://HASH/N`).
    pub frame: u64,
    /// Its source timecode.
    pub timecode: String,
    /// The title's rate, `num/den`.
    pub frame_rate: String,
}

/// One side of an exported cut: the frame at the cut and the clip around it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CutSide {
    /// The out-frame (outgoing side) or in-frame (incoming side).
    pub at: Shown,
    /// Source timecodes of the clip's first and last frames.
    pub clip_in: String,
    pub clip_out: String,
    /// The clip's length in its source's frames.
    pub frames: u64,
}

/// An approved pair on the sequence.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SequenceCut {
    pub pair_id: String,
    pub score: f32,
    pub out: CutSide,
    pub incoming: CutSide,
    /// Record timecodes: where the pair's first clip starts, the cut, and
    /// just after the pair's second clip.
    pub record_in: String,
    pub record_cut: String,
    pub record_out: String,
    pub approved_by: Vec<String>,
    /// `editor: note`, for every note left on the pair.
    pub notes: Vec<String>,
    /// An editor moved the cut from where it was proposed.
    pub trimmed: bool,
    /// A side's title runs at another rate than the sequence: exact in XML
    /// and OTIO, conformed (within half a frame) in an EDL.
    pub conformed: bool,
}

/// A pair some editors approve and others reject: never exported.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ConflictCut {
    pub pair_id: String,
    /// The frames at the cut (none when the title is gone).
    pub out: Option<Shown>,
    pub incoming: Option<Shown>,
    pub approved_by: Vec<String>,
    pub rejected_by: Vec<String>,
    pub notes: Vec<String>,
}

/// How many of the sequence's clips are at a rate.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RateCount {
    /// `num/den`.
    pub frame_rate: String,
    pub clips: usize,
}

/// What the export view shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Sequence {
    /// The sequence's rate, `num/den`.
    pub frame_rate: String,
    /// The clips' rates with how many clips each, most clips first.
    pub rates: Vec<RateCount>,
    pub record_start: String,
    /// Record timecode just after the last clip.
    pub record_end: String,
    pub cuts: Vec<SequenceCut>,
    pub conflicts: Vec<ConflictCut>,
    /// Approved pairs left out, each with the reason.
    pub skipped: Vec<String>,
}

fn shown(end: &End, frame: u64) -> Shown {
    let title = &end.title;
    let name = file_name(&title.path);
    let timecode = TimecodeTrack::new(end.rate, title.start_timecode.as_deref());
    Shown {
        name,
        path: title.path.clone(),
        content_hash: title.content_hash.clone(),
        frame,
        timecode: timecode.at(frame),
        frame_rate: end.rate.to_string(),
    }
}

/// `editor: note` for every note left on a pair.
pub(crate) fn notes(decided: &crate::jobs::team::PairDecisions) -> Vec<String> {
    decided
        .editors
        .iter()
        .filter_map(|e| e.note.as_ref().map(|n| format!("{}: {n}", e.editor)))
        .collect()
}

/// The view of `gathered` laid out as `cuts` (two clips a pair, in order).
pub(super) fn view(gathered: &Gathered, cuts: &CutList) -> Result<Sequence, CutsError> {
    let record = cuts
        .record_timecode()
        .map_err(crate::export::ExportError::from)?;
    let mut at = 0u64;
    let mut rows = Vec::with_capacity(gathered.approved.len());
    for (a, pair) in gathered.approved.iter().zip(cuts.clips.chunks(2)) {
        let [out, incoming] = pair else { continue };
        let side = |end: &End, clip: &crate::export::Clip| {
            let frame = match clip.side {
                Side::Out => a.cut.out_frame,
                Side::In => a.cut.in_frame,
            };
            let timecode = TimecodeTrack::new(end.rate, end.title.start_timecode.as_deref());
            CutSide {
                at: shown(end, frame),
                clip_in: timecode.at(clip.first),
                clip_out: timecode.at(clip.first + clip.frames - 1),
                frames: clip.frames,
            }
        };
        rows.push(SequenceCut {
            pair_id: a.pair.id.clone(),
            score: a.pair.score,
            out: side(&a.from, out),
            incoming: side(&a.to, incoming),
            record_in: record.at(at),
            record_cut: record.at(at + out.record_frames),
            record_out: record.at(at + out.record_frames + incoming.record_frames),
            approved_by: a.decided.approved_by.clone(),
            notes: notes(&a.decided),
            trimmed: a.cut != proposed(a),
            conformed: cuts.conformed(out) || cuts.conformed(incoming),
        });
        at += out.record_frames + incoming.record_frames;
    }
    let mut rates: Vec<RateCount> = rate_counts(&gathered.approved)
        .into_iter()
        .map(|(frame_rate, clips)| RateCount { frame_rate, clips })
        .collect();
    rates.sort_by_key(|r| std::cmp::Reverse(r.clips));
    Ok(Sequence {
        frame_rate: cuts.rate.to_string(),
        rates,
        record_start: record.at(0),
        record_end: record.at(at),
        cuts: rows,
        conflicts: gathered.disputed.iter().map(conflict).collect(),
        skipped: gathered.skipped.clone(),
    })
}

fn proposed(a: &Approved) -> CutPoints {
    CutPoints {
        out_frame: a.pair.from_frame,
        in_frame: a.pair.to_frame,
    }
}

fn conflict(d: &Disputed) -> ConflictCut {
    ConflictCut {
        pair_id: d.pair.id.clone(),
        out: d.from.as_ref().map(|e| shown(e, d.pair.from_frame)),
        incoming: d.to.as_ref().map(|e| shown(e, d.pair.to_frame)),
        approved_by: d.decided.approved_by.clone(),
        rejected_by: d.decided.rejected_by.clone(),
        notes: notes(&d.decided),
    }
}

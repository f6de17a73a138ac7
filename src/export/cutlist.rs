//! The timeline that leaves Matchcut: for each approved pair, the outgoing
//! shot's tail then the incoming shot's head, on one video track, at one
//! frame rate. [`crate::jobs::cuts`] builds it from a library; the EDL and
//! OTIO writers only format it.

use crate::media::{Rate, TimecodeError, TimecodeTrack};

/// A source file of the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Source {
    pub path: String,
    /// The file's name, shown as the clip name.
    pub name: String,
    pub rate: Rate,
    /// The media's embedded start timecode (`;` before the frames: drop frame).
    pub start_timecode: Option<String>,
    pub frame_count: u64,
}

impl Source {
    /// The media's own timecode track.
    pub fn timecode(&self) -> TimecodeTrack {
        TimecodeTrack::new(self.rate, self.start_timecode.as_deref())
    }
}

/// Which side of a match cut a clip is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The outgoing shot's tail, ending on the cut.
    Out,
    /// The incoming shot's head, starting on the cut.
    In,
}

/// One clip: `frames` frames of a source from frame index `first`.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    /// Index into [`CutList::sources`].
    pub source: usize,
    pub first: u64,
    pub frames: u64,
    pub pair_id: String,
    pub side: Side,
}

/// A one-track timeline at one rate.
#[derive(Clone, Debug, PartialEq)]
pub struct CutList {
    pub title: String,
    pub rate: Rate,
    pub sources: Vec<Source>,
    pub clips: Vec<Clip>,
    /// Where the record timecode starts, e.g. `01:00:00:00`.
    pub record_start: String,
}

impl CutList {
    /// Whether the record side is drop frame: the rate is 29.97 or 59.94
    /// and every source's timecode is drop frame.
    pub fn drop_frame(&self) -> bool {
        !self.sources.is_empty() && self.sources.iter().all(|s| s.timecode().is_drop_frame())
    }

    /// The record timecode track (its start written in the record's mode),
    /// or why the record start names no frame in that mode.
    pub fn record_timecode(&self) -> Result<TimecodeTrack, TimecodeError> {
        let digits: Vec<&str> = self.record_start.split([':', ';', '.']).collect();
        let [h, m, s, f] = digits[..] else {
            return Err(TimecodeError {
                text: self.record_start.clone(),
                reason: "expected four fields, HH:MM:SS:FF".into(),
            });
        };
        let sep = if self.drop_frame() { ';' } else { ':' };
        let start = format!("{h}:{m}:{s}{sep}{f}");
        let track = TimecodeTrack::new(self.rate, Some(&start));
        track.parse_checked(&start).map(|_| track)
    }

    /// The record start as a frame number (frames since 00:00:00:00).
    pub fn record_start_frames(&self) -> Result<u64, TimecodeError> {
        self.record_timecode().map(|track| track.start_frame())
    }
}

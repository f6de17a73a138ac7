//! The timeline that leaves Matchcut: for each approved pair, the outgoing
//! shot's tail then the incoming shot's head, on one video track of a
//! sequence at one frame rate, each clip at its own source's rate.
//! [`crate::jobs::cuts`] builds it from a library; the EDL, OTIO and XML
//! writers only format it.

use crate::media::{Rate, TimecodeError, TimecodeTrack};
use num_rational::Rational64;

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
    /// Width and height in pixels, when known (the XML's format).
    pub size: Option<(u32, u32)>,
}

impl Source {
    /// The media's own timecode track.
    pub fn timecode(&self) -> TimecodeTrack {
        TimecodeTrack::new(self.rate, self.start_timecode.as_deref())
    }

    /// The frame number (frames since 00:00:00:00 of its own timecode) of
    /// frame index `index`.
    pub fn frame_number(&self, index: u64) -> u64 {
        self.timecode().start_frame() + index
    }
}

/// `frames` at `from` expressed at `to`, to the nearest frame (halves up):
/// the same stretch of time counted in the other rate's frames.
pub fn conform(frames: u64, from: Rate, to: Rate) -> u64 {
    if from == to {
        return frames;
    }
    let exact = Rational64::from_integer(frames as i64) * to.0 / from.0;
    (exact + Rational64::new(1, 2)).floor().to_integer().max(0) as u64
}

/// Which side of a match cut a clip is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The outgoing shot's tail, ending on the cut.
    Out,
    /// The incoming shot's head, starting on the cut.
    In,
}

/// One clip: `frames` frames of a source (at the source's rate) from frame
/// index `first`, lasting `record_frames` frames of the sequence.
#[derive(Clone, Debug, PartialEq)]
pub struct Clip {
    /// Index into [`CutList::sources`].
    pub source: usize,
    pub first: u64,
    pub frames: u64,
    /// Its length on the sequence: `frames` when the source is at the
    /// sequence's rate, else chosen so that `frames` is that length
    /// conformed back to the source's rate.
    pub record_frames: u64,
    pub pair_id: String,
    pub side: Side,
}

/// A one-track timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct CutList {
    pub title: String,
    /// The sequence's rate; a clip's source may have another.
    pub rate: Rate,
    pub sources: Vec<Source>,
    pub clips: Vec<Clip>,
    /// Where the record timecode starts, e.g. `01:00:00:00`.
    pub record_start: String,
}

impl CutList {
    /// Whether the record side is drop frame: the rate is 29.97 or 59.94
    /// and every source at that rate has drop-frame timecode.
    pub fn drop_frame(&self) -> bool {
        let mut own = self
            .sources
            .iter()
            .filter(|s| s.rate == self.rate)
            .peekable();
        own.peek().is_some() && own.all(|s| s.timecode().is_drop_frame())
    }

    /// Whether a clip's source runs at another rate than the sequence.
    pub fn conformed(&self, clip: &Clip) -> bool {
        self.sources[clip.source].rate != self.rate
    }

    /// The sequence's length in its frames.
    pub fn record_frames(&self) -> u64 {
        self.clips.iter().map(|c| c.record_frames).sum()
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

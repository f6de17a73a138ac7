//! What leaves Matchcut for people and other tools: the contact sheet of
//! ranked pairs ([`sheet`]), and approved cuts as a timeline ([`cutlist`])
//! written as a CMX 3600 EDL ([`edl`]), OpenTimelineIO JSON ([`otio`]) or
//! Final Cut Pro 7 XML ([`xmeml`]), and a review sheet of decided pairs as
//! one HTML page ([`review_sheet`]).

pub mod cutlist;
pub mod edl;
pub mod otio;
pub mod reels;
pub mod review_sheet;
pub mod sheet;
pub mod xmeml;

pub use cutlist::{Clip, CutList, Side, Source};
pub use edl::{write_edl, EdlStyle};
pub use otio::write_otio;
pub use xmeml::write_xmeml;

/// Why a timeline cannot be written in a format.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{0} clips: a CMX 3600 EDL numbers at most 999 events (export fewer pairs, or OpenTimelineIO)")]
    TooManyEvents(usize),
    #[error("record start: {0}")]
    RecordStart(#[from] crate::media::TimecodeError),
    #[error("cannot format the timeline: {0}")]
    Format(String),
}

//! Shot segmentation: hard cuts, dissolves and fades, at frame-exact
//! boundaries, from the 48×27 thumbnails of every frame.
//!
//! Data flow (see [`scan`]): a decoder thread sends the frames it decodes
//! (deblocking skipped; unreferenced pictures left out where nothing
//! happens, [`coarse`]) through a bounded channel;
//! batches are reduced to thumbnails and histograms ([`crate::preprocess`]);
//! [`Segmenter`] runs the detectors ([`window`]) over overlapping windows of
//! frames, so memory stays bounded however long the title is. The
//! detectors:
//!
//! - **fades** ([`fades`]): a stretch of flat colour with a fade-out before
//!   and a fade-in after, told from a strobe by the pictures either side;
//! - **dissolves** ([`dissolves`]): frames that are mixes of the frames
//!   around them, with the extent fitted as a ramp;
//! - **cuts** ([`cuts`]): a one-frame jump in colour and motion-compensated
//!   picture that stands out from its neighbourhood and does not come back
//!   (flashes and strobes do).

pub mod coarse;
mod cuts;
mod dissolves;
pub mod exact;
mod fades;
pub mod features;
mod params;
pub mod scan;
mod segmenter;
mod window;

pub use coarse::Analysed;
pub use features::{Features, Grid};
pub use params::Params;
pub use scan::{detect_file, detect_file_with, FrameHook, ScanError, TitleShots};
pub use segmenter::Segmenter;

use serde::{Deserialize, Serialize};

/// How one shot gives way to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TransitionKind {
    Cut,
    Dissolve,
    Fade,
}

/// A transition between two shots, in frames of the title's timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub kind: TransitionKind,
    /// Last frame wholly in the outgoing shot.
    pub from_frame: u64,
    /// First frame wholly in the incoming shot (`from_frame + 1` for a cut).
    pub to_frame: u64,
}

/// One shot: an inclusive range of frames, and the frames later stages
/// look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shot {
    pub index: usize,
    pub first_frame: u64,
    pub last_frame: u64,
    pub keyframes: Keyframes,
    /// A picture, or a segment of flat colour.
    #[serde(default)]
    pub kind: ShotKind,
}

/// What a shot shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ShotKind {
    /// A picture to match.
    #[default]
    Picture,
    /// Every frame black (or nearly).
    Black,
    /// Every frame one flat colour other than black (white, grey, …).
    Colour,
    /// Text or graphics rather than a picture: a title card, credits, a
    /// logo, a slate. Known once its keyframes are embedded
    /// ([`crate::embed::text`]); segmentation alone reports `Picture`.
    Card,
    /// No frame of it shows the whole picture: every captured frame is
    /// near-black or mostly black (lettering on black, a night too dark to
    /// see), or closed in by black corners (an iris closing or opening from
    /// its first frame to its last). Known from the keyframe capture.
    Dark,
}

impl ShotKind {
    /// Whether the shot carries a picture a match cut could use.
    pub fn is_picture(self) -> bool {
        self == ShotKind::Picture
    }

    pub fn name(self) -> &'static str {
        match self {
            ShotKind::Picture => "picture",
            ShotKind::Black => "black",
            ShotKind::Colour => "colour",
            ShotKind::Card => "card",
            ShotKind::Dark => "dark",
        }
    }
}

/// The frames that stand for a shot: where it starts (the incoming side of
/// a match cut), its middle, and where it ends (the outgoing side). Frames
/// of flat colour (the black at a title's start or end) are skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keyframes {
    pub entry: u64,
    pub middle: u64,
    pub exit: u64,
}

/// Shots and the transitions between them: `transitions[i]` lies between
/// `shots[i]` and `shots[i + 1]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Segmentation {
    pub shots: Vec<Shot>,
    pub transitions: Vec<Transition>,
}

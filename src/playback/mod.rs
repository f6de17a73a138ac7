//! Playing a proposed cut, frame-exact, in the window.
//!
//! WebKitGTK (the Linux webview) plays `<video>` only from plain HTTP and
//! only the codecs its GStreamer has, so the core renders each cut it is
//! asked to play into a short **cut clip**: the outgoing shot's last
//! seconds up to the out-frame, then the incoming shot's first seconds from
//! the in-frame, each picture taken from the canonical decode (the same
//! frames `matchcut frame` and the EDL name) at the titles' own rates,
//! fitted into one canvas, encoded as all-intra H.264 (every frame a seek
//! point, so stepping and shuttling back are exact and cheap) with the two
//! titles' sound as AAC, in an MP4 ([`clip::render`]). Whatever the title's
//! codec (H.264, HEVC 10-bit, ProRes, VP9, MPEG-2, DNxHD), the webview
//! only ever meets H.264 and AAC.
//!
//! Rendered clips are kept on disk by what they hold
//! ([`cache::ClipCache`]) and served to the webview by a loopback HTTP
//! server ([`server::MediaServer`]): 127.0.0.1 only, a random port, a
//! secret per session, byte ranges, and nothing but the cache's clips.

pub mod cache;
mod canvas;
pub mod clip;
pub mod cut;
pub mod server;
mod sound;

pub use cache::ClipCache;
pub use clip::{ClipPart, CutClip, Span};
pub use cut::spans;
pub use server::MediaServer;

use crate::media::MediaError;
use std::path::PathBuf;

/// Why a cut cannot be played.
#[derive(Debug, thiserror::Error)]
pub enum PlaybackError {
    #[error(transparent)]
    Media(#[from] MediaError),
    #[error("{}: frames {first} to {last}: {reason}", path.display())]
    Range {
        path: PathBuf,
        first: u64,
        last: u64,
        reason: String,
    },
    #[error("{}: cannot render the cut clip: {reason}", path.display())]
    Render { path: PathBuf, reason: String },
}

impl PlaybackError {
    pub(crate) fn render(path: &std::path::Path, reason: impl std::fmt::Display) -> Self {
        Self::Render {
            path: path.to_path_buf(),
            reason: reason.to_string(),
        }
    }
}

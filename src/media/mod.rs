//! Standardised media access: probing, decoding onto the canonical
//! constant-rate timeline, frame-accurate random access, and conversion into
//! the canonical RGB analysis form.

mod convert;
mod decode;
mod emit;
mod error;
mod hash;
pub mod hw;
mod packets;
mod presented;
mod probe;
mod rate;
mod refine;
mod seek;
mod sparse;
mod stream;
mod timecode;
mod timeline;

pub use convert::{RgbImage, ToRgb};
pub use decode::{decoded_pictures, DecodeMode, DecodedFrame, Decoder};
pub use error::MediaError;
pub use hash::content_hash;
pub use probe::{probe, ColorInfo, MediaInfo, Truncation};
pub use rate::Rate;
pub use seek::frame_at;
pub use stream::{MAX_PIXELS, MAX_SIDE};
pub use timecode::{TimecodeError, TimecodeTrack};
pub use timeline::Timeline;

//! Frame-accurate random access: seek to a keyframe before the wanted frame,
//! then decode forward to it.
//!
//! With B-frames and open GOPs the keyframe a demuxer seeks to may present
//! *after* the wanted frame, and the pictures that precede it in display order
//! (leading pictures) may reference the previous GOP. So: pictures that
//! present before the first packet read after the seek are never trusted, and
//! when the wanted frame lies before that packet, or when the decoder dropped
//! a picture it could not rebuild from that keyframe, we seek again, further
//! back, ending with decoding from the start of the file, which is always
//! right.

use super::decode::{DecodeMode, DecodedFrame, Decoder};
use super::error::MediaError;
use super::packets;
use std::path::Path;

/// Seek attempts before decoding from the start instead.
const MAX_SEEKS: usize = 6;

/// Probes `path` and returns frame `index` of its canonical timeline.
pub fn frame_at(path: &Path, index: u64) -> Result<DecodedFrame, MediaError> {
    let mut decoder = Decoder::probe_and_open(path, DecodeMode::Full)?;
    decoder.seek_frame(index)
}

enum Attempt {
    Found(DecodedFrame),
    /// The seek landed after the wanted frame, or decoding from where it
    /// landed lost a picture; the payload is a timestamp strictly before the
    /// keyframe it landed on.
    TooLate(i64),
}

impl Decoder {
    /// Frame `index` of the timeline, wherever the decoder was before.
    pub fn seek_frame(&mut self, index: u64) -> Result<DecodedFrame, MediaError> {
        let count = self.timeline.frame_count;
        if index >= count {
            return Err(MediaError::FrameOutOfRange {
                path: self.path.clone(),
                index,
                count,
            });
        }
        let mut seek_ts = self.timeline.pts_of(index);
        for _ in 0..MAX_SEEKS {
            if seek_ts <= self.timeline.origin_pts {
                break;
            }
            if packets::seek_before(&mut self.input, self.stream_index, seek_ts).is_err() {
                break;
            }
            self.reset(false);
            match self.decode_to(index)? {
                Attempt::Found(frame) => return Ok(frame),
                Attempt::TooLate(before) => seek_ts = before.min(seek_ts.saturating_sub(1)),
            }
        }
        self.decode_from_start(index)
    }

    fn decode_from_start(&mut self, index: u64) -> Result<DecodedFrame, MediaError> {
        // Reopening is the one way back to the start that every demuxer
        // gets exactly right (MPEG-TS timestamp seeks are approximate).
        self.input = super::probe::open_input(&self.path)?;
        self.reset(true);
        match self.decode_to(index)? {
            Attempt::Found(frame) => Ok(frame),
            Attempt::TooLate(_) => Err(MediaError::decode(
                &self.path,
                format!("frame {index} was not found decoding from the start"),
            )),
        }
    }

    /// Clears decoder and emission state after a seek.
    fn reset(&mut self, from_start: bool) {
        self.decoder.flush();
        self.ready.clear();
        self.sent_eof = false;
        self.drained = false;
        self.first_packet = None;
        self.skip_leading = !from_start;
        self.next_ordinal = None;
        self.last_slot = None;
        self.spans = super::sparse::Spans::default();
        self.read_slot = None;
        self.reread = false;
        if from_start {
            self.emitter =
                super::emit::Emitter::from_start(self.timeline.frame_count, self.mode.fills());
        } else {
            self.emitter.restart();
        }
    }

    /// Decodes forward until frame `index` is emitted.
    fn decode_to(&mut self, index: u64) -> Result<Attempt, MediaError> {
        loop {
            while let Some((found, frame)) = self.ready.pop_front() {
                let too_late = found > index || (found == index && self.missed_a_picture());
                if too_late {
                    return Ok(self.too_late());
                }
                if found == index {
                    return Ok(Attempt::Found(self.wrap(found, frame)));
                }
            }
            if self.drained {
                return Ok(self.too_late());
            }
            self.decode_more()?;
        }
    }

    /// After a seek into a constant-rate stream every slot has its own
    /// picture; a slot filled by repeating one means the decoder dropped a
    /// picture it could not rebuild from that keyframe (an open GOP's
    /// references), so decoding must start further back.
    fn missed_a_picture(&self) -> bool {
        self.skip_leading && !self.info.variable_frame_rate && self.emitter.duplicated
    }

    /// Asks for a seek to before the keyframe the last seek landed on.
    fn too_late(&self) -> Attempt {
        let keyframe = self
            .first_packet
            .map_or(self.timeline.origin_pts, |(pts, dts)| pts.min(dts));
        Attempt::TooLate(keyframe.saturating_sub(1))
    }
}

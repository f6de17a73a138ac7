//! Refining a sparse pass ([`DecodeMode::Sparse`]): pictures the pass left
//! out, decoded where the shot detector asks for them.
//!
//! The pass leaves out unreferenced pictures only. To decode some of them
//! the refiner seeks to the keyframe before them (or goes on from where it
//! stopped, when that is no further back) and decodes forward, leaving out
//! the packets of every span still marked quiet, so it redoes only the
//! reference pictures from that keyframe.

use super::decode::{DecodeMode, DecodedFrame, Decoder};
use super::error::MediaError;
use ffmpeg_next::Packet;

impl Decoder {
    /// Marks the slots `first..=last` quiet: a [`DecodeMode::Refine`]
    /// decoder does not decode their packets (except a keyframe's).
    pub fn mark_quiet(&mut self, first: u64, last: u64) {
        if first <= last {
            self.quiet.insert(first, last);
        }
    }

    /// Unmarks the slots `first..=last`: their packets are decoded again
    /// (by seeking back where a packet of them was already left out).
    pub fn unmark_quiet(&mut self, first: u64, last: u64) {
        let overlapping: Vec<(u64, u64)> = self
            .quiet
            .range(..=last)
            .filter(|(_, &end)| end >= first)
            .map(|(&a, &b)| (a, b))
            .collect();
        for (a, b) in overlapping {
            self.reread |= self.read_slot.is_some_and(|r| r >= a.max(first));
            self.quiet.remove(&a);
            if a < first {
                self.quiet.insert(a, first - 1);
            }
            if b > last {
                self.quiet.insert(last + 1, b);
            }
        }
    }

    /// Notes a packet read: whether it lies in a span marked quiet (and is
    /// left out).
    pub(crate) fn note_read(&mut self, packet: &Packet) -> bool {
        if let Some(slot) = packet
            .pts()
            .and_then(|p| u64::try_from(self.timeline.slot(p)).ok())
        {
            self.read_slot = self.read_slot.max(Some(slot));
        }
        self.is_quiet(packet)
    }

    /// Whether `packet` lies in a span marked quiet.
    pub(crate) fn is_quiet(&self, packet: &Packet) -> bool {
        if self.mode != DecodeMode::Refine || packet.is_key() || !self.timeline.pts_reliable {
            return false;
        }
        let Some(pts) = packet.pts() else {
            return false;
        };
        let Ok(slot) = u64::try_from(self.timeline.slot(pts)) else {
            return false;
        };
        self.quiet
            .range(..=slot)
            .next_back()
            .is_some_and(|(_, &last)| slot <= last)
    }

    /// The pictures of frames `first..=last` ([`DecodeMode::Refine`]), in
    /// index order; a frame the decoder could not rebuild is absent.
    /// `keyframe` is the index of the last keyframe at or before `first`:
    /// decoding goes on from where it stopped when that is at or after it,
    /// and seeks otherwise.
    pub fn frames_between(
        &mut self,
        first: u64,
        last: u64,
        keyframe: u64,
    ) -> Result<Vec<DecodedFrame>, MediaError> {
        let mut out = Vec::new();
        let here = self.emitted_until();
        if std::mem::take(&mut self.reread) || here.is_none_or(|at| at < keyframe || at > first) {
            let frame = self.seek_frame(first)?;
            self.forget_quiet_before(first);
            out.push(frame);
        }
        while out.last().is_none_or(|f| f.index < last) {
            let Some(frame) = self.next_frame() else {
                break;
            };
            let frame = frame?;
            if frame.index > last {
                self.ready.push_front((frame.index, frame.frame));
                break;
            }
            if frame.index >= first {
                out.push(frame);
            }
        }
        Ok(out)
    }

    /// The index after the last picture handed out, if decoding has
    /// started; frames already decoded and waiting count as handed out.
    fn emitted_until(&self) -> Option<u64> {
        match self.ready.front() {
            Some((index, _)) => Some(*index),
            None if self.first_packet.is_some() || self.last_slot.is_some() => {
                Some(self.emitter.next())
            }
            None => None,
        }
    }

    fn forget_quiet_before(&mut self, index: u64) {
        let keep = self.quiet.split_off(&index);
        let straddling = self.quiet.pop_last().filter(|&(_, last)| last >= index);
        self.quiet = keep;
        if let Some((first, last)) = straddling {
            self.quiet.insert(first, last);
        }
    }
}

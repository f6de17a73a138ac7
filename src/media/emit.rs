//! Places decoded pictures on the constant-rate timeline (see
//! [`super::timeline`] for the rule).

use ffmpeg::frame::Video;
use ffmpeg_next as ffmpeg;
use std::collections::VecDeque;

/// Turns pictures with slots into `(index, picture)` pairs in index order.
pub(crate) struct Emitter {
    held: Option<Video>,
    /// The next index to emit.
    next: u64,
    frame_count: u64,
    /// Fill every slot (full decoding) or emit each picture once (coarse).
    fill: bool,
    /// After a seek the first picture sets where emission starts.
    anchored: bool,
    /// Whether a picture was shown on more than one slot since the last
    /// (re)start: a gap in the stream, or a picture the decoder dropped.
    pub duplicated: bool,
}

impl Emitter {
    pub fn from_start(frame_count: u64, fill: bool) -> Self {
        Self {
            held: None,
            next: 0,
            frame_count,
            fill,
            anchored: true,
            duplicated: false,
        }
    }

    /// The next index to emit.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Forgets state after a seek: the next picture starts emission at its slot.
    pub fn restart(&mut self) {
        self.held = None;
        self.anchored = false;
        self.duplicated = false;
    }

    pub fn push(&mut self, slot: i64, picture: Video, out: &mut VecDeque<(u64, Video)>) {
        let last = self.frame_count.saturating_sub(1);
        let slot = u64::try_from(slot).unwrap_or(0).min(last);
        if !self.anchored {
            self.next = slot;
            self.anchored = true;
        }
        if !self.fill {
            if slot >= self.next {
                out.push_back((slot, picture));
                self.next = slot + 1;
            }
            return;
        }
        match self.held.take() {
            Some(held) => self.release(held, slot, out),
            // The first picture also covers any slots before it.
            None => self.release_copies(&picture, slot, out),
        }
        self.held = Some(picture);
    }

    /// Emits what is held for the remaining slots at end of stream.
    pub fn finish(&mut self, out: &mut VecDeque<(u64, Video)>) {
        if let Some(held) = self.held.take() {
            self.release(held, self.frame_count, out);
        }
    }

    /// Shows `held` on every slot before `until`; a picture whose slots were
    /// all taken by a later one is dropped, as FFmpeg's `fps` filter does.
    fn release(&mut self, held: Video, until: u64, out: &mut VecDeque<(u64, Video)>) {
        if self.next >= until {
            return;
        }
        self.release_copies(&held, until - 1, out);
        out.push_back((self.next, held));
        self.next += 1;
    }

    fn release_copies(&mut self, picture: &Video, until: u64, out: &mut VecDeque<(u64, Video)>) {
        while self.next < until {
            self.duplicated = true;
            out.push_back((self.next, reference(picture)));
            self.next += 1;
        }
    }
}

/// A second reference to the same picture buffers (no pixel copy).
fn reference(picture: &Video) -> Video {
    let mut copy = Video::empty();
    // SAFETY: both frames are valid; av_frame_ref adds a reference to the
    // source's buffers and copies its properties into the empty frame.
    let ret = unsafe { ffmpeg::ffi::av_frame_ref(copy.as_mut_ptr(), picture.as_ptr()) };
    if ret < 0 {
        // Out of memory for a frame header: fall back to a deep copy.
        return picture.clone();
    }
    copy
}

//! A sparse pass ([`DecodeMode::Sparse`]): the non-reference pictures of a
//! span are decoded only where the span's packets say something happens.
//!
//! In decode order a stream runs anchor, then the pictures presented before
//! it (B-frames), then the next anchor: `I0 P4 B2 b1 b3 P8 B6 b5 b7`. An
//! anchor is a packet presented after every packet before it; the packets
//! after it up to the next anchor make its *span* (they present between the
//! anchor before and it). The packets of a span are read ahead to the next
//! anchor, then sent with one setting: decoded in full where the span's
//! closing anchor is a keyframe or much larger than the anchors before it
//! (an encoder codes the first picture of a new shot largely from scratch:
//! [`BIG_ANCHOR`] times the median of the recent ones); elsewhere with
//! `skip_frame=noref`, so FFmpeg leaves out the pictures no other picture
//! references (in an x264 title, two B-frames of three). A reference
//! picture is always decoded: nothing later is decoded from a picture that
//! was not, whatever the codec or encoder.
//!
//! Deciding from packets costs nothing and needs no picture; where it lets
//! a transition through undecoded, shot detection decodes those frames
//! again ([`crate::shots::exact`]). On the x264 titles measured, rules
//! that also opened spans holding a large B-frame decoded 10 % more
//! pictures for no change in the shots found.

use ffmpeg::{Discard, Packet};
use ffmpeg_next as ffmpeg;
use std::collections::VecDeque;

/// A closing anchor at least this many times the median of the recent ones
/// opens its span in full.
pub(crate) const BIG_ANCHOR: usize = 3;
/// Recent sizes the median is taken over.
const HISTORY: usize = 32;
/// Sizes needed before a median is trusted; until then spans decode in full.
const WARM_UP: usize = 4;

/// Packets read ahead and the sizes that decide them.
#[derive(Default)]
pub(crate) struct Spans {
    /// Packets to send, each with the `skip_frame` it is sent with.
    pending: VecDeque<(Packet, Discard)>,
    /// The highest PTS read so far.
    max_pts: Option<i64>,
    /// The last anchor read: its size and whether it is a keyframe.
    anchor: Option<(usize, bool)>,
    /// Sizes of recent non-key anchors.
    anchors: Sizes,
    /// Spans read, and those decoded in full.
    pub spans: u64,
    pub full_spans: u64,
}

impl Spans {
    /// The next packet to send and its setting, if one is read ahead.
    pub fn pop(&mut self) -> Option<(Packet, Discard)> {
        self.pending.pop_front()
    }

    /// Takes the next packet read (in decode order): whether the caller
    /// should read on before sending (the packet belongs to a span whose
    /// end is not read yet).
    pub fn push(&mut self, packet: Packet) -> bool {
        let presented_last = match (packet.pts(), self.max_pts) {
            (Some(pts), Some(max)) => pts > max,
            (Some(_), None) => true,
            // No timestamp: nothing says where it presents, so it closes
            // what was read and goes in full.
            (None, _) => true,
        };
        if !presented_last {
            self.pending.push_back((packet, Discard::NonReference));
            return true;
        }
        self.max_pts = self.max_pts.max(packet.pts());
        self.close_span();
        let size = packet.size();
        let key = packet.is_key();
        self.pending.push_back((packet, Discard::Default));
        self.anchor = Some((size, key));
        false
    }

    /// The end of the stream: the last span is decided as it stands.
    pub fn finish(&mut self) {
        self.close_span();
    }

    /// Decides the span read since the last anchor (all of `pending` but
    /// packets already decided) and records its sizes.
    fn close_span(&mut self) {
        let start = self
            .pending
            .iter()
            .rposition(|(_, d)| *d == Discard::Default)
            .map_or(0, |i| i + 1);
        if start == self.pending.len() {
            return;
        }
        let Some((anchor_size, key)) = self.anchor else {
            // Pictures before any anchor (a stream opening on B-frames).
            self.set(start, Discard::Default);
            return;
        };
        let full = key || self.anchors.big(anchor_size);
        if !key {
            self.anchors.push(anchor_size);
        }
        self.spans += 1;
        if full {
            self.full_spans += 1;
            self.set(start, Discard::Default);
        }
    }

    fn set(&mut self, start: usize, discard: Discard) {
        for (_, d) in self.pending.range_mut(start..) {
            *d = discard;
        }
    }
}

/// Recent packet sizes.
#[derive(Default)]
struct Sizes(VecDeque<usize>);

impl Sizes {
    fn push(&mut self, size: usize) {
        if self.0.len() == HISTORY {
            self.0.pop_front();
        }
        self.0.push_back(size);
    }

    /// Whether `size` is [`BIG_ANCHOR`] times the median of the recent sizes
    /// (always, before there are enough of them to trust).
    fn big(&self, size: usize) -> bool {
        if self.0.len() < WARM_UP {
            return true;
        }
        let mut sorted: Vec<usize> = self.0.iter().copied().collect();
        sorted.sort_unstable();
        size >= BIG_ANCHOR * sorted[sorted.len() / 2]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(pts: i64, size: usize, key: bool) -> Packet {
        let mut p = Packet::new(size);
        p.set_pts(Some(pts));
        if key {
            p.set_flags(ffmpeg::packet::Flags::KEY);
        }
        p
    }

    /// Pushes a stream in decode order and returns (pts, decoded in full)
    /// in send order.
    fn run(stream: &[(i64, usize, bool)]) -> Vec<(i64, bool)> {
        let mut spans = Spans::default();
        let mut out = Vec::new();
        for &(pts, size, key) in stream {
            if !spans.push(packet(pts, size, key)) {
                while let Some((p, d)) = spans.pop() {
                    out.push((p.pts().unwrap_or(-1), d == Discard::Default));
                }
            }
        }
        spans.finish();
        while let Some((p, d)) = spans.pop() {
            out.push((p.pts().unwrap_or(-1), d == Discard::Default));
        }
        out
    }

    /// An IBBBP stream: anchors every 4 frames, B-frames of `b` bytes,
    /// anchors of `p` bytes, the anchor presenting at `big` of `big_size`.
    fn stream(anchors: i64, big: i64, big_size: usize) -> Vec<(i64, usize, bool)> {
        let mut s = vec![(0, 5000, true)];
        for a in 1..=anchors {
            let pts = 4 * a;
            s.push((pts, if pts == big { big_size } else { 1000 }, false));
            s.extend([
                (pts - 2, 300, false),
                (pts - 3, 200, false),
                (pts - 1, 200, false),
            ]);
        }
        s
    }

    #[test]
    fn a_span_is_decoded_in_full_only_where_its_closing_anchor_stands_out() {
        let sent = run(&stream(12, 40, 3000));
        // Every packet is sent once, in decode order.
        assert_eq!(sent.len(), 1 + 12 * 4);
        let full: Vec<i64> = sent.iter().filter(|(_, f)| *f).map(|(p, _)| *p).collect();
        // Anchors always; the spans before the median is known (anchors 4
        // to 16, whose closing anchors are the first four P-frames); the
        // span closed by the big anchor at 40.
        for a in 0..=12 {
            assert!(full.contains(&(4 * a)), "anchor {} {full:?}", 4 * a);
        }
        for b in [13, 14, 15, 37, 38, 39] {
            assert!(full.contains(&b), "{b} {full:?}");
        }
        for b in [17, 18, 19, 33, 34, 35, 41, 42, 43] {
            assert!(!full.contains(&b), "{b} {full:?}");
        }
    }

    #[test]
    fn a_keyframe_opens_the_span_before_it() {
        let mut s = stream(10, -1, 0);
        let at = s.iter().position(|&(p, _, _)| p == 32).unwrap();
        s[at].2 = true;
        let full: Vec<i64> = run(&s)
            .into_iter()
            .filter(|(_, f)| *f)
            .map(|(p, _)| p)
            .collect();
        assert!(full.contains(&29) && full.contains(&31));
        assert!(!full.contains(&25) && !full.contains(&35));
    }
}

//! Sequential decoding onto the canonical timeline.

use super::emit::Emitter;
use super::error::MediaError;
use super::probe::{open_input, MediaInfo};
use super::stream;
use super::timeline::Timeline;
use ffmpeg::format::context::Input;
use ffmpeg::frame::Video;
use ffmpeg::Packet;
use ffmpeg_next as ffmpeg;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// Damaged pictures skipped in a row before decoding gives up.
pub(crate) const MAX_DAMAGED_PICTURES: usize = 16;

/// How much of the stream to decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DecodeMode {
    /// Every frame, each slot of the timeline filled.
    #[default]
    Full,
    /// No B-frames (`skip_frame=bidir`) and no deblocking: only I- and
    /// P-frames, which no B-frame is needed for, are decoded, for a quick
    /// coarse pass. Frames keep their true indices; the indices in between
    /// are simply not emitted.
    Coarse,
    /// Every picture but those of packets inside the spans marked quiet
    /// ([`Decoder::mark_quiet`]), no deblocking, each picture emitted once
    /// at its true index: refines a coarse pass where it saw change
    /// ([`Decoder::frames_between`]).
    Refine,
    /// Every frame, each slot filled, with the in-loop deblocking filter
    /// skipped (`skip_loop_filter=all`): pictures carry a little blocking
    /// that analysis at thumbnail size cannot see, for about a fifth less
    /// decoding time. Shot detection reads titles this way.
    Scan,
    /// As [`DecodeMode::Scan`], but the pictures no other picture references
    /// are decoded only in the spans whose packets say something happens
    /// there (`media::sparse`); each decoded picture is emitted once at
    /// its true index, the indices left out simply not emitted.
    Sparse,
}

impl DecodeMode {
    /// Whether every slot of the timeline is emitted (held pictures
    /// repeated), or each decoded picture once.
    pub(crate) fn fills(self) -> bool {
        matches!(self, DecodeMode::Full | DecodeMode::Scan)
    }
}

/// One frame of the canonical timeline, as decoded (native pixel format).
pub struct DecodedFrame {
    /// 0-based index on the title's constant-rate timeline.
    pub index: u64,
    /// The PTS FFmpeg gave the picture (best-effort timestamp), in the
    /// stream's time base.
    pub pts: i64,
    /// SMPTE timecode of `index` from the title's start timecode.
    pub timecode: String,
    pub frame: Video,
}

/// Pictures decoded by every decoder of this process (seeks' pre-roll
/// and probing included): what "each title decoded once" is checked by.
static DECODED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Counts one picture out of a decoder.
pub(crate) fn count_decoded() {
    DECODED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// Pictures decoded by this process so far.
pub fn decoded_pictures() -> u64 {
    DECODED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Decodes one title's video stream, frame by frame, in index order.
pub struct Decoder {
    pub(crate) path: PathBuf,
    pub(crate) info: MediaInfo,
    pub(crate) timeline: Timeline,
    pub(crate) input: Input,
    pub(crate) stream_index: usize,
    pub(crate) decoder: ffmpeg::decoder::Video,
    pub(crate) emitter: Emitter,
    pub(crate) ready: VecDeque<(u64, Video)>,
    pub(crate) mode: DecodeMode,
    pub(crate) sent_eof: bool,
    pub(crate) drained: bool,
    /// PTS and DTS of the first packet decoded since the last seek (a keyframe).
    pub(crate) first_packet: Option<(i64, i64)>,
    /// After a seek: drop pictures presenting before that first packet.
    pub(crate) skip_leading: bool,
    /// Where timestamps are unreliable: the slot of the next output picture.
    pub(crate) next_ordinal: Option<i64>,
    /// The slot of the last picture placed: a picture the decoder gives no
    /// timestamp (the last of an MPEG-PS stream) follows it.
    pub(crate) last_slot: Option<i64>,
    /// [`DecodeMode::Refine`]: first → last slot of the spans whose
    /// packets are not decoded.
    pub(crate) quiet: std::collections::BTreeMap<u64, u64>,
    /// [`DecodeMode::Refine`]: the latest slot whose packet was read (and
    /// decoded or left out), and whether a slot at or before it was unmarked
    /// quiet since, so that its packet must be read again.
    pub(crate) read_slot: Option<u64>,
    pub(crate) reread: bool,
    /// [`DecodeMode::Sparse`]: the packets read ahead to the end of a span.
    pub(crate) spans: super::sparse::Spans,
    /// Pictures this decoder has decoded.
    pub(crate) pictures: u64,
}

impl Decoder {
    /// Opens `path`, whose [`MediaInfo`] came from [`super::probe`].
    pub fn open(path: &Path, info: MediaInfo, mode: DecodeMode) -> Result<Self, MediaError> {
        let input = open_input(path)?;
        let video = stream::select_video(path, &input)?;
        let stream = input
            .stream(video.index)
            .ok_or_else(|| MediaError::decode(path, "the video stream disappeared"))?;
        let hardware = matches!(
            mode,
            DecodeMode::Scan | DecodeMode::Coarse | DecodeMode::Sparse
        );
        let mut decoder = if mode == DecodeMode::Refine {
            stream::open_single_decoder(path, &stream)?
        } else {
            stream::open_threaded_decoder(path, &stream, mode != DecodeMode::Full, hardware)?
        };
        if mode == DecodeMode::Coarse {
            decoder.skip_frame(ffmpeg::Discard::Bidirectional);
        }
        let timeline = info.timeline();
        Ok(Self {
            path: path.to_path_buf(),
            emitter: Emitter::from_start(timeline.frame_count, mode.fills()),
            timeline,
            info,
            input,
            stream_index: video.index,
            decoder,
            ready: VecDeque::new(),
            mode,
            sent_eof: false,
            drained: false,
            first_packet: None,
            skip_leading: false,
            next_ordinal: None,
            last_slot: None,
            quiet: std::collections::BTreeMap::new(),
            read_slot: None,
            reread: false,
            spans: super::sparse::Spans::default(),
            pictures: 0,
        })
    }

    /// Probes and opens in one step.
    pub fn probe_and_open(path: &Path, mode: DecodeMode) -> Result<Self, MediaError> {
        let info = super::probe(path)?;
        Self::open(path, info, mode)
    }

    pub fn info(&self) -> &MediaInfo {
        &self.info
    }

    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// Pictures decoded so far (seeks' pre-roll included).
    pub fn pictures(&self) -> u64 {
        self.pictures
    }

    /// The next frame in index order, `None` after the last.
    pub fn next_frame(&mut self) -> Option<Result<DecodedFrame, MediaError>> {
        loop {
            if let Some((index, frame)) = self.ready.pop_front() {
                return Some(Ok(self.wrap(index, frame)));
            }
            if self.drained {
                return None;
            }
            if let Err(e) = crate::busy::timed(crate::busy::Stage::Decode, || self.decode_more()) {
                self.drained = true;
                return Some(Err(e));
            }
        }
    }

    pub(crate) fn wrap(&self, index: u64, frame: Video) -> DecodedFrame {
        DecodedFrame {
            index,
            pts: frame
                .timestamp()
                .unwrap_or_else(|| self.timeline.pts_of(index)),
            timecode: self.timeline.timecode_at(index),
            frame,
        }
    }

    /// Decodes until at least one frame is ready or the stream is drained.
    pub(crate) fn decode_more(&mut self) -> Result<(), MediaError> {
        while self.ready.is_empty() && !self.drained {
            match self.receive()? {
                Some(frame) => self.accept(frame),
                None if self.sent_eof => {
                    self.drained = true;
                    self.emitter.finish(&mut self.ready);
                }
                None => self.feed()?,
            }
        }
        Ok(())
    }

    /// Hands a decoded picture to the emitter, which places it on the timeline.
    pub(crate) fn accept(&mut self, frame: Video) {
        if !self.timeline.pts_reliable {
            let slot = self.ordinal_slot();
            self.emitter.push(slot, frame, &mut self.ready);
            return;
        }
        let slot = match (frame.timestamp().or(frame.pts()), self.last_slot) {
            (Some(pts), _) => {
                let leading =
                    self.skip_leading && self.first_packet.is_some_and(|(key, _)| pts < key);
                if leading {
                    return;
                }
                self.timeline.slot(pts)
            }
            (None, Some(last)) => last.saturating_add(1),
            (None, None) => {
                tracing::debug!(path = %self.path.display(), "frame without timestamp skipped");
                return;
            }
        };
        self.last_slot = Some(slot);
        self.emitter.push(slot, frame, &mut self.ready);
    }

    /// Output order numbering, from the slot of the keyframe decoding
    /// started at (the start of the file, or the keyframe a seek found).
    fn ordinal_slot(&mut self) -> i64 {
        let start = || match self.first_packet {
            Some((_, dts)) if self.skip_leading => self.timeline.slot(dts),
            _ => 0,
        };
        let slot = self.next_ordinal.unwrap_or_else(start);
        self.next_ordinal = Some(slot.saturating_add(1));
        slot
    }

    /// The next picture the decoder has ready. A picture it cannot rebuild
    /// from damaged data (a file cut off mid-packet) is skipped with a
    /// warning, as FFmpeg does; its slot shows the picture before.
    fn receive(&mut self) -> Result<Option<Video>, MediaError> {
        let mut frame = Video::empty();
        for _ in 0..MAX_DAMAGED_PICTURES {
            match self.decoder.receive_frame(&mut frame) {
                Ok(()) => {
                    count_decoded();
                    self.pictures += 1;
                    return super::hw::to_system(frame)
                        .map(Some)
                        .map_err(|e| MediaError::decode(&self.path, e));
                }
                Err(ffmpeg::Error::Eof) => return Ok(None),
                Err(ffmpeg::Error::Other { errno }) if errno == ffmpeg::util::error::EAGAIN => {
                    return Ok(None)
                }
                Err(ffmpeg::Error::InvalidData) => {
                    tracing::warn!(path = %self.path.display(), "a damaged picture was skipped");
                }
                Err(e) => return Err(MediaError::decode(&self.path, e)),
            }
        }
        Err(MediaError::decode(
            &self.path,
            format!("{MAX_DAMAGED_PICTURES} damaged pictures in a row"),
        ))
    }

    /// Sends the next packet of the video stream, or end-of-stream.
    fn feed(&mut self) -> Result<(), MediaError> {
        if self.mode == DecodeMode::Sparse {
            return self.feed_sparse();
        }
        match self.read_packet() {
            Some(packet) => self.send(&packet),
            None => self.send_eof(),
        }
    }

    /// [`DecodeMode::Sparse`]: reads ahead to the end of a span, then sends
    /// its packets one by one, each with the `skip_frame` chosen for it.
    fn feed_sparse(&mut self) -> Result<(), MediaError> {
        if let Some((packet, discard)) = self.spans.pop() {
            self.decoder.skip_frame(discard);
            return self.send(&packet);
        }
        loop {
            let Some(packet) = self.read_packet() else {
                self.spans.finish();
                return match self.spans.pop() {
                    Some((packet, discard)) => {
                        self.decoder.skip_frame(discard);
                        self.send(&packet)
                    }
                    None => {
                        let (spans, full) = (self.spans.spans, self.spans.full_spans);
                        tracing::debug!(path = %self.path.display(), spans, full, "sparse pass read");
                        self.send_eof()
                    }
                };
            };
            if !self.spans.push(packet) {
                break;
            }
        }
        self.feed_sparse()
    }

    /// The next packet of the video stream, `None` at its end.
    fn read_packet(&mut self) -> Option<Packet> {
        let mut packet = Packet::empty();
        loop {
            match packet.read(&mut self.input) {
                Ok(()) if packet.stream() != self.stream_index => continue,
                // After a seek, decoding starts at a keyframe.
                Ok(()) if self.skip_leading && self.first_packet.is_none() && !packet.is_key() => {
                    continue
                }
                Ok(()) if self.mode == DecodeMode::Refine && self.note_read(&packet) => continue,
                Ok(()) => return Some(packet),
                Err(ffmpeg::Error::InvalidData) => continue,
                Err(ffmpeg::Error::Eof) => return None,
                Err(e) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "read error; treating as end of stream");
                    return None;
                }
            }
        }
    }

    /// Sends one packet to the decoder; a corrupt one is skipped.
    fn send(&mut self, packet: &Packet) -> Result<(), MediaError> {
        if self.first_packet.is_none() {
            let pts = packet.pts().or(packet.dts()).unwrap_or(i64::MIN);
            self.first_packet = Some((pts, packet.dts().unwrap_or(pts)));
        }
        match self.decoder.send_packet(packet) {
            Ok(()) => Ok(()),
            Err(ffmpeg::Error::InvalidData) => {
                tracing::warn!(path = %self.path.display(), pts = ?packet.pts(), "corrupt packet skipped");
                Ok(())
            }
            Err(e) => Err(MediaError::decode(&self.path, e)),
        }
    }

    fn send_eof(&mut self) -> Result<(), MediaError> {
        self.sent_eof = true;
        self.decoder
            .send_eof()
            .map_err(|e| MediaError::decode(&self.path, e))
    }
}

impl Iterator for Decoder {
    type Item = Result<DecodedFrame, MediaError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame()
    }
}

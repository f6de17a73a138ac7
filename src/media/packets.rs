//! Demux-only passes over a video stream's packets: where the timeline starts,
//! where it ends, and whether frame durations vary. No decoding happens here.

use ffmpeg::format::context::Input;
use ffmpeg::Packet;
use ffmpeg_next as ffmpeg;

/// Packets looked at to find the first PTS and the frame spacing.
const HEAD_PACKETS: usize = 240;

/// What the start of a stream says about its timestamps.
#[derive(Debug, Default)]
pub(crate) struct Head {
    /// Lowest PTS among the first packets (the first presented frame).
    pub first_pts: Option<i64>,
    /// PTS values of the first packets, sorted (presentation order).
    pub sorted_pts: Vec<i64>,
    /// Packets among those that an edit list trims away (never presented).
    pub discarded: u64,
    /// Presented packets among those that carry no PTS (MPEG-PS and -TS
    /// muxers stamp only some); they hold pictures all the same.
    pub missing_pts: u64,
}

/// What the end of a stream says, from the packets read after a seek.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    pub last_pts: Option<i64>,
    /// The PTS of the presented packets from the first keyframe read on,
    /// in file order (the GOP before it may have been read only in part).
    pub pts: Vec<i64>,
    /// Presented packets read that carry no PTS.
    pub missing_pts: u64,
    /// The first keyframe read: its DTS (or PTS), where decoding can start.
    pub first_key: Option<i64>,
}

/// How a packet's picture appears on the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp {
    /// Presented at this PTS.
    Pts(i64),
    /// Presented, but the container gave it no PTS.
    Unstamped,
    /// Never presented: an MP4 edit list trims it away.
    Discarded,
}

/// Whether and when a packet is presented. FFmpeg marks packets outside an
/// MP4 edit list with `AV_PKT_FLAG_DISCARD`, and the decoder drops their
/// frames. The flag is read from the packet itself: ffmpeg-next's
/// `Packet::flags` knows only `KEY` and `CORRUPT` and truncates every other
/// bit away. A DTS never stands in for a missing PTS: with B-frames it is
/// another picture's time.
pub(crate) fn stamp(packet: &Packet) -> Stamp {
    use ffmpeg::packet::Ref;
    // SAFETY: `as_ptr` points at the AVPacket `packet` owns, alive for the
    // borrow; only its `flags` field is read.
    let flags = unsafe { (*packet.as_ptr()).flags };
    if flags & ffmpeg::ffi::AV_PKT_FLAG_DISCARD != 0 {
        return Stamp::Discarded;
    }
    packet.pts().map_or(Stamp::Unstamped, Stamp::Pts)
}

/// Reads the first packets of `stream` from the current position.
pub(crate) fn scan_head(input: &mut Input, stream: usize) -> Head {
    let mut head = Head::default();
    let mut pts = Vec::with_capacity(HEAD_PACKETS);
    let mut dts = Vec::new();
    for (_, packet) in input.packets().filter(|(s, _)| s.index() == stream) {
        match stamp(&packet) {
            Stamp::Pts(p) => pts.push(p),
            Stamp::Unstamped => head.missing_pts += 1,
            Stamp::Discarded => head.discarded += 1,
        }
        if let Some(d) = packet.dts() {
            dts.push(d);
        }
        if pts.len() as u64 + head.missing_pts >= HEAD_PACKETS as u64 {
            break;
        }
    }
    // Elementary streams stamp decode times only: those are the timeline.
    if pts.len() < 2 && dts.len() > pts.len() {
        head.missing_pts = 0;
        pts = dts;
    }
    pts.sort_unstable();
    head.first_pts = pts.first().copied();
    head.sorted_pts = pts;
    head
}

/// Reads every remaining packet of `stream` from the current position.
pub(crate) fn scan_rest(input: &mut Input, stream: usize) -> Tail {
    let mut tail = Tail::default();
    for (s, packet) in input.packets() {
        if s.index() != stream {
            continue;
        }
        let stamp = stamp(&packet);
        if stamp == Stamp::Discarded {
            continue;
        }
        if tail.first_key.is_none() && packet.is_key() {
            tail.first_key = packet.dts().or(packet.pts());
        }
        match stamp {
            Stamp::Pts(pts) => {
                if tail.first_key.is_some() {
                    tail.pts.push(pts);
                }
                tail.last_pts = Some(tail.last_pts.map_or(pts, |m| m.max(pts)));
            }
            _ => tail.missing_pts += 1,
        }
    }
    tail
}

/// Seeks `stream` to the keyframe at or before `ts` (in the stream's time base).
pub(crate) fn seek_before(input: &mut Input, stream: usize, ts: i64) -> Result<(), ffmpeg::Error> {
    let stream = i32::try_from(stream).map_err(|_| ffmpeg::Error::StreamNotFound)?;
    // SAFETY: `input` owns a valid, open AVFormatContext for the whole call.
    let ret =
        unsafe { ffmpeg::ffi::avformat_seek_file(input.as_mut_ptr(), stream, i64::MIN, ts, ts, 0) };
    if ret < 0 {
        Err(ffmpeg::Error::from(ret))
    } else {
        Ok(())
    }
}

/// Seeks back to the start of the file.
pub(crate) fn rewind(
    input: &mut Input,
    stream: usize,
    first_pts: i64,
) -> Result<(), ffmpeg::Error> {
    seek_before(input, stream, first_pts).or_else(|_| {
        // SAFETY: as above; a byte seek to 0 is valid for every seekable input.
        let ret = unsafe {
            ffmpeg::ffi::av_seek_frame(input.as_mut_ptr(), -1, 0, ffmpeg::ffi::AVSEEK_FLAG_BYTE)
        };
        if ret < 0 {
            Err(ffmpeg::Error::from(ret))
        } else {
            Ok(())
        }
    })
}

/// How the first frames are spaced in time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spacing {
    /// The mean distance between consecutive frames, in time-base ticks.
    pub mean_ticks: f64,
    /// Whether every distance is within half the median distance of a whole
    /// number of medians, and the frames without a PTS fill the wider gaps.
    pub uniform: bool,
    /// The shortest distance between two frames.
    pub min_ticks: i64,
}

/// The spacing of the first frames, or `None` with fewer than three frames.
pub(crate) fn spacing(head: &Head) -> Option<Spacing> {
    // The last packets read may still miss B-frames that sort between them.
    let settled = head
        .sorted_pts
        .len()
        .saturating_sub(8)
        .max(head.sorted_pts.len().min(3));
    let pts = &head.sorted_pts[..settled];
    let deltas: Vec<i64> = pts
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&d| d > 0)
        .collect();
    if deltas.len() < 2 {
        return None;
    }
    let mut sorted = deltas.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2] as f64;
    // How many frame durations each gap spans, and how far off it is.
    let steps = deltas.iter().map(|&d| {
        let k = (d as f64 / median).round().max(1.0);
        (k, (d as f64 - k * median).abs())
    });
    let (slots, within) = steps.fold((0.0, true), |(n, ok), (k, off)| {
        (n + k, ok && off <= 0.5 * median)
    });
    // A gap of k durations is k - 1 pictures whose packets carry no PTS.
    let unstamped_gaps = slots - deltas.len() as f64;
    let uniform = within && unstamped_gaps <= head.missing_pts as f64;
    let span = (pts[pts.len() - 1] - pts[0]) as f64;
    Some(Spacing {
        mean_ticks: span / slots,
        uniform,
        min_ticks: sorted[0],
    })
}

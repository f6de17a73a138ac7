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
    /// Whether those PTS values already rise in file (decode) order.
    pub pts_in_decode_order: bool,
    /// Packets among those that an edit list trims away (never presented).
    pub discarded: u64,
}

/// What the end of a stream says: its last PTS and how many packets were read.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    pub last_pts: Option<i64>,
    pub packets: u64,
}

/// Whether a packet is presented: FFmpeg marks packets outside an MP4 edit list
/// with `AV_PKT_FLAG_DISCARD`, and the decoder drops their frames. The flag
/// is read from the packet itself: ffmpeg-next's `Packet::flags` knows only
/// `KEY` and `CORRUPT` and truncates every other bit away.
pub(crate) fn presented_pts(packet: &Packet) -> Option<i64> {
    use ffmpeg::packet::Ref;
    // SAFETY: `as_ptr` points at the AVPacket `packet` owns, alive for the
    // borrow; only its `flags` field is read.
    let flags = unsafe { (*packet.as_ptr()).flags };
    let discard = flags & ffmpeg::ffi::AV_PKT_FLAG_DISCARD != 0;
    if discard {
        None
    } else {
        packet.pts().or(packet.dts())
    }
}

/// Reads the first packets of `stream` from the current position.
pub(crate) fn scan_head(input: &mut Input, stream: usize) -> Head {
    let (mut pts, mut discarded) = (Vec::with_capacity(HEAD_PACKETS), 0);
    for (_, packet) in input.packets().filter(|(s, _)| s.index() == stream) {
        match presented_pts(&packet) {
            Some(p) => pts.push(p),
            None => discarded += 1,
        }
        if pts.len() == HEAD_PACKETS {
            break;
        }
    }
    let pts_in_decode_order = pts.windows(2).all(|w| w[0] < w[1]);
    pts.sort_unstable();
    Head {
        first_pts: pts.first().copied(),
        sorted_pts: pts,
        pts_in_decode_order,
        discarded,
    }
}

/// Reads every remaining packet of `stream` from the current position.
pub(crate) fn scan_rest(input: &mut Input, stream: usize) -> Tail {
    let mut tail = Tail::default();
    for (s, packet) in input.packets() {
        if s.index() != stream {
            continue;
        }
        if let Some(pts) = presented_pts(&packet) {
            tail.packets += 1;
            tail.last_pts = Some(tail.last_pts.map_or(pts, |m| m.max(pts)));
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
    /// Whether every distance is within half the median distance of it.
    pub uniform: bool,
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
    let mut deltas: Vec<i64> = pts
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|&d| d > 0)
        .collect();
    if deltas.len() < 2 {
        return None;
    }
    deltas.sort_unstable();
    let median = deltas[deltas.len() / 2] as f64;
    let uniform = deltas
        .iter()
        .all(|&d| (d as f64 - median).abs() <= 0.5 * median);
    let span = (pts[pts.len() - 1] - pts[0]) as f64;
    Some(Spacing {
        mean_ticks: span / (pts.len() - 1) as f64,
        uniform,
    })
}

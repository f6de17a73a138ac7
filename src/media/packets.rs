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
}

/// What the end of a stream says: its last PTS and how many packets were read.
#[derive(Debug, Default)]
pub(crate) struct Tail {
    pub last_pts: Option<i64>,
    pub packets: u64,
}

/// Whether a packet is presented: FFmpeg marks packets outside an MP4 edit list
/// with `AV_PKT_FLAG_DISCARD`, and the decoder drops their frames.
pub(crate) fn presented_pts(packet: &Packet) -> Option<i64> {
    let discard = packet.flags().bits() & ffmpeg::ffi::AV_PKT_FLAG_DISCARD != 0;
    if discard {
        None
    } else {
        packet.pts().or(packet.dts())
    }
}

/// Reads the first packets of `stream` from the current position.
pub(crate) fn scan_head(input: &mut Input, stream: usize) -> Head {
    let mut pts: Vec<i64> = input
        .packets()
        .filter(|(s, _)| s.index() == stream)
        .filter_map(|(_, p)| presented_pts(&p))
        .take(HEAD_PACKETS)
        .collect();
    pts.sort_unstable();
    Head {
        first_pts: pts.first().copied(),
        sorted_pts: pts,
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

/// Whether the spacing of the first frames varies by more than half a frame
/// at `frames_per_tick` frames per time-base tick.
pub(crate) fn spacing_varies(head: &Head, ticks_per_frame: f64) -> bool {
    // The last packets read may still miss B-frames that sort between them.
    let settled = head.sorted_pts.len().saturating_sub(8);
    head.sorted_pts[..settled]
        .windows(2)
        .map(|w| (w[1] - w[0]) as f64 / ticks_per_frame)
        .any(|frames| (frames - 1.0).abs() > 0.5)
}

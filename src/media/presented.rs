//! What the decoder presents, where the packets alone cannot say: the first
//! picture (a stream cut from mid-GOP starts with leading pictures the
//! decoder cannot rebuild and drops), whether the container's PTS rise in
//! presentation order, and the last pictures of a stream whose packets carry
//! no PTS (MPEG-PS and -TS muxers stamp only some).
//!
//! Only a few pictures are decoded: the first ones, and from the last
//! keyframe on when the tail's packets are unstamped.

use super::decode::MAX_DAMAGED_PICTURES;
use super::error::MediaError;
use super::packets;
use super::stream::{self, VideoStream};
use ffmpeg::format::context::Input;
use ffmpeg::frame::Video;
use ffmpeg_next as ffmpeg;
use std::path::Path;

/// Pictures decoded at the start of a stream.
const HEAD_PICTURES: usize = 12;
/// Packets fed at most to get them (a long open GOP's dropped leaders).
const HEAD_PACKET_LIMIT: usize = 600;

/// The first pictures the decoder presents.
#[derive(Debug, Default)]
pub(crate) struct FirstPictures {
    /// The lowest timestamp among them: where the timeline starts.
    pub first_pts: Option<i64>,
    /// Whether their timestamps rise in the order the decoder outputs them;
    /// when they do not, the container stamped decode order.
    pub rising: bool,
}

/// Decodes the first pictures of the file's video stream.
pub(crate) fn first_pictures(
    path: &Path,
    video: &VideoStream,
) -> Result<FirstPictures, MediaError> {
    let mut input = super::probe::open_input(path)?;
    let pictures = decode_stamps(path, &mut input, video, HEAD_PICTURES, HEAD_PACKET_LIMIT)?;
    // The container's own PTS, as the decoder passes them through: FFmpeg's
    // best-effort timestamp would mend their order by the DTS.
    let container: Vec<i64> = pictures.iter().filter_map(|p| p.pts).collect();
    Ok(FirstPictures {
        first_pts: pictures.iter().filter_map(|p| p.best_effort).min(),
        rising: container.windows(2).all(|w| w[0] < w[1]),
    })
}

/// The timestamps of every picture from the keyframe at or before `from`
/// (a DTS or PTS) to the end of the stream, sorted. A picture the decoder
/// gives no timestamp (the last one of an MPEG-PS stream, flushed at the
/// end) is taken to follow the one before it by `frame_ticks`.
pub(crate) fn last_pictures(
    path: &Path,
    input: &mut Input,
    video: &VideoStream,
    from: i64,
    frame_ticks: i64,
) -> Result<Vec<i64>, MediaError> {
    packets::seek_before(input, video.index, from).map_err(|e| MediaError::decode(path, e))?;
    let mut previous = None;
    let mut stamps: Vec<i64> = decode_stamps(path, input, video, usize::MAX, usize::MAX)?
        .into_iter()
        .filter_map(|p| {
            let ts = p
                .best_effort
                .or_else(|| previous.map(|p: i64| p.saturating_add(frame_ticks)));
            previous = ts.or(previous);
            ts
        })
        .collect();
    stamps.sort_unstable();
    stamps.dedup();
    Ok(stamps)
}

/// Decodes from the current position, returning each picture's best-effort
/// timestamp in output order; stops after `pictures` pictures, `packets`
/// packets or at the end of the stream.
fn decode_stamps(
    path: &Path,
    input: &mut Input,
    video: &VideoStream,
    pictures: usize,
    packets: usize,
) -> Result<Vec<Stamps>, MediaError> {
    let stream = input
        .stream(video.index)
        .ok_or_else(|| MediaError::decode(path, "the video stream disappeared"))?;
    let mut decoder = stream::open_threaded_decoder(path, &stream, true, false)?;
    let mut stamps = Vec::new();
    let mut fed = 0;
    for (s, packet) in input.packets() {
        if s.index() != video.index {
            continue;
        }
        // A corrupt packet is skipped here as in decoding proper.
        if decoder.send_packet(&packet).is_ok() {
            fed += 1;
        }
        receive(&mut decoder, &mut stamps);
        if stamps.len() >= pictures || fed >= packets {
            return Ok(stamps);
        }
    }
    if decoder.send_eof().is_ok() {
        receive(&mut decoder, &mut stamps);
    }
    Ok(stamps)
}

/// A decoded picture's timestamps.
struct Stamps {
    /// FFmpeg's best-effort timestamp (the PTS, or mended from the DTS).
    best_effort: Option<i64>,
    /// The PTS its packet carried.
    pts: Option<i64>,
}

/// Takes every picture the decoder has ready. A picture it fails to
/// rebuild (a damaged packet) is skipped and the rest still come.
fn receive(decoder: &mut ffmpeg::decoder::Video, stamps: &mut Vec<Stamps>) {
    let mut frame = Video::empty();
    for _ in 0..MAX_DAMAGED_PICTURES {
        loop {
            match decoder.receive_frame(&mut frame) {
                Ok(()) => {
                    super::decode::count_decoded();
                    stamps.push(Stamps {
                        best_effort: frame.timestamp().or(frame.pts()),
                        pts: frame.pts(),
                    });
                }
                Err(ffmpeg::Error::Eof) => return,
                Err(ffmpeg::Error::Other { errno }) if errno == ffmpeg::util::error::EAGAIN => {
                    return
                }
                Err(_) => break,
            }
        }
    }
}

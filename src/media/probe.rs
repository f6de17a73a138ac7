//! `probe`: what a file is, and the timeline its frames are addressed on.

use super::error::{check_readable_file, MediaError};
use super::packets::{self, Head};
use super::rate::Rate;
use super::stream::{self, VideoStream};
use super::timecode::TimecodeTrack;
use super::timeline::Timeline;
use ffmpeg::format::context::Input;
use ffmpeg_next as ffmpeg;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Colour description of the video stream, as FFmpeg names it.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ColorInfo {
    /// YCbCr matrix (`bt709`, `bt470bg`, `smpte170m`, `bt2020nc`, … or `unknown`).
    pub matrix: String,
    /// `tv` (limited) or `pc` (full), or `unknown`.
    pub range: String,
    pub primaries: String,
    pub transfer: String,
}

/// Everything `matchcut probe` reports about one file.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MediaInfo {
    pub path: PathBuf,
    /// FFmpeg's demuxer name, e.g. `mov,mp4,m4a,3gp,3g2,mj2`.
    pub container: String,
    pub codec: String,
    pub width: u32,
    pub height: u32,
    /// Pixel aspect ratio `w:h`; `1:1` where the file does not say.
    pub sample_aspect_ratio: String,
    /// Clockwise degrees (0, 90, 180 or 270) to turn a decoded frame upright.
    pub rotation: u32,
    pub pixel_format: String,
    pub color: ColorInfo,
    /// Rate of the canonical timeline, exact (`"24000/1001"`).
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub frame_rate: Rate,
    #[cfg_attr(feature = "specta", specta(type = String))]
    pub time_base: Rate,
    /// Frames on the canonical timeline.
    pub frame_count: u64,
    /// `frame_count / frame_rate`.
    pub duration_secs: f64,
    pub variable_frame_rate: bool,
    /// Embedded start timecode (tmcd track or metadata); `;` marks drop frame.
    pub start_timecode: Option<String>,
    pub has_audio: bool,
    /// PTS of frame 0, in `time_base` units.
    pub first_pts: i64,
}

impl MediaInfo {
    /// One human-readable line: path, codec, size, rate, length, start timecode.
    pub fn summary(&self) -> String {
        let tc = self.start_timecode.as_deref().unwrap_or("00:00:00:00");
        let vfr = if self.variable_frame_rate { " VFR" } else { "" };
        let rotated = match self.rotation {
            0 => String::new(),
            r => format!(", rotated {r}°"),
        };
        format!(
            "{}: {} {}x{} {} @ {}{vfr}, {} frames, starts {tc}{rotated}",
            self.path.display(),
            self.codec,
            self.width,
            self.height,
            self.pixel_format,
            self.frame_rate,
            self.frame_count,
        )
    }

    /// The timeline that maps this title's PTS values to frame indices.
    pub fn timeline(&self) -> Timeline {
        Timeline {
            origin_pts: self.first_pts,
            time_base: self.time_base,
            rate: self.frame_rate,
            frame_count: self.frame_count,
            timecode: TimecodeTrack::new(self.frame_rate, self.start_timecode.as_deref()),
        }
    }
}

/// Opens a file with FFmpeg, mapping failures to a [`MediaError`] for it.
pub(crate) fn open_input(path: &Path) -> Result<Input, MediaError> {
    check_readable_file(path)?;
    ffmpeg::init().map_err(|e| MediaError::decode(path, e))?;
    ffmpeg::format::input(path).map_err(|e| match e {
        ffmpeg::Error::InvalidData | ffmpeg::Error::DemuxerNotFound => MediaError::NotMedia {
            path: path.to_path_buf(),
            reason:
                "FFmpeg recognises no video container in it; it may be truncated or not a video"
                    .into(),
        },
        ffmpeg::Error::Eof => MediaError::NoFrames {
            path: path.to_path_buf(),
        },
        other => MediaError::Unreadable {
            path: path.to_path_buf(),
            reason: other.to_string(),
        },
    })
}

/// Probes one file: container, stream facts, colour, timeline and timecode.
pub fn probe(path: &Path) -> Result<MediaInfo, MediaError> {
    let mut input = open_input(path)?;
    let video = stream::select_video(path, &input)?;
    let head = read_head(path, &mut input, &video)?;
    let first_pts = head.first_pts.ok_or_else(|| MediaError::NoFrames {
        path: path.to_path_buf(),
    })?;
    let (rate, variable) = timeline_rate(&video, &head);
    let last_pts = read_last_pts(path, &mut input, &video, first_pts)?;
    let mut info = describe(path, &input, &video, rate, variable, first_pts);
    let frame_count = info.timeline().slot(last_pts) as u64 + 1;
    check_not_truncated(path, &video, variable, frame_count)?;
    info.frame_count = frame_count;
    info.duration_secs = frame_count as f64 / rate.approx();
    Ok(info)
}

fn read_head(path: &Path, input: &mut Input, video: &VideoStream) -> Result<Head, MediaError> {
    let head = packets::scan_head(input, video.index);
    if head.first_pts.is_none() {
        return Err(MediaError::NoFrames {
            path: path.to_path_buf(),
        });
    }
    Ok(head)
}

/// The timeline rate and whether the stream is variable-rate.
///
/// A stream is variable-rate when FFmpeg's `r_frame_rate` (the lowest rate
/// at which every timestamp fits) and its average rate disagree by more than
/// 0.2 %, or when its first frames are spaced unevenly by more than half a
/// frame. The timeline runs at `r_frame_rate` when that is at most twice the
/// average and at most 120 fps (a constant-rate source with dropped or held
/// frames keeps its own rate); otherwise at the average rate snapped to the
/// nearest standard rate within 0.5 %.
fn timeline_rate(video: &VideoStream, head: &Head) -> (Rate, bool) {
    let (nominal, average) = match (video.r_frame_rate, video.avg_frame_rate) {
        (Some(r), Some(a)) => (r, a),
        (Some(r), None) => (r, r),
        (None, Some(a)) => (a, a),
        (None, None) => return (Rate::FALLBACK, true),
    };
    let ticks_per_frame =
        video.time_base.denom() as f64 / (video.time_base.numer() as f64 * nominal.approx());
    let variable =
        !nominal.close_to(average, 0.002) || packets::spacing_varies(head, ticks_per_frame);
    let keeps_nominal = nominal.approx() <= 2.0 * average.approx() && nominal.approx() <= 120.0;
    match (variable, keeps_nominal) {
        (false, _) | (true, true) => (nominal, variable),
        (true, false) => (average.snapped(), true),
    }
}

/// How far before the estimated end the tail read starts.
const TAIL_SECONDS: i64 = 5;

/// The highest PTS of the stream: read from the last keyframe when the file
/// can seek there, otherwise by reading every packet.
fn read_last_pts(
    path: &Path,
    input: &mut Input,
    video: &VideoStream,
    first_pts: i64,
) -> Result<i64, MediaError> {
    if let Some(end) = video.end_pts_estimate {
        // Some demuxers (MPEG-TS) land imprecisely when seeking right at the
        // end; seeking a few seconds earlier and reading on to the end is safe.
        let margin = video.time_base.denom() / video.time_base.numer().max(1) * TAIL_SECONDS;
        if packets::seek_before(input, video.index, end - margin).is_ok() {
            if let Some(last) = packets::scan_rest(input, video.index).last_pts {
                tracing::debug!(path = %path.display(), end, last, "last PTS from the tail");
                return Ok(last);
            }
        }
    }
    packets::rewind(input, video.index, first_pts).map_err(|e| MediaError::decode(path, e))?;
    packets::scan_rest(input, video.index)
        .last_pts
        .ok_or_else(|| MediaError::NoFrames {
            path: path.to_path_buf(),
        })
}

/// A constant-rate stream whose container indexes more frames than its
/// timestamps reach was cut short.
fn check_not_truncated(
    path: &Path,
    video: &VideoStream,
    variable: bool,
    frame_count: u64,
) -> Result<(), MediaError> {
    match video.container_frames {
        Some(indexed) if !variable && frame_count < indexed => Err(MediaError::Truncated {
            path: path.to_path_buf(),
            indexed,
            readable: frame_count,
        }),
        _ => Ok(()),
    }
}

fn describe(
    path: &Path,
    input: &Input,
    video: &VideoStream,
    rate: Rate,
    variable: bool,
    first_pts: i64,
) -> MediaInfo {
    MediaInfo {
        path: path.to_path_buf(),
        container: input.format().name().to_string(),
        codec: video.codec.clone(),
        width: video.width,
        height: video.height,
        sample_aspect_ratio: video.sample_aspect_ratio.clone(),
        rotation: video.rotation,
        pixel_format: video.pixel_format.clone(),
        color: video.color.clone(),
        frame_rate: rate,
        time_base: video.time_base,
        frame_count: 0,
        duration_secs: 0.0,
        variable_frame_rate: variable,
        start_timecode: stream::start_timecode(input, video.index),
        has_audio: input
            .streams()
            .any(|s| s.parameters().medium() == ffmpeg::media::Type::Audio),
        first_pts,
    }
}

//! `probe`: what a file is, and the timeline its frames are addressed on.

use super::error::{check_readable_file, MediaError};
use super::packets::{self, Head};
use super::presented;
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
    /// `false` when the container's timestamps are decode-order stamps (the
    /// first pictures the decoder outputs carry PTS that do not rise, as
    /// some MXF muxers write B-frames); frames are then numbered by their
    /// output order instead.
    pub pts_reliable: bool,
    /// Slots of the rate's clock that no picture shows near the end (a
    /// stream copy cut in decode order), left out of the timeline.
    #[serde(skip)]
    #[cfg_attr(feature = "specta", specta(skip))]
    pub holes: Vec<u64>,
    /// Set when the file was cut short: it is analysed up to its last
    /// frame that decodes.
    pub truncated: Option<Truncation>,
}

/// A file cut short (a copy or download that stopped): its container
/// indexes more frames than the file holds.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Truncation {
    /// Frames the container indexes.
    pub indexed: u64,
    /// Frames that decode, from frame 0: the timeline's length.
    pub readable: u64,
}

impl Truncation {
    /// One line naming the file and where it ends.
    pub fn warning(&self, path: &Path, timeline: &Timeline) -> String {
        let last = self.readable.saturating_sub(1);
        format!(
            "{}: truncated: the container indexes {} frames but the file ends after frame {last} ({}); analysing the {} frames that decode",
            path.display(),
            self.indexed,
            timeline.timecode_at(last),
            self.readable,
        )
    }
}

impl MediaInfo {
    /// One human-readable line: path, codec, size, rate, length, start timecode.
    pub fn summary(&self) -> String {
        let tc = self.start_timecode.as_deref().unwrap_or("00:00:00:00");
        let vfr = if self.variable_frame_rate { " VFR" } else { "" };
        let cut = match &self.truncated {
            Some(t) => format!(
                ", truncated ({} of {} indexed frames)",
                t.readable, t.indexed
            ),
            None => String::new(),
        };
        let rotated = match self.rotation {
            0 => String::new(),
            r => format!(", rotated {r}°"),
        };
        format!(
            "{}: {} {}x{} {} @ {}{vfr}, {} frames, starts {tc}{rotated}{cut}",
            self.path.display(),
            self.codec,
            self.width,
            self.height,
            self.pixel_format,
            self.frame_rate,
            self.frame_count,
        )
    }

    /// Bytes of one decoded picture in its native pixel format (what a
    /// frame in flight between decoding and analysis costs).
    pub fn frame_bytes(&self) -> usize {
        let (w, h) = (self.width as usize, self.height as usize);
        let Ok(name) = std::ffi::CString::new(self.pixel_format.as_str()) else {
            return w * h * 4;
        };
        // SAFETY: `name` is a valid C string; both calls only read their
        // arguments.
        let size = unsafe {
            let format = ffmpeg::ffi::av_get_pix_fmt(name.as_ptr());
            ffmpeg::ffi::av_image_get_buffer_size(format, self.width as i32, self.height as i32, 1)
        };
        usize::try_from(size)
            .ok()
            .filter(|&s| s > 0)
            .unwrap_or(w * h * 4)
    }

    /// The timeline that maps this title's PTS values to frame indices.
    pub fn timeline(&self) -> Timeline {
        Timeline {
            origin_pts: self.first_pts,
            time_base: self.time_base,
            rate: self.frame_rate,
            frame_count: self.frame_count,
            timecode: TimecodeTrack::new(self.frame_rate, self.start_timecode.as_deref()),
            pts_reliable: self.pts_reliable,
            holes: self.holes.clone(),
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
    let first = presented::first_pictures(path, &video)?;
    let first_pts = first
        .first_pts
        .or(head.first_pts)
        .ok_or_else(|| MediaError::NoFrames {
            path: path.to_path_buf(),
        })?;
    let (rate, variable) = timeline_rate(&video, &head);
    let mut info = describe(path, &input, &video, rate, variable, first_pts);
    info.pts_reliable = first.rising;
    let mut timeline = info.timeline();
    let end = read_end(path, &mut input, &video, &timeline)?;
    if info.pts_reliable && !variable {
        timeline.holes = end.holes(&timeline);
    }
    let frame_count = u64::try_from(timeline.slot(end.last_pts)).map_or(1, |s| s + 1);
    let frame_count = match truncation(&video, variable, frame_count, head.discarded) {
        Some(indexed) => {
            let readable = decodable_frames(path, &mut input, &video, &timeline, end.last_pts)?;
            let cut = Truncation { indexed, readable };
            tracing::warn!("{}", cut.warning(path, &timeline));
            info.truncated = Some(cut);
            readable
        }
        None => frame_count,
    };
    info.holes = timeline.holes;
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
/// The first frames' spacing decides between FFmpeg's two rates: the
/// `r_frame_rate` (the lowest rate every timestamp fits; for field-coded
/// video it can be the field rate) and the average rate. A stream is
/// constant-rate when its first frames are evenly spaced (each gap within half
/// the median gap of a whole number of medians, the wider gaps filled by
/// frames without a PTS) at a stated rate (within 1 %), and its average rate
/// agrees with that rate (within 0.2 %); the timeline then runs at whichever
/// stated rate matches the spacing.
///
/// Otherwise the stream is variable-rate, and the timeline runs at a rate at
/// which every picture keeps a slot of its own, never the average (a stream
/// with long gaps averages far below the rate of its pictures): the
/// `r_frame_rate` when the first frames are no closer than one of its
/// frames and it is at most [`MAX_VFR_RATE`]; otherwise the rate of the
/// shortest gap between the first frames, snapped to the nearest standard
/// rate within 0.5 %, at most [`MAX_VFR_RATE`].
fn timeline_rate(video: &VideoStream, head: &Head) -> (Rate, bool) {
    let (nominal, average) = match (video.r_frame_rate, video.avg_frame_rate) {
        (Some(r), Some(a)) => (r, a),
        (Some(r), None) => (r, r),
        (None, Some(a)) => (a, a),
        (None, None) => return (Rate::FALLBACK, true),
    };
    let ticks_per_second = video.time_base.denom() as f64 / video.time_base.numer() as f64;
    let spaced = packets::spacing(head).map(|s| (s, ticks_per_second / s.mean_ticks));
    let constant = match spaced {
        Some((spacing, fps)) => [nominal, average]
            .into_iter()
            .find(|r| (r.approx() - fps).abs() <= 0.01 * fps)
            .filter(|r| spacing.uniform && average.close_to(*r, 0.002)),
        // Too few frames to see a spacing: trust agreeing stated rates.
        None => nominal.close_to(average, 0.002).then_some(nominal),
    };
    if let Some(rate) = constant {
        return (rate, false);
    }
    let fastest = spaced.map(|(s, _)| ticks_per_second / s.min_ticks as f64);
    let nominal_fits = fastest.is_none_or(|f| f <= nominal.approx() * 1.01);
    let rate = if nominal_fits && nominal.approx() <= MAX_VFR_RATE {
        nominal
    } else {
        let fps = fastest.unwrap_or(average.approx()).min(MAX_VFR_RATE);
        Rate::new((fps * 1000.0).round() as i64, 1000).map_or(average, |r| r.snapped())
    };
    (rate, true)
}

/// The highest rate a variable-rate timeline runs at.
pub const MAX_VFR_RATE: f64 = 120.0;

/// How far before the estimated end the tail read starts.
const TAIL_SECONDS: i64 = 5;

/// [`TAIL_SECONDS`] in the stream's time base.
fn tail_margin(video: &VideoStream) -> i64 {
    video.time_base.denom() / video.time_base.numer().max(1) * TAIL_SECONDS
}

/// One frame of the timeline, in the stream's time base.
fn frame_ticks(timeline: &Timeline) -> i64 {
    timeline.pts_of(1) - timeline.origin_pts
}

/// The presented timestamps at the end of a stream.
struct End {
    last_pts: i64,
    /// Timestamps of the pictures from the tail's first keyframe on, sorted.
    tail: Vec<i64>,
}

impl End {
    /// Slots of the tail that no picture shows, though later ones do: a
    /// stream copy cut in decode order (`-t`) drops the last B-frames whose
    /// decode time fell past the cut. FFmpeg numbers the pictures after
    /// such a hole on, so the timeline leaves its slot out.
    fn holes(&self, timeline: &Timeline) -> Vec<u64> {
        let slots: Vec<i64> = self.tail.iter().map(|&p| timeline.slot(p)).collect();
        let (Some(&lo), Some(&hi)) = (slots.first(), slots.last()) else {
            return Vec::new();
        };
        (lo.max(0)..hi)
            .filter(|s| slots.binary_search(s).is_err())
            .filter_map(|s| u64::try_from(s).ok())
            .collect()
    }
}

/// The end of the stream: read from the last keyframes when the file can
/// seek there, otherwise by reading every packet. Where the tail's packets
/// carry no PTS, its pictures are decoded for their timestamps.
fn read_end(
    path: &Path,
    input: &mut Input,
    video: &VideoStream,
    timeline: &Timeline,
) -> Result<End, MediaError> {
    let first_pts = timeline.origin_pts;
    let mut tail = None;
    if let Some(end) = video.end_pts_estimate {
        // Some demuxers (MPEG-TS) land imprecisely when seeking right at the
        // end; seeking a few seconds earlier and reading on to the end is safe.
        if packets::seek_before(input, video.index, end.saturating_sub(tail_margin(video))).is_ok()
        {
            tail = Some(packets::scan_rest(input, video.index)).filter(|t| t.last_pts.is_some());
        }
    }
    let tail = match tail {
        Some(tail) => tail,
        None => {
            packets::rewind(input, video.index, first_pts)
                .map_err(|e| MediaError::decode(path, e))?;
            packets::scan_rest(input, video.index)
        }
    };
    let no_frames = || MediaError::NoFrames {
        path: path.to_path_buf(),
    };
    if let (true, Some(key)) = (tail.missing_pts > 0, tail.first_key) {
        let stamps = presented::last_pictures(path, input, video, key, frame_ticks(timeline))?;
        let last_pts = stamps.last().copied().ok_or_else(no_frames)?;
        tracing::debug!(path = %path.display(), last_pts, "last PTS from decoding the tail");
        return Ok(End {
            last_pts,
            tail: stamps,
        });
    }
    let last_pts = tail.last_pts.ok_or_else(no_frames)?;
    Ok(End {
        last_pts,
        tail: sorted(tail.pts),
    })
}

fn sorted(mut pts: Vec<i64>) -> Vec<i64> {
    pts.sort_unstable();
    pts.dedup();
    pts
}

/// A constant-rate stream whose container indexes more frames than its
/// timestamps reach was cut short: the frames it indexes. Samples an edit
/// list trims from the start (`discarded`) are indexed but never presented.
fn truncation(
    video: &VideoStream,
    variable: bool,
    frame_count: u64,
    discarded: u64,
) -> Option<u64> {
    let indexed = video.container_frames?.saturating_sub(discarded);
    (!variable && frame_count < indexed).then_some(indexed)
}

/// Frames of a truncated file up to the last one that decodes: its last
/// packet may be cut in the middle.
fn decodable_frames(
    path: &Path,
    input: &mut Input,
    video: &VideoStream,
    timeline: &Timeline,
    last_pts: i64,
) -> Result<u64, MediaError> {
    let from = last_pts
        .saturating_sub(tail_margin(video))
        .max(timeline.origin_pts);
    let stamps = presented::last_pictures(path, input, video, from, frame_ticks(timeline))?;
    let last = stamps.last().copied().unwrap_or(last_pts).min(last_pts);
    Ok(u64::try_from(timeline.slot(last)).map_or(1, |s| s + 1))
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
        pts_reliable: true,
        holes: Vec::new(),
        truncated: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(r: (i64, i64), a: (i64, i64), tb: (i64, i64)) -> VideoStream {
        VideoStream {
            index: 0,
            codec: "h264".into(),
            width: 16,
            height: 16,
            pixel_format: "yuv420p".into(),
            color: ColorInfo {
                matrix: "unknown".into(),
                range: "unknown".into(),
                primaries: "unknown".into(),
                transfer: "unknown".into(),
            },
            sample_aspect_ratio: "1:1".into(),
            rotation: 0,
            r_frame_rate: Rate::new(r.0, r.1),
            avg_frame_rate: Rate::new(a.0, a.1),
            time_base: Rate::new(tb.0, tb.1).expect("tb"),
            end_pts_estimate: None,
            container_frames: None,
        }
    }

    fn head(pts: impl Iterator<Item = i64>) -> Head {
        let sorted_pts: Vec<i64> = pts.collect();
        Head {
            first_pts: sorted_pts.first().copied(),
            sorted_pts,
            discarded: 0,
            missing_pts: 0,
        }
    }

    fn rate(n: i64, d: i64) -> Rate {
        Rate::new(n, d).expect("rate")
    }

    #[test]
    fn field_rate_stream_runs_at_its_frame_rate() {
        let s = stream((50, 1), (25, 1), (1, 90000));
        let h = head((0..100).map(|i| i * 3600));
        assert_eq!(timeline_rate(&s, &h), (rate(25, 1), false));
    }

    #[test]
    fn millisecond_timestamps_at_5994_are_constant_rate() {
        let s = stream((60000, 1001), (60000, 1001), (1, 1000));
        let h = head((0..100).map(|i| (i as f64 * 1001.0 / 60.0).round() as i64));
        assert_eq!(timeline_rate(&s, &h), (rate(60000, 1001), false));
    }

    #[test]
    fn dropped_frames_keep_the_source_rate() {
        let s = stream((30, 1), (24, 1), (1, 15360));
        let h = head((0..100).filter(|i| i % 5 != 2).map(|i| i * 512));
        assert_eq!(timeline_rate(&s, &h), (rate(30, 1), true));
    }

    #[test]
    fn long_gaps_keep_the_rate_of_the_pictures_not_the_average() {
        // 25 fps bursts with 10 s and 5 s between them: average 175/22.
        let s = stream((25, 1), (175, 22), (1, 12800));
        let h = head((0..100).map(|i| i * 512 + if i >= 75 { 128_000 } else { 0 }));
        assert_eq!(timeline_rate(&s, &h), (rate(25, 1), true));
    }

    #[test]
    fn a_screen_recording_runs_at_its_shortest_frame_gap() {
        // r_frame_rate 30, yet frames arrive as close as 1/60 s apart.
        let s = stream((30, 1), (10, 1), (1, 600));
        let gaps = [10i64, 120, 60, 10, 20, 60, 10, 40, 60, 10, 50, 10];
        let h = head(gaps.iter().cycle().take(60).scan(0, |t, g| {
            *t += g;
            Some(*t)
        }));
        assert_eq!(timeline_rate(&s, &h), (rate(60, 1), true));
    }

    #[test]
    fn an_absurd_stated_rate_is_capped() {
        let s = stream((90000, 1), (20, 1), (1, 90000));
        let gaps = [1i64, 4500, 9000, 2, 4500];
        let h = head(gaps.iter().cycle().take(40).scan(0, |t, g| {
            *t += g;
            Some(*t)
        }));
        assert_eq!(timeline_rate(&s, &h), (rate(120, 1), true));
    }
}

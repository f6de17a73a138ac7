//! Choosing the video stream of a file and reading its facts.

use super::error::MediaError;
use super::probe::ColorInfo;
use super::rate::Rate;
use ffmpeg::format::context::Input;
use ffmpeg::format::stream::Disposition;
use ffmpeg::media::Type;
use ffmpeg_next as ffmpeg;
use std::path::Path;

/// Largest frame side we decode; 16K covers every camera format in use.
pub const MAX_SIDE: u32 = 16_384;
/// Largest frame area we decode (16K × 8K).
pub const MAX_PIXELS: u64 = 16_384 * 8_192;

/// The facts of the chosen video stream.
#[derive(Clone, Debug)]
pub(crate) struct VideoStream {
    pub index: usize,
    pub codec: String,
    pub width: u32,
    pub height: u32,
    pub pixel_format: String,
    pub color: ColorInfo,
    pub sample_aspect_ratio: String,
    pub rotation: u32,
    pub r_frame_rate: Option<Rate>,
    pub avg_frame_rate: Option<Rate>,
    pub time_base: Rate,
    /// Where the stream probably ends (start + duration), for a cheap seek.
    pub end_pts_estimate: Option<i64>,
    /// The frame count the container states, if any.
    pub container_frames: Option<u64>,
}

/// Picks the main video stream (cover art does not count) and checks that it
/// can be decoded and is of a size we accept.
pub(crate) fn select_video(path: &Path, input: &Input) -> Result<VideoStream, MediaError> {
    let stream = input
        .streams()
        .filter(|s| s.parameters().medium() == Type::Video)
        .filter(|s| !s.disposition().contains(Disposition::ATTACHED_PIC))
        .max_by_key(|s| stream_priority(s))
        .ok_or_else(|| MediaError::NoVideoStream {
            path: path.to_path_buf(),
            found: describe_streams(input),
        })?;
    let decoder = open_decoder(path, &stream)?;
    let (width, height) = (decoder.width(), decoder.height());
    check_size(path, width, height)?;
    let time_base = Rate::from_ffmpeg(stream.time_base())
        .ok_or_else(|| MediaError::decode(path, "the video stream has no valid time base"))?;
    Ok(VideoStream {
        index: stream.index(),
        codec: stream.parameters().id().name().to_string(),
        width,
        height,
        pixel_format: pixel_format_name(decoder.format()),
        color: color_info(&decoder),
        sample_aspect_ratio: sample_aspect_ratio(&stream, &decoder),
        rotation: rotation(&stream),
        r_frame_rate: Rate::from_ffmpeg(stream.rate()),
        avg_frame_rate: Rate::from_ffmpeg(stream.avg_frame_rate()),
        time_base,
        end_pts_estimate: end_estimate(input, &stream, time_base),
        container_frames: u64::try_from(stream.frames()).ok().filter(|&n| n > 0),
    })
}

/// Default-disposition streams first, then the larger picture.
fn stream_priority(s: &ffmpeg::format::stream::Stream) -> (bool, i64) {
    let default = s.disposition().contains(Disposition::DEFAULT);
    // SAFETY: codecpar is valid for every stream of an open input.
    let area = unsafe {
        let par = s.parameters().as_ptr();
        i64::from((*par).width) * i64::from((*par).height)
    };
    (default, area)
}

fn describe_streams(input: &Input) -> String {
    let kinds: Vec<&str> = input
        .streams()
        .map(|s| match s.parameters().medium() {
            Type::Audio => "audio",
            Type::Video => "cover art",
            Type::Subtitle => "subtitles",
            Type::Data => "data",
            _ => "other streams",
        })
        .collect();
    if kinds.is_empty() {
        return "no streams".into();
    }
    let mut unique: Vec<&str> = Vec::new();
    for k in kinds {
        if !unique.contains(&k) {
            unique.push(k);
        }
    }
    unique.join(" and ")
}

/// Opens a decoder for the stream's parameters, to learn what only an opened
/// decoder reports and to reject codecs this FFmpeg cannot decode.
pub(crate) fn open_decoder(
    path: &Path,
    stream: &ffmpeg::format::stream::Stream,
) -> Result<ffmpeg::decoder::Video, MediaError> {
    open_decoder_with(
        path,
        stream,
        ffmpeg::codec::threading::Config::default(),
        false,
        false,
    )
}

/// Opens a decoder that decodes on all cores (frame threading, as the
/// `ffmpeg` CLI does by default), with the stream's packet time base.
/// `skip_deblocking`: decode without the in-loop deblocking filter;
/// `hardware`: on the GPU where the process's choice allows ([`super::hw`]).
pub(crate) fn open_threaded_decoder(
    path: &Path,
    stream: &ffmpeg::format::stream::Stream,
    skip_deblocking: bool,
    hardware: bool,
) -> Result<ffmpeg::decoder::Video, MediaError> {
    open_decoder_with(path, stream, frame_threads(0), skip_deblocking, hardware)
}

/// Opens a decoder on one thread, without the in-loop deblocking filter:
/// for short runs of pictures beside a pass that has the cores (each
/// frame thread would hold pictures of its own).
pub(crate) fn open_single_decoder(
    path: &Path,
    stream: &ffmpeg::format::stream::Stream,
) -> Result<ffmpeg::decoder::Video, MediaError> {
    open_decoder_with(path, stream, frame_threads(1), true, false)
}

/// Frame threading on `count` threads (0: as many as FFmpeg picks).
fn frame_threads(count: usize) -> ffmpeg::codec::threading::Config {
    ffmpeg::codec::threading::Config {
        kind: ffmpeg::codec::threading::Type::Frame,
        count,
        ..Default::default()
    }
}

fn open_decoder_with(
    path: &Path,
    stream: &ffmpeg::format::stream::Stream,
    threading: ffmpeg::codec::threading::Config,
    skip_deblocking: bool,
    hardware: bool,
) -> Result<ffmpeg::decoder::Video, MediaError> {
    let params = stream.parameters();
    let unsupported = || MediaError::UnsupportedCodec {
        path: path.to_path_buf(),
        codec: codec_label(&params),
    };
    if ffmpeg::decoder::find(params.id()).is_none() {
        return Err(unsupported());
    }
    let mut context = ffmpeg::codec::Context::from_parameters(params.clone())
        .map_err(|e| MediaError::decode(path, e))?;
    context.set_threading(threading);
    if hardware {
        super::hw::attach(path, &mut context, params.id())?;
    }
    // SAFETY: the context is valid and not yet opened; FFmpeg reads
    // pkt_timebase when it opens the decoder, and frame-threading copies
    // skip_loop_filter into every worker's context.
    unsafe {
        let raw = context.as_mut_ptr();
        (*raw).pkt_timebase = stream.time_base().into();
        if skip_deblocking {
            (*raw).skip_loop_filter = ffmpeg::ffi::AVDiscard::AVDISCARD_ALL;
        }
    }
    context.decoder().video().map_err(|e| match e {
        ffmpeg::Error::DecoderNotFound => unsupported(),
        other => MediaError::decode(path, format!("cannot open the decoder: {other}")),
    })
}

/// The codec's name, or its FourCC when FFmpeg does not know it.
fn codec_label(params: &ffmpeg::codec::Parameters) -> String {
    let id = params.id();
    if id != ffmpeg::codec::Id::None {
        return id.name().to_string();
    }
    // SAFETY: codecpar is valid while `params` lives.
    let tag = unsafe { (*params.as_ptr()).codec_tag };
    let fourcc: String = tag
        .to_le_bytes()
        .iter()
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect();
    format!("unknown (FourCC \"{fourcc}\")")
}

fn check_size(path: &Path, width: u32, height: u32) -> Result<(), MediaError> {
    let too_large =
        width > MAX_SIDE || height > MAX_SIDE || u64::from(width) * u64::from(height) > MAX_PIXELS;
    if too_large {
        return Err(MediaError::TooLarge {
            path: path.to_path_buf(),
            width,
            height,
            max_side: MAX_SIDE,
            max_pixels: MAX_PIXELS,
        });
    }
    if width == 0 || height == 0 {
        return Err(MediaError::decode(
            path,
            "the video stream states no frame size",
        ));
    }
    Ok(())
}

fn pixel_format_name(format: ffmpeg::format::Pixel) -> String {
    format
        .descriptor()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn color_info(decoder: &ffmpeg::decoder::Video) -> ColorInfo {
    let name = |n: Option<&'static str>| n.unwrap_or("unknown").to_string();
    ColorInfo {
        matrix: name(decoder.color_space().name()),
        range: name(decoder.color_range().name()),
        primaries: name(decoder.color_primaries().name()),
        transfer: name(decoder.color_transfer_characteristic().name()),
    }
}

fn sample_aspect_ratio(
    stream: &ffmpeg::format::stream::Stream,
    decoder: &ffmpeg::decoder::Video,
) -> String {
    // SAFETY: the stream pointer is valid while `stream` lives.
    let from_stream = unsafe { ffmpeg::Rational::from((*stream.as_ptr()).sample_aspect_ratio) };
    let sar = [from_stream, decoder.aspect_ratio()]
        .into_iter()
        .find(|r| r.numerator() > 0 && r.denominator() > 0)
        .map(|r| r.reduce());
    match sar {
        Some(r) => format!("{}:{}", r.numerator(), r.denominator()),
        None => "1:1".into(),
    }
}

/// Clockwise rotation for display, from the stream's display matrix
/// (FFmpeg's own rule: `-av_display_rotation_get`, rounded to 90°).
fn rotation(stream: &ffmpeg::format::stream::Stream) -> u32 {
    use ffmpeg::codec::packet::side_data::Type as SideType;
    let Some(matrix) = stream
        .side_data()
        .find(|sd| sd.kind() == SideType::DisplayMatrix)
        .filter(|sd| sd.data().len() >= 36)
    else {
        return 0;
    };
    let data = matrix.data();
    let word = |i: usize| {
        let b = [
            data[4 * i],
            data[4 * i + 1],
            data[4 * i + 2],
            data[4 * i + 3],
        ];
        f64::from(i32::from_ne_bytes(b)) / 65536.0
    };
    // av_display_rotation_get() is -atan2(m[1] / sy, m[0] / sx), counter-
    // clockwise; FFmpeg turns frames upright by its negation, clockwise.
    let (sx, sy) = (word(0).hypot(word(3)), word(1).hypot(word(4)));
    if sx == 0.0 || sy == 0.0 {
        return 0;
    }
    let clockwise = (word(1) / sy).atan2(word(0) / sx).to_degrees();
    let clockwise = (clockwise / 90.0).round() as i64 * 90;
    clockwise.rem_euclid(360) as u32
}

fn end_estimate(input: &Input, stream: &ffmpeg::format::stream::Stream, tb: Rate) -> Option<i64> {
    let start = Some(stream.start_time())
        .filter(|&t| t != ffmpeg::ffi::AV_NOPTS_VALUE)
        .unwrap_or(0);
    if stream.duration() > 0 {
        return Some(start.saturating_add(stream.duration()));
    }
    let micros = input.duration();
    (micros > 0).then(|| {
        let ticks =
            i128::from(micros) * i128::from(tb.denom()) / (i128::from(tb.numer()) * 1_000_000);
        start.saturating_add(ticks as i64)
    })
}

/// The start timecode: the video stream's metadata, a timecode (tmcd) track,
/// or the container's metadata, in that order.
pub(crate) fn start_timecode(input: &Input, video_index: usize) -> Option<String> {
    let from_stream =
        |s: &ffmpeg::format::stream::Stream| s.metadata().get("timecode").map(str::to_string);
    input
        .stream(video_index)
        .and_then(|s| from_stream(&s))
        .or_else(|| input.streams().find_map(|s| from_stream(&s)))
        .or_else(|| input.metadata().get("timecode").map(str::to_string))
        .map(|tc| tc.replace('.', ";"))
}

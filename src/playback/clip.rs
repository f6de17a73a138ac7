//! Rendering a cut clip: the outgoing part (frames up to the out-frame),
//! then the incoming part (frames from the in-frame), all-intra H.264 and
//! AAC in an MP4.
//!
//! A clip runs at one constant rate, the outgoing title's, as an NLE
//! sequence does: an incoming title at another rate is conformed as NLEs
//! conform it, each picture showing the title's frame due at that moment
//! (frames dropped or repeated, never blended), so it moves at its true
//! speed and its first picture is the in-frame.

use super::canvas::Canvas;
use super::sound::{self, Stereo};
use super::PlaybackError;
use crate::frames::display_size;
use crate::media::{DecodeMode, Decoder, Rate, ToRgb};
use ffmpeg::{codec, encoder, format, frame, Dictionary, Packet, Rational};
use ffmpeg_next as ffmpeg;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Frames `first..=last` of the title at `path`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Span {
    pub path: PathBuf,
    pub content_hash: String,
    pub first: u64,
    pub last: u64,
}

/// One part of a cut clip, as the player needs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ClipPart {
    /// The title's frame index of the part's first picture.
    pub first_frame: u64,
    /// Pictures in the clip.
    pub frames: u32,
    /// The clip's rate, `rate_num / rate_den` pictures a second: the
    /// part's k-th picture starts k · rate_den / rate_num seconds into it.
    pub rate_num: u32,
    pub rate_den: u32,
    /// The title's frame rate, `num/den`.
    pub title_rate: String,
    /// Each picture's frame index in its title, and its timecode.
    pub source_frames: Vec<u64>,
    pub timecodes: Vec<String>,
}

/// A rendered cut clip: the outgoing part, then the incoming part from the
/// moment the outgoing one ends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CutClip {
    /// Names the clip (what it holds, hashed) for the media server.
    pub id: String,
    pub from: ClipPart,
    pub to: ClipPart,
    pub width: u32,
    pub height: u32,
    /// Whether either title has sound.
    pub sound: bool,
}

/// H.264 quality (x264's constant rate factor): about visually lossless.
const CRF: &str = "18";

/// Renders the cut `from` → `to` into an MP4 at `out` (written whole, or
/// not at all).
pub fn render(id: &str, from: &Span, to: &Span, out: &Path) -> Result<CutClip, PlaybackError> {
    crate::init_ffmpeg(true);
    let mut sides = [Side::open(from)?, Side::open(to)?];
    let rate = sides[0].rate;
    let mut canvas = Canvas::for_display(sides[0].display);
    let sound = sides.iter().any(|s| s.has_sound);
    let tmp = out.with_extension("mp4.part");
    let time_base = Rational::new(rate.denom() as i32, rate.numer() as i32);
    let mut writer = Writer::create(&tmp, &canvas, time_base, sound)?;
    let mut start = 0;
    for side in &mut sides {
        side.encode(&mut writer, &mut canvas, rate, start)?;
        start += i64::from(side.pictures(rate));
    }
    if sound {
        let stereo = join_sound(&sides)?;
        writer.sound(&stereo)?;
    }
    writer.finish()?;
    std::fs::rename(&tmp, out).map_err(|e| PlaybackError::render(out, e))?;
    let [from_side, to_side] = sides;
    Ok(CutClip {
        id: id.to_string(),
        from: from_side.part(rate),
        to: to_side.part(rate),
        width: canvas.width,
        height: canvas.height,
        sound,
    })
}

/// One part being rendered.
struct Side {
    span: Span,
    decoder: Decoder,
    rate: Rate,
    display: (u32, u32),
    rotation: u32,
    has_sound: bool,
    sources: Vec<u64>,
    timecodes: Vec<String>,
}

impl Side {
    fn open(span: &Span) -> Result<Self, PlaybackError> {
        let decoder = Decoder::probe_and_open(&span.path, DecodeMode::Full)?;
        let info = decoder.info();
        let count = decoder.timeline().frame_count;
        if span.first > span.last || span.last >= count || span.last - span.first >= 100_000 {
            return Err(PlaybackError::Range {
                path: span.path.clone(),
                first: span.first,
                last: span.last,
                reason: format!("the title has frames 0 to {}", count.saturating_sub(1)),
            });
        }
        Ok(Self {
            span: span.clone(),
            rate: decoder.timeline().rate,
            display: display_size(info),
            rotation: info.rotation,
            has_sound: info.has_audio,
            sources: Vec::new(),
            timecodes: Vec::new(),
            decoder,
        })
    }

    fn frames(&self) -> u64 {
        self.span.last - self.span.first + 1
    }

    /// Pictures of the span at the clip's `rate`: as many as fit in the
    /// time its frames last, at least one.
    fn pictures(&self, rate: Rate) -> u32 {
        let num =
            i128::from(self.frames()) * i128::from(self.rate.denom()) * i128::from(rate.numer());
        let den = i128::from(self.rate.numer()) * i128::from(rate.denom());
        (num / den).max(1) as u32
    }

    /// The title frame that picture `k` of the clip shows: the one due k
    /// pictures of the clip's `rate` into the span.
    fn source_frame(&self, rate: Rate, k: u64) -> u64 {
        let num = i128::from(k) * i128::from(self.rate.numer()) * i128::from(rate.denom());
        let den = i128::from(self.rate.denom()) * i128::from(rate.numer());
        // A hair past the exact instant, so a frame starting then counts.
        let offset = ((num * 1000 + 1) / (den * 1000)) as u64;
        self.span.first + offset.min(self.frames() - 1)
    }

    /// Decodes the span exactly and sends the writer each picture of the
    /// clip's `rate`, starting at picture `start` of the clip.
    fn encode(
        &mut self,
        writer: &mut Writer,
        canvas: &mut Canvas,
        rate: Rate,
        start: i64,
    ) -> Result<(), PlaybackError> {
        let path = self.span.path.clone();
        let mut current = self.decoder.seek_frame(self.span.first)?;
        let mut placed: Option<(u64, ffmpeg::frame::Video)> = None;
        for k in 0..self.pictures(rate) {
            let due = self.source_frame(rate, u64::from(k));
            while current.index < due {
                current = match self.decoder.next_frame() {
                    Some(frame) => frame?,
                    None => return Err(PlaybackError::render(&path, "the title ended early")),
                };
            }
            if current.index != due {
                let got = current.index;
                return Err(PlaybackError::render(
                    &path,
                    format!("frame {got} came where {due} was due"),
                ));
            }
            if placed.as_ref().is_none_or(|(at, _)| *at != due) {
                let rgb = current
                    .frame
                    .to_rgb(self.rotation)
                    .map_err(|e| PlaybackError::render(&path, e))?;
                let yuv = canvas
                    .place(&rgb, self.display)
                    .map_err(|e| PlaybackError::render(&path, e))?;
                placed = Some((due, yuv));
            }
            self.sources.push(due);
            self.timecodes.push(current.timecode.clone());
            if let Some((_, yuv)) = placed.as_mut() {
                yuv.set_pts(Some(start + i64::from(k)));
                writer.picture(yuv, 1)?;
            }
        }
        Ok(())
    }

    /// The span's sound, exactly as long as its pictures last.
    fn sound(&self, rate: Rate) -> Result<Stereo, PlaybackError> {
        let timeline = self.decoder.timeline();
        let start_pts = timeline.pts_of(self.span.first);
        let tb = timeline.time_base;
        let start = i128::from(start_pts) * i128::from(tb.numer()) * i128::from(sound::RATE)
            / i128::from(tb.denom());
        let count =
            i128::from(self.pictures(rate)) * i128::from(rate.denom()) * i128::from(sound::RATE)
                / i128::from(rate.numer());
        let silence = || [vec![0.0; count as usize], vec![0.0; count as usize]];
        if !self.has_sound {
            return Ok(silence());
        }
        Ok(sound::extract(&self.span.path, start as i64, count as usize)?.unwrap_or_else(silence))
    }

    /// What the player needs of this part, in a clip at `rate`.
    fn part(self, rate: Rate) -> ClipPart {
        ClipPart {
            first_frame: self.span.first,
            frames: self.sources.len() as u32,
            rate_num: rate.numer() as u32,
            rate_den: rate.denom() as u32,
            title_rate: self.rate.to_string(),
            source_frames: self.sources,
            timecodes: self.timecodes,
        }
    }
}

/// Both parts' sound, one after the other.
fn join_sound(sides: &[Side]) -> Result<Stereo, PlaybackError> {
    let mut joined: Stereo = [Vec::new(), Vec::new()];
    let rate = sides[0].rate;
    for side in sides {
        let [left, right] = side.sound(rate)?;
        joined[0].extend(left);
        joined[1].extend(right);
    }
    Ok(joined)
}

/// The MP4 being written: its H.264 stream and, with sound, its AAC one.
struct Writer {
    path: PathBuf,
    output: format::context::Output,
    video: encoder::Video,
    video_tb: Rational,
    /// Each picture's duration by its time: the MP4's last picture is
    /// shown only for as long as its packet says.
    durations: HashMap<i64, i64>,
    audio: Option<encoder::Audio>,
}

impl Writer {
    fn create(
        path: &Path,
        canvas: &Canvas,
        time_base: Rational,
        sound: bool,
    ) -> Result<Self, PlaybackError> {
        let fail = |e: ffmpeg::Error| PlaybackError::render(path, e);
        let mut output = format::output_as(path, "mp4").map_err(fail)?;
        let global = output
            .format()
            .flags()
            .contains(format::Flags::GLOBAL_HEADER);
        let video = open_h264(&mut output, canvas, time_base, global)
            .map_err(|e| PlaybackError::render(path, e))?;
        let audio = match sound {
            true => Some(open_aac(&mut output, global).map_err(fail)?),
            false => None,
        };
        let mut options = Dictionary::new();
        options.set("movflags", "+faststart");
        output.write_header_with(options).map_err(fail)?;
        Ok(Self {
            path: path.to_path_buf(),
            output,
            video,
            video_tb: time_base,
            durations: HashMap::new(),
            audio,
        })
    }

    fn fail(&self, e: ffmpeg::Error) -> PlaybackError {
        PlaybackError::render(&self.path, e)
    }

    fn picture(&mut self, picture: &frame::Video, duration: i64) -> Result<(), PlaybackError> {
        if let Some(pts) = picture.pts() {
            self.durations.insert(pts, duration);
        }
        self.video.send_frame(picture).map_err(|e| self.fail(e))?;
        self.drain_video()
    }

    fn drain_video(&mut self) -> Result<(), PlaybackError> {
        let durations = &self.durations;
        let timed = |packet: &mut Packet| {
            if let Some(d) = packet.pts().and_then(|pts| durations.get(&pts)) {
                packet.set_duration(*d);
            }
        };
        drain(
            &mut self.video,
            &mut self.output,
            (0, self.video_tb),
            &self.path,
            timed,
        )
    }

    /// Encodes the clip's whole sound, from its start.
    fn sound(&mut self, stereo: &Stereo) -> Result<(), PlaybackError> {
        let Some(audio) = self.audio.as_mut() else {
            return Ok(());
        };
        let size = (audio.frame_size() as usize).max(1);
        let kind = format::Sample::F32(format::sample::Type::Planar);
        let clock = Rational::new(1, sound::RATE as i32);
        let mut at = 0;
        while at < stereo[0].len() {
            let n = size.min(stereo[0].len() - at);
            let mut chunk = frame::Audio::new(kind, size, ffmpeg::ChannelLayout::STEREO);
            chunk.set_rate(sound::RATE as u32);
            for (channel, samples) in stereo.iter().enumerate() {
                let plane = chunk.plane_mut::<f32>(channel);
                plane[..n].copy_from_slice(&samples[at..at + n]);
                plane[n..].fill(0.0);
            }
            chunk.set_pts(Some(at as i64));
            let sent = audio.send_frame(&chunk);
            sent.map_err(|e| PlaybackError::render(&self.path, e))?;
            drain(audio, &mut self.output, (1, clock), &self.path, |_| ())?;
            at += n;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<(), PlaybackError> {
        self.video.send_eof().map_err(|e| self.fail(e))?;
        self.drain_video()?;
        if let Some(audio) = self.audio.as_mut() {
            audio
                .send_eof()
                .map_err(|e| PlaybackError::render(&self.path, e))?;
            let clock = Rational::new(1, sound::RATE as i32);
            drain(audio, &mut self.output, (1, clock), &self.path, |_| ())?;
        }
        self.output.write_trailer().map_err(|e| self.fail(e))
    }
}

/// Writes out the packets `encoder` has ready, as stream `index`, their
/// times from `time_base` to the stream's, each first given to `fix`.
fn drain(
    encoder: &mut encoder::Encoder,
    output: &mut format::context::Output,
    (index, time_base): (usize, Rational),
    path: &Path,
    fix: impl Fn(&mut Packet),
) -> Result<(), PlaybackError> {
    let to = output.stream(index).map_or(time_base, |s| s.time_base());
    let mut packet = Packet::empty();
    while encoder.receive_packet(&mut packet).is_ok() {
        fix(&mut packet);
        packet.set_stream(index);
        packet.rescale_ts(time_base, to);
        packet
            .write_interleaved(output)
            .map_err(|e| PlaybackError::render(path, e))?;
    }
    Ok(())
}

/// An all-intra H.264 encoder at the canvas's size on the clip's clock.
fn open_h264(
    output: &mut format::context::Output,
    canvas: &Canvas,
    time_base: Rational,
    global: bool,
) -> Result<encoder::Video, String> {
    let codec = encoder::find_by_name("libx264")
        .ok_or("this FFmpeg has no H.264 encoder (libx264); install one built with it")?;
    let mut stream = output.add_stream(codec).map_err(|e| e.to_string())?;
    let mut video = codec::context::Context::new_with_codec(codec)
        .encoder()
        .video()
        .map_err(|e| e.to_string())?;
    video.set_width(canvas.width);
    video.set_height(canvas.height);
    video.set_format(format::Pixel::YUV420P);
    video.set_time_base(time_base);
    video.set_gop(1);
    video.set_max_b_frames(0);
    video.set_colorspace(ffmpeg::color::Space::BT709);
    video.set_color_range(ffmpeg::color::Range::MPEG);
    if global {
        video.set_flags(codec::Flags::GLOBAL_HEADER);
    }
    let mut options = Dictionary::new();
    options.set("preset", "ultrafast");
    options.set("crf", CRF);
    let opened = video.open_with(options).map_err(|e| e.to_string())?;
    stream.set_parameters(&opened);
    stream.set_time_base(time_base);
    Ok(opened)
}

/// An AAC encoder, 48 kHz stereo.
fn open_aac(
    output: &mut format::context::Output,
    global: bool,
) -> Result<encoder::Audio, ffmpeg::Error> {
    let codec = encoder::find(codec::Id::AAC).ok_or(ffmpeg::Error::EncoderNotFound)?;
    let mut stream = output.add_stream(codec)?;
    let mut audio = codec::context::Context::new_with_codec(codec)
        .encoder()
        .audio()?;
    audio.set_rate(sound::RATE as i32);
    audio.set_format(format::Sample::F32(format::sample::Type::Planar));
    audio.set_channel_layout(ffmpeg::ChannelLayout::STEREO);
    // SAFETY: the context is valid and not yet opened; this sets the
    // channel layout of FFmpeg 5.1's API beside the one above.
    unsafe {
        ffmpeg::ffi::av_channel_layout_default(&mut (*audio.as_mut_ptr()).ch_layout, 2);
    }
    audio.set_bit_rate(192_000);
    audio.set_time_base(Rational::new(1, sound::RATE as i32));
    if global {
        audio.set_flags(codec::Flags::GLOBAL_HEADER);
    }
    let opened = audio.open_as(codec)?;
    stream.set_parameters(&opened);
    stream.set_time_base(Rational::new(1, sound::RATE as i32));
    Ok(opened)
}

//! A title's sound for a stretch of a cut clip: 48 kHz stereo, as planar
//! 32-bit float, sample-exact against the container's clock.

use crate::media::MediaError;
use ffmpeg::format::sample::{Sample, Type};
use ffmpeg::software::resampling::Context as Resampler;
use ffmpeg::{frame, media, ChannelLayout, Rational};
use ffmpeg_next as ffmpeg;
use std::path::Path;

/// The clip's sample rate.
pub(super) const RATE: i64 = 48_000;

/// Left and right channels.
pub(super) type Stereo = [Vec<f32>; 2];

/// `count` samples of the title's sound from sample `start` of its
/// container's clock at 48 kHz (silence where it has none there); `None`
/// when the title has no sound at all.
pub(super) fn extract(path: &Path, start: i64, count: usize) -> Result<Option<Stereo>, MediaError> {
    let mut input = ffmpeg::format::input(path).map_err(|e| MediaError::decode(path, e))?;
    let Some(stream) = input.streams().best(media::Type::Audio) else {
        return Ok(None);
    };
    let (index, time_base) = (stream.index(), stream.time_base());
    let context = ffmpeg::codec::context::Context::from_parameters(stream.parameters())
        .map_err(|e| MediaError::decode(path, e))?;
    let mut decoder = context
        .decoder()
        .audio()
        .map_err(|e| MediaError::decode(path, e))?;
    // A second early, in microseconds: the demuxer lands on a packet at or
    // before it; the samples before `start` are dropped below.
    let seek_us = (start - RATE).max(0) * 1_000_000 / RATE;
    if seek_us > 0 && input.seek(seek_us, ..seek_us + 1).is_err() {
        input = ffmpeg::format::input(path).map_err(|e| MediaError::decode(path, e))?;
    }
    let mut out = Placer::new(start, count);
    let mut resampler: Option<Resampler> = None;
    let mut decoded = frame::Audio::empty();
    for (s, packet) in input.packets() {
        if s.index() != index {
            continue;
        }
        // A damaged packet is skipped: the gap stays silent.
        if decoder.send_packet(&packet).is_err() {
            continue;
        }
        while decoder.receive_frame(&mut decoded).is_ok() {
            out.take(&mut resampler, &decoded, time_base)
                .map_err(|e| MediaError::decode(path, e))?;
        }
        if out.full() {
            break;
        }
    }
    if !out.full() && decoder.send_eof().is_ok() {
        while decoder.receive_frame(&mut decoded).is_ok() {
            out.take(&mut resampler, &decoded, time_base)
                .map_err(|e| MediaError::decode(path, e))?;
        }
    }
    Ok(Some(out.samples))
}

/// Lays resampled sound into the wanted stretch by its timestamps.
struct Placer {
    start: i64,
    samples: Stereo,
    /// Where the next resampled sample goes, on the 48 kHz clock.
    next: Option<i64>,
}

impl Placer {
    fn new(start: i64, count: usize) -> Self {
        Self {
            start,
            samples: [vec![0.0; count], vec![0.0; count]],
            next: None,
        }
    }

    fn end(&self) -> i64 {
        self.start + self.samples[0].len() as i64
    }

    fn full(&self) -> bool {
        self.next.is_some_and(|n| n >= self.end())
    }

    fn take(
        &mut self,
        resampler: &mut Option<Resampler>,
        decoded: &frame::Audio,
        time_base: Rational,
    ) -> Result<(), ffmpeg::Error> {
        let layout = match decoded.channel_layout() {
            l if l.channels() == 0 => ChannelLayout::default(i32::from(decoded.channels())),
            l => l,
        };
        if resampler.is_none() {
            *resampler = Some(Resampler::get(
                decoded.format(),
                layout,
                decoded.rate(),
                Sample::F32(Type::Planar),
                ChannelLayout::STEREO,
                RATE as u32,
            )?);
        }
        let Some(resampler) = resampler.as_mut() else {
            return Ok(());
        };
        let mut frame = decoded.clone();
        frame.set_channel_layout(layout);
        let mut stereo = frame::Audio::empty();
        resampler.run(&frame, &mut stereo)?;
        // Sound runs on without gaps; a jump of its timestamps beyond a
        // frame (a gap in the file) moves the place.
        if let Some(at) = decoded.timestamp().or(decoded.pts()) {
            let stamped = at_rate(at, time_base);
            let drift = self.next.map_or(i64::MAX, |n| (stamped - n).abs());
            if drift > decoded.samples() as i64 * RATE / i64::from(decoded.rate().max(1)) {
                self.next = Some(stamped);
            }
        }
        let at = self.next.unwrap_or(self.start);
        let n = stereo.samples();
        for channel in 0..2 {
            let plane = &stereo.plane::<f32>(channel)[..n];
            for (i, &v) in plane.iter().enumerate() {
                let slot = at + i as i64 - self.start;
                if let Some(s) = usize::try_from(slot)
                    .ok()
                    .and_then(|s| self.samples[channel].get_mut(s))
                {
                    *s = v;
                }
            }
        }
        self.next = Some(at + n as i64);
        Ok(())
    }
}

/// A timestamp in `time_base` on the 48 kHz clock.
fn at_rate(ts: i64, time_base: Rational) -> i64 {
    let num = i128::from(ts) * i128::from(time_base.numerator()) * i128::from(RATE);
    let den = i128::from(time_base.denominator().max(1));
    (num / den) as i64
}

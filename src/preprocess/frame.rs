//! Views of a decoded frame's planes, as both preprocessing paths read them.

use super::colour::{Colour, Matrix};
use ffmpeg::format::Pixel;
use ffmpeg::frame::Video;
use ffmpeg_next as ffmpeg;

/// Sample storage of one plane: 8-bit, or 16-bit words holding 9–16 bits.
#[derive(Clone, Copy, Debug)]
pub enum Samples<'a> {
    U8(&'a [u8]),
    U16(&'a [u16]),
}

/// One plane (or one channel of an interleaved plane): sample `(x, y)` is
/// `data[y·stride + x·step + offset]`.
#[derive(Clone, Copy, Debug)]
pub struct Plane<'a> {
    pub samples: Samples<'a>,
    pub width: u32,
    pub height: u32,
    pub stride: usize,
    pub step: usize,
    pub offset: usize,
}

impl Plane<'_> {
    /// Adds `weight` × row `y` into `acc` (length `width`): the inner loop
    /// of the area average, written so the compiler vectorises it.
    #[inline]
    pub fn accumulate_row(&self, y: usize, weight: f32, acc: &mut [f32]) {
        let start = y * self.stride + self.offset;
        let n = acc.len();
        match (self.samples, self.step) {
            (Samples::U8(d), 1) => {
                for (a, &s) in acc.iter_mut().zip(&d[start..start + n]) {
                    *a += weight * f32::from(s);
                }
            }
            (Samples::U16(d), 1) => {
                for (a, &s) in acc.iter_mut().zip(&d[start..start + n]) {
                    *a += weight * f32::from(s);
                }
            }
            (Samples::U8(d), step) => {
                for (a, &s) in acc.iter_mut().zip(d[start..].iter().step_by(step)) {
                    *a += weight * f32::from(s);
                }
            }
            (Samples::U16(d), step) => {
                for (a, &s) in acc.iter_mut().zip(d[start..].iter().step_by(step)) {
                    *a += weight * f32::from(s);
                }
            }
        }
    }
}

/// Integer accumulators [`Plane::accumulate_rows`] reuses from row to row.
#[derive(Default)]
pub struct RowSums {
    narrow: Vec<u16>,
    wide: Vec<u32>,
}

/// 8-bit rows a `u16` sum holds without overflow (257 × 255 = 65,535).
const U8_ROWS_PER_SUM: usize = 257;
/// 16-bit rows a `u32` sum holds without overflow.
const U16_ROWS_PER_SUM: usize = 65_537;

impl Plane<'_> {
    /// Adds `weight` × the sum of `rows` into `acc` (length `width`): the
    /// rows an area average weighs equally (all but its edge rows) are summed
    /// exactly in integers (`u16` lanes for 8-bit samples, `u32` for 16-bit
    /// words) and scaled once, several times cheaper than a float
    /// multiply-add per sample, and exact where the float sum rounds.
    pub fn accumulate_rows(
        &self,
        rows: std::ops::Range<usize>,
        weight: f32,
        acc: &mut [f32],
        sums: &mut RowSums,
    ) {
        match self.samples {
            Samples::U8(d) => {
                let scale = |s: u16| f32::from(s);
                self.sum_rows(
                    d,
                    rows,
                    U8_ROWS_PER_SUM,
                    &mut sums.narrow,
                    (weight, acc),
                    scale,
                )
            }
            Samples::U16(d) => {
                let scale = |s: u32| s as f32;
                self.sum_rows(
                    d,
                    rows,
                    U16_ROWS_PER_SUM,
                    &mut sums.wide,
                    (weight, acc),
                    scale,
                )
            }
        }
    }

    /// [`Self::accumulate_rows`] over samples `T` summed as `A`, at most
    /// `per_sum` rows before the sums are scaled into `acc`.
    fn sum_rows<T, A>(
        &self,
        data: &[T],
        rows: std::ops::Range<usize>,
        per_sum: usize,
        sums: &mut Vec<A>,
        (weight, acc): (f32, &mut [f32]),
        to_f32: impl Fn(A) -> f32,
    ) where
        T: Copy,
        A: Lane + From<T>,
    {
        let n = acc.len();
        let mut y = rows.start;
        while y < rows.end {
            let end = rows.end.min(y + per_sum);
            sums.clear();
            sums.resize(n, A::default());
            for row in y..end {
                let start = row * self.stride + self.offset;
                if self.step == 1 {
                    for (a, &s) in sums.iter_mut().zip(&data[start..start + n]) {
                        *a = a.plus(A::from(s));
                    }
                } else {
                    let samples = data[start..].iter().step_by(self.step);
                    for (a, &s) in sums.iter_mut().zip(samples) {
                        *a = a.plus(A::from(s));
                    }
                }
            }
            for (a, &s) in acc.iter_mut().zip(sums.iter()) {
                *a += weight * to_f32(s);
            }
            y = end;
        }
    }
}

/// An integer sum lane. [`Plane::sum_rows`] bounds the rows per sum so that
/// no lane overflows; the addition wraps so that it carries no overflow
/// check (which would keep the loop from being vectorised in checked
/// builds).
trait Lane: Copy + Default {
    fn plus(self, other: Self) -> Self;
}

impl Lane for u16 {
    #[inline]
    fn plus(self, other: Self) -> Self {
        self.wrapping_add(other)
    }
}

impl Lane for u32 {
    #[inline]
    fn plus(self, other: Self) -> Self {
        self.wrapping_add(other)
    }
}

/// The layouts the kernels read; other pixel formats are converted to I420
/// first (see [`supported`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Planar 4:2:0, 8-bit (`yuv420p`, `yuvj420p`).
    I420,
    /// Planar 4:2:0, 10-bit in 16-bit words (`yuv420p10le`).
    I420P10,
    /// Luma plane plus interleaved Cb/Cr at 4:2:0, 8-bit.
    Nv12,
}

impl Layout {
    pub fn of(format: Pixel) -> Option<Self> {
        match format {
            Pixel::YUV420P | Pixel::YUVJ420P => Some(Self::I420),
            Pixel::YUV420P10LE => Some(Self::I420P10),
            Pixel::NV12 => Some(Self::Nv12),
            _ => None,
        }
    }

    pub fn bit_depth(self) -> u32 {
        match self {
            Self::I420P10 => 10,
            _ => 8,
        }
    }
}

/// A decoded frame ready for preprocessing: its planes and how to read them.
#[derive(Clone, Copy, Debug)]
pub struct FrameView<'a> {
    pub layout: Layout,
    pub luma: Plane<'a>,
    pub cb: Plane<'a>,
    pub cr: Plane<'a>,
    pub colour: Colour,
    /// Display aspect ratio (width / height) after the sample aspect ratio,
    /// before rotation.
    pub aspect: f64,
    /// Clockwise degrees to turn upright (0, 90, 180, 270).
    pub rotation: u32,
}

/// What the stream says about a frame that the frame itself may not.
#[derive(Clone, Copy, Debug)]
pub struct StreamFacts<'a> {
    pub matrix: &'a str,
    /// Sample aspect ratio (width / height of a pixel).
    pub pixel_aspect: f64,
    pub rotation: u32,
}

impl<'a> StreamFacts<'a> {
    /// The facts a probe found.
    pub fn of(info: &'a crate::media::MediaInfo) -> Self {
        Self {
            matrix: &info.color.matrix,
            pixel_aspect: pixel_aspect(&info.sample_aspect_ratio),
            rotation: info.rotation,
        }
    }
}

/// The width/height of a pixel from a `w:h` sample aspect ratio (1 when
/// unreadable).
pub fn pixel_aspect(sar: &str) -> f64 {
    let (n, d) = sar.split_once(':').unwrap_or(("1", "1"));
    match (n.parse::<f64>(), d.parse::<f64>()) {
        (Ok(n), Ok(d)) if n > 0.0 && d > 0.0 => n / d,
        _ => 1.0,
    }
}

/// The frame if its layout is one the kernels read, else the frame
/// converted to 8-bit I420 by swscale.
pub fn supported(frame: &Video) -> Result<Option<Video>, ffmpeg::Error> {
    if Layout::of(frame.format()).is_some() {
        return Ok(None);
    }
    let (w, h) = (frame.width(), frame.height());
    let mut scaler = ffmpeg::software::scaling::Context::get(
        frame.format(),
        w,
        h,
        Pixel::YUV420P,
        w,
        h,
        ffmpeg::software::scaling::Flags::AREA,
    )?;
    let mut out = Video::empty();
    scaler.run(frame, &mut out)?;
    out.set_color_range(frame.color_range());
    out.set_color_space(frame.color_space());
    Ok(Some(out))
}

/// Views the planes of a frame in a supported layout; `None` otherwise.
pub fn view<'a>(frame: &'a Video, facts: StreamFacts) -> Option<FrameView<'a>> {
    let layout = Layout::of(frame.format())?;
    let (w, h) = (frame.width(), frame.height());
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let plane =
        |i: usize, width: u32, height: u32, step: usize, offset: usize| -> Option<Plane<'a>> {
            let bytes = frame.data(i);
            let (samples, stride) = match layout {
                Layout::I420P10 => (
                    Samples::U16(bytemuck::try_cast_slice(bytes).ok()?),
                    frame.stride(i) / 2,
                ),
                _ => (Samples::U8(bytes), frame.stride(i)),
            };
            Some(Plane {
                samples,
                width,
                height,
                stride,
                step,
                offset,
            })
        };
    let luma = plane(0, w, h, 1, 0)?;
    let (cb, cr) = match layout {
        Layout::Nv12 => (plane(1, cw, ch, 2, 0)?, plane(1, cw, ch, 2, 1)?),
        _ => (plane(1, cw, ch, 1, 0)?, plane(2, cw, ch, 1, 0)?),
    };
    let full =
        frame.color_range() == ffmpeg::color::Range::JPEG || frame.format() == Pixel::YUVJ420P;
    let space = frame
        .color_space()
        .name()
        .filter(|n| *n != "unknown")
        .unwrap_or(facts.matrix);
    let colour = Colour::new(Matrix::from_name(space), full, layout.bit_depth());
    let pixel_aspect = if facts.pixel_aspect > 0.0 {
        facts.pixel_aspect
    } else {
        1.0
    };
    Some(FrameView {
        layout,
        luma,
        cb,
        cr,
        colour,
        aspect: f64::from(w) * pixel_aspect / f64::from(h.max(1)),
        rotation: facts.rotation,
    })
}

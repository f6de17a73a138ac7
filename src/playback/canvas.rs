//! Pictures onto a cut clip's canvas: an upright RGB frame scaled to its
//! display size, fitted into the canvas with black bars where the aspects
//! differ, as BT.709 limited-range YUV 4:2:0 for the encoder.

use crate::media::RgbImage;
use ffmpeg::format::Pixel;
use ffmpeg::frame::Video;
use ffmpeg::software::scaling::{Context as Scaler, Flags};
use ffmpeg_next as ffmpeg;

/// The largest canvas: a clip is watched, not analysed.
const MAX_W: u32 = 1280;
const MAX_H: u32 = 720;

/// A clip's picture size, and the scaler of the side being drawn.
pub(super) struct Canvas {
    pub width: u32,
    pub height: u32,
    scaler: Option<(u32, u32, (u32, u32), Scaler)>,
}

impl Canvas {
    /// The shape of a picture shown at `display` size, as large as fits
    /// 1280×720, even sides. A small picture is enlarged here rather than
    /// by the player: 4:2:0 colour at its own size would blur its colours.
    pub fn for_display(display: (u32, u32)) -> Self {
        let (width, height) = fit(display, (MAX_W, MAX_H));
        Self {
            width,
            height,
            scaler: None,
        }
    }

    /// `picture` (upright, any pixel aspect) shown at `display` size,
    /// fitted and centred on the canvas.
    pub fn place(
        &mut self,
        picture: &RgbImage,
        display: (u32, u32),
    ) -> Result<Video, ffmpeg::Error> {
        let (w, h) = fit(display, (self.width, self.height));
        let scaler = self.scaler_for(picture, (w, h))?;
        let mut rgb = Video::new(Pixel::RGB24, picture.width, picture.height);
        let stride = rgb.stride(0);
        let row = picture.width as usize * 3;
        for (y, line) in picture.data.chunks(row).enumerate() {
            rgb.data_mut(0)[y * stride..y * stride + row].copy_from_slice(line);
        }
        let mut fitted = Video::empty();
        scaler.run(&rgb, &mut fitted)?;
        let mut out = if (w, h) == (self.width, self.height) {
            fitted
        } else {
            self.letterbox(&fitted)
        };
        out.set_color_space(ffmpeg::color::Space::BT709);
        out.set_color_range(ffmpeg::color::Range::MPEG);
        out.set_color_primaries(ffmpeg::color::Primaries::BT709);
        out.set_color_transfer_characteristic(ffmpeg::color::TransferCharacteristic::BT709);
        Ok(out)
    }

    fn scaler_for(
        &mut self,
        picture: &RgbImage,
        to: (u32, u32),
    ) -> Result<&mut Scaler, ffmpeg::Error> {
        let fits = matches!(&self.scaler, Some((w, h, t, _)) if (*w, *h, *t) == (picture.width, picture.height, to));
        if !fits {
            let mut scaler = Scaler::get(
                Pixel::RGB24,
                picture.width,
                picture.height,
                Pixel::YUV420P,
                to.0,
                to.1,
                Flags::BICUBIC,
            )?;
            to_bt709_limited(&mut scaler);
            self.scaler = Some((picture.width, picture.height, to, scaler));
        }
        match &mut self.scaler {
            Some((.., scaler)) => Ok(scaler),
            None => Err(ffmpeg::Error::Bug),
        }
    }

    /// `fitted` centred on a black canvas.
    fn letterbox(&self, fitted: &Video) -> Video {
        let mut out = Video::new(Pixel::YUV420P, self.width, self.height);
        for (plane, black) in [(0, 16u8), (1, 128), (2, 128)] {
            out.data_mut(plane).fill(black);
        }
        let (x, y) = (
            (self.width - fitted.width()) / 4 * 2,
            (self.height - fitted.height()) / 4 * 2,
        );
        for plane in 0..3 {
            let shift = u32::from(plane > 0);
            let (px, py) = ((x >> shift) as usize, (y >> shift) as usize);
            let width = (fitted.width() >> shift) as usize;
            let rows = (fitted.height() >> shift) as usize;
            let (from_stride, to_stride) = (fitted.stride(plane), out.stride(plane));
            for row in 0..rows {
                let src = &fitted.data(plane)[row * from_stride..row * from_stride + width];
                let at = (py + row) * to_stride + px;
                out.data_mut(plane)[at..at + width].copy_from_slice(src);
            }
        }
        out
    }
}

/// The largest even size of `size`'s shape inside `bound`.
fn fit((w, h): (u32, u32), (bw, bh): (u32, u32)) -> (u32, u32) {
    let (w, h) = (f64::from(w.max(1)), f64::from(h.max(1)));
    let scale = (f64::from(bw) / w).min(f64::from(bh) / h);
    // Rounded to the nearest even size that still fits.
    let even = |v: f64, bound: u32| ((v / 2.0).round() as u32 * 2).min(bound / 2 * 2).max(2);
    (even(w * scale, bw), even(h * scale, bh))
}

/// RGB in, BT.709 limited-range YCbCr out (swscale's default is BT.601).
fn to_bt709_limited(scaler: &mut Scaler) {
    use ffmpeg::ffi;
    // SAFETY: `scaler` is a valid SwsContext; the coefficient table comes
    // from swscale itself and lives as long as the process.
    unsafe {
        let table = ffi::sws_getCoefficients(ffi::SWS_CS_ITU709);
        ffi::sws_setColorspaceDetails(scaler.as_mut_ptr(), table, 1, table, 0, 0, 1 << 16, 1 << 16);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canvases_keep_the_shape_at_most_720p_with_even_sides() {
        assert_eq!(Canvas::for_display((1920, 1080)).width, 1280);
        assert_eq!(Canvas::for_display((1920, 1080)).height, 720);
        let scope = Canvas::for_display((2048, 858));
        assert_eq!((scope.width, scope.height), (1280, 536));
        let small = Canvas::for_display((640, 360));
        assert_eq!((small.width, small.height), (1280, 720));
        let upright = Canvas::for_display((1080, 1920));
        assert_eq!((upright.width, upright.height), (406, 720));
        assert_eq!(fit((1440, 1080), (1280, 720)), (960, 720));
        let odd = Canvas::for_display((249, 187));
        assert_eq!((odd.width, odd.height), (958, 720));
    }

    #[test]
    fn a_narrower_picture_is_centred_between_black_bars() {
        ffmpeg::init().unwrap();
        let mut canvas = Canvas::for_display((1280, 720));
        let white = RgbImage {
            width: 96,
            height: 72,
            data: vec![255; 96 * 72 * 3],
        };
        let out = canvas.place(&white, (960, 720)).unwrap();
        assert_eq!((out.width(), out.height()), (1280, 720));
        let y = |x: usize, row: usize| out.data(0)[row * out.stride(0) + x];
        assert_eq!(y(10, 360), 16, "left bar black");
        assert_eq!(y(1270, 360), 16, "right bar black");
        assert!(y(640, 360) >= 234, "picture white: {}", y(640, 360));
        assert!(
            y(170, 360) > 200 && y(150, 360) < 30,
            "picture from x = 160"
        );
    }
}

//! Conversion of decoded pictures into the canonical RGB form: 8-bit RGB,
//! full range, through the stream's own YCbCr matrix and range, turned
//! upright. FFmpeg's swscale does the conversion with the same settings as the
//! `ffmpeg` CLI (bicubic, matrix and range from the frame), so a frame we
//! write matches `ffmpeg -i X -pix_fmt rgb24` for the same index.

use super::error::MediaError;
use ffmpeg::format::Pixel;
use ffmpeg::frame::Video;
use ffmpeg::software::scaling::{Context as Scaler, Flags};
use ffmpeg_next as ffmpeg;
use std::io::BufWriter;
use std::path::Path;

/// A packed 8-bit RGB image, rows top to bottom, no padding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RgbImage {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

/// Converts a decoded picture into an upright [`RgbImage`].
pub trait ToRgb {
    /// `rotation`: clockwise degrees (0, 90, 180, 270) from `MediaInfo`.
    fn to_rgb(&self, rotation: u32) -> Result<RgbImage, ffmpeg::Error>;
}

impl ToRgb for Video {
    fn to_rgb(&self, rotation: u32) -> Result<RgbImage, ffmpeg::Error> {
        let (w, h) = (self.width(), self.height());
        let mut scaler = Scaler::get(self.format(), w, h, Pixel::RGB24, w, h, Flags::BICUBIC)?;
        set_colorspace(&mut scaler, self);
        let mut rgb = Video::empty();
        scaler.run(self, &mut rgb)?;
        Ok(RgbImage::from_frame(&rgb).rotated(rotation))
    }
}

/// Uses the frame's matrix and range, as FFmpeg's `scale` filter does.
fn set_colorspace(scaler: &mut Scaler, frame: &Video) {
    use ffmpeg::ffi;
    let space: ffi::AVColorSpace = frame.color_space().into();
    let range = frame.color_range();
    // SAFETY: `scaler` is a valid SwsContext; the table pointers come from
    // swscale itself and stay valid for the life of the process.
    unsafe {
        let ctx = scaler.as_mut_ptr();
        let (mut inv, mut table) = (std::ptr::null_mut(), std::ptr::null_mut());
        let (mut src_full, mut dst_full, mut bright, mut contrast, mut sat) = (0, 0, 0, 0, 0);
        let got = ffi::sws_getColorspaceDetails(
            ctx,
            &mut inv,
            &mut src_full,
            &mut table,
            &mut dst_full,
            &mut bright,
            &mut contrast,
            &mut sat,
        );
        if got < 0 {
            return; // RGB input: nothing to set.
        }
        let coefficients = ffi::sws_getCoefficients(space as i32);
        if range != ffmpeg::color::Range::Unspecified {
            src_full = i32::from(range == ffmpeg::color::Range::JPEG);
        }
        ffi::sws_setColorspaceDetails(
            ctx,
            coefficients,
            src_full,
            coefficients,
            dst_full,
            bright,
            contrast,
            sat,
        );
    }
}

impl RgbImage {
    fn from_frame(rgb: &Video) -> Self {
        let (w, h) = (rgb.width() as usize, rgb.height() as usize);
        let stride = rgb.stride(0);
        let plane = rgb.data(0);
        let mut data = Vec::with_capacity(w * h * 3);
        for row in plane.chunks(stride).take(h) {
            data.extend_from_slice(&row[..w * 3]);
        }
        Self {
            width: w as u32,
            height: h as u32,
            data,
        }
    }

    /// Turned clockwise by 0, 90, 180 or 270 degrees.
    pub fn rotated(self, clockwise: u32) -> Self {
        match clockwise % 360 {
            90 => self.remap(self.height, self.width, |x, y, w, _h| (y, w - 1 - x)),
            180 => self.remap(self.width, self.height, |x, y, w, h| (w - 1 - x, h - 1 - y)),
            270 => self.remap(self.height, self.width, |x, y, _w, h| (h - 1 - y, x)),
            _ => self,
        }
    }

    /// Builds an image of `out_w`×`out_h` whose pixel (x, y) is this image's
    /// pixel `source(x, y, out_w, out_h)`.
    fn remap(
        &self,
        out_w: u32,
        out_h: u32,
        source: impl Fn(u32, u32, u32, u32) -> (u32, u32),
    ) -> Self {
        let mut data = Vec::with_capacity(self.data.len());
        for y in 0..out_h {
            for x in 0..out_w {
                let (sx, sy) = source(x, y, out_w, out_h);
                let at = ((sy * self.width + sx) * 3) as usize;
                data.extend_from_slice(&self.data[at..at + 3]);
            }
        }
        Self {
            width: out_w,
            height: out_h,
            data,
        }
    }

    /// Writes an 8-bit RGB PNG.
    pub fn save_png(&self, path: &Path) -> Result<(), MediaError> {
        let fail = |reason: String| MediaError::Write {
            path: path.to_path_buf(),
            what: "the PNG image",
            reason,
        };
        let file = std::fs::File::create(path).map_err(|e| fail(e.to_string()))?;
        let mut encoder = png::Encoder::new(BufWriter::new(file), self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(|e| fail(e.to_string()))?;
        writer
            .write_image_data(&self.data)
            .and_then(|()| writer.finish())
            .map_err(|e| fail(e.to_string()))
    }

    /// Peak signal-to-noise ratio against another image of the same size, in
    /// dB (`f64::INFINITY` when identical); `None` when the sizes differ.
    pub fn psnr(&self, other: &RgbImage) -> Option<f64> {
        if (self.width, self.height) != (other.width, other.height) {
            return None;
        }
        let sum: u64 = self
            .data
            .iter()
            .zip(&other.data)
            .map(|(&a, &b)| u64::from(a.abs_diff(b)).pow(2))
            .sum();
        if sum == 0 {
            return Some(f64::INFINITY);
        }
        let mse = sum as f64 / self.data.len() as f64;
        Some(10.0 * (255.0f64 * 255.0 / mse).log10())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> RgbImage {
        // 2×1: red, green.
        RgbImage {
            width: 2,
            height: 1,
            data: vec![255, 0, 0, 0, 255, 0],
        }
    }

    #[test]
    fn rotates_clockwise() {
        let r = image().rotated(90);
        assert_eq!((r.width, r.height), (1, 2));
        assert_eq!(r.data, vec![255, 0, 0, 0, 255, 0]);
        let r = image().rotated(270);
        assert_eq!(r.data, vec![0, 255, 0, 255, 0, 0]);
        let r = image().rotated(180);
        assert_eq!(r.data, vec![0, 255, 0, 255, 0, 0]);
    }

    #[test]
    fn psnr_of_identical_images_is_infinite() {
        assert_eq!(image().psnr(&image()), Some(f64::INFINITY));
        let mut other = image();
        other.data[0] = 254;
        assert!(image().psnr(&other).is_some_and(|p| p > 50.0));
    }
}

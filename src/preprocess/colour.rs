//! Y′CbCr → R′G′B′ parameters from a stream's matrix, range and bit depth.
//!
//! Sample values are normalised first: limited range maps luma
//! `16·2^(b−8) … 235·2^(b−8)` to 0…1 and chroma `16·2^(b−8) … 240·2^(b−8)` to
//! −0.5…0.5; full range maps `0 … 2^b−1` to 0…1 and chroma centred on
//! `2^(b−1)`. Then `R = Y + 2(1−Kr)·Cr`, `B = Y + 2(1−Kb)·Cb`,
//! `G = (Y − Kr·R − Kb·B) / Kg`, clamped to 0…1 (ITU-R BT.601/709/2020).

/// Luma coefficients of the supported matrices.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Matrix {
    Bt601,
    Bt709,
    Bt2020,
}

impl Matrix {
    /// FFmpeg's matrix name (`MediaInfo::color.matrix`). An unspecified
    /// matrix is taken as BT.601, as FFmpeg's swscale does, so that these
    /// numbers agree with the canonical RGB frames (and `ffmpeg`'s own).
    pub fn from_name(name: &str) -> Self {
        match name {
            "bt709" => Self::Bt709,
            "bt2020nc" | "bt2020c" => Self::Bt2020,
            _ => Self::Bt601,
        }
    }

    /// (Kr, Kb).
    pub fn coefficients(self) -> (f32, f32) {
        match self {
            Self::Bt601 => (0.299, 0.114),
            Self::Bt709 => (0.2126, 0.0722),
            Self::Bt2020 => (0.2627, 0.0593),
        }
    }
}

/// The affine map from raw samples to R′G′B′, as the kernels use it:
/// `rgb = clamp(M · (y·ys + yo, cb·cs + co, cr·cs + co))`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Colour {
    pub luma_scale: f32,
    pub luma_offset: f32,
    pub chroma_scale: f32,
    pub chroma_offset: f32,
    /// Rows of the 3×3 matrix applied to normalised (Y, Cb, Cr).
    pub rows: [[f32; 3]; 3],
}

impl Colour {
    pub fn new(matrix: Matrix, full_range: bool, bit_depth: u32) -> Self {
        let scale = f32::from(1u16 << bit_depth.saturating_sub(8).min(8));
        let max = ((1u32 << bit_depth.min(16)) - 1) as f32;
        let (luma_scale, luma_offset, chroma_scale, chroma_offset) = if full_range {
            let half = (1u32 << bit_depth.saturating_sub(1).min(15)) as f32;
            (1.0 / max, 0.0, 1.0 / max, -half / max)
        } else {
            (
                1.0 / (219.0 * scale),
                -16.0 / 219.0,
                1.0 / (224.0 * scale),
                -128.0 / 224.0,
            )
        };
        let (kr, kb) = matrix.coefficients();
        let kg = 1.0 - kr - kb;
        let rows = [
            [1.0, 0.0, 2.0 * (1.0 - kr)],
            [
                1.0,
                -2.0 * kb * (1.0 - kb) / kg,
                -2.0 * kr * (1.0 - kr) / kg,
            ],
            [1.0, 2.0 * (1.0 - kb), 0.0],
        ];
        Self {
            luma_scale,
            luma_offset,
            chroma_scale,
            chroma_offset,
            rows,
        }
    }

    /// R′G′B′ in 0…1 from raw (possibly area-averaged) sample values.
    #[inline]
    pub fn to_rgb(&self, y: f32, cb: f32, cr: f32) -> [f32; 3] {
        let yn = y * self.luma_scale + self.luma_offset;
        let cbn = cb * self.chroma_scale + self.chroma_offset;
        let crn = cr * self.chroma_scale + self.chroma_offset;
        self.rows
            .map(|r| (r[0] * yn + r[1] * cbn + r[2] * crn).clamp(0.0, 1.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limited_range_black_and_white() {
        let c = Colour::new(Matrix::Bt709, false, 8);
        assert_eq!(c.to_rgb(16.0, 128.0, 128.0), [0.0, 0.0, 0.0]);
        let white = c.to_rgb(235.0, 128.0, 128.0);
        assert!(white.iter().all(|v| (v - 1.0).abs() < 1e-6), "{white:?}");
        let c10 = Colour::new(Matrix::Bt2020, false, 10);
        let white10 = c10.to_rgb(940.0, 512.0, 512.0);
        assert!(
            white10.iter().all(|v| (v - 1.0).abs() < 1e-6),
            "{white10:?}"
        );
    }

    #[test]
    fn bt709_primaries_round_trip() {
        // Pure red encoded with BT.709 limited range: Y=63, Cb=102, Cr=240.
        let c = Colour::new(Matrix::Bt709, false, 8);
        let [r, g, b] = c.to_rgb(63.0, 102.0, 240.0);
        assert!(r > 0.99 && g < 0.01 && b < 0.01, "{r} {g} {b}");
    }

    #[test]
    fn full_range_uses_all_codes() {
        let c = Colour::new(Matrix::Bt601, true, 8);
        assert_eq!(c.to_rgb(0.0, 128.0, 128.0)[0], 0.0);
        assert!((c.to_rgb(255.0, 128.0, 128.0)[1] - 1.0).abs() < 1e-6);
    }
}

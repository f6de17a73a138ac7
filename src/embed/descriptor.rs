//! The match-cut descriptor of a frame: what is in it and where it sits.
//!
//! From EfficientNet-Lite0's last feature map (`[1280, 7, 7]`):
//! - **content**: the global average (1280) projected to 256 dimensions;
//! - **layout**: the map averaged over a 3×3 grid of cells, each cell's 1280
//!   channels projected to 28 dimensions (252), so the same subject on the
//!   left and on the right of the frame gives different vectors.
//!
//! Each half is L2-normalised and weighted by √½, so the 508-dimensional
//! result has unit length and its dot product (cosine) is the mean of the
//! content and layout cosines. The projections are fixed Gaussian random
//! matrices (seeded): they preserve cosines (Johnson–Lindenstrauss) without
//! a training set, and keep the index at ≤ 512 dimensions.

use burn::tensor::module::adaptive_avg_pool2d;
use burn::tensor::{Device, Tensor, TensorData};

/// Content dimensions.
pub const CONTENT_DIMS: usize = 256;
/// Layout grid side and dimensions per cell.
pub const GRID: usize = 3;
pub const CELL_DIMS: usize = 28;
/// Length of a descriptor.
pub const DIMS: usize = CONTENT_DIMS + GRID * GRID * CELL_DIMS;
/// Identifies the descriptor's definition (part of the feature cache key).
pub const VERSION: &str = "gap256+grid3x3x28/1";

/// The two projection matrices, on the model's device.
#[derive(Clone, Debug)]
pub struct Projection {
    content: Tensor<2>,
    cell: Tensor<2>,
}

impl Projection {
    /// The fixed projections for `channels` input channels.
    pub fn new(channels: usize, device: &Device) -> Self {
        Self {
            content: gaussian(channels, CONTENT_DIMS, 0x6d61_7463_6863_7574, device),
            cell: gaussian(channels, CELL_DIMS, 0x6c61_796f_7574_0001, device),
        }
    }

    /// `[N, C, H, W]` feature maps → `[N, DIMS]` unit descriptors.
    pub fn describe(&self, maps: Tensor<4>) -> Tensor<2> {
        let [n, c, ..] = maps.dims();
        let pooled = maps.clone().mean_dim(3).mean_dim(2).reshape([n, c]);
        let content = unit(pooled.matmul(self.content.clone()));
        let cells = adaptive_avg_pool2d(maps, [GRID, GRID])
            .reshape([n, c, GRID * GRID])
            .swap_dims(1, 2)
            .reshape([n * GRID * GRID, c]);
        let layout = unit(
            cells
                .matmul(self.cell.clone())
                .reshape([n, GRID * GRID * CELL_DIMS]),
        );
        Tensor::cat(vec![content, layout], 1) * std::f32::consts::FRAC_1_SQRT_2
    }
}

/// Rows scaled to unit length (zero rows stay zero).
fn unit(x: Tensor<2>) -> Tensor<2> {
    let norm = x.clone().powi_scalar(2).sum_dim(1).sqrt().clamp_min(1e-12);
    x / norm
}

/// A `rows`×`cols` matrix of N(0, 1/cols) numbers from a fixed seed
/// (SplitMix64 and Box–Muller), the same on every machine.
fn gaussian(rows: usize, cols: usize, seed: u64, device: &Device) -> Tensor<2> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let scale = 1.0 / (cols as f64).sqrt();
    let values: Vec<f32> = (0..rows * cols)
        .map(|_| {
            let (u, v) = (next().max(f64::MIN_POSITIVE), next());
            ((-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos() * scale) as f32
        })
        .collect();
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

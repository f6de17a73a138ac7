//! Where the frame's salient subject is: a linear head on the network's
//! middle feature map (`[112, 14, 14]`, [`super::model::MIDDLE_BLOCKS`]),
//! distilled from a salient-object network (U²-Net-p) on real footage and
//! photographs (`models/saliency-head/`, `scripts/saliency/train.py`).
//!
//! The teacher outlines a figure against its ground whatever it is (an
//! animal, a person, a cartoon character, a stump) and marks nothing in a
//! frame with no figure (a forest path, a field of leaves); it costs about
//! 0.2 s a frame on a CPU, too much for every keyframe of a scan. The head
//! reads the same from features the embedding run already computes, for
//! one 112-long dot product per place.

use burn::tensor::{Device, Tensor, TensorData};

/// Side of the map: that of the middle feature map.
pub const SIDE: usize = 14;
/// Channels of the middle feature map.
pub const CHANNELS: usize = 112;
/// Version of the head (part of the embedding stage's cache key).
pub const VERSION: &str = "u2netp-distilled-linear/1";

/// The shipped head (see its card).
const SHIPPED: &str = include_str!("../../models/saliency-head/head.json");

#[derive(serde::Deserialize)]
struct HeadFile {
    channels: usize,
    weights: Vec<f32>,
    bias: f32,
}

/// The linear head: saliency = weights · features + bias, at each place.
#[derive(Clone, Debug)]
pub struct Head {
    weights: Tensor<2>,
    bias: f32,
}

impl Head {
    /// The shipped head on `device`.
    pub fn shipped(device: &Device) -> Result<Self, String> {
        let file: HeadFile = serde_json::from_str(SHIPPED).map_err(|e| e.to_string())?;
        if file.channels != CHANNELS || file.weights.len() != CHANNELS {
            return Err(format!(
                "a head for {} channels ({} weights), the network has {CHANNELS}",
                file.channels,
                file.weights.len()
            ));
        }
        Ok(Self::new(&file.weights, file.bias, device))
    }

    pub fn new(weights: &[f32], bias: f32, device: &Device) -> Self {
        let n = weights.len();
        Self {
            weights: Tensor::from_data(TensorData::new(weights.to_vec(), [1, n]), device),
            bias,
        }
    }

    /// `middle` (`[N, C, H, W]`) → N row-major H×W saliency maps over the
    /// square model input (empty when the channels do not match; an error
    /// when the device fails).
    pub fn maps(&self, middle: Tensor<4>) -> Result<Vec<Vec<f32>>, super::EmbedError> {
        let [n, channels, h, w] = middle.dims();
        if channels != self.weights.dims()[1] {
            return Ok(vec![Vec::new(); n]);
        }
        let places = h * w;
        let values = super::read_back(
            self.weights
                .clone()
                .unsqueeze::<3>()
                .repeat_dim(0, n)
                .matmul(middle.reshape([n, channels, places]))
                .add_scalar(self.bias),
        )?;
        Ok(values.chunks(places).map(<[f32]>::to_vec).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_head_loads() {
        assert!(Head::shipped(&Device::flex()).is_ok());
    }

    /// Two channels: the head weighs the first up and the second down.
    #[test]
    fn the_map_is_the_weighted_sum_of_channels_plus_bias() {
        let device = Device::flex();
        let head = Head::new(&[2.0, -1.0], 0.5, &device);
        let mut features = vec![0.0f32; 2 * 3 * 3 * 2];
        // Frame 0: channel 0 at place 4; frame 1: channel 1 at place 0.
        features[4] = 1.0;
        features[18 + 9] = 3.0;
        let middle = Tensor::<4>::from_data(TensorData::new(features, [2, 2, 3, 3]), &device);
        let maps = head.maps(middle).expect("read back");
        assert_eq!(maps.len(), 2);
        assert_eq!(maps[0][4], 2.5);
        assert_eq!(maps[0][0], 0.5);
        assert_eq!(maps[1][0], -2.5);
        let wrong = Tensor::<4>::zeros([1, 3, 3, 3], &device);
        assert_eq!(
            head.maps(wrong).expect("read back"),
            vec![Vec::<f32>::new()]
        );
    }
}

//! Where the network sees the frame's subject: a class-activation map
//! (Zhou et al. 2016) of the classes the frame most likely shows.
//!
//! The ImageNet classifier is linear over the pooled last feature map, so
//! each class's score is the mean over the 7×7 places of that place's
//! score. Weighting the places' scores by the probabilities of the
//! [`CLASSES`] likeliest classes gives a map that is high where the
//! network found the animal, person or object it named, and low on the
//! background that named nothing: the subject's place and extent, even in
//! a busy frame where colour alone does not single it out.
//!
//! Cost: one `[N, 1000] × [1000, 1280]` product and a weighted sum over the
//! feature map, next to the network's own run.

use burn::tensor::{Tensor, TensorData};

/// Likeliest classes whose activation maps are summed.
pub const CLASSES: usize = 20;
/// Side of the map: that of the network's last feature map.
pub const SIDE: usize = 7;
/// Version of the map (part of the embedding stage's cache key).
pub const VERSION: &str = "cam-top20/1";

/// The class-activation maps of `features` (`[N, C, SIDE, SIDE]`, the
/// network's last feature map), with each frame's class `probabilities`
/// ([`super::class_probabilities`], K each) and `weight` (`[C, K]`, the
/// classifier's weights): N row-major `SIDE × SIDE` maps over the square
/// input (empty where a frame's probabilities are missing). Class biases
/// shift a map by a constant and are left out.
pub fn maps(features: Tensor<4>, probabilities: &[Vec<f32>], weight: Tensor<2>) -> Vec<Vec<f32>> {
    let [n, channels, h, w] = features.dims();
    let [_, classes] = weight.dims();
    if probabilities.len() != n
        || probabilities.iter().any(|row| row.len() != classes)
        || h * w != SIDE * SIDE
    {
        return vec![Vec::new(); n];
    }
    let mixes: Vec<f32> = probabilities.iter().flat_map(|row| top_mix(row)).collect();
    let mix = Tensor::<2>::from_data(TensorData::new(mixes, [n, classes]), &weight.device());
    // The classifier's weights mixed per frame: [N, C].
    let direction = mix.matmul(weight.transpose());
    let activation = (features.reshape([n, channels, h * w]) * direction.reshape([n, channels, 1]))
        .sum_dim(1)
        .into_data()
        .try_to_vec::<f32>()
        .unwrap_or_default();
    if activation.len() != n * h * w {
        return vec![Vec::new(); n];
    }
    activation.chunks(h * w).map(<[f32]>::to_vec).collect()
}

/// One frame's class probabilities → the weights of its activation map:
/// the [`CLASSES`] likeliest classes' probabilities, summing to 1; 0 for
/// the rest.
fn top_mix(row: &[f32]) -> Vec<f32> {
    let mut order: Vec<usize> = (0..row.len()).collect();
    order.sort_unstable_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
    let top = &order[..CLASSES.min(row.len())];
    let total: f32 = top.iter().map(|&c| row[c]).sum();
    let mut mix = vec![0.0; row.len()];
    if total > 0.0 {
        for &c in top {
            mix[c] = row[c] / total;
        }
    }
    mix
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::Device;

    /// Two channels, two classes: class 0 reads channel 0, class 1 channel 1.
    /// Channel 0 is lit at one place, channel 1 at another.
    #[test]
    fn the_map_is_lit_where_the_likely_class_is_seen() {
        let device = Device::flex();
        let mut features = vec![0.0f32; 2 * SIDE * SIDE];
        features[10] = 5.0; // channel 0 at place 10
        features[SIDE * SIDE + 40] = 5.0; // channel 1 at place 40
        let features =
            Tensor::<4>::from_data(TensorData::new(features, [1, 2, SIDE, SIDE]), &device);
        let weight = Tensor::<2>::from_data(
            TensorData::new(vec![1.0f32, 0.0, 0.0, 1.0], [2, 2]),
            &device,
        );
        let likely_class_0 =
            Tensor::<2>::from_data(TensorData::new(vec![9.0f32, 0.0], [1, 2]), &device);
        let likely_class_0 = crate::embed::class_probabilities(likely_class_0);
        let map = &maps(features.clone(), &likely_class_0, weight.clone())[0];
        assert_eq!(map.len(), SIDE * SIDE);
        assert!(map[10] > 4.9 && map[40] < 0.01, "{map:?}");
        let likely_class_1 =
            Tensor::<2>::from_data(TensorData::new(vec![0.0f32, 9.0], [1, 2]), &device);
        let likely_class_1 = crate::embed::class_probabilities(likely_class_1);
        let map = &maps(features, &likely_class_1, weight)[0];
        assert!(map[40] > 4.9 && map[10] < 0.01, "{map:?}");
    }

    #[test]
    fn the_mix_keeps_the_likeliest_classes() {
        let mut row = vec![0.0f32; 100];
        for (i, v) in row.iter_mut().enumerate() {
            *v = i as f32;
        }
        let mix = top_mix(&row);
        assert_eq!(mix.iter().filter(|&&v| v > 0.0).count(), CLASSES);
        assert!(mix[99] > mix[80] && mix[79] == 0.0);
        assert!((mix.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}

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
//! The map also splits the frame's features in two ([`regions`]): those of
//! the **subject** (the places weighted by the map) and those of its
//! **surroundings** (weighted by the rest). Two frames whose subjects and
//! surroundings both look alike show the same subject in the same place:
//! one set-up revisited, not a match cut.
//!
//! Cost: one `[N, 1000] × [1000, 1280]` product and two weighted sums over
//! the feature map, next to the network's own run.

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
pub fn maps(
    features: Tensor<4>,
    probabilities: &[Vec<f32>],
    weight: Tensor<2>,
) -> Result<Vec<Vec<f32>>, super::EmbedError> {
    let [n, channels, h, w] = features.dims();
    let [_, classes] = weight.dims();
    if probabilities.len() != n
        || probabilities.iter().any(|row| row.len() != classes)
        || h * w != SIDE * SIDE
    {
        return Ok(vec![Vec::new(); n]);
    }
    let mixes: Vec<f32> = probabilities.iter().flat_map(|row| top_mix(row)).collect();
    let mix = Tensor::<2>::from_data(TensorData::new(mixes, [n, classes]), &weight.device());
    // The classifier's weights mixed per frame: [N, C].
    let direction = mix.matmul(weight.transpose());
    let activation = super::read_back(
        (features.reshape([n, channels, h * w]) * direction.reshape([n, channels, 1])).sum_dim(1),
    )?;
    Ok(activation.chunks(h * w).map(<[f32]>::to_vec).collect())
}

/// Version of the subject and surroundings features (part of the embedding
/// stage's cache key).
pub const REGIONS_VERSION: &str = "cam-minmax-split/1";

/// The subject and surroundings features of each frame: `features`
/// (`[N, C, SIDE, SIDE]`) averaged over the places weighted by the frame's
/// activation map ([`maps`], rescaled to 0…1), then by its complement; each
/// half scaled to unit length. N rows of `2·C` (subject, then
/// surroundings); empty where a frame has no map.
pub fn regions(features: Tensor<4>, maps: &[Vec<f32>]) -> Result<Vec<Vec<f32>>, super::EmbedError> {
    let [n, channels, h, w] = features.dims();
    let places = h * w;
    if maps.len() != n || maps.iter().any(|m| m.len() != places) {
        return Ok(vec![Vec::new(); n]);
    }
    // Per frame, per place: [weight of the subject, weight of the rest].
    let weights: Vec<f32> = maps.iter().flat_map(|m| split(m)).collect();
    let device = features.device();
    let weights = Tensor::<3>::from_data(TensorData::new(weights, [n, places, 2]), &device);
    let pooled = features
        .reshape([n, channels, places])
        .matmul(weights)
        .swap_dims(1, 2);
    let norm = pooled
        .clone()
        .powi_scalar(2)
        .sum_dim(2)
        .sqrt()
        .clamp_min(1e-12);
    let flat = super::read_back((pooled / norm).reshape([n, 2 * channels]))?;
    // A flat map weighs nothing: its rows come out all zeros.
    Ok(flat
        .chunks(2 * channels)
        .map(|row| {
            if row.iter().all(|&v| v == 0.0) {
                Vec::new()
            } else {
                row.to_vec()
            }
        })
        .collect())
}

/// A map rescaled to 0…1 → per place, the shares of the subject's and of
/// the surroundings' averages (each column sums to 1); all zeros for a
/// flat map, which singles out nothing.
fn split(map: &[f32]) -> Vec<f32> {
    let (low, high) = map
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(l, h), &v| {
            (l.min(v), h.max(v))
        });
    let range = high - low;
    if !range.is_finite() || range <= 1e-6 {
        return vec![0.0; 2 * map.len()];
    }
    let level: Vec<f32> = map.iter().map(|v| (v - low) / range).collect();
    let (inside, outside) = (
        level.iter().sum::<f32>(),
        level.iter().map(|v| 1.0 - v).sum::<f32>(),
    );
    level
        .iter()
        .flat_map(|v| [v / inside, (1.0 - v) / outside])
        .collect()
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
        let likely_class_0 = crate::embed::class_probabilities(likely_class_0).expect("read back");
        let map = &maps(features.clone(), &likely_class_0, weight.clone()).expect("read back")[0];
        assert_eq!(map.len(), SIDE * SIDE);
        assert!(map[10] > 4.9 && map[40] < 0.01, "{map:?}");
        let likely_class_1 =
            Tensor::<2>::from_data(TensorData::new(vec![0.0f32, 9.0], [1, 2]), &device);
        let likely_class_1 = crate::embed::class_probabilities(likely_class_1).expect("read back");
        let map = &maps(features, &likely_class_1, weight).expect("read back")[0];
        assert!(map[40] > 4.9 && map[10] < 0.01, "{map:?}");
    }

    /// Channel 0 is lit at place 10 only, channel 1 everywhere alike: the
    /// subject (where the map is high) holds both, its surroundings only
    /// channel 1.
    #[test]
    fn the_map_splits_subject_from_surroundings() {
        let device = Device::flex();
        let mut features = vec![0.0f32; 2 * SIDE * SIDE];
        features[10] = 3.0;
        for v in &mut features[SIDE * SIDE..] {
            *v = 1.0;
        }
        let features =
            Tensor::<4>::from_data(TensorData::new(features, [1, 2, SIDE, SIDE]), &device);
        let mut map = vec![-1.0f32; SIDE * SIDE];
        map[10] = 4.0;
        let flat = vec![2.0f32; SIDE * SIDE];
        let rows = regions(features.clone().repeat_dim(0, 2), &[map, flat]).expect("read back");
        let row = &rows[0];
        assert_eq!(row.len(), 4);
        let (subject, surroundings) = (&row[..2], &row[2..]);
        let expected = [3.0 / 10f32.sqrt(), 1.0 / 10f32.sqrt()];
        for (got, want) in subject.iter().zip(expected) {
            assert!((got - want).abs() < 1e-5, "{subject:?}");
        }
        assert!(surroundings[0].abs() < 1e-6 && (surroundings[1] - 1.0).abs() < 1e-5);
        assert!(rows[1].is_empty(), "a flat map singles out nothing");
        assert_eq!(
            regions(features, &[vec![1.0; 3]]).expect("read back"),
            vec![Vec::<f32>::new()]
        );
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

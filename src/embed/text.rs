//! Is a frame text or graphics (a title card, credits, a logo, a slate)
//! rather than a picture? The ImageNet classifier of the embedding network
//! answers it for free: such frames put their probability on the classes of
//! printed and displayed matter (web site, menu, book jacket, envelope…),
//! which pictures of the world rarely touch.
//!
//! Measured on the full *Big Buck Bunny* (`scripts/match-eval/film/`): its
//! end credits (text on dark gradients, some with small drawings) score
//! 0.22–0.81; its pictures 0.002–0.08; its opening title lettered over a
//! picture 0.08–0.23.
//!
//! Lettering over a picture fills only a band of the frame, so the
//! picture dilutes its mass. A frame with some text mass
//! ([`LETTERING_FLOOR`]) is therefore also read place by place (the
//! classifier on each cell of the 7×7 feature map): a place that is
//! nearly all text ([`LETTERING_PLACE`]) gives the frame its mass. On the
//! film, the opening title's last frame reads 0.17 as a whole and 0.99 at
//! its lettering; an eye in close-up reads 0.17 and 0.92 at its most
//! text-like place (a picture); pictures reading less than 0.15 as a whole
//! reach 0.96 at one place, hence the floor. Both thresholds come from
//! this one film: the margin is thin.

use burn::nn::Linear;
use burn::tensor::Tensor;

/// ImageNet classes of printed or displayed text and graphics: envelope,
/// binder, monitor, notebook, packet, web site, comic book, crossword
/// puzzle, street sign, book jacket, menu.
pub const CLASSES: [usize; 11] = [549, 446, 664, 681, 692, 916, 917, 918, 919, 921, 922];

/// Version of the measure (part of the embedding stage's cache key).
pub const VERSION: &str = "imagenet-text11+lettering/2";
/// Text mass of a whole frame from which its places are read one by one.
pub const LETTERING_FLOOR: f32 = 0.15;
/// Text mass of one place that reads as lettering.
pub const LETTERING_PLACE: f32 = 0.95;

/// The probability mass on [`CLASSES`] of each frame's ImageNet class
/// probabilities ([`super::class_probabilities`]): N values in 0…1.
pub fn probability(probabilities: &[Vec<f32>]) -> Vec<f32> {
    probabilities
        .iter()
        .map(|row| CLASSES.iter().filter_map(|&c| row.get(c)).sum())
        .collect()
}

/// Raises the text mass of each frame that has at least
/// [`LETTERING_FLOOR`] of it to that of its most text-like place, when
/// that place reads as lettering ([`LETTERING_PLACE`]). `maps` are the
/// frames' last feature maps (`[N, C, H, W]`), `classifier` the network's
/// classifier over C features.
pub fn lettering(
    text: &mut [f32],
    maps: Tensor<4>,
    classifier: &Linear,
) -> Result<(), super::EmbedError> {
    let [n, channels, h, w] = maps.dims();
    let wanted: Vec<usize> = (0..n.min(text.len()))
        .filter(|&i| text[i] >= LETTERING_FLOOR)
        .collect();
    if wanted.is_empty() {
        return Ok(());
    }
    // The wanted frames' places as rows, `[k · h · w, C]`, read back once
    // (one sync for the batch, not one a frame).
    let frames: Vec<Tensor<4>> = wanted
        .iter()
        .map(|&i| maps.clone().narrow(0, i, 1))
        .collect();
    let places = Tensor::cat(frames, 0)
        .reshape([wanted.len(), channels, h * w])
        .swap_dims(1, 2)
        .reshape([wanted.len() * h * w, channels]);
    let place_mass = probability(&super::class_probabilities(classifier.forward(places))?);
    for (&i, masses) in wanted.iter().zip(place_mass.chunks(h * w)) {
        let most = masses.iter().copied().fold(0.0f32, f32::max);
        if most >= LETTERING_PLACE {
            text[i] = text[i].max(most);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    #[test]
    fn text_classes_carry_the_probability() {
        let mut logits = vec![0.0f32; 2 * 1000];
        logits[916] = 20.0; // web site: a page of text
        logits[1000 + 151] = 20.0; // Chihuahua: a picture
        let t = Tensor::from_data(TensorData::new(logits, [2, 1000]), &Device::flex());
        let p = probability(&crate::embed::class_probabilities(t).expect("read back"));
        assert!(p[0] > 0.99 && p[1] < 0.01, "{p:?}");
    }

    /// One place of a frame shows lettering (channel 0, read as "web site"),
    /// the 48 others a picture (channel 1, read as a dog).
    #[test]
    fn lettering_at_one_place_raises_a_frame_with_some_text() {
        let device = Device::flex();
        let mut weight = vec![0.0f32; 2 * 1000];
        weight[916] = 30.0;
        weight[1000 + 151] = 30.0;
        let classifier = Linear {
            weight: burn::module::Param::from_tensor(Tensor::from_data(
                TensorData::new(weight, [2, 1000]),
                &device,
            )),
            bias: None,
        };
        // Frames 1 and 2 show lettering at place 24, frame 0 none.
        let mut maps = vec![0.0f32; 3 * 2 * 49];
        for frame in 0..3 {
            for place in 0..49 {
                let channel = usize::from(frame == 0 || place != 24);
                maps[frame * 98 + channel * 49 + place] = 1.0;
            }
        }
        let maps = Tensor::from_data(TensorData::new(maps, [3, 2, 7, 7]), &device);
        // Frames 0 and 2 have some text mass as a whole, frame 1 not
        // enough to be read place by place.
        let before = [
            LETTERING_FLOOR + 0.02,
            LETTERING_FLOOR - 0.01,
            LETTERING_FLOOR + 0.01,
        ];
        let mut text = before.to_vec();
        lettering(&mut text, maps, &classifier).expect("read back");
        assert_eq!(text[0], before[0], "no lettering in frame 0: {text:?}");
        assert_eq!(text[1], before[1], "frame 1 is not read place by place");
        assert!(text[2] > 0.99, "{text:?}");
    }
}

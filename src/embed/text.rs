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

/// ImageNet classes of printed or displayed text and graphics: envelope,
/// binder, monitor, notebook, packet, web site, comic book, crossword
/// puzzle, street sign, book jacket, menu.
pub const CLASSES: [usize; 11] = [549, 446, 664, 681, 692, 916, 917, 918, 919, 921, 922];

/// Version of the measure (part of the embedding stage's cache key).
pub const VERSION: &str = "imagenet-text11/1";

/// The probability mass on [`CLASSES`] of each frame's ImageNet class
/// probabilities ([`super::class_probabilities`]): N values in 0…1.
pub fn probability(probabilities: &[Vec<f32>]) -> Vec<f32> {
    probabilities
        .iter()
        .map(|row| CLASSES.iter().filter_map(|&c| row.get(c)).sum())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, Tensor, TensorData};

    #[test]
    fn text_classes_carry_the_probability() {
        let mut logits = vec![0.0f32; 2 * 1000];
        logits[916] = 20.0; // web site: a page of text
        logits[1000 + 151] = 20.0; // Chihuahua: a picture
        let t = Tensor::from_data(TensorData::new(logits, [2, 1000]), &Device::flex());
        let p = probability(&crate::embed::class_probabilities(t));
        assert!(p[0] > 0.99 && p[1] < 0.01, "{p:?}");
    }
}

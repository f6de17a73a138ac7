//! One set-up revisited, anywhere in the library: the same subject in the
//! same place. Two such frames look alike in their subject **and** in its
//! surroundings ([`crate::embed::objects::regions`]); an editor sees them
//! as one set-up cut back to, not as a match cut, however far apart they
//! are. Only one of the two is not enough: the same character somewhere
//! else, or another subject in the same place (the meadow with the bunny,
//! then with the rodents), is what a match cut joins.
//!
//! This is tested pair by pair, never chained: the subject alike in two
//! places and each place alike with a third never joins all of them, as
//! transitive groups would (on a real film such a chain swallowed most of
//! its shots).

use super::exact::{cosine_i8, quantise};
use super::MatchParams;

/// A frame's subject and surroundings features as stored: each half
/// quantised on its own to 8 bits (empty stays empty).
pub fn quantise_regions(regions: &[f32]) -> Vec<i8> {
    if regions.is_empty() || !regions.len().is_multiple_of(2) {
        return Vec::new();
    }
    let (subject, surroundings) = regions.split_at(regions.len() / 2);
    let mut out = quantise(subject);
    out.extend(quantise(surroundings));
    out
}

/// How alike two frames' subjects and surroundings are (cosines), when
/// both have them.
pub fn alike(a: &[i8], b: &[i8]) -> Option<(f32, f32)> {
    if a.is_empty() || a.len() != b.len() || !a.len().is_multiple_of(2) {
        return None;
    }
    let half = a.len() / 2;
    Some((
        cosine_i8(&a[..half], &b[..half]),
        cosine_i8(&a[half..], &b[half..]),
    ))
}

/// Whether the frames `a` and `b` (quantised regions) show one set-up: the
/// subject at least [`MatchParams::setup_subject`] alike and its
/// surroundings at least [`MatchParams::setup_surroundings`].
pub fn same_setup(a: &[i8], b: &[i8], params: &MatchParams) -> bool {
    alike(a, b).is_some_and(|(subject, surroundings)| {
        subject >= params.setup_subject && surroundings >= params.setup_surroundings
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regions from a subject and a surroundings direction (unit length).
    fn regions(subject: [f32; 3], surroundings: [f32; 3]) -> Vec<i8> {
        let unit = |v: [f32; 3]| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.map(|x| x / n)
        };
        let mut joined = unit(subject).to_vec();
        joined.extend(unit(surroundings));
        quantise_regions(&joined)
    }

    #[test]
    fn one_set_up_needs_the_subject_and_its_surroundings_alike() {
        let params = MatchParams::default();
        let bunny_in_meadow = regions([1.0, 0.1, 0.0], [0.0, 1.0, 0.2]);
        let bunny_again = regions([1.0, 0.2, 0.1], [0.1, 1.0, 0.1]);
        let rodents_in_meadow = regions([0.0, 0.2, 1.0], [0.0, 1.0, 0.25]);
        let bunny_in_forest = regions([1.0, 0.1, 0.05], [1.0, 0.0, 0.1]);
        assert!(same_setup(&bunny_in_meadow, &bunny_again, &params));
        assert!(!same_setup(&bunny_in_meadow, &rodents_in_meadow, &params));
        assert!(!same_setup(&bunny_in_meadow, &bunny_in_forest, &params));
        assert!(!same_setup(&bunny_in_meadow, &[], &params));
        let (subject, surroundings) = alike(&bunny_in_meadow, &rodents_in_meadow).unwrap();
        assert!(
            subject < 0.3 && surroundings > 0.95,
            "{subject} {surroundings}"
        );
    }

    #[test]
    fn each_half_is_quantised_on_its_own() {
        let q = quantise_regions(&[1.0, 0.5, 0.01, 0.02]);
        assert_eq!(q, vec![127, 64, 64, 127]);
        assert!(quantise_regions(&[1.0, 2.0, 3.0]).is_empty());
    }
}

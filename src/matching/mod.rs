//! From keyframe descriptors to ranked match-cut candidates.
//!
//! A candidate pairs the **exit** of one shot (its last frame, the outgoing
//! side of a cut) with the **entry** of another (its first frame). Each
//! shot's exit keeps a list of the entries most like it in the whole
//! library, and its entry a list of the exits ([`neighbours`]); a pair is a
//! candidate when either end lists the other. The lists are exact
//! ([`exact`]), so the pairs of a library are a function of its titles and
//! these parameters, whatever order the titles came in.
//!
//! Three kinds of look-alikes are not match cuts and are kept out:
//! - **near-duplicate shots inside a title** ([`groups`]): consecutive or
//!   interleaved shots of one camera set-up (shot/reverse-shot dialogue)
//!   form a group; no pair joins two members of a group, and the ranking
//!   keeps one pair per pair of groups;
//! - **one set-up revisited** ([`setups`]): the same subject in the same
//!   place, however far apart (in a title or across titles), tested pair by
//!   pair;
//! - **duplicate footage across titles** ([`duplicates`]): the same shot
//!   re-encoded, re-graded, resized or slightly cropped, or cut anew
//!   (trimmed, through a dissolve, faded, slowed, lettered over: found by
//!   the frames the shots share, [`footage`]), is recorded as a duplicate
//!   and never offered.
//!
//! A pair's score ([`score`]) is how well the two framings agree
//! ([`composition`]): where light, contours, lines and the subject sit,
//! never what the pictures show or their colours. Its parts are kept with
//! the pair to explain it. The lists rank by the same measure, so the best
//! framings of the whole library are found exactly. The ranking ([`rank`])
//! caps the pairs any one shot takes part in.

pub mod candidates;
pub mod composition;
pub mod duplicates;
pub mod exact;
pub mod footage;
pub mod groups;
pub mod layout;
pub mod motion;
pub mod neighbours;
pub mod rank;
pub mod setups;

use serde::{Deserialize, Serialize};

/// Settings of candidate generation and ranking.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchParams {
    /// Members of each shot's exit and entry lists.
    pub k: usize,
    /// Shots this close in a title (in shot count) are never paired: they
    /// are already next to each other.
    pub adjacent_window: usize,
    /// Shots this close in a title (in shot count) whose exit and entry
    /// descriptors are at least `scene_similarity` alike are one scene and
    /// never paired.
    pub scene_window: usize,
    pub scene_similarity: f32,
    /// Two shots of a title are one camera set-up (or one place and
    /// subject) when two of their keyframes are at least `group_similarity`
    /// alike in descriptor and `group_framing` in framing signature.
    pub group_similarity: f32,
    pub group_framing: f32,
    /// Descriptor similarity at or above which two shots of a title are
    /// one set-up whatever their framing (the same footage re-framed).
    pub group_content: f32,
    /// Two shots of different titles are the same footage when their
    /// entries and their exits are both at least `duplicate_floor` alike
    /// and one of the two at least `duplicate_similarity` (a re-grade or
    /// crop moves one end more than the other).
    pub duplicate_similarity: f32,
    pub duplicate_floor: f32,
    /// Two frames show one set-up, wherever they are, when their subjects
    /// are at least `setup_subject` alike and their surroundings at least
    /// `setup_surroundings` ([`setups`]); no pair joins them.
    pub setup_subject: f32,
    pub setup_surroundings: f32,
    /// Most pairs one shot (or one group) takes part in on each side.
    pub per_shot_cap: usize,
}

impl Default for MatchParams {
    fn default() -> Self {
        Self {
            k: 10,
            adjacent_window: 2,
            scene_window: 12,
            scene_similarity: 0.5,
            group_similarity: 0.65,
            group_framing: 0.5,
            group_content: 0.8,
            duplicate_similarity: 0.85,
            duplicate_floor: 0.6,
            setup_subject: 0.5,
            setup_surroundings: 0.7,
            per_shot_cap: 2,
        }
    }
}

/// A keyframe as matching sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// Stable index key ([`crate::index::keyframe_key`]).
    pub key: u64,
    pub frame: u64,
    pub vector: Vec<f32>,
    pub composition: Vec<i8>,
    /// Its subject's and surroundings' features, quantised
    /// ([`setups::quantise_regions`]; empty when unknown).
    pub regions: Vec<i8>,
    /// How clearly a figure stands out, 0…1 ([`composition::figure`]).
    pub figure: f32,
}

/// A shot of the title being added, with its keyframes.
#[derive(Clone, Debug, PartialEq)]
pub struct ShotPoints {
    pub shot: usize,
    pub first_frame: u64,
    pub last_frame: u64,
    pub entry: Point,
    pub middle: Point,
    pub exit: Point,
}

/// Which shot of which title.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ShotRef {
    pub content_hash: String,
    pub shot: usize,
}

/// How a candidate scored, and why.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Components {
    /// Cosine similarity of the two keyframes' descriptors: how alike what
    /// they show is. Shown, never rewarded: a match cut joins different
    /// pictures.
    pub descriptor: f32,
    /// How well the two framings agree ([`composition::similarity`]): the
    /// weighted mean of the six parts below.
    pub composition: f32,
    /// Correlation of the shape of light and shade.
    #[serde(default)]
    pub light: f32,
    /// Correlation of where the contours are.
    #[serde(default)]
    pub edges: f32,
    /// Correlation of the lines by orientation (horizon, verticals,
    /// diagonals) and where they are.
    #[serde(default)]
    pub lines: f32,
    /// Correlation of where the subject stands out, and how big it is.
    #[serde(default)]
    pub subject: f32,
    /// Correlation of where the network sees the subject.
    #[serde(default)]
    pub objects: f32,
    /// Correlation of where a figure stands out from its ground.
    #[serde(default)]
    pub salient: f32,
    /// How clearly a figure stands out in both frames: the lesser of their
    /// [`composition::figure`], 0…1. Two frames with no figure (a busy
    /// forest, a field of leaves) have little framing to match.
    #[serde(default)]
    pub figure: f32,
    /// A motion pair's movement across the cut (`None`: a frame pair).
    #[serde(default)]
    pub motion: Option<MotionParts>,
}

/// How a motion pair's movement carries across the cut ([`motion`]).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct MotionParts {
    /// The camera's movement or a subject's, on both sides.
    pub what: crate::motion::carry::Kind,
    /// Cosine of the angle between the two movements (1: the same way).
    pub direction: f32,
    /// The slower movement's speed over the faster's (1: the same speed).
    pub speed_ratio: f32,
    /// The outgoing shot's movement over its last half second, and the
    /// incoming shot's over its first.
    pub exit: crate::motion::carry::Arrow,
    pub entry: crate::motion::carry::Arrow,
}

/// What a pair matches: framing (`frame`) or a movement (`motion`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum PairKind {
    Frame,
    Motion,
}

impl PairKind {
    pub fn name(self) -> &'static str {
        match self {
            PairKind::Frame => "frame",
            PairKind::Motion => "motion",
        }
    }
}

impl Components {
    /// The components of a cut from `from`'s exit to `to`'s entry.
    pub fn of(from: &neighbours::ShotInfo, to: &neighbours::ShotInfo) -> Self {
        let [light, edges, lines, subject, objects, salient] =
            composition::parts(&from.exit_composition, &to.entry_composition);
        Self {
            descriptor: exact::cosine_i8(&from.exit_vector, &to.entry_vector),
            composition: composition::similarity(&from.exit_composition, &to.entry_composition),
            figure: from.exit_figure.min(to.entry_figure),
            light,
            edges,
            lines,
            subject,
            objects,
            salient,
            motion: None,
        }
    }

    /// What the pair matches.
    pub fn kind(&self) -> PairKind {
        if self.motion.is_some() {
            PairKind::Motion
        } else {
            PairKind::Frame
        }
    }
}

/// Weight of [`Components::figure`] in a pair's score, chosen on the tuned
/// part of the film evaluation (the separation of its labelled matches from
/// unrelated pairs, ROC AUC, grows from 0.81 to 0.83 up to 0.3 and levels
/// off after).
pub const FIGURE_WEIGHT: f32 = 0.3;

/// The score of a pair from its components: the agreement of framing,
/// raised when both frames show a clear figure; in [−1, 1 + FIGURE_WEIGHT].
pub fn score(c: Components) -> f32 {
    pair_score(c.composition, c.figure)
}

/// The score of a cut whose framings agree `composition` and whose frames'
/// figures stand out `figure` (the lesser of the two).
pub fn pair_score(composition: f32, figure: f32) -> f32 {
    composition + FIGURE_WEIGHT * figure
}

/// A candidate match cut: `from`'s exit, then `to`'s entry.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub from: ShotRef,
    pub to: ShotRef,
    /// The outgoing shot's exit keyframe: the last frame before the cut.
    pub from_frame: u64,
    /// The incoming shot's entry keyframe: the first frame after the cut.
    pub to_frame: u64,
    pub components: Components,
    pub score: f32,
}

/// The stable id of a motion pair: as [`pair_id`], apart from the frame
/// pair of the same two shots.
pub fn motion_pair_id(from: (&str, u64, u64), to: (&str, u64, u64)) -> String {
    pair_id((&format!("motion:{}", from.0), from.1, from.2), to)
}

/// The stable id of a pair: from the two titles' content hashes and the
/// two shots' frame ranges, so it is the same on every machine.
pub fn pair_id(from: (&str, u64, u64), to: (&str, u64, u64)) -> String {
    let text = format!(
        "{}:{}-{}>{}:{}-{}",
        from.0, from.1, from.2, to.0, to.1, to.2
    );
    blake3::hash(text.as_bytes()).to_hex()[..16].to_string()
}

/// Disjoint sets over `0..n` (path halving, union by smaller root).
pub(crate) struct UnionFind(Vec<usize>);

impl UnionFind {
    pub fn new(n: usize) -> Self {
        Self((0..n).collect())
    }

    pub fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }

    /// Joins the sets of `a` and `b`; the smaller root stays the root.
    pub fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        let (low, high) = (ra.min(rb), ra.max(rb));
        self.0[high] = low;
    }
}

/// Helpers of this module's tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::neighbours::ShotInfo;

    /// Shot `n` of 100 frames from frame `100 n`, with no vectors yet.
    pub fn shot(n: usize) -> ShotInfo {
        let at = n as u64 * 100;
        ShotInfo {
            shot: n,
            first_frame: at,
            last_frame: at + 99,
            entry_frame: at,
            exit_frame: at + 99,
            group_shot: n,
            entry_composition: Vec::new(),
            exit_composition: Vec::new(),
            entry_vector: Vec::new(),
            exit_vector: Vec::new(),
            entry_regions: Vec::new(),
            exit_regions: Vec::new(),
            entry_figure: 0.0,
            exit_figure: 0.0,
            exit_kth: None,
            entry_kth: None,
            motion: None,
        }
    }

    /// A pseudo-random 8-bit vector of `len` values (xorshift).
    pub fn noise(seed: u64, len: usize) -> Vec<i8> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state % 255) as i8
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_ids_are_stable_and_directed() {
        let a = pair_id(("h1", 0, 10), ("h2", 20, 30));
        assert_eq!(a, pair_id(("h1", 0, 10), ("h2", 20, 30)));
        assert_ne!(a, pair_id(("h2", 20, 30), ("h1", 0, 10)));
        assert_ne!(a, pair_id(("h1", 0, 11), ("h2", 20, 30)));
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn union_find_keeps_the_smallest_root() {
        let mut sets = UnionFind::new(6);
        sets.union(4, 2);
        sets.union(5, 4);
        sets.union(1, 3);
        assert_eq!(sets.find(5), 2);
        assert_eq!(sets.find(3), 1);
        assert_ne!(sets.find(0), sets.find(1));
    }
}

//! Nearest-neighbour lists, exactly: the definition candidate pairs follow.
//!
//! Every shot asks two questions of the library: which entries its exit
//! could cut to (its **exit list**) and which exits could cut to its entry
//! (its **entry list**). Each list holds the `k` most similar eligible
//! keyframes of the whole library (not the same or an adjacent shot, not
//! the same set-up or the same subject in the same place, not duplicate
//! footage), ordered by similarity, then by (title hash, shot) so that ties
//! fall the same way everywhere. A pair is a candidate when either of its
//! ends lists the other.
//!
//! [`cross`] compares two titles in one block and answers both questions
//! for both sides at once, so a title joining the library is compared once
//! with each title, and the lists of shots already there are updated from
//! the same block.

use super::exact::{Block, Quantised};
use super::footage::{AsideFootage, Footage};
use super::{MatchParams, ShotRef};
use std::cmp::Ordering;
use std::collections::HashSet;

/// A shot of a title as candidate search sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ShotInfo {
    pub shot: usize,
    pub first_frame: u64,
    pub last_frame: u64,
    /// Its entry and exit keyframes: the frames a cut to and from it uses,
    /// fully visible pictures at most a few frames inside its ends.
    pub entry_frame: u64,
    pub exit_frame: u64,
    /// The first shot of its near-duplicate group (itself when alone).
    pub group_shot: usize,
    /// Framing signatures ([`super::composition`]) of its entry and exit:
    /// what the lists rank by.
    pub entry_composition: Vec<i8>,
    pub exit_composition: Vec<i8>,
    /// Quantised descriptors of its entry and exit (what they show).
    pub entry_vector: Vec<i8>,
    pub exit_vector: Vec<i8>,
    /// Its entry's and exit's subject and surroundings features
    /// ([`super::setups`]; empty when unknown).
    pub entry_regions: Vec<i8>,
    pub exit_regions: Vec<i8>,
    /// How clearly a figure stands out in its entry and exit
    /// ([`super::composition::figure`]).
    pub entry_figure: f32,
    pub exit_figure: f32,
    /// The k-th similarity of its stored exit and entry lists (`None`:
    /// fewer than k members, or not stored yet).
    pub exit_kth: Option<f32>,
    pub entry_kth: Option<f32>,
    /// Its ends' motion ([`crate::motion`]; `None`: not measured).
    pub motion: Option<crate::motion::ShotMotion>,
}

/// Which of a shot's two lists: its exit's (entries it could cut to) or
/// its entry's (exits that could cut to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Exit,
    Entry,
}

/// A title's shots (or some of them) with their entry and exit
/// descriptors and their footage prints: row `i` of `entries`, `exits` and
/// `footage` is `shots[i]`. Descriptors and prints find duplicate footage;
/// the shots' framing signatures make the lists.
#[derive(Clone, Debug, PartialEq)]
pub struct TitleVectors {
    pub content_hash: String,
    pub shots: Vec<ShotInfo>,
    pub entries: Quantised,
    pub exits: Quantised,
    pub footage: Footage,
    /// Its shots set aside from matching that show a picture.
    pub aside: AsideFootage,
}

impl TitleVectors {
    /// The framing signatures of the shots' entries or exits, as rows.
    pub fn framing(&self, role: Role) -> Quantised {
        let mut out = Quantised::new(super::composition::LEN);
        for shot in &self.shots {
            out.push(match role {
                Role::Entry => &shot.entry_composition,
                Role::Exit => &shot.exit_composition,
            });
        }
        out
    }

    /// Whether its shots carry footage prints (titles built without them,
    /// in tests and benchmarks, have none).
    pub fn printed(&self) -> bool {
        self.footage.shots() == self.shots.len()
    }

    pub fn shot_ref(&self, i: usize) -> ShotRef {
        ShotRef {
            content_hash: self.content_hash.clone(),
            shot: self.shots[i].shot,
        }
    }

    /// The rows of the shots whose numbers are in `wanted`.
    pub fn subset(&self, wanted: &HashSet<usize>) -> TitleVectors {
        let mut out = TitleVectors {
            content_hash: self.content_hash.clone(),
            shots: Vec::new(),
            entries: Quantised::new(self.entries.dims()),
            exits: Quantised::new(self.exits.dims()),
            footage: Footage::new(),
            aside: self.aside.clone(),
        };
        let printed = self.printed();
        for (i, shot) in self.shots.iter().enumerate() {
            if wanted.contains(&shot.shot) {
                out.shots.push(shot.clone());
                out.entries.push(self.entries.row(i));
                out.exits.push(self.exits.row(i));
                if printed {
                    out.footage.push_shot(&self.footage.shot(i));
                }
            }
        }
        out
    }
}

/// One member of a list: the other shot and how alike the keyframes are.
#[derive(Clone, Debug, PartialEq)]
pub struct Near {
    pub similarity: f32,
    pub other: ShotRef,
}

impl Near {
    /// Best first: higher similarity, then the lower (title, shot).
    fn rank(&self, other: &Near) -> Ordering {
        other
            .similarity
            .total_cmp(&self.similarity)
            .then_with(|| self.other.cmp(&other.other))
    }
}

/// The best `k` offered, best first.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TopK {
    k: usize,
    items: Vec<Near>,
}

impl TopK {
    pub fn new(k: usize) -> Self {
        Self {
            k,
            items: Vec::with_capacity(k + 1),
        }
    }

    /// A list from members in any order (the best `k` are kept).
    pub fn from_items(k: usize, items: impl IntoIterator<Item = Near>) -> Self {
        let mut list = Self::new(k);
        for near in items {
            list.offer(near);
        }
        list
    }

    /// Whether a member this alike could still enter.
    pub fn admits(&self, similarity: f32) -> bool {
        self.items.len() < self.k
            || self
                .items
                .last()
                .is_some_and(|w| similarity >= w.similarity)
    }

    pub fn offer(&mut self, near: Near) {
        if self.k == 0 || !self.admits(near.similarity) {
            return;
        }
        let at = self
            .items
            .partition_point(|item| item.rank(&near) == Ordering::Less);
        if self
            .items
            .get(at)
            .is_some_and(|item| item.other == near.other)
        {
            return;
        }
        self.items.insert(at, near);
        self.items.truncate(self.k);
    }

    pub fn merge(&mut self, other: TopK) {
        for near in other.items {
            self.offer(near);
        }
    }

    pub fn items(&self) -> &[Near] {
        &self.items
    }

    /// The similarity of the k-th member, `None` while the list is short.
    pub fn kth(&self) -> Option<f32> {
        (self.items.len() >= self.k).then(|| self.items.last().map(|n| n.similarity))?
    }

    pub fn best(&self) -> Option<f32> {
        self.items.first().map(|n| n.similarity)
    }
}

/// Shot pairs (row of one title, row of the other) that are duplicate
/// footage.
pub type Duplicates = HashSet<(usize, usize)>;

/// Whether shot `i` of `a` and shot `j` of `b` may not be paired: one
/// set-up revisited, duplicate footage, or (in one title) shots next to
/// each other, of one group or of one scene.
pub(crate) fn excluded(
    a: &TitleVectors,
    i: usize,
    b: &TitleVectors,
    j: usize,
    dups: &Duplicates,
    params: &MatchParams,
) -> bool {
    let (x, y) = (&a.shots[i], &b.shots[j]);
    if super::setups::same_setup(&x.exit_regions, &y.entry_regions, params) {
        return true;
    }
    if a.content_hash != b.content_hash {
        return dups.contains(&(i, j));
    }
    x.shot.abs_diff(y.shot) <= params.adjacent_window
        || x.group_shot == y.group_shot
        || one_scene(x, y, params)
}

/// Whether two shots of a title are one scene: a few shots apart, and the
/// exit and entry show alike content (the same characters in the same
/// place, moments apart), which an editor sees as continuity, not a match.
pub(crate) fn one_scene(x: &ShotInfo, y: &ShotInfo, params: &MatchParams) -> bool {
    x.shot.abs_diff(y.shot) <= params.scene_window
        && super::exact::cosine_i8(&x.exit_vector, &y.entry_vector) >= params.scene_similarity
}

/// What one block of `a`'s exits against `b`'s entries answers: for each
/// exit of `a`, its best entries of `b`; for each entry of `b`, its best
/// exits of `a`.
pub struct Crossed {
    pub exit_lists: Vec<TopK>,
    pub entry_lists: Vec<TopK>,
}

/// Compares `a`'s exits with `b`'s entries by the score of each cut
/// ([`super::score`]: how well the framings agree, raised when both frames
/// show a clear figure) (`dups`: rows of `a` and `b` that are duplicate
/// footage, when they are different titles).
pub fn cross(
    a: &TitleVectors,
    b: &TitleVectors,
    dups: &Duplicates,
    params: &MatchParams,
) -> Crossed {
    let block = a.framing(Role::Exit).block(&b.framing(Role::Entry));
    let exit_lists = (0..block.rows)
        .map(|i| best_of(&block, i, true, a, b, dups, params))
        .collect();
    let entry_lists = (0..block.cols)
        .map(|j| best_of(&block, j, false, a, b, dups, params))
        .collect();
    Crossed {
        exit_lists,
        entry_lists,
    }
}

/// The list of row `n` (`by_row`) or column `n` of a block.
fn best_of(
    block: &Block,
    n: usize,
    by_row: bool,
    a: &TitleVectors,
    b: &TitleVectors,
    dups: &Duplicates,
    params: &MatchParams,
) -> TopK {
    let mut list = TopK::new(params.k);
    let count = if by_row { block.cols } else { block.rows };
    for m in 0..count {
        let (i, j) = if by_row { (n, m) } else { (m, n) };
        let figure = a.shots[i].exit_figure.min(b.shots[j].entry_figure);
        let similarity = super::pair_score(block.get(i, j), figure);
        if !list.admits(similarity) || excluded(a, i, b, j, dups, params) {
            continue;
        }
        let other = if by_row { b.shot_ref(j) } else { a.shot_ref(i) };
        list.offer(Near { similarity, other });
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(similarity: f32, title: &str, shot: usize) -> Near {
        Near {
            similarity,
            other: ShotRef {
                content_hash: title.into(),
                shot,
            },
        }
    }

    #[test]
    fn lists_keep_the_best_k_and_break_ties_by_shot() {
        let offers = vec![
            near(0.5, "b", 3),
            near(0.9, "a", 1),
            near(0.7, "b", 2),
            near(0.7, "a", 9),
            near(0.2, "c", 0),
            near(0.9, "a", 1), // offered twice
        ];
        let mut forward = TopK::new(3);
        let mut backward = TopK::new(3);
        for n in &offers {
            forward.offer(n.clone());
        }
        for n in offers.iter().rev() {
            backward.offer(n.clone());
        }
        assert_eq!(forward, backward);
        let shots: Vec<(&str, usize)> = forward
            .items()
            .iter()
            .map(|n| (n.other.content_hash.as_str(), n.other.shot))
            .collect();
        assert_eq!(shots, vec![("a", 1), ("a", 9), ("b", 2)]);
        assert_eq!(forward.kth(), Some(0.7));
        assert!(forward.admits(0.7) && !forward.admits(0.69));
        assert_eq!(TopK::new(3).kth(), None);
    }
}

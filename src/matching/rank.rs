//! Ranking: best score first, one pair per pair of footage groups, and a
//! cap on how often one group appears on each side, so the list stays
//! varied instead of showing one striking shot paired with everything.

use super::{Candidate, ShotRef};
use std::collections::{HashMap, HashSet};

/// Keeps the best candidates offered in score order: one per pair of
/// footage groups, none inside a group, at most `per_shot_cap` per group
/// on each side, `top` in all.
pub struct Ranker {
    per_shot_cap: usize,
    top: usize,
    seen: HashSet<(ShotRef, ShotRef)>,
    as_from: HashMap<ShotRef, usize>,
    as_to: HashMap<ShotRef, usize>,
    kept: Vec<Candidate>,
}

impl Ranker {
    pub fn new(per_shot_cap: usize, top: usize) -> Self {
        Self {
            per_shot_cap,
            top,
            seen: HashSet::new(),
            as_from: HashMap::new(),
            as_to: HashMap::new(),
            kept: Vec::new(),
        }
    }

    /// Whether `top` candidates are kept.
    pub fn is_full(&self) -> bool {
        self.kept.len() >= self.top
    }

    /// Offers the next candidate (no better than any offered before), with
    /// the footage groups of its two shots.
    pub fn offer(&mut self, c: Candidate, from_group: ShotRef, to_group: ShotRef) {
        if self.is_full() || from_group == to_group {
            return;
        }
        let key = (from_group, to_group);
        let used =
            |counts: &HashMap<ShotRef, usize>, g: &ShotRef| counts.get(g).copied().unwrap_or(0);
        if self.seen.contains(&key)
            || used(&self.as_from, &key.0) >= self.per_shot_cap
            || used(&self.as_to, &key.1) >= self.per_shot_cap
        {
            return;
        }
        *self.as_from.entry(key.0.clone()).or_default() += 1;
        *self.as_to.entry(key.1.clone()).or_default() += 1;
        self.seen.insert(key);
        self.kept.push(c);
    }

    pub fn finish(self) -> Vec<Candidate> {
        self.kept
    }
}

/// The top `top` of `sorted` (best first). `group` maps a shot to its
/// footage group (near-duplicates in a title, duplicates across titles).
pub fn rank(
    sorted: impl IntoIterator<Item = Candidate>,
    group: &dyn Fn(&ShotRef) -> ShotRef,
    per_shot_cap: usize,
    top: usize,
) -> Vec<Candidate> {
    let mut ranker = Ranker::new(per_shot_cap, top);
    for c in sorted {
        if ranker.is_full() {
            break;
        }
        let (from, to) = (group(&c.from), group(&c.to));
        ranker.offer(c, from, to);
    }
    ranker.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::Components;

    fn shot(title: &str, shot: usize) -> ShotRef {
        ShotRef {
            content_hash: title.to_string(),
            shot,
        }
    }

    fn candidate(from: ShotRef, to: ShotRef, score: f32) -> Candidate {
        Candidate {
            id: format!("{from:?}{to:?}"),
            from,
            to,
            from_frame: 0,
            to_frame: 0,
            components: Components {
                composition: score,
                ..Components::default()
            },
            score,
        }
    }

    #[test]
    fn collapses_groups_and_caps_shots() {
        // Shots 1 and 3 of title a are one set-up; b:0 duplicates a:5.
        let group = |s: &ShotRef| match (s.content_hash.as_str(), s.shot) {
            ("a", 3) => shot("a", 1),
            ("b", 0) => shot("a", 5),
            _ => s.clone(),
        };
        let sorted = vec![
            candidate(shot("a", 1), shot("a", 3), 0.99), // inside a group
            candidate(shot("a", 5), shot("b", 0), 0.98), // duplicate footage
            candidate(shot("a", 1), shot("a", 8), 0.97),
            candidate(shot("a", 3), shot("a", 8), 0.96), // same groups as above
            candidate(shot("a", 1), shot("a", 9), 0.95),
            candidate(shot("a", 1), shot("a", 10), 0.94), // a:1 over its cap
            candidate(shot("a", 7), shot("a", 10), 0.93),
        ];
        let ranked = rank(sorted, &group, 2, 10);
        let scores: Vec<f32> = ranked.iter().map(|c| c.score).collect();
        assert_eq!(scores, vec![0.97, 0.95, 0.93]);
        assert_eq!(rank(ranked, &group, 2, 1).len(), 1);
    }
}

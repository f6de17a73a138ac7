//! New titles into a built catalogue without building it again
//! ([`Catalogue::add`]): they go into a **delta shard** of their own; their
//! duplicate links come from their shots' range searches over every shard;
//! their shots' lists from k-NN against every shard (the build's certified
//! search); and the lists of shots already there that they enter from a
//! **reverse search**: each new entry asks the exit-framing indexes for the
//! exits most like it, and enters the list of each whose stored k-th score
//! it reaches (and the same for new exits into entry lists). The ask
//! doubles until no exit unseen could still admit it: its cosine is at
//! most the least seen, so its score at most that plus the figure term,
//! which must stay under the lowest k-th score of any full list (an exit
//! with a short list takes anything, so the search then runs to the end).
//! [`merge`] applies the entrants to the previous proposals: each list
//! they touch keeps its `k` best. With exact search the result is the
//! full build's exactly (tested); with HNSW, as good as its recall
//! (measured in `benches/catalogue.rs`).
//!
//! Motion pairs are not updated here: a new title's motion pairs come
//! with the next full build.

use super::build::{
    best_first, build_shard, flagged, register, shot_key, BuildError, Built, Catalogue, Ends, Hit,
    Shard, SLACK,
};
use crate::index::Neighbour;
use crate::matching::candidates::candidate;
use crate::matching::neighbours::{excluded, Duplicates, Near, Role, TitleVectors, TopK};
use crate::matching::{ShotRef, FIGURE_WEIGHT};
use crate::store::ListedPair;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

impl Catalogue {
    /// Adds `new` titles (none of them already in) in a delta shard under
    /// `dir`: returns the pairs entering any list (flagged with the lists
    /// they enter) and the new duplicate links. A key collision or a delta
    /// shard that cannot be built leaves the catalogue as it was; after a
    /// later error (a search) it holds the new titles without their lists
    /// and is best built again.
    pub fn add(&mut self, new: Vec<TitleVectors>, dir: &Path) -> Result<Built, BuildError> {
        let from = self.titles.len();
        let started = std::time::Instant::now();
        let lap = |what: &str| {
            tracing::debug!(
                "catalogue add: {what} by {:.2} s",
                started.elapsed().as_secs_f64()
            )
        };
        self.titles.extend(new);
        let registered = register(&self.titles, from, &mut self.keys);
        let shard = registered.and_then(|()| {
            build_shard(
                &self.titles,
                from..self.titles.len(),
                dir,
                self.shards.len(),
            )
        });
        let shard = match shard {
            Ok(shard) => shard,
            Err(e) => {
                // As it was: no new title, no key of one.
                self.titles.truncate(from);
                self.keys.retain(|_, &mut (t, _)| t < from);
                return Err(e);
            }
        };
        self.shards.push(shard);
        self.spans.push(from..self.titles.len());
        lap("delta shard built");
        let added: Vec<usize> = (from..self.titles.len()).collect();
        let (links, duplicates) = self.find_links(&added)?;
        for (pair, rows) in links {
            self.links.entry(pair).or_default().extend(rows);
        }
        self.duplicates.extend(duplicates.iter().cloned());
        lap("links found");
        let queries: Vec<(usize, usize, bool)> = added
            .iter()
            .flat_map(|&t| {
                (0..self.titles[t].shots.len()).flat_map(move |r| [(t, r, true), (t, r, false)])
            })
            .collect();
        let own = queries
            .par_iter()
            .map(|&(t, row, exit)| self.listed(t, row, exit))
            .collect::<Result<Vec<_>, BuildError>>()?;
        lap("own lists made");
        let reverse = queries
            .par_iter()
            .map(|&(t, row, exit)| self.entering(t, row, exit, from))
            .collect::<Result<Vec<_>, BuildError>>()?;
        lap("lists entered");
        let mut kth: Vec<Vec<[Option<f32>; 2]>> = added
            .iter()
            .map(|&t| vec![[None, None]; self.titles[t].shots.len()])
            .collect();
        for (&(t, row, exit), (_, k)) in queries.iter().zip(&own) {
            kth[t - from][row][usize::from(!exit)] = *k;
        }
        self.kth.extend(kth);
        self.fill_reverse(self.shards.len() - 1)?;
        let entrants = own
            .into_iter()
            .flat_map(|(pairs, _)| pairs)
            .chain(reverse.into_iter().flatten());
        Ok(Built {
            pairs: best_first(flagged(entrants).into_values().collect()),
            duplicates,
        })
    }

    /// The pairs shot `row` of new title `t` makes by entering the lists
    /// of shots already there (titles before `from`): as an entry into
    /// exit lists (`exit` false), or as an exit into entry lists. Each
    /// shard's reverse index is asked for every list whose threshold the
    /// shot may reach ([`reverse_vector`]: the dot product at least
    /// `-SLACK`), and each is checked exactly against the list's k-th
    /// score now.
    pub fn entering(
        &self,
        t: usize,
        row: usize,
        exit: bool,
        from: usize,
    ) -> Result<Vec<ListedPair>, BuildError> {
        let me = &self.titles[t].shots[row];
        let framing = if exit {
            &me.exit_composition
        } else {
            &me.entry_composition
        };
        let query = reverse_query(framing);
        // Hits' similarities as dot products; `least` is the index's cosine.
        let hit = |_: &Shard, n: &Neighbour| self.hit(n, REVERSE_SCALE);
        let reached =
            |_: &[Hit], least: Option<f32>| least.is_some_and(|l| l * REVERSE_SCALE < -SLACK);
        let side = usize::from(exit);
        let first = (self.params.matching.k * 4).max(16);
        let hits = self.search_in(&|s| &s.reverse[side], &query, first, &hit, &reached)?;
        Ok(hits
            .iter()
            .filter(|h| h.similarity >= -SLACK)
            .filter_map(|h| Some(self.entrant(self.admits(t, row, exit, h, from)?, exit)))
            .collect())
    }

    /// Puts every shot of shard `n` into its reverse indexes, with its
    /// lists' k-th scores now (a score only rises as titles join, so an
    /// older threshold only asks for more lists to be checked).
    pub(super) fn fill_reverse(&self, n: usize) -> Result<(), BuildError> {
        let rows: Vec<(usize, usize)> = self.spans[n]
            .clone()
            .flat_map(|t| (0..self.titles[t].shots.len()).map(move |r| (t, r)))
            .collect();
        for (side, index) in self.shards[n].reverse.iter().enumerate() {
            index.reserve(rows.len())?;
            rows.par_iter().try_for_each(|&(t, row)| {
                let s = &self.titles[t].shots[row];
                let (framing, figure) = if side == 0 {
                    (&s.exit_composition, s.exit_figure)
                } else {
                    (&s.entry_composition, s.entry_figure)
                };
                // Short lists take anything.
                let least =
                    self.kth[t][row][side].map_or(-2.0, |k| k - FIGURE_WEIGHT * figure.max(0.0));
                let key = shot_key(&self.titles[t].content_hash, s.shot);
                index.add(key, &reverse_vector(framing, least))
            })?;
        }
        Ok(())
    }

    /// Whether new shot `row` of `t` enters old shot `h`'s list (`exit`:
    /// `t`'s shot is the exit, `h` lists entries); the pair's ends if so.
    fn admits(&self, t: usize, row: usize, exit: bool, h: &Hit, from: usize) -> Option<Ends> {
        if h.title >= from {
            return None;
        }
        let (ends, score) = self.scored(t, row, exit, h);
        let Ends { a, i, b, j } = ends;
        if self.kth[h.title][h.row][usize::from(exit)].is_some_and(|k| score < k) {
            return None;
        }
        let none = Duplicates::new();
        let dups = self.links.get(&(a, b)).unwrap_or(&none);
        let excluded = excluded(
            &self.titles[a],
            i,
            &self.titles[b],
            j,
            dups,
            &self.params.matching,
        );
        (!excluded).then_some(ends)
    }

    /// The pair `admits` found, flagged as the old shot's list's.
    fn entrant(&self, ends: Ends, exit: bool) -> ListedPair {
        let Ends { a, i, b, j } = ends;
        let (x, y) = (&self.titles[a], &self.titles[b]);
        ListedPair {
            candidate: candidate(
                (x.content_hash.as_str(), &x.shots[i]),
                (y.content_hash.as_str(), &y.shots[j]),
            ),
            in_exit_list: !exit,
            in_entry_list: exit,
        }
    }
}

/// The squared length of every vector of a reverse index: a framing of
/// unit length and a threshold of at most 2 in size fit.
const REVERSE_NORM2: f32 = 5.0;

/// How a cosine in a reverse index maps back to the dot product of the
/// framing and threshold parts: the lengths of its vectors (`REVERSE_NORM2`)
/// and its queries (2), rooted.
pub(super) const REVERSE_SCALE: f32 = 3.162_277_7; // sqrt(5 * 2)

/// A framing as a reverse index holds it: unit length, `-least`, then the
/// length that brings every vector to the same norm (so the largest dot
/// product is the largest cosine, which HNSW searches well). With `least`
/// the lowest cosine that may still enter the shot's list (its k-th score
/// less the most its figure can add), and a new shot's framing `g` asked
/// as [`reverse_query`], `REVERSE_SCALE` times the cosine is
/// `cos(f, g) - least`: at least 0 for every list the new shot may enter.
pub(super) fn reverse_vector(framing: &[i8], least: f32) -> Vec<f32> {
    let least = least.clamp(-2.0, 2.0);
    let mut v = unit(framing);
    v.push(-least);
    v.push((REVERSE_NORM2 - 1.0 - least * least).max(0.0).sqrt());
    v
}

/// A new shot's framing as it asks a reverse index.
pub(super) fn reverse_query(framing: &[i8]) -> Vec<f32> {
    let mut v = unit(framing);
    v.extend([1.0, 0.0]);
    v
}

fn unit(framing: &[i8]) -> Vec<f32> {
    let norm = framing
        .iter()
        .map(|&x| f32::from(x) * f32::from(x))
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    framing.iter().map(|&x| f32::from(x) / norm).collect()
}

/// The proposals after a delta: `previous` (a build's frame and motion
/// pairs) with `delta`'s entrants; each list an entrant enters keeps its
/// `k` best members, and a pair no list holds any more leaves (motion
/// pairs stay). Best first.
pub fn merge(previous: &[ListedPair], delta: &Built, k: usize) -> Vec<ListedPair> {
    // The lists the entrants touch, with every member old and new.
    let mut lists: HashMap<(ShotRef, Role), TopK> = HashMap::new();
    for p in &delta.pairs {
        for (role, held) in [(Role::Exit, p.in_exit_list), (Role::Entry, p.in_entry_list)] {
            if held {
                lists
                    .entry((owner(p, role), role))
                    .or_insert_with(|| TopK::new(k));
            }
        }
    }
    let every = previous.iter().chain(&delta.pairs);
    for p in every.clone() {
        for (role, held) in [(Role::Exit, p.in_exit_list), (Role::Entry, p.in_entry_list)] {
            if let Some(list) = lists.get_mut(&(owner(p, role), role)).filter(|_| held) {
                list.offer(Near {
                    similarity: p.candidate.score,
                    other: other_end(p, role),
                });
            }
        }
    }
    let kept: HashSet<(ShotRef, Role, ShotRef)> = lists
        .iter()
        .flat_map(|((shot, role), list)| {
            list.items()
                .iter()
                .map(move |n| (shot.clone(), *role, n.other.clone()))
        })
        .collect();
    let keep = |p: &ListedPair, role: Role, held: bool| match lists
        .contains_key(&(owner(p, role), role))
    {
        true => held && kept.contains(&(owner(p, role), role, other_end(p, role))),
        false => held,
    };
    let pairs = every.map(|p| ListedPair {
        in_exit_list: keep(p, Role::Exit, p.in_exit_list),
        in_entry_list: keep(p, Role::Entry, p.in_entry_list),
        ..p.clone()
    });
    let motion = |p: &ListedPair| p.candidate.components.motion.is_some();
    let merged = flagged(pairs.filter(|p| p.in_exit_list || p.in_entry_list || motion(p)));
    best_first(merged.into_values().collect())
}

/// The shot whose `role` list a pair is in: the exit's for an exit list.
fn owner(p: &ListedPair, role: Role) -> ShotRef {
    match role {
        Role::Exit => p.candidate.from.clone(),
        Role::Entry => p.candidate.to.clone(),
    }
}

fn other_end(p: &ListedPair, role: Role) -> ShotRef {
    match role {
        Role::Exit => p.candidate.to.clone(),
        Role::Entry => p.candidate.from.clone(),
    }
}

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
    best_first, build_shard, flagged, register, BuildError, Built, Catalogue, Hit, Kind, SLACK,
};
use crate::matching::candidates::candidate;
use crate::matching::exact::cosine_i8;
use crate::matching::neighbours::{excluded, Duplicates, Near, Role, TitleVectors, TopK};
use crate::matching::{pair_score, ShotRef, FIGURE_WEIGHT};
use crate::store::ListedPair;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

impl Catalogue {
    /// Adds `new` titles (none of them already in) in a delta shard under
    /// `dir`: returns the pairs entering any list (flagged with the lists
    /// they enter) and the new duplicate links. On an error the catalogue
    /// is left as it was.
    pub fn add(&mut self, new: Vec<TitleVectors>, dir: &Path) -> Result<Built, BuildError> {
        let from = self.titles.len();
        let mut keys = self.keys.clone();
        let mut titles = std::mem::take(&mut self.titles);
        titles.extend(new);
        let registered = register(&titles, from, &mut keys);
        let shard = registered
            .and_then(|()| build_shard(&titles, from..titles.len(), dir, self.shards.len()));
        let shard = match shard {
            Ok(shard) => shard,
            Err(e) => {
                titles.truncate(from);
                self.titles = titles;
                return Err(e);
            }
        };
        self.titles = titles;
        self.keys = keys;
        self.shards.push(shard);
        let added: Vec<usize> = (from..self.titles.len()).collect();
        let (links, duplicates) = self.find_links(&added)?;
        for (pair, rows) in links {
            self.links.entry(pair).or_default().extend(rows);
        }
        self.duplicates.extend(duplicates.iter().cloned());
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
        let floors = [
            self.lowest_kth(Role::Exit, from),
            self.lowest_kth(Role::Entry, from),
        ];
        let reverse = queries
            .par_iter()
            .map(|&(t, row, exit)| self.entering(t, row, exit, from, floors[usize::from(exit)]))
            .collect::<Result<Vec<_>, BuildError>>()?;
        let mut kth: Vec<Vec<[Option<f32>; 2]>> = added
            .iter()
            .map(|&t| vec![[None, None]; self.titles[t].shots.len()])
            .collect();
        for (&(t, row, exit), (_, k)) in queries.iter().zip(&own) {
            kth[t - from][row][usize::from(!exit)] = *k;
        }
        self.kth.extend(kth);
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
    /// exit lists (`exit` false), or as an exit into entry lists; `floor`:
    /// the lowest k-th score of those lists ([`Catalogue::lowest_kth`]).
    fn entering(
        &self,
        t: usize,
        row: usize,
        exit: bool,
        from: usize,
        floor: Option<f32>,
    ) -> Result<Vec<ListedPair>, BuildError> {
        let me = &self.titles[t].shots[row];
        // The lists it may enter: exit lists for a new entry.
        let (kind, own_figure) = if exit {
            (Kind::EntryFraming, me.exit_figure)
        } else {
            (Kind::ExitFraming, me.entry_figure)
        };
        let query = if exit {
            Kind::ExitFraming
        } else {
            Kind::EntryFraming
        }
        .vector(&self.titles[t], row);
        let admitted = |h: &Hit| self.admitted(t, row, exit, h, from);
        let settled = |_: &[Hit], least: Option<f32>| match (floor, least) {
            (_, None) => true,
            (Some(floor), Some(least)) => {
                least + SLACK + FIGURE_WEIGHT * own_figure.max(0.0) < floor
            }
            (None, Some(_)) => false,
        };
        let hits = self.search(kind, &query, &settled)?;
        Ok(hits.iter().filter_map(admitted).collect())
    }

    /// The pair of new shot `row` of `t` with old shot `h`, when it enters
    /// `h`'s list (`exit`: `t`'s shot is the exit, `h` lists entries).
    fn admitted(
        &self,
        t: usize,
        row: usize,
        exit: bool,
        h: &Hit,
        from: usize,
    ) -> Option<ListedPair> {
        if h.title >= from {
            return None;
        }
        let (a, i, b, j) = if exit {
            (t, row, h.title, h.row)
        } else {
            (h.title, h.row, t, row)
        };
        let (x, y) = (&self.titles[a].shots[i], &self.titles[b].shots[j]);
        let score = pair_score(
            cosine_i8(&x.exit_composition, &y.entry_composition),
            x.exit_figure.min(y.entry_figure),
        );
        let kth = self.kth[h.title][h.row][usize::from(exit)];
        let none = Duplicates::new();
        let dups = self.links.get(&(a, b)).unwrap_or(&none);
        let eligible = kth.is_none_or(|k| score >= k)
            && !excluded(
                &self.titles[a],
                i,
                &self.titles[b],
                j,
                dups,
                &self.params.matching,
            );
        let (ha, hb) = (
            self.titles[a].content_hash.as_str(),
            self.titles[b].content_hash.as_str(),
        );
        eligible.then(|| ListedPair {
            candidate: candidate((ha, x), (hb, y)),
            in_exit_list: !exit,
            in_entry_list: exit,
        })
    }

    /// The lowest k-th score of `role` lists among titles before `from`;
    /// `None` when one of them is short (it takes anything).
    fn lowest_kth(&self, role: Role, from: usize) -> Option<f32> {
        let side = usize::from(role == Role::Entry);
        let mut lowest = f32::INFINITY;
        for title in &self.kth[..from] {
            for k in title {
                lowest = lowest.min(k[side]?);
            }
        }
        Some(lowest)
    }
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

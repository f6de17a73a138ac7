//! New titles into a built catalogue without building it again
//! ([`Catalogue::add`]): they go into a **delta shard** of their own; their
//! duplicate links come from their shots' range searches over every shard;
//! each new shot's framing search against every shard (the build's
//! certified search) makes its own list and finds, among its hits, the
//! old lists it enters. A list it enters has a threshold
//! ([`Catalogue::least`]: its k-th score less the most its figure can add)
//! that the new shot's cosine reaches. The lists of lowest threshold (a
//! share of them, by default all) are in the shards' **reverse indexes**
//! (`catalogue::reverse`), asked once for every list whose threshold the
//! shot reaches; for the others the framing search goes on down to the
//! highest threshold among those (`open_below`). Each candidate is checked
//! exactly against the list's k-th score now. [`merge`] applies the
//! entrants to the previous proposals: each list they touch keeps its `k`
//! best. With exact search the result is the full build's exactly
//! (tested); with HNSW, as good as its recall (measured in
//! `benches/catalogue.rs`).
//!
//! Motion pairs are not updated here: a new title's motion pairs come
//! with the next full build.

use super::build::{
    best_first, build_shard, empty_reverse, flagged, register, shot_key, BuildError, Built,
    Catalogue, Ends, Hit, Shard, REVERSE_EXPANSION,
};
use super::reverse::{self, reverse_query, reverse_vector};
use super::spent::Search;
use crate::index::Neighbour;
use crate::matching::candidates::candidate;
use crate::matching::neighbours::{excluded, Duplicates, Near, Role, TitleVectors, TopK};
use crate::matching::{ShotRef, FIGURE_WEIGHT};
use crate::store::ListedPair;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A shot's own list: its pairs and its k-th score.
type OwnList = (Vec<ListedPair>, Option<f32>);

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
        self.spent.take();
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
        let queries = self.list_queries(from..self.titles.len());
        let found = queries
            .par_iter()
            .map(|&(t, row, exit)| self.lists_of(t, row, exit, from))
            .collect::<Result<Vec<_>, BuildError>>()?;
        lap("lists made and entered");
        let (own, reverse): (Vec<_>, Vec<_>) = found.into_iter().unzip();
        let kth = self.kth_table(from, &queries, own.iter().map(|(_, k)| *k));
        self.kth.extend(kth);
        // The delta's reverse indexes hold its lists below the lowest bound
        // of any shard: the framing searches reach down to it for the rest.
        self.open_below
            .push([0, 1].map(|side| self.open_floor(side)));
        self.fill_reverse(self.shards.len() - 1)?;
        tracing::debug!(
            "catalogue add: searches' thread time: {}",
            self.spent.take()
        );
        let entrants = own
            .into_iter()
            .flat_map(|(pairs, _)| pairs)
            .chain(reverse.into_iter().flatten());
        Ok(Built {
            pairs: best_first(flagged(entrants).into_values().collect()),
            duplicates,
        })
    }

    /// Shot `row` of new title `t`'s own list (`exit`: its exit list),
    /// with its k-th score, and the pairs it makes by entering the lists
    /// of shots already there (titles before `from`), from one framing
    /// search and a reverse search ([`Catalogue::entering`]).
    fn lists_of(
        &self,
        t: usize,
        row: usize,
        exit: bool,
        from: usize,
    ) -> Result<(OwnList, Vec<ListedPair>), BuildError> {
        let side = usize::from(exit);
        let hits = self.framing_hits(t, row, exit, Some(self.open_floor(side)))?;
        let list = self.rank(t, row, exit, &hits);
        let own = (self.list_pairs(t, row, exit, &list), list.kth());
        Ok((own, self.entrants(t, row, exit, from, &hits)?))
    }

    /// The pairs shot `row` of new title `t` makes by entering the lists
    /// of shots already there (titles before `from`): as an entry into
    /// exit lists (`exit` false), or as an exit into entry lists. A list
    /// it enters has a threshold ([`Catalogue::least`]) its framing's
    /// cosine reaches: those at or above every shard's `open_below` are
    /// found by a range search of the framing indexes down to the lowest
    /// of them; the others are in the shards' reverse indexes. Each is
    /// checked exactly against the list's k-th score now.
    pub fn entering(
        &self,
        t: usize,
        row: usize,
        exit: bool,
        from: usize,
    ) -> Result<Vec<ListedPair>, BuildError> {
        let floor = self.open_floor(usize::from(exit));
        let hits = self.framing_hits(t, row, exit, Some(floor))?;
        self.entrants(t, row, exit, from, &hits)
    }

    /// The pairs entering old lists among the framing search's `hits`
    /// and the reverse search's.
    fn entrants(
        &self,
        t: usize,
        row: usize,
        exit: bool,
        from: usize,
        hits: &[Hit],
    ) -> Result<Vec<ListedPair>, BuildError> {
        let reverse = self.reverse_hits(t, row, exit)?;
        Ok(hits
            .iter()
            .chain(&reverse)
            .filter_map(|h| Some(self.entrant(self.admits(t, row, exit, h, from)?, exit)))
            .collect())
    }

    /// The lists of the shards' reverse indexes shot `row` of title `t`
    /// may enter (`catalogue::reverse`: the dot product at least
    /// `-reverse::SLACK`).
    fn reverse_hits(&self, t: usize, row: usize, exit: bool) -> Result<Vec<Hit>, BuildError> {
        let me = &self.titles[t].shots[row];
        let framing = if exit {
            &me.exit_composition
        } else {
            &me.entry_composition
        };
        let query = reverse_query(framing);
        // Hits' similarities as dot products; `least` is the index's cosine.
        let hit = |_: &Shard, n: &Neighbour| self.hit(n, reverse::SCALE);
        let reached = |_: &[Hit], least: f32| least * reverse::SCALE < -reverse::SLACK;
        let side = usize::from(exit);
        let first = REVERSE_EXPANSION;
        let search =
            || self.search_in(&|s| &s.reverse[side], &query, (first, None), &hit, &reached);
        let hits = self.spent.time(Search::Reverse, search)?;
        Ok(hits
            .into_iter()
            .filter(|h| h.similarity >= -reverse::SLACK)
            .collect())
    }

    /// The lowest cosine shot `row` of title `t`'s framing may have with
    /// a shot of the other role and still enter its list (`side` 0: its
    /// exit list; 1: its entry list): the list's k-th score less the most
    /// its figure can add; -2 (anything) while the list is short.
    pub(super) fn least(&self, t: usize, row: usize, side: usize) -> f32 {
        let s = &self.titles[t].shots[row];
        let figure = if side == 0 {
            s.exit_figure
        } else {
            s.entry_figure
        };
        self.kth[t][row][side].map_or(-2.0, |k| k - FIGURE_WEIGHT * figure.max(0.0))
    }

    /// The threshold below which a `share` of the lists of each side lie.
    pub(super) fn open_share_below(&self, share: f64) -> [f32; 2] {
        [0, 1].map(|side| {
            let mut least: Vec<f32> = (0..self.titles.len())
                .flat_map(|t| (0..self.titles[t].shots.len()).map(move |r| (t, r)))
                .map(|(t, r)| self.least(t, r, side))
                .collect();
            if least.is_empty() {
                return f32::INFINITY;
            }
            let at = ((least.len() as f64 * share) as usize).min(least.len() - 1);
            *least.select_nth_unstable_by(at, f32::total_cmp).1
        })
    }

    /// The lowest `open_below` of any shard (`side` 0: exit lists): a
    /// range search of the framing indexes down to it, with the reverse
    /// indexes, reaches every list.
    pub(super) fn open_floor(&self, side: usize) -> f32 {
        self.open_below
            .iter()
            .map(|b| b[side])
            .fold(f32::INFINITY, f32::min)
    }

    /// Puts the shots of shard `n` whose lists' thresholds are below its
    /// `open_below` into its reverse indexes, with those thresholds now (a
    /// score only rises as titles join, so an older threshold only asks
    /// for more lists to be checked).
    pub(super) fn fill_reverse(&self, n: usize) -> Result<(), BuildError> {
        let rows: Vec<(usize, usize)> = self.spans[n]
            .clone()
            .flat_map(|t| (0..self.titles[t].shots.len()).map(move |r| (t, r)))
            .collect();
        for (side, index) in self.shards[n].reverse.iter().enumerate() {
            let below = self.open_below[n][side];
            let open: Vec<(usize, usize, f32)> = rows
                .iter()
                .map(|&(t, r)| (t, r, self.least(t, r, side)))
                .filter(|&(_, _, least)| least < below)
                .collect();
            index.reserve(open.len())?;
            open.par_iter().try_for_each(|&(t, row, least)| {
                let s = &self.titles[t].shots[row];
                let framing = if side == 0 {
                    &s.exit_composition
                } else {
                    &s.entry_composition
                };
                let key = shot_key(&self.titles[t].content_hash, s.shot);
                index.add(key, &reverse_vector(framing, least))
            })?;
        }
        Ok(())
    }

    /// Every shard's reverse indexes built again from its lists' k-th
    /// scores now, and saved: a catalogue kept with another reverse
    /// encoding or graph (`reverse::ENCODING`) is brought up to this one
    /// without building it again.
    pub(super) fn refill_reverse(&mut self) -> Result<(), BuildError> {
        for n in 0..self.shards.len() {
            let path = self.shards[n].reverse[0].path();
            let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
            self.shards[n].reverse = empty_reverse(&dir, self.shards[n].shots())?;
            self.fill_reverse(n)?;
            for index in &self.shards[n].reverse {
                index.save()?;
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::build::BuildParams;
    use crate::matching::composition;
    use crate::matching::exact::{quantise, Quantised};
    use crate::matching::neighbours::ShotInfo;
    use crate::matching::testing::{self, noise};

    const DIMS: usize = 16;

    fn direction(seed: u64) -> Vec<f32> {
        noise(seed, composition::LEN)
            .into_iter()
            .map(f32::from)
            .collect()
    }

    fn mix(parts: &[(f32, &[f32])]) -> Vec<f32> {
        (0..composition::LEN)
            .map(|i| parts.iter().map(|(w, v)| w * v[i]).sum())
            .collect()
    }

    /// A title whose shots enter and leave on `framings` (descriptors at
    /// random: no duplicate footage).
    fn title(name: char, framings: &[Vec<f32>]) -> TitleVectors {
        let mut t = TitleVectors {
            content_hash: name.to_string().repeat(64),
            shots: Vec::new(),
            entries: Quantised::new(DIMS),
            exits: Quantised::new(DIMS),
            footage: Default::default(),
            aside: Default::default(),
        };
        for (shot, framing) in framings.iter().enumerate() {
            let seed = u64::from(name) * 1000 + shot as u64;
            t.entries.push(&noise(seed, DIMS));
            t.exits.push(&noise(seed + 500, DIMS));
            let framing = quantise(framing);
            t.shots.push(ShotInfo {
                entry_composition: framing.clone(),
                exit_composition: framing,
                entry_vector: t.entries.row(shot).to_vec(),
                exit_vector: t.exits.row(shot).to_vec(),
                ..testing::shot(shot)
            });
        }
        t
    }

    /// Frame pairs as (id, in an exit list, in an entry list).
    fn flags(pairs: &[ListedPair]) -> Vec<(String, bool, bool)> {
        let mut out: Vec<_> = pairs
            .iter()
            .map(|p| (p.candidate.id.clone(), p.in_exit_list, p.in_entry_list))
            .collect();
        out.sort();
        out
    }

    /// Title `a`: a dozen near twins of a centre and a crowd about it;
    /// `b`: another crowd and an outlier, framed like nothing else (its
    /// lists' k-th scores are low); new shots like the twins with a little
    /// of the outlier: they enter its exit list far below their own lists.
    fn outlier_scene() -> [Vec<Vec<f32>>; 3] {
        let (centre, outlier) = (direction(1), direction(2));
        let twins: Vec<Vec<f32>> = (0..12)
            .map(|i| mix(&[(1.0, &centre), (0.1, &direction(100 + i))]))
            .collect();
        let crowd = |from: u64| -> Vec<Vec<f32>> {
            (from..from + 25)
                .map(|i| mix(&[(1.0, &centre), (0.8, &direction(i))]))
                .collect()
        };
        let mut b = crowd(300);
        b.push(outlier.clone());
        let a = [twins, crowd(200)].concat();
        let new: Vec<Vec<f32>> = (0..2)
            .map(|i| mix(&[(1.0, &centre), (0.3, &outlier), (0.02, &direction(400 + i))]))
            .collect();
        [a, b, new]
    }

    /// Whether a delta of [`outlier_scene`] enters the outlier's exit list.
    fn enters_outlier(delta: &Built) -> bool {
        let o = "b".repeat(64);
        delta.pairs.iter().any(|p| {
            p.candidate.from.content_hash == o && p.candidate.from.shot == 25 && p.in_exit_list
        })
    }

    /// An outlying old shot `o` (framed like nothing else: its lists'
    /// k-th scores are low) is entered by the new shots, which are far
    /// more like a dozen near twins and a crowd of others: their own
    /// lists are certified long before their framing searches reach `o`.
    /// Its lists are found through the reverse indexes (share 1) or the
    /// range search (share 0) alike: the delta makes the full build's.
    #[test]
    fn lists_a_new_shot_enters_far_below_its_own_are_found_either_way() {
        let [a, b, new] = outlier_scene();
        let old = || vec![title('a', &a), title('b', &b)];
        let dir = tempfile::tempdir().expect("dir");
        for open_share in [0.0, 1.0] {
            let params = BuildParams {
                exact: true,
                open_share,
                ..BuildParams::default()
            };
            let every = [old(), vec![title('n', &new)]].concat();
            let full_dir = dir.path().join(format!("full-{open_share}"));
            let mut full = Catalogue::build(every, &full_dir, params.clone()).expect("build");
            let full = full.proposals().expect("proposals").pairs;
            let delta_dir = dir.path().join(format!("delta-{open_share}"));
            let mut catalogue = Catalogue::build(old(), &delta_dir, params.clone()).expect("build");
            let previous = catalogue.proposals().expect("proposals").pairs;
            let delta = catalogue
                .add(vec![title('n', &new)], &delta_dir)
                .expect("add");
            assert!(
                enters_outlier(&delta),
                "share {open_share}: the new shots enter the outlier's exit list"
            );
            let merged = merge(&previous, &delta, params.matching.k);
            assert_eq!(flags(&merged), flags(&full), "share {open_share}");
        }
    }

    /// `titles` indexed under `dir/kept`, their lists settled and kept
    /// there (`saved::Settled`): the catalogue, and where it is kept.
    fn keep(titles: Vec<TitleVectors>, dir: &Path) -> (Catalogue, std::path::PathBuf) {
        let kept = dir.join("kept");
        let params = BuildParams::default();
        let mut catalogue = Catalogue::index(titles, &kept, params).expect("index");
        catalogue.settle_lists().expect("lists");
        crate::catalogue::saved::Settled::save(&catalogue, &kept).expect("keep");
        (catalogue, kept)
    }

    /// A catalogue kept with its lists settled (`saved::Settled`) reopens
    /// to what it was: a title added to it enters the same lists, with
    /// the same pairs, as one added to the catalogue that was kept.
    #[test]
    fn a_kept_catalogue_reopens_to_make_the_same_delta() {
        use crate::catalogue::saved::Settled;
        let framings = |from: u64| -> Vec<Vec<f32>> {
            (from..from + 20)
                .map(|i| mix(&[(1.0, &direction(1)), (0.6, &direction(i))]))
                .collect()
        };
        let old = || vec![title('b', &framings(100)), title('a', &framings(200))];
        let new = || vec![title('n', &framings(300))];
        let params = BuildParams::default();
        let dir = tempfile::tempdir().expect("dir");
        let (mut catalogue, kept) = keep(old(), dir.path());
        let reopened = Settled::reopen(&kept, old(), params.clone()).expect("reopen");
        let mut reopened = reopened.expect("the kept catalogue");
        let one = catalogue.add(new(), &dir.path().join("one")).expect("add");
        let two = reopened.add(new(), &dir.path().join("two")).expect("add");
        assert!(!one.pairs.is_empty());
        assert_eq!(flags(&one.pairs), flags(&two.pairs));
        let other = vec![title('c', &framings(100)), title('a', &framings(200))];
        assert!(
            Settled::reopen(&kept, other, params.clone())
                .expect("reopen")
                .is_none(),
            "other titles do not reopen a kept catalogue"
        );
        let file = kept.join(crate::catalogue::saved::SETTLED);
        let text = std::fs::read_to_string(&file).expect("settled");
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        let mut changed = value.clone();
        changed["spans"] = serde_json::json!([[0, 5]]);
        std::fs::write(&file, changed.to_string()).expect("write");
        let again = Settled::reopen(&kept, old(), BuildParams::default()).expect("reopen");
        assert!(again.is_none(), "shards beyond its titles do not reopen");
        std::fs::write(&file, text).expect("write");
        let again = Settled::reopen(&kept, old(), BuildParams::default()).expect("reopen");
        assert!(again.is_some(), "as kept, it reopens");
    }

    /// A catalogue kept with another reverse encoding reopens with its
    /// reverse indexes built again from its lists' k-th scores (here they
    /// are gone): the outlier's list, which only they reach, is entered as
    /// before, and the new encoding is recorded.
    #[test]
    fn a_kept_catalogue_of_another_reverse_encoding_reopens_with_them_built_again() {
        use crate::catalogue::saved::{Settled, SETTLED};
        let [a, b, new] = outlier_scene();
        let old = || vec![title('a', &a), title('b', &b)];
        let params = BuildParams::default();
        let dir = tempfile::tempdir().expect("dir");
        let (_, kept) = keep(old(), dir.path());
        let file = kept.join(SETTLED);
        let mut value: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).expect("settled")).expect("json");
        value["reverse_encoding"] = serde_json::json!(1);
        std::fs::write(&file, value.to_string()).expect("write");
        // The other encoding's indexes: one gone, one of vectors of
        // another length (neither is opened: both are built again).
        let shard = kept.join("shard-0000");
        std::fs::remove_file(shard.join("entry-lists.usearch")).expect("a reverse index");
        let other = crate::index::IndexParams::new(16);
        let other = crate::index::VectorIndex::empty(&shard.join("exit-lists.usearch"), other);
        let other = other.expect("index");
        other.add(1, &[1.0; 16]).expect("add");
        other.save().expect("save");
        let reopened = Settled::reopen(&kept, old(), params).expect("reopen");
        let mut reopened = reopened.expect("another encoding reopens");
        let delta = reopened
            .add(vec![title('n', &new)], &dir.path().join("delta"))
            .expect("add");
        assert!(enters_outlier(&delta));
        let now: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&file).expect("settled")).expect("json");
        assert_eq!(
            now["reverse_encoding"],
            serde_json::json!(reverse::ENCODING)
        );
    }
}

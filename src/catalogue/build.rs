//! Candidates at catalogue scale: the neighbour lists of `matching` found
//! through sharded usearch indexes instead of every pair of titles.
//!
//! - **Shards**: the titles, in content-hash order, cut into shards of at
//!   most `shard_shots` shots; each shard holds four HNSW indexes (entry
//!   and exit framing signatures, entry and exit descriptors), keyed by
//!   globally unique 64-bit [`shot_key`]s, and one of its footage prints,
//!   each filled in parallel. Titles added later go into a delta shard of
//!   their own (`catalogue::delta`).
//! - **Lists, certified**: a shot's exit list is the `k` best entries by
//!   `pair_score(cosine of framings, figure)` among the eligible ones (the
//!   exclusions of `matching::neighbours`). Each shard is asked for the
//!   nearest framings by cosine, then every hit is scored exactly (the very
//!   numbers the local lists use) and filtered; since no unseen entry can
//!   score above the least cosine seen plus the figure term's largest
//!   value, the ask doubles until that bound falls below the list's k-th
//!   score (or the shards run out). With exact k-NN the lists are the
//!   local ones exactly; with HNSW they are as good as its recall.
//! - **Duplicate footage** (`catalogue::links`): every link
//!   `matching::duplicates` makes needs its two shots' entries or exits
//!   very alike, or one print of each alike; range searches at those two
//!   levels name the pairs of shots that may be linked, and each is judged
//!   exactly as on one machine.
//! - **Motion pairs**: `matching::motion` over every title (its own index).

use super::spent::{Search, Spent};
use crate::index::{IndexError, IndexParams, Neighbour, VectorIndex};
use crate::matching::candidates::candidate;
use crate::matching::exact::cosine_i8;
use crate::matching::motion::DuplicateShots;
use crate::matching::neighbours::{excluded, Duplicates, Near, TitleVectors, TopK};
use crate::matching::{footage, pair_score, MatchParams, FIGURE_WEIGHT};
use crate::store::{DuplicateRecord, ListedPair};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// How a catalogue is indexed and searched.
#[derive(Clone, Debug)]
pub struct BuildParams {
    /// Most shots in one shard.
    pub shard_shots: usize,
    /// Brute-force search within shards (exact), or HNSW.
    pub exact: bool,
    /// The share of lists (those of lowest threshold) a full build puts
    /// in its shards' reverse indexes (`catalogue::delta`); a new shot
    /// finds the others it enters by a range search of the framing
    /// indexes down to the highest threshold among them. Less memory for
    /// deeper searches: one threshold for every list fetches many shots
    /// where the catalogue is dense (`benches/catalogue.rs`).
    pub open_share: f64,
    /// How far (radians) one print search reaches to stand for a shot's
    /// other prints (`catalogue::cover`); 0: each print searched alone.
    /// The links found are the same either way.
    pub cover_radius: f32,
    pub matching: MatchParams,
}

impl Default for BuildParams {
    fn default() -> Self {
        Self {
            shard_shots: 1_000_000,
            exact: false,
            open_share: OPEN_SHARE,
            cover_radius: super::cover::RADIUS,
            matching: MatchParams::default(),
        }
    }
}

/// The globally unique key of a shot: 63 bits of BLAKE3 over its title's
/// content hash and its number.
pub fn shot_key(content_hash: &str, shot: usize) -> u64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(content_hash.as_bytes());
    hasher.update(b"/shot/");
    hasher.update(&(shot as u64).to_le_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&hasher.finalize().as_bytes()[..8]);
    u64::from_le_bytes(first) >> 1
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("shot keys collide: {0} and {1}")]
    KeyCollision(String, String),
    #[error("motion pairs: {0}")]
    Motion(String),
}

/// Which vectors an index holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    EntryFraming,
    ExitFraming,
    EntryDescriptor,
    ExitDescriptor,
}

const KINDS: [Kind; 4] = [
    Kind::EntryFraming,
    Kind::ExitFraming,
    Kind::EntryDescriptor,
    Kind::ExitDescriptor,
];

impl Kind {
    /// Its indexes' settings: a shard's ([`index_params`]), the
    /// framings' graphs built with more care and searched more widely
    /// ([`FRAMING_EXPANSION`]); the descriptors', searched only for near
    /// copies (`catalogue::links`: at least `duplicate_similarity`
    /// alike), search as narrowly as the prints' ([`print_params`]).
    /// `shots`: how many its index holds (or will).
    fn params(self, dims: usize, shots: usize) -> IndexParams {
        match self {
            Kind::EntryFraming | Kind::ExitFraming => IndexParams {
                expansion_add: careful_build_expansion(shots),
                expansion_search: FRAMING_EXPANSION,
                ..index_params(dims)
            },
            Kind::EntryDescriptor | Kind::ExitDescriptor => IndexParams {
                expansion_search: NEAR_COPY_EXPANSION,
                ..index_params(dims)
            },
        }
    }

    pub(super) fn vector(self, t: &TitleVectors, row: usize) -> Vec<f32> {
        let s = &t.shots[row];
        let v = match self {
            Kind::EntryFraming => &s.entry_composition,
            Kind::ExitFraming => &s.exit_composition,
            Kind::EntryDescriptor => &s.entry_vector,
            Kind::ExitDescriptor => &s.exit_vector,
        };
        v.iter().map(|&x| f32::from(x)).collect()
    }
}

/// One shard: four indexes of its shots (in [`KINDS`] order), and one of
/// every footage print of its shots (matched and set aside), whose keys
/// are the shard's number (high 24 bits) and the print's row in `owners`.
pub(super) struct Shard {
    indexes: Vec<VectorIndex>,
    /// The reverse indexes of its shots' exit lists and entry lists
    /// (`catalogue::delta`), filled once the lists are made.
    pub(super) reverse: [VectorIndex; 2],
    pub(super) prints: VectorIndex,
    pub(super) owners: Vec<PrintOwner>,
}

impl Shard {
    /// How many shots it holds.
    pub(super) fn shots(&self) -> usize {
        self.indexes.first().map_or(0, VectorIndex::len)
    }
}

/// Whose a print is: a title, and a row of its matched shots, or of its
/// set-aside shots (`aside`).
#[derive(Clone, Copy, Debug)]
pub(super) struct PrintOwner {
    pub(super) title: usize,
    pub(super) row: usize,
    pub(super) aside: bool,
}

/// The first ask of a print's range search, per shard.
const PRINT_ASK: usize = 8;

/// The first ask of a descriptor's range search (`catalogue::links`), per
/// shard: shots that alike are rare, but less so than prints.
const DESCRIPTOR_ASK: usize = 16;

/// Bits of a print key that number the print within its shard.
const PRINT_BITS: u32 = 40;

/// A built catalogue: its titles, where each shot key points, its shards,
/// the duplicate links between its titles, and the k-th score of every
/// shot's two lists (what a title joining it must beat).
pub struct Catalogue {
    pub titles: Vec<TitleVectors>,
    pub(super) keys: HashMap<u64, (usize, usize)>,
    pub(super) shards: Vec<Shard>,
    /// The titles of each shard.
    pub(super) spans: Vec<std::ops::Range<usize>>,
    pub(super) params: BuildParams,
    pub(super) links: Links,
    pub(super) duplicates: Vec<DuplicateRecord>,
    /// `kth[title][row]`: the exit list's and the entry list's.
    pub(super) kth: Vec<Vec<[Option<f32>; 2]>>,
    /// Per shard, for its exit lists and its entry lists: every list it
    /// holds whose threshold ([`Catalogue::least`]) is below this is in its
    /// reverse index (`catalogue::delta`); infinite when all are.
    pub(super) open_below: Vec<[f32; 2]>,
    /// Thread time of its searches, by kind (logged by `add`).
    pub(super) spent: Spent,
}

/// A pair's ends: exit shot `i` of title `a`, entry shot `j` of `b`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Ends {
    pub(super) a: usize,
    pub(super) i: usize,
    pub(super) b: usize,
    pub(super) j: usize,
}

/// What a build proposes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Built {
    /// Best first.
    pub pairs: Vec<ListedPair>,
    /// Duplicate footage between titles, as a library records it.
    pub duplicates: Vec<DuplicateRecord>,
}

/// A search hit: title, row, cosine by the index.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hit {
    pub(super) title: usize,
    pub(super) row: usize,
    pub(super) similarity: f32,
}

/// The default share of lists in the reverse indexes
/// ([`BuildParams::open_share`]): all of them. Measured on 2,000-shot
/// synthetic titles (`benches/catalogue.rs`), adding one to 100k shots
/// made and entered its lists in 3.0 s with every list there, 9.0 s with
/// half (the range search goes down to the median threshold), 86.6 s with
/// 2 %.
pub const OPEN_SHARE: f64 = 1.0;

/// Slack on a shot or print index's cosines in the bounds. Its vectors are
/// the very 8-bit vectors exact scores are computed from (`quantise` leaves
/// a quantised vector be), so its cosines are those scores but for its
/// kernel's float rounding (within 1e-4: `index` tests). (The reverse
/// indexes round: `reverse::SLACK`.)
pub(super) const SLACK: f32 = 0.001;

impl Catalogue {
    /// Indexes `titles` (sorted here by content hash) in shards under `dir`.
    pub fn build(
        titles: Vec<TitleVectors>,
        dir: &Path,
        params: BuildParams,
    ) -> Result<Self, BuildError> {
        let mut catalogue = Self::index(titles, dir, params)?;
        catalogue.link()?;
        Ok(catalogue)
    }

    /// Its shards only: [`Catalogue::build`] before the duplicate links
    /// of its titles are searched ([`Catalogue::link`]).
    pub fn index(
        mut titles: Vec<TitleVectors>,
        dir: &Path,
        params: BuildParams,
    ) -> Result<Self, BuildError> {
        titles.sort_by(|a, b| a.content_hash.cmp(&b.content_hash));
        let mut keys = HashMap::new();
        register(&titles, 0, &mut keys)?;
        let spans = shard_spans(&titles, params.shard_shots.max(1));
        let shards = spans
            .iter()
            .enumerate()
            .map(|(n, span)| build_shard(&titles, span.clone(), dir, n))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::assemble(titles, keys, shards, spans, params))
    }

    /// Titles with their keys, in shards, with no links or lists yet.
    fn assemble(
        titles: Vec<TitleVectors>,
        keys: HashMap<u64, (usize, usize)>,
        shards: Vec<Shard>,
        spans: Vec<std::ops::Range<usize>>,
        params: BuildParams,
    ) -> Self {
        Self {
            titles,
            keys,
            shards,
            spans,
            params,
            links: Links::new(),
            duplicates: Vec::new(),
            kth: Vec::new(),
            open_below: Vec::new(),
            spent: Spent::default(),
        }
    }

    /// Searches the duplicate links between all its titles.
    pub fn link(&mut self) -> Result<(), BuildError> {
        let every: Vec<usize> = (0..self.titles.len()).collect();
        (self.links, self.duplicates) = self.find_links(&every)?;
        Ok(())
    }

    /// A catalogue saved before (`catalogue::saved`): its titles in its
    /// order, its shards opened with what their reverse indexes hold, its
    /// duplicate links as records and its lists' k-th scores.
    pub(super) fn restore(
        titles: Vec<TitleVectors>,
        shards: Vec<(Shard, [f32; 2])>,
        spans: Vec<std::ops::Range<usize>>,
        params: BuildParams,
        duplicates: Vec<DuplicateRecord>,
        kth: Vec<Vec<[Option<f32>; 2]>>,
    ) -> Result<Self, BuildError> {
        let mut keys = HashMap::new();
        register(&titles, 0, &mut keys)?;
        let (shards, open_below) = shards.into_iter().unzip();
        Ok(Self {
            duplicates,
            kth,
            open_below,
            ..Self::assemble(titles, keys, shards, spans, params)
        })
    }

    /// The duplicate links between its titles, as a library records them.
    pub fn duplicate_links(&self) -> &[DuplicateRecord] {
        &self.duplicates
    }

    /// Per shard, the thresholds below which its exit lists and its entry
    /// lists are in its reverse indexes.
    pub fn open_below(&self) -> &[[f32; 2]] {
        &self.open_below
    }

    /// Each shard's titles.
    pub fn spans(&self) -> &[std::ops::Range<usize>] {
        &self.spans
    }

    pub fn params(&self) -> &BuildParams {
        &self.params
    }

    /// Search shards by brute force from now on (`true`), or by HNSW.
    pub fn set_exact(&mut self, exact: bool) {
        self.params.exact = exact;
    }

    /// Bytes the shards' indexes hold in memory: (shot indexes, print
    /// indexes, reverse indexes).
    pub fn index_bytes(&self) -> (usize, usize, usize) {
        self.shards
            .iter()
            .fold((0, 0, 0), |(shots, prints, reverse), s| {
                let own: usize = s.indexes.iter().map(VectorIndex::memory_usage).sum();
                let back: usize = s.reverse.iter().map(VectorIndex::memory_usage).sum();
                (
                    shots + own,
                    prints + s.prints.memory_usage(),
                    reverse + back,
                )
            })
    }

    /// Writes the indexes of shards `from..` to their files (those before
    /// are on disk as they were: a delta leaves them be).
    pub fn save(&self, from: usize) -> Result<(), BuildError> {
        for shard in self.shards.iter().skip(from) {
            for index in shard.indexes.iter().chain(&shard.reverse) {
                index.save()?;
            }
            shard.prints.save()?;
        }
        Ok(())
    }

    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// Every shard's hits for `query` in the `kind` indexes, as many as
    /// `settled(hits, least)` needs: no shard holds an unseen neighbour
    /// above `least` (asked only while some shard may hold more). Shards
    /// that hold title `besides` alone are not asked.
    pub(super) fn search(
        &self,
        kind: Kind,
        query: &[f32],
        besides: Option<usize>,
        settled: &dyn Fn(&[Hit], f32) -> bool,
    ) -> Result<Vec<Hit>, BuildError> {
        let index = KINDS.iter().position(|&k| k == kind).unwrap_or(0);
        let hit = |_: &Shard, n: &Neighbour| self.hit(n, 1.0);
        let first = match kind {
            Kind::EntryFraming | Kind::ExitFraming => (self.params.matching.k * 4).max(16),
            Kind::EntryDescriptor | Kind::ExitDescriptor => DESCRIPTOR_ASK,
        };
        let first = (first, besides);
        self.search_in(&|s| &s.indexes[index], query, first, &hit, settled)
    }

    /// The shot a neighbour's key names, its similarity times `scale`.
    pub(super) fn hit(&self, n: &Neighbour, scale: f32) -> Option<Hit> {
        let &(title, row) = self.keys.get(&n.key)?;
        Some(Hit {
            title,
            row,
            similarity: n.similarity * scale,
        })
    }

    /// The prints of every shard at least `gate` alike to `print` (of
    /// title `of`): their owners. Shards that hold title `of` alone are not
    /// asked (a title's duplicates are in other titles).
    pub(super) fn search_prints(
        &self,
        print: &[f32],
        of: usize,
        gate: f32,
    ) -> Result<Vec<PrintOwner>, BuildError> {
        let owner = |shard: &Shard, n: &Neighbour| {
            let i = (n.key & ((1 << PRINT_BITS) - 1)) as usize;
            (n.similarity >= gate).then(|| shard.owners.get(i).copied())?
        };
        let below = |_: &[PrintOwner], least: f32| least < gate;
        // Prints that alike are rare: most asks end at the first.
        let first = (PRINT_ASK, Some(of));
        self.search_in(&|s| &s.prints, print, first, &owner, &below)
    }

    /// Every shard's nearest neighbours of `query` in the index `pick`
    /// names, mapped by `map`, until `settled` says they are enough. Each
    /// further round asks one shard again for twice as many: the one whose
    /// last answer was highest, since it may hold the best neighbour still
    /// unseen (a shard that gave fewer than asked has no more); the others
    /// keep what they gave. `first`: the first ask, and the title whose
    /// shards (those that hold it alone) are not asked.
    pub(super) fn search_in<T: Clone>(
        &self,
        pick: &dyn Fn(&Shard) -> &VectorIndex,
        query: &[f32],
        (first, besides): (usize, Option<usize>),
        map: &dyn Fn(&Shard, &Neighbour) -> Option<T>,
        settled: &dyn Fn(&[T], f32) -> bool,
    ) -> Result<Vec<T>, BuildError> {
        let ask = |shard: &Shard, ask: usize| -> Result<Answer<T>, BuildError> {
            super::spent::asked();
            let index = pick(shard);
            let found = if self.params.exact {
                index.exact_search(query, ask)?
            } else {
                index.search(query, ask)?
            };
            let more = found.len() >= ask && ask < index.len();
            Ok(Answer {
                asked: ask,
                last: more.then(|| found.last().map_or(f32::MIN, |n| n.similarity)),
                hits: found.iter().filter_map(|n| map(shard, n)).collect(),
            })
        };
        let alone = |n: usize| besides.is_some_and(|t| self.spans[n] == (t..t + 1));
        let mut answers = self
            .shards
            .iter()
            .enumerate()
            .map(|(n, shard)| {
                if alone(n) {
                    Ok(Answer::none(first))
                } else {
                    ask(shard, first)
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        loop {
            let hits: Vec<T> = answers
                .iter()
                .flat_map(|a| a.hits.iter().cloned())
                .collect();
            let highest = answers
                .iter()
                .enumerate()
                .filter_map(|(n, a)| Some((n, a.last?)))
                .max_by(|x, y| x.1.total_cmp(&y.1));
            let Some((n, least)) = highest else {
                return Ok(hits);
            };
            if settled(&hits, least) {
                return Ok(hits);
            }
            answers[n] = ask(&self.shards[n], answers[n].asked * 2)?;
        }
    }
}

/// One shard's answer to a search: how many were asked, the mapped hits,
/// and the last cosine when it may hold more.
struct Answer<T> {
    asked: usize,
    last: Option<f32>,
    hits: Vec<T>,
}

impl<T> Answer<T> {
    /// The answer of a shard not asked.
    fn none(asked: usize) -> Self {
        Self {
            asked,
            last: None,
            hits: Vec::new(),
        }
    }
}

/// `pairs` best first (ties by id).
pub(super) fn best_first(mut pairs: Vec<ListedPair>) -> Vec<ListedPair> {
    pairs.sort_by(|a, b| {
        let (a, b) = (&a.candidate, &b.candidate);
        b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id))
    });
    pairs
}

/// Pairs by id, each holding the flags of every list that offered it.
pub(super) fn flagged(pairs: impl Iterator<Item = ListedPair>) -> BTreeMap<String, ListedPair> {
    let mut out: BTreeMap<String, ListedPair> = BTreeMap::new();
    for p in pairs {
        match out.get_mut(&p.candidate.id) {
            Some(held) => {
                held.in_exit_list |= p.in_exit_list;
                held.in_entry_list |= p.in_entry_list;
            }
            None => {
                out.insert(p.candidate.id.clone(), p);
            }
        }
    }
    out
}

/// Gives the shots of `titles[from..]` their keys in `keys`; a collision
/// with any shot already there stops the build.
pub(super) fn register(
    titles: &[TitleVectors],
    from: usize,
    keys: &mut HashMap<u64, (usize, usize)>,
) -> Result<(), BuildError> {
    for (t, title) in titles.iter().enumerate().skip(from) {
        for row in 0..title.shots.len() {
            let key = shot_key(&title.content_hash, title.shots[row].shot);
            if let Some(&(ot, orow)) = keys.get(&key) {
                let name = |t: usize, r: usize| {
                    format!("{}#{}", titles[t].content_hash, titles[t].shots[r].shot)
                };
                return Err(BuildError::KeyCollision(name(ot, orow), name(t, row)));
            }
            keys.insert(key, (t, row));
        }
    }
    Ok(())
}

/// Title ranges of at most `most` shots each (a title is never split;
/// one larger than `most` is a shard of its own).
fn shard_spans(titles: &[TitleVectors], most: usize) -> Vec<std::ops::Range<usize>> {
    let mut spans = Vec::new();
    let (mut start, mut shots) = (0, 0);
    for (i, t) in titles.iter().enumerate() {
        if shots > 0 && shots + t.shots.len() > most {
            spans.push(start..i);
            (start, shots) = (i, 0);
        }
        shots += t.shots.len();
    }
    if start < titles.len() {
        spans.push(start..titles.len());
    }
    spans
}

/// A shard's index settings: the library's, with half its insertion
/// effort (a catalogue's indexes are built once per build, and its lists
/// are rescored and certified; recall measured in `benches/catalogue.rs`).
fn index_params(dims: usize) -> IndexParams {
    IndexParams {
        expansion_add: 64,
        expansion_search: 64,
        ..IndexParams::new(dims)
    }
}

/// How widely the graphs every list search walks (the framing and
/// reverse indexes) are searched to place each vector while building
/// (`ef` at insertion; the other indexes: 64, [`index_params`]).
const CAREFUL_BUILD_EXPANSION: usize = 256;

/// Graphs of fewer shots than this (a delta shard's) are built as the
/// other indexes are: a search at [`FRAMING_EXPANSION`] or
/// [`REVERSE_EXPANSION`] walks much of so small a graph however it was
/// built, and building a delta shard's framing graphs with more care
/// took 0.5 s of the add at 1M (1.5 s for the delta shard against 1.0).
const CAREFUL_FROM: usize = 50_000;

/// The insertion width of a framing or reverse index of `shots` shots.
fn careful_build_expansion(shots: usize) -> usize {
    if shots < CAREFUL_FROM {
        index_params(1).expansion_add
    } else {
        CAREFUL_BUILD_EXPANSION
    }
}

/// How widely a framing index is searched. Every list, and the lists a
/// new title enters above the reverse indexes' floor, begin with one; its
/// misses are the lists' misses. At 1M shots (`benches/catalogue.rs`, the
/// add's recall@10 of a new title's lists against exact search, one kept
/// catalogue): graphs built with `ef` 64 and searched with 64, 0.966;
/// built with [`CAREFUL_BUILD_EXPANSION`], 0.972 at 64, 0.986 at 96,
/// 0.990 at 128, for about 1.6 times the framing searches' time at 128
/// (they are about a quarter of the add's). At a fixed width misses grow
/// about three times a decade of catalogue (`benches/graph_growth.rs`,
/// graphs built so, measured to 10M at reduced dimension; README,
/// "Catalogue scale, measured"), so 128 holds about 0.97 at 10M shots
/// (extrapolated).
pub(super) const FRAMING_EXPANSION: usize = 128;

/// A reverse index's settings (`catalogue::reverse`): 8 bits (its vectors
/// are rotated so that they keep the framing's detail), a wider search
/// (its range search must find every list a shot reaches) and a graph
/// built with more care. At 1M shots (`benches/catalogue.rs`, a kept
/// catalogue's exit lists' index built again each way, the entrants 100
/// of a new title's shots make through it against exact search): built
/// with `ef` 64 (as the shot indexes), 0.911 found at 1.3 ms a search
/// with `ef` 128, 0.935 at 2.0 ms with 256; built with `ef` 256, 0.963
/// at 1.7 ms with 128 (0.983 at 2.8 ms with 256); twice the degree (`M`
/// 32) with `ef` 256, 0.970 at 2.5 ms. Building it so takes about 3.5
/// times as long (875 s an index at 1M on 2 cores).
fn reverse_params(shots: usize) -> IndexParams {
    IndexParams {
        expansion_add: careful_build_expansion(shots),
        expansion_search: REVERSE_EXPANSION,
        ..index_params(super::reverse::DIMS)
    }
}

/// How widely a reverse index is searched. Its searches ask as many
/// lists as they look at (a search for fewer costs the same), so that few
/// need asking again.
pub(super) const REVERSE_EXPANSION: usize = 128;

/// How widely the range searches for near copies (prints, descriptors)
/// search.
const NEAR_COPY_EXPANSION: usize = 16;

/// A print index's settings: its range searches look for prints at least
/// `PRINT_MATCH` (0.9) alike, near copies, which a narrow search finds.
fn print_params() -> IndexParams {
    IndexParams {
        expansion_search: NEAR_COPY_EXPANSION,
        ..index_params(footage::LEN)
    }
}

/// Every print of the shots of `titles[span]`, in a shard's order: its
/// owner and its row in the owner's footage.
fn print_owners(titles: &[TitleVectors], span: std::ops::Range<usize>) -> Vec<(PrintOwner, usize)> {
    let mut placed = Vec::new();
    for t in span {
        let title = &titles[t];
        let sides = [(&title.footage, false), (&title.aside.footage, true)];
        for (footage, aside) in sides {
            for row in 0..footage.shots() {
                let owner = PrintOwner {
                    title: t,
                    row,
                    aside,
                };
                placed.extend(footage.rows_of(row).map(|r| (owner, r)));
            }
        }
    }
    placed
}

/// Shard `number` of `titles[span]` as [`build_shard`] saved it under
/// `dir` ([`Catalogue::save`]), its indexes resident in huge-page memory
/// (`index::resident`: searched, never changed; a delta goes into a shard
/// of its own); its reverse indexes opened when `reverse`, else empty (to
/// be built again: another encoding, whose files may not even fit these
/// settings).
pub(super) fn open_shard(
    titles: &[TitleVectors],
    span: std::ops::Range<usize>,
    dir: &Path,
    (number, reverse): (usize, bool),
) -> Result<Shard, BuildError> {
    let dir = dir.join(format!("shard-{number:04}"));
    let open = |name: &str, params: IndexParams| {
        VectorIndex::open(&dir.join(name), params, crate::index::Access::Resident)
    };
    let first = titles[span.clone()].iter().find(|t| !t.shots.is_empty());
    let shots = titles[span.clone()].iter().map(|t| t.shots.len()).sum();
    let indexes = KINDS
        .iter()
        .map(|&kind| {
            let dims = first.map_or(1, |t| kind.vector(t, 0).len().max(1));
            open(
                &format!("{kind:?}.usearch").to_lowercase(),
                kind.params(dims, shots),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    let [exits, entries] = if reverse {
        ["exit-lists", "entry-lists"]
            .map(|name| open(&format!("{name}.usearch"), reverse_params(shots)))
    } else {
        empty_reverse(&dir, shots)?.map(Ok)
    };
    let owners = print_owners(titles, span)
        .into_iter()
        .map(|(o, _)| o)
        .collect();
    Ok(Shard {
        indexes,
        reverse: [exits?, entries?],
        prints: open("prints.usearch", print_params())?,
        owners,
    })
}

/// Shard `number` of `titles[span]`, its files under `dir`; each index
/// filled in parallel.
pub(super) fn build_shard(
    titles: &[TitleVectors],
    span: std::ops::Range<usize>,
    dir: &Path,
    number: usize,
) -> Result<Shard, BuildError> {
    let dir = dir.join(format!("shard-{number:04}"));
    let titles_in = || span.clone().map(|t| (t, &titles[t]));
    let rows: Vec<(usize, usize)> = titles_in()
        .flat_map(|(t, title)| (0..title.shots.len()).map(move |r| (t, r)))
        .collect();
    let indexes = KINDS
        .iter()
        .map(|&kind| {
            let dims = rows
                .first()
                .map_or(1, |&(t, r)| kind.vector(&titles[t], r).len().max(1));
            let index = VectorIndex::empty(
                &dir.join(format!("{kind:?}.usearch").to_lowercase()),
                kind.params(dims, rows.len()),
            )?;
            index.reserve(rows.len())?;
            rows.par_iter().try_for_each(|&(t, r)| {
                let title = &titles[t];
                index.add(
                    shot_key(&title.content_hash, title.shots[r].shot),
                    &kind.vector(title, r),
                )
            })?;
            Ok(index)
        })
        .collect::<Result<Vec<_>, BuildError>>()?;
    let placed = print_owners(titles, span.clone());
    let prints = VectorIndex::empty(&dir.join("prints.usearch"), print_params())?;
    prints.reserve(placed.len())?;
    let base = (number as u64) << PRINT_BITS;
    placed
        .par_iter()
        .enumerate()
        .try_for_each(|(i, &(owner, r))| {
            let title = &titles[owner.title];
            let footage = if owner.aside {
                &title.aside.footage
            } else {
                &title.footage
            };
            let print: Vec<f32> = footage.print(r).iter().map(|&x| f32::from(x)).collect();
            prints.add(base | i as u64, &print)
        })?;
    let owners = placed.into_iter().map(|(owner, _)| owner).collect();
    Ok(Shard {
        indexes,
        reverse: empty_reverse(&dir, rows.len())?,
        prints,
        owners,
    })
}

/// A shard's two reverse indexes (its exit lists', its entry lists'),
/// empty, to be saved under its folder `dir`; `shots`: the shard's.
pub(super) fn empty_reverse(dir: &Path, shots: usize) -> Result<[VectorIndex; 2], BuildError> {
    let [exits, entries] = ["exit-lists", "entry-lists"].map(|name| {
        VectorIndex::empty(&dir.join(format!("{name}.usearch")), reverse_params(shots))
    });
    Ok([exits?, entries?])
}

/// The rows of two titles that are duplicate footage, by (exit's title,
/// entry's title), both ways.
pub(super) type Links = HashMap<(usize, usize), Duplicates>;

impl Catalogue {
    /// The exit list (`exit`: true) or entry list of shot `row` of title
    /// `t` ranked from `hits` (framings of the other role): each hit
    /// scored exactly, the excluded left out, the `k` best kept.
    pub(super) fn rank(&self, t: usize, row: usize, exit: bool, hits: &[Hit]) -> TopK {
        let no_links = Duplicates::new();
        let mut list = TopK::new(self.params.matching.k);
        for h in hits {
            let (Ends { a, i, b, j }, similarity) = self.scored(t, row, exit, h);
            let dups = self.links.get(&(a, b)).unwrap_or(&no_links);
            if !list.admits(similarity)
                || excluded(
                    &self.titles[a],
                    i,
                    &self.titles[b],
                    j,
                    dups,
                    &self.params.matching,
                )
            {
                continue;
            }
            let other = self.titles[h.title].shot_ref(h.row);
            list.offer(Near { similarity, other });
        }
        list
    }

    /// The framings of the other role nearest shot `row` of title `t`'s
    /// (`exit`: its exit framing among entries): enough to certify its
    /// list, and with `floor`, every one at least `floor` alike too.
    pub(super) fn framing_hits(
        &self,
        t: usize,
        row: usize,
        exit: bool,
        floor: Option<f32>,
    ) -> Result<Vec<Hit>, BuildError> {
        let k = self.params.matching.k;
        let me = &self.titles[t].shots[row];
        let (kind, own_figure, query) = if exit {
            (Kind::EntryFraming, me.exit_figure, Kind::ExitFraming)
        } else {
            (Kind::ExitFraming, me.entry_figure, Kind::EntryFraming)
        };
        let query = query.vector(&self.titles[t], row);
        let settled = |hits: &[Hit], least: f32| {
            if floor.is_some_and(|floor| least + SLACK >= floor) {
                return false;
            }
            let list = self.rank(t, row, exit, hits);
            list.kth().is_some_and(|kth| {
                list.items().len() >= k && least + SLACK + FIGURE_WEIGHT * own_figure.max(0.0) < kth
            })
        };
        let search = || self.search(kind, &query, None, &settled);
        self.spent.time(Search::Framing, search)
    }

    /// Every shot's two lists made, their k-th scores kept and the
    /// reverse indexes filled (all a title joining the catalogue needs),
    /// without their pairs: how many members the lists have.
    pub fn settle_lists(&mut self) -> Result<usize, BuildError> {
        let sizes = self.make_lists(&|_, _, _, _, list| list.items().len())?;
        Ok(sizes.into_iter().sum())
    }

    /// Makes every shot's exit and entry lists (in parallel), keeps their
    /// k-th scores, and puts the lists of lowest threshold in the reverse
    /// indexes: `keep` of each list, by title, row and role.
    fn make_lists<T: Send>(
        &mut self,
        keep: &(dyn Fn(&Self, usize, usize, bool, &TopK) -> T + Sync),
    ) -> Result<Vec<T>, BuildError> {
        let queries = self.list_queries(0..self.titles.len());
        let listed = queries
            .par_iter()
            .map(|&(t, row, exit)| {
                let hits = self.framing_hits(t, row, exit, None)?;
                let list = self.rank(t, row, exit, &hits);
                Ok((list.kth(), keep(self, t, row, exit, &list)))
            })
            .collect::<Result<Vec<_>, BuildError>>()?;
        self.kth = self.kth_table(0, &queries, listed.iter().map(|(k, _)| *k));
        let below = self.open_share_below(self.params.open_share);
        self.open_below = vec![below; self.shards.len()];
        for shard in 0..self.shards.len() {
            self.fill_reverse(shard)?;
        }
        Ok(listed.into_iter().map(|(_, kept)| kept).collect())
    }

    /// Both lists of every shot of `titles`: (title, row, exit).
    pub(super) fn list_queries(&self, titles: std::ops::Range<usize>) -> Vec<(usize, usize, bool)> {
        titles
            .flat_map(|t| {
                (0..self.titles[t].shots.len()).flat_map(move |r| [(t, r, true), (t, r, false)])
            })
            .collect()
    }

    /// The k-th scores `kth` of the lists `queries` names (those of the
    /// titles from `from` on, as [`Catalogue::list_queries`] gives them),
    /// by title (less `from`), row and side (0: exit list).
    pub(super) fn kth_table(
        &self,
        from: usize,
        queries: &[(usize, usize, bool)],
        kth: impl Iterator<Item = Option<f32>>,
    ) -> Vec<Vec<[Option<f32>; 2]>> {
        let mut table: Vec<Vec<[Option<f32>; 2]>> = self.titles[from..]
            .iter()
            .map(|t| vec![[None, None]; t.shots.len()])
            .collect();
        for (&(t, row, exit), k) in queries.iter().zip(kth) {
            table[t - from][row][usize::from(!exit)] = k;
        }
        table
    }

    /// Every frame pair either of whose ends lists the other (saying
    /// whose lists hold it), the motion pairs (in no list), best first;
    /// and the duplicate links. Keeps every list's k-th score.
    pub fn proposals(&mut self) -> Result<Built, BuildError> {
        let listed = self.make_lists(&|c, t, row, exit, list| c.list_pairs(t, row, exit, list))?;
        let mut pairs = flagged(listed.into_iter().flatten());
        let links = &self.links;
        let shot_dups = self.duplicate_shots(links);
        let titles: Vec<&TitleVectors> = self.titles.iter().collect();
        let motion =
            crate::matching::motion::candidates(&titles, &shot_dups, &self.params.matching)
                .map_err(|e| BuildError::Motion(e.to_string()))?;
        pairs.extend(motion.into_iter().map(|candidate| {
            let id = candidate.id.clone();
            let pair = ListedPair {
                candidate,
                in_exit_list: false,
                in_entry_list: false,
            };
            (id, pair)
        }));
        Ok(Built {
            pairs: best_first(pairs.into_values().collect()),
            duplicates: self.duplicates.clone(),
        })
    }

    /// The ends of the pair shot `row` of title `t` makes with hit `h`
    /// (`exit`: `t`'s shot is the exit), and its score.
    pub(super) fn scored(&self, t: usize, row: usize, exit: bool, h: &Hit) -> (Ends, f32) {
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
        (Ends { a, i, b, j }, score)
    }

    /// The pairs of the exit list (`exit`: true) or entry list of shot
    /// `row` of title `t`, flagged as that list's, and its k-th score.
    pub fn listed(
        &self,
        t: usize,
        row: usize,
        exit: bool,
    ) -> Result<(Vec<ListedPair>, Option<f32>), BuildError> {
        let hits = self.framing_hits(t, row, exit, None)?;
        let list = self.rank(t, row, exit, &hits);
        Ok((self.list_pairs(t, row, exit, &list), list.kth()))
    }

    /// The pairs of `list`, shot `row` of title `t`'s exit list (`exit`:
    /// true) or entry list, flagged as that list's.
    pub(super) fn list_pairs(
        &self,
        t: usize,
        row: usize,
        exit: bool,
        list: &TopK,
    ) -> Vec<ListedPair> {
        let me = (
            self.titles[t].content_hash.as_str(),
            &self.titles[t].shots[row],
        );
        list.items()
            .iter()
            .filter_map(|n| {
                let &(o, orow) = self
                    .keys
                    .get(&shot_key(&n.other.content_hash, n.other.shot))?;
                let other = (
                    self.titles[o].content_hash.as_str(),
                    &self.titles[o].shots[orow],
                );
                Some(ListedPair {
                    candidate: if exit {
                        candidate(me, other)
                    } else {
                        candidate(other, me)
                    },
                    in_exit_list: exit,
                    in_entry_list: !exit,
                })
            })
            .collect()
    }

    /// The links as pairs of shots (both ways, as `links` holds them):
    /// what motion pairs exclude.
    fn duplicate_shots(&self, links: &Links) -> DuplicateShots {
        links
            .iter()
            .flat_map(|(&(a, b), rows)| {
                rows.iter()
                    .map(move |&(i, j)| (self.titles[a].shot_ref(i), self.titles[b].shot_ref(j)))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shot_keys_differ_by_title_and_shot() {
        assert_ne!(shot_key("a", 1), shot_key("a", 2));
        assert_ne!(shot_key("a", 1), shot_key("b", 1));
        assert_eq!(shot_key("a", 1), shot_key("a", 1));
        assert!(shot_key("a", 1) < 1 << 63);
    }
}

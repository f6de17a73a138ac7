//! What `pairs` and `duplicates` show: ranked candidates and duplicate
//! groups, with paths and timecodes, read from a library's store.

use super::library::{LibraryData, LibraryDataError};
use super::trim::CutSpan;
use crate::matching::{rank::Ranker, Components, PairKind, ShotRef, UnionFind};
use crate::media::{Rate, TimecodeTrack};
use crate::store::{CutPoints, StoreError, TitleRecord};
use serde::Serialize;
use std::collections::HashMap;

/// One side of a pair, as the CLI and the app show it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PairEnd {
    pub path: String,
    pub content_hash: String,
    pub shot: usize,
    pub frame: u64,
    pub timecode: String,
    /// Timecodes of the shot's first and last frames (empty when the
    /// library does not hold the shot).
    pub shot_in: String,
    pub shot_out: String,
    /// Frame indices of the shot's first and last frames (both `frame`
    /// when the library does not hold the shot): how far a trim may move
    /// the cut.
    pub shot_first: u64,
    pub shot_last: u64,
    /// The title's frame rate, `num/den` (empty when the library does not
    /// hold the title).
    pub frame_rate: String,
    /// The title's file was gone, or held other content, when last
    /// checked: the pair cannot be exported until it is found again.
    pub missing: bool,
}

/// A ranked candidate match cut.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PairView {
    pub id: String,
    pub rank: usize,
    pub score: f32,
    /// `frame` (composition) or `motion`.
    pub kind: String,
    pub from: PairEnd,
    pub to: PairEnd,
    pub components: Components,
}

impl PairView {
    /// The proposed cut with its two shots' frame ranges: what a trim may
    /// move.
    pub fn cut_span(&self) -> CutSpan {
        CutSpan {
            proposed: CutPoints {
                out_frame: self.from.frame,
                in_frame: self.to.frame,
            },
            out_shot: (self.from.shot_first, self.from.shot_last),
            in_shot: (self.to.shot_first, self.to.shot_last),
        }
    }
}

/// A shot in a duplicate group.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DuplicateMember {
    pub path: String,
    pub content_hash: String,
    pub shot: usize,
    pub first_frame: u64,
    pub last_frame: u64,
}

/// Shots of several titles that are the same footage.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DuplicateGroup {
    pub id: String,
    pub members: Vec<DuplicateMember>,
    /// The weakest link's similarity.
    pub similarity: f32,
}

/// Titles by content hash, with their timecode tracks and shots' ranges.
struct Titles(HashMap<String, (TitleRecord, TimecodeTrack, ShotSpans)>);

/// First and last frame by shot.
type ShotSpans = HashMap<usize, (u64, u64)>;

impl Titles {
    fn load(data: &LibraryData) -> Result<Self, StoreError> {
        let mut map = HashMap::new();
        for t in data.store().titles()? {
            let rate = Rate::parse(&t.frame_rate).unwrap_or(Rate::FALLBACK);
            let track = TimecodeTrack::new(rate, t.start_timecode.as_deref());
            let shots = (data.store().shot_ranges(&t.content_hash)?.into_iter())
                .map(|(shot, first, last)| (shot, (first, last)))
                .collect();
            map.insert(t.content_hash.clone(), (t, track, shots));
        }
        Ok(Self(map))
    }

    fn end(&self, shot: &ShotRef, frame: u64) -> PairEnd {
        let title = self.0.get(&shot.content_hash);
        let span = title.and_then(|(_, track, shots)| {
            let &(first, last) = shots.get(&shot.shot)?;
            Some(((track.at(first), track.at(last)), (first, last)))
        });
        let ((shot_in, shot_out), (shot_first, shot_last)) =
            span.unwrap_or_else(|| (Default::default(), (frame, frame)));
        PairEnd {
            path: title.map_or(String::new(), |(t, ..)| t.path.clone()),
            content_hash: shot.content_hash.clone(),
            shot: shot.shot,
            frame,
            timecode: title.map_or(String::new(), |(_, track, _)| track.at(frame)),
            shot_in,
            shot_out,
            shot_first,
            shot_last,
            frame_rate: title.map_or(String::new(), |(t, ..)| t.frame_rate.clone()),
            missing: title.is_none_or(|(t, ..)| t.missing),
        }
    }
}

/// Groups of shots that are one piece of footage: near-duplicates inside a
/// title and duplicates across titles, joined transitively.
pub struct FootageGroups {
    ids: HashMap<ShotRef, usize>,
    members: Vec<ShotRef>,
    sets: UnionFind,
}

impl FootageGroups {
    pub fn load(data: &LibraryData) -> Result<Self, StoreError> {
        let mut groups = Self {
            ids: HashMap::new(),
            members: Vec::new(),
            sets: UnionFind::new(0),
        };
        let links = data.store().group_links()?;
        let dups = data.store().duplicates()?;
        let pairs = links
            .into_iter()
            .chain(dups.into_iter().map(|d| (d.a, d.b)));
        let pairs: Vec<(usize, usize)> = pairs.map(|(a, b)| (groups.id(a), groups.id(b))).collect();
        groups.sets = UnionFind::new(groups.members.len());
        for (a, b) in pairs {
            groups.sets.union(a, b);
        }
        Ok(groups)
    }

    fn id(&mut self, shot: ShotRef) -> usize {
        let next = self.members.len();
        *self.ids.entry(shot.clone()).or_insert_with(|| {
            self.members.push(shot);
            next
        })
    }

    /// The group a shot belongs to, named by its first-seen member.
    pub fn of(&mut self, shot: &ShotRef) -> ShotRef {
        match self.ids.get(shot) {
            Some(&i) => self.members[self.sets.find(i)].clone(),
            None => shot.clone(),
        }
    }
}

/// The best `top` candidates of the library, of both kinds, ranked.
pub fn pairs(data: &LibraryData, top: usize) -> Result<Vec<PairView>, LibraryDataError> {
    pairs_of(data, top, None)
}

/// The best `top` candidates of one kind (`None`: both), ranked.
pub fn pairs_of(
    data: &LibraryData,
    top: usize,
    kind: Option<PairKind>,
) -> Result<Vec<PairView>, LibraryDataError> {
    let mut groups = FootageGroups::load(data)?;
    let mut ranker = Ranker::new(data.params().per_shot_cap, top);
    data.store().visit_pairs_by_score(kind, &mut |c| {
        let (from, to) = (groups.of(&c.from), groups.of(&c.to));
        ranker.offer(c, from, to);
        !ranker.is_full()
    })?;
    let ranked = ranker.finish();
    let titles = Titles::load(data)?;
    Ok(ranked
        .into_iter()
        .enumerate()
        .map(|(i, c)| PairView {
            id: c.id.clone(),
            rank: i + 1,
            score: c.score,
            kind: c.components.kind().name().to_string(),
            from: titles.end(&c.from, c.from_frame),
            to: titles.end(&c.to, c.to_frame),
            components: c.components,
        })
        .collect())
}

/// Duplicate footage across titles, as groups (largest first).
pub fn duplicate_groups(data: &LibraryData) -> Result<Vec<DuplicateGroup>, LibraryDataError> {
    let links = data.store().duplicates()?;
    let mut ids: HashMap<ShotRef, usize> = HashMap::new();
    let mut shots: Vec<ShotRef> = Vec::new();
    let mut id = |s: &ShotRef| {
        *ids.entry(s.clone()).or_insert_with(|| {
            shots.push(s.clone());
            shots.len() - 1
        })
    };
    let edges: Vec<(usize, usize, f32)> = links
        .iter()
        .map(|l| (id(&l.a), id(&l.b), l.similarity))
        .collect();
    let mut sets = UnionFind::new(shots.len());
    edges.iter().for_each(|&(a, b, _)| sets.union(a, b));
    let mut by_root: HashMap<usize, (Vec<usize>, f32)> = HashMap::new();
    for (i, _) in shots.iter().enumerate() {
        by_root
            .entry(sets.find(i))
            .or_insert((Vec::new(), 1.0))
            .0
            .push(i);
    }
    for &(a, _, similarity) in &edges {
        let entry = by_root.entry(sets.find(a)).or_insert((Vec::new(), 1.0));
        entry.1 = entry.1.min(similarity);
    }
    let titles = Titles::load(data)?;
    let mut shot_records = HashMap::new();
    let mut out = Vec::new();
    for (members, similarity) in by_root.into_values() {
        out.push(group_view(
            data,
            &titles,
            &mut shot_records,
            members.iter().map(|&i| &shots[i]),
            similarity,
        )?);
    }
    out.sort_by(|a, b| b.members.len().cmp(&a.members.len()).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Each title's shots (matched or set aside) as (shot, first frame, last
/// frame).
type ShotRanges = HashMap<String, Vec<(usize, u64, u64)>>;

/// One group's members with paths and frame ranges; `shot_records` keeps
/// each title's shots once read.
fn group_view<'a>(
    data: &LibraryData,
    titles: &Titles,
    shot_records: &mut ShotRanges,
    members: impl Iterator<Item = &'a ShotRef>,
    similarity: f32,
) -> Result<DuplicateGroup, StoreError> {
    let mut out: Vec<DuplicateMember> = Vec::new();
    for shot in members {
        if !shot_records.contains_key(&shot.content_hash) {
            let read = data.store().shot_ranges(&shot.content_hash)?;
            shot_records.insert(shot.content_hash.clone(), read);
        }
        let record = shot_records
            .get(&shot.content_hash)
            .and_then(|all| all.iter().find(|s| s.0 == shot.shot));
        let path = titles
            .0
            .get(&shot.content_hash)
            .map(|(t, ..)| t.path.clone());
        out.push(DuplicateMember {
            path: path.unwrap_or_default(),
            content_hash: shot.content_hash.clone(),
            shot: shot.shot,
            first_frame: record.map_or(0, |r| r.1),
            last_frame: record.map_or(0, |r| r.2),
        });
    }
    out.sort_by(|a, b| (&a.path, a.shot).cmp(&(&b.path, b.shot)));
    let key: Vec<String> = out
        .iter()
        .map(|m| format!("{}:{}-{}", m.content_hash, m.first_frame, m.last_frame))
        .collect();
    Ok(DuplicateGroup {
        id: blake3::hash(key.join(",").as_bytes()).to_hex()[..16].to_string(),
        members: out,
        similarity,
    })
}

//! Duplicate footage at catalogue scale. A link between two shots
//! (`matching::duplicates`) needs their entries or their exits at least
//! `duplicate_similarity` alike (as whole shots), or one print of each at
//! least `PRINT_MATCH` alike (by overlapping frames; every link of a
//! set-aside shot too): [`link_gates`]. So a shot's range searches at those
//! two levels, over every shard's descriptor and print indexes, name every
//! shot it may be linked with (its prints searched a few at a time, by
//! centres at a gate widened to cover them: `catalogue::cover`); each such
//! pair is judged by
//! `duplicates::link`, and each pair of titles whose set-aside shots meet
//! a print of the other by `find_aside_duplicates`. The links are exactly
//! those of one machine comparing every pair of titles (with exact search;
//! with HNSW, as good as its recall), at the cost of the shots' searches.

use super::build::{BuildError, Catalogue, Hit, Kind, Links, SLACK};
use super::cover::cover;
use super::spent::Search;
use crate::matching::duplicates::{find_aside_duplicates, link, link_gates};
use crate::matching::footage::Footage;
use crate::matching::neighbours::TitleVectors;
use crate::matching::ShotRef;
use crate::store::DuplicateRecord;
use rayon::prelude::*;
use std::collections::BTreeSet;

/// What the searches of one shot found: pairs of matched shots
/// ((title, row), (title, row), lower first) and pairs of titles whose
/// set-aside shots meet.
#[derive(Default)]
struct Found {
    shots: Vec<((usize, usize), (usize, usize))>,
    aside: Vec<(usize, usize)>,
}

fn ordered<T: Ord>(a: T, b: T) -> (T, T) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

impl Catalogue {
    /// The duplicate links of the shots of `queries` (title numbers) with
    /// every shot of the catalogue: by (title, title) both ways, and as a
    /// library records them.
    pub(super) fn find_links(
        &self,
        queries: &[usize],
    ) -> Result<(Links, Vec<DuplicateRecord>), BuildError> {
        let (whole, print) = link_gates(&self.params.matching);
        let (whole, print) = (whole - SLACK, print - SLACK);
        let shots: Vec<(usize, usize, bool)> = queries
            .iter()
            .flat_map(|&t| {
                let title = &self.titles[t];
                let matched = (0..title.shots.len()).map(move |r| (t, r, false));
                matched.chain((0..title.aside.footage.shots()).map(move |r| (t, r, true)))
            })
            .collect();
        let found = shots
            .par_iter()
            .map(|&(t, row, aside)| self.shot_links(t, row, aside, whole, print))
            .collect::<Result<Vec<Found>, BuildError>>()?;
        let mut pairs = BTreeSet::new();
        let mut aside = BTreeSet::new();
        for f in found {
            pairs.extend(f.shots);
            aside.extend(f.aside);
        }
        let linked: Vec<(usize, usize, crate::matching::duplicates::DuplicateLink)> = pairs
            .into_par_iter()
            .filter_map(|((a, i), (b, j))| {
                let (x, y) = (&self.titles[a], &self.titles[b]);
                Some((a, b, link(x, i, y, j, &self.params.matching)?))
            })
            .collect();
        let mut links = Links::new();
        let mut records = Vec::new();
        for (a, b, l) in linked {
            let (x, y) = (&self.titles[a], &self.titles[b]);
            records.push(DuplicateRecord {
                a: x.shot_ref(l.row),
                b: y.shot_ref(l.other_row),
                similarity: l.similarity,
            });
            links
                .entry((a, b))
                .or_default()
                .insert((l.row, l.other_row));
            links
                .entry((b, a))
                .or_default()
                .insert((l.other_row, l.row));
        }
        let shot = |t: &TitleVectors, shot: usize| ShotRef {
            content_hash: t.content_hash.clone(),
            shot,
        };
        let aside: Vec<DuplicateRecord> = aside
            .into_par_iter()
            .flat_map_iter(|(a, b)| {
                let (x, y) = (&self.titles[a], &self.titles[b]);
                find_aside_duplicates(x, y)
                    .into_iter()
                    .map(move |l| DuplicateRecord {
                        a: shot(x, l.shot),
                        b: shot(y, l.other_shot),
                        similarity: l.similarity,
                    })
            })
            .collect();
        records.extend(aside);
        Ok((links, records))
    }

    /// The searches of one shot (`row` of title `t`'s matched shots, or of
    /// its set-aside ones): descriptors at `whole`, prints at `print`.
    fn shot_links(
        &self,
        t: usize,
        row: usize,
        aside: bool,
        whole: f32,
        print: f32,
    ) -> Result<Found, BuildError> {
        let mut found = Found::default();
        let title = &self.titles[t];
        if !aside && row < title.shots.len() {
            let range = |_: &[Hit], least: f32| least < whole;
            for kind in [Kind::EntryDescriptor, Kind::ExitDescriptor] {
                let query = kind.vector(title, row);
                let search = || self.search(kind, &query, Some(t), &range);
                let hits = self.spent.time(Search::Descriptor, search)?;
                found.shots.extend(
                    hits.iter()
                        .filter(|h| h.title != t && h.similarity >= whole)
                        .map(|h| ordered((t, row), (h.title, h.row))),
                );
            }
        }
        self.print_links(t, row, aside, print, &mut found)?;
        Ok(found)
    }

    /// The print searches of one shot (its prints covered by a few
    /// centres, `catalogue::cover`), at `print`, into `found`.
    fn print_links(
        &self,
        t: usize,
        row: usize,
        aside: bool,
        print: f32,
        found: &mut Found,
    ) -> Result<(), BuildError> {
        let footage = self.footage(t, aside);
        if row >= footage.shots() {
            return Ok(());
        }
        let radius = self.params.cover_radius;
        for c in cover(footage, footage.rows_of(row), print, radius) {
            let query: Vec<f32> = footage
                .print(c.centre)
                .iter()
                .map(|&x| f32::from(x))
                .collect();
            let owners = self
                .spent
                .time(Search::Print, || self.search_prints(&query, t, c.gate))?;
            let owners: BTreeSet<(usize, usize, bool)> = owners
                .into_iter()
                .filter(|o| o.title != t)
                .map(|o| (o.title, o.row, o.aside))
                .collect();
            for (o, orow, other_aside) in owners {
                // What only the wider gate found is no link.
                let theirs = self.footage(o, other_aside);
                if c.widened() && !c.meets(footage, theirs, theirs.rows_of(orow), print) {
                    continue;
                }
                if aside || other_aside {
                    found.aside.push(ordered(t, o));
                } else {
                    found.shots.push(ordered((t, row), (o, orow)));
                }
            }
        }
        Ok(())
    }

    /// Title `t`'s prints: of its set-aside shots, or of its matched ones.
    fn footage(&self, t: usize, aside: bool) -> &Footage {
        let title = &self.titles[t];
        if aside {
            &title.aside.footage
        } else {
            &title.footage
        }
    }
}

//! Which decided pairs an export holds: approved ones whose titles are in
//! the library and on disk, with their trimmed cut; conflicts apart, with
//! who approved and who rejected; every other approved pair skipped with
//! its reason.

use super::CutsError;
use crate::jobs::disk::{check, OnDisk};
use crate::jobs::team::{PairDecisions, TeamState};
use crate::jobs::trim::CutSpan;
use crate::matching::{Candidate, ShotRef};
use crate::media::Rate;
use crate::store::{CutPoints, Store, TitleRecord};
use std::collections::HashMap;

/// A pair end: its title, its rate and its shot's first and last frames.
#[derive(Clone)]
pub(super) struct End {
    pub title: TitleRecord,
    pub rate: Rate,
    pub shot: (u64, u64),
}

/// An approved pair with what the timeline needs of it.
pub(super) struct Approved {
    pub pair: Candidate,
    /// Where the cut lies: the approval's trim, or the proposal.
    pub cut: CutPoints,
    pub approved_at: i64,
    pub from: End,
    pub to: End,
    pub decided: PairDecisions,
}

/// A pair the editors disagree on.
pub(super) struct Disputed {
    pub pair: Candidate,
    pub from: Option<End>,
    pub to: Option<End>,
    pub decided: PairDecisions,
}

/// What the team's decisions give an export.
#[derive(Default)]
pub(super) struct Gathered {
    pub approved: Vec<Approved>,
    pub disputed: Vec<Disputed>,
    /// Approved pairs left out, each with the reason.
    pub skipped: Vec<String>,
}

/// Sorts the decided pairs of a library into what an export holds.
pub(super) fn gather(store: &Store, decided: &[PairDecisions]) -> Result<Gathered, CutsError> {
    let (mut gathered, mut titles) = (Gathered::default(), Titles::default());
    for pair in decided {
        match verdict(store, &mut titles, pair)? {
            Verdict::Export(found) => gathered.approved.push(*found),
            Verdict::Disputed(found) => gathered.disputed.push(*found),
            Verdict::Leave => {}
            Verdict::Skip(reason) => gathered
                .skipped
                .push(format!("pair {}: {reason}", pair.pair_id)),
        }
    }
    Ok(gathered)
}

/// What becomes of one decided pair.
enum Verdict {
    Export(Box<Approved>),
    Disputed(Box<Disputed>),
    /// Approved, but it cannot be exported: why.
    Skip(String),
    /// Not approved.
    Leave,
}

/// A title with its shots' (number, first, last frame), those set aside
/// too, and whether its file still holds it.
type Known = (TitleRecord, Vec<(usize, u64, u64)>, OnDisk);

/// Titles with their shots' frame ranges, each read from the store and
/// checked on disk once.
#[derive(Default)]
struct Titles(HashMap<String, Option<Known>>);

/// Where a pair end stands for an export.
enum EndState {
    Found(End),
    /// Its title or shot is no longer in the library.
    Gone,
    /// Its file is gone or holds other content: why.
    Missing(String),
    /// Its title records no frame rate.
    NoRate,
}

impl Titles {
    /// A pair end's title and its shot's frame range, or why it cannot be
    /// exported.
    fn end(&mut self, store: &Store, shot: &ShotRef) -> Result<EndState, CutsError> {
        if !self.0.contains_key(&shot.content_hash) {
            let entry = match store.title(&shot.content_hash)? {
                Some(title) => {
                    let on_disk = check(store, &title)?;
                    Some((title, store.shot_ranges(&shot.content_hash)?, on_disk))
                }
                None => None,
            };
            self.0.insert(shot.content_hash.clone(), entry);
        }
        let known = self.0.get(&shot.content_hash).and_then(Option::as_ref);
        let Some((title, shots, on_disk)) = known else {
            return Ok(EndState::Gone);
        };
        let Some(&(_, first, last)) = shots.iter().find(|s| s.0 == shot.shot) else {
            return Ok(EndState::Gone);
        };
        let Some(rate) = Rate::parse(&title.frame_rate) else {
            return Ok(EndState::NoRate);
        };
        Ok(match on_disk {
            OnDisk::Present => EndState::Found(End {
                title: title.clone(),
                rate,
                shot: (first, last),
            }),
            OnDisk::Missing(reason) => EndState::Missing(reason.clone()),
        })
    }
}

fn found(state: EndState) -> Option<End> {
    match state {
        EndState::Found(end) => Some(end),
        _ => None,
    }
}

fn verdict(
    store: &Store,
    titles: &mut Titles,
    decided: &PairDecisions,
) -> Result<Verdict, CutsError> {
    if matches!(decided.state, TeamState::Rejected | TeamState::Cleared) {
        return Ok(Verdict::Leave);
    }
    let skip = |reason: &str| Ok(Verdict::Skip(reason.to_string()));
    let Some(pair) = store.pair(&decided.pair_id)? else {
        return skip("not a pair of this library");
    };
    let ends = (titles.end(store, &pair.from)?, titles.end(store, &pair.to)?);
    if decided.state == TeamState::Conflict {
        return Ok(Verdict::Disputed(Box::new(Disputed {
            from: found(ends.0),
            to: found(ends.1),
            pair,
            decided: decided.clone(),
        })));
    }
    let (from, to) = match ends {
        (EndState::Found(from), EndState::Found(to)) => (from, to),
        (EndState::Gone, _) | (_, EndState::Gone) => {
            return skip("its titles are no longer in the library")
        }
        (EndState::Missing(reason), _) | (_, EndState::Missing(reason)) => {
            return skip(&format!("missing media: {reason}"))
        }
        (EndState::NoRate, _) | (_, EndState::NoRate) => return skip("a title has no frame rate"),
    };
    let cut = decided.cut.unwrap_or(CutPoints {
        out_frame: pair.from_frame,
        in_frame: pair.to_frame,
    });
    let span = CutSpan {
        proposed: cut,
        out_shot: from.shot,
        in_shot: to.shot,
    };
    if let Err(e) = span.check(&pair.id, cut) {
        return skip(&format!("its trimmed cut no longer fits its shots ({e})"));
    }
    let approved_at = decided
        .editors
        .iter()
        .map(|e| e.decided_at_ms)
        .max()
        .unwrap_or(0);
    Ok(Verdict::Export(Box::new(Approved {
        pair,
        cut,
        approved_at,
        from,
        to,
        decided: decided.clone(),
    })))
}

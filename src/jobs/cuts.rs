//! Approved match cuts out of a library, as an EDL or OpenTimelineIO file:
//! the one function both front ends call ([`export_cuts`]).
//!
//! A pair is exported when the team's state on it is *approved* (synced
//! first, so the latest decisions count; pairs the editors disagree on are
//! skipped and reported). Each becomes two clips: the outgoing shot's tail,
//! `handles` long and ending on the out-frame, then the incoming shot's
//! head, starting on the in-frame, each clamped to its shot. The cut is
//! where the latest approval put it when an editor trimmed it, else where
//! it was proposed.
//!
//! An EDL has one frame rate, so all exported titles must share one: when
//! approved pairs span several, the export stops with the rates and their
//! pair counts, and `rate` picks one (pairs at other rates are skipped and
//! reported). OpenTimelineIO files follow the same rule, so both formats
//! always hold the same timeline.

use super::decisions::{DecisionError, TeamDecisions, TeamSettings};
use super::disk::{check, OnDisk};
use super::library::LibraryData;
use super::team::{PairDecisions, TeamState};
use super::trim::CutSpan;
use crate::export::{write_edl, write_otio, Clip, CutList, EdlStyle, ExportError, Side, Source};
use crate::matching::{Candidate, ShotRef};
use crate::media::Rate;
use crate::store::{CutPoints, Store, StoreError, TitleRecord};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// How the approved cuts are laid out.
#[derive(Clone, Debug)]
pub struct CutOptions {
    /// Length of each side of a cut, in seconds (clamped to the shot).
    pub handles_secs: f64,
    /// Record timecode of the first clip.
    pub record_start: String,
    /// Export only the pairs at this rate.
    pub rate: Option<Rate>,
    pub order: CutOrder,
    pub title: String,
}

impl Default for CutOptions {
    fn default() -> Self {
        Self {
            handles_secs: 2.0,
            record_start: "01:00:00:00".into(),
            rate: None,
            order: CutOrder::Score,
            title: "Matchcut approved cuts".into(),
        }
    }
}

/// The order of the approved pairs on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutOrder {
    /// Best score first, as `pairs` lists them.
    Score,
    /// In the order they were approved.
    Decided,
}

/// The file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutFormat {
    Edl(EdlStyle),
    Otio,
}

/// What an export wrote.
#[derive(Clone, Debug)]
pub struct CutsReport {
    pub out: PathBuf,
    pub pairs: usize,
    pub clips: usize,
    pub rate: Rate,
    /// Approved pairs left out, each with the reason.
    pub skipped: Vec<String>,
}

/// Why approved cuts cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum CutsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Decision(#[from] DecisionError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("no approved pairs to export{0}")]
    Nothing(String),
    #[error("the approved pairs are at several frame rates ({0}); an EDL has one: choose one with --rate")]
    MixedRates(String),
    #[error("handles of {0} s: give 0 to 600 seconds")]
    Handles(f64),
    #[error("{}: cannot write: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

/// Exports the library's approved cuts to `out`.
pub fn export_cuts(
    library: &Path,
    team: &TeamSettings,
    options: &CutOptions,
    format: CutFormat,
    out: &Path,
) -> Result<CutsReport, CutsError> {
    let (cuts, skipped) = approved_cut_list(library, team, options)?;
    let text = match format {
        CutFormat::Edl(style) => write_edl(&cuts, style)?,
        CutFormat::Otio => {
            serde_json::to_string_pretty(&write_otio(&cuts)?).map_err(|e| write_error(out, e))?
        }
    };
    write_atomically(out, &text)?;
    Ok(CutsReport {
        out: out.to_path_buf(),
        pairs: cuts.clips.len() / 2,
        clips: cuts.clips.len(),
        rate: cuts.rate,
        skipped,
    })
}

fn write_error(path: &Path, e: impl std::fmt::Display) -> CutsError {
    CutsError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Writes a temporary file beside `out`, then renames it.
fn write_atomically(out: &Path, text: &str) -> Result<(), CutsError> {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = out.with_file_name(format!(".{}.tmp", name.unwrap_or_default()));
    std::fs::write(&tmp, text).map_err(|e| write_error(out, e))?;
    std::fs::rename(&tmp, out).map_err(|e| write_error(out, e))
}

/// A pair end: its title and its shot's first and last frames.
type End = (TitleRecord, (u64, u64));

/// An approved pair with what the timeline needs of it.
struct Approved {
    pair: Candidate,
    /// Where the cut lies: the approval's trim, or the proposal.
    cut: CutPoints,
    approved_at: i64,
    from: End,
    to: End,
    rate: Rate,
}

/// The approved pairs as a timeline, and the approved pairs left out.
pub fn approved_cut_list(
    library: &Path,
    team: &TeamSettings,
    options: &CutOptions,
) -> Result<(CutList, Vec<String>), CutsError> {
    if !(0.0..=600.0).contains(&options.handles_secs) {
        return Err(CutsError::Handles(options.handles_secs));
    }
    let mut decisions = TeamDecisions::open(library, team)?;
    let sync = decisions.sync().status;
    tracing::info!("shared store: {sync}");
    let store = Store::open(&LibraryData::store_path(library))?;
    let (mut skipped, mut approved, mut titles) = (Vec::new(), Vec::new(), Titles::default());
    for pair in decisions.pairs()? {
        match verdict(&store, &mut titles, &pair)? {
            Verdict::Export(found) => approved.push(*found),
            Verdict::Leave => {}
            Verdict::Skip(reason) => skipped.push(format!("pair {}: {reason}", pair.pair_id)),
        }
    }
    let rate = choose_rate(&mut approved, options.rate, &mut skipped)?;
    match options.order {
        CutOrder::Score => approved.sort_by(|a, b| {
            b.pair
                .score
                .total_cmp(&a.pair.score)
                .then(a.pair.id.cmp(&b.pair.id))
        }),
        CutOrder::Decided => approved.sort_by_key(|a| (a.approved_at, a.pair.id.clone())),
    }
    Ok((lay_out(&approved, rate, options), skipped))
}

/// What becomes of one decided pair.
enum Verdict {
    Export(Box<Approved>),
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
        Ok(match on_disk {
            OnDisk::Present => EndState::Found((title.clone(), (first, last))),
            OnDisk::Missing(reason) => EndState::Missing(reason.clone()),
        })
    }
}

fn verdict(
    store: &Store,
    titles: &mut Titles,
    decided: &PairDecisions,
) -> Result<Verdict, CutsError> {
    match decided.state {
        TeamState::Approved => {}
        TeamState::Conflict => {
            let (yes, no) = (
                decided.approved_by.join(", "),
                decided.rejected_by.join(", "),
            );
            return Ok(Verdict::Skip(format!(
                "approved by {yes} but rejected by {no}"
            )));
        }
        TeamState::Rejected | TeamState::Cleared => return Ok(Verdict::Leave),
    }
    let skip = |reason: &str| Ok(Verdict::Skip(reason.to_string()));
    let Some(pair) = store.pair(&decided.pair_id)? else {
        return skip("not a pair of this library");
    };
    let (from, to) = match (titles.end(store, &pair.from)?, titles.end(store, &pair.to)?) {
        (EndState::Found(from), EndState::Found(to)) => (from, to),
        (EndState::Gone, _) | (_, EndState::Gone) => {
            return skip("its titles are no longer in the library")
        }
        (EndState::Missing(reason), _) | (_, EndState::Missing(reason)) => {
            return skip(&format!("missing media: {reason}"))
        }
    };
    let (Some(from_rate), Some(to_rate)) = (
        Rate::parse(&from.0.frame_rate),
        Rate::parse(&to.0.frame_rate),
    ) else {
        return skip("a title has no frame rate");
    };
    if from_rate != to_rate {
        return skip(&format!("joins a {from_rate} title to a {to_rate} title"));
    }
    let cut = decided.cut.unwrap_or(CutPoints {
        out_frame: pair.from_frame,
        in_frame: pair.to_frame,
    });
    let span = CutSpan {
        proposed: cut,
        out_shot: from.1,
        in_shot: to.1,
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
        rate: from_rate,
    })))
}

/// The one rate of the export: the asked one (other pairs are skipped), or
/// the pairs' only rate.
fn choose_rate(
    approved: &mut Vec<Approved>,
    wanted: Option<Rate>,
    skipped: &mut Vec<String>,
) -> Result<Rate, CutsError> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for a in approved.iter() {
        *counts.entry(a.rate.to_string()).or_default() += 1;
    }
    let rate = match (wanted, approved.first()) {
        (Some(rate), _) => rate,
        (None, Some(first)) if counts.len() == 1 => first.rate,
        (None, Some(_)) => {
            let rates: Vec<String> = counts
                .iter()
                .map(|(r, n)| format!("{r}: {n} pair{}", if *n == 1 { "" } else { "s" }))
                .collect();
            return Err(CutsError::MixedRates(rates.join(", ")));
        }
        (None, None) => {
            let why = if skipped.is_empty() {
                String::new()
            } else {
                format!("; skipped {}", skipped.join("; "))
            };
            return Err(CutsError::Nothing(why));
        }
    };
    approved.retain(|a| {
        let keep = a.rate == rate;
        if !keep {
            skipped.push(format!("pair {}: at {}, not {rate}", a.pair.id, a.rate));
        }
        keep
    });
    if approved.is_empty() {
        return Err(CutsError::Nothing(format!(" at {rate}")));
    }
    Ok(rate)
}

/// Two clips per pair; sources in order of first use.
fn lay_out(approved: &[Approved], rate: Rate, options: &CutOptions) -> CutList {
    let handle =
        ((options.handles_secs * rate.numer() as f64 / rate.denom() as f64).round() as u64).max(1);
    let mut sources: Vec<Source> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut clips = Vec::new();
    for a in approved {
        let ends = [
            (&a.from, &a.pair.from.content_hash, Side::Out),
            (&a.to, &a.pair.to.content_hash, Side::In),
        ];
        for ((title, (first, last)), hash, side) in ends {
            let source = *index.entry(hash.clone()).or_insert_with(|| {
                sources.push(source_of(title, rate));
                sources.len() - 1
            });
            let (start, end) = clip_range(a.cut, side, handle, (*first, *last));
            clips.push(Clip {
                source,
                first: start,
                frames: end + 1 - start,
                pair_id: a.pair.id.clone(),
                side,
            });
        }
    }
    CutList {
        title: options.title.clone(),
        rate,
        sources,
        clips,
        record_start: options.record_start.clone(),
    }
}

/// First and last frame of one side of a cut: `handle` frames ending on the
/// out-frame, or starting on the in-frame, clamped to the shot (`first`,
/// `last`).
fn clip_range(cut: CutPoints, side: Side, handle: u64, (first, last): (u64, u64)) -> (u64, u64) {
    match side {
        Side::Out => {
            let start = (cut.out_frame + 1).saturating_sub(handle).max(first);
            (start, cut.out_frame)
        }
        Side::In => (cut.in_frame, (cut.in_frame + handle - 1).min(last)),
    }
}

fn source_of(title: &TitleRecord, rate: Rate) -> Source {
    let name = Path::new(&title.path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| title.path.clone());
    Source {
        path: title.path.clone(),
        name,
        rate,
        start_timecode: title.start_timecode.clone(),
        frame_count: title.frame_count,
    }
}

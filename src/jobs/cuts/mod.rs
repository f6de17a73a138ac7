//! Approved match cuts out of a library, as an EDL, OpenTimelineIO or
//! Final Cut Pro 7 XML file: what both front ends call ([`export_cuts`] for
//! the CLI; [`build`], [`render`] and [`write_cuts`] for the export view,
//! which shows the same sequence it saves).
//!
//! A pair is exported when the team's state on it is *approved* (pairs the
//! editors disagree on are listed apart, never exported). Each becomes two
//! clips: the outgoing shot's tail, `handles` long and ending on the
//! out-frame, then the incoming shot's head, starting on the in-frame, each
//! clamped to its shot. The cut is where the latest approval put it when an
//! editor trimmed it, else where it was proposed. The order is the
//! library's own (the export view's, [`set_cut_order`]), then by score.
//!
//! The sequence has one rate (asked for, else the one most clips have);
//! each clip keeps its title's rate. XML and OTIO carry both exactly; an EDL
//! has one rate, so a clip at another is conformed to it (see
//! [`crate::export::edl`]) and the view marks such pairs.

mod gather;
mod layout;
mod order;
mod settings;
mod view;

pub use order::{cut_order, set_cut_order};
pub use settings::{
    export_settings, preview, save, save_export_settings, ExportKind, ExportPreview, ExportSettings,
};
pub(crate) use view::notes;
pub use view::{ConflictCut, CutSide, RateCount, Sequence, SequenceCut, Shown};

use super::decisions::{DecisionError, TeamDecisions, TeamSettings};
use super::library::LibraryData;
use super::team::PairDecisions;
use crate::export::{write_edl, write_otio, write_xmeml, CutList, EdlStyle, ExportError};
use crate::media::Rate;
use crate::store::{Store, StoreError};
use std::path::{Path, PathBuf};

/// How the approved cuts are laid out.
#[derive(Clone, Debug)]
pub struct CutOptions {
    /// Length of each side of a cut, in seconds (clamped to the shot).
    pub handles_secs: f64,
    /// Record timecode of the first clip.
    pub record_start: String,
    /// The sequence's rate (none: the rate most clips have).
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
            order: CutOrder::Sequence,
            title: "Matchcut approved cuts".into(),
        }
    }
}

/// The order of the approved pairs on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CutOrder {
    /// The library's kept order (the export view's), then best score first.
    Sequence,
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
    /// Final Cut Pro 7 XML (Premiere Pro, Resolve).
    Xml,
}

/// What an export wrote.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CutsReport {
    pub out: PathBuf,
    pub pairs: usize,
    pub clips: usize,
    /// The sequence's rate, `num/den`.
    pub rate: String,
    /// Clips at another rate than the sequence (conformed in an EDL).
    pub other_rate_clips: usize,
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
    #[error("handles of {0} s: give 0 to 600 seconds")]
    Handles(f64),
    #[error("{0:?} is not a frame rate: give one such as 24000/1001, 25 or 30000/1001")]
    Rate(String),
    #[error("{}: cannot write: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

/// Exports the library's approved cuts to `out`, after syncing the team's
/// decisions so the latest count.
pub fn export_cuts(
    library: &Path,
    team: &TeamSettings,
    options: &CutOptions,
    format: CutFormat,
    out: &Path,
) -> Result<CutsReport, CutsError> {
    let mut decisions = TeamDecisions::open(library, team)?;
    let sync = decisions.sync().status;
    tracing::info!("shared store: {sync}");
    let cuts = build(library, &decisions.pairs()?, options)?;
    write_cuts(&cuts, format, out)
}

/// A library's approved cuts laid out: the timeline and the view of it.
#[derive(Clone, Debug)]
pub struct Cuts {
    pub list: CutList,
    pub sequence: Sequence,
}

/// Lays out the approved pairs among `decided` (the team's decisions) as
/// `options` say. No approved pair is not an error here: the view shows
/// the conflicts and why pairs were skipped; [`render`] refuses it.
pub fn build(
    library: &Path,
    decided: &[PairDecisions],
    options: &CutOptions,
) -> Result<Cuts, CutsError> {
    if !(0.0..=600.0).contains(&options.handles_secs) {
        return Err(CutsError::Handles(options.handles_secs));
    }
    let store = Store::open(&LibraryData::store_path(library))?;
    let mut gathered = gather::gather(&store, decided)?;
    layout::sort(&mut gathered.approved, options.order, &cut_order(library)?);
    let rate = layout::sequence_rate(&gathered.approved, options.rate).unwrap_or(Rate::FALLBACK);
    let list = layout::lay_out(&gathered.approved, rate, options);
    let sequence = view::view(&gathered, &list)?;
    Ok(Cuts { list, sequence })
}

/// The text of `cuts` in `format`.
pub fn render(cuts: &Cuts, format: CutFormat) -> Result<String, CutsError> {
    if cuts.list.clips.is_empty() {
        let skipped = &cuts.sequence.skipped;
        let why = if skipped.is_empty() {
            String::new()
        } else {
            format!("; skipped {}", skipped.join("; "))
        };
        return Err(CutsError::Nothing(why));
    }
    Ok(match format {
        CutFormat::Edl(style) => write_edl(&cuts.list, style)?,
        CutFormat::Otio => serde_json::to_string_pretty(&write_otio(&cuts.list)?)
            .map_err(|e| ExportError::Format(e.to_string()))?,
        CutFormat::Xml => write_xmeml(&with_sizes(&cuts.list))?,
    })
}

/// Writes `cuts` in `format` to `out` (a temporary file, then renamed).
pub fn write_cuts(cuts: &Cuts, format: CutFormat, out: &Path) -> Result<CutsReport, CutsError> {
    let text = render(cuts, format)?;
    write_atomically(out, &text)?;
    let list = &cuts.list;
    Ok(CutsReport {
        out: out.to_path_buf(),
        pairs: list.clips.len() / 2,
        clips: list.clips.len(),
        rate: list.rate.to_string(),
        other_rate_clips: list.clips.iter().filter(|c| list.conformed(c)).count(),
        skipped: left_out(&cuts.sequence),
    })
}

/// Why approved pairs are not in the file: the editors disagree, or they
/// cannot be exported.
fn left_out(sequence: &Sequence) -> Vec<String> {
    let disputed = sequence.conflicts.iter().map(|c| {
        format!(
            "pair {}: approved by {} but rejected by {}",
            c.pair_id,
            c.approved_by.join(", "),
            c.rejected_by.join(", ")
        )
    });
    disputed.chain(sequence.skipped.iter().cloned()).collect()
}

/// `list` with each source's picture size, probed (the XML's formats).
fn with_sizes(list: &CutList) -> CutList {
    let mut list = list.clone();
    for source in &mut list.sources {
        match crate::media::probe(Path::new(&source.path)) {
            Ok(info) => source.size = Some((info.width, info.height)),
            Err(e) => tracing::warn!("{}: no picture size for the XML: {e}", source.path),
        }
    }
    list
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

//! Review sheets of a library: the approved cuts as the sequence holds
//! them (the export's order and trimmed cuts), or any filtered list of
//! pairs, each with both frames decoded exactly, written as one
//! self-contained HTML page ([`crate::export::review_sheet`]).

use super::cuts::{notes, Sequence, Shown};
use super::team::PairDecisions;
use crate::export::review_sheet::{review_sheet_html, SheetPair, SheetSide};
use crate::jobs::listing::PairEnd;
use crate::media::Rate;
use crate::review::ReviewRow;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Width of the sheet's pictures, in pixels.
const PICTURE_WIDTH: u32 = 960;

/// A pair to put on a sheet, before its pictures are decoded.
#[derive(Clone, Debug)]
pub struct SheetEntry {
    pub pair: SheetPair,
    /// The files and frame indices of the two sides.
    pub frames: [(PathBuf, u64); 2],
}

/// `24000/1001` as `23.976`.
fn rate_label(rate: &str) -> String {
    Rate::parse(rate).map_or_else(|| rate.to_string(), |r| r.label())
}

fn side(shown: &Shown) -> SheetSide {
    SheetSide {
        name: shown.name.clone(),
        timecode: shown.timecode.clone(),
        frame: shown.frame,
        frame_rate: rate_label(&shown.frame_rate),
        jpeg: Err(String::new()),
    }
}

/// The approved cuts of a sequence, in its order, at their (trimmed) cuts.
pub fn sequence_entries(sequence: &Sequence) -> Vec<SheetEntry> {
    sequence
        .cuts
        .iter()
        .map(|cut| SheetEntry {
            pair: SheetPair {
                pair_id: cut.pair_id.clone(),
                score: cut.score,
                state: "approved".into(),
                out: side(&cut.out.at),
                incoming: side(&cut.incoming.at),
                approved_by: cut.approved_by.clone(),
                rejected_by: Vec::new(),
                notes: cut.notes.clone(),
                record: Some(cut.record_in.clone()),
            },
            frames: [
                (cut.out.at.path.clone().into(), cut.out.at.frame),
                (cut.incoming.at.path.clone().into(), cut.incoming.at.frame),
            ],
        })
        .collect()
}

fn end_side(end: &PairEnd, frame: u64) -> SheetSide {
    let name = crate::export::sheet::file_name(&end.path);
    let timecode = if frame == end.frame {
        end.timecode.clone()
    } else {
        format!(
            "{} (moved {:+})",
            end.timecode,
            frame as i64 - end.frame as i64
        )
    };
    SheetSide {
        name,
        timecode,
        frame,
        frame_rate: rate_label(&end.frame_rate),
        jpeg: Err(String::new()),
    }
}

/// Rows of the review list (filtered as the caller chose), at the cut the
/// team's approval put, with the notes among `decided`.
pub fn row_entries(rows: &[ReviewRow], decided: &[PairDecisions]) -> Vec<SheetEntry> {
    let by_id: HashMap<&str, &PairDecisions> =
        decided.iter().map(|d| (d.pair_id.as_str(), d)).collect();
    rows.iter()
        .map(|row| {
            let pair = &row.pair;
            let (out_frame, in_frame) = row.cut.map_or((pair.from.frame, pair.to.frame), |c| {
                (c.out_frame, c.in_frame)
            });
            let state = row.team.map_or("undecided".to_string(), |t| {
                serde_json::to_value(t)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            });
            let notes = by_id.get(pair.id.as_str()).map_or(Vec::new(), |d| notes(d));
            SheetEntry {
                pair: SheetPair {
                    pair_id: pair.id.clone(),
                    score: pair.score,
                    state,
                    out: end_side(&pair.from, out_frame),
                    incoming: end_side(&pair.to, in_frame),
                    approved_by: row.approved_by.clone(),
                    rejected_by: row.rejected_by.clone(),
                    notes,
                    record: None,
                },
                frames: [
                    (pair.from.path.clone().into(), out_frame),
                    (pair.to.path.clone().into(), in_frame),
                ],
            }
        })
        .collect()
}

/// `12 pairs · 2026-12-03 14:05 UTC`: a sheet's line under its heading.
pub fn sheet_subtitle(pairs: usize) -> String {
    let when =
        time::format_description::parse_borrowed::<2>("[year]-[month]-[day] [hour]:[minute] UTC")
            .ok()
            .and_then(|f| time::OffsetDateTime::now_utc().format(&f).ok())
            .unwrap_or_default();
    let s = if pairs == 1 { "" } else { "s" };
    format!("{pairs} pair{s} · {when}")
}

/// What a sheet holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SheetReport {
    pub out: PathBuf,
    pub pairs: usize,
    /// Pictures that could not be decoded, each with the reason (the sheet
    /// says so in their place).
    pub missing: Vec<String>,
}

/// Why a sheet was not written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("no pairs to put on the sheet")]
    Nothing,
    #[error(transparent)]
    Cuts(#[from] super::cuts::CutsError),
    #[error("{}: a review sheet is an HTML page: name it .html", path.display())]
    Format { path: PathBuf },
    #[error("{}: cannot write: {reason}", path.display())]
    Write { path: PathBuf, reason: String },
}

/// Decodes both frames of every entry and writes the sheet to `out`
/// (`.html`; a temporary file, then renamed).
pub fn write_review_sheet(
    entries: Vec<SheetEntry>,
    title: &str,
    subtitle: &str,
    out: &Path,
) -> Result<SheetReport, SheetError> {
    let html_name = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
    if !html_name {
        return Err(SheetError::Format {
            path: out.to_path_buf(),
        });
    }
    if entries.is_empty() {
        return Err(SheetError::Nothing);
    }
    let pairs: Vec<SheetPair> = entries
        .into_par_iter()
        .map(|entry| {
            let mut pair = entry.pair;
            let [(out_path, out_frame), (in_path, in_frame)] = &entry.frames;
            pair.out.jpeg = picture(out_path, *out_frame);
            pair.incoming.jpeg = picture(in_path, *in_frame);
            pair
        })
        .collect();
    let missing = pairs
        .iter()
        .flat_map(|p| [&p.out.jpeg, &p.incoming.jpeg])
        .filter_map(|j| j.as_ref().err().cloned())
        .collect();
    let html = review_sheet_html(title, subtitle, &pairs);
    let write_error = |e: std::io::Error| SheetError::Write {
        path: out.to_path_buf(),
        reason: e.to_string(),
    };
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned());
    let tmp = out.with_file_name(format!(".{}.tmp", name.unwrap_or_default()));
    std::fs::write(&tmp, html).map_err(write_error)?;
    std::fs::rename(&tmp, out).map_err(write_error)?;
    Ok(SheetReport {
        out: out.to_path_buf(),
        pairs: pairs.len(),
        missing,
    })
}

/// The sheet of the approved cuts among `decided`, as the export view's
/// sequence holds them (its order, trimmed cuts and record timecodes).
pub fn sequence_sheet(
    library: &Path,
    decided: &[PairDecisions],
    out: &Path,
) -> Result<SheetReport, SheetError> {
    let settings = super::cuts::export_settings(library).map_err(super::cuts::CutsError::from)?;
    let (options, _) = settings.options()?;
    let cuts = super::cuts::build(library, decided, &options)?;
    let entries = sequence_entries(&cuts.sequence);
    let subtitle = sheet_subtitle(entries.len());
    write_review_sheet(
        entries,
        &format!("{} — review sheet", settings.title),
        &subtitle,
        out,
    )
}

/// Pairs a sheet of a review list holds at most (two decoded frames each).
pub const SHEET_MOST: usize = 300;

/// The sheet of a filtered review list (its first [`SHEET_MOST`] rows,
/// saying so when there are more), with the notes among `decided`.
pub fn rows_sheet(
    rows: &[ReviewRow],
    decided: &[PairDecisions],
    title: &str,
    out: &Path,
) -> Result<SheetReport, SheetError> {
    let kept = &rows[..rows.len().min(SHEET_MOST)];
    let mut subtitle = sheet_subtitle(kept.len());
    if kept.len() < rows.len() {
        subtitle = format!(
            "{subtitle} · the first {} of {} in the list",
            kept.len(),
            rows.len()
        );
    }
    write_review_sheet(row_entries(kept, decided), title, &subtitle, out)
}

fn picture(path: &Path, frame: u64) -> Result<Vec<u8>, String> {
    crate::frames::jpeg(path, frame, PICTURE_WIDTH).map_err(|e| e.to_string())
}

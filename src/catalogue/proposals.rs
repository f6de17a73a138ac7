//! A build's **proposals file**: every candidate pair of the catalogue,
//! one row each, best first, with its build id; and beside it the
//! build's **duplicates file**, the duplicate footage it found between
//! titles. Together they are what a library needs to hold the catalogue's
//! pairs exactly as a local scan would (`catalogue::import`).
//!
//! Proposals:
//!
//! | column | type | |
//! |---|---|---|
//! | `id` | UTF8 | the pair's id, as a local library names it (content-keyed) |
//! | `kind` | UTF8 | `frame` or `motion` |
//! | `from_hash`, `from_shot`, `from_frame` | UTF8, int64, int64 | the outgoing shot and its exit keyframe |
//! | `to_hash`, `to_shot`, `to_frame` | UTF8, int64, int64 | the incoming shot and its entry keyframe |
//! | `score` | float | |
//! | `in_exit_list`, `in_entry_list` | int64 (0 or 1) | whose neighbour lists hold it (motion pairs: neither) |
//! | `components` | UTF8 JSON | `matching::Components` |
//!
//! Metadata: `matchcut.format` ([`FORMAT`]), `matchcut.build_id`,
//! `matchcut.analysis_key`, `matchcut.match_params` (the matching
//! parameters, which a library importing it must share),
//! `matchcut.features` (the features files built from, a JSON list) and
//! `matchcut.features_dir` (where they were).
//!
//! Duplicates (`matchcut.format` [`DUPLICATES_FORMAT`], `matchcut.build_id`):
//! `a_hash`, `a_shot`, `b_hash`, `b_shot`, `similarity`.

use super::table::{self, Cells, Column, Shape, TableError};
use crate::matching::{Candidate, Components, ShotRef};
use crate::store::{DuplicateRecord, ListedPair};
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "matchcut-proposals-2";
pub const DUPLICATES_FORMAT: &str = "matchcut-duplicates-1";

/// A proposals file's contents.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposals {
    pub build_id: String,
    pub analysis_key: String,
    /// `format!("{:?}")` of the `MatchParams` built with.
    pub match_params: String,
    pub features: Vec<String>,
    pub features_dir: PathBuf,
    pub pairs: Vec<ListedPair>,
}

/// The duplicates file beside a proposals file.
pub fn duplicates_path(proposals: &Path, build_id: &str) -> PathBuf {
    proposals.with_file_name(format!("duplicates-{build_id}.parquet"))
}

fn utf8(name: &'static str, values: Vec<String>) -> Column {
    Column {
        name,
        shape: Shape::Required,
        annotation: Some("UTF8"),
        cells: Cells::Bytes(
            values
                .into_iter()
                .map(|v| Some(vec![v.into_bytes()]))
                .collect(),
        ),
    }
}

fn int64(name: &'static str, values: impl Iterator<Item = u64>) -> Column {
    Column {
        name,
        shape: Shape::Required,
        annotation: None,
        cells: Cells::I64(values.map(|v| Some(vec![v as i64])).collect()),
    }
}

pub fn write(path: &Path, p: &Proposals) -> Result<(), TableError> {
    let pairs: Vec<&Candidate> = p.pairs.iter().map(|l| &l.candidate).collect();
    let flag = |f: fn(&ListedPair) -> bool| p.pairs.iter().map(move |l| u64::from(f(l)));
    let columns = vec![
        utf8("id", pairs.iter().map(|c| c.id.clone()).collect()),
        utf8(
            "kind",
            pairs
                .iter()
                .map(|c| c.components.kind().name().to_string())
                .collect(),
        ),
        utf8(
            "from_hash",
            pairs.iter().map(|c| c.from.content_hash.clone()).collect(),
        ),
        int64("from_shot", pairs.iter().map(|c| c.from.shot as u64)),
        int64("from_frame", pairs.iter().map(|c| c.from_frame)),
        utf8(
            "to_hash",
            pairs.iter().map(|c| c.to.content_hash.clone()).collect(),
        ),
        int64("to_shot", pairs.iter().map(|c| c.to.shot as u64)),
        int64("to_frame", pairs.iter().map(|c| c.to_frame)),
        float("score", pairs.iter().map(|c| c.score)),
        int64("in_exit_list", flag(|l| l.in_exit_list)),
        int64("in_entry_list", flag(|l| l.in_entry_list)),
        utf8(
            "components",
            pairs
                .iter()
                .map(|c| serde_json::to_string(&c.components).unwrap_or_default())
                .collect(),
        ),
    ];
    let metadata = [
        ("matchcut.format", FORMAT.to_string()),
        ("matchcut.build_id", p.build_id.clone()),
        ("matchcut.analysis_key", p.analysis_key.clone()),
        ("matchcut.match_params", p.match_params.clone()),
        (
            "matchcut.features",
            serde_json::to_string(&p.features).unwrap_or_default(),
        ),
        (
            "matchcut.features_dir",
            p.features_dir.to_string_lossy().into_owned(),
        ),
    ];
    table::write(path, &columns, &metadata)
}

fn float(name: &'static str, values: impl Iterator<Item = f32>) -> Column {
    Column {
        name,
        shape: Shape::Required,
        annotation: None,
        cells: Cells::F32(values.map(|v| Some(vec![v])).collect()),
    }
}

pub fn read(path: &Path) -> Result<Proposals, TableError> {
    let t = table::read_format(path, FORMAT)?;
    let bad = |reason: String| table::bad(path, reason);
    let meta = |key: &str| t.meta(path, key);
    let text = |name: &str| t.texts(path, name);
    let number = |name: &str| t.integers(path, name);
    let scores = t.floats(path, "score")?;
    let (ids, from_hash, to_hash, components) = (
        text("id")?,
        text("from_hash")?,
        text("to_hash")?,
        text("components")?,
    );
    let (from_shot, from_frame, to_shot, to_frame) = (
        number("from_shot")?,
        number("from_frame")?,
        number("to_shot")?,
        number("to_frame")?,
    );
    let (in_exit, in_entry) = (number("in_exit_list")?, number("in_entry_list")?);
    let mut pairs = Vec::with_capacity(t.rows);
    for i in 0..t.rows {
        let components: Components = serde_json::from_str(&components[i])
            .map_err(|e| bad(format!("row {i}: components: {e}")))?;
        let candidate = Candidate {
            id: ids[i].clone(),
            from: ShotRef {
                content_hash: from_hash[i].clone(),
                shot: from_shot[i] as usize,
            },
            to: ShotRef {
                content_hash: to_hash[i].clone(),
                shot: to_shot[i] as usize,
            },
            from_frame: from_frame[i] as u64,
            to_frame: to_frame[i] as u64,
            components,
            score: scores[i],
        };
        pairs.push(ListedPair {
            candidate,
            in_exit_list: in_exit[i] != 0,
            in_entry_list: in_entry[i] != 0,
        });
    }
    let features =
        serde_json::from_str(&meta("matchcut.features")?).map_err(|e| bad(e.to_string()))?;
    Ok(Proposals {
        build_id: meta("matchcut.build_id")?,
        analysis_key: meta("matchcut.analysis_key")?,
        match_params: meta("matchcut.match_params")?,
        features,
        features_dir: PathBuf::from(meta("matchcut.features_dir")?),
        pairs,
    })
}

pub fn write_duplicates(
    path: &Path,
    build_id: &str,
    links: &[DuplicateRecord],
) -> Result<(), TableError> {
    let columns = vec![
        utf8(
            "a_hash",
            links.iter().map(|d| d.a.content_hash.clone()).collect(),
        ),
        int64("a_shot", links.iter().map(|d| d.a.shot as u64)),
        utf8(
            "b_hash",
            links.iter().map(|d| d.b.content_hash.clone()).collect(),
        ),
        int64("b_shot", links.iter().map(|d| d.b.shot as u64)),
        float("similarity", links.iter().map(|d| d.similarity)),
    ];
    let metadata = [
        ("matchcut.format", DUPLICATES_FORMAT.to_string()),
        ("matchcut.build_id", build_id.to_string()),
    ];
    table::write(path, &columns, &metadata)
}

/// A duplicates file's links; a format error when it belongs to another
/// build than `build_id`.
pub fn read_duplicates(path: &Path, build_id: &str) -> Result<Vec<DuplicateRecord>, TableError> {
    let t = table::read_format(path, DUPLICATES_FORMAT)?;
    if t.meta(path, "matchcut.build_id")? != build_id {
        return Err(table::bad(path, format!("it is not of build {build_id}")));
    }
    let (a_hash, b_hash) = (t.texts(path, "a_hash")?, t.texts(path, "b_hash")?);
    let (a_shot, b_shot) = (t.integers(path, "a_shot")?, t.integers(path, "b_shot")?);
    let similarity = t.floats(path, "similarity")?;
    Ok((0..t.rows)
        .map(|i| DuplicateRecord {
            a: ShotRef {
                content_hash: a_hash[i].clone(),
                shot: a_shot[i] as usize,
            },
            b: ShotRef {
                content_hash: b_hash[i].clone(),
                shot: b_shot[i] as usize,
            },
            similarity: similarity[i],
        })
        .collect())
}

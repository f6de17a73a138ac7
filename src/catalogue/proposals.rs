//! A build's **proposals file**: every candidate pair of the catalogue,
//! one row each, best first, with its build id.
//!
//! | column | type | |
//! |---|---|---|
//! | `id` | UTF8 | the pair's id, as a local library names it |
//! | `kind` | UTF8 | `frame` or `motion` |
//! | `from_hash`, `from_shot`, `from_frame` | UTF8, int64, int64 | the outgoing shot and its exit keyframe |
//! | `to_hash`, `to_shot`, `to_frame` | UTF8, int64, int64 | the incoming shot and its entry keyframe |
//! | `score` | float | |
//! | `components` | UTF8 JSON | `matching::Components` |
//!
//! Metadata: `matchcut.format` ([`FORMAT`]), `matchcut.build_id`,
//! `matchcut.analysis_key`, `matchcut.features` (the features files
//! built from, a JSON list).

use super::table::{self, Cells, Column, Shape, TableError};
use crate::matching::{Candidate, Components, ShotRef};
use std::path::Path;

pub const FORMAT: &str = "matchcut-proposals-1";

/// A proposals file's contents.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposals {
    pub build_id: String,
    pub analysis_key: String,
    pub features: Vec<String>,
    pub pairs: Vec<Candidate>,
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
    let pairs = &p.pairs;
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
        Column {
            name: "score",
            shape: Shape::Required,
            annotation: None,
            cells: Cells::F32(pairs.iter().map(|c| Some(vec![c.score])).collect()),
        },
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
        (
            "matchcut.features",
            serde_json::to_string(&p.features).unwrap_or_default(),
        ),
    ];
    table::write(path, &columns, &metadata)
}

pub fn read(path: &Path) -> Result<Proposals, TableError> {
    let t = table::read_format(path, FORMAT)?;
    let bad = |reason: String| table::bad(path, reason);
    let meta = |key: &str| t.meta(path, key);
    let text = |name: &str| -> Result<Vec<String>, TableError> {
        match t.columns.get(name) {
            Some(Cells::Bytes(c)) => Ok(c
                .iter()
                .map(|v| {
                    v.as_ref()
                        .and_then(|v| v.first())
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .unwrap_or_default()
                })
                .collect()),
            _ => Err(bad(format!("no text column {name}"))),
        }
    };
    let number = |name: &str| -> Result<Vec<u64>, TableError> {
        match t.columns.get(name) {
            Some(Cells::I64(c)) => Ok(c
                .iter()
                .map(|v| v.as_ref().and_then(|v| v.first()).copied().unwrap_or(0) as u64)
                .collect()),
            _ => Err(bad(format!("no int64 column {name}"))),
        }
    };
    let scores: Vec<f32> = match t.columns.get("score") {
        Some(Cells::F32(c)) => c
            .iter()
            .map(|v| v.as_ref().and_then(|v| v.first()).copied().unwrap_or(0.0))
            .collect(),
        _ => return Err(bad("no float column score".into())),
    };
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
    let mut pairs = Vec::with_capacity(t.rows);
    for i in 0..t.rows {
        let components: Components = serde_json::from_str(&components[i])
            .map_err(|e| bad(format!("row {i}: components: {e}")))?;
        pairs.push(Candidate {
            id: ids[i].clone(),
            from: ShotRef {
                content_hash: from_hash[i].clone(),
                shot: from_shot[i] as usize,
            },
            to: ShotRef {
                content_hash: to_hash[i].clone(),
                shot: to_shot[i] as usize,
            },
            from_frame: from_frame[i],
            to_frame: to_frame[i],
            components,
            score: scores[i],
        });
    }
    let features =
        serde_json::from_str(&meta("matchcut.features")?).map_err(|e| bad(e.to_string()))?;
    Ok(Proposals {
        build_id: meta("matchcut.build_id")?,
        analysis_key: meta("matchcut.analysis_key")?,
        features,
        pairs,
    })
}

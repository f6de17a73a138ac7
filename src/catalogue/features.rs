//! A title's analysis as a Parquet **features file**: one row per shot
//! (its frames, kind, the transition after it, its entry, middle and exit
//! keyframes' descriptors and signatures, its ends' motion, the footage
//! prints of the frames from its start to the next shot's), with the
//! title's key in the file's metadata. Written by `matchcut worker
//! analyse`, read back into exactly the [`Analysis`] a local scan makes, so
//! that the catalogue's candidates are the local ones.
//!
//! | column | type | per shot |
//! |---|---|---|
//! | `shot`, `first_frame`, `last_frame` | int32, int64 | |
//! | `kind` | UTF8 | `picture`, `black`, `colour`, `card`, `dark` |
//! | `entry_frame`, `middle_frame`, `exit_frame` | int64 | keyframes |
//! | `transition_kind`, `transition_from`, `transition_to` | UTF8, int64 | null on the last shot |
//! | `{entry,middle,exit}_vector` | list<float> | the descriptor (null: not embedded) |
//! | `{…}_composition`, `{…}_regions` | list<int8 as int32> | |
//! | `{…}_text`, `{…}_figure` | float | |
//! | `motion` | UTF8 JSON | the ends' motion (null: not measured) |
//! | `print_frames`, `prints` | list<int64>, list<binary> | footage prints |
//!
//! Metadata: `matchcut.format` ([`FORMAT`]), `matchcut.content_hash`,
//! `matchcut.analysis_key` (every model and parameter), `matchcut.motion`
//! (`measured` or `off`), `matchcut.media` (the probe, JSON).

use super::table::{self, Cells, Column, Shape, Table, TableError};
use crate::jobs::{Analysis, FramePrint, KeyframeVector, StageRun};
use crate::shots::{Keyframes, Segmentation, Shot, ShotKind, Transition, TransitionKind};
use std::collections::BTreeMap;
use std::path::Path;

/// The layout's name and version.
pub const FORMAT: &str = "matchcut-features-1";

/// A features file's title: its analysis and what it was computed under.
#[derive(Clone, Debug)]
pub struct Features {
    pub analysis: Analysis,
    pub analysis_key: String,
    /// The probe of the file analysed, as JSON.
    pub media: serde_json::Value,
}

/// Column names of each keyframe role: vector, composition, regions,
/// text, figure.
const ROLES: [[&str; 5]; 3] = [
    [
        "entry_vector",
        "entry_composition",
        "entry_regions",
        "entry_text",
        "entry_figure",
    ],
    [
        "middle_vector",
        "middle_composition",
        "middle_regions",
        "middle_text",
        "middle_figure",
    ],
    [
        "exit_vector",
        "exit_composition",
        "exit_regions",
        "exit_text",
        "exit_figure",
    ],
];

fn one<T>(v: T) -> Option<Vec<T>> {
    Some(vec![v])
}

fn text(s: &str) -> Option<Vec<Vec<u8>>> {
    one(s.as_bytes().to_vec())
}

fn column(
    name: &'static str,
    shape: Shape,
    annotation: Option<&'static str>,
    cells: Cells,
) -> Column {
    Column {
        name,
        shape,
        annotation,
        cells,
    }
}

/// Writes `features` to `path`.
pub fn write(path: &Path, f: &Features) -> Result<(), TableError> {
    let a = &f.analysis;
    let shots = &a.segmentation.shots;
    let by_frame: BTreeMap<u64, &KeyframeVector> =
        a.keyframes.iter().map(|k| (k.frame, k)).collect();
    let req = |name, cells| column(name, Shape::Required, None, cells);
    let i64s =
        |get: &dyn Fn(&Shot) -> u64| Cells::I64(shots.iter().map(|s| one(get(s) as i64)).collect());
    let transition = |i: usize| a.segmentation.transitions.get(i);
    let mut columns = vec![
        req(
            "shot",
            Cells::I32(shots.iter().map(|s| one(s.index as i32)).collect()),
        ),
        req("first_frame", i64s(&|s| s.first_frame)),
        req("last_frame", i64s(&|s| s.last_frame)),
        column(
            "kind",
            Shape::Required,
            Some("UTF8"),
            Cells::Bytes(shots.iter().map(|s| text(s.kind.name())).collect()),
        ),
        req("entry_frame", i64s(&|s| s.keyframes.entry)),
        req("middle_frame", i64s(&|s| s.keyframes.middle)),
        req("exit_frame", i64s(&|s| s.keyframes.exit)),
        column(
            "transition_kind",
            Shape::Optional,
            Some("UTF8"),
            Cells::Bytes(
                (0..shots.len())
                    .map(|i| transition(i).map(|t| vec![kind_name(t.kind).as_bytes().to_vec()]))
                    .collect(),
            ),
        ),
        column(
            "transition_from",
            Shape::Optional,
            None,
            Cells::I64(
                (0..shots.len())
                    .map(|i| transition(i).map(|t| vec![t.from_frame as i64]))
                    .collect(),
            ),
        ),
        column(
            "transition_to",
            Shape::Optional,
            None,
            Cells::I64(
                (0..shots.len())
                    .map(|i| transition(i).map(|t| vec![t.to_frame as i64]))
                    .collect(),
            ),
        ),
    ];
    let frames = |s: &Shot| [s.keyframes.entry, s.keyframes.middle, s.keyframes.exit];
    for (role, names) in ROLES.iter().enumerate() {
        let kf: Vec<Option<&KeyframeVector>> = shots
            .iter()
            .map(|s| by_frame.get(&frames(s)[role]).copied())
            .collect();
        let small = |v: &[i8]| v.iter().map(|&x| i32::from(x)).collect::<Vec<i32>>();
        columns.extend([
            column(
                names[0],
                Shape::List,
                None,
                Cells::F32(kf.iter().map(|k| k.map(|k| k.vector.clone())).collect()),
            ),
            column(
                names[1],
                Shape::List,
                Some("INT_8"),
                Cells::I32(
                    kf.iter()
                        .map(|k| k.map(|k| small(&k.composition)))
                        .collect(),
                ),
            ),
            column(
                names[2],
                Shape::List,
                Some("INT_8"),
                Cells::I32(kf.iter().map(|k| k.map(|k| small(&k.regions))).collect()),
            ),
            column(
                names[3],
                Shape::Optional,
                None,
                Cells::F32(kf.iter().map(|k| k.map(|k| vec![k.text])).collect()),
            ),
            column(
                names[4],
                Shape::Optional,
                None,
                Cells::F32(kf.iter().map(|k| k.map(|k| vec![k.figure])).collect()),
            ),
        ]);
    }
    let motion: Vec<Option<Vec<Vec<u8>>>> = (0..shots.len())
        .map(|i| {
            let m = a.motion.as_ref()?.get(i)?;
            serde_json::to_vec(m).ok().map(|json| vec![json])
        })
        .collect();
    columns.push(column(
        "motion",
        Shape::Optional,
        Some("UTF8"),
        Cells::Bytes(motion),
    ));
    let prints = prints_by_shot(shots, &a.prints);
    columns.push(column(
        "print_frames",
        Shape::List,
        None,
        Cells::I64(
            prints
                .iter()
                .map(|p| Some(p.iter().map(|f| f.frame as i64).collect()))
                .collect(),
        ),
    ));
    columns.push(column(
        "prints",
        Shape::List,
        None,
        Cells::Bytes(
            prints
                .iter()
                .map(|p| {
                    Some(
                        p.iter()
                            .map(|f| f.print.iter().map(|&c| c as u8).collect())
                            .collect(),
                    )
                })
                .collect(),
        ),
    ));
    let metadata = [
        ("matchcut.format", FORMAT.to_string()),
        ("matchcut.content_hash", a.content_hash.clone()),
        ("matchcut.analysis_key", f.analysis_key.clone()),
        (
            "matchcut.motion",
            if a.motion.is_some() {
                "measured"
            } else {
                "off"
            }
            .to_string(),
        ),
        ("matchcut.media", f.media.to_string()),
    ];
    table::write(path, &columns, &metadata)
}

fn kind_name(kind: TransitionKind) -> &'static str {
    match kind {
        TransitionKind::Cut => "cut",
        TransitionKind::Dissolve => "dissolve",
        TransitionKind::Fade => "fade",
    }
}

/// The prints of each shot's row: those from its first frame to the next
/// shot's (the first shot's from frame 0), so that every print has a row.
fn prints_by_shot<'a>(shots: &[Shot], prints: &'a [FramePrint]) -> Vec<Vec<&'a FramePrint>> {
    let mut rows: Vec<Vec<&FramePrint>> = vec![Vec::new(); shots.len()];
    for p in prints {
        let row = shots
            .partition_point(|s| s.first_frame <= p.frame)
            .saturating_sub(1);
        if let Some(r) = rows.get_mut(row) {
            r.push(p);
        }
    }
    rows
}

/// Reads a features file back.
pub fn read(path: &Path) -> Result<Features, TableError> {
    let t = table::read_format(path, FORMAT)?;
    let bad = |reason: String| table::bad(path, reason);
    let meta = |key: &str| t.meta(path, key);
    let columns = Columns { t: &t, path };
    let mut shots = Vec::with_capacity(t.rows);
    let mut transitions = Vec::new();
    let (index, first, last) = (
        columns.i32("shot")?,
        columns.i64("first_frame")?,
        columns.i64("last_frame")?,
    );
    let (entry, middle, exit) = (
        columns.i64("entry_frame")?,
        columns.i64("middle_frame")?,
        columns.i64("exit_frame")?,
    );
    let kinds = columns.bytes("kind")?;
    let (t_kind, t_from, t_to) = (
        columns.bytes("transition_kind")?,
        columns.i64("transition_from")?,
        columns.i64("transition_to")?,
    );
    for row in 0..t.rows {
        let kind: ShotKind =
            parse_name(&kinds[row]).ok_or_else(|| bad(format!("row {row}: unknown shot kind")))?;
        shots.push(Shot {
            index: scalar(&index[row]).unwrap_or(0) as usize,
            first_frame: scalar(&first[row]).unwrap_or(0) as u64,
            last_frame: scalar(&last[row]).unwrap_or(0) as u64,
            keyframes: Keyframes {
                entry: scalar(&entry[row]).unwrap_or(0) as u64,
                middle: scalar(&middle[row]).unwrap_or(0) as u64,
                exit: scalar(&exit[row]).unwrap_or(0) as u64,
            },
            kind,
        });
        if let (Some(k), Some(from), Some(to)) = (
            t_kind[row].as_ref(),
            scalar(&t_from[row]),
            scalar(&t_to[row]),
        ) {
            let kind: TransitionKind = parse_name(&Some(k.clone()))
                .ok_or_else(|| bad(format!("row {row}: unknown transition")))?;
            transitions.push(Transition {
                kind,
                from_frame: from as u64,
                to_frame: to as u64,
            });
        }
    }
    let keyframes = read_keyframes(&columns, &shots)?;
    let motion = match meta("matchcut.motion")?.as_str() {
        "measured" => Some(read_motion(&columns, t.rows)?),
        _ => None,
    };
    let prints = read_prints(&columns, t.rows)?;
    let media = serde_json::from_str(&meta("matchcut.media")?).map_err(|e| bad(e.to_string()))?;
    Ok(Features {
        analysis: Analysis {
            content_hash: meta("matchcut.content_hash")?,
            segmentation: Segmentation { shots, transitions },
            keyframes,
            prints,
            motion,
            shots_run: StageRun::Cached,
            embed_run: StageRun::Cached,
        },
        analysis_key: meta("matchcut.analysis_key")?,
        media,
    })
}

/// A table's columns by name, each checked to be there with its type.
struct Columns<'t> {
    t: &'t Table,
    path: &'t Path,
}

macro_rules! typed {
    ($name:ident, $variant:ident, $ty:ty) => {
        fn $name(&self, name: &str) -> Result<&'t [Option<Vec<$ty>>], TableError> {
            match self.t.columns.get(name) {
                Some(Cells::$variant(c)) if c.len() == self.t.rows => Ok(c),
                _ => Err(TableError::Format {
                    path: self.path.display().to_string(),
                    reason: format!("no column {name} of {} rows as written", self.t.rows),
                }),
            }
        }
    };
}

impl<'t> Columns<'t> {
    typed!(i32, I32, i32);
    typed!(i64, I64, i64);
    typed!(f32, F32, f32);
    typed!(bytes, Bytes, Vec<u8>);
}

fn scalar<T: Copy>(cell: &Option<Vec<T>>) -> Option<T> {
    cell.as_ref().and_then(|v| v.first().copied())
}

/// A serde enum from its lower-case name.
fn parse_name<T: serde::de::DeserializeOwned>(cell: &Option<Vec<Vec<u8>>>) -> Option<T> {
    let name = std::str::from_utf8(cell.as_ref()?.first()?).ok()?;
    serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
}

/// Every keyframe with a descriptor, once, in frame order (as a scan keeps them).
fn read_keyframes(c: &Columns, shots: &[Shot]) -> Result<Vec<KeyframeVector>, TableError> {
    let mut out: BTreeMap<u64, KeyframeVector> = BTreeMap::new();
    for (role, names) in ROLES.iter().enumerate() {
        let (vectors, compositions, regions) =
            (c.f32(names[0])?, c.i32(names[1])?, c.i32(names[2])?);
        let (texts, figures) = (c.f32(names[3])?, c.f32(names[4])?);
        for (row, shot) in shots.iter().enumerate() {
            let frame = [
                shot.keyframes.entry,
                shot.keyframes.middle,
                shot.keyframes.exit,
            ][role];
            let Some(vector) = &vectors[row] else {
                continue;
            };
            let small =
                |v: &Option<Vec<i32>>| v.iter().flatten().map(|&x| x as i8).collect::<Vec<i8>>();
            out.entry(frame).or_insert_with(|| KeyframeVector {
                frame,
                vector: vector.clone(),
                composition: small(&compositions[row]),
                text: scalar(&texts[row]).unwrap_or(0.0),
                regions: small(&regions[row]),
                figure: scalar(&figures[row]).unwrap_or(0.0),
            });
        }
    }
    Ok(out.into_values().collect())
}

fn read_motion(c: &Columns, rows: usize) -> Result<Vec<crate::motion::ShotMotion>, TableError> {
    let cells = c.bytes("motion")?;
    (0..rows)
        .map(|row| {
            let json =
                cells[row]
                    .as_ref()
                    .and_then(|v| v.first())
                    .ok_or_else(|| TableError::Format {
                        path: c.path.display().to_string(),
                        reason: format!("row {row}: motion measured but missing"),
                    })?;
            serde_json::from_slice(json).map_err(|e| TableError::Format {
                path: c.path.display().to_string(),
                reason: format!("row {row}: motion: {e}"),
            })
        })
        .collect()
}

fn read_prints(c: &Columns, rows: usize) -> Result<Vec<FramePrint>, TableError> {
    let (frames, prints) = (c.i64("print_frames")?, c.bytes("prints")?);
    let mut out = Vec::new();
    for row in 0..rows {
        let (f, p) = (
            frames[row].as_deref().unwrap_or(&[]),
            prints[row].as_deref().unwrap_or(&[]),
        );
        out.extend(f.iter().zip(p).map(|(&frame, print)| FramePrint {
            frame: frame as u64,
            print: print.iter().map(|&b| b as i8).collect(),
        }));
    }
    Ok(out)
}

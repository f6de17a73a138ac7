//! A library's analysis data: one SQLite store in `DIR/.matchcut/` holding
//! the titles, their shots, keyframe descriptors, neighbour lists,
//! candidate pairs and duplicate links, and the memoised features they
//! were made from.
//!
//! **One truth.** Everything candidate search reads lives in the store, and
//! a title's addition or removal, with every list it changes, is one
//! transaction ([`crate::store::lists`]): a process killed at any moment
//! leaves the library as it was before or after that title. A title
//! recorded but not indexed (`indexed = 0`: a store from before exact
//! lists, or one whose lists were dropped) is re-indexed from its stored
//! features by [`LibraryData::repair`], with no decoding and no model run.
//!
//! **One writer at a time.** Changing the titles takes the library's writer
//! lock ([`LibraryData::lock`], an OS file lock on `writer.lock`, released
//! when the process ends however it ends). The work under it reads the
//! committed library, so two scans into one library each see the other's
//! titles; readers use SQLite's WAL snapshots and never wait.

use super::analyse::{stored_analysis, Analysis, FramePrint, KeyframeVector};
use super::lists;
use super::motion_lists::{self, Moving};
use crate::index::keyframe_key;
use crate::matching::exact::{quantise, Quantised};
use crate::matching::footage::{AsideFootage, Footage};
use crate::matching::groups::near_duplicate_groups;
use crate::matching::neighbours::{ShotInfo, TitleVectors};
use crate::matching::{MatchParams, Point, ShotPoints};
use crate::media::MediaInfo;
use crate::motion::ShotMotion;
use crate::shots::{Params, Shot};
use crate::store::{KeyframeRecord, SetAside, ShotRecord, Store, StoreError, TitleRecord};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The folder inside a library that holds its analysis data.
pub const DATA_DIR: &str = ".matchcut";

/// Index files of Matchcut versions that searched an approximate index;
/// removed when a library is repaired.
const OLD_INDEXES: [&str; 2] = ["entries.usearch", "exits.usearch"];

/// Why the library's data cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LibraryDataError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: the analysis has no descriptor for frame {frame}")]
    MissingKeyframe { path: String, frame: u64 },
    #[error("{}: cannot take the library's writer lock: {reason}", path.display())]
    Lock { path: PathBuf, reason: String },
    #[error("{}: the library holds {} title(s) the build does not (first {first}); import into a new library, or build with their features too", path.display(), count)]
    NotInBuild {
        path: PathBuf,
        count: usize,
        first: String,
    },
}

/// The store of one library.
pub struct LibraryData {
    dir: PathBuf,
    store: Store,
    params: MatchParams,
}

/// Held while changing a library's titles; dropping it lets the next
/// writer in.
pub struct WriterLock {
    _file: File,
}

/// What adding a title found.
#[derive(Clone, Debug, PartialEq)]
pub struct AddedTitle {
    pub shots: usize,
    pub pairs: usize,
    pub duplicates: usize,
}

/// Where a title's file is and how it plays: what the library records
/// beside its analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct TitleMeta {
    pub path: String,
    pub frame_rate: String,
    pub start_timecode: Option<String>,
    pub frame_count: u64,
}

impl From<&MediaInfo> for TitleMeta {
    fn from(info: &MediaInfo) -> Self {
        Self {
            path: info.path.to_string_lossy().into_owned(),
            frame_rate: info.frame_rate.to_string(),
            start_timecode: info.start_timecode.clone(),
            frame_count: info.frame_count,
        }
    }
}

impl From<&TitleRecord> for TitleMeta {
    fn from(t: &TitleRecord) -> Self {
        Self {
            path: t.path.clone(),
            frame_rate: t.frame_rate.clone(),
            start_timecode: t.start_timecode.clone(),
            frame_count: t.frame_count,
        }
    }
}

/// A title ready to join a library: its shots' entry and exit descriptors
/// as candidate search reads them, and the records the store keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct NewTitle {
    pub vectors: TitleVectors,
    pub(crate) shots: Vec<ShotRecord>,
    pub(crate) keyframes: Vec<KeyframeRecord>,
    /// Its shots that are never matched, and why.
    pub(crate) set_aside: Vec<SetAside>,
}

impl NewTitle {
    /// `frames[i]`: the frame indices of shot `i`'s entry and exit
    /// keyframes.
    pub fn new(vectors: TitleVectors, frames: Vec<(u64, u64)>) -> Self {
        let hash = vectors.content_hash.as_str();
        let (mut shots, mut keyframes) = (Vec::new(), Vec::new());
        for (row, (s, (entry, exit))) in vectors.shots.iter().zip(frames).enumerate() {
            let (entry_key, exit_key) = (keyframe_key(hash, entry), keyframe_key(hash, exit));
            shots.push(ShotRecord {
                shot: s.shot,
                first_frame: s.first_frame,
                last_frame: s.last_frame,
                entry_key,
                exit_key,
                group_shot: s.group_shot,
                motion: s.motion.clone(),
                prints: if vectors.printed() {
                    vectors.footage.shot(row)
                } else {
                    Vec::new()
                },
            });
            let ends = [
                (
                    entry_key,
                    entry,
                    &s.entry_composition,
                    vectors.entries.row(row),
                    &s.entry_regions,
                    s.entry_figure,
                ),
                (
                    exit_key,
                    exit,
                    &s.exit_composition,
                    vectors.exits.row(row),
                    &s.exit_regions,
                    s.exit_figure,
                ),
            ];
            keyframes.extend(
                ends.map(
                    |(key, frame, composition, vector, regions, figure)| KeyframeRecord {
                        key,
                        shot: s.shot,
                        frame,
                        composition: composition.clone(),
                        vector: vector.to_vec(),
                        regions: regions.clone(),
                        figure,
                    },
                ),
            );
        }
        Self {
            vectors,
            shots,
            keyframes,
            set_aside: Vec::new(),
        }
    }

    /// The title's record in a library: where it is (`meta`), its shots,
    /// what analysed it.
    pub(crate) fn record(&self, meta: &TitleMeta, analysis_key: &str) -> TitleRecord {
        TitleRecord {
            content_hash: self.vectors.content_hash.clone(),
            path: meta.path.clone(),
            frame_rate: meta.frame_rate.clone(),
            start_timecode: meta.start_timecode.clone(),
            frame_count: meta.frame_count,
            shots: self.shots.len(),
            analysis: analysis_key.to_string(),
            missing: false,
        }
    }

    /// The same title, recording `set_aside` as its shots never matched.
    pub fn with_set_aside(self, set_aside: Vec<SetAside>) -> Self {
        Self { set_aside, ..self }
    }
}

/// What [`LibraryData::repair`] did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Repaired {
    /// Titles re-indexed from their stored features.
    pub reindexed: Vec<String>,
    /// Titles whose features are not stored: their files must be scanned.
    pub need_files: Vec<String>,
}

impl LibraryData {
    /// The folder a library keeps its analysis, store and caches in.
    pub fn data_dir(library: &Path) -> PathBuf {
        library.join(DATA_DIR)
    }

    /// The store file of a library folder.
    pub fn store_path(library: &Path) -> PathBuf {
        library.join(DATA_DIR).join("library.sqlite")
    }

    /// Opens the library's data (creating it when there is none).
    pub fn open(library: &Path) -> Result<Self, LibraryDataError> {
        Ok(Self {
            dir: library.join(DATA_DIR),
            store: Store::open(&Self::store_path(library))?,
            params: MatchParams::default(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn params(&self) -> &MatchParams {
        &self.params
    }

    pub fn set_params(&mut self, params: MatchParams) {
        self.params = params;
    }

    /// Takes the writer lock, calling `waiting` with what holds it when
    /// another process does, then waiting for it.
    pub fn lock(&self, waiting: &dyn Fn(&str)) -> Result<WriterLock, LibraryDataError> {
        let path = self.dir.join("writer.lock");
        let fail = |e: std::io::Error| LibraryDataError::Lock {
            path: path.clone(),
            reason: e.to_string(),
        };
        let mut file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(fail)?;
        if file.try_lock().is_err() {
            let mut holder = String::new();
            let _ = file.read_to_string(&mut holder);
            waiting(&format!(
                "another Matchcut process ({}) is writing this library; waiting for it",
                holder.trim()
            ));
            file.lock().map_err(fail)?;
        }
        let pid = format!("pid {}", std::process::id());
        let _ = file.set_len(0).and_then(|()| file.rewind());
        let _ = file.write_all(pid.as_bytes());
        Ok(WriterLock { _file: file })
    }

    /// Adds an analysed title: near-duplicate groups, duplicates of other
    /// titles, its neighbour lists and those it changes, in one
    /// transaction. A title already recorded is replaced.
    pub fn add_title(
        &mut self,
        lock: &WriterLock,
        meta: &TitleMeta,
        analysis: &Analysis,
        analysis_key: &str,
    ) -> Result<AddedTitle, LibraryDataError> {
        let new = new_title(&meta.path, analysis, &self.params)?;
        self.add(lock, meta, &new, analysis_key)
    }

    /// Adds a title given by its shots' descriptors (see [`NewTitle`]).
    pub fn add(
        &mut self,
        lock: &WriterLock,
        meta: &TitleMeta,
        new: &NewTitle,
        analysis_key: &str,
    ) -> Result<AddedTitle, LibraryDataError> {
        let hash = new.vectors.content_hash.as_str();
        if self.store.is_indexed(hash)? {
            self.remove_title(lock, hash)?;
        }
        let mut moving = Moving::default();
        let mut changes = lists::addition(&self.store, &new.vectors, &self.params, &mut |t| {
            moving.keep(t)
        })?;
        changes.motion = motion_lists::after_addition(
            &self.store,
            moving,
            &new.vectors,
            &changes.duplicates,
            &self.params,
        )?;
        let title = new.record(meta, analysis_key);
        crate::crash_point("before-commit");
        self.store.commit_title(
            &title,
            (&new.shots, &new.set_aside),
            &new.keyframes,
            &changes,
        )?;
        crate::crash_point("after-commit");
        Ok(AddedTitle {
            shots: new.shots.len(),
            pairs: changes.listed.len(),
            duplicates: changes.duplicates.len(),
        })
    }

    /// Forgets a title and rebuilds the lists that held its shots, in one
    /// transaction.
    pub fn remove_title(
        &mut self,
        _lock: &WriterLock,
        content_hash: &str,
    ) -> Result<(), LibraryDataError> {
        let mut moving = Moving::default();
        let mut changes = lists::removal(&self.store, content_hash, &self.params, &mut |t| {
            moving.keep(t)
        })?;
        changes.motion =
            motion_lists::after_removal(&self.store, moving, content_hash, &self.params)?;
        self.store.commit_removal(content_hash, &changes)?;
        Ok(())
    }

    /// Re-indexes every title recorded but not indexed from its stored
    /// features (shots under `shot_params`, today's embedding model),
    /// drops index files of earlier versions, and reports what it did.
    pub fn repair(
        &mut self,
        lock: &WriterLock,
        shot_params: &Params,
        analysis_key: &str,
    ) -> Result<Repaired, LibraryDataError> {
        for name in OLD_INDEXES {
            let _ = std::fs::remove_file(self.dir.join(name));
        }
        self.store.drop_orphans()?;
        let mut done = Repaired::default();
        for hash in self.store.unindexed_titles()? {
            let Some(title) = self.store.title(&hash)? else {
                continue;
            };
            let stored =
                stored_analysis(&hash, &self.store, shot_params).map_err(|e| StoreError {
                    path: self.store.path().to_path_buf(),
                    what: "cannot read stored features",
                    reason: e.to_string(),
                })?;
            match stored {
                Some(analysis) if title.analysis == analysis_key => {
                    self.add_title(lock, &TitleMeta::from(&title), &analysis, analysis_key)?;
                    if title.missing {
                        self.store.set_missing(&hash, true)?;
                    }
                    done.reindexed.push(hash);
                }
                _ => done.need_files.push(hash),
            }
        }
        Ok(done)
    }
}

/// A title's analysis as candidate search reads it: the shots that are
/// matched, with their descriptors, near-duplicate groups, prints and
/// motion, and the shots set aside (`path` names the title in errors).
/// What a library adds, and what catalogue mode indexes.
pub fn new_title(
    path: &str,
    analysis: &Analysis,
    params: &MatchParams,
) -> Result<NewTitle, LibraryDataError> {
    let points = shot_points(path, analysis)?;
    let groups = near_duplicate_groups(&points, params);
    let frames = points
        .iter()
        .map(|p| (p.entry.frame, p.exit.frame))
        .collect();
    let mut vectors = title_vectors(&analysis.content_hash, &points, &groups, &analysis.prints);
    if let Some(motion) = &analysis.motion {
        attach_motion(&mut vectors, motion);
    }
    let aside = set_aside(analysis);
    for s in &aside {
        vectors.aside.push(s.shot, &s.prints);
    }
    Ok(NewTitle::new(vectors, frames).with_set_aside(aside))
}

/// Gives each shot the motion measured over its frames, if any.
fn attach_motion(vectors: &mut TitleVectors, motion: &[ShotMotion]) {
    let by_span: HashMap<(u64, u64), &ShotMotion> = motion
        .iter()
        .map(|m| ((m.first_frame, m.last_frame), m))
        .collect();
    for shot in &mut vectors.shots {
        shot.motion = by_span
            .get(&(shot.first_frame, shot.last_frame))
            .map(|&m| m.clone());
    }
}

/// The shots of an analysis with their entry, middle and exit descriptors.
fn shot_points(path: &str, analysis: &Analysis) -> Result<Vec<ShotPoints>, LibraryDataError> {
    let by_frame: HashMap<u64, &KeyframeVector> =
        analysis.keyframes.iter().map(|k| (k.frame, k)).collect();
    let hash = &analysis.content_hash;
    let point = |frame: u64| -> Result<Point, LibraryDataError> {
        let k = by_frame
            .get(&frame)
            .ok_or_else(|| LibraryDataError::MissingKeyframe {
                path: path.to_string(),
                frame,
            })?;
        Ok(Point {
            key: keyframe_key(hash, frame),
            frame,
            vector: k.vector.clone(),
            composition: k.composition.clone(),
            regions: k.regions.clone(),
            figure: k.figure,
        })
    };
    // Black and colour segments and cards carry no picture to match; a
    // flash or a whip of a few frames is no shot to cut to or from.
    analysis
        .segmentation
        .shots
        .iter()
        .filter(|s| set_aside_reason(s).is_none())
        .map(|s| {
            Ok(ShotPoints {
                shot: s.index,
                first_frame: s.first_frame,
                last_frame: s.last_frame,
                entry: point(s.keyframes.entry)?,
                middle: point(s.keyframes.middle)?,
                exit: point(s.keyframes.exit)?,
            })
        })
        .collect()
}

/// Shots shorter than this (half a second at 24 fps) are never matched.
pub const MIN_SHOT_FRAMES: u64 = 12;

/// Whether a shot is matched, or why not.
fn set_aside_reason(shot: &Shot) -> Option<&'static str> {
    if !shot.kind.is_picture() {
        Some(shot.kind.name())
    } else if shot.last_frame - shot.first_frame + 1 < MIN_SHOT_FRAMES {
        Some("short")
    } else {
        None
    }
}

/// The shots of an analysis that are never matched, why, and the prints
/// of those that show a picture.
fn set_aside(analysis: &Analysis) -> Vec<SetAside> {
    analysis
        .segmentation
        .shots
        .iter()
        .filter_map(|s| {
            set_aside_reason(s).map(|reason| SetAside {
                shot: s.index,
                first_frame: s.first_frame,
                last_frame: s.last_frame,
                reason: reason.to_string(),
                prints: prints_in(&analysis.prints, s.first_frame, s.last_frame),
            })
        })
        .collect()
}

/// The prints of frames `first..=last` (`prints` in frame order),
/// concatenated.
fn prints_in(prints: &[FramePrint], first: u64, last: u64) -> Vec<i8> {
    let from = prints.partition_point(|f| f.frame < first);
    let to = prints.partition_point(|f| f.frame <= last).max(from);
    prints[from..to]
        .iter()
        .flat_map(|f| f.print.iter().copied())
        .collect()
}

/// The new title as candidate search reads it (`prints` in frame order).
fn title_vectors(
    hash: &str,
    points: &[ShotPoints],
    groups: &[usize],
    prints: &[FramePrint],
) -> TitleVectors {
    let dims = points.first().map_or(0, |p| p.entry.vector.len());
    let mut title = TitleVectors {
        content_hash: hash.to_string(),
        shots: Vec::with_capacity(points.len()),
        entries: Quantised::new(dims),
        exits: Quantised::new(dims),
        footage: Footage::new(),
        aside: AsideFootage::default(),
    };
    for (p, &group_shot) in points.iter().zip(groups) {
        title
            .footage
            .push_shot(&prints_in(prints, p.first_frame, p.last_frame));
        title.shots.push(ShotInfo {
            shot: p.shot,
            first_frame: p.first_frame,
            last_frame: p.last_frame,
            entry_frame: p.entry.frame,
            exit_frame: p.exit.frame,
            group_shot,
            entry_composition: p.entry.composition.clone(),
            exit_composition: p.exit.composition.clone(),
            entry_vector: quantise(&p.entry.vector),
            exit_vector: quantise(&p.exit.vector),
            entry_regions: p.entry.regions.clone(),
            exit_regions: p.exit.regions.clone(),
            entry_figure: p.entry.figure,
            exit_figure: p.exit.figure,
            exit_kth: None,
            entry_kth: None,
            motion: None,
        });
        title.entries.push_f32(&p.entry.vector);
        title.exits.push_f32(&p.exit.vector);
    }
    title
}

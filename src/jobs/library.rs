//! A library's analysis data: the SQLite store and the entry and exit
//! indexes, kept in `DIR/.matchcut/`. [`LibraryData::add_title`] is the
//! only writer of the indexes; it runs one title at a time.
//!
//! Crash safety: a title is recorded in the store as *not yet indexed*;
//! [`LibraryData::save`] writes the indexes and then marks every recorded
//! title indexed. Opening for writing forgets titles left unindexed by a
//! process that died in between (their analysis stays memoised, so the
//! next scan re-adds them cheaply).

use super::analyse::{Analysis, KeyframeVector};
use crate::embed::descriptor;
use crate::index::{keyframe_key, Access, IndexError, IndexParams, VectorIndex};
use crate::matching::{
    candidates::{find_candidates, TitleContext},
    duplicates::{find_duplicates, DuplicateLink},
    groups::near_duplicate_groups,
    MatchError, MatchParams, Point, ShotPoints, ShotRef,
};
use crate::media::MediaInfo;
use crate::store::{DuplicateRecord, KeyframeRecord, ShotRecord, Store, StoreError, TitleRecord};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The folder inside a library that holds its analysis data.
pub const DATA_DIR: &str = ".matchcut";

/// Why the library's data cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LibraryDataError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Match(#[from] MatchError),
    #[error("{path}: the analysis has no descriptor for frame {frame}")]
    MissingKeyframe { path: String, frame: u64 },
}

/// The store and indexes of one library.
pub struct LibraryData {
    dir: PathBuf,
    store: Store,
    entries: VectorIndex,
    exits: VectorIndex,
    params: MatchParams,
}

/// What adding a title found.
#[derive(Clone, Debug, PartialEq)]
pub struct AddedTitle {
    pub shots: usize,
    pub candidates: usize,
    pub duplicates: usize,
}

impl LibraryData {
    /// The store file of a library folder.
    pub fn store_path(library: &Path) -> PathBuf {
        library.join(DATA_DIR).join("library.sqlite")
    }

    /// Opens the library's data (creating it when there is none).
    pub fn open(library: &Path, access: Access) -> Result<Self, LibraryDataError> {
        let dir = library.join(DATA_DIR);
        let mut store = Store::open(&Self::store_path(library))?;
        let params = IndexParams::new(descriptor::DIMS);
        let entries = VectorIndex::open(&dir.join("entries.usearch"), params, access)?;
        let exits = VectorIndex::open(&dir.join("exits.usearch"), params, access)?;
        if access == Access::Write {
            for hash in store.unindexed_titles()? {
                for key in store.remove_title(&hash)? {
                    entries.remove(key)?;
                    exits.remove(key)?;
                }
            }
        }
        Ok(Self {
            dir,
            store,
            entries,
            exits,
            params: MatchParams::default(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn params(&self) -> &MatchParams {
        &self.params
    }

    pub fn set_params(&mut self, params: MatchParams) {
        self.params = params;
    }

    /// Vectors in the entry and exit indexes.
    pub fn indexed(&self) -> (usize, usize) {
        (self.entries.len(), self.exits.len())
    }

    /// Adds an analysed title: near-duplicate groups, duplicates of other
    /// titles, index entries and candidate pairs. A title already recorded
    /// is replaced.
    pub fn add_title(
        &mut self,
        info: &MediaInfo,
        analysis: &Analysis,
        analysis_key: &str,
    ) -> Result<AddedTitle, LibraryDataError> {
        let hash = analysis.content_hash.as_str();
        self.remove_title(hash)?;
        let path = info.path.to_string_lossy().into_owned();
        let points = shot_points(&path, analysis)?;
        let groups = near_duplicate_groups(&points, &self.params).map_err(MatchError::from)?;
        let links = find_duplicates(
            hash,
            &points,
            &self.entries,
            &self.exits,
            &self.store,
            &self.params,
        )?;
        self.index_points(&points)?;
        let title = TitleRecord {
            content_hash: hash.to_string(),
            path,
            frame_rate: info.frame_rate.to_string(),
            start_timecode: info.start_timecode.clone(),
            frame_count: info.frame_count,
            shots: points.len(),
            analysis: analysis_key.to_string(),
        };
        let (shots, keyframes) = records(&points, &groups);
        self.store.put_title(&title, &shots, &keyframes)?;
        let context = TitleContext {
            content_hash: hash,
            shots: &points,
            groups: points.iter().map(|p| p.shot).zip(groups).collect(),
            duplicates: links.iter().map(|l| (l.shot, l.other.clone())).collect(),
        };
        let found = find_candidates(
            &context,
            &self.entries,
            &self.exits,
            &self.store,
            &self.params,
        )?;
        self.store.put_candidates(&found)?;
        self.store
            .put_duplicates(&duplicate_records(hash, &links))?;
        Ok(AddedTitle {
            shots: points.len(),
            candidates: found.len(),
            duplicates: links.len(),
        })
    }

    fn index_points(&self, points: &[ShotPoints]) -> Result<(), IndexError> {
        self.entries.reserve(points.len())?;
        self.exits.reserve(points.len())?;
        for p in points {
            self.entries.add(p.entry.key, &p.entry.vector)?;
            self.exits.add(p.exit.key, &p.exit.vector)?;
        }
        Ok(())
    }

    /// Forgets a title and takes its keyframes out of the indexes.
    pub fn remove_title(&mut self, content_hash: &str) -> Result<(), LibraryDataError> {
        for key in self.store.remove_title(content_hash)? {
            self.entries.remove(key)?;
            self.exits.remove(key)?;
        }
        Ok(())
    }

    /// Writes the indexes, then marks every recorded title indexed.
    pub fn save(&self) -> Result<(), LibraryDataError> {
        self.entries.save()?;
        self.exits.save()?;
        self.store.mark_indexed()?;
        Ok(())
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
        })
    };
    analysis
        .segmentation
        .shots
        .iter()
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

/// The store's form of a title's duplicate links.
fn duplicate_records(hash: &str, links: &[DuplicateLink]) -> Vec<DuplicateRecord> {
    links
        .iter()
        .map(|l| DuplicateRecord {
            a: ShotRef {
                content_hash: hash.to_string(),
                shot: l.shot,
            },
            b: l.other.clone(),
            similarity: l.similarity,
        })
        .collect()
}

/// What the store records of the title's shots and indexed keyframes.
fn records(points: &[ShotPoints], groups: &[usize]) -> (Vec<ShotRecord>, Vec<KeyframeRecord>) {
    let shots = points
        .iter()
        .zip(groups)
        .map(|(p, &group_shot)| ShotRecord {
            shot: p.shot,
            first_frame: p.first_frame,
            last_frame: p.last_frame,
            entry_key: p.entry.key,
            exit_key: p.exit.key,
            group_shot,
        })
        .collect();
    let keyframes = points
        .iter()
        .flat_map(|p| [(p, &p.entry), (p, &p.exit)])
        .map(|(p, k)| KeyframeRecord {
            key: k.key,
            shot: p.shot,
            frame: k.frame,
            composition: k.composition.clone(),
        })
        .collect();
    (shots, keyframes)
}

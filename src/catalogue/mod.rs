//! Catalogue mode (issue 23): the per-title work of a scan as worker
//! commands whose results are immutable Parquet files keyed by content,
//! candidates found through sharded indexes over every title's features,
//! proposals written as Parquet for a library to import.

pub mod build;
mod cover;
pub mod delta;
pub mod embedder;
pub mod features;
pub mod import;
mod links;
pub mod proposals;
mod reverse;
pub mod saved;
mod spent;
pub mod table;
pub mod worker;

use crate::matching::neighbours::TitleVectors;
use build::{BuildError, BuildParams, Catalogue};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Why a catalogue could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error(transparent)]
    Table(#[from] table::TableError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error(transparent)]
    Library(#[from] crate::jobs::library::LibraryDataError),
    #[error("{path}: {reason}")]
    Io { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Title { path: PathBuf, reason: String },
}

/// What a build made.
#[derive(Clone, Debug, serde::Serialize)]
pub struct BuildReport {
    pub build_id: String,
    pub titles: usize,
    pub shots: usize,
    pub shards: usize,
    pub pairs: usize,
    pub motion_pairs: usize,
    /// The proposals file.
    pub file: PathBuf,
    /// Features files of other models or parameters, left out.
    pub skipped: usize,
    /// When the build grew the previous one (`catalogue::saved`): the
    /// titles it added in a delta shard.
    pub added: Option<usize>,
    pub seconds: f64,
}

/// The features files of today's models in `dir`, sorted by name, and how
/// many others there are.
pub fn current_features(dir: &Path) -> Result<(Vec<PathBuf>, usize), CatalogueError> {
    let suffix = worker::key().suffix;
    let io = |e: std::io::Error| CatalogueError::Io {
        path: dir.to_path_buf(),
        reason: e.to_string(),
    };
    let (mut current, mut skipped) = (Vec::new(), 0);
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || !name.ends_with(".parquet") {
            continue;
        }
        if name.ends_with(&suffix) {
            current.push(path);
        } else {
            skipped += 1;
        }
    }
    current.sort();
    Ok((current, skipped))
}

/// Builds the catalogue of the features files in `features` (today's
/// models): shards under `out/shards`, proposals in
/// `out/proposals-{build id}.parquet`, the manifest `out/catalogue.json`.
/// When `out` holds a build of some of these files with the same
/// parameters, only the new titles are added (a delta shard; their motion
/// pairs come with the next full build, into a new `out`).
pub fn build_from(
    features: &Path,
    out: &Path,
    params: BuildParams,
) -> Result<BuildReport, CatalogueError> {
    let started = std::time::Instant::now();
    std::fs::create_dir_all(out).map_err(|e| CatalogueError::Io {
        path: out.to_path_buf(),
        reason: e.to_string(),
    })?;
    let (files, skipped) = current_features(features)?;
    let names: Vec<String> = files
        .iter()
        .map(|f| {
            f.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect();
    let build_id =
        blake3::hash(format!("{names:?}|{params:?}").as_bytes()).to_hex()[..16].to_string();
    let mut titles = files
        .iter()
        .map(|file| {
            let f = features::read(file)?;
            let path = f.media["path"].as_str().unwrap_or_default().to_string();
            let new = crate::jobs::library::new_title(&path, &f.analysis, &params.matching)
                .map_err(|e| CatalogueError::Title {
                    path: file.clone(),
                    reason: e.to_string(),
                })?;
            Ok((new.vectors.content_hash.clone(), new.vectors))
        })
        .collect::<Result<HashMap<_, _>, CatalogueError>>()?;
    let shots = titles.values().map(|t| t.shots.len()).sum();
    let manifest = saved::Manifest::load(out).filter(|m| m.grows_into(&names, &params));
    let reopened = match &manifest {
        Some(m) => saved::reopen(out, m, &mut titles, params.clone())?,
        None => None,
    };
    let k = params.matching.k;
    let (catalogue, pairs, shards_dir, added) = match (reopened, manifest) {
        (Some((mut catalogue, previous)), Some(m)) => {
            let kept = catalogue.shards();
            let mut new: Vec<TitleVectors> = titles.into_values().collect();
            new.sort_by(|a, b| a.content_hash.cmp(&b.content_hash));
            let added = new.len();
            let delta = catalogue.add(new, &out.join(&m.shards))?;
            let pairs = delta::merge(&previous.pairs, &delta, k);
            catalogue.save(kept)?;
            (catalogue, pairs, m.shards, Some(added))
        }
        _ => {
            let shards = PathBuf::from("shards").join(&build_id);
            let every: Vec<TitleVectors> = titles.into_values().collect();
            let mut catalogue = Catalogue::build(every, &out.join(&shards), params)?;
            let pairs = catalogue.proposals()?.pairs;
            catalogue.save(0)?;
            (catalogue, pairs, shards, None)
        }
    };
    let file = out.join(format!("proposals-{build_id}.parquet"));
    let motion_pairs = pairs
        .iter()
        .filter(|p| p.candidate.components.motion.is_some())
        .count();
    let written = proposals::Proposals {
        build_id: build_id.clone(),
        analysis_key: worker::current_key(),
        match_params: format!("{:?}", catalogue.params().matching),
        features: names.clone(),
        features_dir: std::path::absolute(features).unwrap_or_else(|_| features.to_path_buf()),
        pairs,
    };
    // The duplicates first: the proposals file is the build's commit.
    let duplicates = proposals::duplicates_path(&file, &build_id);
    write_then_rename(&duplicates, |tmp| {
        proposals::write_duplicates(tmp, &build_id, catalogue.duplicate_links())
    })?;
    write_then_rename(&file, |tmp| proposals::write(tmp, &written))?;
    saved::Manifest {
        build_id: build_id.clone(),
        params: format!("{:?}", catalogue.params()),
        features: names,
        titles: catalogue
            .titles
            .iter()
            .map(|t| t.content_hash.clone())
            .collect(),
        spans: catalogue.spans().iter().map(|s| (s.start, s.end)).collect(),
        shards: shards_dir,
        proposals: format!("proposals-{build_id}.parquet"),
        open_below: Some(catalogue.open_below().to_vec()),
        reverse_encoding: reverse::ENCODING,
    }
    .save(out)?;
    Ok(BuildReport {
        build_id,
        titles: catalogue.titles.len(),
        shots,
        shards: catalogue.shards(),
        pairs: written.pairs.len(),
        motion_pairs,
        file,
        skipped,
        added,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Writes `path` under a temporary name beside it, then renames it.
fn write_then_rename(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), table::TableError>,
) -> Result<(), CatalogueError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".writing-{name}"));
    write(&tmp)?;
    std::fs::rename(&tmp, path).map_err(|e| CatalogueError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

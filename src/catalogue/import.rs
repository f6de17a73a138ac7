//! `matchcut import-proposals DIR --library LIB`: a build's proposals into
//! an editor's library (`LibraryData::import`), so the window reviews the
//! catalogue's pairs as it reviews a local scan's. Each title comes from
//! its features file (shots, keyframes, descriptors); the pairs, the lists
//! that hold them and the duplicate links from the build.

use super::{features, proposals, worker, CatalogueError};
use crate::jobs::import::Imported;
use crate::jobs::library::{new_title, LibraryData, TitleMeta};
use std::path::{Path, PathBuf};

/// What an import did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ImportReport {
    pub build_id: String,
    pub file: PathBuf,
    #[serde(flatten)]
    pub imported: Imported,
    pub seconds: f64,
}

/// `path` itself when it is a file; else the newest `proposals-*.parquet`
/// in it.
pub fn proposals_file(path: &Path) -> Result<PathBuf, CatalogueError> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let io = |e: std::io::Error| CatalogueError::Io {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in std::fs::read_dir(path).map_err(io)? {
        let entry = entry.map_err(io)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !(name.starts_with("proposals-") && name.ends_with(".parquet")) {
            continue;
        }
        let modified = entry.metadata().and_then(|m| m.modified()).map_err(io)?;
        if newest.as_ref().is_none_or(|(t, _)| modified > *t) {
            newest = Some((modified, entry.path()));
        }
    }
    newest.map(|(_, p)| p).ok_or_else(|| CatalogueError::Io {
        path: path.to_path_buf(),
        reason: "no proposals file (proposals-*.parquet) here".into(),
    })
}

/// How a title is recorded, from the probe its features file keeps.
fn meta_of(f: &features::Features) -> TitleMeta {
    let text = |key: &str| f.media[key].as_str().unwrap_or_default().to_string();
    TitleMeta {
        path: text("path"),
        frame_rate: text("frame_rate"),
        start_timecode: f.media["start_timecode"].as_str().map(str::to_string),
        frame_count: f.media["frame_count"].as_u64().unwrap_or(0),
    }
}

/// Imports the build at `dir` (a proposals file or a build folder) into
/// `library`; its features files are read from `features`, or from where
/// the build found them.
pub fn import(
    dir: &Path,
    library: &Path,
    features: Option<&Path>,
) -> Result<ImportReport, CatalogueError> {
    let started = std::time::Instant::now();
    let file = proposals_file(dir)?;
    let built = proposals::read(&file)?;
    let stale = |reason: String| CatalogueError::Title {
        path: file.clone(),
        reason,
    };
    if built.analysis_key != worker::current_key() {
        return Err(stale(format!(
            "built with analysis {}, this Matchcut analyses as {}; analyse and build again",
            built.analysis_key,
            worker::current_key()
        )));
    }
    let links = proposals::read_duplicates(
        &proposals::duplicates_path(&file, &built.build_id),
        &built.build_id,
    )?;
    let folder = features.unwrap_or(&built.features_dir);
    let mut data = LibraryData::open(library)?;
    let titles = built
        .features
        .iter()
        .map(|name| {
            let path = folder.join(name);
            let f = features::read(&path)?;
            let meta = meta_of(&f);
            let new = new_title(&meta.path, &f.analysis, data.params()).map_err(|e| {
                CatalogueError::Title {
                    path: path.clone(),
                    reason: e.to_string(),
                }
            })?;
            Ok((meta, new))
        })
        .collect::<Result<Vec<_>, CatalogueError>>()?;
    let lock = data.lock(&|message| tracing::info!("{message}"))?;
    let imported = data.import(&lock, &titles, &built.pairs, &links, &built.analysis_key)?;
    Ok(ImportReport {
        build_id: built.build_id,
        file,
        imported,
        seconds: started.elapsed().as_secs_f64(),
    })
}

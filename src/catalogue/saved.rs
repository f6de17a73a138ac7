//! A built catalogue kept for the next build: its shards' index files and
//! a manifest (`catalogue.json` in the build folder) naming its titles in
//! shard order, the shards' spans, the features files and parameters it
//! was built from, and its proposals. A later `matchcut catalogue build`
//! over the same features and more adds only the new titles
//! (`Catalogue::add` into a delta shard, `delta::merge` on the previous
//! proposals) instead of building every shard again.

use super::build::{open_shard, BuildParams, Catalogue, Shard};
use super::{proposals, reverse, CatalogueError};
use crate::jobs::import::kth_of_lists;
use crate::matching::neighbours::{Role, TitleVectors};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "catalogue.json";

/// What a build folder's manifest says.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub build_id: String,
    /// `format!("{:?}")` of the build's parameters.
    pub params: String,
    /// The features files built from.
    pub features: Vec<String>,
    /// Content hashes, in the catalogue's order.
    pub titles: Vec<String>,
    /// Each shard's titles, as `[first, end)` in `titles`.
    pub spans: Vec<(usize, usize)>,
    /// The shards' folder, under the build folder.
    pub shards: PathBuf,
    /// The proposals file, under the build folder.
    pub proposals: String,
    /// Per shard, the thresholds below which its exit lists and its entry
    /// lists are in its reverse indexes (`Catalogue::open_below`); absent
    /// from a build made before the reverse indexes held only those, whose
    /// reverse indexes hold every list.
    #[serde(default)]
    pub open_below: Option<Vec<[f32; 2]>>,
    /// How its reverse indexes encode a list (`reverse::ENCODING`); 0
    /// from a build made before it was recorded. Another encoding's
    /// indexes would answer today's queries wrongly: such a build is not
    /// grown but built again.
    #[serde(default)]
    pub reverse_encoding: u32,
}

impl Manifest {
    /// The manifest in `out`, if there is one that reads.
    pub fn load(out: &Path) -> Option<Self> {
        let text = std::fs::read_to_string(out.join(MANIFEST)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes it to `out` (a temporary name, then a rename).
    pub fn save(&self, out: &Path) -> Result<(), CatalogueError> {
        let text = serde_json::to_vec_pretty(self).unwrap_or_default();
        write_whole(out, MANIFEST, &text)
    }

    /// Whether a build over `names` with `params` can start from this one:
    /// the same parameters, every features file it had, and more.
    pub fn grows_into(&self, names: &[String], params: &BuildParams) -> bool {
        self.params == format!("{params:?}")
            && self.reverse_encoding == reverse::ENCODING
            && names.len() > self.features.len()
            && self.features.iter().all(|f| names.contains(f))
    }
}

/// The catalogue the manifest in `out` describes, from `titles` (every
/// title it holds, by content hash): its shards opened, each list's k-th
/// score and the duplicate links from its proposals. `None` when a title
/// it holds is missing.
pub fn reopen(
    out: &Path,
    manifest: &Manifest,
    titles: &mut HashMap<String, TitleVectors>,
    params: BuildParams,
) -> Result<Option<(Catalogue, proposals::Proposals)>, CatalogueError> {
    if !manifest.titles.iter().all(|h| titles.contains_key(h)) {
        return Ok(None);
    }
    let held: Vec<TitleVectors> = manifest
        .titles
        .iter()
        .filter_map(|h| titles.remove(h))
        .collect();
    let file = out.join(&manifest.proposals);
    let previous = proposals::read(&file)?;
    let links = proposals::read_duplicates(
        &proposals::duplicates_path(&file, &previous.build_id),
        &previous.build_id,
    )?;
    let kth_by_list = kth_of_lists(&previous.pairs, params.matching.k);
    let kth = held
        .iter()
        .map(|t| {
            (0..t.shots.len())
                .map(|row| {
                    let shot = t.shot_ref(row);
                    [Role::Exit, Role::Entry]
                        .map(|role| kth_by_list.get(&(shot.clone(), role)).copied())
                })
                .collect()
        })
        .collect();
    let below = |n: usize| {
        manifest
            .open_below
            .as_ref()
            .and_then(|b| b.get(n).copied())
            .unwrap_or([f32::INFINITY; 2])
    };
    let dir = out.join(&manifest.shards);
    let (shards, spans) = open_shards(&held, &manifest.spans, &dir, (below, true))?;
    let catalogue = Catalogue::restore(held, shards, spans, params, links, kth)?;
    Ok(Some((catalogue, previous)))
}

/// Shards opened with their thresholds, and their spans.
type Opened = (Vec<(Shard, [f32; 2])>, Vec<std::ops::Range<usize>>);

/// Writes `bytes` to `name` in `dir` (made if missing) under a temporary
/// name, then renames it: a reader finds the old file or the new one.
fn write_whole(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), CatalogueError> {
    let io = |e: std::io::Error| CatalogueError::Io {
        path: dir.join(name),
        reason: e.to_string(),
    };
    let tmp = dir.join(format!(".writing-{name}"));
    std::fs::create_dir_all(dir).map_err(io)?;
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, dir.join(name)).map_err(io)
}

/// The shards of `titles` over `spans`, opened under `dir`, each with the
/// thresholds `below` gives it, their reverse indexes opened when
/// `reverse` (else empty, to be built again).
fn open_shards(
    titles: &[TitleVectors],
    spans: &[(usize, usize)],
    dir: &Path,
    (below, reverse): (impl Fn(usize) -> [f32; 2], bool),
) -> Result<Opened, CatalogueError> {
    let spans: Vec<std::ops::Range<usize>> = spans.iter().map(|&(a, b)| a..b).collect();
    let shards = spans
        .iter()
        .enumerate()
        .map(|(n, span)| {
            Ok((
                open_shard(titles, span.clone(), dir, (n, reverse))?,
                below(n),
            ))
        })
        .collect::<Result<Vec<_>, CatalogueError>>()?;
    Ok((shards, spans))
}

/// A catalogue's lists as [`Catalogue::settle_lists`] leaves them (each
/// list's k-th score, what its reverse indexes hold), kept beside its
/// shards' index files in `settled.json`: a catalogue kept without
/// proposals, reopened without building or listing again. The scale
/// benchmark keeps its catalogues so (`BENCH_KEEP`).
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Settled {
    /// Content hashes, in the catalogue's order.
    pub titles: Vec<String>,
    /// Each shard's titles, as `[first, end)` in `titles`.
    pub spans: Vec<(usize, usize)>,
    /// [`Catalogue::open_below`]; `None` for an infinite threshold (every
    /// list), which JSON cannot hold.
    pub open_below: Vec<[Option<f32>; 2]>,
    /// Per title and row, the exit list's and the entry list's k-th score.
    pub kth: Vec<Vec<[Option<f32>; 2]>>,
    /// As [`Manifest::reverse_encoding`]: kept with another encoding, it
    /// reopens with its reverse indexes built again.
    #[serde(default)]
    pub reverse_encoding: u32,
}

pub const SETTLED: &str = "settled.json";

impl Settled {
    /// Saves `catalogue` (its lists settled; built under `dir`): its
    /// shards' index files, then `settled.json`.
    pub fn save(catalogue: &Catalogue, dir: &Path) -> Result<(), CatalogueError> {
        catalogue.save(0)?;
        Self::write(catalogue, dir)
    }

    /// Writes `settled.json` for `catalogue` (its index files saved).
    fn write(catalogue: &Catalogue, dir: &Path) -> Result<(), CatalogueError> {
        let settled = Self {
            titles: catalogue
                .titles
                .iter()
                .map(|t| t.content_hash.clone())
                .collect(),
            spans: catalogue.spans.iter().map(|s| (s.start, s.end)).collect(),
            open_below: catalogue
                .open_below
                .iter()
                .map(|b| b.map(|x| x.is_finite().then_some(x)))
                .collect(),
            kth: catalogue.kth.clone(),
            reverse_encoding: reverse::ENCODING,
        };
        let text = serde_json::to_vec(&settled).unwrap_or_default();
        write_whole(dir, SETTLED, &text)
    }

    /// The catalogue `Settled::save` kept under `dir`, over `titles`
    /// (sorted here as a build sorts them): `None` when nothing was kept
    /// there or it holds other titles (or lists or shards that do not fit
    /// them).
    pub fn reopen(
        dir: &Path,
        mut titles: Vec<TitleVectors>,
        params: BuildParams,
    ) -> Result<Option<Catalogue>, CatalogueError> {
        let Ok(text) = std::fs::read(dir.join(SETTLED)) else {
            return Ok(None);
        };
        let settled: Self = serde_json::from_slice(&text).map_err(|e| CatalogueError::Io {
            path: dir.join(SETTLED),
            reason: e.to_string(),
        })?;
        titles.sort_by(|a, b| a.content_hash.cmp(&b.content_hash));
        let same = titles.len() == settled.titles.len()
            && settled.kth.len() == titles.len()
            && titles
                .iter()
                .zip(&settled.titles)
                .zip(&settled.kth)
                .all(|((t, h), kth)| &t.content_hash == h && kth.len() == t.shots.len())
            && settled
                .spans
                .iter()
                .all(|&(first, end)| first <= end && end <= titles.len());
        if !same {
            return Ok(None);
        }
        let below = |n: usize| {
            settled
                .open_below
                .get(n)
                .copied()
                .unwrap_or_default()
                .map(|b| b.unwrap_or(f32::INFINITY))
        };
        let current = settled.reverse_encoding == reverse::ENCODING;
        let (shards, spans) = open_shards(&titles, &settled.spans, dir, (below, current))?;
        let mut catalogue =
            Catalogue::restore(titles, shards, spans, params, Vec::new(), settled.kth)?;
        if !current {
            // Kept with another reverse encoding: those indexes built again
            // from the lists' k-th scores, and kept so.
            catalogue.refill_reverse()?;
            Self::write(&catalogue, dir)?;
        }
        Ok(Some(catalogue))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A build whose reverse indexes encode lists another way (or say
    /// nothing of it: made before it was recorded) is built again, not
    /// grown.
    #[test]
    fn a_build_of_another_reverse_encoding_is_not_grown() {
        let params = BuildParams::default();
        let kept = Manifest {
            build_id: "b".into(),
            params: format!("{params:?}"),
            features: vec!["one".into()],
            titles: Vec::new(),
            spans: Vec::new(),
            shards: "shards".into(),
            proposals: "p.parquet".into(),
            open_below: None,
            reverse_encoding: reverse::ENCODING,
        };
        let names = vec!["one".to_string(), "two".to_string()];
        assert!(kept.grows_into(&names, &params));
        let mut unrecorded = serde_json::to_value(&kept).expect("json");
        if let Some(fields) = unrecorded.as_object_mut() {
            fields.remove("reverse_encoding");
        }
        let unrecorded: Manifest = serde_json::from_value(unrecorded).expect("reads");
        assert_eq!(unrecorded.reverse_encoding, 0);
        assert!(!unrecorded.grows_into(&names, &params));
    }
}

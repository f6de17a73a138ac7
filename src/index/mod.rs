//! Approximate nearest-neighbour search over keyframe descriptors (usearch
//! HNSW, cosine metric, 8-bit or half-precision storage).
//!
//! A library keeps two indexes: the **entries** (first frames of shots) and
//! the **exits** (last frames). Keys are stable keyframe ids ([`keyframe_key`]),
//! derived from the content hash and the frame index, so the same keyframe
//! has the same key on every machine and in every rebuild.
//!
//! A saved index opens in one of three ways: [`Access::Write`] loads it
//! into memory (needed to add or remove), [`Access::Read`] memory-maps it
//! with `restore_view` when it is large (milliseconds, whatever its size)
//! and loads it when small, [`Access::Resident`] reads it into huge-page
//! memory for searches that jump across a large index (`resident`).
//! Saving writes a temporary file and renames it, so a
//! reader never sees half an index.

mod resident;

use crate::matching::exact::quantise;
use std::path::{Path, PathBuf};
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

/// Files larger than this are memory-mapped rather than read when opened
/// for reading.
pub const VIEW_THRESHOLD_BYTES: u64 = 64 << 20;

/// Why an index cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{}: {what}: {reason}", path.display())]
pub struct IndexError {
    pub path: PathBuf,
    pub what: &'static str,
    pub reason: String,
}

/// How a saved index is opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Queries only: memory-mapped when large.
    Read,
    /// Queries, additions and removals: loaded into memory.
    Write,
    /// Queries only, searched hard: read whole into memory advised as huge
    /// pages (`resident`), which spares a large index's searches most of
    /// their TLB misses.
    Resident,
}

/// How vectors are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Storage {
    /// Half precision: 2 bytes a dimension.
    F16,
    /// 8-bit integers, each vector scaled so its largest component is ±127
    /// (cosine ignores the scale): 1 byte a dimension, half the memory
    /// traffic of f16 on large libraries.
    I8,
}

/// How an index compares vectors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Cosine similarity (the scale of a vector does not count).
    Cosine,
    /// The dot product (searches for the largest); store as `F16`, since
    /// `I8` scales each vector.
    InnerProduct,
}

/// Build and search settings of an index.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IndexParams {
    pub dimensions: usize,
    pub metric: Metric,
    pub storage: Storage,
    /// Graph degree (HNSW `M`).
    pub connectivity: usize,
    /// Candidate list length while inserting (`efConstruction`).
    pub expansion_add: usize,
    /// Candidate list length while searching (`ef`).
    pub expansion_search: usize,
}

impl IndexParams {
    pub fn new(dimensions: usize) -> Self {
        Self {
            dimensions,
            metric: Metric::Cosine,
            storage: Storage::I8,
            connectivity: 16,
            expansion_add: 128,
            expansion_search: 96,
        }
    }
}

/// One neighbour found by a search (`similarity`: the cosine, or the dot
/// product in an inner-product index).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbour {
    pub key: u64,
    /// Cosine similarity (1 − cosine distance).
    pub similarity: f32,
}

/// A cosine index over descriptors with stable u64 keys.
pub struct VectorIndex {
    inner: Index,
    /// The bytes `inner` views when opened [`Access::Resident`]: declared
    /// after it, so dropped after it.
    held: Option<memmap2::Mmap>,
    path: PathBuf,
    viewed: bool,
    i8: bool,
}

/// The stable index key of a keyframe: 63 bits of BLAKE3 over the title's
/// content hash and the frame index.
pub fn keyframe_key(content_hash: &str, frame: u64) -> u64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(content_hash.as_bytes());
    hasher.update(&frame.to_le_bytes());
    let bytes = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    u64::from_le_bytes(first) >> 1
}

impl VectorIndex {
    /// Opens the index saved at `path`, or an empty one when there is none.
    pub fn open(path: &Path, params: IndexParams, access: Access) -> Result<Self, IndexError> {
        let fail = |what, reason: String| IndexError {
            path: path.to_path_buf(),
            what,
            reason,
        };
        let Some(size) = std::fs::metadata(path).ok().map(|m| m.len()) else {
            return Self::empty(path, params);
        };
        let mapped = access == Access::Read && size > VIEW_THRESHOLD_BYTES;
        let (inner, held) = match access {
            Access::Resident => {
                let (inner, held) =
                    Self::resident(path, size).map_err(|e| fail("cannot open the index", e))?;
                (inner, Some(held))
            }
            _ => {
                let name = path.to_string_lossy();
                let inner = if mapped {
                    Index::restore_view(&name)
                } else {
                    Index::restore(&name)
                };
                let inner = inner.map_err(|e| fail("cannot open the index", e.to_string()))?;
                (inner, None)
            }
        };
        if inner.dimensions() != params.dimensions {
            let reason = format!(
                "it holds {}-dimensional vectors, {} expected",
                inner.dimensions(),
                params.dimensions
            );
            return Err(fail("cannot use the index", reason));
        }
        inner.change_expansion_search(params.expansion_search);
        let i8 = inner.scalar_kind() == ScalarKind::I8;
        Ok(Self {
            inner,
            path: path.to_path_buf(),
            viewed: mapped || held.is_some(),
            held,
            i8,
        })
    }

    /// The index saved at `path` (`size` bytes), a view of its bytes read
    /// into huge-page memory (`resident`).
    fn resident(path: &Path, size: u64) -> Result<(Index, memmap2::Mmap), String> {
        let held = resident::read(path, size).map_err(|e| e.to_string())?;
        let meta = Index::metadata_from_buffer(&held).map_err(|e| e.to_string())?;
        let inner = Index::new(&meta.into()).map_err(|e| e.to_string())?;
        // SAFETY: `held` is never written (read-only) and lives beside
        // `inner` in the `VectorIndex`, dropped after it.
        unsafe { inner.view_from_buffer(&held) }.map_err(|e| e.to_string())?;
        Ok((inner, held))
    }

    /// A new, empty index that will be saved at `path`.
    pub fn empty(path: &Path, params: IndexParams) -> Result<Self, IndexError> {
        let options = IndexOptions {
            dimensions: params.dimensions,
            metric: match params.metric {
                Metric::Cosine => MetricKind::Cos,
                Metric::InnerProduct => MetricKind::IP,
            },
            quantization: match params.storage {
                Storage::F16 => ScalarKind::F16,
                Storage::I8 => ScalarKind::I8,
            },
            connectivity: params.connectivity,
            expansion_add: params.expansion_add,
            expansion_search: params.expansion_search,
            multi: false,
        };
        let inner = Index::new(&options).map_err(|e| IndexError {
            path: path.to_path_buf(),
            what: "cannot create the index",
            reason: e.to_string(),
        })?;
        Ok(Self {
            inner,
            held: None,
            path: path.to_path_buf(),
            viewed: false,
            i8: params.storage == Storage::I8,
        })
    }

    fn error(&self, what: &'static str, e: impl std::fmt::Display) -> IndexError {
        IndexError {
            path: self.path.clone(),
            what,
            reason: e.to_string(),
        }
    }

    /// Number of vectors held.
    pub fn len(&self) -> usize {
        self.inner.size()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes the index holds in memory (vectors and graph; opened
    /// [`Access::Resident`], the file's bytes it views besides).
    pub fn memory_usage(&self) -> usize {
        self.inner.memory_usage() + self.held.as_ref().map_or(0, |held| held.len())
    }

    /// Whether the index is memory-mapped (read-only).
    pub fn is_viewed(&self) -> bool {
        self.viewed
    }

    pub fn contains(&self, key: u64) -> bool {
        self.inner.contains(key)
    }

    /// Makes room for `additional` more vectors (amortised growth).
    pub fn reserve(&self, additional: usize) -> Result<(), IndexError> {
        let wanted = self.len() + additional;
        if wanted <= self.inner.capacity() {
            return Ok(());
        }
        let capacity = wanted.max(self.inner.capacity() * 3 / 2).max(1024);
        self.inner
            .reserve(capacity)
            .map_err(|e| self.error("cannot grow the index", e))
    }

    /// Adds (or replaces) the vector under `key`.
    pub fn add(&self, key: u64, vector: &[f32]) -> Result<(), IndexError> {
        if self.viewed {
            return Err(self.error("cannot add", "the index was opened read-only"));
        }
        if vector.len() != self.inner.dimensions() {
            let reason = format!(
                "{} dimensions, {} expected",
                vector.len(),
                self.inner.dimensions()
            );
            return Err(self.error("cannot add", reason));
        }
        if self.inner.contains(key) {
            self.remove(key)?;
        }
        self.reserve(1)?;
        let added = if self.i8 {
            self.inner.add(key, &quantise(vector))
        } else {
            self.inner.add(key, vector)
        };
        added.map_err(|e| self.error("cannot add", e))
    }

    /// Removes the vector under `key`; returns whether there was one.
    pub fn remove(&self, key: u64) -> Result<bool, IndexError> {
        if self.viewed {
            return Err(self.error("cannot remove", "the index was opened read-only"));
        }
        self.inner
            .remove(key)
            .map(|n| n > 0)
            .map_err(|e| self.error("cannot remove", e))
    }

    /// Where the index is saved.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `k` nearest vectors by cosine similarity, best first.
    pub fn search(&self, query: &[f32], k: usize) -> Result<Vec<Neighbour>, IndexError> {
        self.nearest(query, k, false)
    }

    /// The exact `k` nearest vectors (brute force), best first.
    pub fn exact_search(&self, query: &[f32], k: usize) -> Result<Vec<Neighbour>, IndexError> {
        self.nearest(query, k, true)
    }

    fn nearest(&self, query: &[f32], k: usize, exact: bool) -> Result<Vec<Neighbour>, IndexError> {
        if self.is_empty() || k == 0 {
            return Ok(Vec::new());
        }
        let found = match (self.i8, exact) {
            (true, false) => self.inner.search(&quantise(query), k),
            (true, true) => self.inner.exact_search(&quantise(query), k),
            (false, false) => self.inner.search(query, k),
            (false, true) => self.inner.exact_search(query, k),
        };
        Ok(neighbours(
            found.map_err(|e| self.error("cannot search", e))?,
        ))
    }

    /// Writes the index to its path (a temporary file, then a rename).
    pub fn save(&self) -> Result<(), IndexError> {
        if self.viewed {
            return Ok(());
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.error("cannot create its folder", e))?;
        }
        let tmp = self.path.with_extension("usearch.tmp");
        self.inner
            .save(&tmp.to_string_lossy())
            .map_err(|e| self.error("cannot save the index", e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| self.error("cannot save the index", e))
    }
}

fn neighbours(found: usearch::ffi::Matches) -> Vec<Neighbour> {
    found
        .keys
        .into_iter()
        .zip(found.distances)
        .map(|(key, distance)| Neighbour {
            key,
            similarity: 1.0 - distance,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(seed: u64, dims: usize) -> Vec<f32> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut v: Vec<f32> = (0..dims)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 24) as f32 - 0.5
            })
            .collect();
        let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter_mut().for_each(|x| *x /= norm);
        v
    }

    /// An 8-bit index holds a quantised vector as it is (`quantise` leaves
    /// one be), so its cosines are `cosine_i8`'s but for its kernel's float
    /// rounding: what lets the catalogue's searches bound exact scores by
    /// an index's cosines with a slack of 0.001 (`catalogue::build::SLACK`).
    #[test]
    fn an_8_bit_index_gives_quantised_vectors_their_exact_cosines() {
        use crate::matching::exact::cosine_i8;
        let as_f32 = |v: &[i8]| v.iter().map(|&x| f32::from(x)).collect::<Vec<f32>>();
        for dims in [144, 512, 912] {
            // Neighbours in groups of ten, so the cosines span -1..1.
            let vectors: Vec<Vec<i8>> = (0..300u64)
                .map(|s| {
                    let (own, group) = (unit(s, dims), unit(1000 + s / 10, dims));
                    let sign = if s % 3 == 0 { -1.0 } else { 1.0 };
                    let v: Vec<f32> = own
                        .iter()
                        .zip(&group)
                        .map(|(a, b)| 0.4 * a + sign * b)
                        .collect();
                    quantise(&v)
                })
                .collect();
            assert!(vectors.iter().all(|v| quantise(&as_f32(v)) == *v));
            let index =
                VectorIndex::empty(Path::new("unsaved.usearch"), IndexParams::new(dims)).unwrap();
            for (key, v) in vectors.iter().enumerate() {
                index.add(key as u64, &as_f32(v)).unwrap();
            }
            let (mut worst, mut lowest) = (0.0f32, 1.0f32);
            for q in vectors.iter().step_by(10) {
                for n in index.exact_search(&as_f32(q), vectors.len()).unwrap() {
                    let exact = cosine_i8(q, &vectors[n.key as usize]);
                    worst = worst.max((n.similarity - exact).abs());
                    lowest = lowest.min(exact);
                }
            }
            assert!(lowest < -0.5, "{dims} dims: cosines down to {lowest}");
            assert!(worst < 1e-4, "{dims} dims: worst difference {worst}");
        }
    }

    #[test]
    fn keys_are_stable_and_distinct() {
        assert_eq!(keyframe_key("abc", 7), keyframe_key("abc", 7));
        assert_ne!(keyframe_key("abc", 7), keyframe_key("abc", 8));
        assert_ne!(keyframe_key("abc", 7), keyframe_key("abd", 7));
        assert!(keyframe_key("abc", 7) < 1 << 63);
    }

    #[test]
    fn add_search_remove_save_and_reopen() {
        for storage in [Storage::I8, Storage::F16] {
            round_trip(storage);
        }
    }

    #[test]
    fn quantised_vectors_keep_their_cosine() {
        let (a, b) = (unit(1, 508), unit(2, 508));
        let mix: Vec<f32> = a.iter().zip(&b).map(|(x, y)| x + 0.5 * y).collect();
        let cos = |x: &[f32], y: &[f32]| {
            let dot: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
            let n = |v: &[f32]| v.iter().map(|p| p * p).sum::<f32>().sqrt();
            dot / (n(x) * n(y))
        };
        let q = |v: &[f32]| {
            quantise(v)
                .iter()
                .map(|&c| f32::from(c))
                .collect::<Vec<f32>>()
        };
        assert!((cos(&q(&a), &q(&mix)) - cos(&a, &mix)).abs() < 0.01);
        assert!(quantise(&[0.0; 4]).iter().all(|&c| c == 0));
    }

    fn round_trip(storage: Storage) {
        let dir =
            std::env::temp_dir().join(format!("matchcut-index-{storage:?}-{}", std::process::id()));
        let path = dir.join("entries.usearch");
        let mut params = IndexParams::new(32);
        params.storage = storage;
        let index = VectorIndex::empty(&path, params).unwrap();
        for key in 0..200u64 {
            index.add(key + 10, &unit(key, 32)).unwrap();
        }
        let found = index.search(&unit(42, 32), 3).unwrap();
        assert_eq!(found[0].key, 52);
        assert!(found[0].similarity > 0.99, "{found:?}");
        assert!(index.remove(52).unwrap());
        assert!(!index.remove(52).unwrap());
        assert_ne!(index.search(&unit(42, 32), 1).unwrap()[0].key, 52);
        index.save().unwrap();
        for access in [Access::Read, Access::Write, Access::Resident] {
            let reopened = VectorIndex::open(&path, params, access).unwrap();
            assert_eq!(reopened.len(), 199);
            assert_eq!(reopened.search(&unit(7, 32), 1).unwrap()[0].key, 17);
            if access == Access::Resident {
                assert!(reopened.is_viewed());
                let file = std::fs::metadata(&path).unwrap().len() as usize;
                assert!(reopened.memory_usage() >= file, "{file}");
                let refused = reopened.add(500, &unit(500, 32)).unwrap_err();
                assert!(refused.to_string().contains("read-only"), "{refused}");
            }
        }
        let wrong = VectorIndex::open(&path, IndexParams::new(16), Access::Read);
        let error = wrong.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("32-dimensional"), "{error}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

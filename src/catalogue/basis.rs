//! The principal directions of a catalogue's framings, with which its
//! reverse indexes (`catalogue::reverse`) hold a framing in a quarter of
//! the bytes: its projection on the first [`RANK`] directions and the
//! length of what is left, the residual. For two framings' unit vectors
//! `f` and `g`, projections `p`, `q` and residual lengths `r`, `s`:
//! `cos(f, g) = p·q + (residual of f)·(residual of g) <= p·q + r·s`, so the
//! projection with the residual's length as one more dimension bounds the
//! cosine from above (equal where the framings lie in the basis), and a
//! range search by that bound misses no list the cosine enters.
//!
//! The basis is fitted to the second moment of a sample of the
//! catalogue's unit framings (no centring: what counts is how much of each
//! framing's length the basis keeps), once per build, and kept beside the
//! shards ([`FILE`]): the reverse indexes depend on it.

use nalgebra::{DMatrix, SymmetricEigen};
use std::path::Path;

/// Directions kept: with the residual's length and a list's two threshold
/// parts, 256 dimensions (`reverse::DIMS`). On the benchmark's synthetic
/// framings (the real descriptors' spectrum) they keep about 94 % of a
/// framing's squared length.
pub const RANK: usize = 253;

/// Framings sampled to fit a basis (evenly over the catalogue).
const SAMPLE: usize = 12_000;

/// The file in each shard's folder that holds the catalogue's bases.
pub const FILE: &str = "reverse-basis.bin";

/// What the file starts with (then the two bases).
const MAGIC: &[u8; 8] = b"MCBASIS1";

/// Orthonormal directions in the space of framings of `dims` values.
#[derive(Clone, Debug, PartialEq)]
pub struct Basis {
    dims: usize,
    rank: usize,
    /// Column-major: for each of the `dims` values, its `rank`
    /// coefficients (the directions best first), so a projection adds
    /// whole columns (a loop the compiler vectorises).
    cols: Vec<f32>,
}

impl Basis {
    /// The first [`RANK`] principal directions (by the second moment) of
    /// the unit vectors of `framings` (those of the first one's length; a
    /// sample of at most [`SAMPLE`], evenly spread). Deterministic.
    pub fn fit(framings: &[&[i8]]) -> Self {
        let dims = framings.first().map_or(0, |f| f.len());
        let alike: Vec<&[i8]> = framings
            .iter()
            .copied()
            .filter(|f| f.len() == dims)
            .collect();
        let step = alike.len().div_ceil(SAMPLE).max(1);
        let sample: Vec<Vec<f32>> = alike.iter().step_by(step).map(|f| unit(f)).collect();
        let rank = RANK.min(dims);
        if sample.is_empty() || rank == 0 {
            return Self::identity(dims, rank);
        }
        let x = DMatrix::from_fn(sample.len(), dims, |i, j| sample[i][j]);
        let directions = if sample.len() < dims {
            through_gram(&x)
        } else {
            through_moment(&x)
        };
        let rank = directions.len().min(rank);
        let cols = (0..dims)
            .flat_map(|j| directions[..rank].iter().map(move |d| d[j]))
            .collect();
        Self { dims, rank, cols }
    }

    /// The first `rank` axes of a space of `dims`.
    fn identity(dims: usize, rank: usize) -> Self {
        let cols = (0..dims)
            .flat_map(|j| (0..rank).map(move |r| if r == j { 1.0 } else { 0.0 }))
            .collect();
        Self { dims, rank, cols }
    }

    /// Directions held.
    pub fn rank(&self) -> usize {
        self.rank
    }

    /// `framing`'s unit vector on the basis (one value a direction, then
    /// zeros up to [`RANK`]) and the length of its residual. Values past
    /// the basis's length count in the residual.
    pub fn project(&self, framing: &[i8]) -> (Vec<f32>, f32) {
        let u = unit(framing);
        let mut p = vec![0.0f32; self.rank];
        if self.rank > 0 {
            for (col, &x) in self.cols.chunks_exact(self.rank).zip(&u) {
                p.iter_mut().zip(col).for_each(|(y, a)| *y += a * x);
            }
        }
        let total: f32 = u.iter().map(|x| x * x).sum();
        let kept: f32 = p.iter().map(|x| x * x).sum();
        p.resize(RANK, 0.0);
        (p, (total - kept).max(0.0).sqrt())
    }

    /// The share of the squared length of `framings`' unit vectors the
    /// basis keeps, on average.
    pub fn kept(&self, framings: &[&[i8]]) -> f32 {
        let sum: f32 = framings
            .iter()
            .map(|f| {
                let (p, _) = self.project(f);
                p.iter().map(|x| x * x).sum::<f32>()
            })
            .sum();
        sum / framings.len().max(1) as f32
    }

    fn write(&self, out: &mut Vec<u8>) {
        for n in [self.dims, self.rank] {
            out.extend((n as u32).to_le_bytes());
        }
        out.extend(self.cols.iter().flat_map(|x| x.to_le_bytes()));
    }

    /// One basis read from `bytes` at `at`, moved past it.
    fn read(bytes: &[u8], at: &mut usize) -> Option<Self> {
        let mut word = || {
            let four = bytes.get(*at..*at + 4)?;
            *at += 4;
            Some(u32::from_le_bytes(four.try_into().ok()?) as usize)
        };
        let (dims, rank) = (word()?, word()?);
        let len = dims.checked_mul(rank)?.checked_mul(4)?;
        let raw = bytes.get(*at..at.checked_add(len)?)?;
        *at += len;
        let cols = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        (rank <= RANK).then_some(Self { dims, rank, cols })
    }
}

/// The eigenvectors of `xᵀx` (the second moment of the rows of `x`), by
/// eigenvalue, largest first.
fn through_moment(x: &DMatrix<f32>) -> Vec<Vec<f32>> {
    let eigen = SymmetricEigen::new(x.tr_mul(x).map(f64::from));
    let order = descending(eigen.eigenvalues.as_slice());
    order
        .iter()
        .map(|&c| {
            eigen
                .eigenvectors
                .column(c)
                .iter()
                .map(|&v| v as f32)
                .collect()
        })
        .collect()
}

/// The same from the rows' Gram matrix `xxᵀ` when there are fewer rows
/// than dimensions (a small catalogue): each eigenvector `u` of it with a
/// positive eigenvalue gives `xᵀu`, normalised; only those (the rows span
/// no more).
fn through_gram(x: &DMatrix<f32>) -> Vec<Vec<f32>> {
    let eigen = SymmetricEigen::new((x * x.transpose()).map(f64::from));
    let values = eigen.eigenvalues.as_slice();
    let order = descending(values);
    let largest = order.first().map_or(0.0, |&c| values[c]);
    let x = x.map(f64::from);
    order
        .into_iter()
        .filter(|&c| values[c] > largest * 1e-9)
        .map(|c| {
            let v = x.tr_mul(&eigen.eigenvectors.column(c));
            let norm = v.norm().max(f64::MIN_POSITIVE);
            v.iter().map(|&a| (a / norm) as f32).collect()
        })
        .collect()
}

/// Indices of `values`, largest first.
fn descending(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order
}

/// `framing` as an f32 vector of unit length (zero if it is zero).
pub fn unit(framing: &[i8]) -> Vec<f32> {
    let norm = framing
        .iter()
        .map(|&x| f32::from(x) * f32::from(x))
        .sum::<f32>()
        .sqrt()
        .max(f32::MIN_POSITIVE);
    framing.iter().map(|&x| f32::from(x) / norm).collect()
}

/// Writes the bases of a catalogue's exit lists and entry lists to
/// [`FILE`] in `dir` (a temporary name, then a rename).
pub fn save(bases: &[Basis; 2], dir: &Path) -> std::io::Result<()> {
    let mut bytes = MAGIC.to_vec();
    bases.iter().for_each(|b| b.write(&mut bytes));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".writing-{FILE}"));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(tmp, dir.join(FILE))
}

/// The bases [`save`] wrote in `dir`; `None` when there is no such file
/// or it is not one.
pub fn load(dir: &Path) -> Option<[Basis; 2]> {
    let bytes = std::fs::read(dir.join(FILE)).ok()?;
    let rest = bytes.strip_prefix(MAGIC.as_slice())?;
    let mut at = 0;
    let exits = Basis::read(rest, &mut at)?;
    let entries = Basis::read(rest, &mut at)?;
    (at == rest.len()).then_some([exits, entries])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::testing::noise;

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    /// Framings of `len` values mixing `parts` random patterns (a space of
    /// that many dimensions), one of them weighed up.
    fn framings(len: usize, parts: u64, count: u64) -> Vec<Vec<i8>> {
        let patterns: Vec<Vec<i8>> = (0..parts).map(|p| noise(500 + p, len)).collect();
        (0..count)
            .map(|n| {
                let mix: Vec<f32> = (0..len)
                    .map(|i| {
                        (0..parts as usize)
                            .map(|p| {
                                let w = ((n * 7 + p as u64 * 13) % 11) as f32 - 5.0;
                                w * f32::from(patterns[p][i])
                            })
                            .sum()
                    })
                    .collect();
                crate::matching::exact::quantise(&mix)
            })
            .collect()
    }

    /// The projection and the residual's length bound every cosine from
    /// above, and give it (within rounding) for framings in the basis.
    #[test]
    fn projections_bound_cosines_and_keep_those_in_the_basis() {
        let len = crate::matching::composition::LEN;
        let low = framings(len, 40, 120);
        let refs: Vec<&[i8]> = low.iter().map(Vec::as_slice).collect();
        let basis = Basis::fit(&refs);
        assert!(basis.rank() <= low.len(), "{}", basis.rank());
        assert!(basis.kept(&refs) > 0.99, "{}", basis.kept(&refs));
        let others: Vec<Vec<i8>> = (0..30).map(|s| noise(900 + s, len)).collect();
        let all: Vec<&[i8]> = refs
            .iter()
            .copied()
            .chain(others.iter().map(Vec::as_slice))
            .collect();
        let (mut worst_in, mut loosest) = (0.0f32, 0.0f32);
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                let cos = dot(&unit(a), &unit(b));
                let ((p, r), (q, s)) = (basis.project(a), basis.project(b));
                let bound = dot(&p, &q) + r * s;
                assert!(bound >= cos - 1e-4, "{bound} < {cos}");
                loosest = loosest.max(bound - cos);
                if i < low.len() && refs.contains(b) {
                    worst_in = worst_in.max((bound - cos).abs());
                }
            }
        }
        assert!(worst_in < 0.01, "{worst_in}");
        // Random framings lie mostly outside: the bound is loose there.
        assert!(loosest > 0.5, "{loosest}");
    }

    #[test]
    fn bases_are_saved_and_read_back_and_a_damaged_file_is_none() {
        let len = 64;
        let fs = framings(len, 8, 50);
        let refs: Vec<&[i8]> = fs.iter().map(Vec::as_slice).collect();
        let bases = [Basis::fit(&refs), Basis::fit(&refs[10..])];
        assert!((8..=50).contains(&bases[0].rank()), "{}", bases[0].rank());
        assert_eq!(Basis::fit(&refs), bases[0], "deterministic");
        let dir = tempfile::tempdir().unwrap();
        save(&bases, dir.path()).unwrap();
        assert_eq!(load(dir.path()), Some(bases));
        let file = dir.path().join(FILE);
        let bytes = std::fs::read(&file).unwrap();
        std::fs::write(&file, &bytes[..bytes.len() - 4]).unwrap();
        assert_eq!(load(dir.path()), None);
        assert_eq!(load(&dir.path().join("missing")), None);
    }

    /// Its directions are orthonormal, found through the Gram matrix (fewer
    /// framings than values) or the second moment (more).
    #[test]
    fn directions_are_orthonormal_either_way() {
        for count in [30, 200] {
            let fs = framings(64, 12, count);
            let refs: Vec<&[i8]> = fs.iter().map(Vec::as_slice).collect();
            let basis = Basis::fit(&refs);
            let rank = basis.rank();
            assert!(rank >= 8, "{count}: rank {rank}");
            let row =
                |r: usize| -> Vec<f32> { basis.cols.chunks_exact(rank).map(|c| c[r]).collect() };
            for a in 0..rank {
                for b in a..rank {
                    let want = if a == b { 1.0 } else { 0.0 };
                    let got = dot(&row(a), &row(b));
                    assert!((got - want).abs() < 1e-4, "{count}: {a}·{b} = {got}");
                }
            }
            assert!(basis.kept(&refs) > 0.999, "{}", basis.kept(&refs));
        }
    }

    #[test]
    fn framings_of_no_values_project_to_nothing() {
        let basis = Basis::fit(&[&[], &[]]);
        assert_eq!(basis.rank(), 0);
        let (p, r) = basis.project(&[]);
        assert_eq!(p.len(), RANK);
        assert!(p.iter().all(|&x| x == 0.0) && r == 0.0);
        // A longer framing than the basis's counts whole in the residual.
        let (_, r) = basis.project(&[3, 4]);
        assert!((r - 1.0).abs() < 1e-6, "{r}");
    }
}

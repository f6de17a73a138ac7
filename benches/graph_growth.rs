//! How an HNSW search's cost and recall grow with the index past the
//! catalogue sizes `benches/catalogue.rs` can hold here: usearch indexes
//! of a catalogue shard's framing indexes' settings (8-bit cosine,
//! connectivity 16, `ef` 256 to build) over synthetic vectors at reduced
//! dimension (`BENCH_DIMS`, 128 by default; each component Gaussian, its
//! spread falling as `(i + 1)^-0.7`), so that 10M fits in this machine's
//! memory. For each size:
//! - a search's time: 4,000 queries (drawn alike, not in the index) for
//!   40 neighbours at `ef` 128 (a framing search's), three rounds, each
//!   round's mean;
//! - recall@10 against exact search for 200 queries at `ef` 64, 96, 128
//!   and 192, with each width's time a search.
//!
//! The README's extrapolation of the catalogue add to 10M shots takes the
//! growth of the first past 1M, and the price of holding recall from the
//! second. Absolute figures are not the catalogue's (other vectors, other
//! dimension): compare sizes within a run.
//!
//! `cargo bench --profile dev --bench graph_growth [-- SIZES...]` (default
//! 100000 1000000); `BENCH_KEEP=DIR` keeps each index built and loads it
//! next time (10M takes about 75 minutes of this 2-core machine to build);
//! `BENCH_M=M` builds a graph of another connectivity (16 by default),
//! `BENCH_EFC=W` with another insertion width (256 by default, as a
//! shard's framing indexes; the other indexes are built with 64).

#[path = "common/synthetic.rs"]
#[allow(dead_code)] // only `sizes` is wanted here
mod synthetic;

use std::path::PathBuf;
use std::time::Instant;
use usearch::{Index, IndexOptions, MetricKind, ScalarKind};

const QUERIES: usize = 4_000;
const ASKED: usize = 40;
const RECALL_QUERIES: usize = 200;
const WIDTHS: [usize; 4] = [64, 96, 128, 192];
/// A shard's framing searches' width (`catalogue::build::FRAMING_EXPANSION`).
const SEARCH_WIDTH: usize = 128;

/// A xorshift generator: the same vectors on every run and machine.
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 40) as f32 + 0.5) / (1u64 << 24) as f32
    }

    /// Box–Muller.
    fn gaussian(&mut self) -> f32 {
        let (a, b) = (self.uniform(), self.uniform());
        (-2.0 * a.ln()).sqrt() * (std::f32::consts::TAU * b).cos()
    }

    fn vector(&mut self, dims: usize) -> Vec<f32> {
        (0..dims)
            .map(|i| self.gaussian() * (1.0 + i as f32).powf(-0.7))
            .collect()
    }
}

/// The number in environment variable `name`, else `default`.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The graph's connectivity: 16 (a shard's), or `BENCH_M`.
fn connectivity() -> usize {
    setting("BENCH_M", 16)
}

/// The width of the search that places each vector while building: 256
/// (a shard's framing indexes), or `BENCH_EFC`.
fn build_width() -> usize {
    setting("BENCH_EFC", 256)
}

fn options(dims: usize) -> IndexOptions {
    IndexOptions {
        dimensions: dims,
        metric: MetricKind::Cos,
        quantization: ScalarKind::I8,
        connectivity: connectivity(),
        expansion_add: build_width(),
        expansion_search: SEARCH_WIDTH,
        ..Default::default()
    }
}

/// The index of `size` vectors, built by two threads (or loaded from
/// `BENCH_KEEP`).
fn index(dims: usize, size: usize) -> Index {
    let index = Index::new(&options(dims)).expect("index");
    let kept: Option<PathBuf> = std::env::var("BENCH_KEEP").ok().map(|dir| {
        let m = match connectivity() {
            16 => String::new(),
            m => format!("-m{m}"),
        };
        // Kept under the names they had when 64 was the default.
        let m = match build_width() {
            64 => m,
            efc => format!("{m}-efc{efc}"),
        };
        PathBuf::from(dir).join(format!("graph-growth-{dims}-{size}{m}.usearch"))
    });
    if let Some(path) = kept.as_ref().filter(|p| p.exists()) {
        index.load(&path.to_string_lossy()).expect("load");
        return index;
    }
    index
        .reserve_capacity_and_threads(size, 2)
        .expect("reserve");
    let started = Instant::now();
    std::thread::scope(|scope| {
        for thread in 0..2usize {
            let index = &index;
            scope.spawn(move || {
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ ((thread as u64 + 1) * 7919));
                for key in (thread..size).step_by(2) {
                    index.add(key as u64, &rng.vector(dims)).expect("add");
                }
            });
        }
    });
    println!("{size}: built in {:.1} s", started.elapsed().as_secs_f64());
    if let Some(path) = kept {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("keep dir");
        }
        index.save(&path.to_string_lossy()).expect("save");
    }
    index
}

fn search_time(index: &Index, dims: usize, size: usize) {
    index.change_expansion_search(SEARCH_WIDTH);
    let mut rng = Rng(12_345);
    let queries: Vec<Vec<f32>> = (0..QUERIES).map(|_| rng.vector(dims)).collect();
    let rounds: Vec<String> = (0..3)
        .map(|_| {
            let started = Instant::now();
            for q in &queries {
                index.search(q, ASKED).expect("search");
            }
            format!(
                "{:.1}",
                started.elapsed().as_secs_f64() * 1e6 / QUERIES as f64
            )
        })
        .collect();
    println!(
        "{size}: a search for {ASKED} at ef {SEARCH_WIDTH}: {} µs (three rounds)",
        rounds.join(" / ")
    );
}

fn recall(index: &Index, dims: usize, size: usize) {
    let mut rng = Rng(777);
    let queries: Vec<Vec<f32>> = (0..RECALL_QUERIES).map(|_| rng.vector(dims)).collect();
    let truth: Vec<Vec<u64>> = queries
        .iter()
        .map(|q| index.exact_search(q, 10).expect("exact").keys)
        .collect();
    for ef in WIDTHS {
        index.change_expansion_search(ef);
        let started = Instant::now();
        let mut found = 0usize;
        for (q, exact) in queries.iter().zip(&truth) {
            let m = index.search(q, ASKED).expect("search");
            found += m.keys.iter().take(10).filter(|k| exact.contains(k)).count();
        }
        println!(
            "{size}: ef {ef}: recall@10 {:.4}, {:.1} µs a search",
            found as f64 / (10 * RECALL_QUERIES) as f64,
            started.elapsed().as_secs_f64() * 1e6 / RECALL_QUERIES as f64
        );
    }
}

fn main() {
    let dims = setting("BENCH_DIMS", 128);
    for size in synthetic::sizes(&[100_000, 1_000_000]) {
        let size = size as usize;
        let index = index(dims, size);
        search_time(&index, dims, size);
        recall(&index, dims, size);
    }
}

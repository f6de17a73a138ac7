//! Scale of the candidate search: synthetic descriptors for libraries of
//! 10k, 100k and 1M shots (an entry and an exit index of that many
//! vectors each), then
//! - the time to add one 2,000-shot title: its entries and exits added,
//!   each exit queried against the entries and each entry against the
//!   exits (what `LibraryData::add_title` does with the indexes), as a
//!   ratio to the 10k library;
//! - ANN recall@10 of those queries against exact search.
//!
//! The descriptors are clustered like real ones (shots of a scene resemble
//! each other, scenes share looks) and have the variance spectrum measured
//! on real descriptors (see `SPECTRUM`).
//!
//! `cargo bench --profile dev --bench index [-- SIZES...]`

#[path = "common/synthetic.rs"]
mod synthetic;

use matchcut::embed::descriptor::DIMS;
use matchcut::index::{Access, IndexParams, VectorIndex};
use rayon::prelude::*;
use std::path::Path;
use std::time::Instant;
use synthetic::descriptor;

const TITLE_SHOTS: u64 = 2_000;
const K: usize = 10;
const RECALL_QUERIES: usize = 300;

/// The library's index settings; `BENCH_EF_ADD`, `BENCH_EF_SEARCH`,
/// `BENCH_M` and `BENCH_STORAGE=f16` override them for experiments.
fn params() -> IndexParams {
    let mut p = IndexParams::new(DIMS);
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse().ok());
    p.expansion_add = env("BENCH_EF_ADD").unwrap_or(p.expansion_add);
    p.expansion_search = env("BENCH_EF_SEARCH").unwrap_or(p.expansion_search);
    p.connectivity = env("BENCH_M").unwrap_or(p.connectivity);
    if std::env::var("BENCH_STORAGE").is_ok_and(|v| v == "f16") {
        p.storage = matchcut::index::Storage::F16;
    }
    p
}

fn build(size: u64, side: u64) -> VectorIndex {
    // BENCH_CACHE=DIR keeps built libraries between runs (experiments only).
    let cached = std::env::var("BENCH_CACHE").ok().map(|dir| {
        Path::new(&dir).join(format!("{size}-{side}-{:?}-v2.usearch", params().storage))
    });
    if let Some(path) = cached.as_ref().filter(|p| p.exists()) {
        return VectorIndex::open(path, params(), Access::Write).expect("open cached");
    }
    let index = VectorIndex::empty(
        cached.as_deref().unwrap_or(Path::new("bench.usearch")),
        params(),
    )
    .expect("index");
    index
        .reserve((size + TITLE_SHOTS) as usize)
        .expect("reserve");
    (0..size).into_par_iter().for_each(|id| {
        index.add(id, &descriptor(id, side)).expect("add");
    });
    if cached.is_some() {
        index.save().expect("save");
    }
    index
}

/// Adds one title and runs its candidate queries; returns the seconds and
/// the exit queries' results (for recall).
fn add_title(entries: &VectorIndex, exits: &VectorIndex, size: u64) -> (f64, Vec<Vec<u64>>) {
    let shots: Vec<u64> = (size..size + TITLE_SHOTS).collect();
    let vectors: Vec<(Vec<f32>, Vec<f32>)> = shots
        .iter()
        .map(|&id| (descriptor(id, 0), descriptor(id, 1)))
        .collect();
    let started = Instant::now();
    for (&id, (entry, exit)) in shots.iter().zip(&vectors) {
        entries.add(id, entry).expect("add");
        exits.add(id, exit).expect("add");
    }
    let added = started.elapsed().as_secs_f64();
    let mut found = Vec::with_capacity(shots.len());
    for (entry, exit) in &vectors {
        let n = entries.search(exit, K).expect("search");
        exits.search(entry, K).expect("search");
        found.push(n.iter().map(|n| n.key).collect());
    }
    let total = started.elapsed().as_secs_f64();
    eprintln!("  adds {added:.3} s, queries {:.3} s", total - added);
    (total, found)
}

fn recall(entries: &VectorIndex, shots: u64, size: u64, found: &[Vec<u64>]) -> f64 {
    let step = (shots as usize / RECALL_QUERIES).max(1);
    let mut hits = 0;
    let mut total = 0;
    for (i, ann) in found.iter().enumerate().step_by(step) {
        let exact = entries
            .exact_search(&descriptor(size + i as u64, 1), K)
            .expect("exact");
        hits += exact.iter().filter(|n| ann.contains(&n.key)).count();
        total += exact.len();
    }
    hits as f64 / total.max(1) as f64
}

fn main() {
    let sizes = synthetic::sizes(&[10_000, 100_000, 1_000_000]);
    println!("{:?}", params());
    println!("library shots | build s | add 2,000-shot title s | vs first | recall@10");
    let mut first = None;
    for size in sizes {
        let started = Instant::now();
        let entries = build(size, 0);
        let exits = build(size, 1);
        let built = started.elapsed().as_secs_f64();
        // Best of three titles (each a new one).
        let mut best = f64::MAX;
        let mut last = Vec::new();
        for round in 0..3 {
            let base = size + round * TITLE_SHOTS;
            entries.reserve(TITLE_SHOTS as usize).expect("reserve");
            exits.reserve(TITLE_SHOTS as usize).expect("reserve");
            let (seconds, found) = add_title(&entries, &exits, base);
            if round == 0 {
                last = found;
            }
            best = best.min(seconds);
        }
        let recall = recall(&entries, TITLE_SHOTS, size, &last);
        let ratio = best / *first.get_or_insert(best);
        println!("{size:>13} | {built:>7.1} | {best:>22.3} | {ratio:>7.2}x | {recall:.4}");
    }
}

//! Scale of catalogue mode (`matchcut::catalogue`): synthetic catalogues
//! of 10k and 100k shots by default (`-- 1000000` for 1M), titles of
//! 2,000 shots (`common/titles.rs`: descriptors and framings with the real
//! descriptors' spectrum, 12 footage prints a shot), in one HNSW shard, and
//! for each:
//! - **indexes**: the shard's four shot indexes and its print index, and
//!   their memory per shot; shots indexed per second per core;
//! - **links**: every shot's duplicate searches (below 1M shots: the
//!   synthetic titles share no footage, and at 1M the 12M print searches
//!   would take an hour of this machine);
//! - **lists**: every shot's two certified lists (their k-th scores kept,
//!   the reverse indexes filled), and the time one list query takes;
//! - **add a 2,000-shot title** (`Catalogue::add`: delta shard, links,
//!   lists by k-NN against every shard, the lists it enters), as a fraction
//!   of that title's analysis: the analysis of the 10-min 1080p benchmark
//!   film is timed in the same run (`worker::analyse`,
//!   `tests/fixtures/generated/bench_film_1080p.mp4`) and scaled to a
//!   2-hour feature of 2,000 shots (7,200 s of footage; `BENCH_ANALYSIS=S`
//!   gives it instead);
//! - **recall@10** against exact search, on 200 of the new title's lists
//!   and on the lists 200 of its shots enter (each entered list's top 10
//!   after the add), with the share of entering pairs found;
//! - the process's **peak memory**.
//!
//! `BENCH_KEEP=DIR` keeps each catalogue built (its index files and its
//! lists' k-th scores, `catalogue::saved::Settled`) in `DIR/catalogue-N-gG`
//! (`G`: the titles' generation)
//! and reopens it on the next run instead of building it again: the 1M
//! catalogue takes about two hours of a 2-core machine to build, its add
//! a few seconds.
//!
//! `BENCH_OPEN_SHARE=S` puts that share of the lists in the reverse indexes
//! (`BuildParams::open_share`; 1 by default). `BENCH_COVER_RADIUS=R`
//! covers a shot's prints by searches reaching `R` radians
//! (`BuildParams::cover_radius`; 0: one search a print).
//!
//! A catalogue of 10M shots is extrapolated from these, as one shard (a
//! query asks every shard, so shards that share a machine add up), with
//! how search cost and recall grow past 1M measured at reduced dimension
//! by `benches/graph_growth.rs`.
//!
//! `cargo bench --profile dev --bench catalogue [-- SIZES...]`

#[path = "common/synthetic.rs"]
mod synthetic;
#[path = "common/titles.rs"]
mod titles;

use matchcut::catalogue::build::{BuildParams, Catalogue};
use matchcut::catalogue::saved::Settled;
use matchcut::catalogue::worker::{self, WorkerOptions};
use matchcut::matching::neighbours::TitleVectors;
use matchcut::store::ListedPair;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;
use titles::{title, TITLE_SHOTS};

/// Seconds of footage of the 2,000-shot title the acceptance names.
const FEATURE_SECONDS: f64 = 7_200.0;
const SAMPLES: usize = 200;

/// Seconds of analysis per second of footage, measured on the benchmark
/// film now.
fn analysis_rate() -> f64 {
    matchcut::init_ffmpeg(true);
    let film =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/generated/bench_film_1080p.mp4");
    let info = matchcut::media::probe(&film)
        .unwrap_or_else(|e| panic!("{e} (run scripts/bench-fixtures.sh)"));
    let out = tempfile::tempdir().expect("temp dir");
    let done = worker::analyse(&film, out.path(), WorkerOptions::default()).expect("analyse");
    let rate = done.seconds / info.duration_secs;
    println!(
        "analysis: the {:.0}-s benchmark film ({} shots) in {:.1} s: {rate:.4} s per s of footage; a 2-hour, 2,000-shot feature: {:.0} s",
        info.duration_secs,
        done.shots,
        done.seconds,
        rate * FEATURE_SECONDS
    );
    rate
}

fn titles(size: u64) -> Vec<TitleVectors> {
    (0..size / TITLE_SHOTS).map(|t| title(t).vectors).collect()
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("MATCHCUT_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let sizes = synthetic::sizes(&[10_000, 100_000]);
    let keep = std::env::var_os("BENCH_KEEP").map(std::path::PathBuf::from);
    let analysis = std::env::var("BENCH_ANALYSIS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| analysis_rate() * FEATURE_SECONDS);
    for size in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        // One shard, however large (see the module's notes on 10M).
        let mut params = BuildParams {
            shard_shots: usize::MAX,
            ..BuildParams::default()
        };
        if let Some(share) = std::env::var("BENCH_OPEN_SHARE")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            params.open_share = share;
        }
        if let Some(radius) = std::env::var("BENCH_COVER_RADIUS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            params.cover_radius = radius;
        }
        let k = params.matching.k;
        let kept = keep
            .as_ref()
            .map(|d| d.join(format!("catalogue-{size}-g{}", titles::GENERATION)));
        let at = kept.as_deref().unwrap_or(dir.path());
        let reopened = kept.as_ref().and_then(|d| {
            let started = Instant::now();
            let c = Settled::reopen(d, titles(size), params.clone()).expect("reopen");
            c.map(|c| (c, started.elapsed().as_secs_f64()))
        });
        let (mut catalogue, built) = match reopened {
            Some((c, secs)) => (
                c,
                format!(
                    "reopened from {} in {secs:.1} s (indexes, links and lists as built before)",
                    at.display()
                ),
            ),
            None => build(size, at, params, kept.is_some()),
        };
        let (shot_bytes, print_bytes, reverse_bytes) = catalogue.index_bytes();

        let new = title(size / TITLE_SHOTS).vectors;
        // The delta shard goes to its own folder: a kept catalogue stays as
        // it was built.
        let delta_dir = tempfile::tempdir().expect("temp dir");
        let started = Instant::now();
        let delta = catalogue.add(vec![new], delta_dir.path()).expect("add");
        let add = started.elapsed().as_secs_f64();
        let t = catalogue.titles.len() - 1;
        let from = t;
        let (lists_recall, query_ms) = list_recall(&mut catalogue, t);
        let (entering_recall, entered_lists) = entering_recall(&mut catalogue, t, from);
        println!(
            "catalogue {size} shots: {built}; {:.0} B/shot + prints {:.0} + reverse {:.0}; peak memory {:.1} GB; one list query {query_ms:.2} ms; add {TITLE_SHOTS} shots {add:.2} s = {:.2} % of its analysis ({} entrants); recall@{k}: its lists {lists_recall:.3}, the lists it enters {entered_lists:.3} (entering pairs found {entering_recall:.3})",
            shot_bytes as f64 / size as f64,
            print_bytes as f64 / size as f64,
            reverse_bytes as f64 / size as f64,
            peak_gb(),
            100.0 * add / analysis,
            delta.pairs.len(),
        );
    }
}

/// A catalogue of `size` shots indexed under `dir`, its links searched
/// (below `LINKS_BELOW`) and its lists settled, each timed; kept there
/// (`Settled::save`) when `keep`.
fn build(size: u64, dir: &Path, params: BuildParams, keep: bool) -> (Catalogue, String) {
    let threads = rayon::current_num_threads();
    let started = Instant::now();
    let mut catalogue = Catalogue::index(titles(size), dir, params).expect("index");
    let index = started.elapsed().as_secs_f64();
    println!(
        "catalogue {size} shots: indexes {index:.1} s ({:.0} shots/s/core)",
        size as f64 / index / threads as f64
    );
    let links = if size < LINKS_BELOW {
        let started = Instant::now();
        catalogue.link().expect("links");
        format!("{:.1} s", started.elapsed().as_secs_f64())
    } else {
        "not searched (the synthetic titles share no footage)".into()
    };
    let started = Instant::now();
    let members = catalogue.settle_lists().expect("lists");
    let lists = started.elapsed().as_secs_f64();
    println!("catalogue {size} shots: links {links}; lists {lists:.1} s ({members} members)");
    if keep {
        let started = Instant::now();
        Settled::save(&catalogue, dir).expect("keep");
        println!(
            "catalogue {size} shots: kept in {} ({:.1} s)",
            dir.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let threads = threads as f64;
    let built = format!(
        "indexes {index:.1} s ({:.0} shots/s/core); links {links}; lists {lists:.1} s ({members} members)",
        size as f64 / index / threads
    );
    (catalogue, built)
}

/// Catalogues this large skip searching their own titles' duplicate links
/// (12 print searches a shot; nothing to find among synthetic titles):
/// the build's link search is measured below it, the add's always.
const LINKS_BELOW: u64 = 1_000_000;

/// The process's peak resident memory (Linux), in GB.
fn peak_gb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1e6)
}

/// Recall of `SAMPLES` of title `t`'s lists (HNSW) against exact search,
/// and the mean time of one HNSW list query.
fn list_recall(catalogue: &mut Catalogue, t: usize) -> (f64, f64) {
    let queries = samples(catalogue, t);
    let ids = |c: &Catalogue, &(row, exit): &(usize, bool)| -> HashSet<String> {
        let (pairs, _) = c.listed(t, row, exit).expect("list");
        pairs.into_iter().map(|p| p.candidate.id).collect()
    };
    let started = Instant::now();
    let approximate: Vec<HashSet<String>> = queries.iter().map(|q| ids(catalogue, q)).collect();
    let query_ms = started.elapsed().as_secs_f64() * 1e3 / queries.len() as f64;
    catalogue.set_exact(true);
    let exact: Vec<HashSet<String>> = queries.iter().map(|q| ids(catalogue, q)).collect();
    catalogue.set_exact(false);
    (recall(&approximate, &exact), query_ms)
}

/// How well the lists `SAMPLES` of title `t`'s shots enter are found by
/// the add's searches (HNSW) against exact search: (the entering pairs
/// found; **recall@k of the lists entered**, each list's top `k` after
/// the add, its members before taken as exact search's so that only the
/// add's searches count: a missed entrant leaves one of a list's `k`
/// wrong).
fn entering_recall(catalogue: &mut Catalogue, t: usize, from: usize) -> (f64, f64) {
    let queries = samples(catalogue, t);
    let pairs = |c: &Catalogue| -> Vec<HashSet<(String, String, usize, bool)>> {
        queries
            .iter()
            .map(|&(row, exit)| {
                let pairs = c.entering(t, row, exit, from).expect("entering");
                pairs.into_iter().map(|p| entered(&p)).collect()
            })
            .collect()
    };
    let approximate = pairs(catalogue);
    catalogue.set_exact(true);
    let exact = pairs(catalogue);
    catalogue.set_exact(false);
    let k = catalogue.params().matching.k;
    let mut missed: HashMap<(String, usize, bool), usize> = HashMap::new();
    for (found, all) in approximate.iter().zip(&exact) {
        for e in all {
            let gone = missed.entry((e.1.clone(), e.2, e.3)).or_default();
            *gone += usize::from(!found.contains(e));
        }
    }
    let wrong: usize = missed.values().map(|&m| m.min(k)).sum();
    let lists = if missed.is_empty() {
        1.0
    } else {
        1.0 - wrong as f64 / (k * missed.len()) as f64
    };
    (recall(&approximate, &exact), lists)
}

/// An entering pair as (its id, the list it enters: owner's content hash,
/// shot, whether an exit list).
fn entered(p: &ListedPair) -> (String, String, usize, bool) {
    let owner = if p.in_exit_list {
        &p.candidate.from
    } else {
        &p.candidate.to
    };
    (
        p.candidate.id.clone(),
        owner.content_hash.clone(),
        owner.shot,
        p.in_exit_list,
    )
}

/// `SAMPLES` (row, exit) queries spread over title `t`.
fn samples(catalogue: &Catalogue, t: usize) -> Vec<(usize, bool)> {
    let rows = catalogue.titles[t].shots.len();
    (0..SAMPLES)
        .map(|i| (i * rows / SAMPLES, i % 2 == 0))
        .collect()
}

fn recall<T: Eq + std::hash::Hash>(found: &[HashSet<T>], exact: &[HashSet<T>]) -> f64 {
    let (hit, all) = found.iter().zip(exact).fold((0, 0), |(h, a), (f, e)| {
        (h + f.intersection(e).count(), a + e.len())
    });
    if all == 0 {
        1.0
    } else {
        hit as f64 / all as f64
    }
}

//! Scale of the library's exact candidate search (`jobs::lists`):
//! libraries of 10k and 100k shots (titles of 2,000 shots, synthetic
//! descriptors clustered like real ones), built once and kept in
//! `target/bench-lists/`, then the time to add one more 2,000-shot title
//! (one block with every title each way, the lists of shots already there
//! that it enters, one transaction) and to remove it again, as a ratio to
//! the 10k library. Exact search costs (the title's shots) × (the
//! library's shots): the ratio grows with the library, unlike an
//! approximate index's (`benches/index.rs`). Each shot has 12 footage
//! prints (about 4 s at 24 fps), all compared with the other title's in
//! the duplicate search.
//!
//! `cargo bench --profile dev --bench lists [-- SIZES...]`

#[path = "common/synthetic.rs"]
mod synthetic;

use matchcut::embed::descriptor::DIMS;
use matchcut::jobs::{LibraryData, NewTitle, TitleMeta};
use matchcut::matching::exact::Quantised;
use matchcut::matching::neighbours::{ShotInfo, TitleVectors};
use matchcut::matching::{composition, footage};
use std::path::PathBuf;
use std::time::Instant;
use synthetic::{descriptor, mix};

const TITLE_SHOTS: u64 = 2_000;
/// Footage prints of each shot (one in 8 frames of about 4 s).
const PRINTS_PER_SHOT: u64 = 12;

/// Synthetic footage prints of shot `id`: pseudo-random, so shots of
/// different titles never share frames.
fn prints(id: u64) -> Vec<i8> {
    (0..PRINTS_PER_SHOT * footage::LEN as u64)
        .map(|i| (mix(id * 10_000 + i) % 255) as i8)
        .collect()
}

/// A synthetic framing signature: the values of a descriptor, repeated.
fn framing(v: Vec<f32>) -> Vec<i8> {
    let long: Vec<f32> = v.iter().cycle().take(composition::LEN).copied().collect();
    matchcut::matching::exact::quantise(&long)
}

/// Synthetic title `t`: shots `t * TITLE_SHOTS ..` of the generator.
fn title(t: u64) -> NewTitle {
    let hash = (0..4)
        .map(|i| format!("{:016x}", mix(t * 4 + i)))
        .collect::<String>();
    let mut vectors = TitleVectors {
        content_hash: hash,
        shots: Vec::new(),
        entries: Quantised::new(DIMS),
        exits: Quantised::new(DIMS),
        footage: Default::default(),
        aside: Default::default(),
    };
    let mut frames = Vec::new();
    for s in 0..TITLE_SHOTS {
        let id = t * TITLE_SHOTS + s;
        vectors.entries.push_f32(&descriptor(id, 0));
        vectors.exits.push_f32(&descriptor(id, 1));
        vectors.footage.push_shot(&prints(id));
        let (first, last) = (s * 100, s * 100 + 99);
        frames.push((first, last));
        vectors.shots.push(ShotInfo {
            shot: s as usize,
            first_frame: first,
            last_frame: last,
            entry_frame: first,
            exit_frame: last,
            group_shot: s as usize,
            entry_composition: framing(descriptor(id, 2)),
            exit_composition: framing(descriptor(id, 3)),
            entry_vector: vectors.entries.row(s as usize).to_vec(),
            exit_vector: vectors.exits.row(s as usize).to_vec(),
            entry_regions: Vec::new(),
            exit_regions: Vec::new(),
            entry_figure: 0.0,
            exit_figure: 0.0,
            exit_kth: None,
            entry_kth: None,
            motion: None,
        });
    }
    NewTitle::new(vectors, frames)
}

fn meta(t: u64) -> TitleMeta {
    TitleMeta {
        path: format!("/bench/title{t}.mov"),
        frame_rate: "24000/1001".into(),
        start_timecode: None,
        frame_count: TITLE_SHOTS * 100,
    }
}

/// A library of `size` shots, built once.
fn library(size: u64) -> LibraryData {
    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = PathBuf::from(target)
        .join("bench-lists-printed")
        .join(size.to_string());
    let done = dir.join("built");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let mut library = LibraryData::open(&dir).expect("open");
        let started = Instant::now();
        for t in 0..size / TITLE_SHOTS {
            let lock = library.lock(&|_| {}).expect("lock");
            library
                .add(&lock, &meta(t), &title(t), "bench")
                .expect("add");
            eprint!("\rbuilding the {size}-shot library: {} titles", t + 1);
        }
        eprintln!(" ({:.0} s)", started.elapsed().as_secs_f64());
        std::fs::write(&done, b"").expect("mark");
    }
    LibraryData::open(&dir).expect("open")
}

fn main() {
    let sizes = synthetic::sizes(&[10_000, 100_000]);
    let mut base = None;
    for size in sizes {
        let mut library = library(size);
        let t = size / TITLE_SHOTS;
        let new = title(t);
        let lock = library.lock(&|_| {}).expect("lock");
        let started = Instant::now();
        let added = library.add(&lock, &meta(t), &new, "bench").expect("add");
        let add = started.elapsed().as_secs_f64();
        let started = Instant::now();
        library
            .remove_title(&lock, &new.vectors.content_hash)
            .expect("remove");
        let remove = started.elapsed().as_secs_f64();
        let base = *base.get_or_insert(add);
        println!(
            "lists: add a {TITLE_SHOTS}-shot title to {size} shots: {add:.2} s ({:.1}x the first size), {} pairs listed; remove it: {remove:.2} s",
            add / base,
            added.pairs
        );
    }
}

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
#[path = "common/titles.rs"]
mod titles;

use matchcut::jobs::LibraryData;
use std::path::PathBuf;
use std::time::Instant;
use titles::{meta, title, TITLE_SHOTS};

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

//! Feature memoisation: a title's stages are stored under its content hash,
//! so the same content renamed and moved runs the model zero times, and a
//! new model version recomputes only its own stage. Real SQLite file, real
//! model, real decoding.

mod common;

use common::*;
use matchcut::embed::{self, Embedder};
use matchcut::jobs::{analyse, Analysers, StageRun};
use matchcut::preprocess::{Backend, BackendChoice};
use matchcut::store::Store;
use std::path::PathBuf;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("matchcut-memo-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("in")).expect("scratch folder");
    dir
}

fn embedder() -> Embedder {
    Embedder::new(embed::device(BackendChoice::Cpu).expect("cpu")).expect("model")
}

#[test]
fn a_renamed_and_moved_copy_runs_the_model_zero_times() {
    fixtures();
    let dir = scratch("moved");
    let first_path = dir.join("in/title.mp4");
    std::fs::copy(fixture("shots_known.mp4"), &first_path).expect("copy");
    let store = Store::open(&dir.join("store.sqlite")).expect("store");
    let embedder = embedder();
    let analysers = Analysers::new(&embedder, Backend::Cpu);

    let first = analyse(&first_path, &store, &analysers).expect("first analysis");
    assert_eq!(
        (first.shots_run, first.embed_run),
        (StageRun::Computed, StageRun::Computed)
    );
    let runs = embedder.runs();
    assert!(runs > 0);
    assert_eq!(first.segmentation.shots.len(), 6);
    assert!(first.keyframes.len() >= 6);

    let moved = dir.join("elsewhere/deeper/renamed.mov");
    std::fs::create_dir_all(moved.parent().expect("parent")).expect("folders");
    std::fs::rename(&first_path, &moved).expect("move");
    // Another process would open the same file: so does this second handle.
    let again = Store::open(&dir.join("store.sqlite")).expect("store again");
    let second = analyse(&moved, &again, &analysers).expect("second analysis");
    assert_eq!(embedder.runs(), runs, "the model ran again");
    assert_eq!(
        (second.shots_run, second.embed_run),
        (StageRun::Cached, StageRun::Cached)
    );
    assert_eq!(second.content_hash, first.content_hash);
    assert_eq!(second.segmentation, first.segmentation);
    assert_eq!(second.keyframes, first.keyframes);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_new_model_version_recomputes_only_its_stage() {
    fixtures();
    let dir = scratch("version");
    let path = dir.join("in/title.mp4");
    std::fs::copy(fixture("shots_known.mp4"), &path).expect("copy");
    let store = Store::open(&dir.join("store.sqlite")).expect("store");
    let embedder = embedder();
    let v1 = Analysers::new(&embedder, Backend::Cpu);
    analyse(&path, &store, &v1).expect("v1");
    let runs = embedder.runs();
    let v2 = Analysers {
        embed_model: format!("{}-v2", v1.embed_model),
        ..Analysers::new(&embedder, Backend::Cpu)
    };
    let again = analyse(&path, &store, &v2).expect("v2");
    assert_eq!(
        (again.shots_run, again.embed_run),
        (StageRun::Cached, StageRun::Computed)
    );
    assert!(embedder.runs() > runs);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `matchcut scan --json` of `paths` into `library`: its report.
fn scan_report(library: &std::path::Path, paths: &[PathBuf]) -> serde_json::Value {
    let mut scan = matchcut_on_cpu();
    scan.arg("scan").args(paths).arg("--library").arg(library);
    serde_json::from_slice(&stdout_of(scan.arg("--json"))).expect("JSON report")
}

#[test]
fn a_scan_decodes_each_new_title_once_and_a_rescan_decodes_nothing() {
    fixtures();
    let dir = scratch("decode-once");
    // Three H.264 titles: 25 fps with dissolves and fades, 29.97 drop
    // frame in MOV, 23.976 with shots shorter than the capture stride.
    let titles: Vec<PathBuf> = ["shots_known.mp4", "export_df.mov", "library_b.mp4"]
        .iter()
        .map(|n| fixture(n))
        .collect();
    let first = scan_report(&dir, &titles);
    let frames: u64 = first["titles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["status"], "analysed", "{t}");
            t["frames"].as_u64().unwrap()
        })
        .sum();
    assert_eq!(first["analysed_frames"].as_u64(), Some(frames));
    let decoded = first["decoded_pictures"].as_u64().unwrap();
    // At most every frame once, plus the probe's few pictures at each end,
    // the seeks to the keyframes of shots too short to have been captured
    // and the frames decoded again beside transitions; the sparse pass
    // leaves out unreferenced pictures where nothing happens, so on these
    // H.264 titles fewer than one picture per frame.
    assert!(
        decoded < frames && decoded * 2 >= frames,
        "{decoded} pictures decoded for {frames} frames"
    );
    // Every stage of the analysis was busy, and no stage longer than the
    // scan took: a stage's busy time is work on one thread at a time.
    let busy = &first["busy"];
    let seconds = first["seconds"].as_f64().unwrap();
    for stage in [
        "hash",
        "probe",
        "decode",
        "thumbnails",
        "segment",
        "capture",
        "model",
        "index",
    ] {
        let s = busy[stage].as_f64().unwrap();
        assert!(
            s > 0.0 && s <= seconds,
            "{stage}: {s} s of {seconds} s: {busy}"
        );
    }
    assert!(busy["cpu"].as_f64().unwrap() > busy["decode"].as_f64().unwrap());
    let again = scan_report(&dir, &titles);
    assert_eq!(again["busy"]["decode"].as_f64(), Some(0.0), "{again}");
    assert_eq!(
        (
            again["analysed_frames"].as_u64(),
            again["decoded_pictures"].as_u64()
        ),
        (Some(0), Some(0)),
        "{again}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

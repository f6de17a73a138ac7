//! Catalogue mode's worker on real titles: `matchcut worker analyse`
//! writes a features file that reads back into exactly the analysis a
//! local `matchcut scan` stores, computes nothing the second time, and
//! says with its exit code whether a failure is worth retrying.

mod common;

use common::*;
use matchcut::catalogue::features;
use std::path::{Path, PathBuf};
use std::process::Output;

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

fn worker(input: &Path, out: &Path) -> Output {
    matchcut_on_cpu()
        .args(["worker", "analyse", "--in"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .output()
        .expect("matchcut worker")
}

fn report(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON line")
}

#[test]
fn a_features_file_holds_what_a_local_scan_stores_and_is_made_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    let title = sample("bbb-forest.mp4");
    let out = dir.path().join("features");
    let first = report(&worker(&title, &out));
    assert_eq!(first["cached"], false);
    let file = PathBuf::from(first["file"].as_str().expect("file"));
    let name = file
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let hash = first["content_hash"].as_str().expect("hash").to_string();
    assert!(
        name.starts_with(&format!("{hash}.efficientnet-lite0")),
        "{name}"
    );
    let stored = features::read(&file).expect("the features file reads back");

    // The same title scanned locally: the store's analysis is the file's.
    let library = dir.path().join("library");
    scan_into(&library, &title);
    let store =
        matchcut::store::Store::open(&library.join(".matchcut/library.sqlite")).expect("store");
    let local = matchcut::jobs::stored_analysis(&hash, &store, &Default::default())
        .expect("read")
        .expect("the scan stored the analysis");
    let file_side = &stored.analysis;
    assert_eq!(file_side.content_hash, local.content_hash);
    assert_eq!(file_side.segmentation, local.segmentation);
    assert_eq!(file_side.keyframes, local.keyframes);
    assert_eq!(file_side.prints, local.prints);
    assert_eq!(file_side.motion, local.motion);
    assert!(file_side.motion.is_some() && !file_side.prints.is_empty());
    assert_eq!(first["shots"], local.segmentation.shots.len());
    assert_eq!(
        stored.analysis_key,
        matchcut::catalogue::worker::current_key()
    );

    // Again: nothing is computed, the file is untouched, nothing is left over.
    let modified = std::fs::metadata(&file)
        .and_then(|m| m.modified())
        .expect("mtime");
    let again = report(&worker(&title, &out));
    assert_eq!(again["cached"], true);
    assert_eq!(again["file"], first["file"]);
    assert_eq!(again["shots"], first["shots"]);
    assert_eq!(
        std::fs::metadata(&file)
            .and_then(|m| m.modified())
            .expect("mtime"),
        modified
    );
    let entries: Vec<_> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        entries,
        vec![file.file_name().expect("name").to_owned()],
        "only the features file"
    );
}

#[test]
fn exit_codes_say_whether_to_retry() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("features");
    // Not a video, and no file at all: bad input, never retried.
    let junk = dir.path().join("junk.mp4");
    std::fs::write(&junk, b"not a video").expect("junk");
    for input in [junk.clone(), dir.path().join("missing.mp4")] {
        let run = worker(&input, &out);
        assert_eq!(
            run.status.code(),
            Some(65),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let said = String::from_utf8_lossy(&run.stderr);
        assert!(
            said.contains(&*input.to_string_lossy()),
            "names the file: {said}"
        );
    }
    // A good title whose output folder cannot be made: transient.
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, b"").expect("file");
    let run = worker(&sample("bbb-meadow.mp4"), &blocked.join("features"));
    assert_eq!(
        run.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(!out.exists() || std::fs::read_dir(&out).expect("out").next().is_none());
}

#[test]
fn a_catalogue_build_proposes_exactly_the_pairs_of_a_local_scan() {
    let dir = tempfile::tempdir().expect("temp dir");
    let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let features = dir.path().join("features");
    let mut titles: Vec<PathBuf> = std::fs::read_dir(&samples)
        .expect("samples")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "mp4"))
        .collect();
    titles.sort();
    assert!(titles.len() >= 6, "{titles:?}");
    for title in &titles {
        report(&worker(title, &features));
    }
    let library = dir.path().join("library");
    scan_into(&library, &samples);
    let local = local_pairs(&library);
    assert!(
        local.len() > 20 && local.values().any(|p| p.0 == "motion"),
        "{} local pairs",
        local.len()
    );

    // Small shards, so that the lists are merged across several.
    let out = dir.path().join("build");
    for (search, extra) in [("hnsw", None), ("exact", Some("--exact"))] {
        let built = matchcut_on_cpu()
            .args(["catalogue", "build", "--shard-shots", "10", "--features"])
            .arg(&features)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .output()
            .expect("catalogue build");
        let built = report(&built);
        assert!(built["shards"].as_u64().unwrap_or(0) >= 3, "{built}");
        assert_eq!(built["titles"], titles.len());
        let file = PathBuf::from(built["file"].as_str().expect("file"));
        let proposals = matchcut::catalogue::proposals::read(&file).expect("proposals");
        assert_eq!(proposals.build_id, built["build_id"].as_str().unwrap_or(""));
        assert_same_pairs(search, &local, &proposal_pairs(&file));
    }
}

//! Catalogue mode's worker on real titles: `matchcut worker analyse`
//! writes a features file that reads back into exactly the analysis a
//! local `matchcut scan` stores, computes nothing the second time, and
//! says with its exit code whether a failure is worth retrying; a build
//! over the features proposes the pairs a local scan finds, and imported
//! into a library makes the library a local scan makes.

mod common;

use common::*;
use matchcut::catalogue::build::{BuildParams, Catalogue};
use matchcut::catalogue::features;
use matchcut::store::{DuplicateRecord, ListedPair};
use std::collections::BTreeSet;
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
fn a_catalogue_build_proposes_and_imports_exactly_what_a_local_scan_makes() {
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
        let built = build(&features, &out, extra);
        assert!(built["shards"].as_u64().unwrap_or(0) >= 3, "{built}");
        assert_eq!(built["titles"], titles.len());
        let file = PathBuf::from(built["file"].as_str().expect("file"));
        let proposals = matchcut::catalogue::proposals::read(&file).expect("proposals");
        assert_eq!(proposals.build_id, built["build_id"].as_str().unwrap_or(""));
        assert_same_pairs(search, &local, &proposal_pairs(&file));
    }

    // The catalogue of every title but one, then that one added in a delta
    // shard: the merged proposals and links are the full build's.
    let full = matchcut::catalogue::proposals::read(&newest_proposals(&out)).expect("proposals");
    let full_links = matchcut::catalogue::proposals::read_duplicates(
        &matchcut::catalogue::proposals::duplicates_path(&newest_proposals(&out), &full.build_id),
        &full.build_id,
    )
    .expect("duplicates");
    // The lists a new shot enters come from the reverse indexes (share 1:
    // every list but the highest threshold's there) or from the range
    // search of the framing indexes (share 0: none there), or both; in
    // one shard (whose first asks reach few of its shots) or many.
    for (exact, share, shard_shots) in [(true, 0.0, 10_000), (true, 1.0, 10_000), (false, 0.02, 10)]
    {
        let (merged, links) = built_then_added(
            &features,
            last_title(&titles),
            BuildParams {
                shard_shots,
                exact,
                open_share: share,
                ..BuildParams::default()
            },
            dir.path(),
        );
        // Frame pairs: motion pairs come with the next full build.
        let (merged, full) = (summary(&merged), summary(&full.pairs));
        let only_merged: Vec<_> = merged
            .iter()
            .filter(|p| !full.contains(p))
            .take(5)
            .collect();
        let only_full: Vec<_> = full
            .iter()
            .filter(|p| !merged.contains(p))
            .take(5)
            .collect();
        assert!(
            merged == full,
            "exact {exact}, share {share}: {} pairs merged, {} built; only merged {only_merged:?}; only built {only_full:?}",
            merged.len(),
            full.len()
        );
        assert_eq!(link_set(&links), link_set(&full_links), "exact: {exact}");
    }

    // The last build (exact) into a new library: the library a local scan
    // made, lists, k-th values and duplicate links included.
    let imported = dir.path().join("imported");
    let links = rows_of(&library, "SELECT a_hash, b_hash FROM duplicates");
    assert!(!links.is_empty(), "the samples share footage");
    let imported_report = import(&out, &imported);
    assert_eq!(imported_report["titles"], titles.len(), "{imported_report}");
    assert_same_library(&library, &imported);

    // A decision there survives the next import of the same catalogue.
    let decided = local.keys().next().expect("a pair").clone();
    let decide = matchcut_on_cpu()
        .args(["decide", &decided, "approve", "--library"])
        .arg(&imported)
        .output()
        .expect("decide");
    assert!(
        decide.status.success(),
        "{}",
        String::from_utf8_lossy(&decide.stderr)
    );
    import(&out, &imported);
    assert_eq!(
        decisions_of(&imported),
        vec![(decided.clone(), "approve".to_string())]
    );
    assert_same_library(&library, &imported);

    // A build of all titles but one, imported, then the last one scanned
    // into it locally: the lists are live, the library is the same again.
    let last = last_title(&titles);
    let held_back = dir.path().join("held-back");
    std::fs::create_dir_all(&held_back).expect("dir");
    for entry in std::fs::read_dir(&features).expect("features") {
        let path = entry.expect("entry").path();
        let f = features::read(&path).expect("features file");
        if Path::new(f.media["path"].as_str().unwrap_or_default()) == last {
            std::fs::rename(&path, held_back.join(path.file_name().expect("name"))).expect("move");
        }
    }
    let partial = dir.path().join("build-partial");
    build(&features, &partial, None);
    let grown = dir.path().join("grown");
    assert_eq!(import(&partial, &grown)["titles"], titles.len() - 1);
    scan_into(&grown, last);
    assert_same_library(&library, &grown);

    // A library holding a title the build lacks is refused, untouched.
    let refused = matchcut_on_cpu()
        .arg("import-proposals")
        .arg(&partial)
        .arg("--library")
        .arg(&grown)
        .output()
        .expect("import");
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("the build does not"), "{stderr}");
    assert_same_library(&library, &grown);

    // The held-back title's features back: building into the same folder
    // adds it in a delta shard, and the proposals are the full build's.
    for entry in std::fs::read_dir(&held_back).expect("held back") {
        let path = entry.expect("entry").path();
        std::fs::rename(&path, features.join(path.file_name().expect("name"))).expect("move");
    }
    let grown_build = build(&features, &partial, None);
    assert_eq!(grown_build["added"], 1, "{grown_build}");
    assert_eq!(grown_build["titles"], titles.len());
    let file = PathBuf::from(grown_build["file"].as_str().expect("file"));
    let grown_proposals = matchcut::catalogue::proposals::read(&file).expect("proposals");
    assert_eq!(summary(&grown_proposals.pairs), summary(&full.pairs));
    let grown_links = matchcut::catalogue::proposals::read_duplicates(
        &matchcut::catalogue::proposals::duplicates_path(&file, &grown_proposals.build_id),
        &grown_proposals.build_id,
    )
    .expect("duplicates");
    assert_eq!(link_set(&grown_links), link_set(&full_links));
}

/// `matchcut catalogue build` in shards of 10 shots (`extra`: one more
/// flag); its report.
fn build(features: &Path, out: &Path, extra: Option<&str>) -> serde_json::Value {
    report(
        &matchcut_on_cpu()
            .args(["catalogue", "build", "--shard-shots", "10", "--features"])
            .arg(features)
            .arg("--out")
            .arg(out)
            .args(extra)
            .output()
            .expect("catalogue build"),
    )
}

fn last_title(titles: &[PathBuf]) -> &Path {
    titles.last().expect("a title")
}

fn newest_proposals(build: &Path) -> PathBuf {
    matchcut::catalogue::import::proposals_file(build).expect("a proposals file")
}

/// The catalogue (in memory) of every features file in `features` but
/// `last`'s, then `last` added: the merged proposals and every duplicate
/// link.
fn built_then_added(
    features: &Path,
    last: &Path,
    params: BuildParams,
    scratch: &Path,
) -> (Vec<ListedPair>, Vec<DuplicateRecord>) {
    let (mut before, mut added) = (Vec::new(), Vec::new());
    for entry in std::fs::read_dir(features).expect("features") {
        let f = features::read(&entry.expect("entry").path()).expect("features file");
        let path = f.media["path"].as_str().unwrap_or_default().to_string();
        let vectors = matchcut::jobs::library::new_title(&path, &f.analysis, &params.matching)
            .expect("title")
            .vectors;
        if Path::new(&path) == last {
            added.push(vectors);
        } else {
            before.push(vectors);
        }
    }
    assert_eq!(added.len(), 1);
    let shards = scratch.join(format!(
        "delta-{}-{}-{}",
        params.exact, params.open_share, params.shard_shots
    ));
    let mut catalogue = Catalogue::build(before, &shards, params.clone()).expect("build");
    let previous = catalogue.proposals().expect("proposals");
    let shards_before = catalogue.shards();
    let again = added.clone();
    let delta = catalogue.add(added, &shards).expect("add");
    assert_eq!(catalogue.shards(), shards_before + 1, "the delta shard");
    // The same title again: its keys collide, and the catalogue stays.
    let titles_before = catalogue.titles.len();
    let refused = catalogue.add(again, &shards);
    assert!(matches!(
        refused,
        Err(matchcut::catalogue::build::BuildError::KeyCollision(..))
    ));
    assert_eq!(
        (catalogue.titles.len(), catalogue.shards()),
        (titles_before, shards_before + 1)
    );
    let merged = matchcut::catalogue::delta::merge(&previous.pairs, &delta, params.matching.k);
    let mut links = previous.duplicates;
    links.extend(delta.duplicates);
    (merged, links)
}

/// Frame pairs as (id, kind, whose lists, score to 1e-6).
fn summary(pairs: &[ListedPair]) -> Vec<(String, String, bool, bool, i64)> {
    let mut out: Vec<_> = pairs
        .iter()
        .filter(|p| p.candidate.components.motion.is_none())
        .map(|p| {
            let c = &p.candidate;
            let kind = c.components.kind().name().to_string();
            let score = (f64::from(c.score) * 1e6).round() as i64;
            (c.id.clone(), kind, p.in_exit_list, p.in_entry_list, score)
        })
        .collect();
    out.sort();
    out
}

/// Links as unordered shot pairs.
fn link_set(links: &[DuplicateRecord]) -> BTreeSet<(String, usize, String, usize)> {
    links
        .iter()
        .map(|d| {
            let (a, b) = if d.a <= d.b {
                (&d.a, &d.b)
            } else {
                (&d.b, &d.a)
            };
            (
                a.content_hash.clone(),
                a.shot,
                b.content_hash.clone(),
                b.shot,
            )
        })
        .collect()
}

fn import(build: &Path, library: &Path) -> serde_json::Value {
    report(
        &matchcut_on_cpu()
            .arg("import-proposals")
            .arg(build)
            .arg("--library")
            .arg(library)
            .output()
            .expect("import-proposals"),
    )
}

fn decisions_of(library: &Path) -> Vec<(String, String)> {
    let db = rusqlite::Connection::open(library.join(".matchcut/library.sqlite")).expect("db");
    let mut q = db
        .prepare("SELECT pair_id, decision FROM decisions ORDER BY pair_id")
        .expect("query");
    let rows = q
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("decisions");
    rows.map(|r| r.expect("row")).collect()
}

/// Rows of one query over a library, as text, each number rounded to 6
/// decimals (scores are f32 either way).
fn rows_of(library: &Path, sql: &str) -> Vec<String> {
    let db = rusqlite::Connection::open(library.join(".matchcut/library.sqlite")).expect("db");
    let mut q = db.prepare(sql).expect(sql);
    let n = q.column_count();
    let rows = q
        .query_map([], |r| {
            let cells = (0..n)
                .map(|i| match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Real(x) => Ok(format!("{x:.6}")),
                    rusqlite::types::ValueRef::Integer(x) => Ok(x.to_string()),
                    rusqlite::types::ValueRef::Text(t) => Ok(String::from_utf8_lossy(t).into()),
                    rusqlite::types::ValueRef::Null => Ok("null".into()),
                    rusqlite::types::ValueRef::Blob(b) => Ok(blake3::hash(b).to_hex().to_string()),
                })
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(cells.join(" "))
        })
        .expect(sql);
    rows.map(|r| r.expect("row")).collect()
}

/// Two libraries hold the same pairs (with the lists holding them), shots
/// (with their lists' k-th values), keyframes and duplicate links.
fn assert_same_library(a: &Path, b: &Path) {
    for sql in [
        "SELECT id, kind, from_hash, from_shot, from_frame, to_hash, to_shot, to_frame, score, in_exit_list, in_entry_list, motion FROM pairs ORDER BY id",
        "SELECT content_hash, shot, first_frame, last_frame, group_shot, exit_kth, entry_kth, motion, prints FROM shots ORDER BY content_hash, shot",
        "SELECT key, frame, composition, vector, regions, figure FROM keyframes ORDER BY key",
        "SELECT content_hash, shot, reason FROM set_aside ORDER BY content_hash, shot",
        "SELECT * FROM duplicates ORDER BY 1, 2, 3, 4",
        "SELECT content_hash, frame_rate, start_timecode, frame_count, shots, analysis, indexed FROM titles ORDER BY content_hash",
    ] {
        let (x, y) = (rows_of(a, sql), rows_of(b, sql));
        let only_a: Vec<&String> = x.iter().filter(|r| !y.contains(r)).take(4).collect();
        let only_b: Vec<&String> = y.iter().filter(|r| !x.contains(r)).take(4).collect();
        assert!(
            x == y,
            "{sql}: {} rows against {}; only in {}: {only_a:#?}; only in {}: {only_b:#?}",
            x.len(),
            y.len(),
            a.display(),
            b.display()
        );
    }
}

/// The model input of frame `index` of `file`, made as `matchcut embed`
/// makes it (CPU preprocessing).
fn model_input(file: &Path, index: u64) -> Vec<f32> {
    use matchcut::preprocess::{self, BackendChoice, Preprocessor, StreamFacts};
    matchcut::init_ffmpeg(true);
    let mut decoder =
        matchcut::media::Decoder::probe_and_open(file, matchcut::media::DecodeMode::Full)
            .expect("open");
    let frame = decoder.seek_frame(index).expect("seek").frame;
    let converted = preprocess::supported(&frame).expect("convert");
    let frame = converted.as_ref().unwrap_or(&frame);
    let view = preprocess::view(frame, StreamFacts::of(decoder.info())).expect("planes");
    let mut preprocessor = Preprocessor::new(
        matchcut::embed::preprocess_config(),
        preprocess::choose_backend(BackendChoice::Cpu),
    );
    preprocessor.process(&[view]).model_input.clone()
}

/// A request line and its frames' inputs, as `worker embed` reads them.
fn request(id: &str, frames: &[(u64, &[f32])]) -> Vec<u8> {
    let numbers: Vec<u64> = frames.iter().map(|(f, _)| *f).collect();
    let mut bytes = format!("{}\n", serde_json::json!({"id": id, "frames": numbers})).into_bytes();
    for (_, input) in frames {
        bytes.extend(input.iter().flat_map(|v| v.to_le_bytes()));
    }
    bytes
}

/// Runs `matchcut worker embed` on `stdin`; its exit code and answers.
fn embed_worker(stdin: &[u8]) -> (Option<i32>, Vec<serde_json::Value>) {
    use std::io::Write;
    let mut child = matchcut_on_cpu()
        .args(["worker", "embed"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("worker embed");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    let answers = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON answer"))
        .collect();
    (out.status.code(), answers)
}

#[test]
fn the_embedding_worker_answers_what_the_model_says_with_the_model_loaded_once() {
    let file = sample("bbb-meadow.mp4");
    let (a, b) = (model_input(&file, 0), model_input(&file, 30));
    let mut stdin = request("first", &[(0, &a), (30, &b)]);
    stdin.extend(request("second", &[(30, &b)]));
    let (code, answers) = embed_worker(&stdin);
    assert_eq!(code, Some(0), "{answers:?}");
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0]["id"], "first");
    assert_eq!(answers[1]["id"], "second");
    // One process answered both: the model was loaded once.
    assert_eq!(
        (answers[0]["served"].clone(), answers[1]["served"].clone()),
        (1.into(), 2.into())
    );
    let vector = |v: &serde_json::Value| -> Vec<f64> {
        v.as_array()
            .expect("a vector")
            .iter()
            .map(|x| x.as_f64().unwrap_or(f64::NAN))
            .collect()
    };
    for (n, index) in [(0, 0u64), (1, 30)] {
        let keyframe = &answers[0]["keyframes"][n];
        assert_eq!(keyframe["frame"], index);
        assert!(keyframe["composition"]
            .as_array()
            .is_some_and(|c| !c.is_empty()));
        let one = matchcut_on_cpu()
            .arg("embed")
            .arg(&file)
            .args(["--index", &index.to_string()])
            .output()
            .expect("embed");
        let expected = vector(&report(&one)["vector"]);
        let got = vector(&keyframe["vector"]);
        assert_eq!(got.len(), expected.len());
        let worst = worst_difference(&got, &expected);
        assert!(worst < 1e-4, "frame {index}: off by {worst}");
    }
    let again = vector(&answers[1]["keyframes"][0]["vector"]);
    let first = vector(&answers[0]["keyframes"][1]["vector"]);
    let worst = worst_difference(&again, &first);
    assert!(worst < 1e-4, "the same frame twice: off by {worst}");

    // A request cut short: an answer that says so, never to retry, exit 65.
    let mut cut = request("cut", &[(0, &a), (30, &b)]);
    cut.truncate(cut.len() - 100);
    let (code, answers) = embed_worker(&cut);
    assert_eq!(code, Some(65));
    assert_eq!(answers.len(), 1);
    assert_eq!(answers[0]["id"], "cut");
    assert_eq!(answers[0]["retry"], false);
    assert!(
        answers[0]["error"]
            .as_str()
            .is_some_and(|e| e.contains("cut short")),
        "{}",
        answers[0]
    );
    // Not a request at all.
    let (code, answers) = embed_worker(b"hello\n");
    assert_eq!(code, Some(65));
    assert_eq!(answers[0]["retry"], false);
}

/// The largest difference between two vectors' components.
fn worst_difference(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

//! The library end to end: `scan` through the real pipeline (decoding, shot
//! detection, the Burn model, exact neighbour lists, SQLite), then duplicates, pairs,
//! re-scans, stable ids, repair and removal.
//!
//! Titles: `shots_known.mp4` (25 fps; shots 0, 3 and 5 are Big Buck Bunny,
//! one set-up; shot 4 is a test pattern with digits, a card) and
//! `library_b.mp4` (24000/1001; shot 1 is shot 1 of the first, resized and
//! re-graded; shots 0/3 and 2/4 are two interleaved set-ups), plus a file
//! that is not a video.

mod common;

use common::*;

use matchcut::index::keyframe_key;
use matchcut::jobs::listing::{self, PairView};
use matchcut::jobs::{self, LibraryData, ScanOptions, ScanReport, TitleStatus};
use matchcut::matching::ShotRef;
use matchcut::preprocess::BackendChoice;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("matchcut-library-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn scan(paths: Vec<PathBuf>, library: &Path) -> ScanReport {
    let mut options = ScanOptions::new(library.to_path_buf());
    options.preprocess = BackendChoice::Cpu;
    options.device = BackendChoice::Cpu;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime
        .block_on(jobs::scan(
            paths,
            options,
            Arc::new(|_| {}),
            tokio_util::sync::CancellationToken::new(),
        ))
        .expect("scan")
}

fn inputs() -> Vec<PathBuf> {
    vec![
        fixture("shots_known.mp4"),
        fixture("library_b.mp4"),
        fixture("not_video.mp4"),
    ]
}

/// The library every read-only test shares: scanned once.
fn scanned() -> &'static (PathBuf, ScanReport) {
    static LIBRARY: OnceLock<(PathBuf, ScanReport)> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        fixtures();
        let dir = scratch("shared");
        let report = scan(inputs(), &dir);
        (dir, report)
    })
}

fn hash_of(report: &ScanReport, name: &str) -> String {
    report
        .titles
        .iter()
        .find(|t| t.path.ends_with(name))
        .and_then(|t| t.content_hash.clone())
        .expect("title hash")
}

fn shot(hash: &str, shot: usize) -> ShotRef {
    ShotRef {
        content_hash: hash.to_string(),
        shot,
    }
}

fn ends(p: &PairView) -> (ShotRef, ShotRef) {
    (
        shot(&p.from.content_hash, p.from.shot),
        shot(&p.to.content_hash, p.to.shot),
    )
}

#[test]
fn scan_reports_every_title_and_goes_on_past_a_bad_one() {
    let (_, report) = scanned();
    let status: Vec<TitleStatus> = report.titles.iter().map(|t| t.status).collect();
    assert_eq!(
        status,
        [
            TitleStatus::Analysed,
            TitleStatus::Analysed,
            TitleStatus::Failed
        ]
    );
    let error = report.titles[2].error.as_deref().unwrap_or_default();
    assert!(error.contains("not_video.mp4"), "{error}");
    // Six shots, less the test pattern: a card, kept out of matching.
    assert_eq!(report.titles[0].shots, Some(5));
    assert_eq!(report.titles[1].shots, Some(5));
    assert!(report.pairs > 0);
    let data = LibraryData::open(&scanned().0).expect("open");
    let shots = data
        .store()
        .shots(&hash_of(report, "shots_known.mp4"))
        .expect("shots");
    let numbers: Vec<usize> = shots.iter().map(|s| s.shot).collect();
    assert_eq!(numbers, [0, 1, 2, 3, 5]);
    // Every shot keeps the footage prints of its captured frames that show
    // a picture: one in 8 frames, and those around changes that may be
    // cuts (shot 3 has a flash).
    for s in &shots {
        let prints = s.prints.len() / matchcut::matching::footage::LEN;
        let frames = (s.last_frame - s.first_frame + 1) as usize;
        assert_eq!(s.prints.len() % matchcut::matching::footage::LEN, 0);
        assert!(
            prints >= frames / 16 && prints <= frames / 4,
            "shot {}: {prints} prints for {frames} frames",
            s.shot
        );
    }
}

#[test]
fn planted_duplicate_footage_is_recognised_and_never_paired() {
    let (dir, report) = scanned();
    let (a, b) = (
        hash_of(report, "shots_known.mp4"),
        hash_of(report, "library_b.mp4"),
    );
    let data = LibraryData::open(dir).expect("open");
    let groups = listing::duplicate_groups(&data).expect("duplicates");
    let members: Vec<Vec<(String, usize)>> = groups
        .iter()
        .map(|g| {
            g.members
                .iter()
                .map(|m| (m.content_hash.clone(), m.shot))
                .collect()
        })
        .collect();
    assert_eq!(members.len(), 1, "{members:?}");
    let expected: HashSet<_> = [(a.clone(), 1), (b.clone(), 1)].into_iter().collect();
    assert_eq!(members[0].iter().cloned().collect::<HashSet<_>>(), expected);
    let planted: HashSet<ShotRef> = [shot(&a, 1), shot(&b, 1)].into_iter().collect();
    for p in listing::pairs(&data, 1000).expect("pairs") {
        let (from, to) = ends(&p);
        assert!(
            !(planted.contains(&from) && planted.contains(&to)),
            "duplicate footage offered as pair {}",
            p.id
        );
    }
}

#[test]
fn no_pair_joins_two_shots_of_one_set_up() {
    let (dir, report) = scanned();
    let (a, b) = (
        hash_of(report, "shots_known.mp4"),
        hash_of(report, "library_b.mp4"),
    );
    let data = LibraryData::open(dir).expect("open");
    let group_of = |hash: &str, n: usize| {
        let shots = data.store().shots(hash).expect("shots");
        shots.iter().find(|s| s.shot == n).map(|s| s.group_shot)
    };
    // The set-ups the fixtures were built with. Shot 3 of the first title
    // is shot 0's take flipped: one set-up. Shot 5 is the take zoomed 1.6x,
    // framed otherwise: not grouped, but one scene with shots 0 and 3, so
    // never paired with them either.
    assert_eq!(group_of(&a, 3), group_of(&a, 0));
    assert_ne!(group_of(&a, 5), group_of(&a, 0));
    assert_eq!(group_of(&b, 3), group_of(&b, 0));
    assert_eq!(group_of(&b, 4), group_of(&b, 2));
    assert_ne!(group_of(&b, 2), group_of(&b, 0));
    let pairs = listing::pairs(&data, 1000).expect("pairs");
    assert!(!pairs.is_empty());
    for p in &pairs {
        let (from, to) = ends(p);
        if from.content_hash == to.content_hash {
            let (gf, gt) = (
                group_of(&from.content_hash, from.shot),
                group_of(&to.content_hash, to.shot),
            );
            assert_ne!(gf, gt, "pair {} inside one set-up", p.id);
            assert!(from.shot.abs_diff(to.shot) > 2, "adjacent shots paired");
            let take = [0, 3, 5];
            let one_take =
                from.content_hash == a && take.contains(&from.shot) && take.contains(&to.shot);
            assert!(!one_take, "pair {} inside one scene", p.id);
        }
    }
}

#[test]
fn pairs_name_the_cut_frames_with_timecodes_and_rank_best_first() {
    let (dir, _) = scanned();
    let data = LibraryData::open(dir).expect("open");
    let pairs = listing::pairs(&data, 1000).expect("pairs");
    let ids: HashSet<&str> = pairs.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), pairs.len(), "pair ids repeat");
    for (i, p) in pairs.iter().enumerate() {
        assert_eq!(p.rank, i + 1);
        assert!(i == 0 || pairs[i - 1].score >= p.score);
        assert!(p.id.len() == 16 && p.id.chars().all(|c| c.is_ascii_hexdigit()));
        let from = data.store().shots(&p.from.content_hash).expect("shots");
        let to = data.store().shots(&p.to.content_hash).expect("shots");
        let find = |shots: &[matchcut::store::ShotRecord], n: usize| {
            shots.iter().find(|s| s.shot == n).cloned().expect("shot")
        };
        // The cut uses the shots' exit and entry keyframes, inside them.
        let (out, into) = (find(&from, p.from.shot), find(&to, p.to.shot));
        assert_eq!(
            keyframe_key(&p.from.content_hash, p.from.frame),
            out.exit_key
        );
        assert_eq!(keyframe_key(&p.to.content_hash, p.to.frame), into.entry_key);
        assert!((out.first_frame..=out.last_frame).contains(&p.from.frame));
        assert!((into.first_frame..=into.last_frame).contains(&p.to.frame));
        for end in [&p.from, &p.to] {
            assert_eq!(end.timecode.len(), 11, "{}", end.timecode);
        }
    }
    // 24000/1001 timecode of library_b.mp4: frame 38 is 00:00:01:14.
    let b_entry = pairs
        .iter()
        .find(|p| p.to.path.ends_with("library_b.mp4") && p.to.frame == 38);
    if let Some(p) = b_entry {
        assert_eq!(p.to.timecode, "00:00:01:14");
    }
}

#[test]
fn an_unchanged_rescan_only_reads_the_store() {
    let (dir, first) = scanned();
    let data = LibraryData::open(dir).expect("open");
    let before = listing::pairs(&data, 1000).expect("pairs");
    drop(data);
    let again = scan(inputs(), dir);
    let status: Vec<TitleStatus> = again.titles.iter().map(|t| t.status).collect();
    assert_eq!(
        status,
        [
            TitleStatus::Cached,
            TitleStatus::Cached,
            TitleStatus::Failed
        ]
    );
    assert_eq!(again.pairs, first.pairs);
    let data = LibraryData::open(dir).expect("open");
    assert_eq!(listing::pairs(&data, 1000).expect("pairs"), before);
}

#[test]
fn pair_ids_are_the_same_in_another_library_of_renamed_copies() {
    let (dir, _) = scanned();
    let data = LibraryData::open(dir).expect("open");
    let ids = |pairs: Vec<PairView>| pairs.into_iter().map(|p| p.id).collect::<HashSet<_>>();
    let original = ids(listing::pairs(&data, 1000).expect("pairs"));
    let other = scratch("renamed");
    let copies = vec![other.join("one.mov.mp4"), other.join("two.mp4")];
    std::fs::copy(fixture("shots_known.mp4"), &copies[0]).expect("copy");
    std::fs::copy(fixture("library_b.mp4"), &copies[1]).expect("copy");
    scan(copies, &other.join("library"));
    let data = LibraryData::open(&other.join("library")).expect("open");
    assert_eq!(ids(listing::pairs(&data, 1000).expect("pairs")), original);
    std::fs::remove_dir_all(&other).ok();
}

/// A copy of the shared library's data to change: its store. (Other tests
/// read the library meanwhile: the store's `-wal` and `-shm` files come and
/// go with their connections, and the store itself is complete once the
/// scan has closed it.)
fn copy_library(name: &str) -> PathBuf {
    let (dir, _) = scanned();
    let copy = scratch(name);
    let data = copy.join(jobs::library::DATA_DIR);
    std::fs::create_dir_all(&data).expect("folder");
    let from = dir.join(jobs::library::DATA_DIR).join("library.sqlite");
    std::fs::copy(&from, data.join("library.sqlite")).expect("copy");
    copy
}

fn pair_ids(library: &Path) -> Vec<String> {
    let data = LibraryData::open(library).expect("open");
    let mut ids: Vec<String> = listing::pairs(&data, usize::MAX)
        .expect("pairs")
        .into_iter()
        .map(|p| p.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn removing_a_title_leaves_the_pairs_of_a_library_that_never_had_it() {
    let library = copy_library("remove");
    let (_, report) = scanned();
    let b = hash_of(report, "library_b.mp4");
    let mut data = LibraryData::open(&library).expect("open");
    let lock = data.lock(&|_| {}).expect("lock");
    data.remove_title(&lock, &b).expect("remove");
    assert!(data.store().title_vectors(&b).expect("read").is_none());
    drop((lock, data));
    let data = LibraryData::open(&library).expect("open");
    assert!(listing::duplicate_groups(&data)
        .expect("duplicates")
        .is_empty());
    let pairs = listing::pairs(&data, 1000).expect("pairs");
    assert!(!pairs.is_empty());
    assert!(pairs
        .iter()
        .all(|p| p.from.content_hash != b && p.to.content_hash != b));
    // Exactly the pairs of the other title scanned alone.
    let alone = scratch("alone");
    scan(vec![fixture("shots_known.mp4")], &alone);
    assert_eq!(pair_ids(&library), pair_ids(&alone));
    std::fs::remove_dir_all(&library).ok();
    std::fs::remove_dir_all(&alone).ok();
}

#[test]
fn titles_left_unindexed_are_repaired_from_stored_features() {
    let library = copy_library("repair");
    let before = pair_ids(&library);
    // As a store from before exact lists, or with its lists lost, holds them.
    let store = LibraryData::store_path(&library);
    let conn = rusqlite::Connection::open(&store).expect("open");
    conn.execute_batch("UPDATE titles SET indexed = 0; DELETE FROM pairs; DELETE FROM duplicates;")
        .expect("unindex");
    drop(conn);
    std::fs::write(
        library
            .join(jobs::library::DATA_DIR)
            .join("entries.usearch"),
        b"old",
    )
    .expect("old index");
    let report = scan(inputs(), &library);
    assert_eq!(report.repaired, 2, "{report:?}");
    let status: Vec<TitleStatus> = report.titles.iter().map(|t| t.status).collect();
    assert_eq!(
        status,
        [
            TitleStatus::Cached,
            TitleStatus::Cached,
            TitleStatus::Failed
        ]
    );
    assert_eq!(pair_ids(&library), before);
    assert!(!library
        .join(jobs::library::DATA_DIR)
        .join("entries.usearch")
        .exists());
    std::fs::remove_dir_all(&library).ok();
}

#[test]
fn the_cli_prints_pairs_duplicates_and_a_contact_sheet() {
    let (dir, _) = scanned();
    let cli = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_matchcut"))
            .args(args)
            .arg("--library")
            .arg(dir)
            .output()
            .expect("run matchcut");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    // The test pattern of shots_known.mp4 is a card, set aside.
    let known = fixture("shots_known.mp4");
    let shots: serde_json::Value =
        serde_json::from_slice(&cli(&["shots", "--json", known.to_str().expect("path")]))
            .expect("json");
    let kinds: Vec<(&str, Option<&str>)> = shots[0]["shots"]
        .as_array()
        .expect("shots")
        .iter()
        .map(|s| (s["kind"].as_str().unwrap_or(""), s["set_aside"].as_str()))
        .collect();
    assert_eq!(kinds[4], ("card", Some("card")), "{kinds:?}");
    assert!(
        kinds.iter().filter(|k| k.1.is_some()).count() == 1,
        "{kinds:?}"
    );
    let pairs: serde_json::Value =
        serde_json::from_slice(&cli(&["pairs", "--top", "3", "--json"])).expect("json");
    let pairs = pairs.as_array().expect("array");
    assert_eq!(pairs.len(), 3);
    for key in ["id", "rank", "score", "kind", "from", "to", "components"] {
        assert!(pairs[0].get(key).is_some(), "pairs: no {key}");
    }
    for key in ["path", "content_hash", "shot", "frame", "timecode"] {
        assert!(pairs[0]["from"].get(key).is_some(), "pair end: no {key}");
    }
    let groups: serde_json::Value =
        serde_json::from_slice(&cli(&["duplicates", "--json"])).expect("json");
    let member = &groups[0]["members"][0];
    for key in ["path", "content_hash", "shot", "first_frame", "last_frame"] {
        assert!(member.get(key).is_some(), "duplicates: no {key}");
    }
    let sheet = scratch("sheet").join("top.png");
    cli(&[
        "pairs",
        "--top",
        "2",
        "--sheet",
        sheet.to_str().expect("path"),
    ]);
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&sheet).expect("sheet written"),
    ));
    let info = decoder.read_info().expect("png").info().clone();
    assert!(
        info.width > 700 && info.height > 2 * 250,
        "{}x{}",
        info.width,
        info.height
    );
}

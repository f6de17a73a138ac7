//! EDL, OpenTimelineIO and Final Cut Pro 7 XML export, checked by
//! OpenTimelineIO's own readers (`opentimelineio`, `otio-cmx3600-adapter`,
//! `otio-fcp-adapter`, installed by `make test`): every rate an NLE meets
//! (23.976, 24, 25, 29.97 drop and non-drop, 59.94), snapshots of the EDL
//! text, and a scanned library's approved pairs through the CLI, one rate
//! and several.

mod common;

use common::*;
use matchcut::export::{write_edl, write_otio, write_xmeml, Clip, CutList, EdlStyle, Side, Source};
use matchcut::media::Rate;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python that has OpenTimelineIO: `MATCHCUT_OTIO_PYTHON`, else the
/// environment `make test` creates.
fn python() -> PathBuf {
    let path = std::env::var_os("MATCHCUT_OTIO_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/otioenv/bin/python"));
    assert!(
        path.exists(),
        "{}: no Python with OpenTimelineIO; `make test` installs it (or set MATCHCUT_OTIO_PYTHON)",
        path.display()
    );
    path
}

/// What OpenTimelineIO reads from each (file, rate).
fn otio_read(files: &[(PathBuf, Rate)]) -> Vec<Value> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/otio_read.py");
    let mut command = Command::new(python());
    command.arg(script);
    for (file, rate) in files {
        command.arg(file).arg(rate.to_string());
    }
    let output = command.output().expect("run OpenTimelineIO");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("reader output")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("matchcut-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// Frames since 00:00:00:00 of a timecode, worked out here (not by the code
/// under test): `base` frames a second, drop frame when `drop`.
fn tc_frames(h: u64, m: u64, s: u64, f: u64, base: u64, drop: bool) -> u64 {
    let minutes = h * 60 + m;
    let nominal = (minutes * 60 + s) * base + f;
    let dropped = if drop {
        base / 15 * (minutes - minutes / 10)
    } else {
        0
    };
    nominal - dropped
}

struct Case {
    name: &'static str,
    rate: (i64, i64),
    start: &'static str,
    /// The media's start timecode in frames.
    start_frames: u64,
    /// The record start (01:00:00:00, in the record's drop mode) in frames.
    record_frames: u64,
    drop: bool,
}

fn cases() -> Vec<Case> {
    let case = |name, rate, start, start_frames, record_frames, drop| Case {
        name,
        rate,
        start,
        start_frames,
        record_frames,
        drop,
    };
    vec![
        case(
            "23976",
            (24000, 1001),
            "00:59:59:00",
            tc_frames(0, 59, 59, 0, 24, false),
            tc_frames(1, 0, 0, 0, 24, false),
            false,
        ),
        case(
            "24",
            (24, 1),
            "10:00:00:00",
            tc_frames(10, 0, 0, 0, 24, false),
            tc_frames(1, 0, 0, 0, 24, false),
            false,
        ),
        case(
            "25",
            (25, 1),
            "09:59:50:00",
            tc_frames(9, 59, 50, 0, 25, false),
            tc_frames(1, 0, 0, 0, 25, false),
            false,
        ),
        case(
            "2997df",
            (30000, 1001),
            "00:00:58;00",
            tc_frames(0, 0, 58, 0, 30, true),
            tc_frames(1, 0, 0, 0, 30, true),
            true,
        ),
        case(
            "2997ndf",
            (30000, 1001),
            "00:00:58:00",
            tc_frames(0, 0, 58, 0, 30, false),
            tc_frames(1, 0, 0, 0, 30, false),
            false,
        ),
        case(
            "5994",
            (60000, 1001),
            "00:00:59;50",
            tc_frames(0, 0, 59, 50, 60, true),
            tc_frames(1, 0, 0, 0, 60, true),
            true,
        ),
    ]
}

/// Two sources, two pairs: clips that cross minute boundaries (drop points).
fn cut_list(case: &Case) -> CutList {
    let rate = Rate::new(case.rate.0, case.rate.1).expect("rate");
    let source = |path: &str| Source {
        path: path.to_string(),
        name: Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned(),
        rate,
        start_timecode: Some(case.start.to_string()),
        frame_count: 50_000,
        size: Some((1920, 1080)),
    };
    let clip = |source, first, frames, pair: &str, side| Clip {
        source,
        first,
        frames,
        record_frames: frames,
        pair_id: pair.to_string(),
        side,
    };
    CutList {
        title: format!("Match cuts {}", case.name),
        rate,
        sources: vec![
            source("/media/A camera/Interview_Day01_take_0001.mov"),
            source("/media/A camera/Interview_Day01_take_0002.mov"),
        ],
        clips: vec![
            clip(0, 30, 60, "p1", Side::Out),
            clip(1, 100, 48, "p1", Side::In),
            clip(1, 1790, 37, "p2", Side::Out),
            clip(0, 3590, 60, "p2", Side::In),
        ],
        record_start: "01:00:00:00".into(),
    }
}

fn check_read(read: &Value, cuts: &CutList, case: &Case, urls: bool) {
    let context = format!("{} {}", case.name, read["file"]);
    assert_eq!(read["record_start"], case.record_frames, "{context}");
    let clips = read["clips"].as_array().expect("clips");
    assert_eq!(clips.len(), cuts.clips.len(), "{context}");
    for (got, want) in clips.iter().zip(&cuts.clips) {
        let source = &cuts.sources[want.source];
        assert_eq!(got["name"], source.name.as_str(), "{context}");
        assert_eq!(got["start"], case.start_frames + want.first, "{context}");
        assert_eq!(got["duration"], want.frames, "{context}");
        if urls {
            assert_eq!(got["path"], source.path.as_str(), "{context}");
        }
    }
}

#[test]
fn opentimelineio_reads_our_edls_and_otio_files_at_every_rate() {
    let dir = scratch("rates");
    let mut files = Vec::new();
    for case in cases() {
        let cuts = cut_list(&case);
        for style in [EdlStyle::Avid, EdlStyle::Premiere, EdlStyle::Resolve] {
            let text = write_edl(&cuts, style).expect("edl");
            let fcm = if case.drop {
                "FCM: DROP FRAME"
            } else {
                "FCM: NON-DROP FRAME"
            };
            assert!(text.lines().nth(1) == Some(fcm), "{}: {text}", case.name);
            let path = dir.join(format!("{}-{style:?}.edl", case.name));
            std::fs::write(&path, &text).unwrap();
            files.push((path, cuts.rate));
            if style == EdlStyle::Avid {
                insta::assert_snapshot!(format!("edl_{}", case.name), text);
            }
        }
        let path = dir.join(format!("{}.otio", case.name));
        let otio = write_otio(&cuts).expect("otio");
        std::fs::write(&path, serde_json::to_string_pretty(&otio).unwrap()).unwrap();
        files.push((path, cuts.rate));
        let path = dir.join(format!("{}.xml", case.name));
        std::fs::write(&path, write_xmeml(&cuts).expect("xml")).unwrap();
        files.push((path, cuts.rate));
    }
    let reads = otio_read(&files);
    let mut reads = reads.iter();
    for case in cases() {
        let cuts = cut_list(&case);
        for urls in [true, false, false, true, true] {
            check_read(reads.next().expect("a read"), &cuts, &case, urls);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn matchcut(library: &Path, editor: &str, args: &[&str]) -> std::process::Output {
    let output = matchcut_on_cpu()
        .args(args)
        .env("MATCHCUT_LIBRARY", library)
        .env("MATCHCUT_EDITOR", editor)
        .output()
        .expect("run matchcut");
    assert!(
        output.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).expect("JSON")
}

/// Each shot's (first, last) frame of a title, from `matchcut shots`.
fn shot_ranges(library: &Path, file: &Path) -> Vec<(u64, u64)> {
    let shots = json(&matchcut(
        library,
        "x",
        &["shots", "--json", &file.to_string_lossy()],
    ));
    shots[0]["shots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["first_frame"].as_u64().unwrap(),
                s["last_frame"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn approved_pairs_of_a_scanned_library_export_at_the_media_timecode() {
    let title = fixture("export_df.mov");
    let library = scratch("scanned");
    matchcut(&library, "ann", &["scan", &title.to_string_lossy()]);
    let pairs = json(&matchcut(
        &library,
        "ann",
        &["pairs", "--json", "--top", "4"],
    ));
    let pairs = pairs.as_array().unwrap();
    assert!(pairs.len() >= 4, "{pairs:?}");
    let shots = shot_ranges(&library, &title);
    let shot_of = |end: &Value| shots[end["shot"].as_u64().unwrap() as usize];
    // The first pair's cut is trimmed: out 2 frames earlier, in 3 later
    // (within their shots).
    let frame = |end: &Value| end["frame"].as_u64().unwrap();
    let (first_from, first_to) = (&pairs[0]["from"], &pairs[0]["to"]);
    let trimmed = (
        (frame(first_from).saturating_sub(2)).max(shot_of(first_from).0),
        (frame(first_to) + 3).min(shot_of(first_to).1),
    );
    assert_ne!(
        trimmed,
        (frame(first_from), frame(first_to)),
        "room to trim"
    );
    let first_id = pairs[0]["id"].as_str().unwrap();
    let (out_frame, in_frame) = (trimmed.0.to_string(), trimmed.1.to_string());
    let beyond = (shot_of(first_to).1 + 1).to_string();
    let refused = Command::new(env!("CARGO_BIN_EXE_matchcut"))
        .args(["decide", first_id, "approve", "--in-frame", &beyond])
        .env("MATCHCUT_LIBRARY", &library)
        .env("MATCHCUT_EDITOR", "ann")
        .output()
        .unwrap();
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success() && why.contains(first_id) && why.contains("in frame"),
        "a cut outside its shot is refused: {why}"
    );
    matchcut(
        &library,
        "ann",
        &[
            "decide",
            first_id,
            "approve",
            "--out-frame",
            &out_frame,
            "--in-frame",
            &in_frame,
        ],
    );
    for pair in &pairs[1..3] {
        matchcut(
            &library,
            "ann",
            &["decide", pair["id"].as_str().unwrap(), "approve"],
        );
    }
    let decided = json(&matchcut(&library, "ann", &["decisions", "--json"]));
    let text = decided.to_string();
    assert!(
        text.contains(&format!("\"out_frame\":{}", trimmed.0))
            && text.contains(&format!("\"in_frame\":{}", trimmed.1)),
        "the trim is kept with the decision: {text}"
    );
    // A pair the editors disagree on is left out, and said so.
    let disputed = pairs[3]["id"].as_str().unwrap();
    matchcut(&library, "ann", &["decide", disputed, "approve"]);
    matchcut(&library, "bob", &["decide", disputed, "reject"]);

    let edl = library.join("cuts.edl");
    let otio = library.join("cuts.otio");
    let common = ["--handles", "0.5", "--record-start", "10:00:00:00"];
    let out = matchcut(
        &library,
        "ann",
        &[
            &["export", "edl", "--out", &edl.to_string_lossy()][..],
            &common,
        ]
        .concat(),
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains(disputed) && said.contains("rejected by bob"),
        "{said}"
    );
    let report = json(&matchcut(
        &library,
        "ann",
        &[
            &["export", "otio", "--json", "--out", &otio.to_string_lossy()][..],
            &common,
        ]
        .concat(),
    ));
    assert_eq!(
        (report["pairs"].as_u64(), report["clips"].as_u64()),
        (Some(3), Some(6)),
        "{report}"
    );
    assert_eq!(report["frame_rate"], "30000/1001");
    assert!(
        report["skipped"][0].as_str().unwrap().contains(disputed),
        "{report}"
    );

    let text = std::fs::read_to_string(&edl).unwrap();
    assert_eq!(text.lines().nth(1), Some("FCM: DROP FRAME"), "{text}");
    // The title's timecode starts at 00:00:58;00 (29.97 drop frame).
    let start = tc_frames(0, 0, 58, 0, 30, true);
    let handle = 15; // 0.5 s at 30000/1001
    let mut expected = Vec::new();
    for (n, pair) in pairs[..3].iter().enumerate() {
        let (from, to) = (&pair["from"], &pair["to"]);
        let (cut_out, cut_in) = match n {
            0 => trimmed,
            _ => (frame(from), frame(to)),
        };
        let first = (cut_out + 1).saturating_sub(handle).max(shot_of(from).0);
        expected.push((first, cut_out + 1 - first));
        let last = (cut_in + handle - 1).min(shot_of(to).1);
        expected.push((cut_in, last + 1 - cut_in));
    }
    let rate = Rate::new(30000, 1001).unwrap();
    let reads = otio_read(&[(edl.clone(), rate), (otio.clone(), rate)]);
    for read in &reads {
        assert_eq!(
            read["record_start"],
            tc_frames(10, 0, 0, 0, 30, true),
            "{read}"
        );
        let clips = read["clips"].as_array().unwrap();
        let got: Vec<(u64, u64)> = clips
            .iter()
            .map(|c| {
                (
                    c["start"].as_u64().unwrap() - start,
                    c["duration"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{}", read["file"]);
        for clip in clips {
            assert_eq!(clip["name"], "export_df.mov");
            assert_eq!(clip["target_url"], title.to_string_lossy().as_ref());
        }
    }
    std::fs::remove_dir_all(&library).unwrap();
}

/// A title of the mixed-rate library: its rate and its timecode's first
/// frame number, as the fixtures are made.
fn title_facts(name: &str) -> (Rate, u64) {
    match name {
        "export_df.mov" => (
            Rate::new(30000, 1001).unwrap(),
            tc_frames(0, 0, 58, 0, 30, true),
        ),
        "library_b.mp4" => (Rate::new(24000, 1001).unwrap(), 0),
        "shots_known.mp4" => (Rate::new(25, 1).unwrap(), 0),
        other => panic!("{other}: not a title of this test"),
    }
}

fn name_of(end: &Value) -> String {
    let path = end["path"].as_str().unwrap();
    Path::new(path)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into()
}

/// What a clip should be, worked out here: its source's name and path,
/// rate, first frame number and length in source frames, and its length
/// on a sequence at `rate`.
#[derive(Debug)]
struct Want {
    name: String,
    path: String,
    rate: Rate,
    start: u64,
    frames: u64,
    record: u64,
}

/// `n` frames at `from` counted at `to`, exactly: (numerator, denominator).
fn at_rate(n: u64, from: Rate, to: Rate) -> (u64, u64) {
    let num = n as u128 * to.numer() as u128 * from.denom() as u128;
    let den = to.denom() as u128 * from.numer() as u128;
    let g = gcd(num, den);
    ((num / g) as u64, (den / g) as u64)
}

fn gcd(a: u128, b: u128) -> u128 {
    if b == 0 {
        a.max(1)
    } else {
        gcd(b, a % b)
    }
}

/// Nearest whole frame, halves up.
fn nearest((num, den): (u64, u64)) -> u64 {
    (2 * num + den) / (2 * den)
}

/// The two clips of an approved pair with `handles` seconds a side on a
/// sequence at `rate`: each side's title keeps its rate; a side at another
/// rate has whole frames of the sequence and the nearest source frames.
fn want(library: &Path, pair: &Value, rate: Rate, handles: f64) -> [Want; 2] {
    let wanted = ((handles * rate.approx()).round() as u64).max(1);
    let side = |end: &Value, out: bool| {
        let name = name_of(end);
        let (own, tc) = title_facts(&name);
        let path = end["path"].as_str().unwrap().to_string();
        let shots = shot_ranges(library, Path::new(&path));
        let (first, last) = shots[end["shot"].as_u64().unwrap() as usize];
        let cut = end["frame"].as_u64().unwrap();
        let available = if out { cut + 1 - first } else { last + 1 - cut };
        let (frames, record) = if own == rate {
            let n = wanted.min(available);
            (n, n)
        } else {
            let (num, den) = at_rate(available, own, rate);
            let d = wanted.min((num / den).max(1));
            let n = nearest(at_rate(d, rate, own)).clamp(1, available);
            (n, d)
        };
        let start = if out { cut + 1 - frames } else { cut };
        Want {
            name,
            path,
            rate: own,
            start: tc + start,
            frames,
            record,
        }
    };
    [side(&pair["from"], true), side(&pair["to"], false)]
}

fn check_clips(read: &Value, wants: &[Want], sequence: Rate, conformed: bool) {
    let clips = read["clips"].as_array().unwrap();
    assert_eq!(clips.len(), wants.len(), "{read}");
    for (got, want) in clips.iter().zip(wants) {
        let context = format!("{}: {want:?} read as {got}", read["file"]);
        assert_eq!(got["name"], want.name.as_str(), "{context}");
        assert_eq!(got["path"], want.path.as_str(), "{context}");
        let (start, frames, rate) = if conformed && want.rate != sequence {
            let at = nearest(at_rate(want.start, want.rate, sequence));
            (at, want.record, sequence)
        } else if conformed {
            (want.start, want.frames, sequence)
        } else {
            (want.start, want.frames, want.rate)
        };
        assert_eq!(got["start"], start, "{context}");
        assert_eq!(got["duration"], frames, "{context}");
        let read_rate = got["rate"].as_f64().unwrap();
        assert!((read_rate - rate.approx()).abs() < 1e-6, "{context}");
    }
}

#[test]
fn approved_pairs_across_rates_export_each_clip_at_its_own_rate() {
    let library = scratch("rates-mixed");
    let titles = ["shots_known.mp4", "export_df.mov", "library_b.mp4"].map(fixture);
    let paths: Vec<String> = titles.iter().map(|t| t.to_string_lossy().into()).collect();
    matchcut(
        &library,
        "ann",
        &[
            &["scan"][..],
            &paths.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
    );
    let pairs = json(&matchcut(
        &library,
        "ann",
        &["pairs", "--json", "--top", "50"],
    ));
    let pairs = pairs.as_array().unwrap();
    // Three pairs across rates (every rate among them), one within a title.
    let rate_of = |end: &Value| end["frame_rate"].as_str().unwrap().to_string();
    let mut combos = std::collections::BTreeSet::new();
    let across: Vec<&Value> = pairs
        .iter()
        .filter(|p| {
            let mut two = [rate_of(&p["from"]), rate_of(&p["to"])];
            two.sort();
            two[0] != two[1] && combos.insert(two)
        })
        .collect();
    let within = pairs
        .iter()
        .find(|p| p["from"]["path"] == p["to"]["path"])
        .expect("a pair within a title");
    assert_eq!(across.len(), 3, "pairs across rates: {pairs:?}");
    let rates: std::collections::BTreeSet<String> = across
        .iter()
        .flat_map(|p| [rate_of(&p["from"]), rate_of(&p["to"])])
        .collect();
    assert_eq!(rates.len(), 3, "{rates:?}");
    for pair in across.iter().chain([&within]) {
        let id = pair["id"].as_str().unwrap();
        matchcut(&library, "ann", &["decide", id, "approve"]);
    }
    // The editor's order: the pair within a title first, then the others
    // last to first (kept with the library, as the export view keeps it).
    let mut order: Vec<&Value> = vec![within];
    order.extend(across.iter().rev());
    let ids: Vec<&str> = order.iter().map(|p| p["id"].as_str().unwrap()).collect();
    let listed = matchcut(&library, "ann", &[&["export", "order"][..], &ids].concat());
    let listed: Vec<&str> = std::str::from_utf8(&listed.stdout)
        .unwrap()
        .lines()
        .collect();
    assert_eq!(listed, ids);

    // The sequence's rate: the one most clips have (or the first pair's).
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for pair in &order {
        for end in [&pair["from"], &pair["to"]] {
            *counts.entry(rate_of(end)).or_default() += 1;
        }
    }
    let most = counts.values().max().copied().unwrap();
    let sequence = order
        .iter()
        .flat_map(|p| [rate_of(&p["from"]), rate_of(&p["to"])])
        .find(|r| counts[r] == most)
        .and_then(|r| Rate::parse(&r))
        .unwrap();

    let handles = 0.5;
    let export = |format: &str, file: &str, rate: Option<&str>| {
        let out = library.join(file);
        let mut args = vec!["export", format, "--json", "--handles", "0.5"];
        let out_arg = out.to_string_lossy().into_owned();
        args.extend(["--out", &out_arg]);
        if let Some(rate) = rate {
            args.extend(["--rate", rate]);
        }
        let report = json(&matchcut(&library, "ann", &args));
        assert_eq!(report["pairs"], 4, "{report}");
        assert!(report["skipped"].as_array().unwrap().is_empty(), "{report}");
        (out, report)
    };
    let (xml, report) = export("xml", "cuts.xml", None);
    assert_eq!(report["frame_rate"], sequence.to_string(), "{report}");
    assert!(
        report["other_rate_clips"].as_u64().unwrap() >= 3,
        "{report}"
    );
    let (otio, _) = export("otio", "cuts.otio", None);
    let (edl, _) = export("edl", "cuts.edl", None);
    let ntsc = Rate::new(30000, 1001).unwrap();
    let (edl_df, _) = export("edl", "cuts-2997.edl", Some("30000/1001"));
    let text = std::fs::read_to_string(&edl_df).unwrap();
    assert_eq!(text.lines().nth(1), Some("FCM: DROP FRAME"), "{text}");
    assert!(
        text.contains("* MATCHCUT CONFORMED FROM 25/1 FPS"),
        "{text}"
    );

    let wants = |rate: Rate| -> Vec<Want> {
        order
            .iter()
            .flat_map(|p| want(&library, p, rate, handles))
            .collect()
    };
    let reads = otio_read(&[
        (xml, sequence),
        (otio, sequence),
        (edl, sequence),
        (edl_df, ntsc),
    ]);
    check_clips(&reads[0], &wants(sequence), sequence, false);
    check_clips(&reads[1], &wants(sequence), sequence, false);
    check_clips(&reads[2], &wants(sequence), sequence, true);
    check_clips(&reads[3], &wants(ntsc), ntsc, true);
    assert_eq!(reads[3]["record_start"], tc_frames(1, 0, 0, 0, 30, true));

    // The review sheet: the approved cuts in the sequence's order, both
    // frames of each inline as JPEG; or any filtered list.
    let sheet = library.join("sheet.html");
    let out_arg = sheet.to_string_lossy().into_owned();
    matchcut(&library, "ann", &["export", "sheet", "--out", &out_arg]);
    let html = std::fs::read_to_string(&sheet).unwrap();
    assert_eq!(html.matches("src=\"data:image/jpeg;base64,/9j/").count(), 8);
    let listed: Vec<&str> = html
        .split("data-pair=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap()])
        .collect();
    assert_eq!(listed, ids, "the sheet follows the sequence");
    assert!(!html.contains("src=\"file") && !html.contains("src=\"http"));
    let cross = pairs
        .iter()
        .filter(|p| p["from"]["path"] != p["to"]["path"])
        .count();
    matchcut(
        &library,
        "ann",
        &[
            "export",
            "sheet",
            "--out",
            &out_arg,
            "--pairs",
            "all",
            "--cross-title",
            "--top",
            "50",
        ],
    );
    let html = std::fs::read_to_string(&sheet).unwrap();
    assert_eq!(
        html.matches("<img ").count(),
        2 * cross,
        "every cross-title pair"
    );
    std::fs::remove_dir_all(&library).unwrap();
}

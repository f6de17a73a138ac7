//! Shot segmentation on a title with known transitions (built by
//! tests/fixtures/make-fixtures.sh from Big Buck Bunny and lavfi sources),
//! through the library and through `matchcut shots --json`.

mod common;

use common::*;
use matchcut::preprocess::Backend;
use matchcut::shots::{self, Params, TransitionKind};

/// (kind, from_frame, to_frame) of `shots_known.mp4`, by construction.
const KNOWN: [(TransitionKind, u64, u64); 5] = [
    (TransitionKind::Cut, 44, 45),
    (TransitionKind::Dissolve, 80, 95),
    (TransitionKind::Fade, 113, 127),
    (TransitionKind::Cut, 181, 182),
    (TransitionKind::Dissolve, 220, 232),
];

/// `shots_known.mp4` segmented through the library, on the CPU path.
fn known() -> shots::TitleShots {
    fixtures();
    shots::detect_file(
        &fixture("shots_known.mp4"),
        &Params::default(),
        Backend::Cpu,
        &|_, _| std::ops::ControlFlow::Continue(()),
    )
    .expect("segment")
}

/// (kind, from_frame, to_frame) of each transition found.
fn spans(title: &shots::TitleShots) -> Vec<(TransitionKind, u64, u64)> {
    title
        .segmentation
        .transitions
        .iter()
        .map(|t| (t.kind, t.from_frame, t.to_frame))
        .collect()
}

#[test]
fn cuts_dissolves_and_fades_are_found_frame_exact_and_a_flash_is_not_a_cut() {
    let title = known();
    assert_eq!(spans(&title), KNOWN);
    assert_eq!(title.frames, 270);
}

#[test]
fn shots_tile_the_title_and_keyframes_lie_inside_them() {
    let title = known();
    let seg = &title.segmentation;
    assert_eq!(seg.shots.len(), seg.transitions.len() + 1);
    assert_eq!(seg.shots[0].first_frame, 0);
    assert_eq!(seg.shots.last().map(|s| s.last_frame), Some(269));
    for (i, t) in seg.transitions.iter().enumerate() {
        assert_eq!(seg.shots[i].last_frame, t.from_frame);
        assert_eq!(seg.shots[i + 1].first_frame, t.to_frame);
    }
    for s in &seg.shots {
        let k = s.keyframes;
        assert!(
            s.first_frame <= k.entry
                && k.entry <= k.middle
                && k.middle <= k.exit
                && k.exit <= s.last_frame,
            "{s:?}"
        );
    }
}

#[test]
fn shots_json_follows_the_contract_and_a_bad_file_does_not_stop_the_batch() {
    fixtures();
    let out = matchcut()
        .args(["--preprocess", "cpu", "shots", "--json"])
        .arg(fixture("not_video.mp4"))
        .arg(fixture("shots_known.mp4"))
        .output()
        .expect("run");
    assert!(!out.status.success(), "a failed input must fail the run");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout only");
    let error = doc[0]["error"].as_str().expect("an error for the bad file");
    assert!(error.contains("not_video.mp4"), "{error}");
    let title = &doc[1];
    assert_eq!(title["frame_rate"], "25/1");
    assert_eq!(title["frame_count"], 270);
    let shots = title["shots"].as_array().expect("shots");
    assert_eq!(shots.len(), 6);
    assert_eq!(shots[1]["first_frame"], 45);
    assert_eq!(shots[1]["start_timecode"], "00:00:01:20");
    assert_eq!(shots[1]["end_timecode"], "00:00:03:05");
    for field in [
        "index",
        "first_frame",
        "last_frame",
        "start_timecode",
        "end_timecode",
    ] {
        assert!(shots[0].get(field).is_some(), "missing {field}");
    }
    let transitions = title["transitions"].as_array().expect("transitions");
    let kinds: Vec<_> = transitions
        .iter()
        .map(|t| t["kind"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(kinds, ["cut", "dissolve", "fade", "cut", "dissolve"]);
    assert_eq!(transitions[2]["from_frame"], 113);
    assert_eq!(transitions[2]["to_frame"], 127);
}

#[test]
fn a_jump_cut_against_a_still_background_is_a_cut() {
    fixtures();
    let title = shots::detect_file(
        &fixture("jump_cut.mp4"),
        &Params::default(),
        Backend::Cpu,
        &|_, _| std::ops::ControlFlow::Continue(()),
    )
    .expect("segment");
    assert_eq!(spans(&title), [(TransitionKind::Cut, 131, 132)]);
}

#[test]
fn a_sparse_pass_finds_what_a_full_pass_finds_decoding_fewer_pictures() {
    fixtures();
    let path = fixture("shots_known.mp4");
    let info = matchcut::media::probe(&path).expect("probe");
    let full = Params {
        coarse_change: 0.0,
        ..Params::default()
    };
    assert!(
        shots::coarse::reads_coarsely(&info, &Params::default()),
        "{info:?}"
    );
    assert!(!shots::coarse::reads_coarsely(&info, &full));
    // A full pass leaves the stored analyses' keys as they were.
    assert!(!format!("{full:?}").contains("coarse"));
    let segment = |params: &Params| {
        shots::detect_file(&path, params, Backend::Cpu, &|_, _| {
            std::ops::ControlFlow::Continue(())
        })
        .expect("segment")
    };
    let (sparse, whole) = (segment(&Params::default()), segment(&full));
    // Every frame is there, once, and the same transitions are found, to
    // the frame; the pass decoded fewer pictures than there are frames,
    // and some were decoded again beside the transitions. (On this short
    // title of five transitions, two of them gradual, decoding again from
    // their keyframes costs more than the pass saves; on long titles it
    // is the other way round: `make bench`.)
    assert_eq!(sparse.frames, info.frame_count);
    assert_eq!((whole.decoded, whole.redecoded), (info.frame_count, 0));
    assert!(
        sparse.decoded < info.frame_count && sparse.refined > 0,
        "{} of {} decoded, {} refined",
        sparse.decoded,
        info.frame_count,
        sparse.refined
    );
    assert_eq!(spans(&sparse), spans(&whole));
    assert_eq!(spans(&sparse).len(), KNOWN.len(), "{:?}", spans(&sparse));
}

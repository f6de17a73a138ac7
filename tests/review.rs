//! The review queue over real decision stores: a decision made in review is
//! durable, shows at once and moves on to the next undecided pair; another
//! editor's decision shows once it has synced.

use matchcut::jobs::listing::{PairEnd, PairView};
use matchcut::jobs::team::TeamState;
use matchcut::jobs::{TeamDecisions, TeamSettings};
use matchcut::matching::Components;
use matchcut::review::{Filter, ReviewQueue};
use matchcut::store::{CutPoints, Decision};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("matchcut-review-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn pair(i: usize) -> PairView {
    let end = |title: &str, shot: usize| PairEnd {
        path: format!("/films/{title}.mp4"),
        content_hash: title.into(),
        shot,
        frame: shot as u64 * 24,
        timecode: "00:00:01:00".into(),
        shot_in: "00:00:00:00".into(),
        shot_out: "00:00:02:00".into(),
        shot_first: shot as u64 * 24,
        shot_last: shot as u64 * 24 + 47,
        frame_rate: "24/1".into(),
        missing: false,
    };
    PairView {
        id: format!("pair{i}"),
        rank: i + 1,
        score: 1.0 - i as f32 / 10.0,
        kind: "frame".into(),
        from: end("a", i),
        to: end("b", i + 1),
        components: Components::default(),
    }
}

fn team(library: &Path, shared: &Path, editor: &str) -> TeamDecisions {
    let settings = TeamSettings {
        shared: Some(shared.to_path_buf()),
        editor: Some(editor.into()),
    };
    TeamDecisions::open(library, &settings).expect("decisions")
}

#[test]
fn a_decision_in_review_is_kept_shown_and_moves_on() {
    let (ana_lib, bo_lib) = (scratch("ana"), scratch("bo"));
    let shared = scratch("shared").join("decisions.sqlite");
    let mut ana = team(&ana_lib, &shared, "ana");
    let mut queue = ReviewQueue::new(
        "ana",
        (0..4).map(pair).collect(),
        &ana.pairs().expect("pairs"),
    );
    let all = Filter::default();
    let decided = queue
        .decide(&mut ana, "pair0", Decision::Approve, None, &all)
        .expect("decide");
    let row = decided.row.expect("row");
    assert_eq!(
        (row.mine, row.team),
        (Some(Decision::Approve), Some(TeamState::Approved))
    );
    assert_eq!(decided.next.as_deref(), Some("pair1"));
    // Durable: a fresh look at the library's decisions has it.
    let reopened = team(&ana_lib, &shared, "ana");
    let again = ReviewQueue::new(
        "ana",
        (0..4).map(pair).collect(),
        &reopened.pairs().expect("pairs"),
    );
    assert_eq!(
        again.row("pair0").and_then(|r| r.mine),
        Some(Decision::Approve)
    );

    // Bo rejects pair1 elsewhere; once Ana's library syncs, her queue shows it.
    let mut bo = team(&bo_lib, &shared, "bo");
    bo.decide("pair1", Decision::Reject, None, None)
        .expect("decide");
    bo.sync();
    let arrived = ana.sync().arrived;
    assert_eq!(arrived.len(), 1);
    let changed = queue
        .refresh(&ana, &["pair1", "pair0", "unlisted"])
        .expect("refresh");
    // pair0 was decided here and is already shown so: only pair1 changed.
    assert_eq!(changed, ["pair1"]);
    let row = queue.row("pair1").expect("row");
    assert_eq!((row.mine, row.team), (None, Some(TeamState::Rejected)));
    assert_eq!(row.rejected_by, ["bo"]);
    // Ana approves it too: a conflict, and the next undecided pair is pair2.
    let decided = queue
        .decide(&mut ana, "pair1", Decision::Approve, None, &all)
        .expect("decide");
    assert_eq!(decided.row.and_then(|r| r.team), Some(TeamState::Conflict));
    assert_eq!(decided.next.as_deref(), Some("pair2"));
    // Clearing withdraws Ana's decision on pair0: undecided again.
    queue
        .decide(&mut ana, "pair0", Decision::Clear, None, &all)
        .expect("decide");
    assert!(queue
        .row("pair0")
        .is_some_and(|r| r.undecided() && r.mine.is_none()));
    for dir in [ana_lib, bo_lib] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_trimmed_cut_is_kept_with_the_decision_and_shared() {
    let (ana_lib, bo_lib) = (scratch("trim-ana"), scratch("trim-bo"));
    let shared = scratch("trim-shared").join("decisions.sqlite");
    let mut ana = team(&ana_lib, &shared, "ana");
    let mut queue = ReviewQueue::new("ana", (0..3).map(pair).collect(), &[]);
    let all = Filter::default();
    // pair1: out on frame 24 of the shot 24..=71, in on frame 48 of 48..=95.
    let outside = CutPoints {
        out_frame: 72,
        in_frame: 48,
    };
    let err = queue
        .decide(&mut ana, "pair1", Decision::Approve, Some(outside), &all)
        .expect_err("a cut outside its shot")
        .to_string();
    assert!(
        err.contains("pair1") && err.contains("out frame 72"),
        "{err}"
    );
    assert!(ana.pairs().unwrap().is_empty(), "nothing recorded");
    let cut = CutPoints {
        out_frame: 70,
        in_frame: 51,
    };
    let decided = queue
        .decide(&mut ana, "pair1", Decision::Approve, Some(cut), &all)
        .expect("decide");
    assert_eq!(decided.row.and_then(|r| r.cut), Some(cut));
    // Bo's library sees Ana's trim once both have synced.
    ana.sync();
    let mut bo = team(&bo_lib, &shared, "bo");
    bo.sync();
    let theirs = bo.pairs().unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].cut, Some(cut));
    // Approving again at the proposal withdraws the trim.
    let decided = queue
        .decide(&mut ana, "pair1", Decision::Approve, None, &all)
        .expect("decide");
    assert_eq!(decided.row.and_then(|r| r.cut), None);
    for dir in [ana_lib, bo_lib] {
        let _ = std::fs::remove_dir_all(dir);
    }
}

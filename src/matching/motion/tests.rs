use super::*;
use crate::matching::composition;
use crate::matching::exact::Quantised;
use crate::matching::footage::{AsideFootage, Footage};
use crate::matching::neighbours::ShotInfo;
use crate::motion::ShotMotion;

use crate::matching::testing::noise;

fn one_hot(at: usize) -> Vec<i8> {
    let mut v = vec![0; DESCRIPTOR];
    v[at % DESCRIPTOR] = 127;
    v
}

const DESCRIPTOR: usize = 64;

fn pan(pan: f32, tilt: f32) -> EndMotion {
    EndMotion::panning(pan, tilt)
}

fn still() -> EndMotion {
    pan(0.0, 0.0)
}

/// Shot `n` of a title whose ends move as given.
fn shot(hash: &str, n: usize, entry: EndMotion, exit: EndMotion) -> ShotInfo {
    let seed = blake3::hash(format!("{hash}{n}").as_bytes()).as_bytes()[0] as u64 * 1000 + n as u64;
    let first = n as u64 * 100;
    ShotInfo {
        shot: n,
        first_frame: first,
        last_frame: first + 99,
        entry_frame: first,
        exit_frame: first + 99,
        group_shot: n,
        entry_composition: noise(seed, composition::LEN),
        exit_composition: noise(seed + 1, composition::LEN),
        // Descriptors nothing alike from shot to shot (no two shots are
        // one scene): one-hot.
        entry_vector: one_hot(2 * n + 1),
        exit_vector: one_hot(2 * n),
        entry_regions: Vec::new(),
        exit_regions: Vec::new(),
        entry_figure: 0.5,
        exit_figure: 0.5,
        exit_kth: None,
        entry_kth: None,
        motion: Some(ShotMotion {
            first_frame: first,
            last_frame: first + 99,
            entry,
            exit,
        }),
    }
}

/// A title of `n` still shots, with the ends given moving.
fn title(
    hash: &str,
    n: usize,
    moving: &[(usize, Option<EndMotion>, Option<EndMotion>)],
) -> TitleVectors {
    let shots = (0..n)
        .map(|i| {
            let (entry, exit) = moving
                .iter()
                .find(|m| m.0 == i)
                .map(|m| {
                    (
                        m.1.clone().unwrap_or_else(still),
                        m.2.clone().unwrap_or_else(still),
                    )
                })
                .unwrap_or_else(|| (still(), still()));
            shot(hash, i, entry, exit)
        })
        .collect();
    TitleVectors {
        content_hash: hash.to_string(),
        shots,
        entries: Quantised::new(DESCRIPTOR),
        exits: Quantised::new(DESCRIPTOR),
        footage: Footage::new(),
        aside: AsideFootage::default(),
    }
}

fn pairs(titles: &[&TitleVectors], dups: &DuplicateShots) -> Vec<(String, usize, String, usize)> {
    candidates(titles, dups, &MatchParams::default())
        .unwrap()
        .into_iter()
        .map(|c| {
            (
                c.from.content_hash,
                c.from.shot,
                c.to.content_hash,
                c.to.shot,
            )
        })
        .collect()
}

#[test]
fn a_pan_finds_the_pan_that_carries_it_on_and_nothing_else() {
    let right = pan(0.3, 0.0);
    let t = title(
        "a",
        30,
        &[
            (2, None, Some(right.clone())),
            (20, Some(pan(0.32, 0.02)), None), // carries it on
            (21, Some(pan(-0.3, 0.0)), None),  // the other way
            (22, Some(pan(0.0, 0.3)), None),   // a tilt
            (23, Some(pan(1.5, 0.0)), None),   // five times faster
            (3, Some(right.clone()), None),    // next to it: already cut together
        ],
    );
    let found = candidates(&[&t], &DuplicateShots::new(), &MatchParams::default()).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let c = &found[0];
    assert_eq!((c.from.shot, c.to.shot), (2, 20));
    assert_eq!((c.from_frame, c.to_frame), (299, 2000));
    let parts = c
        .components
        .motion
        .expect("a motion pair explains its movement");
    assert_eq!(parts.what, carry::Kind::Camera);
    assert!(
        parts.direction > 0.99 && parts.speed_ratio > 0.9,
        "{parts:?}"
    );
    assert_eq!(parts.exit.velocity, [0.3, 0.0]);
    assert!(c.score > 0.9 && c.score <= 1.0);
    assert_eq!(c.components.kind(), crate::matching::PairKind::Motion);
    assert_ne!(
        c.id,
        crate::matching::pair_id(("a", 200, 299), ("a", 2000, 2099)),
        "a motion pair's id is not its frame pair's"
    );
}

#[test]
fn still_shots_never_make_motion_pairs() {
    let t = title("a", 40, &[]);
    let u = title("b", 40, &[(5, Some(pan(0.3, 0.0)), Some(pan(0.3, 0.0)))]);
    assert!(pairs(&[&t, &u], &DuplicateShots::new()).is_empty());
    // Unmeasured motion (too little texture) is no motion either.
    let mut blank = pan(0.3, 0.0);
    blank.confidence = 0.1;
    let v = title("c", 40, &[(7, Some(blank.clone()), Some(blank))]);
    assert!(pairs(&[&u, &v], &DuplicateShots::new()).is_empty());
}

#[test]
fn subjects_pair_with_subjects_and_duplicates_are_left_out() {
    let run = EndMotion {
        subject: [0.4, 0.0],
        subject_at: [0.8, 0.5],
        subject_share: 0.2,
        confidence: 0.9,
        steps: 6,
        ..EndMotion::default()
    };
    let enter = EndMotion {
        subject_at: [0.2, 0.5],
        ..run.clone()
    };
    let a = title("a", 10, &[(4, None, Some(run))]);
    let b = title(
        "b",
        10,
        &[(6, Some(enter), None), (7, Some(pan(0.4, 0.0)), None)],
    );
    assert_eq!(
        pairs(&[&a, &b], &DuplicateShots::new()),
        vec![("a".to_string(), 4, "b".to_string(), 6)],
        "a subject's run carries into a subject's run, not a pan"
    );
    let dups: DuplicateShots = [(a.shot_ref(4), b.shot_ref(6))].into_iter().collect();
    assert!(
        pairs(&[&a, &b], &dups).is_empty(),
        "the same footage is no cut"
    );
}

#[test]
fn pairs_keep_the_best_k_per_exit_whatever_the_order_of_titles() {
    let exit = pan(0.3, 0.0);
    let mut moving = vec![(1, None, Some(exit))];
    // Fifteen entries panning right at speeds further and further off.
    for i in 0..15 {
        moving.push((
            10 + i,
            Some(pan(0.3 * (1.0 + 0.04 * (i + 1) as f32), 0.0)),
            None,
        ));
    }
    let a = title("a", 30, &moving);
    let b = title("b", 30, &[(12, Some(pan(0.3, 0.0)), None)]);
    let forward = pairs(&[&a, &b], &DuplicateShots::new());
    let backward = pairs(&[&b, &a], &DuplicateShots::new());
    assert_eq!(forward, backward);
    assert_eq!(forward.len(), MatchParams::default().k);
    assert_eq!(
        forward[0],
        ("a".to_string(), 1, "b".to_string(), 12),
        "the exact continuation first"
    );
    let shots: Vec<usize> = forward[1..].iter().map(|p| p.3).collect();
    assert_eq!(shots, (10..19).collect::<Vec<_>>(), "then by speed ratio");
}

//! Whether a movement carries across a cut: an exit's motion against an
//! entry's, with the parts an editor reads (camera or subject, direction
//! agreement, speed ratio), and the vectors an index finds candidates by.
//!
//! A movement is a velocity in frame widths and heights per second: the
//! camera's (the picture's pan and tilt, with zoom and roll beside them)
//! or, where blocks move on their own, the subject's. Two movements carry
//! on when they point the same way at a similar speed. The index vector
//! of a movement is its direction scaled by `ln(1 + speed / SPEED_UNIT)`,
//! so that the distance between two of them grows with the angle between
//! them and with the ratio of their speeds alike (at 0.3 widths a second,
//! a doubling of speed weighs about as much as a 23-degree turn; well
//! above `SPEED_UNIT`, a ratio of speeds weighs the same at any speed).

use super::EndMotion;

/// Version of how motion pairs are found and scored, in the analysis key:
/// a change re-adds titles from their stored features (no decoding), which
/// finds their motion pairs again.
pub const VERSION: u32 = 2;

/// Speeds (frame sizes a second) below which a camera stands still: a
/// thirtieth of the frame in a second is a drift no viewer follows.
pub const STILL_CAMERA: f32 = 0.033;
/// Zoom or roll (relative scale, radians a second) below which a camera
/// does not zoom or roll.
pub const STILL_ZOOM: f32 = 0.03;
/// Least share of the picture moving on its own for a subject to count,
/// and its least speed beyond the camera's.
pub const SUBJECT_SHARE: f32 = 0.05;
pub const SUBJECT_SPEED: f32 = 0.05;
/// Least share of blocks matched for an end's motion to be believed.
pub const MIN_CONFIDENCE: f32 = 0.3;
/// Speed (frame sizes a second; for a zoom or roll, at the frame's edge)
/// from which a movement counts in full in a pair's score: a fifth of the
/// frame a second is a movement the eye follows across a cut; slower ones
/// count in proportion, so two drifts that agree never rank as a match.
pub const STRONG: f32 = 0.2;
/// The speed at which the index's scale turns from linear to logarithmic.
pub const SPEED_UNIT: f32 = 0.1;

/// What moves at a shot end, if anything.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Movement {
    /// The camera pans or tilts (velocity), maybe zooming or rolling too.
    Camera {
        velocity: [f32; 2],
        zoom: f32,
        roll: f32,
    },
    /// The camera zooms or rolls without panning.
    ZoomRoll { zoom: f32, roll: f32 },
    /// The camera stands; a subject moves (velocity) at `at` (0–1).
    Subject { velocity: [f32; 2], at: [f32; 2] },
}

/// The movement at a shot end, or `None` for a still end or one whose
/// motion could not be measured (too little texture, too few frames).
pub fn movement(end: &EndMotion) -> Option<Movement> {
    if end.confidence < MIN_CONFIDENCE || end.steps == 0 {
        return None;
    }
    let camera = [end.pan, end.tilt];
    // A zoom or roll moves the frame's edges by half its rate: the larger
    // of that and the pan decides which the camera does.
    let turning = 0.5 * end.zoom.hypot(end.roll);
    let zooms = end.zoom.abs() >= STILL_ZOOM || end.roll.abs() >= STILL_ZOOM;
    if zooms && turning >= speed(camera) {
        return Some(Movement::ZoomRoll {
            zoom: end.zoom,
            roll: end.roll,
        });
    }
    if speed(camera) >= STILL_CAMERA {
        return Some(Movement::Camera {
            velocity: camera,
            zoom: end.zoom,
            roll: end.roll,
        });
    }
    if zooms {
        return Some(Movement::ZoomRoll {
            zoom: end.zoom,
            roll: end.roll,
        });
    }
    if end.subject_share >= SUBJECT_SHARE && speed(end.subject) >= SUBJECT_SPEED {
        return Some(Movement::Subject {
            velocity: end.subject,
            at: end.subject_at,
        });
    }
    None
}

fn speed(v: [f32; 2]) -> f32 {
    v[0].hypot(v[1])
}

/// What a movement is, as a pair's explanation names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Kind {
    /// The camera pans or tilts.
    Camera,
    /// The camera zooms or rolls.
    Zoom,
    /// A subject moves in a standing frame.
    Subject,
}

/// A movement drawn as an arrow: `velocity` (frame widths and heights a
/// second; for a zoom, relative scale and radians a second) from `at`
/// (0–1 across and down; the centre for the camera).
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Arrow {
    pub velocity: [f32; 2],
    pub at: [f32; 2],
}

impl Movement {
    /// How fast it goes: frame sizes a second (a zoom or roll at the
    /// frame's edge, half its rate).
    pub fn speed(&self) -> f32 {
        match *self {
            Movement::Camera { velocity, .. } | Movement::Subject { velocity, .. } => {
                speed(velocity)
            }
            Movement::ZoomRoll { zoom, roll } => 0.5 * zoom.hypot(roll),
        }
    }

    /// 0–1: how strongly it reads ([`STRONG`] and faster: 1).
    pub fn strength(&self) -> f32 {
        (self.speed() / STRONG).min(1.0)
    }

    pub fn kind(&self) -> Kind {
        match self {
            Movement::Camera { .. } => Kind::Camera,
            Movement::ZoomRoll { .. } => Kind::Zoom,
            Movement::Subject { .. } => Kind::Subject,
        }
    }

    /// Its velocity in the kind's own units, and where it is.
    pub fn arrow(&self) -> Arrow {
        match *self {
            Movement::Camera { velocity, .. } => Arrow {
                velocity,
                at: [0.5, 0.5],
            },
            Movement::ZoomRoll { zoom, roll } => Arrow {
                velocity: [zoom, roll],
                at: [0.5, 0.5],
            },
            Movement::Subject { velocity, at } => Arrow { velocity, at },
        }
    }
}

/// How an exit's movement carries into an entry's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Carry {
    /// What moves on both sides.
    pub what: Kind,
    /// Cosine of the angle between the two directions (1: the same way).
    pub direction: f32,
    /// The slower speed over the faster (1: the same speed).
    pub speed_ratio: f32,
    /// 0–1: how well the movement carries on, from the two above (for a
    /// subject, with where it is: [`HANDOVER`]).
    pub score: f32,
    /// 0–1: how strongly the slower of the two movements reads
    /// ([`Movement::strength`]).
    pub strength: f32,
}

/// How `exit`'s movement carries into `entry`'s; `None` when they are not
/// of one kind (a pan into a subject's run, a zoom into a pan) or either
/// end is still.
pub fn carry(exit: &EndMotion, entry: &EndMotion) -> Option<Carry> {
    let (a, b) = (movement(exit)?, movement(entry)?);
    if a.kind() != b.kind() {
        return None;
    }
    let (va, vb) = (a.arrow().velocity, b.arrow().velocity);
    let (sa, sb) = (speed(va), speed(vb));
    let direction = (va[0] * vb[0] + va[1] * vb[1]) / (sa * sb).max(1e-9);
    let speed_ratio = sa.min(sb) / sa.max(sb).max(1e-9);
    let score = direction.max(0.0).powi(2) * speed_ratio.sqrt() * handover(&a, &b);
    Some(Carry {
        what: a.kind(),
        direction,
        speed_ratio,
        score,
        strength: a.strength().min(b.strength()),
    })
}

/// Weight of where a subject is in a subject's carry: a subject leaving
/// one side and entering from the other carries on in full, one that stays
/// in place across the cut at `1 − HANDOVER`, one going back the way it
/// came at `1 − 2 × HANDOVER`.
pub const HANDOVER: f32 = 0.15;

/// For two subjects' runs: how far the exit's subject is ahead of the
/// entry's along the exit's direction (ahead at the exit side, behind at
/// the entry: it left one side and came in from the other), as a factor
/// of the carry; 1 for the camera's movements.
fn handover(exit: &Movement, entry: &Movement) -> f32 {
    let (Movement::Subject { velocity, at: p }, Movement::Subject { at: q, .. }) = (exit, entry)
    else {
        return 1.0;
    };
    let s = speed(*velocity).max(1e-9);
    let along = ((p[0] - q[0]) * velocity[0] + (p[1] - q[1]) * velocity[1]) / s;
    1.0 - HANDOVER + HANDOVER * (2.0 * along).clamp(-1.0, 1.0)
}

/// Dimensions of [`index_vector`].
pub const DIMENSIONS: usize = 6;

/// The vector an index finds continuations by (exits query, entries are
/// found; the same vector for both, as a movement carries on unchanged):
/// pan and tilt, zoom and roll, and the subject's motion, each a direction
/// scaled by `ln(1 + speed / SPEED_UNIT)`. Kinds sit in their own
/// dimensions, so a pan is never near a subject's run. `None` for a still
/// or unmeasured end (still shots never make motion pairs).
pub fn index_vector(end: &EndMotion) -> Option<[f32; DIMENSIONS]> {
    let scaled = |v: [f32; 2]| {
        let s = speed(v);
        if s < 1e-9 {
            return [0.0, 0.0];
        }
        let k = (1.0 + s / SPEED_UNIT).ln() / s;
        [v[0] * k, v[1] * k]
    };
    let mut out = [0.0; DIMENSIONS];
    let (at, v) = match movement(end)? {
        Movement::Camera { velocity, .. } => (0, velocity),
        Movement::ZoomRoll { zoom, roll } => (2, [zoom, roll]),
        Movement::Subject { velocity, .. } => (4, velocity),
    };
    out[at..at + 2].copy_from_slice(&scaled(v));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(pan: f32, tilt: f32) -> EndMotion {
        EndMotion::panning(pan, tilt)
    }

    fn subject(v: [f32; 2], share: f32) -> EndMotion {
        EndMotion {
            subject: v,
            subject_at: [0.5, 0.5],
            subject_share: share,
            confidence: 0.9,
            steps: 6,
            ..EndMotion::default()
        }
    }

    fn distance(a: &EndMotion, b: &EndMotion) -> f32 {
        let (a, b) = (index_vector(a).unwrap(), index_vector(b).unwrap());
        a.iter()
            .zip(&b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f32>()
            .sqrt()
    }

    #[test]
    fn still_and_unmeasured_ends_have_no_movement() {
        assert_eq!(movement(&end(0.01, 0.01)), None, "a drift");
        assert_eq!(
            movement(&EndMotion {
                confidence: 0.1,
                ..end(0.5, 0.0)
            }),
            None,
            "unmeasured"
        );
        assert_eq!(movement(&subject([0.3, 0.0], 0.01)), None, "a few blocks");
        assert_eq!(index_vector(&end(0.0, 0.0)), None);
        assert!(
            carry(&end(0.0, 0.0), &end(0.3, 0.0)).is_none(),
            "a still exit carries nothing"
        );
    }

    #[test]
    fn a_pan_carries_into_a_pan_the_same_way_at_the_same_speed() {
        let same = carry(&end(0.3, 0.0), &end(0.3, 0.02)).unwrap();
        assert!(same.what == Kind::Camera && same.score > 0.95, "{same:?}");
        let opposite = carry(&end(0.3, 0.0), &end(-0.3, 0.0)).unwrap();
        assert!(
            opposite.direction < -0.9 && opposite.score == 0.0,
            "{opposite:?}"
        );
        let faster = carry(&end(0.3, 0.0), &end(1.2, 0.0)).unwrap();
        assert!(
            (faster.speed_ratio - 0.25).abs() < 1e-6 && faster.score < same.score,
            "{faster:?}"
        );
        let across = carry(&end(0.3, 0.0), &end(0.0, 0.3)).unwrap();
        assert!(
            across.direction.abs() < 1e-6 && across.score == 0.0,
            "{across:?}"
        );
    }

    #[test]
    fn a_subject_leaving_one_side_and_entering_from_the_other_carries_best() {
        let at = |x: f32| EndMotion {
            subject_at: [x, 0.5],
            ..subject([0.3, 0.0], 0.2)
        };
        let handed = carry(&at(0.85), &at(0.15)).unwrap().score;
        let stays = carry(&at(0.5), &at(0.5)).unwrap().score;
        let back = carry(&at(0.15), &at(0.85)).unwrap().score;
        assert!((handed - 1.0).abs() < 1e-6, "{handed}");
        assert!((stays - (1.0 - HANDOVER)).abs() < 1e-6, "{stays}");
        assert!(
            back < stays && back >= 1.0 - 2.0 * HANDOVER - 1e-6,
            "{back}"
        );
        // Pans carry whatever the subjects do.
        assert!((carry(&end(0.3, 0.0), &end(0.3, 0.0)).unwrap().score - 1.0).abs() < 1e-6);
    }

    #[test]
    fn a_zoom_with_a_little_drift_is_a_zoom() {
        let zoom = EndMotion {
            zoom: -0.18,
            ..end(0.0, 0.04)
        };
        assert_eq!(movement(&zoom).map(|m| m.kind()), Some(Kind::Zoom));
        let pan = EndMotion {
            zoom: 0.04,
            ..end(0.3, 0.0)
        };
        assert_eq!(movement(&pan).map(|m| m.kind()), Some(Kind::Camera));
    }

    #[test]
    fn kinds_do_not_mix() {
        assert!(carry(&end(0.3, 0.0), &subject([0.3, 0.0], 0.2)).is_none());
        let zoom = EndMotion {
            zoom: 0.2,
            ..end(0.0, 0.0)
        };
        assert!(carry(&zoom, &end(0.3, 0.0)).is_none());
        assert!(carry(&zoom, &zoom).is_some_and(|c| c.score > 0.99));
        let (p, s) = (
            index_vector(&end(0.3, 0.0)).unwrap(),
            index_vector(&subject([0.3, 0.0], 0.2)).unwrap(),
        );
        assert_eq!(p[4..], [0.0, 0.0]);
        assert_eq!(s[..4], [0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn the_index_distance_grows_with_turn_and_with_speed_ratio() {
        let base = end(0.3, 0.0);
        let near = distance(&base, &end(0.32, 0.02));
        let turned = distance(&base, &end(0.3 * 0.7f32.cos(), 0.3 * 0.7f32.sin()));
        let doubled = distance(&base, &end(0.6, 0.0));
        let reversed = distance(&base, &end(-0.3, 0.0));
        assert!(near < turned && near < doubled, "{near} {turned} {doubled}");
        assert!(
            turned < reversed && doubled < reversed,
            "{turned} {doubled} {reversed}"
        );
        // Well above the unit, a ratio of speeds weighs about the same at
        // any speed.
        let slow = distance(&end(0.5, 0.0), &end(1.0, 0.0));
        let fast = distance(&end(2.0, 0.0), &end(4.0, 0.0));
        assert!((slow - fast).abs() < 0.15 * fast, "{slow} {fast}");
    }
}

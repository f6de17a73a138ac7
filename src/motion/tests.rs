//! The estimator against pictures moved by known amounts: a smooth texture
//! sampled on the 64×36 grid through a known camera, with or without a
//! patch moving on its own.

use super::*;

const W: usize = 64;
const H: usize = 36;

/// A texture with detail in every direction and at every scale, the
/// finer the weaker, as in pictures (periods of 5 to 40 samples).
fn texture(x: f32, y: f32) -> f32 {
    let waves = [
        (0.16, 0.05, 0.0, 30.0),
        (-0.08, 0.2, 1.0, 28.0),
        (0.3, -0.25, 2.0, 20.0),
        (0.45, 0.2, 0.5, 14.0),
        (0.9, 0.3, 0.0, 10.0),
        (-0.4, 1.1, 1.0, 9.0),
        (0.7, -0.8, 2.0, 8.0),
        (1.3, 0.5, 0.5, 6.0),
    ];
    128.0
        + waves
            .iter()
            .map(|&(fx, fy, p, a)| a * (fx * x + fy * y + p).sin())
            .sum::<f32>()
}

/// Another texture, for a subject in front of the first.
fn other(x: f32, y: f32) -> f32 {
    128.0 + 60.0 * (1.1 * x + 0.2).sin() * (0.9 * y + 1.0).cos()
}

/// The picture `camera` makes of the texture after `t` frames: each
/// sample shows the texture point the motion brought there.
fn picture(camera: Camera, t: f32, subject: Option<([f32; 2], [f32; 2])>) -> Vec<u16> {
    let (cx, cy) = (W as f32 / 2.0, H as f32 / 2.0);
    let scale = (1.0 + camera.zoom).powf(t);
    let angle = camera.roll * t;
    let mut out = Vec::with_capacity(W * H);
    for y in 0..H {
        for x in 0..W {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            // Undo the shift, then the rotation and scale about the centre.
            let (dx, dy) = (px - camera.pan * t - cx, py - camera.tilt * t - cy);
            let (c, s) = (angle.cos(), angle.sin());
            let (rx, ry) = ((c * dx + s * dy) / scale, (-s * dx + c * dy) / scale);
            let mut v = texture(rx + cx, ry + cy);
            if let Some((at, moves)) = subject {
                let (sx, sy) = (px - at[0] - moves[0] * t, py - at[1] - moves[1] * t);
                if (0.0..12.0).contains(&sx) && (0.0..12.0).contains(&sy) {
                    v = other(sx, sy);
                }
            }
            out.push(v.round().clamp(0.0, 255.0) as u16);
        }
    }
    out
}

fn moved(camera: Camera, gap: u32, subject: Option<([f32; 2], [f32; 2])>) -> Step {
    let a = Pyramid::new(&picture(camera, 0.0, subject), W, H);
    let b = Pyramid::new(&picture(camera, gap as f32, subject), W, H);
    estimate::step(&a, &b, gap)
}

fn close(what: &str, got: f32, want: f32, within: f32) {
    assert!(
        (got - want).abs() <= within,
        "{what}: {got} against {want} (±{within})"
    );
}

fn camera(pan: f32, tilt: f32, zoom: f32, roll: f32) -> Camera {
    Camera {
        pan,
        tilt,
        zoom,
        roll,
    }
}

#[test]
fn pans_and_tilts_to_a_fraction_of_a_sample() {
    for (pan, tilt) in [(2.0, 0.0), (0.5, -1.25), (-3.3, 0.8), (0.0, 0.0)] {
        let s = moved(camera(pan, tilt, 0.0, 0.0), 1, None);
        let what = format!("pan {pan} tilt {tilt}");
        close(&format!("{what}: pan"), s.camera.pan, pan, 0.15);
        close(&format!("{what}: tilt"), s.camera.tilt, tilt, 0.15);
        close(&format!("{what}: zoom"), s.camera.zoom, 0.0, 0.004);
        close(&format!("{what}: roll"), s.camera.roll, 0.0, 0.004);
        assert!(
            s.blocks.len() >= 20,
            "{what}: {} blocks matched",
            s.blocks.len()
        );
    }
}

#[test]
fn a_gap_of_several_frames_is_divided_out() {
    // 2.5 samples a frame over 3 frames: 7.5 samples between the pictures.
    let s = moved(camera(2.5, -1.0, 0.0, 0.0), 3, None);
    close("pan per frame", s.camera.pan, 2.5, 0.1);
    close("tilt per frame", s.camera.tilt, -1.0, 0.1);
}

#[test]
fn zoom_and_roll_are_told_apart_from_pans() {
    let s = moved(camera(0.0, 0.0, 0.03, 0.0), 1, None);
    close("zoom in", s.camera.zoom, 0.03, 0.006);
    close("no roll", s.camera.roll, 0.0, 0.006);
    close("no pan", s.camera.pan, 0.0, 0.2);
    let s = moved(camera(0.0, 0.0, -0.03, 0.0), 1, None);
    close("zoom out", s.camera.zoom, -0.03, 0.006);
    let s = moved(camera(1.0, 0.0, 0.0, 0.03), 1, None);
    close("roll", s.camera.roll, 0.03, 0.006);
    close("no zoom", s.camera.zoom, 0.0, 0.006);
    close("pan with the roll", s.camera.pan, 1.0, 0.25);
}

#[test]
fn a_subject_moving_on_a_still_background_leaves_the_camera_still() {
    let s = moved(
        camera(0.0, 0.0, 0.0, 0.0),
        1,
        Some(([20.0, 10.0], [2.0, 0.0])),
    );
    close("pan", s.camera.pan, 0.0, 0.1);
    close("tilt", s.camera.tilt, 0.0, 0.1);
    // Off centre, the subject would pull a fit of all blocks into a
    // zoom or a roll; the majority's camera stands still.
    close("zoom", s.camera.zoom, 0.0, 0.004);
    close("roll", s.camera.roll, 0.0, 0.004);
    let own: Vec<_> = s.blocks.iter().filter(|b| !b.inlier).collect();
    assert!(!own.is_empty(), "the subject's blocks move on their own");
    for b in &own {
        assert!(
            (18.0..36.0).contains(&b.x) && (8.0..26.0).contains(&b.y),
            "{b:?} is not on the subject"
        );
        assert!(b.residual[0] > 0.3, "{b:?} moves right");
    }
    // A block wholly on the subject moves as it does (others only in part).
    assert!(
        own.iter()
            .any(|b| (b.residual[0] - 2.0).abs() < 0.3 && b.residual[1].abs() < 0.3),
        "{own:?}"
    );
    let end = summarise(&[s], W, H, 24.0);
    assert!(
        end.subject[0] > 0.5,
        "{end:?}: the subject moves right, in frame widths per second"
    );
    assert!(
        end.subject_at[0] > 0.3 && end.subject_at[0] < 0.6,
        "{end:?}: where it is"
    );
}

#[test]
fn a_subject_crossing_a_panning_picture_keeps_the_pan() {
    let s = moved(
        camera(-1.5, 0.0, 0.0, 0.0),
        1,
        Some(([40.0, 14.0], [1.5, 0.0])),
    );
    close("pan", s.camera.pan, -1.5, 0.15);
    assert!(
        s.blocks.iter().any(|b| !b.inlier && b.residual[0] > 2.0),
        "{:?}",
        s.blocks
    );
}

#[test]
fn a_flat_picture_has_no_motion_and_no_confidence() {
    let flat = Pyramid::new(&vec![16; W * H], W, H);
    let s = estimate::step(&flat, &flat, 1);
    assert!(s.blocks.is_empty());
    assert_eq!(s.camera, Camera::default());
    let end = summarise(&[s], W, H, 24.0);
    assert_eq!(end.confidence, 0.0);
    assert_eq!(end.subject, [0.0, 0.0]);
}

#[test]
fn summaries_are_per_second_in_frame_sizes_and_resist_one_bad_step() {
    let pan = moved(camera(2.0, 0.9, 0.0, 0.0), 1, None);
    // A step spoiled by something unrelated (another picture altogether).
    let spoiled = {
        let a = Pyramid::new(&picture(Camera::default(), 0.0, None), W, H);
        let b = Pyramid::new(&picture(camera(0.0, 0.0, 0.0, 0.5), 1.0, None), W, H);
        estimate::step(&a, &b, 1)
    };
    let end = summarise(&[pan.clone(), spoiled, pan], W, H, 24.0);
    // 2 samples of 64 a frame at 24 fps: 0.75 widths a second.
    close("pan", end.pan, 0.75, 0.06);
    close("tilt", end.tilt, 0.9 * 24.0 / 36.0, 0.08);
    assert_eq!(end.steps, 3);
    assert!(end.confidence > 0.5, "{end:?}");
}

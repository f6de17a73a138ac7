//! Decoding and random access against the `ffmpeg` CLI's own frames.
//!
//! Rule: a frame we produce matches frame N of `ffmpeg -i X -pix_fmt rgb24`
//! when its PSNR is above 50 dB; in practice they are bit-exact except where
//! we turn a frame upright after colour conversion and FFmpeg before.

mod common;

use common::*;
use matchcut::media::{self, DecodeMode, Decoder, RgbImage, ToRgb};
use std::path::Path;

const MIN_PSNR_DB: f64 = 50.0;

fn assert_same(ours: &RgbImage, reference: &RgbImage, what: &str) {
    let psnr = ours.psnr(reference).unwrap_or_else(|| {
        panic!(
            "{what}: size {}x{} differs from ffmpeg's {}x{}",
            ours.width, ours.height, reference.width, reference.height
        )
    });
    assert!(
        psnr > MIN_PSNR_DB,
        "{what}: PSNR {psnr:.1} dB against ffmpeg"
    );
}

fn reference_frames(path: &Path, filter: Option<&str>) -> (media::MediaInfo, Vec<RgbImage>) {
    matchcut::init_ffmpeg(true);
    let info = media::probe(path).unwrap_or_else(|e| panic!("{e}"));
    let (w, h) = display_size(&info);
    let frames = ffmpeg_frames(path, filter, w, h);
    (info, frames)
}

/// Indices that stress seeking: both ends, GOP boundaries of 12/24/25-frame
/// GOPs and their neighbours, and a spread of others, visited out of order.
fn probe_indices(count: u64) -> Vec<u64> {
    let mut picks = vec![
        count - 1,
        0,
        count / 2,
        1,
        23,
        24,
        25,
        26,
        11,
        12,
        13,
        49,
        50,
        51,
        74,
        75,
        100,
        2,
    ];
    picks.extend((0..count).step_by(17));
    picks.retain(|&i| i < count);
    picks
}

#[test]
fn random_access_matches_ffmpeg_on_every_fixture() {
    let mut files: Vec<_> = CFR_FIXTURES.iter().map(|f| fixture(f)).collect();
    files.push(bbb());
    for path in files {
        let (info, reference) = reference_frames(&path, None);
        assert_eq!(
            info.frame_count as usize,
            reference.len(),
            "{}",
            path.display()
        );
        let rotation = info.rotation;
        let mut decoder = Decoder::open(&path, info, DecodeMode::Full).expect("open");
        for index in probe_indices(reference.len() as u64) {
            let frame = decoder.seek_frame(index).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(frame.index, index);
            let rgb = frame.frame.to_rgb(rotation).expect("rgb");
            assert_same(
                &rgb,
                &reference[index as usize],
                &format!("{} frame {index}", path.display()),
            );
        }
    }
}

#[test]
fn sequential_decoding_yields_every_frame_in_order() {
    for name in [
        "cfr_23976.mp4",
        "open_gop.ts",
        "cfr_25_mpeg2.mxf",
        "hevc_10bit.mp4",
    ] {
        let path = fixture(name);
        let (info, reference) = reference_frames(&path, None);
        let rotation = info.rotation;
        let timeline = info.timeline();
        let decoder = Decoder::open(&path, info, DecodeMode::Full).expect("open");
        let mut seen = 0u64;
        for (expected, frame) in decoder.enumerate() {
            let frame = frame.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(frame.index, expected as u64, "{name}");
            assert_eq!(frame.timecode, timeline.timecode_at(frame.index));
            let rgb = frame.frame.to_rgb(rotation).expect("rgb");
            assert_same(
                &rgb,
                &reference[expected],
                &format!("{name} frame {expected}"),
            );
            seen += 1;
        }
        assert_eq!(seen, reference.len() as u64, "{name}: frames decoded");
    }
}

#[test]
fn variable_rate_frames_follow_the_fps_filter_rule() {
    let path = fixture("vfr.mp4");
    let (info, reference) = reference_frames(&path, Some("fps=30"));
    let rotation = info.rotation;
    let decoder = Decoder::open(&path, info.clone(), DecodeMode::Full).expect("open");
    let frames: Vec<_> = decoder.map(|f| f.expect("frame")).collect();
    assert_eq!(frames.len(), reference.len());
    for frame in &frames {
        let rgb = frame.frame.to_rgb(rotation).expect("rgb");
        assert_same(
            &rgb,
            &reference[frame.index as usize],
            &format!("vfr frame {}", frame.index),
        );
    }
    // Random access gives the same frame for a slot filled by a held frame.
    let mut decoder = Decoder::open(&path, info, DecodeMode::Full).expect("open");
    for index in [2u64, 7, 12, 3, 0, 89] {
        let rgb = decoder
            .seek_frame(index)
            .expect("seek")
            .frame
            .to_rgb(rotation)
            .expect("rgb");
        assert_same(
            &rgb,
            &reference[index as usize],
            &format!("vfr seek {index}"),
        );
    }
}

#[test]
fn coarse_mode_decodes_fewer_frames_with_true_indices() {
    let path = fixture("cfr_23976.mp4"); // x264 with B-frames
    let (info, reference) = reference_frames(&path, None);
    let rotation = info.rotation;
    let coarse: Vec<_> = Decoder::open(&path, info, DecodeMode::Coarse)
        .expect("open")
        .map(|f| f.expect("frame"))
        .collect();
    assert!(!coarse.is_empty());
    assert!(
        coarse.len() < reference.len(),
        "coarse decoded {} of {}",
        coarse.len(),
        reference.len()
    );
    assert!(
        coarse.windows(2).all(|w| w[0].index < w[1].index),
        "indices increase"
    );
    // A coarse pass skips deblocking (as the shot pass does): each picture
    // is close to FFmpeg's frame at its index, and closer to it than to
    // the frames either side.
    for frame in coarse.iter().step_by(3) {
        let rgb = frame.frame.to_rgb(rotation).expect("rgb");
        let n = frame.index as usize;
        let psnr = |i: usize| rgb.psnr(&reference[i]).expect("same size");
        let own = psnr(n);
        assert!(
            own > 40.0,
            "coarse frame {n}: PSNR {own:.1} dB against ffmpeg"
        );
        let neighbours = [
            n.checked_sub(1),
            Some(n + 1).filter(|&i| i < reference.len()),
        ];
        for i in neighbours.into_iter().flatten() {
            assert!(own > psnr(i), "coarse frame {n} looks more like frame {i}");
        }
    }
}

#[test]
fn frame_out_of_range_is_an_error_naming_the_file() {
    let path = fixture("cfr_24.mkv");
    let err = media::frame_at(&path, 72)
        .err()
        .expect("index 72 of 72 frames is out of range");
    let message = err.to_string();
    assert!(
        message.contains("cfr_24.mkv") && message.contains("out of range"),
        "{message}"
    );
}

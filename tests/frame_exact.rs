//! Frame-exact on the files editors really have (issue 15): the corpus of
//! tests/fixtures/make-frame-corpus.sh — MP4 edit lists, open GOPs cut
//! mid-stream, MPEG-2 in TS and PS, cuts to and from black — checked against
//! the `ffmpeg` CLI frame by frame: frame N is `ffmpeg -i FILE -vf
//! "select=eq(n\,N)"`, the N-th picture FFmpeg's decoder presents.
//!
//! Rule: our frame N matches FFmpeg's frame N above 50 dB PSNR, and where
//! FFmpeg's N-1 or N+1 is a different picture, ours is below 50 dB against it.
//! The hard cuts are read off FFmpeg's frames (a jump in mean colour between
//! two lavfi sources no motion inside one comes near), and each must be a
//! `cut` transition at its exact frame.

mod common;

use common::*;
use matchcut::media::{self, DecodeMode, Decoder, RgbImage, ToRgb};
use matchcut::preprocess::Backend;
use matchcut::shots::{self, Params, ShotKind, TransitionKind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const SAME_DB: f64 = 50.0;

/// The corpus folder, generated on first use.
fn corpus() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let status = Command::new("bash")
            .arg(root.join("tests/fixtures/make-frame-corpus.sh"))
            .status()
            .expect("run make-frame-corpus.sh");
        assert!(status.success(), "make-frame-corpus.sh failed");
        root.join("tests/fixtures/generated/frames")
    })
}

/// (file, hard cuts FFmpeg presents, black or colour segments among the
/// shots): every constant-rate file of the corpus.
const CORPUS: &[(&str, usize, usize)] = &[
    ("trim_1.3.mp4", 4, 0),
    ("trim_0.7.mov", 4, 0),
    ("trim_both.mp4", 3, 0),
    ("empty_edit.mp4", 4, 0),
    ("empty_edit_trim.mov", 4, 0),
    ("trim_hevc_1.1.mp4", 3, 0),
    ("trim_2997_0.9.mov", 3, 0),
    ("open_gop_h264_cut.ts", 2, 0),
    ("open_gop_h264_2997_cut.ts", 1, 0),
    ("open_gop_mpeg2_cut.ts", 2, 0),
    ("open_gop_mpeg2_cut_1.1.ts", 3, 0),
    ("open_gop_hevc_cut.mkv", 2, 0),
    ("open_gop_trim.mp4", 3, 0),
    ("open_gop_mpeg2_trim.mkv", 3, 0),
    ("open_gop_mpeg2_cut.mpg", 2, 0),
    ("mpeg2_no_b.ts", 3, 0),
    ("mpeg2_2997.ts", 3, 0),
    ("mpeg2_ps.mpg", 2, 0),
    ("mpeg2_remux.mpg", 3, 0),
    ("to_black.mp4", 2, 1),
    ("to_black_x3.mp4", 8, 3),
    ("grey_between.mov", 4, 2),
    ("colour_drift.mp4", 1, 0),
];

/// Mean absolute difference of two frames, per channel value (0–255).
fn mean_abs_diff(a: &RgbImage, b: &RgbImage) -> f64 {
    let sum: u64 = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    sum as f64 / a.data.len() as f64
}

/// Where FFmpeg's frames jump from one source to another: the first frame of
/// each new segment.
fn reference_cuts(frames: &[RgbImage]) -> Vec<u64> {
    (1..frames.len())
        .filter(|&i| mean_abs_diff(&frames[i - 1], &frames[i]) > 30.0)
        .map(|i| i as u64)
        .collect()
}

fn psnr(a: &RgbImage, b: &RgbImage) -> f64 {
    a.psnr(b).expect("same size")
}

/// Our frame is FFmpeg's frame `index` and not its neighbour.
fn assert_is_frame(ours: &RgbImage, reference: &[RgbImage], index: usize, what: &str) {
    let db = psnr(ours, &reference[index]);
    assert!(
        db > SAME_DB,
        "{what} frame {index}: {db:.1} dB against FFmpeg's"
    );
    for n in [index.wrapping_sub(1), index + 1] {
        let Some(neighbour) = reference.get(n) else {
            continue;
        };
        if psnr(&reference[index], neighbour) > SAME_DB {
            continue; // FFmpeg shows the same picture there (a still)
        }
        let db = psnr(ours, neighbour);
        assert!(
            db <= SAME_DB,
            "{what} frame {index} is FFmpeg's {n} ({db:.1} dB)"
        );
    }
}

/// Runs `check` on every file of the corpus and reports every file that fails
/// (each with its first failure), not just the first.
fn for_each_case(check: impl Fn(&str, Case) + std::panic::RefUnwindSafe) {
    let mut failures = Vec::new();
    for &(name, cuts, flat) in CORPUS {
        let run = std::panic::catch_unwind(|| check(name, case(name, cuts, flat)));
        if let Err(e) = run {
            let text = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{name}: {text}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

struct Case {
    path: PathBuf,
    info: media::MediaInfo,
    reference: Vec<RgbImage>,
    cuts: Vec<u64>,
    flat: usize,
}

fn case(name: &str, cuts: usize, flat: usize) -> Case {
    matchcut::init_ffmpeg(true);
    let path = corpus().join(name);
    let info = media::probe(&path).unwrap_or_else(|e| panic!("{e}"));
    let (w, h) = display_size(&info);
    let reference = ffmpeg_frames(&path, None, w, h);
    let found = reference_cuts(&reference);
    assert_eq!(found.len(), cuts, "{name}: FFmpeg's own cuts {found:?}");
    Case {
        path,
        info,
        reference,
        cuts: found,
        flat,
    }
}

#[test]
fn probe_counts_the_frames_ffmpeg_presents() {
    for_each_case(|name, c| {
        assert_eq!(
            c.info.frame_count as usize,
            c.reference.len(),
            "{name}: {}",
            c.info.summary()
        );
        assert!(!c.info.variable_frame_rate, "{name}: {}", c.info.summary());
    });
}

#[test]
fn sequential_decoding_is_ffmpegs_frame_by_frame() {
    for_each_case(|name, c| {
        let rotation = c.info.rotation;
        let decoder = Decoder::open(&c.path, c.info, DecodeMode::Full).expect("open");
        let mut seen = 0;
        for (expected, frame) in decoder.enumerate() {
            let frame = frame.unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(frame.index, expected as u64, "{name}");
            let rgb = frame.frame.to_rgb(rotation).expect("rgb");
            assert_is_frame(&rgb, &c.reference, expected, name);
            seen += 1;
        }
        assert_eq!(seen, c.reference.len(), "{name}: frames decoded");
    });
}

/// Both sides of every cut, the ends, and a spread, out of order.
fn sampled(c: &Case) -> Vec<u64> {
    let count = c.reference.len() as u64;
    let mut picks: Vec<u64> = c.cuts.iter().flat_map(|&f| [f, f - 1]).collect();
    picks.extend([count - 1, 0, count / 2, 1, 14, 15, 16, 29, 30, 31]);
    picks.extend((3..count).step_by(23));
    picks.retain(|&i| i < count);
    picks
}

#[test]
fn random_access_is_ffmpegs_frame_on_both_sides_of_every_cut() {
    for_each_case(|name, c| {
        let picks = sampled(&c);
        let rotation = c.info.rotation;
        let mut decoder = Decoder::open(&c.path, c.info, DecodeMode::Full).expect("open");
        for index in picks {
            let frame = decoder
                .seek_frame(index)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(frame.index, index, "{name}");
            let rgb = frame.frame.to_rgb(rotation).expect("rgb");
            assert_is_frame(&rgb, &c.reference, index as usize, name);
        }
    });
}

#[test]
fn every_cut_is_found_at_its_exact_frame() {
    for_each_case(|name, c| {
        let title = shots::detect_file(&c.path, &Params::default(), Backend::Cpu, &|_, _| {
            std::ops::ControlFlow::Continue(())
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(title.frames as usize, c.reference.len(), "{name}");
        let found: Vec<(TransitionKind, u64, u64)> = title
            .segmentation
            .transitions
            .iter()
            .map(|t| (t.kind, t.from_frame, t.to_frame))
            .collect();
        let expected: Vec<(TransitionKind, u64, u64)> = c
            .cuts
            .iter()
            .map(|&f| (TransitionKind::Cut, f - 1, f))
            .collect();
        assert_eq!(found, expected, "{name}");
        let flat: Vec<_> = title
            .segmentation
            .shots
            .iter()
            .filter(|s| !s.kind.is_picture())
            .collect();
        assert_eq!(flat.len(), c.flat, "{name}: black or colour shots {flat:?}");
        for shot in flat {
            let frames = &c.reference[shot.first_frame as usize..=shot.last_frame as usize];
            let dark = frames.iter().all(|f| f.data.iter().all(|&v| v < 40));
            let kind = if dark {
                ShotKind::Black
            } else {
                ShotKind::Colour
            };
            assert_eq!(shot.kind, kind, "{name}: {shot:?}");
        }
    });
}

/// Variable rate with long gaps (25 fps bursts, 10 s and 5 s apart): the
/// timeline runs at 25 fps, not the average, so every picture FFmpeg
/// decodes has an index of its own; the frames in between hold the picture
/// before, as FFmpeg's `fps` filter makes them.
#[test]
fn variable_rate_with_gaps_keeps_every_picture_addressable() {
    for name in ["vfr_gaps.mp4", "vfr_gaps.mkv"] {
        every_picture_addressable(name);
    }
}

fn every_picture_addressable(name: &str) {
    matchcut::init_ffmpeg(true);
    let path = corpus().join(name);
    let info = media::probe(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(info.variable_frame_rate, "{name}");
    assert_eq!(info.frame_rate.to_string(), "25/1", "{name}");
    let (w, h) = display_size(&info);
    let pictures = ffmpeg_frames(&path, None, w, h);
    let stamps = picture_stamps(&path);
    assert_eq!(pictures.len(), stamps.len(), "{name}");
    let filled = ffmpeg_frames(&path, Some("fps=25"), w, h);
    let timeline = info.timeline();
    let ours: Vec<RgbImage> = Decoder::open(&path, info, DecodeMode::Full)
        .expect("open")
        .map(|f| f.expect("frame").frame.to_rgb(0).expect("rgb"))
        .collect();
    // The timeline ends with the last picture; the fps filter may hold it
    // on to the end the container states (a Matroska block's duration).
    assert!(
        ours.len() <= filled.len(),
        "{name}: frames of the fps filter"
    );
    let last = ours.last().expect("frames");
    for (i, b) in filled.iter().enumerate() {
        let a = ours.get(i).unwrap_or(last);
        assert!(
            psnr(a, b) > SAME_DB,
            "{name}: frame {i} is not the fps filter's"
        );
    }
    let mut indices: Vec<i64> = stamps.iter().map(|&p| timeline.slot(p)).collect();
    for (n, &index) in indices.iter().enumerate() {
        assert_is_frame(&ours[index as usize], &pictures, n, name);
    }
    indices.dedup();
    assert_eq!(
        indices.len(),
        pictures.len(),
        "{name}: each picture has its own index"
    );
}

/// The best-effort timestamp of every picture FFmpeg decodes.
fn picture_stamps(path: &Path) -> Vec<i64> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["frame=best_effort_timestamp", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("run ffprobe");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().trim_end_matches(',').parse().ok())
        .collect()
}

/// A file cut short (index up front, media cut off) is analysed up to its
/// last frame that decodes, with a warning naming the file and where it ends.
#[test]
fn a_truncated_file_is_read_up_to_its_last_decodable_frame() {
    matchcut::init_ffmpeg(true);
    let path = fixture("truncated_faststart.mp4");
    let info = media::probe(&path).unwrap_or_else(|e| panic!("{e}"));
    let (w, h) = display_size(&info);
    let reference = ffmpeg_frames_lenient(&path, w, h);
    let cut = info.truncated.clone().expect("reported as truncated");
    assert_eq!(cut.indexed, 100);
    assert_eq!(info.frame_count as usize, reference.len());
    assert_eq!(cut.readable, info.frame_count);
    let last = reference.len() - 1;
    let mut decoder = Decoder::open(&path, info, DecodeMode::Full).expect("open");
    for index in [last, 0, last / 2, last - 1] {
        let frame = decoder.seek_frame(index as u64).expect("frame");
        let rgb = frame.frame.to_rgb(0).expect("rgb");
        assert_is_frame(&rgb, &reference, index, "truncated_faststart.mp4");
    }
    let out = matchcut().args(["probe"]).arg(&path).output().expect("run");
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let says = format!("ends after frame {last}");
    assert!(
        stderr.contains("truncated") && stderr.contains(&says),
        "{stderr}"
    );
    assert!(stderr.contains(&path.display().to_string()), "{stderr}");
}

/// Every frame FFmpeg decodes from a damaged file (it reports the damage
/// but exits cleanly).
fn ffmpeg_frames_lenient(path: &Path, w: u32, h: u32) -> Vec<RgbImage> {
    let out = Command::new("ffmpeg")
        .args(["-v", "quiet", "-nostdin", "-i"])
        .arg(path)
        .args([
            "-vsync",
            "passthrough",
            "-an",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ])
        .output()
        .expect("run ffmpeg");
    let size = (w * h * 3) as usize;
    out.stdout
        .chunks_exact(size)
        .map(|c| RgbImage {
            width: w,
            height: h,
            data: c.to_vec(),
        })
        .collect()
}

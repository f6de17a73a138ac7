//! Cut clips: rendered from real titles of every codec the scanner reads,
//! each picture the canonical frame of its index (PSNR against `picture`
//! of that index, and closer to it than to its neighbours), the cut on the
//! exact tick, the sound as long as the pictures.

mod common;

use common::*;
use ffmpeg_next as ffmpeg;
use matchcut::frames::{picture, resize};
use matchcut::media::{RgbImage, ToRgb};
use matchcut::playback::{ClipCache, CutClip, Span};
use std::path::{Path, PathBuf};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("matchcut-playback-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

fn span(name: &str, first: u64, last: u64) -> Span {
    Span {
        path: fixture(name),
        content_hash: name.to_string(),
        first,
        last,
    }
}

/// Every picture of an MP4 in order, as RGB, with its time in seconds as
/// a fraction (pts · tb).
fn decode_all(path: &Path) -> Vec<(RgbImage, (i64, i64))> {
    ffmpeg::init().unwrap();
    let mut input = ffmpeg::format::input(path).unwrap();
    let stream = input.streams().best(ffmpeg::media::Type::Video).unwrap();
    let (index, tb) = (stream.index(), stream.time_base());
    let context = ffmpeg::codec::context::Context::from_parameters(stream.parameters()).unwrap();
    let mut decoder = context.decoder().video().unwrap();
    let mut frames = Vec::new();
    let mut frame = ffmpeg::frame::Video::empty();
    let mut take = |decoder: &mut ffmpeg::decoder::Video, frames: &mut Vec<_>| {
        while decoder.receive_frame(&mut frame).is_ok() {
            let pts = frame.timestamp().or(frame.pts()).unwrap();
            let time = (pts * i64::from(tb.numerator()), i64::from(tb.denominator()));
            frames.push((frame.to_rgb(0).unwrap(), time));
        }
    };
    for (s, packet) in input.packets() {
        if s.index() == index {
            decoder.send_packet(&packet).unwrap();
            take(&mut decoder, &mut frames);
        }
    }
    decoder.send_eof().unwrap();
    take(&mut decoder, &mut frames);
    frames
}

/// Pictures are compared at this width: two resamplings of one picture
/// (an anamorphic 333×187 VP9 to the clip's 248×186, and the canonical
/// 249×187 to it) differ in fine detail, not in which frame they show.
const COMPARED: u32 = 160;

/// The canonical frame `index` of `path`, as compared.
fn canonical(path: &Path, index: u64) -> RgbImage {
    resize(&picture(path, index).unwrap(), COMPARED)
}

/// The part of a clip's picture that shows the title, `truth` fitted
/// into it as the canvas does (centred, black bars where the aspects
/// differ), as compared: 16:9 pictures on a 5:4 canvas are letterboxed.
fn fitted(shown: &RgbImage, truth: &RgbImage) -> RgbImage {
    let (w, h) = (f64::from(truth.width), f64::from(truth.height));
    let scale = (f64::from(shown.width) / w).min(f64::from(shown.height) / h);
    // The height that resizes to exactly the truth's compared height.
    let cw = (w * scale).round() as u32;
    let ch = (u64::from(truth.height) * u64::from(cw)).div_ceil(u64::from(truth.width)) as u32;
    let ch = ch.min(shown.height);
    let (x0, y0) = ((shown.width - cw) / 2, (shown.height - ch) / 2);
    let row = shown.width as usize * 3;
    let mut data = Vec::with_capacity(cw as usize * ch as usize * 3);
    for y in y0..y0 + ch {
        let start = y as usize * row + x0 as usize * 3;
        data.extend_from_slice(&shown.data[start..start + cw as usize * 3]);
    }
    resize(
        &RgbImage {
            width: cw,
            height: ch,
            data,
        },
        COMPARED,
    )
}

/// Renders `from` → `to` and checks every picture, the cut's time and the
/// two pictures either side of the cut against their neighbours.
fn check_cut(from: Span, to: Span) -> CutClip {
    let dir = scratch(&format!("{}-{}", from.content_hash, to.content_hash));
    let cache = ClipCache::new(dir.clone(), 1 << 30);
    let clip = cache.get(&from, &to).unwrap();
    let file = cache.file(&clip.id).expect("rendered");
    let pictures = decode_all(&file);
    let (nf, nt) = (clip.from.frames as usize, clip.to.frames as usize);
    assert_eq!(pictures.len(), nf + nt, "every frame once");
    let sources = (clip.from.source_frames.iter().map(|&f| (&from, f)))
        .chain(clip.to.source_frames.iter().map(|&f| (&to, f)));
    let pictures: Vec<_> = sources
        .zip(pictures)
        .map(|((side, index), (image, time))| {
            let truth = canonical(&side.path, index);
            (fitted(&image, &truth), time, truth, (side, index))
        })
        .collect();
    for (shown, _, truth, (side, index)) in &pictures {
        let psnr = shown.psnr(truth).unwrap_or_else(|| {
            panic!(
                "{}x{} against {}x{}",
                shown.width, shown.height, truth.width, truth.height
            )
        });
        assert!(
            psnr >= 30.0,
            "{} frame {index}: {psnr:.1} dB",
            side.content_hash
        );
    }
    // Either side of the cut: the out-frame and the in-frame, and not their
    // neighbours.
    let ends = [(&from, from.last, nf - 1), (&to, to.first, nf)];
    for (side, index, at) in ends {
        let shown = &pictures[at].0;
        let own = shown.psnr(&canonical(&side.path, index)).unwrap();
        for other in [index.saturating_sub(1), index + 1] {
            if other == index {
                continue;
            }
            let near = shown.psnr(&canonical(&side.path, other)).unwrap();
            assert!(
                own > near + 1.0,
                "{} frame {index}: {own:.1} dB, frame {other}: {near:.1} dB",
                side.content_hash
            );
        }
    }
    // The incoming part starts the moment the outgoing part's last frame
    // ends: nf · den / num seconds, exactly.
    let (pts, per) = pictures[nf].1;
    let (num, den) = (i64::from(clip.from.rate_num), i64::from(clip.from.rate_den));
    assert_eq!(pts * num, nf as i64 * den * per, "the cut on its tick");
    let _ = std::fs::remove_dir_all(dir);
    clip
}

#[test]
fn a_cut_clip_between_23976_and_2997_drop_frame_shows_the_canonical_frames() {
    let clip = check_cut(
        span("cfr_23976.mp4", 30, 53),
        span("cfr_2997_df.mov", 12, 41),
    );
    // One rate, the outgoing title's, as an NLE sequence: the 30 frames
    // at 29.97 last 24 pictures at 23.976, every fifth frame dropped.
    assert_eq!((clip.to.rate_num, clip.to.rate_den), (24000, 1001));
    assert_eq!(clip.to.title_rate, "30000/1001");
    assert_eq!(clip.to.timecodes.len(), 24);
    assert_eq!(clip.to.source_frames[..6], [12, 13, 14, 15, 17, 18]);
    assert_eq!(clip.from.source_frames, (30..=53).collect::<Vec<u64>>());
    assert!(
        clip.to.timecodes[0].contains(';'),
        "drop-frame timecode: {:?}",
        clip.to.timecodes[0]
    );
}

#[test]
fn cut_clips_from_prores_hevc_10_bit_vp9_and_dnxhr_show_the_canonical_frames() {
    check_cut(
        span("cfr_25_prores.mov", 10, 34),
        span("hevc_10bit.mp4", 5, 29),
    );
    check_cut(
        span("vp9_odd_size.webm", 20, 49),
        span("cfr_2997_dnxhr.mov", 3, 32),
    );
}

#[test]
fn cut_clips_from_mpeg_2_and_dnxhd_show_the_canonical_frames() {
    // PAL MPEG-2 in MXF into 1080p DNxHD at 23.976 (conformed to 25).
    check_cut(
        span("cfr_25_mpeg2.mxf", 10, 34),
        span("dnxhd_1080p.mxf", 3, 26),
    );
    // 59.94 MPEG-2 in a transport stream into PAL MPEG-2 (each frame
    // shown about 2.4 times).
    let clip = check_cut(
        span("cfr_5994_mpeg2.ts", 40, 99),
        span("cfr_25_mpeg2.mxf", 0, 24),
    );
    assert_eq!((clip.to.rate_num, clip.to.rate_den), (60000, 1001));
}

#[test]
fn a_cut_clip_carries_the_sound_as_long_as_its_pictures() {
    let dir = scratch("sound");
    let cache = ClipCache::new(dir.clone(), 1 << 30);
    let (from, to) = (span("with_audio.mp4", 0, 24), span("cfr_23976.mp4", 0, 23));
    let clip = cache.get(&from, &to).unwrap();
    assert!(clip.sound);
    let file = cache.file(&clip.id).unwrap();
    let probe = ffprobe(&file, false);
    let streams = probe["streams"].as_array().unwrap();
    let duration = |kind: &str| {
        let s = streams.iter().find(|s| s["codec_type"] == kind).unwrap();
        s["duration"].as_str().unwrap().parse::<f64>().unwrap()
    };
    // 25 frames at 25/1, then 24 frames at 24000/1001 (1.001 s): 25
    // pictures at 25/1, 2 s in all.
    let pictures = 2.0;
    assert!(
        (duration("video") - pictures).abs() < 0.05,
        "{}",
        duration("video")
    );
    assert!(
        (duration("audio") - pictures).abs() < 0.05,
        "{}",
        duration("audio")
    );
    // The same cut again is the same file, rendered once.
    let again = cache.get(&from, &to).unwrap();
    assert_eq!(again, clip);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_range_past_the_title_is_an_error_naming_the_file() {
    let cache = ClipCache::new(scratch("range"), 1 << 30);
    let err = cache
        .get(
            &span("cfr_23976.mp4", 60, 80),
            &span("hevc_10bit.mp4", 0, 10),
        )
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("cfr_23976.mp4") && err.contains("frames 0 to 71"),
        "{err}"
    );
}

//! Preprocessing on real decoded frames: the GPU path (lavapipe in CI)
//! against the CPU path, and the CPU path against FFmpeg's own RGB.

mod common;

use common::*;
use matchcut::media::{self, DecodeMode, Decoder, MediaInfo, ToRgb};
use matchcut::preprocess::{self, gpu::GpuPreprocessor, BatchOutputs, Config, StreamFacts};
use std::path::Path;

/// Decoded frames of a file (a few, spread out), in a layout the kernels
/// read; `nv12` converts them to NV12 first.
fn frames(path: &Path, nv12: bool) -> (MediaInfo, Vec<ffmpeg_next::frame::Video>) {
    matchcut::init_ffmpeg(true);
    let info = media::probe(path).unwrap_or_else(|e| panic!("{e}"));
    let mut decoder = Decoder::open(path, info.clone(), DecodeMode::Full).expect("open");
    let count = info.frame_count;
    let picks = [0, count / 3, count - 1];
    let frames = picks
        .iter()
        .map(|&i| {
            let frame = decoder.seek_frame(i).expect("seek").frame;
            let frame = preprocess::supported(&frame)
                .expect("convert")
                .unwrap_or(frame);
            if nv12 {
                to_nv12(&frame)
            } else {
                frame
            }
        })
        .collect();
    (info, frames)
}

fn to_nv12(frame: &ffmpeg_next::frame::Video) -> ffmpeg_next::frame::Video {
    use ffmpeg_next::software::scaling::{Context, Flags};
    let (w, h) = (frame.width(), frame.height());
    let mut s = Context::get(
        frame.format(),
        w,
        h,
        ffmpeg_next::format::Pixel::NV12,
        w,
        h,
        Flags::POINT,
    )
    .expect("sws");
    let mut out = ffmpeg_next::frame::Video::empty();
    s.run(frame, &mut out).expect("nv12");
    out.set_color_range(frame.color_range());
    out.set_color_space(frame.color_space());
    out
}

fn views_of<'a>(
    info: &'a MediaInfo,
    decoded: &'a [ffmpeg_next::frame::Video],
) -> Vec<preprocess::FrameView<'a>> {
    decoded
        .iter()
        .map(|f| preprocess::view(f, StreamFacts::of(info)).expect("layout"))
        .collect()
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn both_paths(path: &Path, nv12: bool) -> (BatchOutputs, BatchOutputs) {
    let (info, decoded) = frames(path, nv12);
    let views = views_of(&info, &decoded);
    let config = Config::default().with_motion();
    let mut cpu = BatchOutputs::default();
    preprocess::process_cpu(&views, &config, &mut cpu);
    let mut gpu = BatchOutputs::default();
    let mut engine =
        GpuPreprocessor::new(&config).expect("a wgpu adapter (lavapipe: mesa-vulkan-drivers)");
    engine.process(&views, &mut gpu).expect("gpu");
    (cpu, gpu)
}

#[test]
fn gpu_and_cpu_paths_agree_on_every_colour_case() {
    let cases = [
        ("cfr_24.mkv", false), // 8-bit 4:2:0, unspecified matrix (BT.601 default)
        ("color_bt709_full.mp4", false), // full range BT.709 (yuvj420p)
        ("color_bt601.mkv", false), // limited BT.601
        ("hevc_10bit.mp4", false), // 10-bit 4:2:0
        ("cfr_24.mkv", true),  // NV12
        ("rotated_90.mp4", false), // display rotation
        ("vp9_odd_size.webm", false), // odd size
        ("cfr_25_prores.mov", false), // 4:2:2 10-bit, converted to I420
    ];
    for (name, nv12) in cases {
        let (cpu, gpu) = both_paths(&fixture(name), nv12);
        let what = format!("{name}{}", if nv12 { " as NV12" } else { "" });
        assert!(
            max_diff(&cpu.model_input, &gpu.model_input) <= 1e-3,
            "{what}: model input"
        );
        assert!(
            max_diff(&cpu.thumb_hsv, &gpu.thumb_hsv) <= 1e-3,
            "{what}: HSV"
        );
        let rgb_diff = cpu
            .thumb_rgb
            .iter()
            .zip(&gpu.thumb_rgb)
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        assert!(
            rgb_diff <= Some(1),
            "{what}: RGB differs by {rgb_diff:?}/255"
        );
        // Bins come from the 8-bit pixels, which may differ by one level.
        let px = 1.0 / Config::default().thumb_pixels() as f32;
        for (c, g) in cpu.histograms.chunks(128).zip(gpu.histograms.chunks(128)) {
            let moved: f32 = c.iter().zip(g).map(|(a, b)| (a - b).abs()).sum();
            assert!(moved <= 2.0 * px + 1e-6, "{what}: histogram moved {moved}");
            assert!((c.iter().sum::<f32>() - 1.0).abs() < 1e-4);
        }
        // Integers on both paths: the same motion planes exactly.
        assert_eq!(cpu.motion.len(), 3 * 64 * 36, "{what}: motion planes");
        assert!(cpu.motion == gpu.motion, "{what}: motion planes differ");
        motion_plane_shows_the_thumbnail(&cpu, &what);
    }
}

/// The motion plane is the picture the thumbnail shows, upright: sampled
/// at the thumbnail's pixels, it correlates with the thumbnail's luma.
fn motion_plane_shows_the_thumbnail(out: &BatchOutputs, what: &str) {
    let (tw, th, mw, mh) = (48, 27, 64, 36);
    for (frame, (motion, rgb)) in out
        .motion
        .chunks(mw * mh)
        .zip(out.thumb_rgb.chunks(tw * th * 3))
        .enumerate()
    {
        let pairs: Vec<(f64, f64)> = (0..tw * th)
            .map(|i| {
                let (x, y) = (i % tw, i / tw);
                let m = motion[(y * mh / th) * mw + x * mw / tw];
                let p = &rgb[i * 3..i * 3 + 3];
                let luma = 0.299 * p[0] as f64 + 0.587 * p[1] as f64 + 0.114 * p[2] as f64;
                (f64::from(m), luma)
            })
            .collect();
        let r = correlation(&pairs);
        assert!(
            r > 0.9,
            "{what} frame {frame}: motion plane vs thumbnail r = {r:.3}"
        );
    }
}

fn correlation(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let (ma, mb) = pairs
        .iter()
        .fold((0.0, 0.0), |(a, b), p| (a + p.0 / n, b + p.1 / n));
    let (mut ab, mut aa, mut bb) = (0.0, 0.0, 0.0);
    for &(a, b) in pairs {
        ab += (a - ma) * (b - mb);
        aa += (a - ma) * (a - ma);
        bb += (b - mb) * (b - mb);
    }
    ab / (aa * bb).sqrt().max(1e-12)
}

#[test]
fn cpu_thumbnails_match_ffmpeg_rgb_averaged() {
    let path = bbb();
    let (info, decoded) = frames(&path, false);
    let views = views_of(&info, &decoded);
    let config = Config::default();
    let mut out = BatchOutputs::default();
    preprocess::process_cpu(&views, &config, &mut out);
    let (tw, th) = (config.thumb_width as usize, config.thumb_height as usize);
    for (n, frame) in decoded.iter().enumerate() {
        // FFmpeg's RGB at full size, box-averaged into the thumbnail grid.
        let rgb = frame.to_rgb(0).expect("rgb");
        let (w, h) = (rgb.width as usize, rgb.height as usize);
        let mut total = 0.0f64;
        for ty in 0..th {
            for tx in 0..tw {
                let (x0, x1, y0, y1) = (
                    tx * w / tw,
                    (tx + 1) * w / tw,
                    ty * h / th,
                    (ty + 1) * h / th,
                );
                for c in 0..3 {
                    let mut sum = 0.0f64;
                    for y in y0..y1 {
                        for x in x0..x1 {
                            sum += f64::from(rgb.data[(y * w + x) * 3 + c]);
                        }
                    }
                    let reference = sum / ((x1 - x0) * (y1 - y0)) as f64;
                    let ours = f64::from(out.thumb_rgb[((n * th + ty) * tw + tx) * 3 + c]);
                    // Averaging Y'CbCr before converting, and swscale's chroma
                    // interpolation, move single pixels by a few levels.
                    assert!(
                        (ours - reference).abs() <= 6.0,
                        "frame {n} ({tx},{ty}) c{c}: {ours} vs {reference:.1}"
                    );
                    total += (ours - reference).abs();
                }
            }
        }
        let mean = total / (tw * th * 3) as f64;
        assert!(mean <= 1.5, "frame {n}: mean difference {mean:.2}/255");
    }
}

#[test]
fn model_input_is_letterboxed_and_normalised() {
    let (info, decoded) = frames(&bbb(), false);
    let views = views_of(&info, &decoded);
    let config = Config::default();
    let mut out = BatchOutputs::default();
    preprocess::process_cpu(&views, &config, &mut out);
    let side = 224usize;
    assert_eq!(out.model_input.len(), 3 * 3 * side * side);
    // 16:9 in a square: 126 content rows from row 49, black bars around.
    for c in 0..3 {
        let pad = -config.mean[c] / config.std[c];
        let plane = &out.model_input[c * side * side..(c + 1) * side * side];
        assert!(
            plane[..49 * side].iter().all(|v| (v - pad).abs() < 1e-6),
            "top bar, channel {c}"
        );
        assert!(
            plane[175 * side..].iter().all(|v| (v - pad).abs() < 1e-6),
            "bottom bar, channel {c}"
        );
        let content = &plane[49 * side..175 * side];
        assert!(
            content.iter().any(|v| (v - pad).abs() > 0.1),
            "content is not black"
        );
    }
}

#[test]
fn partial_outputs_equal_the_full_ones_on_both_paths() {
    let (info, decoded) = frames(&fixture("cfr_23976.mp4"), false);
    let views = views_of(&info, &decoded);
    let mut full = BatchOutputs::default();
    preprocess::process_cpu(&views, &Config::default(), &mut full);
    for config in [Config::thumbnails_only(), Config::model_input_only()] {
        let mut cpu = BatchOutputs::default();
        preprocess::process_cpu(&views, &config, &mut cpu);
        let mut gpu = BatchOutputs::default();
        GpuPreprocessor::new(&config)
            .expect("adapter")
            .process(&views, &mut gpu)
            .expect("gpu");
        for out in [&cpu, &gpu] {
            if config.want_thumbnails {
                assert!(out.model_input.is_empty());
                assert!(out
                    .thumb_rgb
                    .iter()
                    .zip(&full.thumb_rgb)
                    .all(|(a, b)| a.abs_diff(*b) <= 1));
                assert_eq!(out.histograms.len(), full.histograms.len());
            } else {
                assert!(out.thumb_rgb.is_empty() && out.histograms.is_empty());
                assert!(max_diff(&out.model_input, &full.model_input) <= 1e-3);
            }
        }
    }
}

/// The CPU path's model inputs of `views`, and a GPU preprocessor for the
/// same configuration.
fn model_input_on_both_paths(views: &[preprocess::FrameView]) -> (BatchOutputs, GpuPreprocessor) {
    let config = Config::model_input_only();
    let mut cpu = BatchOutputs::default();
    preprocess::process_cpu(views, &config, &mut cpu);
    (cpu, GpuPreprocessor::new(&config).expect("adapter"))
}

#[test]
fn model_input_can_stay_on_the_device() {
    let (info, decoded) = frames(&fixture("color_bt709_full.mp4"), false);
    let views = views_of(&info, &decoded);
    let (cpu, mut gpu) = model_input_on_both_paths(&views);
    let ctx = gpu.context().clone();
    let resident = gpu.process_resident(&views).expect("resident");
    assert_eq!(resident.shape, [3, 3, 224, 224]);
    // What a model on the same device would read, fetched here only to check it.
    let bytes = (cpu.model_input.len() * 4) as u64;
    let probe = ctx.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("test readback"),
        size: bytes,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut encoder = ctx.device.create_command_encoder(&Default::default());
    encoder.copy_buffer_to_buffer(resident.buffer, 0, &probe, 0, bytes);
    ctx.queue.submit([encoder.finish()]);
    probe
        .slice(..)
        .map_async(wgpu::MapMode::Read, |r| r.expect("map"));
    ctx.device
        .poll(wgpu::PollType::wait_indefinitely())
        .expect("poll");
    let on_device: Vec<f32> =
        bytemuck::cast_slice(&probe.slice(..).get_mapped_range().expect("view")).to_vec();
    assert!(max_diff(&on_device, &cpu.model_input) <= 1e-3);
    assert_eq!(
        gpu.readback_bytes(),
        0,
        "the preprocessor itself read nothing back"
    );
}

#[test]
fn batches_over_the_device_upload_limit_go_up_in_parts() {
    let (info, decoded) = frames(&fixture("cfr_23976.mp4"), false);
    let views = views_of(&info, &decoded);
    let config = Config::default();
    let mut whole = BatchOutputs::default();
    GpuPreprocessor::new(&config)
        .expect("adapter")
        .process(&views, &mut whole)
        .expect("gpu");
    // Room for one frame's planes per upload: three submissions.
    let one_frame = 200_000; // one 320x240 frame with its stride padding, not two
    let mut split = GpuPreprocessor::new(&config)
        .expect("adapter")
        .with_batch_bytes(one_frame);
    let mut parts = BatchOutputs::default();
    split.process(&views, &mut parts).expect("gpu in parts");
    assert_eq!(parts, whole);
    let mut tiny = GpuPreprocessor::new(&config)
        .expect("adapter")
        .with_batch_bytes(1000);
    let err = tiny
        .process(&views, &mut parts)
        .expect_err("a frame larger than an upload");
    assert!(err.to_string().contains("320x240"), "{err}");
}

#[test]
fn burn_on_wgpu_receives_the_batch_without_a_cpu_round_trip() {
    use matchcut::preprocess::handoff;
    let (info, decoded) = frames(&fixture("color_bt601.mkv"), false);
    let views = views_of(&info, &decoded);
    let (cpu, mut gpu) = model_input_on_both_paths(&views);
    let ctx = gpu.context().clone();
    let device = handoff::burn_device(&ctx).expect("Burn on the shared device");
    let resident = gpu.process_resident(&views).expect("resident");
    let tensor = handoff::to_burn_tensor(&ctx, &device, &resident).expect("hand-off");
    assert_eq!(
        gpu.readback_bytes(),
        0,
        "nothing came back to the CPU on the way"
    );
    assert_eq!(tensor.dims(), [3, 3, 224, 224]);
    // A model's first step, on the GPU: per-channel means of the batch.
    let means = tensor.clone().mean_dim(3).mean_dim(2).mean_dim(0);
    let means: Vec<f32> = means.into_data().try_to_vec::<f32>().expect("f32");
    let plane = 224 * 224;
    for (c, got) in means.iter().enumerate() {
        let want: f32 = (0..3)
            .map(|n| {
                cpu.model_input[(n * 3 + c) * plane..(n * 3 + c + 1) * plane]
                    .iter()
                    .sum::<f32>()
                    / plane as f32
            })
            .sum::<f32>()
            / 3.0;
        assert!((got - want).abs() < 1e-3, "channel {c}: {got} vs {want}");
    }
    let values: Vec<f32> = tensor.into_data().try_to_vec::<f32>().expect("f32");
    assert!(max_diff(&values, &cpu.model_input) <= 1e-3);
}

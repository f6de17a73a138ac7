//! Preprocessing throughput on 1080p frames, CPU and GPU paths, against the
//! rate `ffmpeg` decodes the same file in the same run.
//! Usage: `make bench`, or `cargo bench --profile dev --bench preprocess -- [FILE]`.

mod common;

use common::{bench_file, best_of, run_ffmpeg, RUNS};
use matchcut::media::{DecodeMode, Decoder};
use matchcut::preprocess::{
    self, gpu::GpuPreprocessor, BatchOutputs, Config, FrameView, StreamFacts,
};
use std::time::Duration;

const FRAMES: usize = 96;
const BATCH: usize = 16;

fn main() {
    let (path, info) = bench_file();
    let decoded: Vec<_> = Decoder::open(&path, info.clone(), DecodeMode::Full)
        .expect("open")
        .take(FRAMES)
        .map(|f| f.expect("frame").frame)
        .collect();
    let facts = StreamFacts::of(&info);
    let views: Vec<FrameView> = decoded
        .iter()
        .map(|f| preprocess::view(f, facts).expect("layout"))
        .collect();
    let ffmpeg_fps = info.frame_count as f64 / best_of(|| run_ffmpeg(&path)).as_secs_f64();
    println!(
        "preprocess benchmark: {} ({}x{}), {} frames in batches of {BATCH}, best of {RUNS}",
        path.display(),
        info.width,
        info.height,
        views.len()
    );
    println!("ffmpeg decode (same file): {ffmpeg_fps:.1} frames/s");
    println!("{:<36} {:>10} {:>14}", "", "frames/s", "vs ffmpeg");
    let row = |label: &str, elapsed: Duration| {
        let fps = views.len() as f64 / elapsed.as_secs_f64();
        println!("{label:<36} {fps:>10.1} {:>13.2}x", fps / ffmpeg_fps);
    };
    for (name, config) in [
        ("thumbnails", Config::thumbnails_only()),
        ("model input", Config::model_input_only()),
    ] {
        let mut out = BatchOutputs::default();
        row(
            &format!("CPU {name}"),
            best_of(|| {
                for batch in views.chunks(BATCH) {
                    preprocess::process_cpu(batch, &config, &mut out);
                }
            }),
        );
        match GpuPreprocessor::new(&config) {
            Ok(mut gpu) => {
                let adapter = gpu.adapter().name.clone();
                row(
                    &format!("GPU {name} ({adapter})"),
                    best_of(|| {
                        for batch in views.chunks(BATCH) {
                            gpu.process(batch, &mut out).expect("gpu");
                        }
                    }),
                );
            }
            Err(e) => println!("GPU {name}: {e}"),
        }
    }
    block_search(&views);
    println!(
        "chosen path here: {:?}",
        preprocess::choose_backend(preprocess::BackendChoice::Auto)
    );
}

/// Motion's block search over the frames' motion planes, CPU against the
/// WGSL kernel, in batches of 24 steps (a shot's two ends at 24 fps, as
/// the capture sends them): steps a second on each path, and their ratio.
fn block_search(views: &[FrameView]) {
    use matchcut::motion::{blocks, estimate, Pyramid};
    let config = Config::thumbnails_only().with_motion();
    let mut out = BatchOutputs::default();
    preprocess::process_cpu(views, &config, &mut out);
    let size = (config.motion_width as usize, config.motion_height as usize);
    let planes: Vec<&[u16]> = out.motion.chunks(size.0 * size.1).collect();
    let pyramids: Vec<Pyramid> = planes
        .iter()
        .map(|p| Pyramid::new(p, size.0, size.1))
        .collect();
    let steps: Vec<blocks::StepDesc> = (1..planes.len())
        .map(|i| estimate::search(&pyramids[i - 1], &pyramids[i], i as u32 - 1, i as u32))
        .collect();
    let origins = blocks::origins(size.0, size.1);
    let per_second = |elapsed: Duration| steps.len() as f64 / elapsed.as_secs_f64();
    let cpu = per_second(best_of(|| {
        for batch in steps.chunks(24) {
            std::hint::black_box(blocks::costs(&planes, size, &origins, batch));
        }
    }));
    println!(
        "{:<36} {cpu:>10.1} {:>14}",
        "CPU motion block search (steps/s)", "1.00x CPU"
    );
    match matchcut::motion::gpu::GpuBlockSearch::new() {
        Ok(mut gpu) => {
            let adapter = gpu.adapter().name.clone();
            let rate = per_second(best_of(|| {
                for batch in steps.chunks(24) {
                    std::hint::black_box(gpu.costs(&planes, size, &origins, batch).expect("gpu"));
                }
            }));
            let label = format!("GPU motion block search ({adapter})");
            println!("{label:<36} {rate:>10.1} {:>9.2}x CPU", rate / cpu);
        }
        Err(e) => println!("GPU motion block search: {e}"),
    }
}

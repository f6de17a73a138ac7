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
    println!(
        "chosen path here: {:?}",
        preprocess::choose_backend(preprocess::BackendChoice::Auto)
    );
}

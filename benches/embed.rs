//! Keyframes per second of the embedding model (EfficientNet-Lite0 +
//! descriptor) at batch 1 and 16, on Burn's `flex` CPU backend and on the
//! wgpu device (lavapipe where there is no GPU). Burn's `ndarray` backend
//! was measured too and dropped: 1.4 keyframes/s against flex's 23 here.
//! Then the whole memoised analysis of the 1080p title (shots, keyframe
//! embeddings) against hashing its content, the part memoisation adds.

mod common;

use burn::tensor::Device;
use matchcut::embed::throughput::{keyframes_per_second, Work};
use matchcut::embed::{self, Embedder};
use matchcut::jobs::{analyse, Analysers};
use matchcut::preprocess::{Backend, BackendChoice};
use matchcut::store::Store;
use std::time::Duration;

fn main() {
    models();
    hashing_share();
}

fn models() {
    let mut devices = vec![("flex (CPU)", Device::flex())];
    if let Ok(gpu) = embed::device(BackendChoice::Gpu) {
        devices.push(("wgpu", gpu));
    }
    for (name, device) in devices {
        let embedder = Embedder::new(device.clone()).expect("model");
        for batch in [1usize, 16] {
            let rate =
                keyframes_per_second(&embedder, batch, Work::Descriptor, Duration::from_secs(10))
                    .expect("the model runs");
            println!("embed {name:14} batch {batch:2}: {rate:7.1} keyframes/s");
        }
    }
}

/// Hashing the file against analysing it from scratch (fresh store).
fn hashing_share() {
    let (path, info) = common::bench_file();
    let embedder = Embedder::new(Device::flex()).expect("model");
    let analysers = Analysers::new(&embedder, Backend::Cpu);
    let dir = std::env::temp_dir().join(format!("matchcut-bench-{}", std::process::id()));
    let hash = common::best_of(|| {
        std::hint::black_box(matchcut::media::content_hash(&path).expect("hash"));
    });
    let mut keyframes = 0;
    let whole = common::best_of(|| {
        let _ = std::fs::remove_dir_all(&dir);
        let store = Store::open(&dir.join("store.sqlite")).expect("store");
        keyframes = analyse(&path, &store, &analysers)
            .expect("analysis")
            .keyframes
            .len();
    });
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "analysis of {} ({} frames, {} keyframes): {:.2} s; content hash {:.3} s = {:.2} % of it",
        path.display(),
        info.frame_count,
        keyframes,
        whole.as_secs_f64(),
        hash.as_secs_f64(),
        100.0 * hash.as_secs_f64() / whole.as_secs_f64()
    );
}

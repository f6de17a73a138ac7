//! Keyframes per second of the embedding model (EfficientNet-Lite0 +
//! descriptor) at batch 1 and 16, on Burn's `flex` CPU backend and on the
//! wgpu device (lavapipe where there is no GPU). Burn's `ndarray` backend
//! was measured too and dropped: 1.4 keyframes/s against flex's 23 here.

use burn::tensor::{Device, Tensor, TensorData};
use matchcut::embed::{EmbedDevice, Embedder};
use std::time::{Duration, Instant};

fn main() {
    matchcut::init_ffmpeg(false);
    let mut devices = vec![("flex (CPU)", Device::flex())];
    if let Ok(gpu) = EmbedDevice::Gpu.resolve() {
        devices.push(("wgpu", gpu));
    }
    for (name, device) in devices {
        let embedder = Embedder::new(device.clone()).expect("model");
        for batch in [1usize, 16] {
            let rate = keyframes_per_second(&embedder, &device, batch);
            println!("embed {name:14} batch {batch:2}: {rate:7.1} keyframes/s");
        }
    }
}

/// Best rate over repeated batches within about 10 s (after one warm-up).
fn keyframes_per_second(embedder: &Embedder, device: &Device, batch: usize) -> f64 {
    let images = || {
        let n = batch * 3 * 224 * 224;
        let values: Vec<f32> = (0..n)
            .map(|i| ((i * 7919) % 255) as f32 / 128.0 - 1.0)
            .collect();
        Tensor::<4>::from_data(TensorData::new(values, [batch, 3, 224, 224]), device)
    };
    let run = || {
        let d: Vec<f32> = embedder
            .describe(images())
            .into_data()
            .try_to_vec()
            .expect("f32");
        std::hint::black_box(d);
    };
    run();
    let (mut best, start) = (Duration::MAX, Instant::now());
    while start.elapsed() < Duration::from_secs(10) {
        let t = Instant::now();
        run();
        best = best.min(t.elapsed());
    }
    batch as f64 / best.as_secs_f64()
}

//! How fast the model runs alone: keyframes per second at a batch size, on
//! synthetic inputs (`make bench`, `matchcut bench-model` on a GPU machine).

use super::{EmbedError, Embedder};
use burn::tensor::{Tensor, TensorData};
use std::time::{Duration, Instant};

/// What one timed run covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Work {
    /// The network and the descriptor projection ([`Embedder::describe`]).
    Descriptor,
    /// Everything a scan asks of a keyframe ([`Embedder::describe_with_text`]):
    /// descriptor, text, objects, regions and saliency, read back.
    Scan,
}

/// The largest batch timed: the widest activation of a frame is 4.8 MB
/// (96 channels at 112×112), and wgpu's buffers on an H200 stop at 2 GiB
/// (a batch of 512 asked for 2.47 GB).
pub const MAX_BATCH: usize = 256;

/// Keyframes per second at `batch` frames per run (1 to [`MAX_BATCH`]): the
/// best run within `budget` (at least three), after one warm-up run.
pub fn keyframes_per_second(
    embedder: &Embedder,
    batch: usize,
    work: Work,
    budget: Duration,
) -> Result<f64, EmbedError> {
    let batch = batch.clamp(1, MAX_BATCH);
    let values: Vec<f32> = (0..batch * 3 * 224 * 224)
        .map(|i| ((i * 7919) % 255) as f32 / 128.0 - 1.0)
        .collect();
    // The descriptor's runs share one uploaded batch (a tensor handle is
    // cheap to clone); a scan's runs upload theirs, as a scan does.
    let images = Tensor::<4>::from_data(
        TensorData::new(values.clone(), [batch, 3, 224, 224]),
        embedder.device(),
    );
    let run = || -> Result<(), EmbedError> {
        match work {
            Work::Descriptor => {
                std::hint::black_box(super::read_back(embedder.describe(images.clone()))?);
            }
            Work::Scan => {
                std::hint::black_box(embedder.describe_with_text(&values, batch)?);
            }
        }
        Ok(())
    };
    run()?;
    let (mut best, start, mut runs) = (Duration::MAX, Instant::now(), 0);
    while runs < 3 || start.elapsed() < budget {
        let t = Instant::now();
        run()?;
        best = best.min(t.elapsed());
        runs += 1;
    }
    Ok(batch as f64 / best.as_secs_f64())
}

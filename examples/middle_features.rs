//! Writes the embedding network's middle feature maps of model inputs, for
//! fitting the saliency head (`scripts/saliency/`):
//!
//! `cargo run --example middle_features -- INPUTS.f32 OUT.f32`
//!
//! INPUTS: N model inputs, NCHW little-endian f32 (3×224×224 each, already
//! normalised); OUT: N × 112×14×14 little-endian f32.

use anyhow::{bail, Context};
use burn::tensor::{Device, Tensor, TensorData};
use matchcut::embed::weights;
use std::io::Write;
use std::path::PathBuf;

const SIDE: usize = 224;
const BATCH: usize = 16;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        bail!("usage: middle_features INPUTS.f32 OUT.f32");
    };
    let bytes = std::fs::read(&input).with_context(|| format!("reading {}", input.display()))?;
    let floats: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let each = 3 * SIDE * SIDE;
    if !floats.len().is_multiple_of(each) {
        bail!(
            "{}: not a whole number of 3×224×224 inputs",
            input.display()
        );
    }
    let device = Device::flex();
    let model = weights::load_shipped(&device).context("loading the model")?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(&output)?);
    for batch in floats.chunks(each * BATCH) {
        let n = batch.len() / each;
        let images =
            Tensor::<4>::from_data(TensorData::new(batch.to_vec(), [n, 3, SIDE, SIDE]), &device);
        let (_, middle) = model.features_and_middle(images);
        let values = middle
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        for v in values {
            out.write_all(&v.to_le_bytes())?;
        }
    }
    out.flush()?;
    println!("wrote {}", output.display());
    Ok(())
}

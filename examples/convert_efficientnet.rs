//! Converts the PyTorch EfficientNet-Lite0 checkpoint into the shipped Burn
//! weights (batch norms folded):
//!
//! `cargo run --example convert_efficientnet -- efficientnet-lite0-57934424.pth models/efficientnet-lite0/efficientnet-lite0.bpk`

use anyhow::Context;
use burn::tensor::Device;
use matchcut::embed::weights;
use std::path::PathBuf;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(input), Some(output)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: convert_efficientnet CHECKPOINT.pth OUT.bpk");
    };
    let device = Device::flex();
    let model = weights::load_pytorch(&input, &device).context("loading the checkpoint")?;
    weights::save_shipped(&model.fold(), &output).context("writing the Burn weights")?;
    println!("wrote {}", output.display());
    Ok(())
}

//! `matchcut bench-model`: keyframes per second of the embedding model
//! alone on the chosen device, one JSON line per batch size (for measuring
//! a GPU machine without a Rust toolchain on it; `make bench` covers the rest).

use matchcut::embed::throughput::{keyframes_per_second, Work, MAX_BATCH};
use matchcut::embed::{self, Embedder};
use matchcut::preprocess::BackendChoice;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct BenchModelArgs {
    /// Batch sizes to time, comma-separated.
    #[arg(long, value_delimiter = ',', default_values_t = [1usize, 16])]
    pub batch: Vec<usize>,
    /// Seconds of timed runs per batch size and kind of work.
    #[arg(long, default_value_t = 3.0)]
    pub seconds: f64,
}

pub fn run(args: BenchModelArgs, device: BackendChoice) -> anyhow::Result<ExitCode> {
    if let Some(&bad) = args.batch.iter().find(|&&b| b == 0 || b > MAX_BATCH) {
        anyhow::bail!("--batch {bad}: batch sizes run from 1 to {MAX_BATCH}");
    }
    let device = embed::device(device)?;
    let name = format!("{device:?}");
    let embedder = Embedder::new(device)?;
    let budget = Duration::try_from_secs_f64(args.seconds)
        .map_err(|e| anyhow::anyhow!("--seconds {}: {e}", args.seconds))?;
    for &batch in &args.batch {
        for (label, work) in [("descriptor", Work::Descriptor), ("scan", Work::Scan)] {
            let rate = keyframes_per_second(&embedder, batch, work, budget)?;
            let line = serde_json::json!({
                "device": name, "batch": batch, "work": label,
                "keyframes_per_second": (rate * 10.0).round() / 10.0,
            });
            println!("{line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

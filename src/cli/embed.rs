//! `matchcut embed FILE --index N`: the match-cut descriptor of one frame
//! (what the index stores), as JSON.

use anyhow::Context;
use matchcut::embed::{self, Embedder};
use matchcut::media::{self, DecodeMode};
use matchcut::preprocess::{self, BackendChoice, Preprocessor, StreamFacts};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct EmbedArgs {
    /// The video file.
    pub file: PathBuf,
    /// 0-based frame index on the title's constant-rate timeline.
    #[arg(long)]
    pub index: u64,
}

pub fn run(
    args: EmbedArgs,
    choice: BackendChoice,
    device: BackendChoice,
) -> anyhow::Result<ExitCode> {
    let mut decoder = media::Decoder::probe_and_open(&args.file, DecodeMode::Full)?;
    let frame = decoder.seek_frame(args.index)?.frame;
    let converted = preprocess::supported(&frame).context("converting the frame")?;
    let frame = converted.as_ref().unwrap_or(&frame);
    let view = preprocess::view(frame, StreamFacts::of(decoder.info()))
        .context("reading the frame's planes")?;
    let mut preprocessor = Preprocessor::new(
        embed::preprocess_config(),
        preprocess::choose_backend(choice),
    );
    let input = preprocessor.process(&[view]).model_input.clone();
    let embedder = Embedder::new(embed::device(device)?)?;
    let vector = embedder
        .describe_slice(&input, 1)?
        .pop()
        .unwrap_or_default();
    let report = serde_json::json!({
        "path": args.file, "index": args.index, "model": embed::MODEL_ID,
        "descriptor": embed::descriptor::VERSION, "dims": vector.len(), "vector": vector,
    });
    println!("{}", serde_json::to_string(&report)?);
    Ok(ExitCode::SUCCESS)
}

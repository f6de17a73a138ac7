//! `matchcut frame FILE --index N --out OUT.png`

use anyhow::Context;
use matchcut::media::{self, ToRgb};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct FrameArgs {
    /// The video file.
    pub file: PathBuf,
    /// 0-based frame index on the title's constant-rate timeline.
    #[arg(long)]
    pub index: u64,
    /// Where to write the PNG (full resolution, RGB, upright).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: FrameArgs) -> anyhow::Result<ExitCode> {
    let mut decoder = media::Decoder::probe_and_open(&args.file, media::DecodeMode::Full)?;
    let frame = decoder.seek_frame(args.index)?;
    let rgb = frame
        .frame
        .to_rgb(decoder.info().rotation)
        .with_context(|| {
            format!(
                "{}: converting frame {} to RGB",
                args.file.display(),
                args.index
            )
        })?;
    rgb.save_png(&args.out)?;
    tracing::info!(index = frame.index, pts = frame.pts, timecode = %frame.timecode, "frame written");
    eprintln!(
        "{}: frame {} ({}) -> {}",
        args.file.display(),
        frame.index,
        frame.timecode,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

//! `matchcut export edl|otio --out FILE`: the approved cuts as a CMX 3600
//! EDL or an OpenTimelineIO file.

use super::{LibraryArg, TeamArgs};
use matchcut::export::EdlStyle;
use matchcut::jobs::cuts::{export_cuts, CutFormat, CutOptions, CutOrder};
use matchcut::media::Rate;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    #[command(subcommand)]
    pub format: ExportFormat,
}

#[derive(clap::Subcommand, Debug)]
pub enum ExportFormat {
    /// A CMX 3600 EDL.
    Edl {
        /// Whose EDL conventions: avid, premiere or resolve.
        #[arg(long, default_value = "avid", value_parser = parse_style)]
        style: EdlStyle,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// An OpenTimelineIO file (.otio).
    Otio {
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    /// The file to write.
    #[arg(long)]
    out: PathBuf,
    /// Seconds of each shot on either side of a cut (clamped to the shot).
    #[arg(long, default_value_t = 2.0)]
    handles: f64,
    /// Record timecode of the first clip.
    #[arg(long, default_value = "01:00:00:00")]
    record_start: String,
    /// Export only the pairs at this frame rate, e.g. 24000/1001.
    #[arg(long, value_parser = parse_rate)]
    rate: Option<Rate>,
    /// score (best first) or decided (in the order they were approved).
    #[arg(long, default_value = "score", value_parser = parse_order)]
    order: CutOrder,
    /// The timeline's title.
    #[arg(long, default_value = "Matchcut approved cuts")]
    title: String,
    /// Print what was written as one JSON document on stdout.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    library: LibraryArg,
    #[command(flatten)]
    team: TeamArgs,
}

fn parse_style(text: &str) -> Result<EdlStyle, String> {
    EdlStyle::parse(text).ok_or_else(|| format!("{text:?}: expected avid, premiere or resolve"))
}

fn parse_rate(text: &str) -> Result<Rate, String> {
    Rate::parse(text).ok_or_else(|| format!("{text:?}: expected a rate such as 24000/1001 or 25"))
}

fn parse_order(text: &str) -> Result<CutOrder, String> {
    match text {
        "score" => Ok(CutOrder::Score),
        "decided" => Ok(CutOrder::Decided),
        _ => Err(format!("{text:?}: expected score or decided")),
    }
}

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let (format, common) = match args.format {
        ExportFormat::Edl { style, common } => (CutFormat::Edl(style), common),
        ExportFormat::Otio { common } => (CutFormat::Otio, common),
    };
    let options = CutOptions {
        handles_secs: common.handles,
        record_start: common.record_start,
        rate: common.rate,
        order: common.order,
        title: common.title,
    };
    let library = common.library.dir()?;
    let report = export_cuts(
        &library,
        &common.team.settings(),
        &options,
        format,
        &common.out,
    )?;
    if common.json {
        let doc = serde_json::json!({
            "out": report.out,
            "pairs": report.pairs,
            "clips": report.clips,
            "frame_rate": report.rate,
            "skipped": report.skipped,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    for reason in &report.skipped {
        eprintln!("skipped {reason}");
    }
    eprintln!(
        "{} approved pairs ({} clips at {}) -> {}",
        report.pairs,
        report.clips,
        report.rate,
        report.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

//! `matchcut export edl|otio|xml --out FILE`: the approved cuts as a CMX
//! 3600 EDL, an OpenTimelineIO file or Final Cut Pro 7 XML;
//! `matchcut export order [ID...]`: the sequence's kept order.

use super::sheet::SheetArgs;
use super::{LibraryArg, TeamArgs};
use matchcut::export::EdlStyle;
use matchcut::jobs::cuts::{build, export_cuts, set_cut_order, CutFormat, CutOptions, CutOrder};
use matchcut::jobs::TeamDecisions;
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
    /// Final Cut Pro 7 XML (xmeml), which Premiere Pro and Resolve import:
    /// clips by path, each at its own rate.
    Xml {
        #[command(flatten)]
        common: CommonArgs,
    },
    /// A review sheet: pairs with both frames, titles, timecodes, who
    /// decided and their notes, as one self-contained HTML page.
    Sheet(SheetArgs),
    /// The sequence's order: with pair ids, keep them first in that order
    /// (as dragging in the export view does); then print the approved
    /// pairs' ids in the order they export.
    Order {
        /// Pair ids (as `pairs` lists them), first to last.
        ids: Vec<String>,
        #[command(flatten)]
        library: LibraryArg,
        #[command(flatten)]
        team: TeamArgs,
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
    /// The sequence's frame rate, e.g. 24000/1001 (default: the rate most
    /// clips have). Clips at other rates keep theirs in XML and OTIO and
    /// are conformed to it in an EDL.
    #[arg(long, value_parser = parse_rate)]
    rate: Option<Rate>,
    /// sequence (the library's kept order, then by score), score (best
    /// first) or decided (in the order they were approved).
    #[arg(long, default_value = "sequence", value_parser = parse_order)]
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
        "sequence" => Ok(CutOrder::Sequence),
        "score" => Ok(CutOrder::Score),
        "decided" => Ok(CutOrder::Decided),
        _ => Err(format!("{text:?}: expected sequence, score or decided")),
    }
}

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let (format, common) = match args.format {
        ExportFormat::Edl { style, common } => (CutFormat::Edl(style), common),
        ExportFormat::Otio { common } => (CutFormat::Otio, common),
        ExportFormat::Xml { common } => (CutFormat::Xml, common),
        ExportFormat::Order { ids, library, team } => return order(&ids, &library, &team),
        ExportFormat::Sheet(args) => return super::sheet::run(args),
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
            "other_rate_clips": report.other_rate_clips,
            "skipped": report.skipped,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    }
    for reason in &report.skipped {
        eprintln!("skipped {reason}");
    }
    if report.other_rate_clips > 0 {
        let how = match format {
            CutFormat::Edl(_) => "conformed to the EDL's rate (each cut within half a frame)",
            _ => "each at its own rate",
        };
        eprintln!(
            "{} clips at another rate than {}: {how}",
            report.other_rate_clips, report.rate
        );
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

/// `export order`: keeps `ids` first, then prints the approved pairs in
/// the order they export.
fn order(ids: &[String], library: &LibraryArg, team: &TeamArgs) -> anyhow::Result<ExitCode> {
    let dir = library.dir()?;
    if !ids.is_empty() {
        set_cut_order(&dir, ids)?;
    }
    let mut decisions = TeamDecisions::open(&dir, &team.settings())?;
    decisions.sync();
    let cuts = build(&dir, &decisions.pairs()?, &CutOptions::default())?;
    for cut in &cuts.sequence.cuts {
        println!("{}", cut.pair_id);
    }
    Ok(ExitCode::SUCCESS)
}

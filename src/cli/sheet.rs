//! `matchcut export sheet --out FILE.html [--pairs WHICH]`: a review sheet
//! of the approved cuts as the sequence holds them, or of any filtered
//! list of pairs.

use super::{LibraryArg, TeamArgs};
use matchcut::jobs::cuts::{build, export_settings};
use matchcut::jobs::sheet::{rows_sheet, sequence_entries, sheet_subtitle, write_review_sheet};
use matchcut::jobs::{LibraryData, TeamDecisions};
use matchcut::review::{Filter, ReviewQueue, StateFilter};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SheetArgs {
    /// The page to write (.html).
    #[arg(long)]
    out: PathBuf,
    /// sequence (the approved cuts in the export's order, at their trimmed
    /// cuts), approved, rejected, conflict, undecided or all (the review
    /// list's pairs, best first).
    #[arg(long, default_value = "sequence", value_parser = parse_pairs)]
    pairs: Pairs,
    /// Only pairs joining two different titles.
    #[arg(long)]
    cross_title: bool,
    /// Only pairs scoring at least this.
    #[arg(long)]
    min_score: Option<f32>,
    /// How many of the library's best pairs the review list holds (a
    /// sheet shows at most the first 300 the filter keeps).
    #[arg(long, default_value_t = 10_000)]
    top: usize,
    /// The sheet's heading.
    #[arg(long)]
    title: Option<String>,
    #[command(flatten)]
    library: LibraryArg,
    #[command(flatten)]
    team: TeamArgs,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Pairs {
    Sequence,
    Undecided,
    All,
    State(StateFilter),
}

fn parse_pairs(text: &str) -> Result<Pairs, String> {
    Ok(match text {
        "sequence" => Pairs::Sequence,
        "approved" => Pairs::State(StateFilter::Approved),
        "rejected" => Pairs::State(StateFilter::Rejected),
        "conflict" => Pairs::State(StateFilter::Conflict),
        "undecided" => Pairs::Undecided,
        "all" => Pairs::All,
        _ => {
            return Err(format!(
                "{text:?}: expected sequence, approved, rejected, conflict, undecided or all"
            ))
        }
    })
}

pub fn run(args: SheetArgs) -> anyhow::Result<ExitCode> {
    let dir = args.library.dir()?;
    let mut team = TeamDecisions::open(&dir, &args.team.settings())?;
    team.sync();
    let decided = team.pairs()?;
    let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    let heading = |what: &str| {
        args.title
            .clone()
            .unwrap_or_else(|| format!("{what} — {}", name.clone().unwrap_or_default()))
    };
    let report = match args.pairs {
        Pairs::Sequence => {
            let (options, _) = export_settings(&dir)?.options()?;
            let cuts = build(&dir, &decided, &options)?;
            let entries = sequence_entries(&cuts.sequence);
            let subtitle = sheet_subtitle(entries.len());
            write_review_sheet(
                entries,
                &heading("Approved match cuts"),
                &subtitle,
                &args.out,
            )?
        }
        which => {
            let filter = Filter {
                undecided: which == Pairs::Undecided,
                cross_title: args.cross_title,
                min_score: args.min_score,
                state: match which {
                    Pairs::State(state) => Some(state),
                    _ => None,
                },
                ..Filter::default()
            };
            let queue = ReviewQueue::load(&LibraryData::open(&dir)?, &team, args.top)?;
            let rows = queue.page(&filter, 0, usize::MAX).rows;
            rows_sheet(&rows, &decided, &heading("Match cuts"), &args.out)?
        }
    };
    for missing in &report.missing {
        eprintln!("picture unavailable: {missing}");
    }
    eprintln!(
        "review sheet of {} pairs -> {}",
        report.pairs,
        report.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

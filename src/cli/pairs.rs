//! `matchcut pairs [--library DIR] [--top N] [--kind frame|motion] [--json]
//! [--sheet OUT.png]`: the library's candidate match cuts, best first.

use super::LibraryArg;
use matchcut::export::sheet;
use matchcut::jobs::{listing, LibraryData};
use matchcut::matching::PairKind;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct PairsArgs {
    #[command(flatten)]
    pub library: LibraryArg,
    /// How many pairs to list.
    #[arg(long, default_value_t = 50)]
    pub top: usize,
    /// Only pairs of this kind: `frame` (framing agrees) or `motion` (a
    /// movement carries across the cut); both when left out.
    #[arg(long, value_enum)]
    pub kind: Option<Kind>,
    /// Print one JSON array on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also write a contact sheet of the listed pairs (PNG).
    #[arg(long, value_name = "OUT.png")]
    pub sheet: Option<PathBuf>,
}

/// What a pair matches, as `--kind` names it.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Frame,
    Motion,
}

impl From<Kind> for PairKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Frame => PairKind::Frame,
            Kind::Motion => PairKind::Motion,
        }
    }
}

pub fn run(args: PairsArgs) -> anyhow::Result<ExitCode> {
    let data = LibraryData::open(&args.library.dir()?)?;
    let pairs = listing::pairs_of(&data, args.top, args.kind.map(PairKind::from))?;
    if let Some(out) = &args.sheet {
        sheet::write_sheet(&pairs, out)?;
        eprintln!(
            "contact sheet of {} pairs -> {}",
            pairs.len(),
            out.display()
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&pairs)?);
        return Ok(ExitCode::SUCCESS);
    }
    for p in &pairs {
        println!(
            "{:>3}  {:.3}  {:<6}  {} #{} {}  ->  {} #{} {}  [{}]",
            p.rank,
            p.score,
            p.kind,
            p.from.path,
            p.from.shot,
            p.from.timecode,
            p.to.path,
            p.to.shot,
            p.to.timecode,
            p.id
        );
    }
    Ok(ExitCode::SUCCESS)
}

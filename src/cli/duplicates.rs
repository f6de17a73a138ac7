//! `matchcut duplicates [--library DIR] [--json]`: duplicate footage across
//! titles (never offered as match cuts).

use super::LibraryArg;
use matchcut::jobs::{listing, LibraryData};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DuplicatesArgs {
    #[command(flatten)]
    pub library: LibraryArg,
    /// Print one JSON array on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: DuplicatesArgs) -> anyhow::Result<ExitCode> {
    let data = LibraryData::open(&args.library.dir()?)?;
    let groups = listing::duplicate_groups(&data)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&groups)?);
        return Ok(ExitCode::SUCCESS);
    }
    for g in &groups {
        println!("group {} (similarity {:.3})", g.id, g.similarity);
        for m in &g.members {
            println!(
                "  {} #{} frames {}-{}",
                m.path, m.shot, m.first_frame, m.last_frame
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

//! `matchcut decisions [--json]`: the team's decisions on the library's
//! pairs (synced first), with conflicts and the sync status.

use super::{LibraryArg, TeamArgs};
use matchcut::jobs::decisions::format_time;
use matchcut::jobs::team::PairDecisions;
use matchcut::jobs::TeamDecisions;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct DecisionsArgs {
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub library: LibraryArg,
    #[command(flatten)]
    pub team: TeamArgs,
}

pub fn run(args: DecisionsArgs) -> anyhow::Result<ExitCode> {
    let mut team = TeamDecisions::open(&args.library.dir()?, &args.team.settings())?;
    let status = team.sync().status;
    let pairs = team.pairs()?;
    if args.json {
        let doc = serde_json::json!({
            "editor": team.editor(),
            "shared": team.shared_path(),
            "sync": status,
            "pairs": pairs,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    for pair in &pairs {
        print_pair(pair);
    }
    println!(
        "{} pairs decided; shared store {}: {status}",
        pairs.len(),
        team.shared_path().display()
    );
    Ok(ExitCode::SUCCESS)
}

fn print_pair(pair: &PairDecisions) {
    let state = serde_json::to_value(pair.state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_uppercase))
        .unwrap_or_default();
    println!("{}  {state}", pair.pair_id);
    for e in &pair.editors {
        let note = e
            .note
            .as_deref()
            .map(|n| format!("  \"{n}\""))
            .unwrap_or_default();
        println!(
            "    {:<8} {:<16} {}{note}",
            e.decision.as_str(),
            e.editor,
            format_time(e.decided_at_ms)
        );
    }
}

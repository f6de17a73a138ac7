//! `matchcut decide ID approve|reject|clear [--note TEXT] [--editor NAME]
//! [--out-frame N] [--in-frame M]`: records an editor's decision on a
//! candidate pair, with the cut moved to out-frame N of the outgoing shot
//! and in-frame M of the incoming one when given, then tries to share it
//! with the team. `--batch FILE` (or `-` for stdin) records one decision per
//! line, `PAIR DECISION [NOTE...]`, printing `ack EVENT PAIR DECISION` once
//! each is durable.

use super::{LibraryArg, TeamArgs};
use anyhow::Context;
use matchcut::jobs::{trim, LibraryData, TeamDecisions};
use matchcut::store::{Decision, Store};
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct DecideArgs {
    /// The pair's id, as `matchcut pairs` lists it.
    #[arg(required_unless_present = "batch")]
    pub id: Option<String>,
    /// approve, reject or clear (withdraws your earlier decision).
    #[arg(required_unless_present = "batch", value_parser = parse_decision)]
    pub decision: Option<Decision>,
    /// A note for the team.
    #[arg(long)]
    pub note: Option<String>,
    /// Trim: the outgoing shot's out-frame (the last frame before the
    /// cut), a frame index within that shot.
    #[arg(long, value_name = "N")]
    pub out_frame: Option<u64>,
    /// Trim: the incoming shot's in-frame (the first frame after the
    /// cut), a frame index within that shot.
    #[arg(long, value_name = "M")]
    pub in_frame: Option<u64>,
    /// Decisions from a file (`-`: stdin), one `PAIR DECISION [NOTE...]` a line.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["id", "decision", "note", "out_frame", "in_frame"])]
    pub batch: Option<PathBuf>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub library: LibraryArg,
    #[command(flatten)]
    pub team: TeamArgs,
}

fn parse_decision(text: &str) -> Result<Decision, String> {
    Decision::parse(text).ok_or_else(|| format!("{text:?}: expected approve, reject or clear"))
}

/// Syncs at most this often while a batch runs (and once at its end).
const BATCH_SYNC: Duration = Duration::from_millis(50);

pub fn run(args: DecideArgs) -> anyhow::Result<ExitCode> {
    let dir = args.library.dir()?;
    let mut team = TeamDecisions::open(&dir, &args.team.settings())?;
    let pairs = Store::open(&LibraryData::store_path(&dir))?;
    // The team's latest first, so this decision's clock is above every
    // decision it follows (an unreachable store is reported after).
    team.sync();
    if let Some(batch) = &args.batch {
        return run_batch(&mut team, &pairs, batch);
    }
    let (Some(id), Some(decision)) = (args.id.as_deref(), args.decision) else {
        anyhow::bail!("give a pair id and a decision, or --batch FILE");
    };
    let cut = match (args.out_frame, args.in_frame) {
        (None, None) => None,
        (out, inn) => trim::cut_span(&pairs, id)?.trim(id, out, inn)?,
    };
    let event = team.decide(id, decision, args.note.as_deref(), cut)?;
    if cut.is_none() {
        warn_unknown(&pairs, id)?;
    }
    let status = team.sync().status;
    if args.json {
        let doc = serde_json::json!({ "event": event, "sync": status });
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        println!(
            "{} {} by {}: recorded; {status}",
            decision.as_str(),
            event.pair_id,
            event.editor
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn warn_unknown(pairs: &Store, id: &str) -> anyhow::Result<()> {
    if !pairs.has_pair(id)? {
        eprintln!("note: {id} is not a pair of this library; recorded for the team all the same");
    }
    Ok(())
}

fn run_batch(team: &mut TeamDecisions, pairs: &Store, batch: &PathBuf) -> anyhow::Result<ExitCode> {
    let input: Box<dyn BufRead> = if batch.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(batch).with_context(|| format!("{}", batch.display()))?;
        Box::new(std::io::BufReader::new(file))
    };
    let mut out = std::io::stdout().lock();
    let (mut failures, mut unknown, mut synced_at) = (0, 0, Instant::now());
    for (number, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("{}: line {}", batch.display(), number + 1))?;
        match decide_line(team, &line) {
            Ok(Some((event, (pair, decision)))) => {
                writeln!(out, "ack {event} {pair} {}", decision.as_str())?;
                out.flush()?;
                unknown += usize::from(!pairs.has_pair(&pair)?);
            }
            Ok(None) => continue,
            Err(e) => {
                failures += 1;
                eprintln!("error: {}: line {}: {e:#}", batch.display(), number + 1);
            }
        }
        if synced_at.elapsed() >= BATCH_SYNC {
            team.sync();
            synced_at = Instant::now();
        }
    }
    if unknown > 0 {
        eprintln!("note: {unknown} of the pairs are not in this library; recorded for the team all the same");
    }
    eprintln!("shared store: {}", team.sync().status);
    Ok(super::exit_code(failures))
}

type Decided = (String, (String, Decision));

/// Records one batch line; `None` for a blank or comment line.
fn decide_line(team: &mut TeamDecisions, line: &str) -> anyhow::Result<Option<Decided>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut words = line.splitn(3, char::is_whitespace);
    let id = words.next().unwrap_or_default();
    let decision = words.next().unwrap_or_default();
    let decision = parse_decision(decision).map_err(anyhow::Error::msg)?;
    let note = words.next().map(str::trim);
    let event = team.decide(id, decision, note, None)?;
    Ok(Some((event.id, (event.pair_id, decision))))
}

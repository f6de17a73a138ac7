//! `matchcut scan PATH... [--library DIR] [--json]`: analyse files and
//! folders into a library (shots, descriptors, indexes, candidate pairs).

use super::LibraryArg;
use matchcut::jobs::scan::{self, EventSink, ScanEvent, TitleStatus};
use matchcut::preprocess::BackendChoice;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;

#[derive(clap::Args, Debug)]
pub struct ScanArgs {
    /// Video files and folders (searched recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub library: LibraryArg,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Frames of titles finished or failed, and (done, total) of each title in
/// flight.
type Counts = (u64, HashMap<PathBuf, (u64, u64)>);

/// The progress bar: frames segmented over frames queued, with an ETA.
struct Progress {
    bar: indicatif::ProgressBar,
    state: Mutex<Counts>,
}

impl Progress {
    fn on(&self, event: &ScanEvent) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let (finished, in_flight) = &mut *state;
        match event {
            ScanEvent::Queued { path, frames } => {
                in_flight.insert(path.clone(), (0, *frames));
                self.bar.inc_length(*frames);
            }
            ScanEvent::Frames { path, done, .. } => {
                if let Some(entry) = in_flight.get_mut(path) {
                    entry.0 = *done;
                }
                self.bar.set_message(short(path));
            }
            ScanEvent::Stage { path, stage } => {
                self.bar.set_message(format!("{stage} {}", short(path)));
            }
            ScanEvent::Waiting { message } => {
                self.bar.suspend(|| eprintln!("note: {message}"));
            }
            ScanEvent::Title(outcome) => {
                if let Some((_, total)) = in_flight.remove(&outcome.path) {
                    *finished += total;
                }
                if outcome.status == TitleStatus::Failed {
                    let error = outcome.error.as_deref().unwrap_or("failed");
                    self.bar.suspend(|| eprintln!("error: {error}"));
                }
            }
        }
        let done: u64 = *finished + in_flight.values().map(|(d, _)| d).sum::<u64>();
        self.bar.set_position(done);
    }
}

fn short(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

pub fn run(
    args: ScanArgs,
    preprocess: BackendChoice,
    device: BackendChoice,
) -> anyhow::Result<ExitCode> {
    let options = args.library.scan_options(preprocess, device)?;
    let progress = Arc::new(Progress {
        bar: super::progress(0, "scan"),
        state: Mutex::new((0, HashMap::new())),
    });
    let sink = progress.clone();
    let events: EventSink = Arc::new(move |e: ScanEvent| sink.on(&e));
    let cancel = CancellationToken::new();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let report = runtime.block_on(async {
        let stop = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.cancel();
            }
        });
        scan::scan(args.paths.clone(), options, events, cancel).await
    })?;
    progress.bar.finish_and_clear();
    let failures = report
        .titles
        .iter()
        .filter(|t| t.status == TitleStatus::Failed)
        .count();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(super::exit_code(failures));
    }
    for t in &report.titles {
        let shots = t.shots.map(|n| format!(" ({n} shots)")).unwrap_or_default();
        match t.status {
            TitleStatus::Failed => println!("failed    {}", t.error.as_deref().unwrap_or("")),
            TitleStatus::Cached => println!("cached    {}{shots}", t.path.display()),
            TitleStatus::Analysed => println!("analysed  {}{shots}", t.path.display()),
        }
    }
    if report.repaired > 0 {
        println!(
            "repaired: {} titles re-indexed from stored features",
            report.repaired
        );
    }
    for path in &report.missing {
        println!(
            "missing   {} (kept with its decisions; not exported)",
            path.display()
        );
    }
    println!(
        "{}: {} candidate pairs, {:.1} s",
        report.library.display(),
        report.pairs,
        report.seconds
    );
    if report.analysed_frames > 0 {
        println!("{}", report.busy.summary(report.seconds));
    }
    Ok(super::exit_code(failures))
}

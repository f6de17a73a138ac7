//! `matchcut watch DIR... [--library DIR]`: an ingest machine's trigger.
//! Scores titles saved into the folders once they are complete, marks
//! removed ones missing, finds renamed ones by content; one line per event
//! on stdout; Ctrl-C or SIGTERM stops it cleanly (the title in hand is
//! cancelled; the library keeps every title already added, and the next
//! run resumes the stopped one from its memoised stages).

use super::LibraryArg;
use matchcut::ingest::{FolderWatcher, Ingest, IngestEvent, IngestState, IngestTitle, Quiet};
use matchcut::preprocess::BackendChoice;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args, Debug)]
pub struct WatchArgs {
    /// Folders to watch (recursively).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    #[command(flatten)]
    pub library: LibraryArg,
    /// Seconds a file must stay unchanged after its writer closed it.
    #[arg(long, default_value_t = 1.0, value_name = "SECONDS")]
    pub quiet: f64,
}

pub fn run(
    args: WatchArgs,
    preprocess: BackendChoice,
    device: BackendChoice,
) -> anyhow::Result<ExitCode> {
    let options = args.library.scan_options(preprocess, device)?;
    for dir in &args.dirs {
        anyhow::ensure!(dir.is_dir(), "{}: not a folder", dir.display());
    }
    let quiet = Quiet {
        closed: Duration::from_secs_f64(args.quiet.max(0.0)),
        ..Quiet::default()
    };
    let ingest = Arc::new(Ingest::start(options.clone(), log)?);
    let watcher = FolderWatcher::start(&args.dirs, &options, ingest.clone(), quiet)?;
    let dirs: Vec<String> = args.dirs.iter().map(|d| d.display().to_string()).collect();
    println!(
        "watching  {} into {}",
        dirs.join(", "),
        options.library.display()
    );
    wait_for_signal()?;
    println!("stopping");
    drop(watcher);
    // Dropping the queue cancels the title in hand and waits for it.
    drop(Arc::try_unwrap(ingest).ok());
    println!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// One line per event worth a line: progress is not one.
fn log(event: IngestEvent) {
    let line = match event {
        IngestEvent::Title(IngestTitle { path, state, .. }) => {
            let path = path.display();
            match state {
                IngestState::Queued => format!("queued    {path}"),
                IngestState::Analysing { stage, .. } if stage == "queued" => {
                    format!("analysing {path}")
                }
                IngestState::Analysing { .. } => return,
                IngestState::Ready { shots, pairs } => {
                    format!("ready     {path} ({shots} shots; {pairs} pairs in the library)")
                }
                IngestState::Cached { shots } => {
                    format!("cached    {path} ({shots} shots, nothing computed)")
                }
                IngestState::Failed { reason } => format!("failed    {path}: {reason}"),
                IngestState::Cancelled => format!("cancelled {path}"),
                IngestState::Missing => format!("missing   {path} (kept with its decisions)"),
                IngestState::Moved { to } => format!("moved     {path} -> {}", to.display()),
            }
        }
        IngestEvent::PairsAdded { .. } => return,
    };
    println!("{line}");
}

/// Blocks until Ctrl-C or SIGTERM.
fn wait_for_signal() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        tokio::signal::ctrl_c().await?;
        Ok(())
    })
}

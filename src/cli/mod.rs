//! Argument parsing and the subcommands.

mod bench;
mod catalogue;
mod decide;
mod decisions;
mod duplicates;
mod embed;
mod export;
mod frame;
mod import;
mod pairs;
mod preprocess;
mod probe;
mod scan;
mod settings;
mod sheet;
mod shots;
mod titles;
mod watch;
mod worker;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "matchcut",
    version,
    about = "Find match cuts across a library of titles"
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, FFmpeg's own warnings).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Preprocessing path: auto (a real GPU if there is one, else the CPU),
    /// cpu or gpu.
    #[arg(long, global = true, env = "MATCHCUT_PREPROCESS", default_value = "auto", value_parser = parse_choice)]
    pub preprocess: matchcut::preprocess::BackendChoice,
    /// Where the embedding model runs: auto (a real GPU if there is one,
    /// else the CPU), cpu or gpu.
    #[arg(long, global = true, env = "MATCHCUT_DEVICE", default_value = "auto", value_parser = parse_choice)]
    pub device: matchcut::preprocess::BackendChoice,
    /// How a scan decodes titles: auto (NVDEC where FFmpeg has a CUDA
    /// device, else the CPU), cpu or gpu.
    #[arg(long, global = true, env = "MATCHCUT_DECODE", default_value = "auto", value_parser = parse_choice)]
    pub decode: matchcut::preprocess::BackendChoice,
    /// Whether scans measure motion at shot ends (on, or off to measure
    /// what it costs).
    #[arg(long, global = true, env = "MATCHCUT_MOTION", default_value = "on", value_parser = clap::builder::BoolishValueParser::new(), action = clap::ArgAction::Set)]
    pub motion: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Report container, codec, size, colour, frame rate, frame count and timecode.
    Probe(probe::ProbeArgs),
    /// Write frame N of a title (0-based, canonical timeline) as a PNG.
    Frame(frame::FrameArgs),
    /// List the titles of a library folder with their probed facts.
    Titles(titles::TitlesArgs),
    /// Write what later stages see of frame N: model input and thumbnail PNGs.
    Preprocess(preprocess::PreprocessArgs),
    /// Segment titles into shots: cuts, dissolves and fades, frame-exact.
    Shots(shots::ShotsArgs),
    /// Print the match-cut descriptor of frame N (JSON).
    Embed(embed::EmbedArgs),
    /// Analyse files and folders into a library: shots, descriptors, pairs.
    Scan(scan::ScanArgs),
    /// List the library's candidate match cuts, best first.
    Pairs(pairs::PairsArgs),
    /// List duplicate footage across the library's titles.
    Duplicates(duplicates::DuplicatesArgs),
    /// Approve, reject or clear a candidate pair (shared with the team).
    Decide(decide::DecideArgs),
    /// The team's decisions on the library's pairs, and the sync status.
    Decisions(decisions::DecisionsArgs),
    /// Write the approved cuts as a CMX 3600 EDL or an OpenTimelineIO file.
    Export(export::ExportArgs),
    /// Who decides and where the team's decisions meet, stored with the
    /// library (shown; changed with --editor / --shared).
    Settings(settings::SettingsArgs),
    /// Score titles as they are saved into folders (until Ctrl-C or SIGTERM).
    Watch(watch::WatchArgs),
    /// Catalogue mode: candidates over a whole catalogue's features files.
    #[command(subcommand_required = true)]
    Catalogue(catalogue::CatalogueArgs),
    /// Load a catalogue build's proposals into a library, to review them
    /// as a local scan's (decisions stay keyed by content).
    ImportProposals(import::ImportArgs),
    /// Catalogue mode's per-title commands, for a cluster to schedule.
    #[command(subcommand_required = true)]
    Worker(worker::WorkerArgs),
    /// Keyframes per second of the embedding model alone (JSON lines).
    #[command(hide = true)]
    BenchModel(bench::BenchModelArgs),
}

/// `--library DIR`: where a library's analysis data lives.
#[derive(clap::Args, Debug)]
pub struct LibraryArg {
    /// The library folder (default: the user's data directory).
    #[arg(long, env = "MATCHCUT_LIBRARY")]
    library: Option<PathBuf>,
}

impl LibraryArg {
    /// A scan of this library with the chosen preprocessing and model device.
    pub fn scan_options(
        &self,
        preprocess: matchcut::preprocess::BackendChoice,
        device: matchcut::preprocess::BackendChoice,
    ) -> anyhow::Result<matchcut::jobs::ScanOptions> {
        let mut options = matchcut::jobs::ScanOptions::new(self.dir()?);
        options.preprocess = preprocess;
        options.device = device;
        Ok(options)
    }

    pub fn dir(&self) -> anyhow::Result<PathBuf> {
        match &self.library {
            Some(dir) => Ok(dir.clone()),
            None => dirs::data_dir()
                .map(|d| d.join("matchcut"))
                .ok_or_else(|| anyhow::anyhow!("no user data directory: pass --library DIR")),
        }
    }
}

/// `--shared PATH` and `--editor NAME`: where the team's decisions meet and
/// who is deciding.
#[derive(clap::Args, Debug)]
pub struct TeamArgs {
    /// The team's shared decisions store (default: the library's setting,
    /// else decisions.sqlite in the library folder).
    #[arg(long, env = "MATCHCUT_SHARED", value_name = "FILE")]
    shared: Option<PathBuf>,
    /// Your name on decisions (default: the library's setting, else the
    /// operating-system user).
    #[arg(long, env = "MATCHCUT_EDITOR")]
    editor: Option<String>,
}

impl TeamArgs {
    pub fn settings(&self) -> matchcut::jobs::TeamSettings {
        matchcut::jobs::TeamSettings {
            shared: self.shared.clone(),
            editor: self.editor.clone(),
        }
    }
}

fn parse_choice(text: &str) -> Result<matchcut::preprocess::BackendChoice, String> {
    matchcut::preprocess::BackendChoice::parse(text)
        .ok_or_else(|| format!("{text:?}: expected auto, cpu or gpu"))
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    matchcut::media::hw::set_choice(cli.decode);
    matchcut::motion::set_enabled(cli.motion);
    match cli.command {
        Command::Probe(args) => probe::run(args),
        Command::Frame(args) => frame::run(args),
        Command::Titles(args) => titles::run(args),
        Command::Preprocess(args) => preprocess::run(args, cli.preprocess),
        Command::Shots(args) => shots::run(args, cli.preprocess),
        Command::Embed(args) => embed::run(args, cli.preprocess, cli.device),
        Command::Scan(args) => scan::run(args, cli.preprocess, cli.device),
        Command::Pairs(args) => pairs::run(args),
        Command::Duplicates(args) => duplicates::run(args),
        Command::Decide(args) => decide::run(args),
        Command::Decisions(args) => decisions::run(args),
        Command::Export(args) => export::run(args),
        Command::Settings(args) => settings::run(args),
        Command::Watch(args) => watch::run(args, cli.preprocess, cli.device),
        Command::Catalogue(args) => catalogue::run(args),
        Command::ImportProposals(args) => import::run(args),
        Command::Worker(args) => worker::run(args, cli.preprocess, cli.device),
        Command::BenchModel(args) => bench::run(args, cli.device),
    }
}

/// Logs go to stderr; `MATCHCUT_LOG` (tracing's filter syntax) overrides -v.
pub fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("MATCHCUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .init();
}

/// Exit status: failure when any input failed.
pub fn exit_code(failures: usize) -> ExitCode {
    if failures == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// A progress bar on stderr for `len` items (hidden when stderr is not a terminal).
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let style = indicatif::ProgressStyle::with_template(
        "{msg} [{bar:30}] {pos}/{len} {wide_msg:.dim} eta {eta}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

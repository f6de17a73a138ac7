//! `matchcut import-proposals DIR [--library LIB] [--features DIR]`: a
//! catalogue build's proposals into a library (`matchcut::catalogue::import`).

use super::LibraryArg;
use matchcut::catalogue::import;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// The build: its folder (`catalogue build --out`; the newest build
    /// there) or one `proposals-*.parquet`.
    #[arg(value_name = "DIR")]
    pub build: PathBuf,
    #[command(flatten)]
    pub library: LibraryArg,
    /// Where the build's features files are now (default: where the build
    /// read them).
    #[arg(long, value_name = "DIR")]
    pub features: Option<PathBuf>,
}

/// Prints one JSON report.
pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let report = import::import(&args.build, &args.library.dir()?, args.features.as_deref())?;
    println!("{}", serde_json::to_string(&report)?);
    Ok(ExitCode::SUCCESS)
}

//! `matchcut catalogue build --features DIR --out DIR`: candidates over a
//! whole catalogue's features files (`matchcut::catalogue`).

use matchcut::catalogue::{self, build::BuildParams};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct CatalogueArgs {
    #[command(subcommand)]
    pub command: CatalogueCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum CatalogueCommand {
    /// Index the features files in shards and write the proposals (every
    /// candidate pair) as Parquet; prints a JSON report.
    Build {
        /// The folder of features files (`matchcut worker analyse --out`).
        #[arg(long, value_name = "DIR")]
        features: PathBuf,
        /// Where the shards and the proposals file go.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Most shots in one shard.
        #[arg(long, default_value_t = 1_000_000)]
        shard_shots: usize,
        /// Search shards by brute force (exact) rather than HNSW.
        #[arg(long)]
        exact: bool,
    },
}

pub fn run(args: CatalogueArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        CatalogueCommand::Build {
            features,
            out,
            shard_shots,
            exact,
        } => {
            let params = BuildParams {
                shard_shots,
                exact,
                ..BuildParams::default()
            };
            let report = catalogue::build_from(&features, &out, params)?;
            println!("{}", serde_json::to_string(&report)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

//! `matchcut worker analyse --in FILE --out DIR`: catalogue mode's
//! per-title command (`matchcut::catalogue::worker`). One JSON line on
//! stdout when it succeeds; the exit code says what a scheduler should do.

use matchcut::catalogue::embedder;
use matchcut::catalogue::worker::{self, WorkerOptions};
use matchcut::preprocess::BackendChoice;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct WorkerArgs {
    #[command(subcommand)]
    pub command: WorkerCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum WorkerCommand {
    /// Analyse one title into a features file named by its content hash,
    /// model and parameters (nothing is computed when it exists). Exit 0
    /// done, 65 bad input (never retry), 75 transient (retry).
    Analyse {
        /// The title.
        #[arg(long = "in", value_name = "FILE")]
        input: PathBuf,
        /// The folder of features files.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
    },
    /// Embed keyframes for as long as stdin stays open, the model loaded
    /// once: a JSON request line and its frames' model inputs in, one JSON
    /// answer line out each (protocol: `matchcut::catalogue::embedder`).
    /// Exit 0 at the end of stdin, 65 on a request it cannot read, 75 when
    /// the model fails.
    Embed,
    /// Print what today's features files are named by (model, analysis
    /// key, the name's suffix after the content hash), as JSON.
    Key,
}

pub fn run(
    args: WorkerArgs,
    preprocess: BackendChoice,
    device: BackendChoice,
) -> anyhow::Result<ExitCode> {
    match args.command {
        WorkerCommand::Analyse { input, out } => {
            match worker::analyse(&input, &out, WorkerOptions { preprocess, device }) {
                Ok(done) => {
                    println!("{}", serde_json::to_string(&done)?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    Ok(ExitCode::from(e.exit_code()))
                }
            }
        }
        WorkerCommand::Embed => {
            let embedder = matchcut::embed::Embedder::new(matchcut::embed::device(device)?)?;
            let served =
                embedder::serve(std::io::stdin().lock(), std::io::stdout().lock(), &embedder);
            Ok(match served {
                Ok(_) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::from(e.exit_code())
                }
            })
        }
        WorkerCommand::Key => {
            println!("{}", serde_json::to_string(&worker::key())?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

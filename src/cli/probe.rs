//! `matchcut probe FILE... [--json]`

use matchcut::media;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ProbeArgs {
    /// Video files to probe.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON array on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ProbeArgs) -> anyhow::Result<ExitCode> {
    let bar = super::progress(args.files.len() as u64, "probing");
    let mut failures = 0;
    let mut documents: Vec<Value> = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let result = media::probe(path);
        bar.inc(1);
        match result {
            Ok(info) => {
                if !args.json {
                    bar.suspend(|| println!("{}", info.summary()));
                }
                documents.push(serde_json::to_value(&info)?);
            }
            Err(e) => {
                failures += 1;
                bar.suspend(|| eprintln!("error: {e}"));
                documents.push(json!({ "path": path, "error": e.to_string() }));
            }
        }
    }
    bar.finish_and_clear();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&documents)?);
    }
    Ok(super::exit_code(failures))
}

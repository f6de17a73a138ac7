//! Matchcut desktop app entry point.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "matchcut-app", version, about = "Matchcut desktop app")]
struct Args {
    /// The library folder to open (default: $MATCHCUT_LIBRARY, else the current folder).
    #[arg(long, env = "MATCHCUT_LIBRARY", default_value = ".")]
    library: PathBuf,
    /// Passed by WebKitWebDriver when it starts the app for automation.
    #[arg(long, hide = true)]
    automation: bool,
}

fn main() {
    let args = Args::parse();
    // Warnings and errors on stderr; `MATCHCUT_LOG` (tracing's filter syntax) for more.
    let filter = tracing_subscriber::EnvFilter::try_from_env("MATCHCUT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    matchcut::init_ffmpeg(true);
    let library = std::path::absolute(&args.library).unwrap_or(args.library);
    if let Err(e) = matchcut_app::run(library) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

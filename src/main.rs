//! The `matchcut` command line (contract: CLI.md in the shared brief).

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    ensure_runtime_dir();
    let args = cli::Cli::parse();
    cli::init_logging(args.verbose);
    matchcut::init_ffmpeg(args.verbose == 0);
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Headless machines often have no `XDG_RUNTIME_DIR`, and Mesa's Vulkan
/// drivers then print an `error:` line of their own when the GPU is probed.
/// Point it at a private folder first, while the process has one thread.
fn ensure_runtime_dir() {
    use std::os::unix::fs::DirBuilderExt;
    if std::env::var_os("XDG_RUNTIME_DIR").is_some() {
        return;
    }
    let user = std::env::var("USER").unwrap_or_else(|_| "user".into());
    let dir = std::env::temp_dir().join(format!("matchcut-runtime-{user}"));
    let made = std::fs::DirBuilder::new().mode(0o700).create(&dir);
    if made.is_ok() || dir.is_dir() {
        std::env::set_var("XDG_RUNTIME_DIR", &dir);
    }
}

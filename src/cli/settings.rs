//! `matchcut settings [--editor NAME] [--shared FILE] [--watch DIR]
//! [--unwatch DIR] [--json]`: the settings stored with the library (who
//! decides, where the team's shared store is, the folders the app
//! watches), which the app and every command use unless a flag says
//! otherwise. An empty value goes back to the default.

use super::LibraryArg;
use matchcut::ingest::{unwatch_folder, watch_folder, watched_folders};
use matchcut::jobs::decisions::{library_settings, save_library_settings};
use matchcut::jobs::{TeamDecisions, TeamSettings};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct SettingsArgs {
    /// Your name on decisions in this library ("" for the operating-system
    /// user).
    #[arg(long)]
    pub editor: Option<String>,
    /// The team's shared decisions store ("" for decisions.sqlite in the
    /// library folder).
    #[arg(long, value_name = "FILE")]
    pub shared: Option<String>,
    /// A folder the app watches for this library (titles saved there are
    /// analysed as they arrive); may be given more than once.
    #[arg(long, value_name = "DIR")]
    pub watch: Vec<PathBuf>,
    /// Stop watching a folder.
    #[arg(long, value_name = "DIR")]
    pub unwatch: Vec<PathBuf>,
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub library: LibraryArg,
}

pub fn run(args: SettingsArgs) -> anyhow::Result<ExitCode> {
    let dir = args.library.dir()?;
    save_library_settings(
        &dir,
        &TeamSettings {
            shared: args.shared.map(PathBuf::from),
            editor: args.editor,
        },
    )?;
    for folder in &args.watch {
        anyhow::ensure!(folder.is_dir(), "{}: not a folder", folder.display());
        watch_folder(&dir, folder)?;
    }
    for folder in &args.unwatch {
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.clone());
        unwatch_folder(&dir, &folder)?;
    }
    let watched = watched_folders(&dir)?;
    let stored = library_settings(&dir)?;
    let team = TeamDecisions::open(&dir, &TeamSettings::default())?;
    if args.json {
        let doc = serde_json::json!({
            "editor": team.editor(),
            "shared": team.shared_path(),
            "stored": { "editor": stored.editor, "shared": stored.shared },
            "watched": watched,
        });
        println!("{}", serde_json::to_string_pretty(&doc)?);
        return Ok(ExitCode::SUCCESS);
    }
    let origin = |set: bool| if set { "library setting" } else { "default" };
    println!(
        "editor: {} ({})",
        team.editor(),
        origin(stored.editor.is_some())
    );
    println!(
        "shared store: {} ({})",
        team.shared_path().display(),
        origin(stored.shared.is_some())
    );
    for folder in &watched {
        println!("watched: {}", folder.display());
    }
    Ok(ExitCode::SUCCESS)
}

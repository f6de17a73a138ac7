//! `matchcut titles DIR [--json]`: the titles of a library folder, as the app lists them.

use matchcut::library;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct TitlesArgs {
    /// The library folder.
    pub dir: PathBuf,
    /// Print one JSON array on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: TitlesArgs) -> anyhow::Result<ExitCode> {
    let titles = library::list_titles(&args.dir)?;
    let failures = titles.iter().filter(|t| t.error.is_some()).count();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&titles)?);
        return Ok(super::exit_code(failures));
    }
    let noun = if titles.len() == 1 { "title" } else { "titles" };
    println!("{}: {} {noun}", args.dir.display(), titles.len());
    for title in &titles {
        match (&title.info, &title.error) {
            (Some(info), _) => println!("  {}", info.summary()),
            (None, Some(error)) => println!("  error: {error}"),
            (None, None) => {}
        }
    }
    Ok(super::exit_code(failures))
}

//! `matchcut shots FILE... [--json] [--library DIR]`: shots and transitions
//! of each title; with a library that has analysed the title, also the
//! shots it never matches and why (cards are known only once keyframes are
//! embedded, which segmenting alone does not do).

use matchcut::jobs::LibraryData;
use matchcut::media::Timeline;
use matchcut::preprocess::{self, BackendChoice};
use matchcut::shots::{self, Params, ShotKind, TitleShots};
use matchcut::store::SetAside;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ShotsArgs {
    /// Video files to segment.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print one JSON array on stdout.
    #[arg(long)]
    pub json: bool,
    /// A library folder that has scanned the titles: report the shots it
    /// sets aside (black, colour, card, dark, short) from its analysis.
    #[arg(long)]
    pub library: Option<PathBuf>,
}

pub fn run(args: ShotsArgs, choice: BackendChoice) -> anyhow::Result<ExitCode> {
    let backend = preprocess::choose_backend(choice);
    let params = Params::default();
    let mut failures = 0;
    let mut documents = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let bar = super::progress(0, &path.display().to_string());
        let result = shots::detect_file(path, &params, backend, &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
            std::ops::ControlFlow::Continue(())
        });
        bar.finish_and_clear();
        match result {
            Ok(mut title) => {
                let aside = match &args.library {
                    Some(library) => set_aside(library, &mut title)?,
                    None => Vec::new(),
                };
                if !args.json {
                    print_table(&title);
                }
                documents.push(document(&title, args.library.as_ref().map(|_| aside)));
            }
            Err(e) => {
                failures += 1;
                eprintln!("error: {e}");
                documents.push(json!({ "path": path, "error": e.to_string() }));
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&documents)?);
    }
    Ok(super::exit_code(failures))
}

/// The shots `library` sets aside in `title` (none when it has not
/// analysed it); cards and dark shots, which only the analysis knows, are
/// marked in the segmentation.
fn set_aside(library: &std::path::Path, title: &mut TitleShots) -> anyhow::Result<Vec<SetAside>> {
    if !LibraryData::store_path(library).exists() {
        anyhow::bail!("{}: no library here", library.display());
    }
    let data = LibraryData::open(library)?;
    let hash = matchcut::jobs::hash_of(&title.path, data.store())?;
    let aside = data.store().set_aside(&hash)?;
    for shot in title.segmentation.shots.iter_mut() {
        let found = aside.iter().find_map(|a| {
            let same = (a.first_frame, a.last_frame) == (shot.first_frame, shot.last_frame);
            [ShotKind::Card, ShotKind::Dark]
                .into_iter()
                .find(|k| same && a.reason == k.name())
        });
        if let Some(kind) = found {
            shot.kind = kind;
        }
    }
    Ok(aside)
}

/// The contract's JSON for one title (`../shared/CLI.md`); with a library,
/// each shot says whether it is set aside and why (`set_aside`, or null).
fn document(title: &TitleShots, aside: Option<Vec<SetAside>>) -> Value {
    let timeline = title.info.timeline();
    let seg = &title.segmentation;
    let shots: Vec<Value> = seg
        .shots
        .iter()
        .map(|s| {
            let mut shot = json!({
                "index": s.index, "first_frame": s.first_frame, "last_frame": s.last_frame,
                "start_timecode": timeline.timecode_at(s.first_frame),
                "end_timecode": timeline.timecode_at(s.last_frame),
                "keyframes": s.keyframes, "kind": s.kind,
            });
            if let Some(aside) = &aside {
                let reason = aside
                    .iter()
                    .find(|a| (a.first_frame, a.last_frame) == (s.first_frame, s.last_frame))
                    .map(|a| a.reason.clone());
                shot["set_aside"] = json!(reason);
            }
            shot
        })
        .collect();
    json!({
        "path": title.path, "frame_rate": title.info.frame_rate, "frame_count": title.frames,
        "shots": shots, "transitions": seg.transitions,
    })
}

fn print_table(title: &TitleShots) {
    let timeline: Timeline = title.info.timeline();
    let seg = &title.segmentation;
    println!(
        "{}: {} shots, {} frames at {}",
        title.path.display(),
        seg.shots.len(),
        title.frames,
        title.info.frame_rate
    );
    for (i, s) in seg.shots.iter().enumerate() {
        let into = seg
            .transitions
            .get(i)
            .map(|t| format!("{:?}", t.kind).to_lowercase())
            .unwrap_or_default();
        let kind = if s.kind.is_picture() {
            ""
        } else {
            s.kind.name()
        };
        println!(
            "  {:>4}  {:>7}–{:<7} {} – {}  {:<7} {}",
            s.index,
            s.first_frame,
            s.last_frame,
            timeline.timecode_at(s.first_frame),
            timeline.timecode_at(s.last_frame),
            kind,
            into
        );
    }
}

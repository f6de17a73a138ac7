//! `matchcut shots FILE... [--json]`: shots and transitions of each title.

use matchcut::media::Timeline;
use matchcut::preprocess::{self, BackendChoice};
use matchcut::shots::{self, Params, TitleShots};
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
            Ok(title) => {
                if !args.json {
                    print_table(&title);
                }
                documents.push(document(&title));
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

/// The contract's JSON for one title (`../shared/CLI.md`).
fn document(title: &TitleShots) -> Value {
    let timeline = title.info.timeline();
    let seg = &title.segmentation;
    let shots: Vec<Value> = seg
        .shots
        .iter()
        .map(|s| {
            json!({
                "index": s.index, "first_frame": s.first_frame, "last_frame": s.last_frame,
                "start_timecode": timeline.timecode_at(s.first_frame),
                "end_timecode": timeline.timecode_at(s.last_frame),
                "keyframes": s.keyframes, "kind": s.kind,
            })
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

//! `opusclip demo`: make the sample talk and clip it, so a new user sees the whole product
//! work in one command.

use crate::cli::DemoArgs;
use crate::progress_bar::StageBars;
use crate::summary::print_summary;
use opusclip_core::Result;
use opusclip_pipeline::sample::{make_sample_talk, SampleOptions};
use opusclip_pipeline::{run_clip, ClipOptions};
use std::process::ExitCode;

pub fn run(args: &DemoArgs, json_output: bool) -> Result<ExitCode> {
    let source_dir = args.output.join("source");
    if !json_output {
        eprintln!("making a sample talk in {} (espeak-ng + ffmpeg)…", source_dir.display());
    }
    let sample = make_sample_talk(
        &source_dir,
        &SampleOptions { min_duration: args.minutes * 60.0, ..SampleOptions::default() },
    )?;
    if args.no_clip {
        if json_output {
            println!("{}", serde_json::json!({"video": sample.video, "srt": sample.srt, "duration": sample.duration}));
        } else {
            println!("{}\n{}", sample.video.display(), sample.srt.display());
        }
        return Ok(ExitCode::SUCCESS);
    }
    let options = ClipOptions {
        clips: 3,
        min_seconds: 15.0,
        max_seconds: 40.0,
        transcript: Some(sample.srt.clone()),
        ..ClipOptions::default()
    };
    let clips_dir = args.output.join("clips");
    let bars = StageBars::new("demo".into(), json_output);
    let manifest = run_clip(&sample.video, &clips_dir, &options, &bars)?;
    if json_output {
        println!("{}", serde_json::to_string(&manifest).unwrap_or_default());
    } else {
        print_summary(&sample.video, &clips_dir, &manifest);
        println!("\nclips are in {}; open {}", clips_dir.display(), clips_dir.join("clip-01.mp4").display());
    }
    Ok(ExitCode::SUCCESS)
}

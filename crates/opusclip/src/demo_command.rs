//! `opusclip demo`: make the sample talk and clip it, so a new user sees the whole product
//! work in one command. With Whisper base in the model cache (`opusclip models fetch base`, which
//! `make demo` runs) the talk is transcribed by Whisper — the path a user without subtitles
//! takes — and the demo prints the word error rate against the script it spoke; without a model
//! it reads the talk's SRT and says how to get one.

use crate::cli::DemoArgs;
use crate::progress_bar::StageBars;
use crate::summary::print_summary;
use opusclip_core::{Result, Settings};
use opusclip_pipeline::sample::{make_sample_talk, SampleOptions};
use opusclip_pipeline::transcript::transcribe_source;
use opusclip_pipeline::NoProgress;
use opusclip_pipeline::{run_clip, ClipOptions};
use opusclip_speech::evaluation::{read_evaluation_transcript, score_words};
use opusclip_speech::models::ModelStore;
use std::path::Path;
use std::process::ExitCode;

/// Transcribe the sample with Whisper and print the word error rate against its script (the
/// SRT the talk was spoken from).
fn report_speech(video: &Path, script: &Path, options: &ClipOptions, json_output: bool) -> Result<()> {
    if !json_output {
        eprintln!("transcribing the sample talk with Whisper…");
    }
    let heard = transcribe_source(video, options, true, &NoProgress)?;
    let spoken = read_evaluation_transcript(script)?;
    let score = score_words(&spoken.words, &heard.transcript.words, false)?;
    if !json_output {
        let counts = score.counts;
        eprintln!(
            "whisper heard {} words in {:.1} s; word error rate against the script: {:.1} % \
             ({} substituted, {} missed, {} extra of {})",
            heard.transcript.words.len(),
            heard.seconds,
            score.word_error_rate * 100.0,
            counts.substitutions,
            counts.deletions,
            counts.insertions,
            counts.reference_words
        );
    }
    Ok(())
}

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
    let settings = Settings::load(Path::new("."))?;
    let whisper = ModelStore::in_cache_dir(settings.cache_dir.as_deref())
        .ok()
        .and_then(|store| {
            opusclip_pipeline::transcript::DEFAULT_WHISPER_MODELS
                .iter()
                .find_map(|name| store.installed_path(name).ok())
        })
        .or(settings.model_path.clone());
    let base = ClipOptions { clips: 3, min_seconds: 15.0, max_seconds: 40.0, ..ClipOptions::default() };
    let options = match &whisper {
        Some(model) => {
            let options = ClipOptions { whisper_model: Some(model.clone()), ..base };
            report_speech(&sample.video, &sample.srt, &options, json_output)?;
            options
        }
        None => {
            if !json_output {
                eprintln!(
                    "no whisper model: reading the talk's SRT instead of transcribing it \
                     (`opusclip models fetch base` installs Whisper base)"
                );
            }
            ClipOptions { transcript: Some(sample.srt.clone()), ..base }
        }
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

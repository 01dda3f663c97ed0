//! `opusclip transcribe`: the words of a video or audio-bearing file, as JSON, SRT, VTT or text.

use crate::cli::TranscribeArgs;
use crate::progress_bar::StageBars;
use opusclip_core::{Result, Settings};
use opusclip_pipeline::transcript::{
    censor_list, censor_transcript, default_vad_model, default_whisper_model, transcribe_source_with,
    vocabulary_prompt, AsrRuntime,
};
use opusclip_pipeline::transcript_formats::{render_transcript, TranscriptFormat};
use opusclip_pipeline::{atomic, ClipOptions};
use opusclip_speech::WhisperAcceleration;
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: &TranscribeArgs, json_output: bool) -> Result<ExitCode> {
    let settings = Settings::load(Path::new("."))?;
    let format: TranscriptFormat = args.format.parse()?;
    let options = ClipOptions {
        transcript: args.transcript.clone(),
        whisper_model: args.whisper_model.clone().or_else(|| default_whisper_model(&settings)),
        language: args.language.clone(),
        asr_prompt: vocabulary_prompt(args.vocabulary.as_deref()),
        vad_model: if args.no_vad { None } else { default_vad_model(&settings) },
        translate: args.translate,
        ..ClipOptions::default()
    };
    options.validate()?;
    let bars = StageBars::new("transcribe".into(), json_output);
    let runtime = AsrRuntime { acceleration: WhisperAcceleration::from_settings(&settings)?, dtw_timestamps: args.dtw };
    let mut outcome = transcribe_source_with(&args.input, &options, args.asr, runtime, &bars)?;
    if let Some(list) = censor_list(args.censor.as_deref()) {
        censor_transcript(&mut outcome.transcript, &list);
    }
    let text = render_transcript(&outcome.transcript, format)?;
    match &args.output {
        Some(path) => {
            atomic::write(path, text.as_bytes())?;
            if json_output {
                println!(
                    "{}",
                    serde_json::json!({"output": path, "words": outcome.transcript.words.len(),
                        "source": outcome.transcript.source, "language": outcome.transcript.language,
                        "seconds": outcome.seconds})
                );
            } else {
                eprintln!(
                    "{} words ({:?}) in {:.1} s → {}",
                    outcome.transcript.words.len(),
                    outcome.transcript.source,
                    outcome.seconds,
                    path.display()
                );
            }
        }
        None => print!("{text}"),
    }
    Ok(ExitCode::SUCCESS)
}

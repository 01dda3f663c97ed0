//! `opusclip clip`: one or many inputs, each into its own folder; failures are collected and
//! listed at the end instead of stopping the batch.

use crate::cli::ClipArgs;
use crate::inputs::{expand_inputs, output_folder_name, sidecar_transcript};
use crate::progress_bar::StageBars;
use crate::summary::print_summary;
use opusclip_core::{Aspect, Error, Manifest, Result, Settings};
use opusclip_pipeline::{run_clip, ClipOptions};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Parse `--aspect` values, reporting every bad one.
pub fn parse_aspects(values: &[String]) -> Result<Vec<Aspect>> {
    let mut aspects = Vec::new();
    let mut problems = Vec::new();
    for value in values {
        match value.parse::<Aspect>() {
            Ok(aspect) if !aspects.contains(&aspect) => aspects.push(aspect),
            Ok(_) => {}
            Err(problem) => problems.push(problem),
        }
    }
    if problems.is_empty() {
        Ok(aspects)
    } else {
        Err(Error::invalid_input(problems.join("; ")))
    }
}

fn options_from(args: &ClipArgs, settings: &Settings) -> Result<ClipOptions> {
    let mut options = ClipOptions {
        clips: args.clips,
        min_seconds: args.min,
        max_seconds: args.max,
        aspects: parse_aspects(&args.aspects)?,
        transcript: args.transcript.clone(),
        whisper_model: args.whisper_model.clone().or_else(|| settings.model_path.clone()),
        language: args.language.clone(),
        font_dir: args.font_dir.clone().or_else(|| settings.font_dir.clone()),
        ..ClipOptions::default()
    };
    options.caption_style.enabled = !args.no_captions;
    options.validate()?;
    Ok(options)
}

struct Outcome {
    input: PathBuf,
    output: PathBuf,
    result: Result<Manifest>,
}

/// Run the command; the exit code is 1 when any input failed.
pub fn run(args: &ClipArgs, json_output: bool) -> Result<ExitCode> {
    let settings = Settings::load(Path::new("."))?;
    let options = options_from(args, &settings)?;
    let inputs = expand_inputs(&args.inputs);
    if inputs.is_empty() {
        return Err(Error::invalid_input("no video files found in the given inputs"));
    }
    if inputs.len() > 1 && options.transcript.is_some() {
        return Err(Error::invalid_input(
            "--transcript names one file but several inputs were given: put NAME.srt beside each NAME.mp4 instead",
        ));
    }
    let batch = inputs.len() > 1;
    let outcomes: Vec<Outcome> = inputs
        .iter()
        .map(|input| {
            let output = if batch { args.output.join(output_folder_name(input)) } else { args.output.clone() };
            let mut input_options = options.clone();
            if input_options.transcript.is_none() {
                input_options.transcript = sidecar_transcript(input);
            }
            let label = output_folder_name(input);
            let bars = StageBars::new(label, json_output);
            let result = run_clip(input, &output, &input_options, &bars);
            if let (Ok(manifest), false) = (&result, json_output) {
                print_summary(input, &output, manifest);
            }
            Outcome { input: input.clone(), output, result }
        })
        .collect();
    report(&outcomes, batch, json_output);
    let failed = outcomes.iter().any(|o| o.result.is_err());
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn report(outcomes: &[Outcome], batch: bool, json_output: bool) {
    if json_output {
        let entries: Vec<serde_json::Value> = outcomes
            .iter()
            .map(|o| match &o.result {
                Ok(manifest) => json!({"input": o.input, "output": o.output, "manifest": manifest}),
                Err(error) => json!({"input": o.input, "output": o.output, "error": error.to_body()}),
            })
            .collect();
        let document = if batch {
            json!({ "results": entries })
        } else {
            match &outcomes[0].result {
                Ok(manifest) => serde_json::to_value(manifest).unwrap_or_default(),
                Err(error) => error.to_body(),
            }
        };
        println!("{document}");
        return;
    }
    let failures: Vec<&Outcome> = outcomes.iter().filter(|o| o.result.is_err()).collect();
    if failures.is_empty() {
        return;
    }
    eprintln!("\n{} of {} inputs failed:", failures.len(), outcomes.len());
    for failure in failures {
        if let Err(error) = &failure.result {
            eprintln!("  {}: {error}", failure.input.display());
        }
    }
}

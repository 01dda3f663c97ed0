//! `opusclip clip`: one or many inputs, each into its own folder; failures are collected and
//! listed at the end instead of stopping the batch.

use crate::cli::ClipArgs;
use crate::inputs::{expand_inputs, output_folder_name, sidecar_transcript};
use crate::progress_bar::StageBars;
use crate::summary::print_summary;
use opusclip_core::{Error, Manifest, Result, Settings};
use opusclip_pipeline::{run_clip, ClipOptions, ClipRequest, LocalChoices, RequestFiles};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub use opusclip_pipeline::request::parse_aspects;

/// The request `opusclip clip`'s flags make and the files they name: a template's text, with the
/// watermark image and font file it names found beside it (`read_template` checks they exist).
pub fn clip_request(args: &ClipArgs) -> Result<(ClipRequest, RequestFiles)> {
    let mut files = RequestFiles { transcript: args.transcript.clone(), ..RequestFiles::default() };
    let template = match &args.template {
        Some(path) => {
            let read = opusclip_core::template::read_template(path)?;
            files.watermark = read.watermark.map(|watermark| PathBuf::from(watermark.image));
            files.font = read.style.font_file.map(PathBuf::from);
            Some(std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?)
        }
        None => None,
    };
    let llm = match (args.llm, args.no_llm) {
        (true, _) => Some(true),
        (false, true) => Some(false),
        (false, false) => None,
    };
    let request = ClipRequest {
        clips: args.clips,
        min: args.min,
        max: args.max,
        length: args.lengths.clone(),
        range: args.range.clone(),
        prompt: args.prompt.clone(),
        aspect: args.aspects.clone(),
        language: args.language.clone(),
        vocabulary: args.vocabulary.clone(),
        censor: args.censor.clone(),
        no_captions: args.no_captions,
        caption_style: args.caption_style.clone(),
        caption_position: args.caption_position.clone(),
        loudness: Some(args.loudness.clone()),
        template,
        cut_pauses: args.cut_pauses,
        cut_fillers: args.cut_fillers,
        tight: args.tight,
        layout: Some(args.layout.clone()),
        emoji: args.emoji,
        llm,
    };
    Ok((request, files))
}

/// What this machine's flags choose beyond the request: a speech model file, VAD off, a font
/// folder, embeddings off.
fn local_choices(args: &ClipArgs) -> LocalChoices {
    LocalChoices {
        whisper_model: args.whisper_model.clone(),
        no_vad: args.no_vad,
        font_dir: args.font_dir.clone(),
        no_embeddings: args.no_embeddings,
    }
}

fn options_from(args: &ClipArgs, settings: &Settings) -> Result<ClipOptions> {
    let (request, files) = clip_request(args)?;
    ClipOptions::from_request(&request, settings, files, &local_choices(args))
}

struct Outcome {
    input: PathBuf,
    output: PathBuf,
    result: Result<Manifest>,
}

/// Run the command; when an input failed, the exit code is that of its error (`crate::exit_code`).
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
            crate::interrupt::watch_output_folder(output.clone());
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
    // The status of the first input that failed (docs/user-guide.md's exit-code table), else success.
    let first_failure = outcomes.iter().find_map(|o| o.result.as_ref().err());
    Ok(first_failure.map_or(ExitCode::SUCCESS, |error| ExitCode::from(crate::exit_code(error.code()))))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::{Cli, Command};
    use clap::Parser;
    use opusclip_core::{caption_style_named, CaptionStyle, ErrorCode, LayoutKind};
    use opusclip_select::{LengthRange, TimeRange};

    fn clip_args(extra: &[&str]) -> ClipArgs {
        let mut argv = vec!["opusclip", "clip", "talk.mp4"];
        argv.extend_from_slice(extra);
        match Cli::try_parse_from(argv).expect("parses").command {
            Command::Clip(args) => *args,
            _ => unreachable!("a clip command"),
        }
    }

    #[test]
    fn the_installed_embedding_model_is_used_unless_turned_off() {
        let cache = tempfile::tempdir().expect("temp dir");
        let settings = Settings { cache_dir: Some(cache.path().to_path_buf()), batch_size: 8, ..Settings::default() };
        let absent = options_from(&clip_args(&[]), &settings).expect("valid");
        assert_eq!((absent.embedding_model, absent.embedding_batch), (None, 8));
        let dir = cache.path().join("models/all-minilm-l6-v2");
        std::fs::create_dir_all(&dir).expect("model dir");
        for pin in opusclip_embed::EmbeddingModelSpec::minilm().files {
            let file = std::fs::File::create(dir.join(&pin.name)).expect("create");
            file.set_len(pin.size).expect("sparse file of the pinned size");
        }
        let present = options_from(&clip_args(&[]), &settings).expect("valid");
        assert_eq!(present.embedding_model, Some(dir));
        let off = options_from(&clip_args(&["--no-embeddings"]), &settings).expect("valid");
        assert_eq!(off.embedding_model, None);
    }

    #[test]
    fn lengths_range_and_prompt_reach_the_options() {
        let args = clip_args(&["--length", "15-30,30-60", "--length", "60-90", "--range", "00:10:00-00:45:00"]);
        let options = options_from(&clip_args(&["--prompt", "pricing"]), &Settings::default()).expect("valid");
        assert_eq!(options.prompt.as_deref(), Some("pricing"));
        let options = options_from(&args, &Settings::default()).expect("valid");
        let expected = [LengthRange::new(15.0, 30.0), LengthRange::new(30.0, 60.0), LengthRange::new(60.0, 90.0)];
        assert_eq!(options.lengths, expected);
        assert_eq!(options.timeframe, Some(TimeRange::new(600.0, 2700.0)));
        let seconds = options_from(&clip_args(&["--range", "600-2700"]), &Settings::default()).expect("valid");
        assert_eq!(seconds.timeframe, options.timeframe);
    }

    #[test]
    fn bad_values_are_typed_errors_naming_them() {
        for (flag, value) in
            [("--length", "30-15"), ("--length", "abc"), ("--range", "45:00-10:00"), ("--prompt", "the")]
        {
            let err = options_from(&clip_args(&[flag, value]), &Settings::default()).expect_err(value);
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            assert!(err.to_string().contains(&format!("\"{value}\"")), "{err}");
        }
    }

    #[test]
    fn layout_reaches_the_options() {
        let auto = options_from(&clip_args(&[]), &Settings::default()).expect("valid");
        assert_eq!(auto.layout, None);
        let forced = options_from(&clip_args(&["--layout", "blur-fit"]), &Settings::default()).expect("valid");
        assert_eq!(forced.layout, Some(LayoutKind::BlurFit));
        let err = options_from(&clip_args(&["--layout", "zoom"]), &Settings::default()).expect_err("unknown");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains("zoom") && err.to_string().contains("auto"), "{err}");
    }

    #[test]
    fn cut_pauses_takes_a_threshold_and_tight_turns_on_both_cuts() {
        let plain = options_from(&clip_args(&[]), &Settings::default()).expect("valid");
        assert!(!plain.tighten.any());
        let pauses = options_from(&clip_args(&["--cut-pauses"]), &Settings::default()).expect("valid");
        assert_eq!(pauses.tighten.pause_seconds, Some(0.5));
        assert!(!pauses.tighten.fillers);
        let longer = options_from(&clip_args(&["--cut-pauses", "1.2", "--cut-fillers"]), &Settings::default());
        let longer = longer.expect("valid").tighten;
        assert_eq!((longer.pause_seconds, longer.fillers), (Some(1.2), true));
        let tight = options_from(&clip_args(&["--tight"]), &Settings::default()).expect("valid").tighten;
        assert_eq!((tight.pause_seconds, tight.fillers), (Some(0.5), true));
        let err = options_from(&clip_args(&["--cut-pauses", "0.05"]), &Settings::default()).expect_err("too short");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains("--cut-pauses 0.05"), "{err}");
    }

    #[test]
    fn llm_follows_llm_url_unless_turned_off() {
        let off = options_from(&clip_args(&[]), &Settings::default()).expect("valid");
        assert!(off.llm.is_none());
        let err = options_from(&clip_args(&["--llm"]), &Settings::default()).expect_err("no LLM_URL");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains("LLM_URL"), "{err}");
        let settings = Settings { llm_url: Some("http://127.0.0.1:8080/v1".into()), ..Settings::default() };
        let on = options_from(&clip_args(&[]), &settings).expect("valid").llm.expect("on with LLM_URL");
        assert_eq!(on.endpoint(), "http://127.0.0.1:8080/v1/chat/completions");
        assert!(options_from(&clip_args(&["--llm"]), &settings).expect("valid").llm.is_some());
        assert!(options_from(&clip_args(&["--no-llm"]), &settings).expect("valid").llm.is_none());
        assert!(options_from(&clip_args(&["--no-llm", "--llm"]), &settings).expect("valid").llm.is_some());
    }

    #[test]
    fn caption_position_is_written_into_the_style() {
        let top = options_from(&clip_args(&["--caption-position", "top"]), &Settings::default()).expect("valid");
        assert_eq!(top.caption_style.position, opusclip_core::CaptionPosition::Top);
        let error = options_from(&clip_args(&["--caption-position", "left"]), &Settings::default()).expect_err("bad");
        assert!(error.to_string().contains("10% to 90%"), "{error}");
    }

    #[test]
    fn loudness_takes_a_preset_a_number_or_off() {
        let default = options_from(&clip_args(&[]), &Settings::default()).expect("valid");
        assert_eq!(default.loudness, Some(-14.0));
        let podcast = options_from(&clip_args(&["--loudness", "podcast"]), &Settings::default()).expect("valid");
        assert_eq!(podcast.loudness, Some(-16.0));
        let off = options_from(&clip_args(&["--loudness", "off"]), &Settings::default()).expect("valid");
        assert_eq!(off.loudness, None);
        let error = options_from(&clip_args(&["--loudness", "loud"]), &Settings::default()).expect_err("bad");
        assert_eq!(error.code(), ErrorCode::InvalidInput);
        assert!(error.to_string().contains("tiktok"), "{error}");
    }

    #[test]
    fn a_template_sets_the_look_and_the_watermark() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("logo.png"), b"png").expect("logo");
        let template = dir.path().join("brand.toml");
        std::fs::write(&template, "base = \"punch\"\nanimation = \"pop\"\n[watermark]\nimage = \"logo.png\"\n")
            .expect("toml");
        let path = template.to_str().expect("utf-8");
        let options = options_from(&clip_args(&["--template", path]), &Settings::default()).expect("valid");
        assert_eq!(options.caption_style.animation, opusclip_core::CaptionAnimation::Pop);
        assert!(options.caption_style.uppercase, "punch's capitals");
        assert!(options.watermark.expect("a watermark").image.ends_with("logo.png"));
        let moved = options_from(&clip_args(&["--template", path, "--caption-position", "top"]), &Settings::default());
        assert_eq!(moved.expect("valid").caption_style.position, opusclip_core::CaptionPosition::Top);
        let both = ["opusclip", "clip", "talk.mp4", "--template", path, "--caption-style", "bold"];
        assert!(Cli::try_parse_from(both).is_err(), "a template and a named look conflict");
        std::fs::write(&template, "font_size = 999").expect("toml");
        let error = options_from(&clip_args(&["--template", path]), &Settings::default()).expect_err("bad");
        assert!(error.to_string().contains("font_size 999"), "{error}");
    }

    #[test]
    fn caption_style_names_a_preset_or_none() {
        let default = options_from(&clip_args(&[]), &Settings::default()).expect("valid");
        assert_eq!(default.caption_style, CaptionStyle::default());
        let punch = options_from(&clip_args(&["--caption-style", "punch"]), &Settings::default()).expect("valid");
        assert_eq!(punch.caption_style, caption_style_named("punch").expect("a preset"));
        assert!(punch.caption_style.uppercase && punch.caption_style.enabled);
        for argv in [&["--caption-style", "none"][..], &["--no-captions"]] {
            let off = options_from(&clip_args(argv), &Settings::default()).expect("valid");
            assert!(!off.caption_style.enabled, "{argv:?} turns captions off");
        }
        let err = options_from(&clip_args(&["--caption-style", "comic"]), &Settings::default()).expect_err("unknown");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert!(err.to_string().contains("comic") && err.to_string().contains("clean, punch, single, none"), "{err}");
        let both = ["opusclip", "clip", "talk.mp4", "--no-captions", "--caption-style", "bold"];
        assert!(Cli::try_parse_from(both).is_err(), "--no-captions and another style conflict");
    }

    #[test]
    fn help_lists_every_caption_style() {
        use clap::CommandFactory;
        let mut command = Cli::command();
        let help = command.find_subcommand_mut("clip").expect("clip").render_long_help().to_string();
        let text = help.split("--caption-style").nth(1).expect("--caption-style is documented");
        let text = &text[..text.find("--no-captions").unwrap_or(text.len())];
        for name in opusclip_core::caption_style_names() {
            assert!(text.contains(name), "--help names the {name} caption style: {text}");
        }
    }

    #[test]
    fn length_conflicts_with_min_and_max() {
        let argv = ["opusclip", "clip", "talk.mp4", "--length", "15-30", "--min", "10"];
        assert!(Cli::try_parse_from(argv).is_err());
        let twice = options_from(&clip_args(&["--length", "15-30", "--length", "15-30"]), &Settings::default());
        assert_eq!(twice.expect("valid").lengths.len(), 1);
    }
}

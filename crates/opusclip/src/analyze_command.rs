//! `opusclip analyze`: the full-rate pass (shots, fades, loudness, silences) as
//! `analysis.json`, with PySceneDetect-style scene lists.

use crate::cli::{AnalyzeArgs, DetectorArg};
use crate::progress_bar::StageBars;
use opusclip_analyze::scene_list::{scenes_csv, scenes_edl};
use opusclip_core::{Error, Result, Settings};
use opusclip_pipeline::analysis::{analyze, cache_dir, AnalysisDocument, AnalysisSettings, DetectorChoice};
use opusclip_pipeline::{atomic, Progress};
use std::path::Path;
use std::process::ExitCode;

/// Settings of the analysis from the command line.
pub fn analysis_settings(args: &AnalyzeArgs) -> Result<AnalysisSettings> {
    let settings = AnalysisSettings {
        detector: match args.detector {
            DetectorArg::Adaptive => DetectorChoice::Adaptive,
            DetectorArg::Content => DetectorChoice::Content,
        },
        threshold: args.threshold,
        min_scene_seconds: args.min_scene_len,
        decode_workers: args.workers,
        ..AnalysisSettings::default()
    };
    let bad_length = settings.min_scene_seconds.is_nan() || settings.min_scene_seconds < 0.0;
    if settings.decode_workers == 0 {
        return Err(Error::invalid_input("--workers must be at least 1"));
    }
    if bad_length || settings.threshold.is_some_and(|t| t.is_nan() || t <= 0.0) {
        return Err(Error::invalid_input("--min-scene-len must be ≥ 0 and --threshold > 0"));
    }
    Ok(settings)
}

pub fn run(args: &AnalyzeArgs, json_output: bool) -> Result<ExitCode> {
    let settings = analysis_settings(args)?;
    let configured = Settings::load(Path::new("."))?;
    let cache =
        if args.no_cache || !configured.cache_enabled { None } else { cache_dir(configured.cache_dir.as_deref()) };
    let bars = StageBars::new("analyze".into(), json_output);
    bars.stage("analyze");
    let document = analyze(&args.input, &settings, cache.as_deref(), &bars)?;
    bars.stage_done("analyze", document.seconds);
    atomic::write_json(&args.output, &document)?;
    if let Some(scenes) = &args.scenes {
        write_scenes(&document, &scenes[0], Path::new(&scenes[1]), &args.input)?;
    }
    if json_output {
        println!("{}", serde_json::to_string(&document).unwrap_or_default());
    } else {
        print_summary(&document, &args.output);
    }
    Ok(ExitCode::SUCCESS)
}

fn write_scenes(document: &AnalysisDocument, format: &str, path: &Path, input: &Path) -> Result<()> {
    let fps = document.source.probe.video.fps;
    let text = match format.to_ascii_lowercase().as_str() {
        "csv" => scenes_csv(&document.shots, fps),
        "edl" => {
            let title = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            scenes_edl(&document.shots, fps, &title)
        }
        "json" => serde_json::to_string_pretty(&document.shots).map_err(|e| Error::Internal(e.to_string()))?,
        other => return Err(Error::invalid_input(format!("--scenes format '{other}' is not one of csv, edl, json"))),
    };
    atomic::write(path, text.as_bytes())
}

fn print_summary(document: &AnalysisDocument, output: &Path) {
    let probe = &document.source.probe;
    println!(
        "{}: {:.1} s, {} frames decoded{}",
        document.source.path,
        probe.duration,
        document.frames_decoded,
        if document.cached { " (from cache)" } else { "" }
    );
    println!(
        "  shots      {} (cuts at frames {:?})",
        document.shots.len(),
        document.cuts.iter().map(|c| c.frame).collect::<Vec<_>>()
    );
    println!("  fades      {}", document.fades.len());
    println!("  silences   {}", document.silences.len());
    match document.loudness.integrated {
        Some(lufs) => println!("  loudness   {lufs:.1} LUFS integrated"),
        None => println!("  loudness   - (no audio or silent)"),
    }
    println!("  time       {:.2} s", document.seconds);
    println!("  written    {}", output.display());
}

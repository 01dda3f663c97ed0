//! `opusclip feedback`: refit the score's weights from the real results of posted clips (a CSV
//! of views / watch time / likes per clip id) and the clips' score parts in their manifests,
//! and write the weights as a profile that later runs read. The refit is
//! `opusclip_select::feedback`.

use clap::Args;
use opusclip_core::settings::{load_profile, profile_toml, DEFAULT_PROFILE_FILE};
use opusclip_core::{Error, Result, Score, ScoreWeights, Settings, PART_NAMES};
use opusclip_select::feedback::{engagement_scores, parse_results_csv, parts_for_outcomes, refit_weights, Refit};
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Args)]
pub struct FeedbackArgs {
    /// The results: CSV with a header naming clip_id (or clip) and any of views, watch_time,
    /// likes; one row per posted clip.
    #[arg(value_name = "RESULTS.csv")]
    pub results: PathBuf,
    /// The manifest.json of the run the clips came from (repeatable; with several, a clip id may
    /// be written DIR/clip-01, DIR being the manifest's folder name).
    #[arg(long = "manifest", value_name = "FILE", required = true)]
    pub manifests: Vec<PathBuf>,
    /// The profile to write (default: SCORE_PROFILE when set, else ./opusclip-profile.toml).
    /// When it exists, its weights are the starting point.
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
}

/// The part of a manifest the refit reads.
#[derive(Debug, Deserialize)]
struct ManifestScores {
    clips: Vec<ClipScore>,
}

#[derive(Debug, Deserialize)]
struct ClipScore {
    id: String,
    score: Score,
}

pub fn run(args: &FeedbackArgs, json_output: bool) -> Result<ExitCode> {
    let settings = Settings::load(Path::new("."))?;
    let profile_path = args
        .profile
        .clone()
        .or_else(|| settings.score_profile.clone())
        .unwrap_or_else(|| PathBuf::from(DEFAULT_PROFILE_FILE));
    let prior = if profile_path.is_file() {
        load_profile(&profile_path, ScoreWeights::default())
            .map_err(|problem| Error::Configuration { problems: vec![problem] })?
    } else {
        settings.score_weights
    };
    let results_name = args.results.display().to_string();
    let text = std::fs::read_to_string(&args.results).map_err(|e| Error::io("read", &args.results, e))?;
    let outcomes = parse_results_csv(&text, &results_name)?;
    let parts_by_clip = parts_from_manifests(&args.manifests)?;
    let parts = parts_for_outcomes(&outcomes, &parts_by_clip)?;
    let refit = refit_weights(&parts, &engagement_scores(&outcomes), &prior)?;
    let comment = format!(
        "Score weights refitted by `opusclip feedback` from {} clips ({}).\n\
         R² {:.2}, adjusted {:.2}; moved {:.0} % of the way from the previous weights to the fit.\n\
         Used by later runs when this file is SCORE_PROFILE, or is ./{DEFAULT_PROFILE_FILE}.",
        refit.clips,
        results_name,
        refit.r_squared,
        refit.adjusted_r_squared,
        refit.blend * 100.0
    );
    opusclip_pipeline::atomic::write(&profile_path, profile_toml(&refit.new, &comment).as_bytes())?;
    if json_output {
        println!("{}", refit_json(&refit, &profile_path));
    } else {
        print!("{}", refit_text(&refit, &profile_path));
    }
    Ok(ExitCode::SUCCESS)
}

/// Score parts (name → value) of every clip of the manifests, by clip id. With several
/// manifests each clip is also reachable as `DIR/ID`; a bare id found in several is left out
/// (so using it is reported as unknown, with the qualified names listed).
fn parts_from_manifests(paths: &[PathBuf]) -> Result<BTreeMap<String, BTreeMap<String, f64>>> {
    let mut qualified = BTreeMap::new();
    let mut bare: BTreeMap<String, Vec<BTreeMap<String, f64>>> = BTreeMap::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let manifest: ManifestScores = serde_json::from_str(&text).map_err(|e| {
            Error::invalid_input(format!(
                "{} is not a clip manifest ({e}): pass the manifest.json written by `opusclip clip`",
                path.display()
            ))
        })?;
        let folder = manifest_folder_name(path);
        for clip in manifest.clips {
            let parts: BTreeMap<String, f64> =
                clip.score.parts.iter().map(|(name, part)| (name.clone(), part.value)).collect();
            if paths.len() > 1 {
                qualified.insert(format!("{folder}/{}", clip.id), parts.clone());
            }
            bare.entry(clip.id).or_default().push(parts);
        }
    }
    for (id, mut found) in bare {
        if found.len() == 1 {
            qualified.insert(id, found.remove(0));
        }
    }
    Ok(qualified)
}

fn manifest_folder_name(path: &Path) -> String {
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let absolute = std::fs::canonicalize(folder).unwrap_or_else(|_| folder.to_path_buf());
    absolute.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| ".".into())
}

fn refit_text(refit: &Refit, profile: &Path) -> String {
    let mut text = format!(
        "Refitted from {} clips: R² {:.2} (adjusted {:.2}); the weights moved {:.0} % of the way to the fit.\n\n",
        refit.clips,
        refit.r_squared,
        refit.adjusted_r_squared,
        refit.blend * 100.0
    );
    text.push_str("part          old     new   correlation with results\n");
    for name in PART_NAMES {
        let correlation = match refit.correlations.get(name) {
            Some(value) => format!("{value:+.2}"),
            None => "not in the manifest: kept".to_string(),
        };
        text.push_str(&format!(
            "{name:<12} {:.3} → {:.3}   {correlation}\n",
            refit.old.get(name).unwrap_or(0.0),
            refit.new.get(name).unwrap_or(0.0)
        ));
    }
    text.push_str(&format!(
        "\nWrote {}: later runs use it when it is SCORE_PROFILE, or is ./{DEFAULT_PROFILE_FILE}.\n",
        profile.display()
    ));
    text
}

fn refit_json(refit: &Refit, profile: &Path) -> serde_json::Value {
    json!({
        "clips": refit.clips,
        "parts_fitted": refit.parts_fitted,
        "r_squared": refit.r_squared,
        "adjusted_r_squared": refit.adjusted_r_squared,
        "blend": refit.blend,
        "old": refit.old,
        "new": refit.new,
        "correlations": refit.correlations,
        "profile": profile,
    })
}

//! `opusclip eval highlights`: precision@k of the text-only clip scorer against real audience
//! reactions (TED talks with timed `(Laughter)` / `(Applause)` cues), next to random and
//! position-only baselines. The protocol lives in `opusclip_select::evaluation`; this reads the
//! data (gzip or plain JSON lines) and prints the table. With `--fit`, it refits the
//! audience-reaction text model on the dev split and prints `reaction_model.rs`; with
//! `--prompt-cutoffs`, it measures `--prompt`'s cut-offs ([`crate::eval_prompt_cutoffs`]).

use crate::eval_embeddings::talk_embeddings;
use clap::{Args, ValueEnum};
use opusclip_core::{Error, Result, Settings, PART_NAMES};
use opusclip_select::evaluation::{
    evaluate_with_embeddings, Cue, EvaluationOptions, EvaluationReport, Method, Reaction, ReactionZone, Split, Talk,
};
use opusclip_select::evaluation_fit::{cross_validate, fit_on, talk_windows_for_fit, HeldOutPrecision};
use opusclip_select::evaluation_semantic::semantic_training_talks;
use opusclip_select::reaction::{ReactionModel, FEATURES};
use opusclip_select::reaction_fit::{model_source, REACTION_L2};
use opusclip_select::semantic_reaction_fit::{
    fit_semantic_reaction, model_source as semantic_model_source, PUNCHLINE_L2, WINDOW_L2,
};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Where the evaluation set lies beside a clone of the project.
pub const DEFAULT_DATA: &str = "../shared/highlights/ted-dev.jsonl.gz";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SplitArg {
    /// Every talk.
    All,
    /// The half of the talks to look at while developing the scorer.
    Dev,
    /// The other half: the figure that counts, on talks the scorer was not developed on.
    Holdout,
}

#[derive(Debug, Args)]
pub struct HighlightsArgs {
    /// The talks: JSON lines (gzip-compressed or plain), each with `speaker`, `headline` and
    /// `cues: [[start_ms, text], …]`.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Window length in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub window: f64,
    /// Seconds between window starts.
    #[arg(long, default_value_t = 15.0)]
    pub step: f64,
    /// A reaction this many seconds after a window's end still counts for it.
    #[arg(long, default_value_t = 3.0)]
    pub after: f64,
    /// Count only reactions after a window's end, not those inside it.
    #[arg(long)]
    pub only_after: bool,
    /// Which talks: all, dev or holdout (halves chosen by a hash of speaker and headline).
    #[arg(long, value_enum, default_value_t = SplitArg::All)]
    pub split: SplitArg,
    /// Seed of the random baseline.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// The k of precision@k (repeatable).
    #[arg(long = "k", value_name = "K", default_values_t = vec![3, 5])]
    pub ks: Vec<usize>,
    /// Refit the audience-reaction text model on the dev split (never the holdout) and print
    /// the Rust source of `crates/opusclip-select/src/reaction_model.rs` (with `--json`: the
    /// coefficients); a talk-grouped 4-fold cross-validation on dev goes to stderr.
    #[arg(long)]
    pub fit: bool,
    /// Refit the sentence-embedding reaction model on the dev split (needs `opusclip models fetch
    /// minilm`) and print the Rust source of `crates/opusclip-select/src/semantic_reaction_model.rs`.
    #[arg(long, conflicts_with = "fit")]
    pub fit_semantic: bool,
    /// Score with the word-rate reaction model only, even when the embedding model is installed.
    #[arg(long)]
    pub no_embeddings: bool,
    /// Measure where `--prompt`'s match by meaning should start and saturate (needs `opusclip
    /// models fetch minilm`): each talk's headline as a prompt, against the windows of its own
    /// talk and of five others, next to the shipped cut-offs.
    #[arg(long, conflicts_with_all = ["fit", "fit_semantic", "no_embeddings"])]
    pub prompt_cutoffs: bool,
}

/// Folds of the cross-validation `--fit` reports.
const FIT_FOLDS: usize = 4;
/// L2 penalties whose cross-validation `--fit` reports beside the shipped one, to show the choice.
const L2_GRID: [f64; 4] = [0.001, 0.1, 1.0, 10.0];

pub fn run(args: &HighlightsArgs, json_output: bool) -> Result<ExitCode> {
    if args.fit {
        return fit(args, json_output);
    }
    if args.fit_semantic {
        return fit_semantic(args);
    }
    if args.prompt_cutoffs {
        return crate::eval_prompt_cutoffs::run(args, json_output);
    }
    let mut options = options_from(args)?;
    let settings = Settings::load(Path::new("."))?;
    options.weights = settings.score_weights;
    let talks = read_talks(&args.data)?;
    let embeddings = if args.no_embeddings { None } else { talk_embeddings(&talks, &[options.split], &settings)? };
    let report = evaluate_with_embeddings(&talks, &options, embeddings.as_ref());
    if report.talks == 0 {
        return Err(Error::invalid_input(format!(
            "{}: no talk has a whole {} s window in the {} split",
            args.data.display(),
            args.window,
            options.split.name()
        )));
    }
    if json_output {
        println!("{}", report_json(&args.data, &options, &report));
    } else {
        print!("{}", report_markdown(&args.data, &options, &report));
    }
    Ok(ExitCode::SUCCESS)
}

/// `--fit-semantic`: the sentence-embedding reaction model fitted on every dev talk.
fn fit_semantic(args: &HighlightsArgs) -> Result<ExitCode> {
    if args.split == SplitArg::Holdout {
        return Err(Error::invalid_input(
            "--fit-semantic fits on the dev split only, so the holdout split stays unseen: drop --split holdout",
        ));
    }
    let options = EvaluationOptions { split: Split::Dev, ..options_from(args)? };
    let talks = read_talks(&args.data)?;
    let settings = Settings::load(Path::new("."))?;
    let embeddings = talk_embeddings(&talks, &[Split::Dev], &settings)?.ok_or_else(|| {
        Error::invalid_input("--fit-semantic needs the embedding model: run `opusclip models fetch minilm`")
    })?;
    let training = semantic_training_talks(&talks, Split::Dev, &options, &embeddings);
    let model = fit_semantic_reaction(&training).ok_or_else(|| {
        Error::invalid_input(format!("{}: no dev talk has windows and punchlines to fit on", args.data.display()))
    })?;
    let windows: usize = training.iter().map(|talk| talk.windows.len()).sum();
    let sentences: usize = training.iter().map(|talk| talk.sentences.len()).sum();
    let punchlines: usize = training.iter().map(|talk| talk.punchlines.iter().filter(|&&p| p).count()).sum();
    let data_name =
        args.data.file_name().map_or_else(|| args.data.display().to_string(), |n| n.to_string_lossy().into());
    let provenance = format!(
        "Fitted on the dev split of {data_name} ({} talks; {windows} windows of {} s every {} s, reacted to = \
         laughter or applause starting in the window or ≤ {} s after it; {sentences} sentences, {punchlines} of them \
         the last before a laugh) with all-MiniLM-L6-v2 sentence embeddings, by L2-regularised logistic regression \
         (Newton's method; L2 {WINDOW_L2} for windows, {PUNCHLINE_L2} for sentences), the spread of the word-rate \
         model's log-odds on the same windows, and a Platt scaling of the summed standardised readings. The \
         holdout split was never used.",
        training.len(),
        options.window_seconds,
        options.step_seconds,
        options.after_seconds,
    );
    eprintln!("{provenance}");
    print!("{}", semantic_model_source(&model, &provenance));
    Ok(ExitCode::SUCCESS)
}

/// `--fit`: the model fitted on every dev talk, with its cross-validated precision.
fn fit(args: &HighlightsArgs, json_output: bool) -> Result<ExitCode> {
    if args.split == SplitArg::Holdout {
        return Err(Error::invalid_input(
            "--fit fits on the dev split only, so the holdout split stays unseen: drop --split holdout",
        ));
    }
    let options = EvaluationOptions { split: Split::Dev, ..options_from(args)? };
    let talks = read_talks(&args.data)?;
    let windows = talk_windows_for_fit(&talks, Split::Dev, &options);
    let model = fit_on(&windows, REACTION_L2).ok_or_else(|| {
        Error::invalid_input(format!("{}: no dev talk has a measurable window to fit on", args.data.display()))
    })?;
    let held_out = cross_validate(&windows, FIT_FOLDS, REACTION_L2, &options.ks);
    for l2 in L2_GRID {
        let summary: Vec<String> = cross_validate(&windows, FIT_FOLDS, l2, &options.ks)
            .iter()
            .map(|p| format!("{} P@{} {:.3}", p.reaction.name(), p.k, p.value))
            .collect();
        eprintln!("cross-validation on dev with L2 {l2}: {}", summary.join(", "));
    }
    let window_count: usize = windows.iter().map(|talk| talk.features.iter().flatten().count()).sum();
    let reacted: usize = windows
        .iter()
        .flat_map(|talk| talk.features.iter().zip(talk.laughter.iter().zip(&talk.applause)))
        .filter(|(features, (laughter, applause))| features.is_some() && (**laughter || **applause))
        .count();
    let summary = held_out
        .iter()
        .map(|p| format!("{} P@{} {:.3} (chance {:.3})", p.reaction.name(), p.k, p.value, p.chance))
        .collect::<Vec<_>>()
        .join(", ");
    let data_name =
        args.data.file_name().map_or_else(|| args.data.display().to_string(), |n| n.to_string_lossy().into());
    let provenance = format!(
        "Fitted on the dev split of {data_name} ({} talks, {window_count} windows of {} s every {} s, {:.1}% of \
         them reacted to: laughter or applause starting in the window or ≤ {} s after it) by L2-regularised \
         logistic regression (L2 {REACTION_L2} on standardised features, Newton's method). The holdout split was \
         never used. Talk-grouped {FIT_FOLDS}-fold cross-validation on dev, the model alone: {summary}.",
        windows.len(),
        options.window_seconds,
        options.step_seconds,
        100.0 * reacted as f64 / window_count.max(1) as f64,
        options.after_seconds,
    );
    let mut probabilities: Vec<f64> =
        windows.iter().flat_map(|talk| talk.features.iter().flatten().map(|f| model.probability(f))).collect();
    probabilities.sort_by(f64::total_cmp);
    let percentile = |q: f64| probabilities[((probabilities.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "reaction probability of dev windows: p10 {:.3}, p50 {:.3}, p90 {:.3}, p99 {:.3}",
        percentile(0.1),
        percentile(0.5),
        percentile(0.9),
        percentile(0.99)
    );
    eprintln!("{provenance}");
    if json_output {
        println!("{}", fit_json(&model, &held_out, windows.len(), window_count));
    } else {
        print!("{}", model_source(&model, &provenance));
    }
    Ok(ExitCode::SUCCESS)
}

fn fit_json(model: &ReactionModel, held_out: &[HeldOutPrecision], talks: usize, windows: usize) -> Value {
    json!({
        "split": "dev",
        "talks": talks,
        "windows": windows,
        "l2": REACTION_L2,
        "features": FEATURES.iter().map(|(name, _, _)| *name).collect::<Vec<_>>(),
        "means": model.means,
        "scales": model.scales,
        "coefficients": model.coefficients,
        "intercept": model.intercept,
        "cross_validation": held_out
            .iter()
            .map(|p| json!({"reaction": p.reaction.name(), "k": p.k, "precision": p.value, "chance": p.chance}))
            .collect::<Vec<_>>(),
    })
}

pub(crate) fn options_from(args: &HighlightsArgs) -> Result<EvaluationOptions> {
    let positive = |value: f64| value.is_finite() && value > 0.0;
    let valid = positive(args.window) && positive(args.step) && args.after.is_finite() && args.after >= 0.0;
    if !valid {
        return Err(Error::invalid_input(format!(
            "--window ({}) and --step ({}) must be > 0 and --after ({}) ≥ 0, in seconds",
            args.window, args.step, args.after
        )));
    }
    if args.ks.is_empty() || args.ks.contains(&0) {
        return Err(Error::invalid_input("--k must be at least 1 (e.g. --k 3 --k 5)"));
    }
    let mut ks = args.ks.clone();
    ks.sort_unstable();
    ks.dedup();
    Ok(EvaluationOptions {
        window_seconds: args.window,
        step_seconds: args.step,
        after_seconds: args.after,
        zone: if args.only_after { ReactionZone::OnlyAfter } else { ReactionZone::WindowAndAfter },
        ks,
        split: match args.split {
            SplitArg::All => Split::All,
            SplitArg::Dev => Split::Dev,
            SplitArg::Holdout => Split::Holdout,
        },
        seed: args.seed,
        ..EvaluationOptions::default()
    })
}

/// Every talk of a JSON-lines file, gzip-compressed when it starts with the gzip magic bytes.
pub fn read_talks(path: &Path) -> Result<Vec<Talk>> {
    let file = std::fs::File::open(path).map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            Error::invalid_input(format!(
                "{} does not exist: pass --data FILE (the TED set is {DEFAULT_DATA} beside a clone)",
                path.display()
            ))
        } else {
            Error::io("open", path, error)
        }
    })?;
    let mut reader = BufReader::new(file);
    let is_gzip = reader.fill_buf().map_err(|e| Error::io("read", path, e))?.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read> = if is_gzip { Box::new(flate2::read::GzDecoder::new(reader)) } else { Box::new(reader) };
    let mut talks = Vec::new();
    for (index, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.map_err(|e| Error::io("read", path, e))?;
        if line.trim().is_empty() {
            continue;
        }
        let record: Value = serde_json::from_str(&line)
            .map_err(|e| Error::invalid_input(format!("{} line {}: not JSON: {e}", path.display(), index + 1)))?;
        talks.push(talk_from(&record).ok_or_else(|| {
            Error::invalid_input(format!(
                "{} line {}: expected {{speaker, headline, cues: [[start_ms, text], …]}}",
                path.display(),
                index + 1
            ))
        })?);
    }
    Ok(talks)
}

fn talk_from(record: &Value) -> Option<Talk> {
    let text_of = |name: &str| record.get(name).and_then(Value::as_str).unwrap_or("");
    let key = format!("{} — {}", text_of("speaker"), text_of("headline"));
    let cues = record
        .get("cues")?
        .as_array()?
        .iter()
        .map(|cue| {
            let pair = cue.as_array()?;
            Some(Cue { start: pair.first()?.as_f64()? / 1000.0, text: pair.get(1)?.as_str()?.to_string() })
        })
        .collect::<Option<Vec<Cue>>>()?;
    Some(Talk { key, cues })
}

fn zone_text(options: &EvaluationOptions) -> String {
    match options.zone {
        ReactionZone::WindowAndAfter => {
            format!("a reaction inside the window or ≤ {} s after it", options.after_seconds)
        }
        ReactionZone::OnlyAfter => format!("a reaction ≤ {} s after the window's end", options.after_seconds),
    }
}

fn report_markdown(data: &Path, options: &EvaluationOptions, report: &EvaluationReport) -> String {
    let mut text = format!(
        "Highlights: {} — split {}, {} talks, {} windows of {} s every {} s; reacted to = {}.\n\
         Text scorer weights (SCORE_WEIGHTS / profile): {}.\n\n",
        data.display(),
        options.split.name(),
        report.talks,
        report.windows,
        options.window_seconds,
        options.step_seconds,
        zone_text(options),
        PART_NAMES
            .iter()
            .map(|name| format!("{name} {}", options.weights.get(name).unwrap_or(0.0)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let columns: Vec<(Reaction, usize)> =
        Reaction::ALL.iter().flat_map(|&reaction| options.ks.iter().map(move |&k| (reaction, k))).collect();
    text.push_str("| method |");
    for (reaction, k) in &columns {
        text.push_str(&format!(" {} P@{k} |", reaction.name()));
    }
    text.push_str("\n|---|");
    text.push_str(&"---:|".repeat(columns.len()));
    text.push('\n');
    for method in Method::all_with(report.has_semantic()) {
        let name = match (method, options.split) {
            (Method::Random, _) => format!("random (seed {}, {} draws)", options.seed, options.random_draws),
            (Method::PositionPrior, Split::All) => "position prior (in-sample)".to_string(),
            (Method::PositionPrior, split) => format!("position prior (learned on {})", split.complement().name()),
            (Method::ReactionModel, _) => "reaction model (fitted on dev)".to_string(),
            (method, _) => method.name(),
        };
        text.push_str(&format!("| {name} |"));
        for &(reaction, k) in &columns {
            let value = report.precision(method, reaction, k).unwrap_or(0.0);
            let chance = report.chance_of(reaction).unwrap_or(0.0);
            let ratio = if chance > 0.0 { format!(" ({:.1}×)", value / chance) } else { String::new() };
            text.push_str(&format!(" {value:.3}{ratio} |"));
        }
        text.push('\n');
    }
    text.push_str("| chance |");
    for &(reaction, _) in &columns {
        text.push_str(&format!(" {:.3} |", report.chance_of(reaction).unwrap_or(0.0)));
    }
    text.push_str("\n\nMeasured on talks with at least one such reaction:");
    for (reaction, count) in &report.talks_with {
        text.push_str(&format!(" {} {count},", reaction.name()));
    }
    text.pop();
    text.push_str(". (×) = times chance.\n");
    text.push_str(
        "`text scorer` is the total `opusclip clip` ranks by; `part: …` rows rank by one part alone and \
         `reaction model` by the audience-reaction text model alone (fitted on the dev split only).\n",
    );
    text
}

fn report_json(data: &Path, options: &EvaluationOptions, report: &EvaluationReport) -> Value {
    let per_reaction = |value_of: &dyn Fn(Reaction) -> Value| -> Value {
        Reaction::ALL.iter().map(|&reaction| (reaction.name().to_string(), value_of(reaction))).collect()
    };
    let methods: Vec<Value> = Method::all_with(report.has_semantic())
        .iter()
        .map(|&method| {
            json!({
                "method": method.name(),
                "precision": per_reaction(&|reaction| {
                    options
                        .ks
                        .iter()
                        .map(|&k| (k.to_string(), json!(report.precision(method, reaction, k).unwrap_or(0.0))))
                        .collect()
                }),
            })
        })
        .collect();
    json!({
        "data": data,
        "split": options.split.name(),
        "window_seconds": options.window_seconds,
        "step_seconds": options.step_seconds,
        "after_seconds": options.after_seconds,
        "reaction_zone": zone_text(options),
        "talks": report.talks,
        "windows": report.windows,
        "talks_with": per_reaction(&|reaction| {
            json!(report.talks_with.iter().find(|(r, _)| *r == reaction).map_or(0, |(_, n)| *n))
        }),
        "chance": per_reaction(&|reaction| json!(report.chance_of(reaction).unwrap_or(0.0))),
        "random_draws": options.random_draws,
        "weights": options.weights,
        "seed": options.seed,
        "methods": methods,
    })
}

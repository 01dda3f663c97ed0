//! `opusclip eval highlights --prompt-cutoffs`: where `--prompt`'s match by meaning should start
//! and saturate, measured on the evaluation talks with each talk's headline as the prompt (the
//! measurement is `opusclip_select::evaluation_prompt`; this embeds and prints).

use crate::eval_embeddings::{embed_talks, load_embedder};
use crate::eval_highlights_command::{options_from, read_talks, HighlightsArgs};
use opusclip_core::{Error, Result, Settings};
use opusclip_select::evaluation_prompt::{
    prompt_cutoff_report, Percentiles, PromptCutoffReport, PromptTalk, OTHER_TALKS,
};
use opusclip_select::evaluation_semantic::talk_window_sentence_ranges;
use opusclip_select::semantic::{PROMPT_COSINE_FULL, PROMPT_COSINE_NONE};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;

pub fn run(args: &HighlightsArgs, json_output: bool) -> Result<ExitCode> {
    let options = options_from(args)?;
    let settings = Settings::load(Path::new("."))?;
    let talks = read_talks(&args.data)?;
    let (embedder, model_dir) = load_embedder(&settings)?.ok_or_else(|| {
        Error::invalid_input("--prompt-cutoffs needs the embedding model: run `opusclip models fetch minilm`")
    })?;
    let embeddings = embed_talks(&embedder, &model_dir, &talks, &[options.split])?;
    let chosen: Vec<_> = talks.iter().filter(|talk| embeddings.contains_key(&talk.key)).collect();
    let headlines: Vec<&str> = chosen.iter().map(|talk| headline_of(&talk.key)).collect();
    let headline_vectors = embedder
        .embed(&headlines)
        .map_err(|error| Error::invalid_input(format!("embedding the talks' headlines: {error}")))?;
    let prompt_talks: Vec<PromptTalk> = chosen
        .iter()
        .zip(headline_vectors)
        .map(|(talk, headline)| PromptTalk {
            headline,
            sentences: embeddings[&talk.key].as_slice(),
            windows: talk_window_sentence_ranges(talk, &options),
        })
        .collect();
    let report = prompt_cutoff_report(&prompt_talks).ok_or_else(|| {
        Error::invalid_input(format!(
            "{}: fewer than two talks of the {} split have a whole window with sentences to measure",
            args.data.display(),
            options.split.name()
        ))
    })?;
    if json_output {
        println!("{}", report_json(&report, options.split.name()));
    } else {
        print!("{}", report_text(&report, options.split.name()));
    }
    Ok(ExitCode::SUCCESS)
}

/// The headline part of a talk key (`speaker — headline`); the whole key when it has no dash.
fn headline_of(key: &str) -> &str {
    key.split_once(" — ").map_or(key, |(_, headline)| headline)
}

fn percentile_text(found: &Percentiles) -> String {
    format!("p10 {:.3}, p50 {:.3}, p90 {:.3}, p95 {:.3}", found.p10, found.p50, found.p90, found.p95)
}

fn report_text(report: &PromptCutoffReport, split: &str) -> String {
    format!(
        "Prompt cut-offs (all-MiniLM-L6-v2; each talk's headline as the prompt; split {split}, {} talks):\n\
         - windows of {OTHER_TALKS} other talks ({} windows): blended cosine {}; {:.1}% above the no-match \
         cut-off {PROMPT_COSINE_NONE}\n\
         - each talk's best window against its own headline: {}; {:.1}% reach the full-match cut-off \
         {PROMPT_COSINE_FULL}\n",
        report.talks,
        report.other_window_count,
        percentile_text(&report.other_windows),
        100.0 * report.other_share_matched,
        percentile_text(&report.own_best),
        100.0 * report.own_best_share_full,
    )
}

fn report_json(report: &PromptCutoffReport, split: &str) -> serde_json::Value {
    let percentiles =
        |found: &Percentiles| json!({"p10": found.p10, "p50": found.p50, "p90": found.p90, "p95": found.p95});
    json!({
        "split": split,
        "talks": report.talks,
        "other_talks_per_talk": OTHER_TALKS,
        "other_windows": percentiles(&report.other_windows),
        "other_window_count": report.other_window_count,
        "own_best_window": percentiles(&report.own_best),
        "no_match_cutoff": PROMPT_COSINE_NONE,
        "full_match_cutoff": PROMPT_COSINE_FULL,
        "other_share_matched": report.other_share_matched,
        "own_best_share_full": report.own_best_share_full,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_follows_the_speaker() {
        assert_eq!(headline_of("Ken Robinson — Do schools kill creativity?"), "Do schools kill creativity?");
        assert_eq!(headline_of("A — B — C"), "B — C");
        assert_eq!(headline_of("no dash"), "no dash");
    }
}

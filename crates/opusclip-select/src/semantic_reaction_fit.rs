//! Fitting the [`SemanticReactionModel`]: two L2-regularised logistic regressions solved by
//! Newton's method ([`crate::logistic`]; window mean embeddings → reacted to, sentence embeddings
//! → punchline), the spread of those and of the word-rate log-odds on the training windows, a
//! Platt scaling of the summed readings, and the Rust source of `semantic_reaction_model.rs` that
//! ships the result. Pure and deterministic: the same talks and embeddings give the same
//! coefficients, so `opusclip eval highlights --fit-semantic` reproduces the shipped constants
//! from the same embeddings (computed on another CPU, they differ in their last float bits, and
//! the coefficients by about 1e-6).

use crate::logistic::{newton_logistic, NewtonStop};
use crate::reaction_fit::wrap;
use crate::semantic_reaction::{log_sum_exp, mean_embedding, LinearReading, SemanticReactionModel, Spread};
use std::ops::Range;

/// The L2 penalty of the window regression (mean log-loss + `l2`/2 × |w|²; about 1/windows).
pub const WINDOW_L2: f64 = 2e-4;
/// The L2 penalty of the punchline regression (about 1/sentences).
pub const PUNCHLINE_L2: f64 = 6e-5;
/// When the Newton fits stop: the embedding regressions have 385 parameters, so a step below
/// 1e-10 is converged.
const STOP: NewtonStop = NewtonStop { max_steps: 50, tolerance: 1e-10 };

/// One talk to learn from: its sentences' embeddings, which sentence came right before a
/// laugh, and its windows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SemanticTalk {
    pub sentences: Vec<Vec<f32>>,
    pub punchlines: Vec<bool>,
    pub windows: Vec<SemanticWindow>,
}

/// One training window: its sentences (indices into the talk's), whether an audience reacted,
/// and the word-rate model's log-odds for its words (`None` when too few).
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticWindow {
    pub sentences: Range<usize>,
    pub reacted: bool,
    pub word_rate_log_odds: Option<f64>,
}

/// The fitted model, or `None` when there is nothing to learn from (no windows, no sentences,
/// one class only, or embeddings of different sizes).
pub fn fit_semantic_reaction(talks: &[SemanticTalk]) -> Option<SemanticReactionModel> {
    let mut window_rows = Vec::new();
    let mut window_targets = Vec::new();
    let mut sentence_rows: Vec<&[f32]> = Vec::new();
    let mut sentence_targets = Vec::new();
    for talk in talks {
        for window in &talk.windows {
            let Some(sentences) = talk.sentences.get(window.sentences.clone()).filter(|s| !s.is_empty()) else {
                continue;
            };
            let refs: Vec<&[f32]> = sentences.iter().map(Vec::as_slice).collect();
            window_rows.push(mean_embedding(&refs)?);
            window_targets.push(f64::from(u8::from(window.reacted)));
        }
        for (sentence, punchline) in talk.sentences.iter().zip(&talk.punchlines) {
            sentence_rows.push(sentence);
            sentence_targets.push(f64::from(u8::from(*punchline)));
        }
    }
    let window_refs: Vec<&[f32]> = window_rows.iter().map(Vec::as_slice).collect();
    let window = reading(&newton_logistic(&window_refs, &window_targets, WINDOW_L2, STOP)?);
    let punchline = reading(&newton_logistic(&sentence_rows, &sentence_targets, PUNCHLINE_L2, STOP)?);
    let word_rate = Spread { mean: 0.0, scale: 1.0 };
    let mut model = SemanticReactionModel { window, punchline, word_rate, slope: 1.0, offset: 0.0 };
    standardise_on_windows(&mut model, talks)?;
    let (scores, targets): (Vec<f64>, Vec<f64>) = window_scores(&model, talks).into_iter().unzip();
    let score_rows: Vec<[f32; 1]> = scores.iter().map(|&s| [s as f32]).collect();
    let score_refs: Vec<&[f32]> = score_rows.iter().map(|row| row.as_slice()).collect();
    let platt = newton_logistic(&score_refs, &targets, 1e-9, STOP)?;
    model.offset = platt[0];
    model.slope = platt[1];
    Some(model)
}

/// A reading from Newton's parameters (intercept first); its spread is set later.
fn reading(parameters: &[f64]) -> LinearReading {
    LinearReading {
        weights: parameters[1..].iter().map(|&w| w as f32).collect(),
        bias: parameters[0],
        mean: 0.0,
        scale: 1.0,
    }
}

/// Sets each reading's mean and standard deviation over the training windows.
fn standardise_on_windows(model: &mut SemanticReactionModel, talks: &[SemanticTalk]) -> Option<()> {
    let mut window_raw = Vec::new();
    let mut punchline_raw = Vec::new();
    let mut word_rate_raw = Vec::new();
    for (sentences, window) in training_windows(talks) {
        let mean = mean_embedding(&sentences)?;
        window_raw.push(model.window.read(&mean)?);
        let readings: Option<Vec<f64>> = sentences.iter().map(|s| model.punchline.read(s)).collect();
        punchline_raw.push(log_sum_exp(&readings?));
        word_rate_raw.extend(window.word_rate_log_odds);
    }
    (model.window.mean, model.window.scale) = mean_and_deviation(&window_raw)?;
    (model.punchline.mean, model.punchline.scale) = mean_and_deviation(&punchline_raw)?;
    // Windows the word-rate model cannot read count as typical (0), so without any the
    // reading is always 0.
    let (mean, scale) = mean_and_deviation(&word_rate_raw).unwrap_or((0.0, 1.0));
    model.word_rate = Spread { mean, scale };
    Some(())
}

/// Every training window's sentences, with the window.
fn training_windows(talks: &[SemanticTalk]) -> impl Iterator<Item = (Vec<&[f32]>, &SemanticWindow)> {
    talks.iter().flat_map(|talk| {
        talk.windows.iter().filter_map(move |window| {
            let sentences = talk.sentences.get(window.sentences.clone()).filter(|s| !s.is_empty())?;
            Some((sentences.iter().map(Vec::as_slice).collect(), window))
        })
    })
}

/// Each training window's summed standardised score and its target.
fn window_scores(model: &SemanticReactionModel, talks: &[SemanticTalk]) -> Vec<(f64, f64)> {
    training_windows(talks)
        .filter_map(|(sentences, window)| {
            let readings = model.readings(&sentences, window.word_rate_log_odds)?;
            Some((readings.sum(), f64::from(u8::from(window.reacted))))
        })
        .collect()
}

fn mean_and_deviation(values: &[f64]) -> Option<(f64, f64)> {
    if values.is_empty() {
        return None;
    }
    let count = values.len() as f64;
    let mean = values.iter().sum::<f64>() / count;
    let deviation = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / count).sqrt();
    Some((mean, if deviation > 1e-12 { deviation } else { 1.0 }))
}

/// The Rust source of `semantic_reaction_model.rs` holding `model`; `provenance` (one paragraph)
/// says how and on what it was fitted.
pub fn model_source(model: &SemanticReactionModel, provenance: &str) -> String {
    let mut source = String::from(
        "//! The shipped coefficients of the sentence-embedding audience-reaction model\n\
         //! (`crate::semantic_reaction`), written by `opusclip eval highlights --fit-semantic`: do not edit by\n\
         //! hand, refit.\n//!\n",
    );
    for line in wrap(provenance, 96) {
        source.push_str(&format!("//! {line}\n"));
    }
    source.push_str(
        "\nuse crate::semantic_reaction::{LinearReading, SemanticReactionModel, Spread};\nuse std::sync::OnceLock;\n\n",
    );
    let dims = model.dimensions();
    source.push_str(&format!(
        "/// The embedding size the shipped model reads.\npub const DIMENSIONS: usize = {dims};\n\n"
    ));
    for (name, reading) in [("WINDOW", &model.window), ("PUNCHLINE", &model.punchline)] {
        source.push_str(&format!("#[rustfmt::skip]\nconst {name}_WEIGHTS: [f32; DIMENSIONS] = [\n"));
        for chunk in reading.weights.chunks(8) {
            let line: Vec<String> = chunk.iter().map(|w| format!("{w:?}")).collect();
            source.push_str(&format!("    {},\n", line.join(", ")));
        }
        source.push_str("];\n\n");
    }
    let reading_source = |name: &str, reading: &LinearReading| {
        format!(
            "LinearReading {{ weights: {name}_WEIGHTS.to_vec(), bias: {:?}, mean: {:?}, scale: {:?} }}",
            reading.bias, reading.mean, reading.scale
        )
    };
    source.push_str(&format!(
        "/// The fitted model, built once.\npub fn shipped_semantic_reaction_model() -> &'static SemanticReactionModel {{\n    \
         static MODEL: OnceLock<SemanticReactionModel> = OnceLock::new();\n    MODEL.get_or_init(|| SemanticReactionModel {{\n        \
         window: {},\n        punchline: {},\n        word_rate: Spread {{ mean: {:?}, scale: {:?} }},\n        \
         slope: {:?},\n        offset: {:?},\n    }})\n}}\n",
        reading_source("WINDOW", &model.window),
        reading_source("PUNCHLINE", &model.punchline),
        model.word_rate.mean,
        model.word_rate.scale,
        model.slope,
        model.offset
    ));
    source
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random value in -1..1.
    fn noise(seed: u64) -> f32 {
        let mixed = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        ((mixed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    /// Talks whose punchlines point along dimension 0 and whose reacted windows hold one.
    fn planted_talks() -> Vec<SemanticTalk> {
        (0..6u64)
            .map(|talk| {
                let count = 40usize;
                let punchlines: Vec<bool> = (0..count).map(|i| i % 7 == 3).collect();
                let sentences = (0..count)
                    .map(|i| {
                        let mut embedding: Vec<f32> =
                            (0..4u64).map(|d| 0.3 * noise(talk * 1000 + i as u64 * 10 + d)).collect();
                        if punchlines[i] {
                            embedding[0] += 1.0;
                        }
                        embedding
                    })
                    .collect();
                let windows = (0..count - 4)
                    .step_by(2)
                    .map(|start| SemanticWindow {
                        sentences: start..start + 4,
                        reacted: punchlines[start..start + 4].iter().any(|&p| p),
                        word_rate_log_odds: None,
                    })
                    .collect();
                SemanticTalk { sentences, punchlines, windows }
            })
            .collect()
    }

    #[test]
    fn the_planted_direction_gets_the_weight_and_ranks_windows() {
        let talks = planted_talks();
        let model = fit_semantic_reaction(&talks).expect("a model");
        for reading in [&model.window, &model.punchline] {
            let strongest = (0..4).max_by(|&a, &b| reading.weights[a].abs().total_cmp(&reading.weights[b].abs()));
            assert_eq!(strongest, Some(0), "{:?}", reading.weights);
            assert!(reading.weights[0] > 0.0);
        }
        assert!(model.slope > 0.0, "a higher score means likelier: {}", model.slope);
        let talk = &talks[0];
        let estimate = |window: &SemanticWindow| {
            let refs: Vec<&[f32]> = talk.sentences[window.sentences.clone()].iter().map(Vec::as_slice).collect();
            model.estimate(&refs, window.word_rate_log_odds).expect("an estimate").probability
        };
        let (reacted, quiet): (Vec<_>, Vec<_>) = talk.windows.iter().partition(|window| window.reacted);
        let lowest_reacted = reacted.iter().map(|w| estimate(w)).fold(f64::INFINITY, f64::min);
        let highest_quiet = quiet.iter().map(|w| estimate(w)).fold(0.0, f64::max);
        assert!(lowest_reacted > highest_quiet, "{lowest_reacted} vs {highest_quiet}");
        assert_eq!(model.word_rate, Spread { mean: 0.0, scale: 1.0 }, "no word-rate readings to spread");
    }

    #[test]
    fn word_rates_are_spread_on_the_training_windows_and_raise_the_scaled_probability() {
        let mut talks = planted_talks();
        for talk in &mut talks {
            for window in &mut talk.windows {
                window.word_rate_log_odds = Some(if window.reacted { -0.5 } else { -1.5 });
            }
        }
        let model = fit_semantic_reaction(&talks).expect("a model");
        let windows: Vec<&SemanticWindow> = talks.iter().flat_map(|talk| &talk.windows).collect();
        let reacted = windows.iter().filter(|window| window.reacted).count() as f64 / windows.len() as f64;
        let expected_mean = -1.5 + reacted;
        assert!((model.word_rate.mean - expected_mean).abs() < 1e-9, "{:?} vs {expected_mean}", model.word_rate);
        let expected_scale = (reacted * (1.0 - reacted)).sqrt();
        assert!((model.word_rate.scale - expected_scale).abs() < 1e-9, "{:?}", model.word_rate);
        let sentences: Vec<&[f32]> = talks[0].sentences[0..4].iter().map(Vec::as_slice).collect();
        let lively = model.estimate(&sentences, Some(-0.5)).expect("an estimate");
        let dull = model.estimate(&sentences, Some(-1.5)).expect("an estimate");
        assert!(lively.probability > dull.probability, "{lively:?} vs {dull:?}");
    }

    #[test]
    fn the_fit_is_deterministic_and_its_source_round_trips_the_numbers() {
        let talks = planted_talks();
        let first = fit_semantic_reaction(&talks).expect("a model");
        assert_eq!(Some(&first), fit_semantic_reaction(&talks).as_ref());
        let source = model_source(&first, "Fitted on planted talks.");
        assert!(source.contains("pub const DIMENSIONS: usize = 4;"));
        assert!(source.contains(&format!("{:?}", first.window.weights[0])));
        assert!(source.contains(&format!("slope: {:?}", first.slope)));
        assert!(source.contains("word_rate: Spread { mean: 0.0, scale: 1.0 }"), "{source}");
    }

    #[test]
    fn nothing_to_learn_from_gives_no_model() {
        assert!(fit_semantic_reaction(&[]).is_none());
        let mut one_class = planted_talks();
        for talk in &mut one_class {
            talk.punchlines.iter_mut().for_each(|p| *p = false);
        }
        assert!(fit_semantic_reaction(&one_class).is_none());
    }
}

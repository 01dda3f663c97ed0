//! The audience-reaction model read from sentence embeddings (all-MiniLM-L6-v2 in
//! `opusclip-embed`): how much a window's meaning resembles the stretches of real talks that drew
//! laughter or applause. It takes the place of the word-rate model ([`crate::reaction`]) in the
//! `engagement` part whenever the caller has embedded the transcript's sentences.
//!
//! Three readings, each standardised by its spread on the training windows and summed:
//! - *window*: a logistic regression on the mean embedding of the window's sentences, trained on
//!   whether laughter or applause followed the window;
//! - *punchline*: a logistic regression on single sentences, trained on whether the sentence was
//!   the last one before a `(Laughter)`, combined over the window's sentences by log-sum-exp (one
//!   strong punchline is enough; several count a little more);
//! - *word rates*: the log-odds of the word-rate model ([`crate::reaction`]) for the same window,
//!   which sees what embeddings smooth away (sentence length, quotes, numbers, "thank you"); 0 when
//!   the window has too few words for it.
//!
//! The sum is turned into a probability by a one-variable logistic fit on the same windows
//! (Platt scaling), so it can stand where the word-rate model's probability stood. Fitting is in
//! [`crate::semantic_reaction_fit`]; the shipped coefficients in
//! [`crate::semantic_reaction_model`]. Pure: vectors in, numbers out.

/// A linear score on an embedding: `weights · embedding + bias`.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearReading {
    pub weights: Vec<f32>,
    pub bias: f64,
    /// Mean and standard deviation of the reading over the training windows.
    pub mean: f64,
    pub scale: f64,
}

impl LinearReading {
    /// The raw reading of one embedding (`None` when the dimensions differ).
    pub fn read(&self, embedding: &[f32]) -> Option<f64> {
        (embedding.len() == self.weights.len()).then(|| {
            self.bias + self.weights.iter().zip(embedding).map(|(w, x)| f64::from(*w) * f64::from(*x)).sum::<f64>()
        })
    }

    /// A raw reading in training standard deviations from the training mean.
    pub fn standardise(&self, raw: f64) -> f64 {
        (raw - self.mean) / if self.scale > 0.0 { self.scale } else { 1.0 }
    }
}

/// Where a reading sits on the training windows: its mean and standard deviation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub mean: f64,
    pub scale: f64,
}

impl Spread {
    /// `value` in standard deviations from the mean.
    pub fn standardise(&self, value: f64) -> f64 {
        (value - self.mean) / if self.scale > 0.0 { self.scale } else { 1.0 }
    }
}

/// The fitted model (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticReactionModel {
    pub window: LinearReading,
    pub punchline: LinearReading,
    /// The spread of the word-rate model's log-odds over the training windows.
    pub word_rate: Spread,
    /// Platt scaling of the summed standardised readings: `p = σ(slope × score + offset)`.
    pub slope: f64,
    pub offset: f64,
}

/// One of the model's three readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionReading {
    Window,
    Punchline,
    WordRates,
}

impl ReactionReading {
    /// How a reason names what the reading saw.
    pub fn describe(self) -> &'static str {
        match self {
            ReactionReading::Window => "the whole stretch",
            ReactionReading::Punchline => "a punchline-like sentence",
            ReactionReading::WordRates => "its word rates",
        }
    }
}

/// The three standardised readings of one window (0 is a typical training window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Readings {
    pub window: f64,
    pub punchline: f64,
    /// 0 when the word-rate model could not read the window.
    pub word_rate: f64,
}

impl Readings {
    pub fn sum(&self) -> f64 {
        self.window + self.punchline + self.word_rate
    }

    /// The reading that pushed the score up most (the window's, on ties).
    pub fn leader(&self) -> ReactionReading {
        let mut leader = (ReactionReading::Window, self.window);
        for candidate in [(ReactionReading::Punchline, self.punchline), (ReactionReading::WordRates, self.word_rate)] {
            if candidate.1 > leader.1 {
                leader = candidate;
            }
        }
        leader.0
    }
}

/// What the model says about one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SemanticReactionEstimate {
    /// The summed standardised readings (0 is a typical training window).
    pub score: f64,
    /// Probability, 0..1, that a live audience reacted to a window like it.
    pub probability: f64,
    /// The reading that pushed the score up most.
    pub led_by: ReactionReading,
}

impl SemanticReactionModel {
    /// The embedding size the model reads.
    pub fn dimensions(&self) -> usize {
        self.window.weights.len()
    }

    /// The standardised readings of a window given its sentences' embeddings and the word-rate
    /// model's log-odds for it ([`crate::reaction::ReactionModel::log_odds`]; `None` when it could
    /// not read the window). `None` without sentences or with embeddings of another size.
    pub fn readings(&self, sentences: &[&[f32]], word_rate_log_odds: Option<f64>) -> Option<Readings> {
        if sentences.is_empty() {
            return None;
        }
        let mean = mean_embedding(sentences)?;
        let window = self.window.standardise(self.window.read(&mean)?);
        let punchlines: Option<Vec<f64>> = sentences.iter().map(|sentence| self.punchline.read(sentence)).collect();
        let punchline = self.punchline.standardise(log_sum_exp(&punchlines?));
        let word_rate = word_rate_log_odds.map_or(0.0, |log_odds| self.word_rate.standardise(log_odds));
        Some(Readings { window, punchline, word_rate })
    }

    /// The estimate for a window (see [`Self::readings`]).
    pub fn estimate(&self, sentences: &[&[f32]], word_rate_log_odds: Option<f64>) -> Option<SemanticReactionEstimate> {
        let readings = self.readings(sentences, word_rate_log_odds)?;
        let score = readings.sum();
        let probability = 1.0 / (1.0 + (-(self.slope * score + self.offset)).exp());
        Some(SemanticReactionEstimate { score, probability, led_by: readings.leader() })
    }
}

/// The mean of equally sized embeddings (`None` when empty or sizes differ).
pub fn mean_embedding(embeddings: &[&[f32]]) -> Option<Vec<f32>> {
    let size = embeddings.first()?.len();
    if embeddings.iter().any(|e| e.len() != size) {
        return None;
    }
    let mut sum = vec![0.0f64; size];
    for embedding in embeddings {
        for (total, value) in sum.iter_mut().zip(embedding.iter()) {
            *total += f64::from(*value);
        }
    }
    let count = embeddings.len() as f64;
    Some(sum.into_iter().map(|total| (total / count) as f32).collect())
}

/// `ln Σ exp(v)`, computed without overflow; `-∞` for no values.
pub fn log_sum_exp(values: &[f64]) -> f64 {
    let top = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !top.is_finite() {
        return top;
    }
    top + values.iter().map(|v| (v - top).exp()).sum::<f64>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(weights: Vec<f32>) -> LinearReading {
        LinearReading { weights, bias: 0.0, mean: 0.0, scale: 1.0 }
    }

    fn model() -> SemanticReactionModel {
        SemanticReactionModel {
            window: reading(vec![1.0, 0.0, 0.0]),
            punchline: reading(vec![0.0, 2.0, 0.0]),
            word_rate: Spread { mean: -1.0, scale: 0.5 },
            slope: 1.0,
            offset: 0.0,
        }
    }

    #[test]
    fn one_strong_punchline_lifts_the_window() {
        let plain: [&[f32]; 3] = [&[0.0, 0.0, 1.0], &[0.0, 0.0, 1.0], &[0.0, 0.0, 1.0]];
        let joke: [&[f32]; 3] = [&[0.0, 0.0, 1.0], &[0.0, 3.0, 0.0], &[0.0, 0.0, 1.0]];
        let plain = model().estimate(&plain, None).expect("an estimate");
        let joke = model().estimate(&joke, None).expect("an estimate");
        assert!(joke.probability > plain.probability + 0.2, "{joke:?} vs {plain:?}");
        assert_eq!(joke.led_by, ReactionReading::Punchline);
    }

    #[test]
    fn the_word_rate_reading_adds_its_standardised_log_odds() {
        let sentences: [&[f32]; 1] = [&[0.0, 0.0, 1.0]];
        let without = model().estimate(&sentences, None).expect("an estimate");
        let lively = model().estimate(&sentences, Some(0.0)).expect("an estimate");
        let dull = model().estimate(&sentences, Some(-2.0)).expect("an estimate");
        // (0 − (−1)) / 0.5 = +2 and (−2 − (−1)) / 0.5 = −2 standard deviations.
        assert!((lively.score - without.score - 2.0).abs() < 1e-9, "{lively:?} vs {without:?}");
        assert!((dull.score - without.score + 2.0).abs() < 1e-9, "{dull:?} vs {without:?}");
        assert_eq!(lively.led_by, ReactionReading::WordRates);
        assert!(lively.probability > without.probability && without.probability > dull.probability);
    }

    #[test]
    fn the_window_reading_uses_the_mean_embedding() {
        let sentences: [&[f32]; 2] = [&[2.0, 0.0, 0.0], &[0.0, 0.0, 0.0]];
        let readings = model().readings(&sentences, None).expect("readings");
        assert!((readings.window - 1.0).abs() < 1e-9, "mean of 2 and 0 is 1: {readings:?}");
        assert_eq!(readings.word_rate, 0.0, "no word-rate reading counts as a typical one");
    }

    #[test]
    fn mismatched_or_missing_embeddings_give_no_estimate() {
        assert!(model().estimate(&[], Some(0.0)).is_none());
        let short: [&[f32]; 1] = [&[1.0, 0.0]];
        assert!(model().estimate(&short, None).is_none());
        let mixed: [&[f32]; 2] = [&[1.0, 0.0, 0.0], &[1.0, 0.0]];
        assert!(model().estimate(&mixed, None).is_none());
    }

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert!((log_sum_exp(&[0.0]) - 0.0).abs() < 1e-12);
    }
}

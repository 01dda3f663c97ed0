//! The audience-reaction model read from sentence embeddings (all-MiniLM-L6-v2 in
//! `opusclip-embed`): how much a window's meaning resembles the stretches of real talks that drew
//! laughter or applause. It takes the place of the word-rate model ([`crate::reaction`]) in the
//! `engagement` part whenever the caller has embedded the transcript's sentences.
//!
//! Two linear readings, each standardised by its spread on the training windows and summed:
//! - *window*: a logistic regression on the mean embedding of the window's sentences, trained on
//!   whether laughter or applause followed the window;
//! - *punchline*: a logistic regression on single sentences, trained on whether the sentence was
//!   the last one before a `(Laughter)`, combined over the window's sentences by log-sum-exp (one
//!   strong punchline is enough; several count a little more).
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

/// The fitted model (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticReactionModel {
    pub window: LinearReading,
    pub punchline: LinearReading,
    /// Platt scaling of the summed standardised readings: `p = σ(slope × score + offset)`.
    pub slope: f64,
    pub offset: f64,
}

/// What the model says about one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SemanticReactionEstimate {
    /// The summed standardised readings (0 is a typical training window).
    pub score: f64,
    /// Probability, 0..1, that a live audience reacted to a window like it.
    pub probability: f64,
    /// Which reading pushed the score more: `true` for the punchline reading.
    pub punchline_led: bool,
}

impl SemanticReactionModel {
    /// The embedding size the model reads.
    pub fn dimensions(&self) -> usize {
        self.window.weights.len()
    }

    /// The two standardised readings of a window given its sentences' embeddings, in order
    /// `(window, punchline)`. `None` without sentences or with embeddings of another size.
    pub fn readings(&self, sentences: &[&[f32]]) -> Option<(f64, f64)> {
        if sentences.is_empty() {
            return None;
        }
        let mean = mean_embedding(sentences)?;
        let window = self.window.standardise(self.window.read(&mean)?);
        let punchlines: Option<Vec<f64>> = sentences.iter().map(|sentence| self.punchline.read(sentence)).collect();
        let punchline = self.punchline.standardise(log_sum_exp(&punchlines?));
        Some((window, punchline))
    }

    /// The estimate for a window given its sentences' embeddings.
    pub fn estimate(&self, sentences: &[&[f32]]) -> Option<SemanticReactionEstimate> {
        let (window, punchline) = self.readings(sentences)?;
        let score = window + punchline;
        let probability = 1.0 / (1.0 + (-(self.slope * score + self.offset)).exp());
        Some(SemanticReactionEstimate { score, probability, punchline_led: punchline > window })
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
            slope: 1.0,
            offset: 0.0,
        }
    }

    #[test]
    fn one_strong_punchline_lifts_the_window() {
        let plain: [&[f32]; 3] = [&[0.0, 0.0, 1.0], &[0.0, 0.0, 1.0], &[0.0, 0.0, 1.0]];
        let joke: [&[f32]; 3] = [&[0.0, 0.0, 1.0], &[0.0, 3.0, 0.0], &[0.0, 0.0, 1.0]];
        let plain = model().estimate(&plain).expect("an estimate");
        let joke = model().estimate(&joke).expect("an estimate");
        assert!(joke.probability > plain.probability + 0.2, "{joke:?} vs {plain:?}");
        assert!(joke.punchline_led);
    }

    #[test]
    fn the_window_reading_uses_the_mean_embedding() {
        let sentences: [&[f32]; 2] = [&[2.0, 0.0, 0.0], &[0.0, 0.0, 0.0]];
        let (window, _) = model().readings(&sentences).expect("readings");
        assert!((window - 1.0).abs() < 1e-9, "mean of 2 and 0 is 1: {window}");
    }

    #[test]
    fn mismatched_or_missing_embeddings_give_no_estimate() {
        assert!(model().estimate(&[]).is_none());
        let short: [&[f32]; 1] = [&[1.0, 0.0]];
        assert!(model().estimate(&short).is_none());
        let mixed: [&[f32]; 2] = [&[1.0, 0.0, 0.0], &[1.0, 0.0]];
        assert!(model().estimate(&mixed).is_none());
    }

    #[test]
    fn log_sum_exp_is_stable() {
        assert!((log_sum_exp(&[1000.0, 1000.0]) - (1000.0 + 2f64.ln())).abs() < 1e-9);
        assert_eq!(log_sum_exp(&[]), f64::NEG_INFINITY);
        assert!((log_sum_exp(&[0.0]) - 0.0).abs() < 1e-12);
    }
}

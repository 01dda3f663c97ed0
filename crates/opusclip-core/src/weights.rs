//! The weights of the clip score's parts: shared by the scorer (`opusclip-select`), the
//! Settings (`SCORE_WEIGHTS` / a profile file) and `opusclip feedback`, which refits them.

use serde::{Deserialize, Serialize};

/// The names of the score's parts, in the order they are reported.
pub const PART_NAMES: [&str; 6] = ["hook", "coherence", "engagement", "pacing", "visual", "length_fit"];

/// How much each part counts in a clip's total (a weighted mean of the parts, 0..100).
/// Weights are non-negative; they need not sum to 1 ([`ScoreWeights::normalized`] makes them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoreWeights {
    /// The first 3 seconds: a question, a number, a bold claim, direct address.
    pub hook: f64,
    /// Self-contained, one topic, a complete arc.
    pub coherence: f64,
    /// Loudness dynamics, speech-rate changes, reaction-like bursts, emotional words.
    pub engagement: f64,
    /// Words per second and dead air.
    pub pacing: f64,
    /// A face present, shot-change rate.
    pub visual: f64,
    /// Fit of the clip's length to the asked range.
    pub length_fit: f64,
}

/// The defaults, chosen on the TED development split only (`opusclip eval highlights --split
/// dev`, and a talk-grouped cross-validation on it): `engagement` is the one part that ranks live
/// audience reactions (1.9× chance for laughter, 2.0× for applause on its own), so it weighs
/// half; `hook` shares second place with `length_fit` because the first seconds decide whether a
/// viewer of a short clip stays at all, which a live audience does not measure. `coherence` and
/// `pacing` rank reactions at or below chance (0.7–1.2×), so they weigh little. On dev the total
/// now ranks laughter at 1.8× chance and applause at 2.2× (P@3); with the earlier
/// 0.20/0.15/0.35/0.10/0.05/0.15 both were 1.7×, and with hook 0.30 and engagement 0.20, 1.2×.
impl Default for ScoreWeights {
    fn default() -> Self {
        ScoreWeights { hook: 0.15, coherence: 0.10, engagement: 0.50, pacing: 0.05, visual: 0.05, length_fit: 0.15 }
    }
}

impl ScoreWeights {
    /// The weight of the part called `name` (one of [`PART_NAMES`]).
    pub fn get(&self, name: &str) -> Option<f64> {
        Some(match name {
            "hook" => self.hook,
            "coherence" => self.coherence,
            "engagement" => self.engagement,
            "pacing" => self.pacing,
            "visual" => self.visual,
            "length_fit" => self.length_fit,
            _ => return None,
        })
    }

    /// Sets the weight of the part called `name`; false when no part has that name.
    pub fn set(&mut self, name: &str, value: f64) -> bool {
        let slot = match name {
            "hook" => &mut self.hook,
            "coherence" => &mut self.coherence,
            "engagement" => &mut self.engagement,
            "pacing" => &mut self.pacing,
            "visual" => &mut self.visual,
            "length_fit" => &mut self.length_fit,
            _ => return false,
        };
        *slot = value;
        true
    }

    /// Every problem with these weights (negative, not finite, or all zero).
    pub fn problems(&self) -> Vec<String> {
        let mut problems: Vec<String> = PART_NAMES
            .iter()
            .filter_map(|name| {
                let value = self.get(name).unwrap_or(0.0);
                (!value.is_finite() || value < 0.0)
                    .then(|| format!("score weight {name} must be a finite number ≥ 0, got {value}"))
            })
            .collect();
        if problems.is_empty() && self.sum() <= 0.0 {
            problems.push("score weights are all zero: at least one part must count".into());
        }
        problems
    }

    /// The same weights scaled to sum to 1 (unchanged when they sum to 0).
    pub fn normalized(&self) -> ScoreWeights {
        let sum = self.sum();
        if sum <= 0.0 {
            return *self;
        }
        let mut scaled = *self;
        for name in PART_NAMES {
            scaled.set(name, self.get(name).unwrap_or(0.0) / sum);
        }
        scaled
    }

    fn sum(&self) -> f64 {
        PART_NAMES.iter().filter_map(|name| self.get(name)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_part_name_has_a_weight() {
        let mut weights = ScoreWeights::default();
        for (index, name) in PART_NAMES.iter().enumerate() {
            assert!(weights.set(name, index as f64 + 1.0));
            assert_eq!(weights.get(name), Some(index as f64 + 1.0));
        }
        assert!(!weights.set("virality", 1.0));
        assert_eq!(weights.get("virality"), None);
    }

    #[test]
    fn normalized_weights_sum_to_one_and_keep_ratios() {
        let weights =
            ScoreWeights { hook: 2.0, coherence: 1.0, engagement: 1.0, pacing: 0.0, visual: 0.0, length_fit: 0.0 };
        let normalized = weights.normalized();
        assert!((normalized.hook - 0.5).abs() < 1e-12);
        assert!((normalized.coherence - 0.25).abs() < 1e-12);
        assert!((PART_NAMES.iter().filter_map(|n| normalized.get(n)).sum::<f64>() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bad_weights_are_named() {
        let weights = ScoreWeights { hook: -1.0, visual: f64::NAN, ..ScoreWeights::default() };
        let problems = weights.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("hook") && problems[1].contains("visual"));
        let zero =
            ScoreWeights { hook: 0.0, coherence: 0.0, engagement: 0.0, pacing: 0.0, visual: 0.0, length_fit: 0.0 };
        assert_eq!(zero.problems().len(), 1);
        assert!(ScoreWeights::default().problems().is_empty());
    }
}

//! Scoring candidate windows: the [`Scorer`] trait selection is written against, and the
//! [`BaselineScorer`], a transparent first score made of `hook`, `density`, `dynamics` and
//! `length_fit` (see the crate docs for what each measures and how they are weighted).

use crate::hook::{hook_from_audio, hook_from_words, HOOK_SECONDS};
use crate::options::SelectOptions;
use crate::parts::{density_from_audio, density_from_words, dynamics, length_fit};
use crate::signals::Signals;
use opusclip_core::{Score, ScorePart, Sentence, Word};
use std::collections::BTreeMap;
use std::ops::Range;

/// Weight of `hook` in the baseline total: the opening decides whether a viewer stays.
pub const HOOK_WEIGHT: f64 = 0.40;
/// Weight of `density` in the baseline total.
pub const DENSITY_WEIGHT: f64 = 0.25;
/// Weight of `dynamics` in the baseline total.
pub const DYNAMICS_WEIGHT: f64 = 0.15;
/// Weight of `length_fit` in the baseline total.
pub const LENGTH_FIT_WEIGHT: f64 = 0.20;

/// A span of the source under consideration as a clip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Start, in source seconds.
    pub start: f64,
    /// End, in source seconds.
    pub end: f64,
    /// Index of the window's first sentence.
    pub first_sentence: usize,
    /// One past the window's last sentence; equal to `first_sentence` for windows chosen
    /// without words.
    pub end_sentence: usize,
}

impl Window {
    /// Length in seconds.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }

    /// Whether this window overlaps `other` (touching ends do not overlap).
    pub fn overlaps(&self, other: &Window) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// Rates a window; selection keeps the best-rated windows that do not overlap.
pub trait Scorer {
    /// An explained score for `window`: `total` and every part's `value` in 0..100.
    /// `sentences` and `words` are the whole transcript's (empty without one).
    fn score(&self, window: &Window, sentences: &[Sentence], words: &[Word], signals: &Signals) -> Score;
}

/// The first scorer: `hook`, `density`, `dynamics` and `length_fit`, combined as a weighted
/// mean with [`HOOK_WEIGHT`], [`DENSITY_WEIGHT`], [`DYNAMICS_WEIGHT`] and
/// [`LENGTH_FIT_WEIGHT`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BaselineScorer {
    /// Shortest clip length asked for; `length_fit` favours the middle of min..max.
    pub min_seconds: f64,
    /// Longest clip length asked for.
    pub max_seconds: f64,
}

impl BaselineScorer {
    /// A scorer for the clip lengths of `options`.
    pub fn new(options: &SelectOptions) -> BaselineScorer {
        BaselineScorer { min_seconds: options.min_seconds, max_seconds: options.max_seconds }
    }
}

impl Default for BaselineScorer {
    fn default() -> Self {
        BaselineScorer::new(&SelectOptions::default())
    }
}

impl Scorer for BaselineScorer {
    fn score(&self, window: &Window, sentences: &[Sentence], words: &[Word], signals: &Signals) -> Score {
        let spoken = window_words(window, sentences, words);
        let (hook, density) = if spoken.is_empty() {
            (hook_from_audio(window, signals), density_from_audio(window, signals))
        } else {
            let (first_sentence, opening) = opening(window, sentences, &spoken);
            (hook_from_words(&first_sentence, &opening), density_from_words(window, &spoken))
        };
        let parts = BTreeMap::from([
            ("hook".to_string(), hook),
            ("density".to_string(), density),
            ("dynamics".to_string(), dynamics(window, signals)),
            ("length_fit".to_string(), length_fit(window, self.min_seconds, self.max_seconds)),
        ]);
        let total = weighted_total(
            &parts,
            &[
                ("hook", HOOK_WEIGHT),
                ("density", DENSITY_WEIGHT),
                ("dynamics", DYNAMICS_WEIGHT),
                ("length_fit", LENGTH_FIT_WEIGHT),
            ],
        );
        Score { total, parts }
    }
}

/// Weighted mean of the named parts' values, clamped to 0..100; parts missing from `parts`
/// are left out of both sums (0 when nothing is weighted).
pub fn weighted_total(parts: &BTreeMap<String, ScorePart>, weights: &[(&str, f64)]) -> f64 {
    let (weighted, weight_sum) = weights
        .iter()
        .filter_map(|(name, weight)| parts.get(*name).map(|part| (part.value, *weight)))
        .fold((0.0, 0.0), |(sum, total_weight), (value, weight)| (sum + value * weight, total_weight + weight));
    if weight_sum > 0.0 {
        (weighted / weight_sum).clamp(0.0, 100.0)
    } else {
        0.0
    }
}

/// The words of the window: those of its sentences, or (for windows without sentences) those
/// whose middle lies inside it.
fn window_words<'w>(window: &Window, sentences: &[Sentence], words: &'w [Word]) -> Vec<&'w Word> {
    match sentence_word_range(window, sentences, words.len()) {
        Some(range) => words[range].iter().collect(),
        None => words
            .iter()
            .filter(|word| {
                let middle = (word.start + word.end) / 2.0;
                middle >= window.start && middle < window.end
            })
            .collect(),
    }
}

/// The word indices covered by the window's sentences, when it has valid ones.
fn sentence_word_range(window: &Window, sentences: &[Sentence], word_count: usize) -> Option<Range<usize>> {
    if window.first_sentence >= window.end_sentence || window.end_sentence > sentences.len() {
        return None;
    }
    let first = sentences[window.first_sentence].first_word.min(word_count);
    let end = sentences[window.end_sentence - 1].end_word.clamp(first, word_count);
    Some(first..end)
}

/// The text of the window's first sentence and the opening words: that sentence's words and
/// any others said in the first [`HOOK_SECONDS`].
fn opening<'w>(window: &Window, sentences: &[Sentence], spoken: &[&'w Word]) -> (String, Vec<&'w Word>) {
    let first_sentence =
        (window.first_sentence < window.end_sentence).then(|| sentences.get(window.first_sentence)).flatten();
    let sentence_words = first_sentence.map_or(0, |s| s.end_word.saturating_sub(s.first_word));
    let opening_end = window.start + HOOK_SECONDS;
    let opening: Vec<&Word> = spoken
        .iter()
        .enumerate()
        .take_while(|(index, word)| *index < sentence_words || word.start < opening_end)
        .map(|(_, word)| *word)
        .collect();
    let text = match first_sentence {
        Some(sentence) => sentence.text.clone(),
        None => opening.iter().map(|word| word.text.trim()).collect::<Vec<_>>().join(" "),
    };
    (text, opening)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences::sentences;

    fn transcript(text: &str, words_per_second: f64) -> Vec<Word> {
        let step = 1.0 / words_per_second;
        text.split_whitespace()
            .enumerate()
            .map(|(i, token)| Word {
                text: token.into(),
                start: i as f64 * step,
                end: i as f64 * step + step * 0.9,
                confidence: 1.0,
                speaker: None,
            })
            .collect()
    }

    fn whole(sentences: &[Sentence]) -> Window {
        Window {
            start: sentences[0].start,
            end: sentences[sentences.len() - 1].end,
            first_sentence: 0,
            end_sentence: sentences.len(),
        }
    }

    #[test]
    fn weights_sum_to_one() {
        let sum = HOOK_WEIGHT + DENSITY_WEIGHT + DYNAMICS_WEIGHT + LENGTH_FIT_WEIGHT;
        assert!((sum - 1.0).abs() < 1e-12);
    }

    #[test]
    fn total_is_the_weighted_mean_of_the_parts() {
        let words =
            transcript("Why do most people never finish what they start? It is because they plan too much.", 2.0);
        let sentences = sentences(&words);
        let signals = Signals::empty(10.0);
        let score = BaselineScorer::default().score(&whole(&sentences), &sentences, &words, &signals);
        assert_eq!(score.parts.len(), 4);
        let expected = score.parts["hook"].value * HOOK_WEIGHT
            + score.parts["density"].value * DENSITY_WEIGHT
            + score.parts["dynamics"].value * DYNAMICS_WEIGHT
            + score.parts["length_fit"].value * LENGTH_FIT_WEIGHT;
        assert!((score.total - expected).abs() < 1e-9);
        assert!(score.parts["hook"].reason.contains("opens with a question"));
        assert!(score.parts["density"].reason.starts_with("2.0 words/s"));
    }

    #[test]
    fn a_question_window_outscores_a_filler_window() {
        let question = transcript("Why do you keep losing money? Here is the answer.", 2.5);
        let filler = transcript("Um so yeah we were kind of there. And then it was fine.", 2.5);
        let scorer = BaselineScorer::default();
        let signals = Signals::empty(10.0);
        let rate = |words: &[Word]| {
            let sentences = sentences(words);
            scorer.score(&whole(&sentences), &sentences, words, &signals).total
        };
        assert!(rate(&question) > rate(&filler));
    }

    #[test]
    fn windows_without_sentences_use_words_in_time_or_audio() {
        let words = transcript("You will never guess this.", 2.0);
        let window = Window { start: 0.0, end: 30.0, first_sentence: 0, end_sentence: 0 };
        let signals = Signals::empty(30.0);
        let with_words = BaselineScorer::default().score(&window, &[], &words, &signals);
        assert!(
            with_words.parts["hook"].reason.ends_with("(\"you\"): \"You will never guess this.\""),
            "{}",
            with_words.parts["hook"].reason
        );
        let without = BaselineScorer::default().score(&window, &[], &[], &signals);
        assert!(without.parts["hook"].reason.contains("no transcript"));
        assert!((0.0..=100.0).contains(&without.total));
    }

    #[test]
    fn weighted_total_skips_missing_parts() {
        let parts = BTreeMap::from([("hook".to_string(), ScorePart { value: 80.0, reason: String::new() })]);
        assert_eq!(weighted_total(&parts, &[("hook", 0.4), ("density", 0.6)]), 80.0);
        assert_eq!(weighted_total(&parts, &[("density", 0.6)]), 0.0);
    }

    #[test]
    fn windows_overlap_only_when_they_share_time() {
        let at = |start, end| Window { start, end, first_sentence: 0, end_sentence: 0 };
        assert!(at(0.0, 10.0).overlaps(&at(9.0, 20.0)));
        assert!(!at(0.0, 10.0).overlaps(&at(10.0, 20.0)));
    }
}

//! Scoring candidate windows: the [`Scorer`] trait selection is written against, and the
//! [`ClipScorer`], the explained score made of `hook`, `coherence`, `engagement`, `pacing`,
//! `visual` and `length_fit` combined with [`ScoreWeights`] (see the crate docs for what each
//! part measures), optionally steered by a prompt.

use crate::coherence::coherence_with_topics;
use crate::engagement::{engagement_with, window_word_rate_log_odds};
use crate::hook::{hook_from_audio, hook_from_words, HOOK_SECONDS};
use crate::options::SelectOptions;
use crate::pacing::pacing;
use crate::parts::{length_fit, WindowView};
use crate::prompt::{Prompt, PROMPT_FLOOR};
use crate::ranges::LengthRange;
use crate::semantic_reaction::SemanticReactionEstimate;
use crate::semantic_reaction_model::shipped_semantic_reaction_model;
use crate::signals::Signals;
use crate::topics::TopicSegmentation;
use crate::visual::visual;
use opusclip_core::{Score, ScorePart, ScoreWeights, Sentence, Word, PART_NAMES};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The name of the part a prompt adds (it is not weighted: it multiplies the total).
pub const PROMPT_PART: &str = "prompt";

/// A span of the source under consideration as a clip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    /// Start, in source seconds.
    pub start: f64,
    /// End, in source seconds.
    pub end: f64,
    /// Index of the window's first sentence.
    pub first_sentence: usize,
    /// One past the window's last sentence; equal to `first_sentence` for windows that hold no
    /// whole sentence (their words are then those whose middle lies inside them).
    pub end_sentence: usize,
    /// A question from further back played before the window's sentences, when the clip joins
    /// it to the answer it opens on ([`crate::setups`]).
    pub setup: Option<Setup>,
}

/// The sentence a multi-segment clip plays first, and the span it plays of it (source seconds,
/// before `Window::start`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setup {
    pub sentence: usize,
    pub start: f64,
    pub end: f64,
}

impl Window {
    /// A window without a setup.
    pub fn new(start: f64, end: f64, first_sentence: usize, end_sentence: usize) -> Window {
        Window { start, end, first_sentence, end_sentence, setup: None }
    }

    /// Length in seconds of `start..end` (the setup, when there is one, is not in it).
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }

    /// Seconds played: the setup's span and the window's.
    pub fn played_duration(&self) -> f64 {
        self.duration() + self.setup.map_or(0.0, |setup| setup.end - setup.start)
    }

    /// Where the clip starts in the source: the setup's start, or the window's.
    pub fn span_start(&self) -> f64 {
        self.setup.map_or(self.start, |setup| setup.start)
    }

    /// Whether this window's span (from its setup on) overlaps `other`'s (touching ends do not
    /// overlap).
    pub fn overlaps(&self, other: &Window) -> bool {
        self.span_start() < other.end && other.span_start() < self.end
    }

    /// The window `[start, end)` over `sentences`, holding the sentences that lie wholly inside
    /// it (none: `first_sentence == end_sentence`). For scoring arbitrary spans, e.g. sliding
    /// windows.
    pub fn over(sentences: &[Sentence], start: f64, end: f64) -> Window {
        let first = sentences.partition_point(|s| s.start < start);
        let mut last = first;
        while last < sentences.len() && sentences[last].end <= end {
            last += 1;
        }
        Window::new(start, end, first, last.max(first))
    }
}

/// Rates a window; selection keeps the best-rated windows that do not overlap.
pub trait Scorer {
    /// An explained score for `window`: `total` and every part's `value` in 0..100.
    /// `sentences` and `words` are the whole transcript's (empty without one).
    fn score(&self, window: &Window, sentences: &[Sentence], words: &[Word], signals: &Signals) -> Score;
}

/// The clip score: six parts (`hook`, `coherence`, `engagement`, `pacing`, `visual`,
/// `length_fit`), each 0..100 with a one-line reason; `total` is their mean weighted by
/// `weights`, times the prompt's multiplier when there is a prompt.
///
/// Text only (the TED evaluation): give `Signals::empty(duration)`; `visual` is then neutral
/// and `engagement`/`pacing` use the words alone.
///
/// ```
/// use opusclip_core::{ScoreWeights, Word};
/// use opusclip_select::{sentences, ClipScorer, LengthRange, Scorer, Signals, Window};
/// let words: Vec<Word> = "Why do you never finish? Because you plan too much."
///     .split(' ')
///     .enumerate()
///     .map(|(i, t)| Word { text: t.into(), start: i as f64 * 0.4, end: i as f64 * 0.4 + 0.35, confidence: 1.0, speaker: None })
///     .collect();
/// let sentences = sentences(&words);
/// let scorer = ClipScorer::new(ScoreWeights::default(), vec![LengthRange::new(2.0, 10.0)]);
/// let window = Window::over(&sentences, 0.0, 4.0);
/// let score = scorer.score(&window, &sentences, &words, &Signals::empty(4.0));
/// assert_eq!(score.parts.len(), 6);
/// assert!(score.parts["hook"].reason.contains("question"));
/// assert_eq!(score.parts["visual"].reason, "no visual signal");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ClipScorer {
    /// How much each part counts.
    pub weights: ScoreWeights,
    /// The lengths asked for; `length_fit` uses the one the window sits best in.
    pub lengths: Vec<LengthRange>,
    /// Keywords that steer the total, when given.
    pub prompt: Option<Prompt>,
    /// The transcript's topic segments (by sentence, as [`crate::sentences`] splits them), when
    /// known: `coherence` then judges "one topic" by them instead of by echoed content words.
    pub topics: Option<TopicSegmentation>,
    /// Every sentence's embedding (in [`crate::sentences`] order), when the caller computed
    /// them: `engagement` then reads audience reactions from meaning
    /// ([`crate::semantic_reaction`]) instead of word rates.
    pub sentence_embeddings: Option<Arc<Vec<Vec<f32>>>>,
}

impl ClipScorer {
    /// A scorer with `weights` for clips of `lengths`, without a prompt.
    pub fn new(weights: ScoreWeights, lengths: Vec<LengthRange>) -> ClipScorer {
        ClipScorer { weights, lengths, prompt: None, topics: None, sentence_embeddings: None }
    }

    /// The scorer for `options`: its weights, lengths and prompt.
    pub fn from_options(options: &SelectOptions) -> ClipScorer {
        ClipScorer {
            weights: options.weights,
            lengths: options.lengths.clone(),
            prompt: options.prompt.as_deref().and_then(Prompt::new),
            topics: None,
            sentence_embeddings: None,
        }
    }

    /// The sentence-embedding reaction model's estimate for the window `view` shows (with the
    /// word-rate model's reading of its words), when the scorer has the sentences' embeddings
    /// and the window whole sentences.
    pub fn semantic_reaction(&self, view: &WindowView) -> Option<SemanticReactionEstimate> {
        let embeddings = self.sentence_embeddings.as_ref()?;
        let window = view.window;
        let sentences = embeddings.get(window.first_sentence..window.end_sentence)?;
        let refs: Vec<&[f32]> = sentences.iter().map(Vec::as_slice).collect();
        shipped_semantic_reaction_model().estimate(&refs, window_word_rate_log_odds(view))
    }

    /// The six parts for `window`, by name.
    pub fn parts(
        &self,
        window: &Window,
        sentences: &[Sentence],
        words: &[Word],
        signals: &Signals,
    ) -> BTreeMap<String, ScorePart> {
        let view = WindowView::new(window, sentences, words, signals);
        let hook = if view.word_range.is_empty() {
            hook_from_audio(window, signals)
        } else {
            let (first_sentence, opening) = opening(&view);
            hook_from_words(&first_sentence, &opening)
        };
        let ranges: Vec<(f64, f64)> = self.lengths.iter().map(|r| (r.min_seconds, r.max_seconds)).collect();
        BTreeMap::from([
            ("hook".to_string(), hook),
            ("coherence".to_string(), coherence_with_topics(&view, self.topics.as_ref())),
            ("engagement".to_string(), engagement_with(&view, self.semantic_reaction(&view))),
            ("pacing".to_string(), pacing(&view)),
            ("visual".to_string(), visual(window, signals)),
            ("length_fit".to_string(), length_fit(window, &ranges)),
        ])
    }

    /// Replace the `visual` part of `score` with one measured from `signals` (say, the close
    /// look's faces and cuts) and recompute the total.
    pub fn rescore_visual(&self, score: &mut Score, window: &Window, signals: &Signals) {
        score.parts.insert("visual".to_string(), visual(window, signals));
        let factor = score.parts.get(PROMPT_PART).map_or(1.0, |part| prompt_factor(part.value));
        score.total = weighted_total(&score.parts, &self.weights) * factor;
    }
}

/// The scorer's former name, kept so callers written against it still build: a [`ClipScorer`].
pub type BaselineScorer = ClipScorer;

impl Default for ClipScorer {
    /// Default weights, one length range of 20–60 s, no prompt.
    fn default() -> Self {
        ClipScorer::from_options(&SelectOptions::default())
    }
}

impl Scorer for ClipScorer {
    fn score(&self, window: &Window, sentences: &[Sentence], words: &[Word], signals: &Signals) -> Score {
        let mut parts = self.parts(window, sentences, words, signals);
        let mut total = weighted_total(&parts, &self.weights);
        if let Some(prompt) = &self.prompt {
            let text = WindowView::new(window, sentences, words, signals).text();
            let (part, factor) = prompt.part_for(&text, window.first_sentence..window.end_sentence);
            total *= factor;
            parts.insert(PROMPT_PART.to_string(), part);
        }
        Score { total: total.clamp(0.0, 100.0), parts }
    }
}

/// The multiplier a prompt part of `value` (0..100) puts on the total.
fn prompt_factor(value: f64) -> f64 {
    PROMPT_FLOOR + (1.0 - PROMPT_FLOOR) * (value / 100.0).clamp(0.0, 1.0)
}

/// Mean of the parts named in [`PART_NAMES`] weighted by `weights`, clamped to 0..100; parts
/// missing from `parts` are left out of both sums (0 when nothing is weighted).
pub fn weighted_total(parts: &BTreeMap<String, ScorePart>, weights: &ScoreWeights) -> f64 {
    let (weighted, weight_sum) = PART_NAMES
        .iter()
        .filter_map(|name| Some((parts.get(*name)?.value, weights.get(name)?)))
        .fold((0.0, 0.0), |(sum, total_weight), (value, weight)| (sum + value * weight, total_weight + weight));
    if weight_sum > 0.0 {
        (weighted / weight_sum).clamp(0.0, 100.0)
    } else {
        0.0
    }
}

/// The text of the window's first sentence and the opening words: that sentence's words and
/// any others said in the first [`HOOK_SECONDS`]; for a clip with a setup, the setup's.
fn opening<'w>(view: &WindowView<'w>) -> (String, Vec<&'w Word>) {
    let window = view.window;
    if let Some(setup) = window.setup.and_then(|setup| view.sentences.get(setup.sentence)) {
        let words = view.words.get(setup.first_word..setup.end_word).unwrap_or(&[]);
        return (setup.text.clone(), words.iter().collect());
    }
    let first_sentence =
        (window.first_sentence < window.end_sentence).then(|| view.sentences.get(window.first_sentence)).flatten();
    let sentence_words = first_sentence.map_or(0, |s| s.end_word.saturating_sub(s.first_word));
    let opening_end = window.start + HOOK_SECONDS;
    let opening: Vec<&Word> = view
        .spoken()
        .iter()
        .enumerate()
        .take_while(|(index, word)| *index < sentence_words || word.start < opening_end)
        .map(|(_, word)| word)
        .collect();
    let text = match first_sentence {
        Some(sentence) => sentence.text.clone(),
        None => opening.iter().map(|word| word.text.trim()).collect::<Vec<_>>().join(" "),
    };
    (text, opening)
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;

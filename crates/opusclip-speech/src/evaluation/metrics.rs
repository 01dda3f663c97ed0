//! The scores: word error rate from the alignment of normalised tokens, and word-timing error
//! (start and end) over the words the alignment matched.

use super::alignment::{align_tokens, AlignedPair, EditKind};
use super::normalize::{normalize_words, NormalizedToken};
use opusclip_core::stats::interpolated_percentile;
use opusclip_core::{Result, Word};
use serde::Serialize;

/// Tolerances for the share of matched words whose start and end are both this close, seconds.
pub const TIMING_TOLERANCES: [f64; 3] = [0.1, 0.25, 0.5];

/// How the hypothesis tokens differ from the reference tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct WordErrorCounts {
    /// Normalised reference tokens (the denominator of the WER).
    pub reference_words: usize,
    /// Normalised hypothesis tokens.
    pub hypothesis_words: usize,
    pub hits: usize,
    pub substitutions: usize,
    pub insertions: usize,
    pub deletions: usize,
}

impl WordErrorCounts {
    /// Substitutions + insertions + deletions.
    pub fn errors(&self) -> usize {
        self.substitutions + self.insertions + self.deletions
    }

    /// `(S + I + D) / N`. With an empty reference: 0 when the hypothesis is empty too, else 1.
    pub fn word_error_rate(&self) -> f64 {
        if self.reference_words == 0 {
            return if self.insertions == 0 { 0.0 } else { 1.0 };
        }
        self.errors() as f64 / self.reference_words as f64
    }

    fn count(pairs: &[AlignedPair], reference_words: usize, hypothesis_words: usize) -> WordErrorCounts {
        let mut counts = WordErrorCounts { reference_words, hypothesis_words, ..WordErrorCounts::default() };
        for pair in pairs {
            match pair.kind {
                EditKind::Hit => counts.hits += 1,
                EditKind::Substitution => counts.substitutions += 1,
                EditKind::Insertion => counts.insertions += 1,
                EditKind::Deletion => counts.deletions += 1,
            }
        }
        counts
    }
}

/// Mean, median, 90th percentile and maximum of absolute errors, in seconds. Percentiles
/// interpolate linearly between ranks (as numpy's default does).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ErrorSummary {
    pub mean: f64,
    pub median: f64,
    pub p90: f64,
    pub max: f64,
}

impl ErrorSummary {
    /// The summary of `errors`; `None` when there are none.
    pub fn of(errors: &[f64]) -> Option<ErrorSummary> {
        if errors.is_empty() {
            return None;
        }
        let mut sorted = errors.to_vec();
        sorted.sort_by(f64::total_cmp);
        Some(ErrorSummary {
            mean: sorted.iter().sum::<f64>() / sorted.len() as f64,
            median: interpolated_percentile(&sorted, 0.5),
            p90: interpolated_percentile(&sorted, 0.9),
            max: sorted[sorted.len() - 1],
        })
    }
}

/// The share of matched words whose start and end errors are both at most `seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WithinTolerance {
    pub seconds: f64,
    pub fraction: f64,
}

/// Word-timing error over the words matched by the alignment (each word pair counted once).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimingError {
    pub matched_words: usize,
    /// |hypothesis start − reference start| over matched words.
    pub start: ErrorSummary,
    /// |hypothesis end − reference end| over matched words.
    pub end: ErrorSummary,
    /// One entry per [`TIMING_TOLERANCES`] value.
    pub within: Vec<WithinTolerance>,
}

/// WER and, when asked, timing error of one hypothesis against one reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AsrScore {
    pub counts: WordErrorCounts,
    pub word_error_rate: f64,
    /// `None` when timing was not compared or no word matched.
    pub timing: Option<TimingError>,
}

/// Scores `hypothesis` against `reference`: both normalised (see
/// [`normalize_text`](super::normalize_text)), aligned word by word, the edits counted; with
/// `compare_timing`, the start and end errors of matched words summarised.
///
/// ```
/// use opusclip_core::Word;
/// let word = |text: &str, start: f64| Word { text: text.into(), start, end: start + 0.5, confidence: 1.0, speaker: None };
/// let reference = [word("Ask", 0.0), word("not", 0.5), word("what", 1.0), word("your", 1.5)];
/// let hypothesis = [word("ask", 0.1), word("what", 1.0), word("you're", 1.5)];
/// let score = opusclip_speech::evaluation::score_words(&reference, &hypothesis, true)?;
/// assert_eq!((score.counts.substitutions, score.counts.deletions), (1, 1));
/// assert_eq!(score.word_error_rate, 0.5);
/// let timing = score.timing.expect("two words matched");
/// assert_eq!((timing.matched_words, timing.start.max), (2, 0.1));
/// # Ok::<(), opusclip_core::Error>(())
/// ```
pub fn score_words(reference: &[Word], hypothesis: &[Word], compare_timing: bool) -> Result<AsrScore> {
    let reference_tokens = normalize_words(reference.iter().map(|word| word.text.as_str()));
    let hypothesis_tokens = normalize_words(hypothesis.iter().map(|word| word.text.as_str()));
    let reference_texts: Vec<&str> = reference_tokens.iter().map(|token| token.text.as_str()).collect();
    let hypothesis_texts: Vec<&str> = hypothesis_tokens.iter().map(|token| token.text.as_str()).collect();
    let pairs = align_tokens(&reference_texts, &hypothesis_texts)?;
    let counts = WordErrorCounts::count(&pairs, reference_tokens.len(), hypothesis_tokens.len());
    let timing = if compare_timing {
        let matched = matched_word_pairs(&pairs, &reference_tokens, &hypothesis_tokens);
        timing_error(&matched, reference, hypothesis)
    } else {
        None
    };
    Ok(AsrScore { counts, word_error_rate: counts.word_error_rate(), timing })
}

/// (reference word, hypothesis word) index pairs of the hits, each pair once, in order.
fn matched_word_pairs(
    pairs: &[AlignedPair],
    reference_tokens: &[NormalizedToken],
    hypothesis_tokens: &[NormalizedToken],
) -> Vec<(usize, usize)> {
    let mut matched: Vec<(usize, usize)> = Vec::new();
    for pair in pairs.iter().filter(|pair| pair.kind == EditKind::Hit) {
        let (Some(reference), Some(hypothesis)) = (pair.reference, pair.hypothesis) else { continue };
        let words = (reference_tokens[reference].word_index, hypothesis_tokens[hypothesis].word_index);
        if matched.last() != Some(&words) {
            matched.push(words);
        }
    }
    matched
}

fn timing_error(matched: &[(usize, usize)], reference: &[Word], hypothesis: &[Word]) -> Option<TimingError> {
    let start_errors: Vec<f64> =
        matched.iter().map(|&(r, h)| (hypothesis[h].start - reference[r].start).abs()).collect();
    let end_errors: Vec<f64> = matched.iter().map(|&(r, h)| (hypothesis[h].end - reference[r].end).abs()).collect();
    let within = TIMING_TOLERANCES
        .iter()
        .map(|&seconds| {
            let close =
                start_errors.iter().zip(&end_errors).filter(|(start, end)| start.max(**end) <= seconds + 1e-9).count();
            WithinTolerance { seconds, fraction: close as f64 / matched.len().max(1) as f64 }
        })
        .collect();
    Some(TimingError {
        matched_words: matched.len(),
        start: ErrorSummary::of(&start_errors)?,
        end: ErrorSummary::of(&end_errors)?,
        within,
    })
}

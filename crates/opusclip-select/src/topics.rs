//! Topic segmentation of a transcript's sentences: lexical TextTiling (Hearst, 1997) over TF-IDF
//! vectors, so a clip can be checked for staying on one topic. Pure and deterministic.
//!
//! # The algorithm
//!
//! 1. Each sentence becomes a bag of content words (lower case, no [`STOPWORDS`], a plural `s`
//!    folded), weighted by TF-IDF with each sentence as a document:
//!    `idf = ln((1 + n) / (1 + df)) + 1`.
//! 2. At every gap between two sentences, the [`TopicOptions::block_sentences`] sentences before
//!    it and after it are summed into two vectors and compared by cosine similarity.
//! 3. The similarities are smoothed ([`TopicOptions::smoothing_rounds`] passes of a 3-wide mean).
//! 4. Each gap's *depth* is how far the similarity falls below the highest point reached by
//!    climbing left and right while it rises: `(left peak − s) + (right peak − s)`.
//! 5. A boundary is a local minimum whose depth is above `mean − σ/2` of all depths (Hearst's
//!    cutoff) and that lies at least [`TopicOptions::min_relative_depth`] below the mean of its
//!    two peaks (so text on one topic, whose similarities wobble at a low level, is not cut at
//!    noise). It is placed at the lowest unsmoothed similarity within one gap of the valley
//!    (smoothing can shift a valley by one), and boundaries closer than
//!    [`TopicOptions::min_segment_sentences`] keep the deeper one.
//!
//! [`STOPWORDS`]: crate::STOPWORDS

use crate::keyphrases::content_word;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

/// How [`topic_segments`] works; the defaults suit spoken sentences.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TopicOptions {
    /// Sentences on each side of a gap compared (Hearst's block size `k`).
    pub block_sentences: usize,
    /// Passes of a 3-wide moving mean over the gap similarities.
    pub smoothing_rounds: usize,
    /// Smallest share by which a boundary's similarity lies below the mean of its two peaks
    /// (`1 − s / mean(peaks)`), so that text on one topic is not cut at noise.
    pub min_relative_depth: f64,
    /// Fewest sentences in a segment.
    pub min_segment_sentences: usize,
}

impl Default for TopicOptions {
    fn default() -> Self {
        TopicOptions { block_sentences: 3, smoothing_rounds: 1, min_relative_depth: 0.5, min_segment_sentences: 2 }
    }
}

/// The topic segments of a run of sentences, with the evidence behind them.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicSegmentation {
    /// The segment id of each sentence: 0 for the first segment, rising by one at each boundary.
    pub segment_of_sentence: Vec<usize>,
    /// Indices of the sentences that start a new segment (never 0), ascending.
    pub boundaries: Vec<usize>,
    /// Smoothed block similarity at each gap; entry `i` is the gap before sentence `i + 1`.
    pub gap_similarity: Vec<f64>,
    /// Depth score at each gap (same indexing as `gap_similarity`).
    pub depth: Vec<f64>,
}

impl TopicSegmentation {
    /// How many distinct topic segments the sentences in `range` touch (0 for an empty range).
    pub fn segments_in(&self, range: Range<usize>) -> usize {
        let end = range.end.min(self.segment_of_sentence.len());
        let start = range.start.min(end);
        self.segment_of_sentence[start..end].iter().collect::<BTreeSet<_>>().len()
    }

    /// Whether the sentences in `range` all belong to one topic segment.
    pub fn is_one_topic(&self, range: Range<usize>) -> bool {
        self.segments_in(range) <= 1
    }
}

/// Topic segments of `sentences` (texts in order) with the default [`TopicOptions`].
///
/// ```
/// let sentences = [
///     "Bake the bread dough.", "Knead the dough and bake it.", "Fresh bread needs flour and dough.",
///     "The telescope saw a galaxy.", "Galaxy light reaches the telescope.", "Stars fill every galaxy.",
/// ];
/// let topics = opusclip_select::topic_segments(&sentences);
/// assert_eq!(topics.segment_of_sentence, [0, 0, 0, 1, 1, 1]);
/// assert!(topics.is_one_topic(0..3) && !topics.is_one_topic(2..4));
/// ```
pub fn topic_segments<S: AsRef<str>>(sentences: &[S]) -> TopicSegmentation {
    topic_segments_with(sentences, &TopicOptions::default())
}

/// Topic segments of `sentences` with explicit options.
pub fn topic_segments_with<S: AsRef<str>>(sentences: &[S], options: &TopicOptions) -> TopicSegmentation {
    let vectors = tfidf_vectors(sentences);
    let raw_similarity = gap_similarities(&vectors, options.block_sentences.max(1));
    segment_by_similarity(raw_similarity, sentences.len(), options)
}

/// Steps 3–5 of the algorithm (smoothing, depth scores, boundaries) on the unsmoothed block
/// similarity at each of the `sentence_count − 1` gaps, however it was measured.
pub(crate) fn segment_by_similarity(
    raw_similarity: Vec<f64>,
    sentence_count: usize,
    options: &TopicOptions,
) -> TopicSegmentation {
    let gap_similarity = smooth(&raw_similarity, options.smoothing_rounds);
    let (depth, relative_depth) = depth_scores(&gap_similarity);
    let valleys =
        Valleys { smoothed: &gap_similarity, raw: &raw_similarity, depth: &depth, relative_depth: &relative_depth };
    let boundaries = choose_boundaries(&valleys, options);
    let mut segment_of_sentence = Vec::with_capacity(sentence_count);
    let mut segment = 0;
    for sentence in 0..sentence_count {
        if boundaries.contains(&sentence) {
            segment += 1;
        }
        segment_of_sentence.push(segment);
    }
    TopicSegmentation { segment_of_sentence, boundaries, gap_similarity, depth }
}

type SparseVector = BTreeMap<String, f64>;

/// A term of a token: its content word with a plural `s` folded (`galaxies` stays, `stars` →
/// `star`), so singular and plural count as one term.
fn term(token: &str) -> Option<String> {
    let word = content_word(token)?;
    let folds = word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") && !word.ends_with("us");
    Some(if folds { word[..word.len() - 1].to_string() } else { word })
}

/// TF-IDF vector of every sentence, each sentence a document.
fn tfidf_vectors<S: AsRef<str>>(sentences: &[S]) -> Vec<SparseVector> {
    let counts: Vec<BTreeMap<String, f64>> = sentences
        .iter()
        .map(|sentence| {
            let mut counts = BTreeMap::new();
            for term in sentence.as_ref().split_whitespace().filter_map(term) {
                *counts.entry(term).or_insert(0.0) += 1.0;
            }
            counts
        })
        .collect();
    let mut document_frequency: BTreeMap<&str, f64> = BTreeMap::new();
    for terms in &counts {
        for term in terms.keys() {
            *document_frequency.entry(term.as_str()).or_insert(0.0) += 1.0;
        }
    }
    let documents = sentences.len() as f64;
    counts
        .iter()
        .map(|terms| {
            terms
                .iter()
                .map(|(term, count)| {
                    let idf = ((1.0 + documents) / (1.0 + document_frequency[term.as_str()])).ln() + 1.0;
                    (term.clone(), count * idf)
                })
                .collect()
        })
        .collect()
}

/// Cosine similarity of the blocks of `block` sentences on each side of every gap.
fn gap_similarities(vectors: &[SparseVector], block: usize) -> Vec<f64> {
    (1..vectors.len())
        .map(|gap| {
            let left = sum_vectors(&vectors[gap.saturating_sub(block)..gap]);
            let right = sum_vectors(&vectors[gap..(gap + block).min(vectors.len())]);
            cosine(&left, &right)
        })
        .collect()
}

fn sum_vectors(vectors: &[SparseVector]) -> SparseVector {
    let mut sum = SparseVector::new();
    for vector in vectors {
        for (term, weight) in vector {
            *sum.entry(term.clone()).or_insert(0.0) += weight;
        }
    }
    sum
}

fn cosine(a: &SparseVector, b: &SparseVector) -> f64 {
    let dot: f64 = a.iter().filter_map(|(term, weight)| b.get(term).map(|other| weight * other)).sum();
    let norm = |v: &SparseVector| v.values().map(|w| w * w).sum::<f64>().sqrt();
    let denominator = norm(a) * norm(b);
    if denominator > 0.0 {
        dot / denominator
    } else {
        0.0
    }
}

/// `rounds` passes of a 3-wide moving mean (ends average what exists).
fn smooth(values: &[f64], rounds: usize) -> Vec<f64> {
    let mut current = values.to_vec();
    for _ in 0..rounds {
        current = (0..current.len())
            .map(|i| {
                let neighbourhood = &current[i.saturating_sub(1)..(i + 2).min(current.len())];
                neighbourhood.iter().sum::<f64>() / neighbourhood.len() as f64
            })
            .collect();
    }
    current
}

/// Hearst's depth of each gap — how far it lies below the peaks reached climbing left and
/// right — and the same relative to the peaks' mean (0 when the peaks are 0).
fn depth_scores(similarity: &[f64]) -> (Vec<f64>, Vec<f64>) {
    (0..similarity.len())
        .map(|gap| {
            let here = similarity[gap];
            let mut left_peak = here;
            for &value in similarity[..gap].iter().rev() {
                if value < left_peak {
                    break;
                }
                left_peak = value;
            }
            let mut right_peak = here;
            for &value in &similarity[gap + 1..] {
                if value < right_peak {
                    break;
                }
                right_peak = value;
            }
            let peaks_mean = (left_peak + right_peak) / 2.0;
            let relative = if peaks_mean > 0.0 { 1.0 - here / peaks_mean } else { 0.0 };
            ((left_peak - here) + (right_peak - here), relative)
        })
        .unzip()
}

/// The per-gap evidence boundaries are chosen from.
struct Valleys<'a> {
    smoothed: &'a [f64],
    raw: &'a [f64],
    depth: &'a [f64],
    relative_depth: &'a [f64],
}

/// Sentence indices that start a new segment: deep local minima, spaced apart.
fn choose_boundaries(valleys: &Valleys, options: &TopicOptions) -> Vec<usize> {
    let Valleys { smoothed: similarity, raw, depth, relative_depth } = *valleys;
    if depth.is_empty() {
        return Vec::new();
    }
    let mean = depth.iter().sum::<f64>() / depth.len() as f64;
    let deviation = (depth.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / depth.len() as f64).sqrt();
    let cutoff = mean - deviation / 2.0;
    let is_valley = |gap: usize| {
        let left = gap.checked_sub(1).map_or(f64::INFINITY, |i| similarity[i]);
        let right = similarity.get(gap + 1).copied().unwrap_or(f64::INFINITY);
        similarity[gap] <= left && similarity[gap] <= right
    };
    let mut candidates: Vec<usize> = (0..depth.len())
        .filter(|&gap| is_valley(gap) && depth[gap] > cutoff && relative_depth[gap] >= options.min_relative_depth)
        .collect();
    candidates.sort_by(|&a, &b| depth[b].total_cmp(&depth[a]).then(a.cmp(&b)));
    let sentence_count = similarity.len() + 1;
    let spacing = options.min_segment_sentences.max(1);
    let mut chosen: Vec<usize> = Vec::new();
    for gap in candidates {
        let lowest_nearby = [gap, gap.saturating_sub(1), (gap + 1).min(raw.len() - 1)]
            .into_iter()
            .fold(gap, |best, candidate| if raw[candidate] < raw[best] { candidate } else { best });
        let starts = lowest_nearby + 1;
        let clear_of_ends = starts >= spacing && sentence_count - starts >= spacing;
        let clear_of_others = chosen.iter().all(|&other| other.abs_diff(starts) >= spacing);
        if clear_of_ends && clear_of_others {
            chosen.push(starts);
        }
    }
    chosen.sort_unstable();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    const COOKING: [&str; 8] = [
        "Preheat the oven before you bake the bread.",
        "Knead the dough until the flour disappears.",
        "Good bread needs flour, water, salt and yeast.",
        "Let the dough rise in a warm kitchen.",
        "Shape the loaves and score the dough with a knife.",
        "Bake the loaves until the crust turns brown.",
        "The kitchen smells of yeast and warm bread.",
        "Cool the bread on a rack before slicing the loaves.",
    ];
    const ASTRONOMY: [&str; 8] = [
        "The telescope points at a distant galaxy.",
        "Light from the galaxy travels for millions of years.",
        "Astronomers measure the redshift of every galaxy.",
        "The telescope mirror collects faint starlight.",
        "Stars in the galaxy orbit a black hole.",
        "The black hole bends the starlight around it.",
        "Astronomers time the orbit of each star.",
        "A bigger telescope mirror sees fainter stars.",
    ];

    fn planted(first: usize) -> Vec<&'static str> {
        COOKING[..first].iter().chain(ASTRONOMY.iter()).copied().collect()
    }

    #[test]
    fn a_planted_topic_change_is_found_within_one_sentence() {
        for first in [4, 6, 8] {
            let sentences = planted(first);
            let topics = topic_segments(&sentences);
            assert_eq!(topics.boundaries.len(), 1, "cooking for {first}: {topics:?}");
            assert!(topics.boundaries[0].abs_diff(first) <= 1, "cooking for {first}: {topics:?}");
            assert_eq!(topics.segment_of_sentence.len(), sentences.len());
            assert_eq!(topics.segment_of_sentence[0], 0);
            assert_eq!(*topics.segment_of_sentence.last().unwrap(), 1);
        }
    }

    #[test]
    fn two_changes_make_three_segments() {
        let sentences: Vec<&str> = COOKING.iter().chain(ASTRONOMY.iter()).chain(COOKING.iter()).copied().collect();
        let topics = topic_segments(&sentences);
        assert_eq!(topics.boundaries.len(), 2, "{topics:?}");
        assert!(topics.boundaries[0].abs_diff(8) <= 1 && topics.boundaries[1].abs_diff(16) <= 1, "{topics:?}");
        assert!(topics.is_one_topic(9..15));
        assert_eq!(topics.segments_in(0..24), 3);
    }

    #[test]
    fn one_topic_stays_one_segment() {
        let topics = topic_segments(&COOKING);
        assert!(topics.boundaries.is_empty(), "{topics:?}");
        assert!(topics.is_one_topic(0..COOKING.len()));
    }

    #[test]
    fn short_and_empty_inputs_are_one_segment() {
        let empty: [&str; 0] = [];
        assert!(topic_segments(&empty).segment_of_sentence.is_empty());
        assert_eq!(topic_segments(&["Only one sentence."]).segment_of_sentence, [0]);
        assert_eq!(topic_segments(&["Bread.", "Galaxy."]).segment_of_sentence, [0, 0]);
        assert_eq!(topic_segments(&["", "", ""]).boundaries, Vec::<usize>::new());
    }

    #[test]
    fn depth_measures_the_valley_between_peaks() {
        let (depth, relative) = depth_scores(&[0.8, 0.2, 0.6, 0.6, 0.1, 0.9]);
        assert!((depth[1] - (0.6 + 0.4)).abs() < 1e-12, "{depth:?}");
        assert!((depth[4] - (0.5 + 0.8)).abs() < 1e-12, "{depth:?}");
        assert!((relative[4] - (1.0 - 0.1 / 0.75)).abs() < 1e-12, "{relative:?}");
        assert_eq!((depth[0], relative[0]), (0.0, 0.0));
    }
}

//! What sentence embeddings (computed elsewhere, e.g. all-MiniLM-L6-v2 in `opusclip-embed`)
//! are used for in selection: TextTiling over embeddings ([`embedding_topic_segments`]) and
//! `--prompt` similarity by meaning ([`PromptMeaning`]). Pure: vectors in, numbers out.
//!
//! # Embedding TextTiling
//!
//! The same algorithm as the lexical [`topic_segments`](crate::topic_segments) (block
//! comparison, smoothing, Hearst's depth scores and cutoff, the relative-depth floor, spacing),
//! with the block similarity at each gap measured as the cosine between the mean embedding of
//! the [`TopicOptions::block_sentences`] sentences before it and of those after it.
//! [`EMBEDDING_TOPIC_OPTIONS`] are its defaults: dense embeddings of sentences on different
//! topics still share a common direction, so their block cosines rarely fall near 0 as TF-IDF
//! ones do, and a valley only needs to lie [`EMBEDDING_MIN_RELATIVE_DEPTH`] below its peaks.
//!
//! Measured (`cargo run -p opusclip-embed --example topic_eval`): on 60 documents of 4–8 runs of
//! 4–12 consecutive sentences from different TED talks (296 true boundaries; the floor 0.25 was
//! chosen on other talks, where 0.2–0.3 tied), all-MiniLM-L6-v2 embeddings give Pk 0.188 and
//! WindowDiff 0.193 with 1.00 boundaries found per true one; TF-IDF TextTiling with its defaults
//! gives Pk 0.342, WindowDiff 0.415 and 1.59 boundaries per true one.
//!
//! # Prompt similarity by meaning
//!
//! With the prompt's embedding and every sentence's, a window's similarity is
//! `0.5 × best + 0.5 × mean` of the cosines of its sentences with the prompt (one sentence on
//! the topic counts, a clip about it counts more), mapped linearly from
//! [`PROMPT_COSINE_NONE`] (no match, 0) to [`PROMPT_COSINE_FULL`] (full match, 1).

use crate::topics::{segment_by_similarity, TopicOptions, TopicSegmentation};
use std::ops::Range;

/// The relative depth a valley of embedding block similarity needs (see the module docs).
pub const EMBEDDING_MIN_RELATIVE_DEPTH: f64 = 0.25;

/// Defaults of [`embedding_topic_segments`]: blocks of 3 sentences, one smoothing pass, a
/// relative depth of [`EMBEDDING_MIN_RELATIVE_DEPTH`], segments of at least 2 sentences.
pub const EMBEDDING_TOPIC_OPTIONS: TopicOptions = TopicOptions {
    block_sentences: 3,
    smoothing_rounds: 1,
    min_relative_depth: EMBEDDING_MIN_RELATIVE_DEPTH,
    min_segment_sentences: 2,
};

/// A prompt–window blended cosine at or below this is no match at all. Measured by `opusclip
/// eval highlights --prompt-cutoffs` ([`crate::evaluation_prompt`]) with all-MiniLM-L6-v2 on
/// the 255 TED talks of `../shared/highlights` that have sentences (split `all`), each talk's
/// headline as the prompt against the 60 s
/// windows of five other talks: 0.13 at the median, 0.21 at the 90th percentile, 0.24 at the
/// 95th. At 0.20, 87 % of windows about something else get no lift (at the earlier 0.15, about
/// a third got some).
pub const PROMPT_COSINE_NONE: f64 = 0.2;
/// A prompt–window blended cosine at or above this is a full match. On the same talks, the
/// window that best matches its own talk's headline reaches 0.49 at the median (0.37 at the
/// 10th percentile, 0.62 at the 90th), so 45 % of the talks have a fully matching window.
pub const PROMPT_COSINE_FULL: f64 = 0.5;

/// Topic segments of sentences given by their embeddings (in order), with
/// [`EMBEDDING_TOPIC_OPTIONS`].
///
/// ```
/// let bread = vec![1.0f32, 0.1, 0.0];
/// let stars = vec![0.0f32, 0.1, 1.0];
/// let embeddings = vec![bread.clone(), bread.clone(), bread.clone(), bread, stars.clone(), stars.clone(), stars];
/// let topics = opusclip_select::embedding_topic_segments(&embeddings);
/// assert_eq!(topics.segment_of_sentence, [0, 0, 0, 0, 1, 1, 1]);
/// ```
pub fn embedding_topic_segments(embeddings: &[Vec<f32>]) -> TopicSegmentation {
    embedding_topic_segments_with(embeddings, &EMBEDDING_TOPIC_OPTIONS)
}

/// Topic segments of sentences given by their embeddings, with explicit options.
pub fn embedding_topic_segments_with(embeddings: &[Vec<f32>], options: &TopicOptions) -> TopicSegmentation {
    let block = options.block_sentences.max(1);
    let raw_similarity = (1..embeddings.len())
        .map(|gap| {
            let left = mean_vector(&embeddings[gap.saturating_sub(block)..gap]);
            let right = mean_vector(&embeddings[gap..(gap + block).min(embeddings.len())]);
            cosine(&left, &right)
        })
        .collect();
    segment_by_similarity(raw_similarity, embeddings.len(), options)
}

/// How close in meaning each sentence is to the prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptMeaning {
    /// Cosine of the prompt's embedding with each sentence's, in sentence order.
    pub sentence_cosine: Vec<f64>,
}

/// A window's similarity to the prompt by meaning.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeaningMatch {
    /// The match, 0..1 (see the module docs).
    pub similarity: f64,
    /// The best cosine of one of the window's sentences.
    pub best: f64,
    /// The mean cosine of the window's sentences.
    pub mean: f64,
}

impl PromptMeaning {
    /// From the prompt's embedding and every sentence's (in the order of
    /// [`sentences`](crate::sentences)).
    pub fn new(prompt: &[f32], sentences: &[Vec<f32>]) -> PromptMeaning {
        PromptMeaning { sentence_cosine: sentences.iter().map(|sentence| cosine(prompt, sentence)).collect() }
    }

    /// The match of the window holding sentences `range`; `None` when it holds none.
    pub fn window(&self, range: Range<usize>) -> Option<MeaningMatch> {
        let end = range.end.min(self.sentence_cosine.len());
        let cosines = self.sentence_cosine.get(range.start.min(end)..end).filter(|c| !c.is_empty())?;
        let best = cosines.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mean = cosines.iter().sum::<f64>() / cosines.len() as f64;
        let blended = blended_cosine(best, mean);
        let similarity = ((blended - PROMPT_COSINE_NONE) / (PROMPT_COSINE_FULL - PROMPT_COSINE_NONE)).clamp(0.0, 1.0);
        Some(MeaningMatch { similarity, best, mean })
    }
}

/// What the cut-offs apply to: `0.5 × best + 0.5 × mean` of a window's sentence cosines.
pub fn blended_cosine(best: f64, mean: f64) -> f64 {
    0.5 * best + 0.5 * mean
}

/// The element-wise mean of vectors (empty for none).
fn mean_vector(vectors: &[Vec<f32>]) -> Vec<f64> {
    let Some(length) = vectors.iter().map(Vec::len).max() else {
        return Vec::new();
    };
    let mut sum = vec![0.0f64; length];
    for vector in vectors {
        for (total, value) in sum.iter_mut().zip(vector) {
            *total += f64::from(*value);
        }
    }
    sum.iter().map(|total| total / vectors.len() as f64).collect()
}

/// Cosine similarity (0 when either vector is all zeros or empty).
fn cosine<A: Copy + Into<f64>, B: Copy + Into<f64>>(a: &[A], b: &[B]) -> f64 {
    let (mut dot, mut norm_a, mut norm_b) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        let (x, y): (f64, f64) = ((*x).into(), (*y).into());
        dot += x * y;
        norm_a += x * x;
        norm_b += y * y;
    }
    let denominator = (norm_a * norm_b).sqrt();
    if denominator > 0.0 {
        dot / denominator
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit vector near axis `topic` of 8 dimensions, with a little deterministic noise.
    fn near(topic: usize, seed: usize) -> Vec<f32> {
        let mut vector: Vec<f32> = (0..8).map(|i| ((seed * 31 + i * 17) % 13) as f32 / 13.0 * 0.35 + 0.05).collect();
        vector[topic] += 1.5;
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        vector.iter().map(|x| x / norm).collect()
    }

    fn planted(lengths: &[(usize, usize)]) -> Vec<Vec<f32>> {
        let mut seed = 0;
        let mut out = Vec::new();
        for &(topic, count) in lengths {
            for _ in 0..count {
                seed += 1;
                out.push(near(topic, seed));
            }
        }
        out
    }

    #[test]
    fn planted_topic_changes_are_found() {
        let topics = embedding_topic_segments(&planted(&[(0, 7), (3, 6), (5, 8)]));
        assert_eq!(topics.boundaries, [7, 13], "{topics:?}");
        assert_eq!(topics.segments_in(0..21), 3);
        assert!(topics.is_one_topic(7..13) && !topics.is_one_topic(5..9));
    }

    #[test]
    fn one_topic_with_noise_stays_one_segment() {
        let topics = embedding_topic_segments(&planted(&[(2, 14)]));
        assert!(topics.boundaries.is_empty(), "{topics:?}");
    }

    #[test]
    fn depth_is_the_valley_below_its_peaks() {
        let topics = embedding_topic_segments(&planted(&[(0, 6), (4, 6)]));
        let deepest = (0..topics.depth.len()).max_by(|&a, &b| topics.depth[a].total_cmp(&topics.depth[b]));
        assert_eq!(deepest, Some(5), "the gap before sentence 6: {topics:?}");
        assert!(topics.depth[5] > 0.5, "{topics:?}");
    }

    #[test]
    fn short_and_empty_inputs_are_one_segment() {
        assert!(embedding_topic_segments(&[]).segment_of_sentence.is_empty());
        assert_eq!(embedding_topic_segments(&[near(0, 1)]).segment_of_sentence, [0]);
        assert_eq!(embedding_topic_segments(&[near(0, 1), near(5, 2)]).segment_of_sentence, [0, 0]);
        let zeros = vec![vec![0.0f32; 4]; 5];
        assert!(embedding_topic_segments(&zeros).boundaries.is_empty());
    }

    #[test]
    fn prompt_meaning_blends_the_best_and_the_mean_sentence() {
        let prompt = vec![1.0f32, 0.0, 0.0];
        let sentences = vec![vec![1.0f32, 0.0, 0.0], vec![0.0, 1.0, 0.0], vec![0.4, 0.0, 0.8], vec![-1.0, 0.0, 0.0]];
        let meaning = PromptMeaning::new(&prompt, &sentences);
        assert_eq!(meaning.sentence_cosine.len(), 4);
        let on_topic = meaning.window(0..1).expect("one sentence");
        assert_eq!((on_topic.similarity, on_topic.best, on_topic.mean), (1.0, 1.0, 1.0));
        let cosine_of_third = 0.4 / 0.8f64.hypot(0.4);
        let mixed = meaning.window(1..3).expect("two sentences");
        let blended = 0.5 * cosine_of_third + 0.5 * (cosine_of_third / 2.0);
        let expected = (blended - PROMPT_COSINE_NONE) / (PROMPT_COSINE_FULL - PROMPT_COSINE_NONE);
        assert!((mixed.similarity - expected).abs() < 1e-6, "{mixed:?}");
        assert!(mixed.similarity > 0.2 && mixed.similarity < 0.8, "{mixed:?}");
        assert!((mixed.mean - cosine_of_third / 2.0).abs() < 1e-6);
        assert_eq!(meaning.window(1..2).map(|m| m.similarity), Some(0.0));
        assert_eq!(meaning.window(3..4).map(|m| m.similarity), Some(0.0), "opposite clamps at 0");
        assert_eq!(meaning.window(2..2), None);
        assert_eq!(meaning.window(9..12), None);
    }

    #[test]
    fn cosine_handles_zero_and_mismatched_lengths() {
        assert_eq!(cosine(&[0.0f32, 0.0], &[1.0f32, 0.0]), 0.0);
        assert!((cosine(&[1.0f64, 1.0], &[1.0f32, 0.0]) - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-12);
        assert_eq!(mean_vector(&[]), Vec::<f64>::new());
    }
}

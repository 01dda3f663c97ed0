//! Choosing clips from a transcript: windows of whole sentences, scored, then taken greedily by
//! score without overlap. Also the scoring and greedy choice shared with the path without words.

use crate::options::SelectOptions;
use crate::score::{Scorer, Window};
use crate::sentences::sentences;
use crate::signals::Signals;
use opusclip_core::{Candidate, Result, Score, Sentence, Word};

/// Decimals a total keeps for ranking.
const TOTAL_DECIMALS: i32 = 6;

/// A window with its score.
#[derive(Debug, Clone)]
pub(crate) struct ScoredWindow {
    pub window: Window,
    pub score: Score,
}

/// Choose up to `options.clips` non-overlapping clips from a transcript, best first.
///
/// Every run of consecutive sentences whose span is within `[min_seconds, max_seconds]` is a
/// candidate; all are scored with `scorer` and taken greedily by total score (ties: earlier
/// start), skipping overlaps. Fewer clips than asked are returned when fewer fit; none when the
/// transcript is empty. Errors only for invalid `options`.
pub fn select_clips(
    words: &[Word],
    signals: &Signals,
    options: &SelectOptions,
    scorer: &dyn Scorer,
) -> Result<Vec<Candidate>> {
    options.validate()?;
    let sentences = sentences(words);
    let windows = sentence_windows(&sentences, options);
    let scored = score_windows(windows, &sentences, words, signals, scorer);
    let chosen = choose_diverse(scored, options.clips, &sentences);
    Ok(chosen
        .into_iter()
        .map(|scored| {
            let text = window_text(&scored.window, &sentences);
            to_candidate(scored, text)
        })
        .collect())
}

/// Every run of consecutive sentences whose span fits the options' bounds.
fn sentence_windows(sentences: &[Sentence], options: &SelectOptions) -> Vec<Window> {
    let mut windows = Vec::new();
    for first in 0..sentences.len() {
        let start = sentences[first].start;
        for end_sentence in first + 1..=sentences.len() {
            let end = sentences[end_sentence - 1].end;
            if end - start > options.max_seconds {
                break;
            }
            if options.fits(end - start) {
                windows.push(Window { start, end, first_sentence: first, end_sentence });
            }
        }
    }
    windows
}

/// Score every window. Totals are rounded to [`TOTAL_DECIMALS`] decimals so floating-point noise
/// never decides a tie (ties go to the earlier window); a total outside 0..100 is clamped and
/// one that is not a number counts as 0, so the ranking stays total.
pub(crate) fn score_windows(
    windows: Vec<Window>,
    sentences: &[Sentence],
    words: &[Word],
    signals: &Signals,
    scorer: &dyn Scorer,
) -> Vec<ScoredWindow> {
    windows
        .into_iter()
        .map(|window| {
            let mut score = scorer.score(&window, sentences, words, signals);
            score.total = rank_total(score.total);
            ScoredWindow { window, score }
        })
        .collect()
}

/// A total as ranked: clamped to 0..100, rounded, NaN made 0.
fn rank_total(total: f64) -> f64 {
    if total.is_nan() {
        return 0.0;
    }
    let scale = 10f64.powi(TOTAL_DECIMALS);
    (total.clamp(0.0, 100.0) * scale).round() / scale
}

/// Rank by total (descending; ties: earlier start, then earlier end) and take windows that do
/// not overlap any taken before, until `clips` are taken.
pub(crate) fn choose_greedily(mut scored: Vec<ScoredWindow>, clips: usize) -> Vec<ScoredWindow> {
    sort_by_rank(&mut scored);
    let mut chosen: Vec<ScoredWindow> = Vec::with_capacity(clips);
    for candidate in scored {
        if chosen.len() >= clips {
            break;
        }
        if chosen.iter().all(|taken| !taken.window.overlaps(&candidate.window)) {
            chosen.push(candidate);
        }
    }
    chosen
}

/// Weight of the diversity penalty: a window saying the same as one already chosen loses up to
/// this share of 100 points when ranking (maximal marginal relevance; never a filter).
pub const DIVERSITY_WEIGHT: f64 = 0.3;
/// Only the best windows by score compete in the diversity-aware choice.
const DIVERSE_POOL: usize = 4000;

/// Like [`choose_greedily`], but each next clip is the best by `total − DIVERSITY_WEIGHT × 100 ×
/// similarity` to the clips already taken (Jaccard similarity of content words), so N clips
/// cover N different moments when the talk repeats itself. Returned best total first.
pub(crate) fn choose_diverse(mut scored: Vec<ScoredWindow>, clips: usize, sentences: &[Sentence]) -> Vec<ScoredWindow> {
    sort_by_rank(&mut scored);
    let pool = scored.len().min(DIVERSE_POOL.max(clips));
    let vocab: Vec<std::collections::BTreeSet<String>> =
        scored[..pool].iter().map(|s| content_words(&window_text(&s.window, sentences))).collect();
    let mut taken: Vec<usize> = Vec::with_capacity(clips);
    while taken.len() < clips {
        let mut best: Option<(f64, usize)> = None;
        for (index, candidate) in scored[..pool].iter().enumerate() {
            if taken.iter().any(|&t| t == index || scored[t].window.overlaps(&candidate.window)) {
                continue;
            }
            let similarity = taken.iter().map(|&t| jaccard(&vocab[index], &vocab[t])).fold(0.0, f64::max);
            let value = candidate.score.total - DIVERSITY_WEIGHT * 100.0 * similarity;
            if best.is_none_or(|(best_value, _)| value > best_value + 1e-9) {
                best = Some((value, index));
            }
        }
        match best {
            Some((_, index)) => taken.push(index),
            None => break,
        }
    }
    // Past the pool, plain greedy: N clips come back whenever N non-overlapping ones fit.
    for index in pool..scored.len() {
        if taken.len() >= clips {
            break;
        }
        if taken.iter().all(|&t| !scored[t].window.overlaps(&scored[index].window)) {
            taken.push(index);
        }
    }
    let mut chosen: Vec<ScoredWindow> = taken.into_iter().map(|index| scored[index].clone()).collect();
    sort_by_rank(&mut chosen);
    chosen
}

fn content_words(text: &str) -> std::collections::BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| w.len() > 2 && !crate::STOPWORDS.contains(&w.as_str()))
        .collect()
}

fn jaccard(a: &std::collections::BTreeSet<String>, b: &std::collections::BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

fn sort_by_rank(scored: &mut [ScoredWindow]) {
    scored.sort_by(|a, b| {
        b.score
            .total
            .total_cmp(&a.score.total)
            .then(a.window.start.total_cmp(&b.window.start))
            .then(a.window.end.total_cmp(&b.window.end))
    });
}

/// The candidate for a chosen window.
pub(crate) fn to_candidate(scored: ScoredWindow, text: String) -> Candidate {
    Candidate {
        start: scored.window.start,
        end: scored.window.end,
        first_sentence: scored.window.first_sentence,
        end_sentence: scored.window.end_sentence,
        score: scored.score,
        text,
    }
}

/// The texts of the window's sentences joined with spaces.
fn window_text(window: &Window, sentences: &[Sentence]) -> String {
    sentences[window.first_sentence..window.end_sentence]
        .iter()
        .map(|sentence| sentence.text.as_str())
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::BaselineScorer;

    #[test]
    fn a_repeated_passage_is_not_chosen_twice_when_something_else_fits() {
        // The same strong passage twice, then a different, weaker one.
        let texts = [
            "Why do clips matter?",
            "Because people share them.",
            "filler one two.",
            "Why do clips matter?",
            "Because people share them.",
            "filler three four.",
            "Cooking pasta needs salt.",
            "Boil the water first.",
        ];
        let sentences: Vec<Sentence> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Sentence {
                first_word: i,
                end_word: i + 1,
                start: i as f64 * 10.0,
                end: i as f64 * 10.0 + 9.0,
                text: t.to_string(),
            })
            .collect();
        let window = |first: usize, total: f64| ScoredWindow {
            window: Window {
                start: first as f64 * 10.0,
                end: first as f64 * 10.0 + 19.0,
                first_sentence: first,
                end_sentence: first + 2,
            },
            score: Score { total, parts: Default::default() },
        };
        let scored = vec![window(0, 90.0), window(3, 89.0), window(6, 70.0)];
        let chosen = choose_diverse(scored.clone(), 2, &sentences);
        let starts: Vec<f64> = chosen.iter().map(|c| c.window.start).collect();
        assert_eq!(starts, vec![0.0, 60.0], "the repeat lost to the different passage");
        // Without a third option, the repeat still comes back: diversity is a penalty, not a filter.
        let chosen = choose_diverse(scored[..2].to_vec(), 2, &sentences);
        assert_eq!(chosen.len(), 2);
    }
    use opusclip_core::ErrorCode;

    /// Sentences of `length` seconds each, back to back, 5 words each, the `questions` ones
    /// phrased as questions.
    fn transcript(count: usize, length: f64, questions: &[usize]) -> Vec<Word> {
        let mut words = Vec::new();
        for sentence in 0..count {
            let start = sentence as f64 * length;
            let step = length / 5.0;
            for i in 0..5 {
                let text = match (i, questions.contains(&sentence)) {
                    (0, true) => "Why".to_string(),
                    (4, true) => "now?".to_string(),
                    (4, false) => "there.".to_string(),
                    _ => "we".to_string(),
                };
                words.push(Word {
                    text,
                    start: start + i as f64 * step,
                    end: start + (i as f64 + 0.9) * step,
                    confidence: 1.0,
                    speaker: None,
                });
            }
        }
        words
    }

    fn options(clips: usize, min_seconds: f64, max_seconds: f64) -> SelectOptions {
        SelectOptions { clips, min_seconds, max_seconds }
    }

    fn select(words: &[Word], options: &SelectOptions) -> Vec<Candidate> {
        let signals = Signals::empty(1000.0);
        select_clips(words, &signals, options, &BaselineScorer::new(options)).expect("valid options")
    }

    #[test]
    fn windows_are_runs_of_sentences_within_bounds() {
        let words = transcript(10, 5.0, &[]);
        let sentences = sentences(&words);
        let windows = sentence_windows(&sentences, &options(5, 10.0, 15.0));
        assert!(!windows.is_empty());
        for window in &windows {
            assert!((10.0..=15.0).contains(&window.duration()), "{window:?}");
            assert_eq!(window.start, sentences[window.first_sentence].start);
            assert_eq!(window.end, sentences[window.end_sentence - 1].end);
        }
        // Spans of 2 sentences (~9.9 s) are too short; 3 (~14.9 s) fit; 4 are too long.
        assert!(windows.iter().all(|w| w.end_sentence - w.first_sentence == 3));
        assert_eq!(windows.len(), 8);
    }

    #[test]
    fn picks_the_question_opening_first_and_never_overlaps() {
        let words = transcript(20, 5.0, &[12]);
        let chosen = select(&words, &options(3, 10.0, 15.0));
        assert_eq!(chosen.len(), 3);
        assert_eq!(chosen[0].first_sentence, 12);
        assert!(chosen[0].text.starts_with("Why we we we now?"));
        for (i, a) in chosen.iter().enumerate() {
            for b in &chosen[i + 1..] {
                assert!(!a.overlaps(b));
            }
        }
        assert!(chosen.windows(2).all(|p| p[0].score.total >= p[1].score.total));
    }

    #[test]
    fn returns_fewer_clips_when_fewer_fit() {
        let words = transcript(6, 5.0, &[]);
        let chosen = select(&words, &options(5, 10.0, 15.0));
        assert_eq!(chosen.len(), 2);
        assert!(select(&words, &options(5, 40.0, 60.0)).is_empty());
        assert!(select(&[], &options(5, 20.0, 60.0)).is_empty());
    }

    #[test]
    fn ties_go_to_the_earlier_window() {
        let words = transcript(9, 5.0, &[]);
        let chosen = select(&words, &options(1, 10.0, 15.0));
        assert_eq!(chosen[0].first_sentence, 0);
    }

    #[test]
    fn invalid_options_are_rejected() {
        let bad = options(0, 20.0, 60.0);
        let err = select_clips(&[], &Signals::empty(0.0), &bad, &BaselineScorer::default()).expect_err("zero clips");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
    }

    #[test]
    fn malformed_times_give_no_panic_and_only_fitting_clips() {
        let mut words = transcript(12, 5.0, &[3]);
        words[4].start = f64::NAN;
        words[10].end = -7.0;
        words.swap(20, 40);
        let chosen = select(&words, &options(5, 10.0, 15.0));
        assert!(chosen.iter().all(|c| (10.0..=15.0).contains(&c.duration())));
    }

    #[test]
    fn ranked_totals_are_clamped_and_rounded() {
        assert_eq!(rank_total(f64::NAN), 0.0);
        assert_eq!(rank_total(140.0), 100.0);
        assert_eq!(rank_total(-1.0), 0.0);
        assert_eq!(rank_total(71.000_000_000_1), rank_total(70.999_999_999_9));
    }

    #[test]
    fn nan_totals_rank_last() {
        struct NanScorer;
        impl Scorer for NanScorer {
            fn score(&self, w: &Window, _: &[Sentence], _: &[Word], _: &Signals) -> Score {
                Score { total: if w.first_sentence == 0 { f64::NAN } else { 1.0 }, ..Score::default() }
            }
        }
        let words = transcript(9, 5.0, &[]);
        let opts = options(1, 10.0, 15.0);
        let chosen = select_clips(&words, &Signals::empty(45.0), &opts, &NanScorer).expect("valid options");
        assert_eq!(chosen[0].first_sentence, 1);
    }
}

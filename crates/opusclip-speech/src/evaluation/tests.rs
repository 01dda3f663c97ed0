//! The metrics on a reference and perturbed copies of it with known edits and known shifts.

use super::*;
use opusclip_core::Word;

const REFERENCE: &str =
    "the quick brown fox jumps over a lazy dog while seven small birds sing softly near an old stone wall";

fn timed(texts: &[&str], start: impl Fn(usize) -> f64, end: impl Fn(usize) -> f64) -> Vec<Word> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| Word { text: text.to_string(), start: start(i), end: end(i), confidence: 1.0, speaker: None })
        .collect()
}

fn reference_words() -> Vec<Word> {
    let texts: Vec<&str> = REFERENCE.split(' ').collect();
    timed(&texts, |i| i as f64 * 0.5, |i| i as f64 * 0.5 + 0.4)
}

fn close(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < 1e-9
}

#[test]
fn the_reference_against_itself_is_perfect() {
    let reference = reference_words();
    let score = score_words(&reference, &reference, true).expect("scores");
    assert_eq!(score.counts.errors(), 0);
    assert_eq!(score.word_error_rate, 0.0);
    let timing = score.timing.expect("all words match");
    assert_eq!(timing.matched_words, 20);
    assert_eq!((timing.start.max, timing.end.max), (0.0, 0.0));
    assert!(timing.within.iter().all(|within| within.fraction == 1.0));
}

#[test]
fn known_edits_give_the_exact_word_error_rate() {
    // Two substitutions (brown, while), three deletions (over, softly, near), one insertion (um);
    // case, punctuation and "7" for "seven" are not errors.
    let perturbed = "The quick green fox jumps a lazy dog. Whilst 7 small um birds sing an old stone wall!";
    let reference = reference_words();
    let hypothesis: Vec<Word> = plain_text_transcript(perturbed).words;
    let score = score_words(&reference, &hypothesis, false).expect("scores");
    let expected = WordErrorCounts {
        reference_words: 20,
        hypothesis_words: 18,
        hits: 15,
        substitutions: 2,
        insertions: 1,
        deletions: 3,
    };
    assert_eq!(score.counts, expected);
    assert!(close(score.word_error_rate, 6.0 / 20.0), "{}", score.word_error_rate);
    assert!(score.timing.is_none(), "timing was not asked for");
}

#[test]
fn shifted_timings_give_the_exact_errors() {
    let reference = reference_words();
    let texts: Vec<&str> = REFERENCE.split(' ').collect();
    // Starts late by 0.00, 0.01, ... 0.19 s; every fourth end 0.3 s late, the others 0.05 s early.
    let end_shift = |i: usize| if i.is_multiple_of(4) { 0.3 } else { -0.05 };
    let hypothesis = timed(&texts, |i| i as f64 * 0.5 + 0.01 * i as f64, |i| i as f64 * 0.5 + 0.4 + end_shift(i));
    let timing = score_words(&reference, &hypothesis, true).expect("scores").timing.expect("timed");
    assert_eq!(timing.matched_words, 20);
    assert!(close(timing.start.mean, 0.095) && close(timing.start.median, 0.095), "{:?}", timing.start);
    assert!(close(timing.start.p90, 0.171) && close(timing.start.max, 0.19), "{:?}", timing.start);
    assert!(close(timing.end.mean, 0.1125) && close(timing.end.median, 0.05), "{:?}", timing.end);
    assert!(close(timing.end.p90, 0.3) && close(timing.end.max, 0.3), "{:?}", timing.end);
    let fractions: Vec<(f64, f64)> = timing.within.iter().map(|within| (within.seconds, within.fraction)).collect();
    assert_eq!(fractions, [(0.1, 0.4), (0.25, 0.75), (0.5, 1.0)]);
}

#[test]
fn timing_counts_matched_words_only() {
    let reference = reference_words();
    // Drop "over" (index 5) and replace "dog" (index 8); shift everything else by 0.2 s.
    let kept: Vec<(usize, &str)> = REFERENCE
        .split(' ')
        .enumerate()
        .filter(|(i, _)| *i != 5)
        .map(|(i, text)| (i, if i == 8 { "frog" } else { text }))
        .collect();
    let texts: Vec<&str> = kept.iter().map(|(_, text)| *text).collect();
    let original = |k: usize| kept[k].0 as f64 * 0.5;
    let hypothesis = timed(&texts, |k| original(k) + 0.2, |k| original(k) + 0.6);
    let score = score_words(&reference, &hypothesis, true).expect("scores");
    assert_eq!((score.counts.deletions, score.counts.substitutions), (1, 1));
    let timing = score.timing.expect("timed");
    assert_eq!(timing.matched_words, 18);
    assert!(close(timing.start.mean, 0.2) && close(timing.end.p90, 0.2), "{timing:?}");
    assert_eq!(timing.within[0].fraction, 0.0);
    assert_eq!(timing.within[1].fraction, 1.0);
}

#[test]
fn a_word_written_as_several_tokens_is_timed_once() {
    let reference = timed(&["twenty", "one", "guns"], |i| i as f64, |i| i as f64 + 0.5);
    let hypothesis = timed(&["21", "guns"], |i| [0.1, 2.0][i], |i| [1.5, 2.5][i]);
    let score = score_words(&reference, &hypothesis, true).expect("scores");
    assert_eq!(score.word_error_rate, 0.0);
    let timing = score.timing.expect("timed");
    // "21" pairs with "twenty" and with "one": two word pairs, plus "guns".
    assert_eq!(timing.matched_words, 3);
    assert!(close(timing.start.max, 0.9), "{timing:?}");
}

#[test]
fn empty_transcripts() {
    let reference = reference_words();
    let nothing = score_words(&reference, &[], true).expect("scores");
    assert_eq!((nothing.counts.deletions, nothing.word_error_rate), (20, 1.0));
    assert!(nothing.timing.is_none());
    let invented = score_words(&[], &reference, false).expect("scores");
    assert_eq!((invented.counts.insertions, invented.word_error_rate), (20, 1.0));
    assert_eq!(score_words(&[], &[], false).expect("scores").word_error_rate, 0.0);
}

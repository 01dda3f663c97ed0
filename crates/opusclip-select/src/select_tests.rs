//! Tests of choosing clips from a transcript.

use super::*;
use crate::ranges::TimeRange;
use crate::refine::{LEAD_PAD_MAX, TAIL_PAD_MAX};
use crate::score::ClipScorer;
use opusclip_core::ErrorCode;

/// Sentences of `length` seconds each, 5 words each, the `questions` ones phrased as
/// questions; each ends 0.1 of a word-step before the next starts plus `gap` seconds.
fn transcript_with_gaps(count: usize, length: f64, gap: f64, questions: &[usize]) -> Vec<Word> {
    let mut words = Vec::new();
    for sentence in 0..count {
        let start = sentence as f64 * (length + gap);
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

fn transcript(count: usize, length: f64, questions: &[usize]) -> Vec<Word> {
    transcript_with_gaps(count, length, 0.0, questions)
}

/// Words of `text` one every `step` seconds, with `pause` extra seconds after each sentence end.
fn spoken(text: &str, step: f64, pause: f64) -> Vec<Word> {
    let mut t = 0.0;
    text.split_whitespace()
        .map(|token| {
            let word = Word { text: token.into(), start: t, end: t + step * 0.9, confidence: 1.0, speaker: None };
            t += step + if crate::sentences::ends_sentence(token) { pause } else { 0.0 };
            word
        })
        .collect()
}

fn options(clips: usize, min_seconds: f64, max_seconds: f64) -> SelectOptions {
    SelectOptions::new(clips, min_seconds, max_seconds)
}

fn select(words: &[Word], options: &SelectOptions) -> Vec<Candidate> {
    let signals = Signals::empty(1000.0);
    select_clips(words, &signals, options, &ClipScorer::from_options(options)).expect("valid options")
}

fn assert_disjoint(chosen: &[Candidate]) {
    for (i, a) in chosen.iter().enumerate() {
        for b in &chosen[i + 1..] {
            assert!(!a.overlaps(b), "{a:?} overlaps {b:?}");
        }
    }
}

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
            setup: None,
        },
        score: Score { total, parts: Default::default() },
        max_seconds: 19.0,
        too_silent: false,
    };
    let scored = vec![window(0, 90.0), window(3, 89.0), window(6, 70.0)];
    let chosen = choose_diverse(scored.clone(), 2, &sentences, &[]);
    let starts: Vec<f64> = chosen.iter().map(|c| c.window.start).collect();
    assert_eq!(starts, vec![0.0, 60.0], "the repeat lost to the different passage");
    // Without a third option, the repeat still comes back: diversity is a penalty, not a filter.
    let chosen = choose_diverse(scored[..2].to_vec(), 2, &sentences, &[]);
    assert_eq!(chosen.len(), 2);
    // Windows taken in an earlier tier count for overlap and similarity.
    let later = choose_diverse(scored[1..].to_vec(), 1, &sentences, &scored[..1]);
    assert_eq!(later[0].window.start, 60.0);
}

#[test]
fn runs_are_whole_sentences_within_bounds() {
    let words = transcript(10, 5.0, &[]);
    let sentences = sentences(&words);
    let signals = Signals::empty(100.0);
    let context = RefineContext::new(&sentences, &words, &signals, &[], (0.0, 100.0));
    let runs = fitting_runs(&context, LengthRange::new(10.0, 15.0));
    // Spans of 2 sentences (~9.9 s) are too short; 3 (~14.9 s) fit; 4 are too long.
    assert_eq!(runs.len(), 8);
    assert!(runs.iter().all(|(first, end)| end - first == 3));
    // The timeframe cuts runs off at both ends.
    let framed = RefineContext { bounds: (10.0, 40.0), ..context };
    let runs = fitting_runs(&framed, LengthRange::new(10.0, 15.0));
    assert_eq!(runs, [(2, 5), (3, 6), (4, 7), (5, 8)]);
}

#[test]
fn picks_the_question_opening_first_and_never_overlaps() {
    let words = transcript(20, 5.0, &[12]);
    let chosen = select(&words, &options(3, 10.0, 15.0));
    assert_eq!(chosen.len(), 3);
    assert_eq!(chosen[0].first_sentence, 12);
    assert!(chosen[0].text.starts_with("Why we we we now?"));
    assert_disjoint(&chosen);
    assert!(chosen.windows(2).all(|p| p[0].score.total >= p[1].score.total));
}

#[test]
fn returns_fewer_clips_when_fewer_fit() {
    let words = transcript(6, 5.0, &[]);
    assert_eq!(select(&words, &options(5, 10.0, 15.0)).len(), 2);
    assert!(select(&words, &options(5, 40.0, 60.0)).is_empty());
    assert!(select(&[], &options(5, 20.0, 60.0)).is_empty());
}

#[test]
fn ties_go_to_the_earlier_window() {
    let words = transcript_with_gaps(9, 5.0, 0.5, &[]);
    assert_eq!(select(&words, &options(1, 10.0, 15.0))[0].first_sentence, 0);
}

#[test]
fn invalid_options_are_rejected() {
    let bad = options(0, 20.0, 60.0);
    let err = select_clips(&[], &Signals::empty(0.0), &bad, &ClipScorer::from_options(&bad)).expect_err("zero clips");
    assert_eq!(err.code(), ErrorCode::InvalidInput);
}

#[test]
fn malformed_times_give_no_panic_and_only_fitting_clips() {
    let mut words = transcript(12, 5.0, &[3]);
    words[4].start = f64::NAN;
    words[10].end = -7.0;
    words.swap(20, 40);
    let chosen = select(&words, &options(5, 10.0, 15.0));
    assert!(chosen.iter().all(|c| (10.0..=15.0).contains(&c.duration())), "{chosen:?}");
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
    let words = transcript_with_gaps(9, 5.0, 0.5, &[]);
    let opts = options(1, 10.0, 15.0);
    let chosen = select_clips(&words, &Signals::empty(45.0), &opts, &NanScorer).expect("valid options");
    assert_eq!(chosen[0].first_sentence, 1);
}

#[test]
fn clips_are_padded_into_the_silence_between_sentences() {
    // 1 s of silence between sentences: room for the full lead and tail.
    let words = transcript_with_gaps(12, 5.0, 1.0, &[]);
    let sentences = sentences(&words);
    let chosen = select(&words, &options(3, 10.0, 20.0));
    assert_eq!(chosen.len(), 3);
    for clip in &chosen {
        let (speech_start, speech_end) = (sentences[clip.first_sentence].start, sentences[clip.end_sentence - 1].end);
        let lead = speech_start - clip.start;
        let tail = clip.end - speech_end;
        // Nothing comes before the talk's first word; elsewhere there is a lead into the silence.
        assert!(lead <= LEAD_PAD_MAX + 1e-9 && (lead > 0.0 || clip.start == 0.0), "{clip:?}");
        assert!(tail > 0.0 && tail <= TAIL_PAD_MAX + 1e-9, "{clip:?}");
        assert!(clip.duration() <= 20.0 + 1e-9);
    }
    assert_disjoint(&chosen);
}

#[test]
fn neighbouring_clips_share_the_silence_between_them() {
    // 0.5 s gaps: a full tail and a full lead would overlap; clips of exactly two sentences.
    let words = transcript_with_gaps(4, 5.0, 0.5, &[]);
    let chosen = select(&words, &options(2, 9.0, 11.0));
    assert_eq!(chosen.len(), 2);
    assert_disjoint(&chosen);
    let (first, second) =
        if chosen[0].start < chosen[1].start { (&chosen[0], &chosen[1]) } else { (&chosen[1], &chosen[0]) };
    assert!(first.end <= second.start + 1e-9, "{first:?} {second:?}");
}

#[test]
fn several_length_ranges_are_all_used() {
    // 12 sentences of 5.5 s: two clips of five sentences (~27 s) and one of two (~10 s) fit.
    let words = transcript_with_gaps(12, 5.0, 0.5, &[]);
    let lengths = vec![LengthRange::new(9.0, 12.0), LengthRange::new(25.0, 30.0)];
    let both = SelectOptions { clips: 3, lengths, ..SelectOptions::default() };
    let chosen = select(&words, &both);
    assert_eq!(chosen.len(), 3);
    assert!(chosen.iter().all(|c| both.fits(c.duration())), "{chosen:?}");
    let short = chosen.iter().filter(|c| c.duration() <= 12.0).count();
    assert!(short > 0 && short < 3, "both ranges used: {chosen:?}");
}

#[test]
fn clips_stay_inside_the_timeframe() {
    let words = transcript_with_gaps(30, 5.0, 0.5, &[2, 25]);
    let framed = SelectOptions { timeframe: Some(TimeRange::new(40.0, 120.0)), ..options(5, 10.0, 12.0) };
    let chosen = select(&words, &framed);
    assert!(!chosen.is_empty());
    assert!(chosen.iter().all(|c| c.start >= 40.0 && c.end <= 120.0), "{chosen:?}");
}

#[test]
fn a_prompt_steers_toward_its_topic() {
    let text = "Rockets burn fuel fast. Engines need oxygen too. Launch pads shake hard. \
        Pasta needs salted water. Boil the pasta well. Drain the pasta now. \
        Markets rise and fall. Traders watch prices. Prices move daily.";
    let words = spoken(text, 0.4, 1.0);
    let plain = options(1, 5.0, 12.0);
    let steered = SelectOptions { prompt: Some("pasta".into()), ..plain.clone() };
    let chosen = select(&words, &steered);
    assert!(chosen[0].text.contains("pasta"), "{chosen:?}");
    assert!(chosen[0].score.parts["prompt"].reason.contains("\"pasta\""));
    assert!(!select(&words, &plain)[0].score.parts.contains_key("prompt"));
}

#[test]
fn a_clean_opening_is_preferred_to_a_continuation() {
    let text = "And the secret is here, you know, why 3 people win? Prices rose slowly all year. \
        Costs stayed flat through the spring. Profits grew in the summer.";
    let words = spoken(text, 0.4, 1.0);
    let chosen = select(&words, &options(1, 3.0, 12.0));
    assert!(!chosen[0].text.starts_with("And"), "{chosen:?}");
}

/// A question, talk that does not answer it, then the answer (each sentence followed by 3 s).
const ASKED_THEN_ANSWERED: &str = "Why do most small bakeries fail in their first year? \
    I asked that of forty owners over two summers. \
    We drove from town to town with a notebook and a tape recorder. \
    Bakeries fail because the owners price bread like a hobby, not a business. \
    In the first year they lose money on every single loaf.";

#[test]
fn a_clip_opening_on_an_answer_plays_its_question_first() {
    let words = spoken(ASKED_THEN_ANSWERED, 0.4, 3.0);
    let sentences = crate::sentences::sentences(&words);
    let signals = Signals::empty(100.0);
    let context = RefineContext::new(&sentences, &words, &signals, &[], (0.0, 100.0));
    let scorer = ClipScorer::from_options(&options(1, 5.0, 30.0));
    let answer = Window::new(sentences[3].start, sentences[4].end, 3, 5);
    let alone = score_windows(vec![answer], &sentences, &words, &signals, &scorer).remove(0);
    let alone = ScoredWindow { max_seconds: 30.0, ..alone };
    let joined = with_setups(vec![alone.clone()], &context, &scorer).remove(0);
    let setup = joined.window.setup.expect("the question is joined");
    assert_eq!(setup.sentence, 0);
    assert!(joined.score.total >= alone.score.total, "{:?} vs {:?}", joined.score, alone.score);
    assert!(joined.score.parts["hook"].reason.contains("Why do most small bakeries"), "{:?}", joined.score.parts);
    let coherence = &joined.score.parts["coherence"].reason;
    assert!(coherence.contains("joins the question asked") && coherence.contains("\"bakeries\""), "{coherence}");
    // Placed: the question padded as its own range, ending before the answer starts.
    let placed = place(std::slice::from_ref(&joined), &context).remove(0);
    let (from, to) = placed.setup.expect("the setup is placed");
    assert!(from <= sentences[0].start && to >= sentences[0].end && to < placed.start, "{placed:?}");
    let window = Window {
        start: placed.start,
        end: placed.end,
        setup: Some(Setup { start: from, end: to, ..setup }),
        ..joined.window
    };
    let text = window_text(&window, &sentences);
    let candidate = to_candidate(ScoredWindow { window, ..joined }, text);
    assert_eq!(candidate.kept_ranges.len(), 2);
    assert_eq!((candidate.start, candidate.kept_ranges[0].end), (from, to));
    assert!(candidate.text.starts_with("Why do most small bakeries") && !candidate.text.contains("tape recorder"));
    assert!(candidate.played_duration() < candidate.duration() - 10.0, "{candidate:?}");
}

#[test]
fn joined_clips_keep_every_rule_of_a_clip() {
    let words = spoken(ASKED_THEN_ANSWERED, 0.4, 3.0);
    let mut joined = 0;
    for clips in [1, 3] {
        for (min, max) in [(5.0, 12.0), (5.0, 20.0), (12.0, 20.0), (8.0, 30.0)] {
            let options = options(clips, min, max);
            let chosen = select(&words, &options);
            assert_disjoint(&chosen);
            for clip in &chosen {
                assert!(clip.played_duration() <= max + 1e-9 && clip.played_duration() >= min - 1e-9, "{clip:?}");
                if clip.kept_ranges.is_empty() {
                    continue;
                }
                joined += 1;
                assert_eq!(clip.kept_ranges.len(), 2, "{clip:?}");
                assert!(clip.kept_ranges[0].end < clip.kept_ranges[1].start, "{clip:?}");
                assert!(clip.text.starts_with("Why do"), "{clip:?}");
                assert!(clip.score.parts["coherence"].reason.contains("joins the question"), "{clip:?}");
            }
        }
    }
    assert!(joined > 0, "no clip joined its question");
}

//! Unit tests of each boundary rule of `refine`.

use super::*;
use crate::sentences::sentences;
use opusclip_core::Silence;

/// Words of each `(text, start, end)` spread evenly over its time, 0.02 s apart.
fn talk(lines: &[(&str, f64, f64)]) -> Vec<Word> {
    let mut words = Vec::new();
    for &(text, start, end) in lines {
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let step = (end - start) / tokens.len() as f64;
        for (i, token) in tokens.iter().enumerate() {
            let from = start + i as f64 * step;
            words.push(Word {
                text: token.to_string(),
                start: from,
                end: from + step - 0.02,
                confidence: 1.0,
                speaker: None,
            });
        }
    }
    words
}

/// The sentence of `words[first..end]`, made by hand.
fn sentence_of(words: &[Word], first: usize, end: usize) -> Sentence {
    let text = words[first..end].iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
    Sentence { first_word: first, end_word: end, start: words[first].start, end: words[end - 1].end, text }
}

struct Fixture {
    words: Vec<Word>,
    sentences: Vec<Sentence>,
}

impl Fixture {
    fn new(lines: &[(&str, f64, f64)]) -> Fixture {
        let words = talk(lines);
        let sentences = sentences(&words);
        assert_eq!(sentences.len(), lines.len(), "one sentence per line: {sentences:?}");
        Fixture { words, sentences }
    }

    fn with<T>(&self, signals: &Signals, cuts: &[f64], run: impl FnOnce(&RefineContext) -> T) -> T {
        let end = self.words.last().map_or(0.0, |w| w.end) + 10.0;
        let context = RefineContext::new(&self.sentences, &self.words, signals, cuts, (0.0, end));
        run(&context)
    }

    fn refine(&self, first: usize, end: usize, range: LengthRange) -> RefinedSpan {
        self.with(&Signals::empty(1000.0), &[], |context| context.refine_span(first, end, range))
    }
}

fn range(min: f64, max: f64) -> LengthRange {
    LengthRange::new(min, max)
}

#[test]
fn a_clip_never_opens_on_a_continuation_it_takes_the_sentence_it_continues() {
    let talk = Fixture::new(&[
        ("We built the engine in a garage.", 0.0, 4.0),
        ("And then it exploded on the first test.", 4.3, 8.0),
        ("Nobody was hurt.", 8.5, 10.0),
    ]);
    let refined = talk.refine(1, 3, range(3.0, 12.0));
    assert_eq!((refined.first, refined.end), (0, 3));
    assert!(refined.issues.is_empty(), "{:?}", refined.issues);
}

#[test]
fn a_clip_never_opens_on_a_dangling_reference_when_the_sentence_before_fixes_it() {
    let talk = Fixture::new(&[
        ("I keep coming back to one idea.", 0.0, 3.0),
        ("It's not something you learn in school.", 3.4, 7.0),
        ("You learn it by failing.", 7.5, 9.5),
    ]);
    let refined = talk.refine(1, 3, range(3.0, 12.0));
    assert_eq!((refined.first, refined.end), (0, 3));
    assert!(refined.issues.is_empty(), "{:?}", refined.issues);
}

#[test]
fn a_dangling_reference_that_cannot_be_fixed_is_an_issue() {
    let talk = Fixture::new(&[
        ("I keep coming back to one idea that I had years ago.", 0.0, 8.0),
        ("It's not something you learn in school.", 8.4, 12.0),
        ("You learn it by failing.", 12.5, 14.5),
    ]);
    let refined = talk.refine(1, 3, range(3.0, 8.0));
    assert_eq!((refined.first, refined.end), (1, 3));
    assert_eq!(refined.issues, ["opens on \"it's\", which refers to something before it"]);
}

#[test]
fn when_going_back_is_too_long_the_start_moves_forward() {
    let talk = Fixture::new(&[
        ("We built the engine in a garage over many long years.", 0.0, 9.0),
        ("So it exploded.", 9.3, 10.5),
        ("Nobody was hurt at all that day.", 11.0, 14.0),
        ("We laughed.", 14.5, 15.5),
    ]);
    let refined = talk.refine(1, 4, range(3.0, 8.0));
    assert_eq!((refined.first, refined.end), (2, 4));
    assert!(refined.issues.is_empty());
}

#[test]
fn a_filler_opener_far_from_the_sentence_before_moves_forward() {
    let talk = Fixture::new(&[
        ("That was the intro.", 0.0, 2.0),
        ("Um.", 6.0, 6.5),
        ("Prices doubled in a year.", 7.0, 9.0),
        ("Nobody saw it coming.", 9.5, 11.0),
    ]);
    let refined = talk.refine(1, 4, range(3.0, 12.0));
    assert_eq!((refined.first, refined.end), (2, 4));
}

#[test]
fn an_answer_brings_its_question() {
    let talk = Fixture::new(&[
        ("Why do startups fail?", 0.0, 2.0),
        ("They run out of money.", 2.4, 5.0),
        ("It is that simple.", 5.5, 7.0),
    ]);
    let refined = talk.refine(1, 3, range(3.0, 10.0));
    assert_eq!((refined.first, refined.end), (0, 3));
    assert!(refined.issues.is_empty());
}

#[test]
fn the_question_comes_in_even_when_the_end_must_give_way() {
    let talk = Fixture::new(&[
        ("Why do startups fail?", 0.0, 2.0),
        ("They run out of money.", 2.4, 5.0),
        ("It is that simple.", 5.5, 7.0),
    ]);
    // 1..3 is 4.6 s; with the question it would be 7 s, over the maximum of 6: drop the last.
    let refined = talk.refine(1, 3, range(3.0, 6.0));
    assert_eq!((refined.first, refined.end), (0, 2));
    // Too short a maximum for question and answer: the span stays, and says why.
    let kept = talk.refine(1, 2, range(2.0, 3.0));
    assert_eq!((kept.first, kept.end), (1, 2));
    assert_eq!(kept.issues, ["opens on the answer to a question asked before it"]);
}

#[test]
fn a_question_long_before_is_not_an_answers_question() {
    let talk = Fixture::new(&[
        ("Why do startups fail?", 0.0, 2.0),
        ("Let me tell a story first.", 5.0, 7.0),
        ("It is about money.", 7.5, 9.0),
    ]);
    let refined = talk.refine(1, 3, range(3.0, 10.0));
    assert_eq!((refined.first, refined.end), (1, 3));
}

#[test]
fn the_end_moves_to_a_sentence_followed_by_a_pause() {
    let talk = Fixture::new(&[
        ("Here is the trick.", 0.0, 2.0),
        ("You wait.", 2.4, 3.0), // no pause after: the next sentence follows at once
        ("Then you strike.", 3.02, 5.0),
        ("Next topic.", 6.0, 7.0),
    ]);
    let refined = talk.refine(0, 2, range(2.0, 6.0));
    assert_eq!((refined.first, refined.end), (0, 3), "ends on the payoff, not before it");
    // When going on is too long, the end moves back to a pause.
    let back = talk.refine(0, 2, range(1.0, 4.0));
    assert_eq!((back.first, back.end), (0, 1));
}

#[test]
fn a_detected_silence_counts_as_the_pause_after_a_sentence() {
    let talk = Fixture::new(&[("Here is the trick.", 0.0, 2.0), ("You wait.", 2.05, 3.0)]);
    let silences = [Silence { start: 2.0, end: 2.6 }];
    let signals = Signals { silences: &silences, ..Signals::empty(10.0) };
    assert!(talk.with(&signals, &[], |c| c.ends_on_pause(0)));
    assert!(!talk.with(&Signals::empty(10.0), &[], |c| c.ends_on_pause(0)));
    assert!(talk.with(&Signals::empty(10.0), &[], |c| c.ends_on_pause(1)), "the last sentence ends the talk");
}

#[test]
fn a_sentence_cut_by_length_is_not_a_sentence_end() {
    let words = talk(&[("Prices went up and", 0.0, 2.0), ("then they fell.", 3.0, 5.0)]);
    let sentences = [sentence_of(&words, 0, 4), sentence_of(&words, 4, 7)];
    let signals = Signals::empty(10.0);
    let context = RefineContext::new(&sentences, &words, &signals, &[], (0.0, 10.0));
    // "and" does not end a sentence in a punctuated transcript, whatever the pause.
    assert!(!context.ends_on_pause(0) && context.ends_on_pause(1));
}

#[test]
fn padding_goes_into_silence_up_to_its_limits() {
    let talk =
        Fixture::new(&[("First sentence here.", 0.0, 2.0), ("The clip itself.", 3.0, 5.0), ("After it.", 5.2, 6.0)]);
    let (start, end) = talk.with(&Signals::empty(20.0), &[], |c| c.pad_and_snap(1, 2, 30.0));
    assert!((start - (3.0 - LEAD_PAD_MAX)).abs() < 1e-9, "a full lead into a 1 s gap: {start}");
    assert!((end - (5.2 - WORD_GUARD_SECONDS)).abs() < 1e-9, "the tail stops short of the next word: {end}");
    // The maximum length limits the padding, the tail first.
    let (start, end) = talk.with(&Signals::empty(20.0), &[], |c| c.pad_and_snap(1, 2, 2.1));
    assert!((end - start - 2.1).abs() < 1e-9 && (start - 3.0).abs() < 1e-9, "{start} {end}");
    // The timeframe limits it too.
    let bounded =
        talk.with(&Signals::empty(20.0), &[], |c| RefineContext { bounds: (2.9, 5.05), ..*c }.pad_and_snap(1, 2, 30.0));
    assert!((bounded.0 - 2.9).abs() < 1e-9 && (bounded.1 - 5.05).abs() < 1e-9, "{bounded:?}");
}

#[test]
fn padding_never_reaches_into_overlapping_or_broken_neighbours() {
    let mut words = talk(&[("One two.", 0.0, 1.0), ("Three four.", 1.0, 2.0)]);
    words[1].end = 1.3; // overlaps the next sentence
    words[3].start = f64::NAN;
    let sentences = sentences(&words);
    let signals = Signals::empty(5.0);
    let context = RefineContext::new(&sentences, &words, &signals, &[], (0.0, 5.0));
    let (start, _) = context.pad_and_snap(1, 2, 30.0);
    assert_eq!(start, sentences[1].start);
}

#[test]
fn boundaries_snap_to_a_cut_within_a_few_frames_in_the_same_silence() {
    let talk =
        Fixture::new(&[("First sentence here.", 0.0, 2.0), ("The clip itself.", 3.0, 5.0), ("After it.", 6.0, 7.0)]);
    let signals = Signals { fps: Some(25.0), ..Signals::empty(20.0) };
    // Padded start 2.65, end 5.43; cuts 2 frames after the start and 1.5 frames before the end.
    let cuts = [2.73, 5.37];
    let (start, end) = talk.with(&signals, &cuts, |c| c.pad_and_snap(1, 2, 30.0));
    assert_eq!((start, end), (2.73, 5.37));
    // A cut 5 frames away is left alone.
    let (start, end) = talk.with(&signals, &[2.45, 5.63], |c| c.pad_and_snap(1, 2, 30.0));
    assert!((start - 2.65).abs() < 1e-9 && (end - 5.43).abs() < 1e-9, "{start} {end}");
    // So is one a frame into the first word (no room for a lead: the maximum is reached).
    let (start, _) = talk.with(&signals, &[3.04], |c| c.pad_and_snap(1, 2, 1.98 + TAIL_PAD_MAX));
    assert!((start - 3.0).abs() < 1e-9, "{start}");
}

#[test]
fn snap_to_cut_takes_the_nearest_allowed_cut() {
    let cuts = [1.0, 1.9, 2.05, 3.0];
    assert_eq!(snap_to_cut(2.0, &cuts, 0.1, (0.0, 5.0)), Some(2.05));
    assert_eq!(snap_to_cut(2.0, &cuts, 0.1, (0.0, 2.0)), Some(1.9));
    assert_eq!(snap_to_cut(2.5, &cuts, 0.1, (0.0, 5.0)), None);
    assert_eq!(snap_to_cut(2.0, &[], 0.1, (0.0, 5.0)), None);
}

#[test]
fn issues_name_every_broken_rule() {
    let talk = Fixture::new(&[
        ("Why now?", 0.0, 1.0),
        ("But it works.", 1.2, 3.0), // no pause after: the next sentence follows at once
        ("Fine today.", 3.0, 4.0),
    ]);
    let issues = talk.with(&Signals::empty(10.0), &[], |c| c.issues(1, 2));
    assert_eq!(issues.len(), 3, "{issues:?}");
    assert!(issues[0].contains("\"but\""));
    assert!(issues[1].contains("answer"));
    assert!(issues[2].contains("pause"));
    assert!(talk.with(&Signals::empty(10.0), &[], |c| c.issues(0, 3)).is_empty());
}

#[test]
fn questions_are_recognised_through_closing_marks() {
    assert!(is_question("Is it you?\""));
    assert!(is_question("Really?)"));
    assert!(!is_question("Yes."));
}

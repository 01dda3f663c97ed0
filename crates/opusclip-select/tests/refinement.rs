//! Regression tests of boundary refinement through the whole selection: a planted question and
//! its answer stay together, and no clip opens on a continuation when another opening fits.

use opusclip_core::Word;
use opusclip_select::{ends_sentence, select_clips, sentences, ClipScorer, SelectOptions, Signals};

const BACKGROUND: [&str; 8] = [
    "The museum opened its new wing in the spring.",
    "Visitors walked through the rooms full of old maps.",
    "The curator had collected them over twenty years.",
    "Some maps showed rivers that no longer exist.",
    "Others were drawn by sailors on long voyages.",
    "The wing also has a small reading room.",
    "School groups come on weekday mornings.",
    "The gift shop sells copies of the maps.",
];
const QUESTION: &str = "What is the one habit that changed my life?";
const ANSWER: &str = "You write three pages every morning, and it is amazing!";

/// Words of `sentences`, 0.35 s per word, with 0.6 s of silence after each sentence.
fn speak(sentences: &[&str]) -> Vec<Word> {
    let mut words = Vec::new();
    let mut t = 0.0;
    for token in sentences.iter().flat_map(|s| s.split_whitespace()) {
        words.push(Word { text: token.into(), start: t, end: t + 0.3, confidence: 1.0, speaker: None });
        t += if ends_sentence(token) { 0.95 } else { 0.35 };
    }
    words
}

/// Background sentences with the question and answer planted after `before` of them.
fn talk_with_question(before: usize) -> Vec<&'static str> {
    let mut lines: Vec<&str> = BACKGROUND.iter().cycle().take(24).copied().collect();
    lines.insert(before, ANSWER);
    lines.insert(before, QUESTION);
    lines
}

#[test]
fn a_planted_question_and_answer_are_kept_together() {
    for before in [3, 11, 20] {
        let lines = talk_with_question(before);
        let words = speak(&lines);
        let found = sentences(&words);
        let question = found.iter().position(|s| s.text == QUESTION).expect("the question is a sentence");
        for (min, max) in [(5.0, 12.0), (8.0, 20.0), (15.0, 40.0)] {
            let options = SelectOptions::new(4, min, max);
            let scorer = ClipScorer::from_options(&options);
            let chosen = select_clips(&words, &Signals::empty(300.0), &options, &scorer).expect("valid options");
            assert!(!chosen.is_empty());
            let with_answer: Vec<_> =
                chosen.iter().filter(|c| (c.first_sentence..c.end_sentence).contains(&(question + 1))).collect();
            assert!(!with_answer.is_empty(), "the answer's strong hook should make a clip ({min}-{max} s)");
            for clip in with_answer {
                assert!(
                    clip.first_sentence <= question,
                    "answer without its question ({min}-{max} s): {:?}",
                    clip.text
                );
                assert!(clip.text.contains(QUESTION) && clip.text.contains(ANSWER));
            }
        }
    }
}

#[test]
fn no_clip_opens_on_a_continuation_when_another_opening_fits() {
    let lines = [
        "Our team tried a new plan last year.",
        "And then everything changed for the better.",
        "So we doubled the budget for research.",
        "Sales grew every quarter after that.",
        "But costs also grew faster than we hoped.",
        "Um, we had to cut some projects.",
        "The board agreed with the decision.",
        "Like, nobody expected that outcome.",
        "We learned to plan for the worst case.",
        "Now the company is growing again.",
    ];
    let words = speak(&lines);
    let options = SelectOptions::new(3, 5.0, 12.0);
    let chosen =
        select_clips(&words, &Signals::empty(100.0), &options, &ClipScorer::from_options(&options)).expect("valid");
    assert_eq!(chosen.len(), 3);
    for clip in &chosen {
        let first_word = clip.text.split_whitespace().next().unwrap_or("").to_lowercase();
        let first_word = first_word.trim_matches(|c: char| !c.is_alphanumeric());
        assert!(!["and", "so", "but", "um", "like"].contains(&first_word), "opens on {first_word:?}: {:?}", clip.text);
    }
}

//! The `coherence` part: is the clip self-contained? It starts at 100 and loses points for a
//! start that leans on what came before (a dangling "this/that/he/she/it/they" among the first
//! words, a continuation or filler opener, the answer without its question, a start in the
//! middle of a sentence), for an end that is not a finished sentence with a pause after it, and
//! for a topic that drifts (the later half's content words do not echo the earlier half's, or,
//! given the transcript's topic segments, a share of its sentences lies outside its main one).

use crate::lexicon::{content_words, normalize, stem, DANGLING_REFERENCES};
use crate::parts::WindowView;
use crate::sentences::ends_sentence;
use crate::setups::{shared_words, OPENING_SENTENCES};
use crate::topics::TopicSegmentation;
use opusclip_core::ScorePart;
use std::collections::BTreeSet;

/// Points lost for a dangling reference among the first words.
pub const DANGLING_PENALTY: f64 = 30.0;
/// How many first words are searched for a dangling reference.
pub const DANGLING_WORDS: usize = 3;
/// Points lost for opening on a continuation or filler.
pub const WEAK_OPENER_PENALTY: f64 = 20.0;
/// Points lost for starting in the middle of a sentence.
pub const MID_SENTENCE_START_PENALTY: f64 = 20.0;
/// Points lost for answering a question asked before the clip.
pub const MISSING_QUESTION_PENALTY: f64 = 15.0;
/// Points lost for ending in the middle of a sentence.
pub const MID_SENTENCE_END_PENALTY: f64 = 25.0;
/// Points lost for ending on a sentence with no pause after it.
pub const NO_END_PAUSE_PENALTY: f64 = 10.0;
/// Most points a drifting topic loses.
pub const TOPIC_DRIFT_PENALTY: f64 = 20.0;
/// Share of the later half's content words echoing the earlier half at which the topic counts
/// as one.
pub const ONE_TOPIC_ECHO: f64 = 0.25;
/// Each half needs this many content words before drift is judged.
const MIN_CONTENT_WORDS: usize = 6;
/// Share of a window's sentences outside its main topic segment that costs the whole
/// [`TOPIC_DRIFT_PENALTY`] (less costs in proportion).
pub const FULL_DRIFT_OUTSIDE_SHARE: f64 = 0.5;

/// Coherence of the window ("one topic" judged by echoed content words).
#[cfg(test)]
pub fn coherence(view: &WindowView) -> ScorePart {
    coherence_with_topics(view, None)
}

/// Coherence of the window; with `topics`, "one topic" is judged by the topic segments its
/// sentences fall in (windows without whole sentences fall back to echoed content words).
pub fn coherence_with_topics(view: &WindowView, topics: Option<&TopicSegmentation>) -> ScorePart {
    let range = view.word_range.clone();
    if range.is_empty() {
        return ScorePart { value: 50.0, reason: "no transcript to judge coherence".into() };
    }
    let mut points = 100.0;
    let mut findings: Vec<String> = Vec::new();
    let mut penalise = |penalty: f64, finding: String| {
        points -= penalty;
        findings.push(finding);
    };
    let setup = view.window.setup.map(|setup| setup.sentence).filter(|&index| index < view.sentences.len());
    let first_sentence = setup.or_else(|| view.sentence_of(range.start));
    let starts_sentence = first_sentence.is_some_and(|s| view.sentences[s].first_word == range.start);
    if !starts_sentence && setup.is_none() {
        penalise(MID_SENTENCE_START_PENALTY, "starts mid-sentence".into());
    }
    let dangling = match setup {
        Some(index) => view.context.dangling_opener(index),
        None => dangling_reference(view),
    };
    if let Some(word) = dangling {
        penalise(DANGLING_PENALTY, format!("\"{word}\" at the start refers to something before the clip"));
    }
    if let Some(first) = first_sentence.filter(|_| starts_sentence || setup.is_some()) {
        if let Some(word) = view.context.weak_opener(first) {
            penalise(WEAK_OPENER_PENALTY, format!("opens on \"{word}\""));
        }
        if view.context.question_before(first).is_some() {
            penalise(MISSING_QUESTION_PENALTY, "answers a question asked before the clip".into());
        }
    }
    match end_state(view) {
        EndState::Paused => {}
        EndState::NoPause => penalise(NO_END_PAUSE_PENALTY, "no pause after the last sentence".into()),
        EndState::MidSentence => penalise(MID_SENTENCE_END_PENALTY, "ends mid-sentence".into()),
    }
    let spread = topics.and_then(|topics| segment_spread(view, topics));
    if let Some(spread) = spread {
        let drift = (spread.outside as f64 / spread.sentences as f64 / FULL_DRIFT_OUTSIDE_SHARE).min(1.0);
        if drift > 0.0 {
            penalise(
                TOPIC_DRIFT_PENALTY * drift,
                format!(
                    "spans {} topic segments ({} of {} sentences outside the main one)",
                    spread.segments, spread.outside, spread.sentences
                ),
            );
        }
    }
    let topic = if spread.is_some() { None } else { topic_echo(view) };
    if let Some(echo) = topic {
        let drift = 1.0 - (echo / ONE_TOPIC_ECHO).min(1.0);
        if drift > 0.0 {
            penalise(
                TOPIC_DRIFT_PENALTY * drift,
                format!("topic drifts ({:.0}% of later content words echo earlier ones)", echo * 100.0),
            );
        }
    }
    if findings.is_empty() {
        let topic = match (spread, topic) {
            (Some(spread), _) => format!("one topic segment ({} sentences)", spread.sentences),
            (None, Some(echo)) => format!("one topic ({:.0}% of later content words echo earlier ones)", echo * 100.0),
            (None, None) => "too short to judge the topic".to_string(),
        };
        findings.push(format!("self-contained: clean start, ends on a finished sentence; {topic}"));
    }
    if let Some(index) = setup {
        findings.push(setup_note(view, index));
    }
    ScorePart { value: points.clamp(0.0, 100.0), reason: findings.join("; ") }
}

/// Why a clip's setup belongs with it: how far back the question was asked and the words of it
/// the clip's opening repeats.
fn setup_note(view: &WindowView, setup: usize) -> String {
    let sentences = view.sentences;
    let first = view.window.first_sentence.min(sentences.len().saturating_sub(1));
    let opening_end = view.window.end_sentence.min(first + OPENING_SENTENCES).max(first + 1);
    let opening: Vec<&str> =
        sentences[first..opening_end.min(sentences.len())].iter().map(|s| s.text.as_str()).collect();
    let question = &sentences[setup];
    let shared = shared_words(&question.text, &opening.join(" "));
    let gap = sentences[first].start - question.end;
    format!(
        "joins the question asked {gap:.1} s earlier (\"{}\") to the answer it opens on (both say {})",
        question.text.trim(),
        shared.iter().map(|word| format!("\"{word}\"")).collect::<Vec<_>>().join(", ")
    )
}

/// How the window's whole sentences fall into topic segments.
#[derive(Debug, Clone, Copy)]
struct SegmentSpread {
    sentences: usize,
    segments: usize,
    outside: usize,
}

/// The window's sentences by topic segment; `None` without whole sentences or when the
/// segmentation does not cover them.
fn segment_spread(view: &WindowView, topics: &TopicSegmentation) -> Option<SegmentSpread> {
    let segments = topics.segment_of_sentence.get(view.window.first_sentence..view.window.end_sentence)?;
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for &segment in segments {
        match counts.iter_mut().find(|(id, _)| *id == segment) {
            Some((_, count)) => *count += 1,
            None => counts.push((segment, 1)),
        }
    }
    let main = counts.iter().map(|(_, count)| *count).max()?;
    Some(SegmentSpread { sentences: segments.len(), segments: counts.len(), outside: segments.len() - main })
}

/// A dangling reference among the first [`DANGLING_WORDS`] words of the window's first sentence
/// ("Hello. This is…" opens on a whole sentence; its "this" points forward, not back).
fn dangling_reference(view: &WindowView) -> Option<String> {
    let spoken = view.spoken();
    let first_sentence_words = spoken.iter().position(|word| ends_sentence(&word.text)).map_or(spoken.len(), |i| i + 1);
    spoken[..first_sentence_words]
        .iter()
        .take(DANGLING_WORDS)
        .map(|word| normalize(&word.text))
        .find(|token| DANGLING_REFERENCES.contains(&token.as_str()))
}

enum EndState {
    Paused,
    NoPause,
    MidSentence,
}

/// How the window's last word ends: a finished sentence with a pause, without one, or mid-way.
fn end_state(view: &WindowView) -> EndState {
    let last_word = view.word_range.end - 1;
    let Some(sentence) = view.sentence_of(last_word) else {
        return EndState::MidSentence;
    };
    let closes_sentence = view.sentences[sentence].end_word == view.word_range.end;
    let finished = !view.context.punctuated || ends_sentence(&view.words[last_word].text);
    if !(closes_sentence && finished) {
        EndState::MidSentence
    } else if view.context.ends_on_pause(sentence) {
        EndState::Paused
    } else {
        EndState::NoPause
    }
}

/// The share of the later half's content words whose stem the earlier half used; `None` when a
/// half has fewer than [`MIN_CONTENT_WORDS`].
fn topic_echo(view: &WindowView) -> Option<f64> {
    let spoken = view.spoken();
    let middle = spoken.len() / 2;
    let stems = |words: &[opusclip_core::Word]| -> Vec<String> {
        words.iter().flat_map(|word| content_words(&word.text).map(|w| stem(&w)).collect::<Vec<_>>()).collect()
    };
    let earlier: BTreeSet<String> = stems(&spoken[..middle]).into_iter().collect();
    let later = stems(&spoken[middle..]);
    if earlier.len() < MIN_CONTENT_WORDS || later.len() < MIN_CONTENT_WORDS {
        return None;
    }
    Some(later.iter().filter(|stem| earlier.contains(*stem)).count() as f64 / later.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Window;
    use crate::sentences::sentences;
    use crate::signals::Signals;
    use opusclip_core::Word;

    /// Words of `text`, one every 0.4 s, with a 1 s pause after each sentence end.
    fn words_of(text: &str) -> Vec<Word> {
        let mut t = 0.0;
        text.split_whitespace()
            .map(|token| {
                let word = Word { text: token.into(), start: t, end: t + 0.35, confidence: 1.0, speaker: None };
                t += if ends_sentence(token) { 1.4 } else { 0.4 };
                word
            })
            .collect()
    }

    /// Coherence of sentences `first..end` of `text`.
    fn judge(text: &str, first: usize, end: usize) -> ScorePart {
        let words = words_of(text);
        let sentences = sentences(&words);
        let signals = Signals::empty(1000.0);
        let window = Window {
            start: sentences[first].start,
            end: sentences[end - 1].end,
            first_sentence: first,
            end_sentence: end,
            setup: None,
        };
        coherence(&WindowView::new(&window, &sentences, &words, &signals))
    }

    const STORY: &str = "Bees build hives from wax. The hive wax holds honey for winter. \
        Bees guard the honey in the hive. He said that was fine. And then winter came.";

    #[test]
    fn a_self_contained_clip_keeps_full_points() {
        let part = judge(STORY, 0, 3);
        assert_eq!(part.value, 100.0, "{part:?}");
        assert!(part.reason.starts_with("self-contained"), "{}", part.reason);
    }

    #[test]
    fn a_dangling_reference_at_the_start_costs_points() {
        let part = judge(STORY, 3, 4);
        assert_eq!(part.value, 100.0 - DANGLING_PENALTY, "{part:?}");
        assert!(part.reason.contains("\"he\" at the start"), "{}", part.reason);
    }

    #[test]
    fn a_greeting_before_this_is_not_a_dangling_reference() {
        let part = judge("Hello. This is a talk about bees and their hives. Bees build hives from wax.", 0, 3);
        assert!(!part.reason.contains("refers to something before"), "{}", part.reason);
        let dangling = judge("Bees build hives. This is how they do it. It takes weeks.", 1, 3);
        assert!(dangling.reason.contains("\"this\" at the start"), "{}", dangling.reason);
    }

    #[test]
    fn a_continuation_opener_costs_points() {
        let part = judge(STORY, 4, 5);
        assert_eq!(part.value, 100.0 - WEAK_OPENER_PENALTY, "{part:?}");
        assert!(part.reason.contains("opens on \"and\""));
    }

    #[test]
    fn the_answer_without_its_question_costs_points() {
        let part = judge("Why do bees swarm? Their hive is full. That is all.", 1, 3);
        assert!(part.reason.contains("answers a question"), "{}", part.reason);
        assert!(part.value < 100.0 - MISSING_QUESTION_PENALTY + 1e-9);
        assert_eq!(judge("Why do bees swarm? Their hive is full. That is all.", 0, 3).value, 100.0);
    }

    #[test]
    fn ending_mid_sentence_or_starting_mid_sentence_costs_points() {
        let words = words_of(STORY);
        let sentences = sentences(&words);
        let signals = Signals::empty(1000.0);
        // A window by time: from the middle of the first sentence into the middle of the third.
        let window = Window::new(0.9, sentences[2].start + 1.0, 0, 0);
        let part = coherence(&WindowView::new(&window, &sentences, &words, &signals));
        assert!(part.reason.contains("starts mid-sentence") && part.reason.contains("ends mid-sentence"), "{part:?}");
        assert_eq!(part.value, 100.0 - MID_SENTENCE_START_PENALTY - MID_SENTENCE_END_PENALTY);
    }

    #[test]
    fn a_drifting_topic_costs_points() {
        let drifting =
            "Bees build hives from wax and honey combs daily. Pilots land planes on runways using radar towers.";
        let part = judge(drifting, 0, 2);
        assert!(part.reason.contains("topic drifts (0%"), "{}", part.reason);
        assert_eq!(part.value, 100.0 - TOPIC_DRIFT_PENALTY);
    }

    #[test]
    fn topic_segments_replace_the_echo_test() {
        let text = "Bees build hives from wax. The hive wax holds honey for winter. Bees guard the honey. \
            Pilots land planes on runways. Radar towers guide the pilots.";
        let words = words_of(text);
        let sentences = sentences(&words);
        let signals = Signals::empty(1000.0);
        let judge_with = |first: usize, end: usize, segment_of_sentence: Vec<usize>| {
            let window = Window {
                start: sentences[first].start,
                end: sentences[end - 1].end,
                first_sentence: first,
                end_sentence: end,
                setup: None,
            };
            let topics =
                TopicSegmentation { segment_of_sentence, boundaries: vec![3], gap_similarity: vec![], depth: vec![] };
            coherence_with_topics(&WindowView::new(&window, &sentences, &words, &signals), Some(&topics))
        };
        let one = judge_with(0, 3, vec![0, 0, 0, 1, 1]);
        assert_eq!(one.value, 100.0, "{one:?}");
        assert!(one.reason.contains("one topic segment (3 sentences)"), "{}", one.reason);
        let across = judge_with(0, 5, vec![0, 0, 0, 1, 1]);
        let expected = 100.0 - TOPIC_DRIFT_PENALTY * (2.0 / 5.0 / FULL_DRIFT_OUTSIDE_SHARE);
        assert!((across.value - expected).abs() < 1e-9, "{across:?}");
        assert!(across.reason.contains("spans 2 topic segments (2 of 5 sentences outside the main one)"), "{across:?}");
        let even = judge_with(1, 5, vec![0, 0, 0, 1, 1]);
        assert_eq!(even.value, 100.0 - TOPIC_DRIFT_PENALTY, "{even:?}");
        // The echo test would have judged the last two (different words) as drifting; one
        // segment says they are one topic.
        let same = judge_with(3, 5, vec![0, 0, 0, 1, 1]);
        assert_eq!(same.value, 100.0, "{same:?}");
    }
}

//! Multi-segment clips: a chosen clip that opens on the answer to a question asked further back
//! (after other talk in between) plays that question first, as a second range of the source —
//! the setup and its payoff, as OpusClip's `timeRanges[]` do. The question asked right before
//! an answer is refinement's job ([`crate::refine`], rule 2); this joins the ones too far back to
//! take in whole.
//!
//! A question is joined when all of these hold:
//! - it is the latest question ending at most [`MAX_SETUP_GAP_SECONDS`] before the clip, more
//!   than [`QUESTION_GAP_SECONDS`] before it, and no earlier than the timeframe;
//! - it has [`MIN_SETUP_WORDS`] to [`MAX_SETUP_WORDS`] words, lasts at most [`MAX_SETUP_SECONDS`], opens on
//!   neither a filler nor a dangling reference (a question is only a setup when it stands alone),
//!   and asks something: not a tag on a statement ("…, right?", "…, isn't it?": a last clause of
//!   at most [`MAX_TAG_WORDS`] words) nor a question quoted inside one (`…was "Donde esta?"`);
//! - the clip's opening answers it: at least [`MIN_SHARED_STEMS`] of the question's content
//!   words come back (by stem) in the clip's first [`OPENING_SENTENCES`] sentences (one is enough when
//!   that is half of them);
//! - the clip does not open on a question itself, and the joined clip stays within its maximum
//!   length;
//! - the joined clip scores at least as well as the clip alone (its hook is then the question).
//!
//! The joined clip then competes in the choice beside the clip alone, occupying the source from
//! the question on (no other clip may lie between the two parts).

use crate::lexicon::{content_words, stem};
use crate::refine::{RefineContext, QUESTION_GAP_SECONDS};
use crate::score::{Setup, Window};
use std::collections::BTreeSet;

/// Farthest a question may end before the clip it is joined to, seconds.
pub const MAX_SETUP_GAP_SECONDS: f64 = 45.0;
/// Fewest words a question needs to be a setup ("Right?" is not one).
pub const MIN_SETUP_WORDS: usize = 4;
/// Most words a setup question may have.
pub const MAX_SETUP_WORDS: usize = 30;
/// Longest a setup question may last, seconds (a rambling question is no hook).
pub const MAX_SETUP_SECONDS: f64 = 12.0;
/// A question whose last comma-separated clause has at most this many words is a tag on a
/// statement ("…, right?", "…, isn't it?"), not a setup.
pub const MAX_TAG_WORDS: usize = 2;
/// Fewest of the question's content-word stems the clip's opening must repeat.
pub const MIN_SHARED_STEMS: usize = 2;
/// How many of the clip's first sentences count as its opening.
pub const OPENING_SENTENCES: usize = 2;

/// Why a question belongs with a clip: how far back it was asked and the stems both say.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupMatch {
    pub setup: Setup,
    /// Seconds from the end of the question to the start of the clip.
    pub gap_seconds: f64,
    /// The question's content words whose stems the opening repeats, in the question's order.
    pub shared: Vec<String>,
}

/// The question `window` could be joined to, when the rules above hold; `max_seconds` is the
/// longest the joined clip may play.
pub fn find_setup(context: &RefineContext, window: &Window, max_seconds: f64) -> Option<SetupMatch> {
    let first = window.first_sentence;
    if window.setup.is_some() || first >= window.end_sentence || first == 0 || context.is_question(first) {
        return None;
    }
    let sentences = context.sentences;
    let clip_start = sentences[first].start;
    let question = (0..first)
        .rev()
        .take_while(|&index| clip_start - sentences[index].end <= MAX_SETUP_GAP_SECONDS)
        .find(|&index| context.is_question(index))?;
    let asked = &sentences[question];
    let gap_seconds = clip_start - asked.end;
    let word_count = asked.end_word.saturating_sub(asked.first_word);
    let stands_alone = context.needs_what_came_before(question).is_none() && asks_something(&asked.text);
    let played = (asked.end - asked.start) + window.duration();
    if gap_seconds <= QUESTION_GAP_SECONDS
        || !(MIN_SETUP_WORDS..=MAX_SETUP_WORDS).contains(&word_count)
        || asked.end - asked.start > MAX_SETUP_SECONDS
        || !stands_alone
        || asked.start < context.bounds.0
        || played > max_seconds
    {
        return None;
    }
    let opening_end = window.end_sentence.min(first + OPENING_SENTENCES);
    let opening: String =
        sentences[first..opening_end].iter().map(|sentence| sentence.text.as_str()).collect::<Vec<_>>().join(" ");
    let shared = shared_words(&asked.text, &opening);
    let asked_stems = content_stems(without_label(&asked.text)).len();
    let answers = shared.len() >= MIN_SHARED_STEMS || (!shared.is_empty() && shared.len() * 2 >= asked_stems);
    answers.then_some(SetupMatch {
        setup: Setup { sentence: question, start: asked.start, end: asked.end },
        gap_seconds,
        shared,
    })
}

/// Whether a question sentence asks something of its own: it ends on its question mark (not on
/// a closing quote around a quoted question) and its last clause is more than a tag.
pub fn asks_something(text: &str) -> bool {
    let text = text.trim_end();
    let Some(body) = text.strip_suffix('?') else { return false };
    let body = body.replace("--", "—").replace(" - ", "—");
    let last_clause = body.rsplit([',', ';', '—']).next().unwrap_or(&body);
    last_clause.split_whitespace().count() > MAX_TAG_WORDS
}

/// The content words of `question` whose stems `answer` repeats, in the question's order
/// (speaker labels such as "Audience member:" left out of both).
pub fn shared_words(question: &str, answer: &str) -> Vec<String> {
    let answered: BTreeSet<String> =
        content_stems(without_label(answer)).into_iter().map(|(_, stemmed)| stemmed).collect();
    content_stems(without_label(question))
        .into_iter()
        .filter(|(_, stemmed)| answered.contains(stemmed))
        .map(|(word, _)| word)
        .collect()
}

/// `text` without a leading speaker label ("LG:", "Audience member:"; at most three words).
fn without_label(text: &str) -> &str {
    match text.split_once(':') {
        Some((label, rest)) if label.split_whitespace().count() <= 3 && !label.contains(['.', '?', '!']) => rest,
        _ => text,
    }
}

/// The content words of `text` with their stems, one per stem, in order of first use; a
/// contraction ("i'm", "that's") is no content word.
fn content_stems(text: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    for word in content_words(text).filter(|word| !word.contains(['\'', '’'])) {
        let stemmed = stem(&word);
        if found.iter().all(|(_, seen)| *seen != stemmed) {
            found.push((word, stemmed));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences::sentences;
    use crate::signals::Signals;
    use opusclip_core::{Sentence, Word};

    /// Words of each sentence, one every 0.4 s, with `pause` seconds after each sentence.
    fn timed(sentence_texts: &[&str], pause: f64) -> Vec<Word> {
        let mut t = 0.0;
        let mut words = Vec::new();
        for text in sentence_texts {
            for token in text.split_whitespace() {
                words.push(Word { text: token.into(), start: t, end: t + 0.35, confidence: 1.0, speaker: None });
                t += 0.4;
            }
            t += pause;
        }
        words
    }

    fn window_of(sentences: &[Sentence], first: usize, end: usize) -> Window {
        Window::new(sentences[first].start, sentences[end - 1].end, first, end)
    }

    const TALK: [&str; 6] = [
        "Why do most small bakeries fail in their first year?",
        "I asked that of forty owners over two summers.",
        "We drove from town to town with a notebook and a tape recorder.",
        "Most of them had never been asked anything.",
        "Bakeries fail because the owners price bread like a hobby, not a business.",
        "In the first year they lose money on every single loaf.",
    ];

    #[test]
    fn a_question_further_back_is_joined_to_the_answer_it_opens() {
        let words = timed(&TALK, 3.0);
        let found = sentences(&words);
        let signals = Signals::empty(200.0);
        let context = RefineContext::new(&found, &words, &signals, &[], (0.0, 200.0));
        let matched = find_setup(&context, &window_of(&found, 4, 6), 60.0).expect("a setup");
        assert_eq!(matched.setup.sentence, 0);
        assert!(matched.gap_seconds > QUESTION_GAP_SECONDS, "{matched:?}");
        assert_eq!(matched.shared, ["bakeries", "fail", "first", "year"], "{matched:?}");
    }

    #[test]
    fn no_setup_when_a_rule_fails() {
        let words = timed(&TALK, 3.0);
        let found = sentences(&words);
        let signals = Signals::empty(200.0);
        let context = RefineContext::new(&found, &words, &signals, &[], (0.0, 200.0));
        let answer = window_of(&found, 4, 6);
        // Too long once joined.
        assert_eq!(find_setup(&context, &answer, answer.duration() + 1.0), None);
        // The question is outside the timeframe.
        let late = RefineContext::new(&found, &words, &signals, &[], (found[1].start, 200.0));
        assert_eq!(find_setup(&late, &answer, 60.0), None);
        // The opening does not answer it (no shared content words).
        assert_eq!(find_setup(&context, &window_of(&found, 2, 4), 60.0), None);
        // Too far back.
        let far = timed(&TALK, 30.0);
        let far_sentences = sentences(&far);
        let far_context = RefineContext::new(&far_sentences, &far, &signals, &[], (0.0, 400.0));
        assert_eq!(find_setup(&far_context, &window_of(&far_sentences, 4, 6), 200.0), None);
        // Right before the answer: refinement takes it in whole, this does not join it.
        let near = timed(&[TALK[0], TALK[4], TALK[5]], 1.0);
        let near_sentences = sentences(&near);
        let near_context = RefineContext::new(&near_sentences, &near, &signals, &[], (0.0, 200.0));
        assert_eq!(find_setup(&near_context, &window_of(&near_sentences, 1, 3), 60.0), None);
    }

    #[test]
    fn a_short_or_dangling_question_is_no_setup() {
        let signals = Signals::empty(200.0);
        for question in ["Bakeries fail?", "And why do most small bakeries fail?"] {
            let texts = [question, TALK[1], TALK[2], TALK[4], TALK[5]];
            let words = timed(&texts, 3.0);
            let found = sentences(&words);
            let context = RefineContext::new(&found, &words, &signals, &[], (0.0, 200.0));
            assert_eq!(find_setup(&context, &window_of(&found, 3, 5), 60.0), None, "{question}");
        }
    }

    #[test]
    fn shared_words_keep_the_question_order_and_match_by_stem() {
        assert_eq!(
            shared_words("Why do bakeries fail so often?", "It failed because bakeries price badly."),
            ["bakeries", "fail"]
        );
        assert!(shared_words("Why now?", "Because.").is_empty());
        assert_eq!(
            shared_words("Audience member: I'm asking why bakeries fail?", "Audience member: I'm sure bakeries do."),
            ["bakeries"]
        );
    }

    #[test]
    fn tags_and_quoted_questions_ask_nothing() {
        assert!(asks_something("Why do most small bakeries fail in their first year?"));
        assert!(asks_something("So, what did you do, last time you got serious?"));
        assert!(asks_something("What does sleep do for your well-being?"));
        assert!(!asks_something("You eat well -- don't you?"));
        assert!(!asks_something("It's not the staff of life, right?"));
        assert!(!asks_something("That is the whole point, isn't it?"));
        assert!(!asks_something("All I knew was, \"Donde esta el bano?\""));
        assert!(!asks_something("This is a statement."));
    }
}

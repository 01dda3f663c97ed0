//! Splitting a transcript's words into sentences.
//!
//! Punctuated transcripts are split after every word that ends a sentence (`.`, `?`, `!`, `…`,
//! optionally followed by closing quotes or brackets). Transcripts without any such punctuation
//! (some ASR output, some subtitle files) are split at pauses of at least
//! [`PAUSE_SPLIT_SECONDS`], and — when their casing carries information (some words start in
//! upper case, most do not) — also before a capitalised word (not "I", "I'm", ...) after a pause
//! of at least [`CASING_PAUSE_SECONDS`]. Either way, no sentence is left longer than
//! [`MAX_SENTENCE_SECONDS`]: longer ones are split at their longest internal pause, repeatedly.

use opusclip_core::{Sentence, Word};

/// A gap between two words at least this long ends a sentence when nothing is punctuated.
pub const PAUSE_SPLIT_SECONDS: f64 = 0.6;

/// Without punctuation, a capitalised word after a gap at least this long starts a sentence
/// (when the transcript's casing carries information).
pub const CASING_PAUSE_SECONDS: f64 = 0.2;

/// Casing carries information when at most this share of words start in upper case.
const MAX_CAPITALISED_SHARE: f64 = 0.5;

/// Capitalised words that do not start a sentence by themselves.
const ALWAYS_CAPITALISED: [&str; 6] = ["I", "I'm", "I've", "I'll", "I'd", "OK"];

/// Sentences longer than this are split at their longest internal pause.
pub const MAX_SENTENCE_SECONDS: f64 = 25.0;

/// Characters that end a sentence.
const TERMINAL_PUNCTUATION: [char; 4] = ['.', '?', '!', '…'];

/// Characters that may follow the terminal punctuation and still belong to the sentence.
const CLOSING_MARKS: [char; 8] = ['"', '\'', '”', '’', '»', ')', ']', '}'];

/// Words ending in a period that do not end a sentence.
const ABBREVIATIONS: [&str; 12] =
    ["mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "vs.", "etc.", "e.g.", "i.e.", "jr.", "sr."];

/// Split `words` into sentences, in order, covering every word exactly once.
///
/// Each sentence's `text` is its words' texts (trimmed) joined with single spaces.
///
/// ```
/// use opusclip_core::Word;
/// let word = |text: &str, start: f64| Word {
///     text: text.into(), start, end: start + 0.3, confidence: 1.0, speaker: None,
/// };
/// let words = [word("Hi", 0.0), word("there.", 0.4), word("Why?", 1.0)];
/// let sentences = opusclip_select::sentences(&words);
/// assert_eq!(sentences.len(), 2);
/// assert_eq!(sentences[0].text, "Hi there.");
/// ```
pub fn sentences(words: &[Word]) -> Vec<Sentence> {
    let spans = if words.iter().any(|word| ends_sentence(&word.text)) {
        spans_at_punctuation(words)
    } else {
        spans_at_pauses(words)
    };
    spans
        .into_iter()
        .flat_map(|span| cap_length(words, span))
        .map(|(first, end)| build_sentence(words, first, end))
        .collect()
}

/// Whether a word's text ends a sentence: terminal punctuation, then optional closing marks.
pub fn ends_sentence(text: &str) -> bool {
    let trimmed = text.trim_end().trim_end_matches(CLOSING_MARKS);
    if !trimmed.ends_with(TERMINAL_PUNCTUATION) {
        return false;
    }
    let lower = trimmed.to_lowercase();
    !ABBREVIATIONS.contains(&lower.as_str())
}

/// Word index ranges `[first, end)` split after each sentence-ending word.
fn spans_at_punctuation(words: &[Word]) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut first = 0;
    for (index, word) in words.iter().enumerate() {
        if ends_sentence(&word.text) {
            spans.push((first, index + 1));
            first = index + 1;
        }
    }
    if first < words.len() {
        spans.push((first, words.len()));
    }
    spans
}

/// Word index ranges `[first, end)` split at every pause of at least [`PAUSE_SPLIT_SECONDS`],
/// and at shorter pauses (at least [`CASING_PAUSE_SECONDS`]) before a capitalised word when the
/// casing carries information.
fn spans_at_pauses(words: &[Word]) -> Vec<(usize, usize)> {
    let use_casing = casing_is_informative(words);
    let mut spans = Vec::new();
    let mut first = 0;
    for index in 1..words.len() {
        let pause = pause_before(words, index);
        let capital_start = use_casing && pause >= CASING_PAUSE_SECONDS && starts_capitalised(&words[index].text);
        if pause >= PAUSE_SPLIT_SECONDS || capital_start {
            spans.push((first, index));
            first = index;
        }
    }
    if first < words.len() {
        spans.push((first, words.len()));
    }
    spans
}

/// Whether a word starts in upper case and is not one that always does ("I", "I'm", ...).
fn starts_capitalised(text: &str) -> bool {
    let text = text.trim().trim_start_matches(|c: char| !c.is_alphanumeric());
    let normalized = text.replace('’', "'");
    let word = normalized.trim_end_matches(|c: char| !c.is_alphanumeric());
    text.chars().next().is_some_and(char::is_uppercase) && !ALWAYS_CAPITALISED.contains(&word)
}

/// Whether some words start in upper case but not most (all-caps or all-lower text says
/// nothing about sentence starts).
fn casing_is_informative(words: &[Word]) -> bool {
    let capitalised = words.iter().filter(|word| starts_capitalised(&word.text)).count();
    capitalised > 0 && (capitalised as f64) <= MAX_CAPITALISED_SHARE * words.len() as f64
}

/// Silence between word `index - 1` and word `index` (0 when they touch or overlap).
fn pause_before(words: &[Word], index: usize) -> f64 {
    let gap = words[index].start - words[index - 1].end;
    if gap.is_finite() {
        gap.max(0.0)
    } else {
        0.0
    }
}

/// Split a span longer than [`MAX_SENTENCE_SECONDS`] at its longest pause until every piece fits
/// (or is a single word).
fn cap_length(words: &[Word], span: (usize, usize)) -> Vec<(usize, usize)> {
    let mut done = Vec::new();
    let mut pending = vec![span];
    while let Some((first, end)) = pending.pop() {
        let too_long = span_seconds(words, first, end) > MAX_SENTENCE_SECONDS;
        if too_long && end - first > 1 {
            let split = longest_pause_split(words, first, end);
            // Pushed in reverse so the earlier half is processed (and emitted) first.
            pending.push((split, end));
            pending.push((first, split));
        } else {
            done.push((first, end));
        }
    }
    done
}

/// Seconds from the first word's start to the latest end among the words of `[first, end)`.
fn span_seconds(words: &[Word], first: usize, end: usize) -> f64 {
    let span_end = words[first..end].iter().map(|word| word.end).fold(f64::NEG_INFINITY, f64::max);
    span_end - words[first].start
}

/// The index of the word that starts the second piece: after the longest pause, ties broken by
/// closeness to the middle of the span (so runs of touching words split evenly).
fn longest_pause_split(words: &[Word], first: usize, end: usize) -> usize {
    let middle = (first + end) as f64 / 2.0;
    let mut best = first + 1;
    let mut best_key = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for index in first + 1..end {
        let key = (pause_before(words, index), -(index as f64 - middle).abs());
        if key > best_key {
            best = index;
            best_key = key;
        }
    }
    best
}

fn build_sentence(words: &[Word], first: usize, end: usize) -> Sentence {
    let span = &words[first..end];
    let start = span[0].start;
    let latest_end = span.iter().map(|word| word.end).fold(start, f64::max);
    let text = span.iter().map(|word| word.text.trim()).filter(|text| !text.is_empty()).collect::<Vec<_>>().join(" ");
    Sentence { first_word: first, end_word: end, start, end: latest_end, text }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start: f64, end: f64) -> Word {
        Word { text: text.into(), start, end, confidence: 1.0, speaker: None }
    }

    /// Words spaced evenly, 0.3 s long with 0.1 s gaps.
    fn evenly(texts: &[&str]) -> Vec<Word> {
        texts.iter().enumerate().map(|(i, text)| word(text, i as f64 * 0.4, i as f64 * 0.4 + 0.3)).collect()
    }

    fn texts(sentences: &[Sentence]) -> Vec<&str> {
        sentences.iter().map(|s| s.text.as_str()).collect()
    }

    #[test]
    fn splits_at_terminal_punctuation() {
        let words = evenly(&["Hello", "world.", "Is", "it", "you?", "Yes!", "Well…", "ok"]);
        let found = sentences(&words);
        assert_eq!(texts(&found), ["Hello world.", "Is it you?", "Yes!", "Well…", "ok"]);
        assert_eq!((found[1].first_word, found[1].end_word), (2, 5));
        assert_eq!(found[1].start, words[2].start);
        assert_eq!(found[1].end, words[4].end);
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        let words = evenly(&["He", "said", "\"stop.\"", "Then", "left."]);
        assert_eq!(texts(&sentences(&words)), ["He said \"stop.\"", "Then left."]);
        assert!(ends_sentence("right?”"));
        assert!(ends_sentence("(really!)"));
        assert!(!ends_sentence("\"quoted\""));
    }

    #[test]
    fn abbreviations_do_not_end_sentences() {
        let words = evenly(&["Ask", "Dr.", "Smith", "now."]);
        assert_eq!(texts(&sentences(&words)), ["Ask Dr. Smith now."]);
    }

    #[test]
    fn unpunctuated_text_splits_at_long_pauses() {
        let words = vec![
            word("so", 0.0, 0.3),
            word("we", 0.35, 0.6),
            word("started", 1.3, 1.8), // 0.7 s pause before
            word("here", 1.9, 2.2),
            word("then", 2.7, 3.0),  // 0.5 s: not enough
            word("moved", 3.8, 4.1), // 0.8 s
        ];
        assert_eq!(texts(&sentences(&words)), ["so we", "started here then", "moved"]);
    }

    #[test]
    fn unpunctuated_cased_text_splits_at_short_pauses_before_capitals() {
        let words = vec![
            word("we", 0.0, 0.3),
            word("met", 0.35, 0.6),
            word("John", 0.65, 0.9), // a name after a short gap: no split
            word("There", 1.2, 1.5), // 0.3 s gap, capitalised: a new sentence
            word("I", 1.55, 1.7),    // "I" never starts one by its case
            word("think", 2.0, 2.3),
            word("it", 2.35, 2.5),
            word("worked", 2.55, 2.9),
        ];
        assert_eq!(texts(&sentences(&words)), ["we met John", "There I think it worked"]);
        // All lower case or all capitals: only the long pauses count.
        let shouting: Vec<Word> = words.iter().map(|w| word(&w.text.to_uppercase(), w.start, w.end)).collect();
        assert_eq!(sentences(&shouting).len(), 1);
        let lower: Vec<Word> = words.iter().map(|w| word(&w.text.to_lowercase(), w.start, w.end)).collect();
        assert_eq!(sentences(&lower).len(), 1);
    }

    #[test]
    fn pauses_are_ignored_when_the_text_is_punctuated() {
        let words = vec![word("one", 0.0, 0.3), word("two.", 2.0, 2.3), word("three", 5.0, 5.3)];
        assert_eq!(texts(&sentences(&words)), ["one two.", "three"]);
    }

    #[test]
    fn long_sentences_split_at_their_longest_pause() {
        // 40 words over 40 s with no punctuation and short pauses, one 0.5 s pause at word 20.
        let mut words = Vec::new();
        let mut t = 0.0;
        for i in 0..40 {
            if i == 20 {
                t += 0.4;
            }
            words.push(word("la", t, t + 0.9));
            t += 1.0;
        }
        let found = sentences(&words);
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(found[0].end_word, 20);
        for sentence in &found {
            assert!(sentence.end - sentence.start <= MAX_SENTENCE_SECONDS);
        }
    }

    #[test]
    fn touching_words_split_near_the_middle() {
        let words: Vec<Word> = (0..60).map(|i| word("go", i as f64, i as f64 + 1.0)).collect();
        let found = sentences(&words);
        assert!(found.len() >= 3);
        assert!(found.iter().all(|s| s.end - s.start <= MAX_SENTENCE_SECONDS));
        assert!(found.iter().all(|s| s.end_word - s.first_word >= 10));
    }

    #[test]
    fn covers_every_word_once_and_handles_empty_input() {
        assert!(sentences(&[]).is_empty());
        let words = evenly(&["a.", "b", "c?", "d"]);
        let found = sentences(&words);
        assert_eq!(found[0].first_word, 0);
        assert_eq!(found.last().map(|s| s.end_word), Some(words.len()));
        for pair in found.windows(2) {
            assert_eq!(pair[0].end_word, pair[1].first_word);
        }
    }
}

//! Titles, descriptions and hashtags for a clip, taken from its own words (extractive and
//! deterministic: the same text always gives the same result). Hashtags are the clip's
//! [`keyphrases`](crate::keyphrases()); titles are its hook sentence, kept to ~60 characters.

use crate::keyphrases::{content_word, distinct_keyphrases, is_stopword};
use crate::sentences::ends_sentence;

/// Longest title, in characters (including a closing `…`).
pub const MAX_TITLE_CHARS: usize = 60;
/// Longest description, in characters (including a closing `…`).
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// Most hashtags given.
const MAX_HASHTAGS: usize = 5;
/// Fewest hashtags given when the clip has that many content words.
const MIN_HASHTAGS: usize = 3;
/// Words that open a spoken sentence without belonging in a title.
const LEADING_FILLERS: [&str; 12] = ["so", "and", "but", "um", "uh", "erm", "well", "like", "okay", "ok", "now", "oh"];

/// Words never made into hashtags (the keyphrase ranker's stopword list).
pub use crate::keyphrases::STOPWORDS;

/// The text published with a clip.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClipText {
    /// The hook sentence, at most [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// The first one or two sentences, at most [`MAX_DESCRIPTION_CHARS`] characters.
    pub description: String,
    /// Three to five `#CamelCase` tags from the clip's keyphrases (fewer only when the clip
    /// has fewer content words).
    pub hashtags: Vec<String>,
}

/// Title, description and hashtags for a clip from its text.
///
/// `sentences_of_clip` are the clip's sentences in order (when empty, `candidate_text` is split
/// at sentence-ending punctuation); `start_seconds` names a clip without any words
/// ("Clip at 01:23").
///
/// - Title: the hook (first) sentence without leading fillers ("So, and, um, well …"), first
///   letter capitalised, no closing period. Past [`MAX_TITLE_CHARS`], its best clause that
///   fits (the one holding most of the clip's keyphrases, at least four words) is used, else it
///   is cut on a word boundary before a content word and closed with `…`.
/// - Description: the first sentence, and the second when both fit [`MAX_DESCRIPTION_CHARS`].
/// - Hashtags: the best keyphrases of `candidate_text` (or of the sentences when it is
///   empty) that share no word, camel-cased: 3–5 when there are that many content words.
///
/// ```
/// let text = opusclip_select::describe(
///     "Why do startups fail? Startups fail when founders ignore customers.",
///     &["Why do startups fail?", "Startups fail when founders ignore customers."],
///     83.0,
/// );
/// assert_eq!(text.title, "Why do startups fail?");
/// assert_eq!(text.hashtags[..2], ["#StartupsFail", "#Founders"]);
/// assert_eq!(opusclip_select::describe("", &[], 83.0).title, "Clip at 01:23");
/// ```
pub fn describe(candidate_text: &str, sentences_of_clip: &[&str], start_seconds: f64) -> ClipText {
    let mut sentences: Vec<String> = sentences_of_clip
        .iter()
        .map(|sentence| sentence.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|sentence| !sentence.is_empty())
        .collect();
    if sentences.is_empty() {
        sentences = split_sentences(candidate_text);
    }
    let Some(first) = sentences.first() else {
        return ClipText { title: format!("Clip at {}", timestamp(start_seconds)), ..ClipText::default() };
    };
    let hashtag_source =
        if candidate_text.trim().is_empty() { sentences.join(" ") } else { candidate_text.to_string() };
    let hashtags = hashtags(&hashtag_source);
    ClipText { title: title(first, &hashtag_source), description: description(&sentences), hashtags }
}

/// The hook sentence as a title of at most [`MAX_TITLE_CHARS`] characters.
fn title(sentence: &str, clip_text: &str) -> String {
    let spoken = without_leading_fillers(sentence.trim());
    let trimmed = spoken.trim_end_matches('.');
    let trimmed = if trimmed.is_empty() { sentence.trim() } else { trimmed };
    if char_count(trimmed) <= MAX_TITLE_CHARS {
        return capitalized(trimmed);
    }
    if let Some(clause) = best_clause(trimmed, clip_text) {
        return capitalized(&clause);
    }
    capitalized(&shorten(trimmed, MAX_TITLE_CHARS))
}

/// The sentence without the fillers and conjunctions it opens with (and their commas); the
/// sentence itself when nothing else would be left.
fn without_leading_fillers(sentence: &str) -> &str {
    let mut rest = sentence;
    loop {
        let Some((first, after)) = rest.split_once(char::is_whitespace) else {
            return rest;
        };
        let word = first.trim_end_matches([',', '.', '…', '-', '—']).to_lowercase();
        if !LEADING_FILLERS.contains(&word.as_str()) || after.trim().is_empty() {
            return rest;
        }
        rest = after.trim_start();
    }
}

/// The clause of a long sentence (split at `, ; : — –`) that fits a title, has at least four
/// words and holds the clip's best keyphrases (the sum of their scores; ties: the earlier).
fn best_clause(sentence: &str, clip_text: &str) -> Option<String> {
    let phrases = distinct_keyphrases(clip_text, MIN_HASHTAGS, MAX_HASHTAGS);
    let mut best: Option<(f64, String)> = None;
    for clause in sentence.split([',', ';', ':', '—', '–']).map(|c| without_leading_fillers(c.trim())) {
        let clause = clause.trim_end_matches(['.', '?', '!']).trim();
        if char_count(clause) > MAX_TITLE_CHARS || clause.split_whitespace().count() < 4 {
            continue;
        }
        let words: Vec<String> = clause.split_whitespace().filter_map(content_word).collect();
        let weight: f64 = phrases
            .iter()
            .filter(|phrase| phrase.words.iter().all(|word| words.contains(word)))
            .map(|phrase| phrase.score)
            .sum();
        if weight > 0.0 && best.as_ref().is_none_or(|(most, _)| weight > *most) {
            best = Some((weight, clause.to_string()));
        }
    }
    best.map(|(_, clause)| clause)
}

fn capitalized(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

/// The first sentence, and the second when both fit.
fn description(sentences: &[String]) -> String {
    let first = &sentences[0];
    if let Some(second) = sentences.get(1) {
        let both = format!("{first} {second}");
        if char_count(&both) <= MAX_DESCRIPTION_CHARS {
            return both;
        }
    }
    shorten(first, MAX_DESCRIPTION_CHARS)
}

/// `text` as it is when it fits in `limit` characters, else cut at the last word boundary that
/// leaves room for `…` (or mid-word when one word is longer than the limit).
fn shorten(text: &str, limit: usize) -> String {
    if char_count(text) <= limit {
        return text.to_string();
    }
    let room = limit.saturating_sub(1);
    let mut kept = String::new();
    for word in text.split_whitespace() {
        let needed = char_count(word) + usize::from(!kept.is_empty());
        if char_count(&kept) + needed > room {
            break;
        }
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(word);
    }
    if kept.is_empty() {
        kept = text.chars().take(room).collect();
    }
    let mut kept_words: Vec<&str> = kept.split_whitespace().collect();
    while kept_words.len() > 1 && kept_words.last().is_some_and(|word| ends_on_a_function_word(word)) {
        kept_words.pop();
    }
    let kept = kept_words.join(" ");
    let kept = kept.trim_end_matches([',', ';', ':', '-', '—', '–']);
    format!("{kept}…")
}

/// A shortened text should not stop on a function word ("the lesson I learned from…").
fn ends_on_a_function_word(word: &str) -> bool {
    let bare = word.trim_matches(|c: char| !c.is_alphanumeric());
    !bare.is_empty() && is_stopword(bare)
}

/// [`MIN_HASHTAGS`]–[`MAX_HASHTAGS`] `#CamelCase` tags from the text's distinct keyphrases.
fn hashtags(text: &str) -> Vec<String> {
    distinct_keyphrases(text, MIN_HASHTAGS, MAX_HASHTAGS).iter().map(|phrase| phrase.hashtag()).collect()
}

/// Split text after sentence-ending words.
fn split_sentences(text: &str) -> Vec<String> {
    let mut sentences = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for token in text.split_whitespace() {
        current.push(token);
        if ends_sentence(token) {
            sentences.push(current.join(" "));
            current.clear();
        }
    }
    if !current.is_empty() {
        sentences.push(current.join(" "));
    }
    sentences
}

/// `MM:SS`, or `H:MM:SS` from an hour on; negative or non-finite times read as 0.
fn timestamp(seconds: f64) -> String {
    let whole = if seconds.is_finite() && seconds > 0.0 { seconds.floor() as u64 } else { 0 };
    let (hours, minutes, secs) = (whole / 3600, whole / 60 % 60, whole % 60);
    if hours > 0 {
        format!("{hours}:{minutes:02}:{secs:02}")
    } else {
        format!("{minutes:02}:{secs:02}")
    }
}

fn char_count(text: &str) -> usize {
    text.chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_the_hook_sentence_cut_on_a_word_boundary() {
        let long = "Here is the single most important lesson I learned from building three companies.";
        let text = describe(long, &[long], 0.0);
        assert!(char_count(&text.title) <= MAX_TITLE_CHARS, "{}", text.title);
        assert!(text.title.ends_with('…'));
        assert_eq!(text.title, "Here is the single most important lesson I learned…");
        let short = describe("Stop doing this.", &["Stop doing this."], 0.0);
        assert_eq!(short.title, "Stop doing this");
    }

    #[test]
    fn titles_drop_leading_fillers_and_keep_the_clause_about_the_clip() {
        let text = describe("So, um, why do we sleep?", &["So, um, why do we sleep?"], 0.0);
        assert_eq!(text.title, "Why do we sleep?");
        assert_eq!(describe("So.", &["So."], 0.0).title, "So");
        let hook = "When I started out twenty years ago in a tiny garage in Ohio, \
                    nobody believed solar panels would ever pay for themselves.";
        let clip = format!("{hook} Solar panels now pay back in six years. Cheap solar panels changed everything.");
        let text = describe(&clip, &[hook], 0.0);
        assert_eq!(text.title, "Nobody believed solar panels would ever pay for themselves");
        assert!(char_count(&text.title) <= MAX_TITLE_CHARS);
        assert_eq!(text.hashtags[0], "#SolarPanels");
    }

    #[test]
    fn a_single_huge_word_is_cut_mid_word() {
        let word = "a".repeat(100);
        let title = describe(&word, &[], 0.0).title;
        assert_eq!(char_count(&title), MAX_TITLE_CHARS);
    }

    #[test]
    fn description_takes_one_or_two_sentences() {
        let sentences = ["First point here.", "Second point there.", "Third one."];
        let text = describe(&sentences.join(" "), &sentences, 0.0);
        assert_eq!(text.description, "First point here. Second point there.");
        let long_second = format!("{} end.", "word ".repeat(60));
        let text = describe("", &["Short first.", &long_second], 0.0);
        assert_eq!(text.description, "Short first.");
        let huge_first = "word ".repeat(80);
        let text = describe("", &[&huge_first], 0.0);
        assert!(char_count(&text.description) <= MAX_DESCRIPTION_CHARS);
    }

    #[test]
    fn hashtags_are_frequent_content_words_camel_cased() {
        let text = "Machine learning changed everything. The machine learns from data, \
                    and the data decides. Self-driving cars need data and machine vision. \
                    Self-driving data wins.";
        let tags = describe(text, &[], 0.0).hashtags;
        assert_eq!(tags[0], "#Data");
        assert_eq!(tags[1], "#Machine");
        assert!(tags.contains(&"#SelfDriving".to_string()), "{tags:?}");
        assert!((3..=5).contains(&tags.len()));
        assert!(tags.iter().all(|t| !t.contains(|c: char| c.is_whitespace() || c == '.')));
    }

    #[test]
    fn stopwords_numbers_and_possessives_are_handled() {
        let tags = describe("The the the and 2024 you you Tesla's tesla engine engine rocket", &[], 0.0).hashtags;
        assert_eq!(tags, ["#Tesla", "#Engine", "#Rocket"]);
    }

    #[test]
    fn empty_text_is_named_after_its_start_time() {
        let text = describe("", &[], 83.9);
        assert_eq!(text.title, "Clip at 01:23");
        assert!(text.description.is_empty() && text.hashtags.is_empty());
        assert_eq!(describe("  ", &["  "], 3725.0).title, "Clip at 1:02:05");
        assert_eq!(timestamp(-5.0), "00:00");
    }

    #[test]
    fn sentences_are_derived_from_the_text_when_not_given() {
        let text = describe("Is this real? Yes it is.", &[], 0.0);
        assert_eq!(text.title, "Is this real?");
        assert_eq!(text.description, "Is this real? Yes it is.");
    }
}

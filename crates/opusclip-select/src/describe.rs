//! Titles, descriptions and hashtags for a clip, taken from its own words (extractive and
//! deterministic: the same text always gives the same result). Hashtags are the clip's
//! [`keyphrases`](crate::keyphrases()); titles are its hook sentence, kept to ~60 characters.

use crate::keyphrases::{distinct_keyphrases, is_stopword, named_entities, Keyphrase};
use crate::sentences::ends_sentence;
use crate::title::title;

pub use crate::title::MAX_TITLE_CHARS;
/// Longest description, in characters (including a closing `…`).
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// Most hashtags given.
const MAX_HASHTAGS: usize = 5;
/// Most hashtags made from names.
const MAX_NAME_HASHTAGS: usize = 2;
/// Fewest hashtags given when the clip has that many content words.
const MIN_HASHTAGS: usize = 3;

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
/// - Title: a whole hook phrase of at most [`MAX_TITLE_CHARS`] characters from the clip's
///   strongest sentence or clause (see [`crate::title`]): leading fillers ("So, and, um, well
///   …") dropped, first letter capitalised, no closing period, never cut mid-phrase.
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
    if sentences.is_empty() {
        return ClipText { title: format!("Clip at {}", timestamp(start_seconds)), ..ClipText::default() };
    };
    let hashtag_source =
        if candidate_text.trim().is_empty() { sentences.join(" ") } else { candidate_text.to_string() };
    let phrases = distinct_keyphrases(&hashtag_source, MIN_HASHTAGS, MAX_HASHTAGS);
    let hashtags = hashtags(&hashtag_source, &phrases);
    ClipText { title: title(&sentences, &phrases), description: description(&sentences), hashtags }
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

/// [`MIN_HASHTAGS`]–[`MAX_HASHTAGS`] `#CamelCase` tags from names and keyphrases: names said
/// more than once or of several words (`#KhanAcademy`) first, then the best keyphrase, then the
/// other names (at most [`MAX_NAME_HASHTAGS`] names in all), then the other keyphrases. A
/// keyphrase never repeats a word of a tag already given (no `#Khan` beside `#KhanAcademy`), and
/// no tag comes twice (any case).
fn hashtags(text: &str, phrases: &[Keyphrase]) -> Vec<String> {
    let names: Vec<(Keyphrase, bool)> = named_entities(text)
        .into_iter()
        .take(MAX_NAME_HASHTAGS)
        .map(|(words, count)| {
            let strong = count > 1 || words.len() > 1;
            (Keyphrase { words, score: 0.0, count }, strong)
        })
        .collect();
    let strong_names = names.iter().filter(|(_, strong)| *strong).map(|(name, _)| name);
    let weak_names = names.iter().filter(|(_, strong)| !*strong).map(|(name, _)| name);
    let ordered: Vec<(&Keyphrase, bool)> = strong_names
        .map(|name| (name, true))
        .chain(phrases.first().map(|phrase| (phrase, false)))
        .chain(weak_names.map(|name| (name, true)))
        .chain(phrases.iter().skip(1).map(|phrase| (phrase, false)))
        .collect();
    let name_words: Vec<&String> = names.iter().flat_map(|(name, _)| &name.words).collect();
    let mut tags: Vec<String> = Vec::new();
    let mut used_words: Vec<&String> = Vec::new();
    for (phrase, is_name) in ordered {
        let tag = phrase.hashtag();
        // Names may share a word ("Sal Khan", "Khan Academy"): each is whole on its own.
        let repeats =
            !is_name && phrase.words.iter().any(|word| used_words.contains(&word) || name_words.contains(&word));
        let known = tags.iter().any(|given| given.eq_ignore_ascii_case(&tag));
        if tags.len() < MAX_HASHTAGS && !repeats && !known {
            used_words.extend(&phrase.words);
            tags.push(tag);
        }
    }
    tags
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
    fn title_is_a_whole_phrase_never_cut_with_an_ellipsis() {
        let long = "Here is the single most important lesson I learned from building three companies.";
        let text = describe(long, &[long], 0.0);
        assert!(char_count(&text.title) <= MAX_TITLE_CHARS, "{}", text.title);
        assert_eq!(text.title, "Here is the single most important lesson I learned");
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
    fn names_are_joined_and_never_split_into_their_words() {
        let text = "I talked to Sal Khan about Khan Academy. Khan Academy is free. \
                    Sal Khan said Khan Academy videos blew my mind, so far the best.";
        let tags = describe(text, &[], 0.0).hashtags;
        assert_eq!(tags[..2], ["#KhanAcademy", "#SalKhan"], "{tags:?}");
        for word in ["#Khan", "#Academy", "#Sal", "#Far", "#Blown", "#Blew"] {
            assert!(!tags.contains(&word.to_string()), "{word} in {tags:?}");
        }
        assert!(tags.contains(&"#Videos".to_string()), "{tags:?}");
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

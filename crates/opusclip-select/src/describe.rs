//! Titles, descriptions and hashtags for a clip, taken from its own words (extractive and
//! deterministic: the same text always gives the same result).

use crate::sentences::ends_sentence;
use std::collections::HashMap;

/// Longest title, in characters (including a closing `…`).
pub const MAX_TITLE_CHARS: usize = 60;
/// Longest description, in characters (including a closing `…`).
pub const MAX_DESCRIPTION_CHARS: usize = 200;
/// Most hashtags given.
const MAX_HASHTAGS: usize = 5;
/// Shortest word that can become a hashtag.
const MIN_HASHTAG_WORD_CHARS: usize = 3;

/// Words never made into hashtags: English function words and the fillers of speech.
#[rustfmt::skip]
pub const STOPWORDS: &[&str] = &[
    "a", "about", "above", "actually", "after", "again", "against", "all", "also", "always", "am",
    "an", "and", "any", "anything", "are", "around", "as", "at", "back", "basically", "be",
    "because", "been", "before", "being", "below", "between", "both", "but", "by", "came", "can",
    "cannot", "could", "did", "do", "does", "doing", "done", "down", "during", "each", "even",
    "ever", "every", "everyone", "everything", "few", "for", "from", "further", "get", "gets",
    "getting", "go", "goes", "going", "gonna", "got", "gotta", "had", "has", "have", "having",
    "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "however", "i", "if",
    "in", "into", "is", "it", "its", "itself", "just", "kind", "know", "let", "like", "literally",
    "lot", "lots", "made", "make", "makes", "many", "maybe", "me", "mean", "might", "more", "most",
    "much", "must", "my", "myself", "need", "never", "no", "nor", "not", "nothing", "now", "of",
    "off", "okay", "on", "once", "one", "only", "or", "other", "our", "ours", "ourselves", "out",
    "over", "own", "people", "pretty", "probably", "put", "quite", "really", "right", "said",
    "same", "say", "says", "see", "she", "should", "so", "some", "something", "sort", "still",
    "stuff", "such", "sure", "take", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "thing", "things", "think", "this", "those",
    "though", "through", "to", "too", "took", "under", "until", "up", "us", "very", "via", "want",
    "wanna", "was", "way", "we", "well", "went", "were", "what", "when", "where", "whether",
    "which", "while", "who", "whom", "why", "will", "with", "within", "without", "would", "yeah",
    "yes", "yet", "you", "your", "yours", "yourself", "yourselves", "um", "uh", "erm", "hmm", "oh",
    "ok",
];

/// The text published with a clip.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClipText {
    /// The hook sentence, at most [`MAX_TITLE_CHARS`] characters.
    pub title: String,
    /// The first one or two sentences, at most [`MAX_DESCRIPTION_CHARS`] characters.
    pub description: String,
    /// Up to five `#CamelCase` tags from the clip's most frequent content words.
    pub hashtags: Vec<String>,
}

/// Title, description and hashtags for a clip from its text.
///
/// `sentences_of_clip` are the clip's sentences in order (when empty, `candidate_text` is split
/// at sentence-ending punctuation); `start_seconds` names a clip without any words
/// ("Clip at 01:23"). Hashtags come from `candidate_text` (or the sentences when it is empty):
/// the most frequent words of at least three letters that are not in [`STOPWORDS`], ties
/// going to the earlier word; 3–5 when there are that many.
///
/// ```
/// let text = opusclip_select::describe(
///     "Why do startups fail? Startups fail when founders ignore customers.",
///     &["Why do startups fail?", "Startups fail when founders ignore customers."],
///     83.0,
/// );
/// assert_eq!(text.title, "Why do startups fail?");
/// assert_eq!(text.hashtags[..2], ["#Startups", "#Fail"]);
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
    ClipText { title: title(first), description: description(&sentences), hashtags: hashtags(&hashtag_source) }
}

/// The hook sentence without a closing period, shortened on a word boundary.
fn title(sentence: &str) -> String {
    let trimmed = sentence.trim().trim_end_matches('.');
    let trimmed = if trimmed.is_empty() { sentence.trim() } else { trimmed };
    shorten(trimmed, MAX_TITLE_CHARS)
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
    let kept = kept.trim_end_matches([',', ';', ':', '-', '—', '–']);
    format!("{kept}…")
}

/// Up to [`MAX_HASHTAGS`] `#CamelCase` tags from the most frequent content words.
fn hashtags(text: &str) -> Vec<String> {
    let mut counts: HashMap<String, (usize, usize)> = HashMap::new();
    for (position, word) in text.split_whitespace().filter_map(content_word).enumerate() {
        counts.entry(word).or_insert((0, position)).0 += 1;
    }
    let mut ranked: Vec<(String, usize, usize)> =
        counts.into_iter().map(|(word, (count, first_position))| (word, count, first_position)).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    ranked.into_iter().take(MAX_HASHTAGS).map(|(word, _, _)| camel_case_tag(&word)).collect()
}

/// The lower-case content word of a token, or `None` for stopwords, numbers and short words.
fn content_word(token: &str) -> Option<String> {
    let token = token.replace('’', "'").to_lowercase();
    let token = token.trim_matches(|c: char| !c.is_alphanumeric());
    let token = token.strip_suffix("'s").unwrap_or(token);
    let is_word = token.chars().all(|c| c.is_alphanumeric() || c == '-') && token.chars().any(char::is_alphabetic);
    let long_enough = token.chars().filter(|c| c.is_alphanumeric()).count() >= MIN_HASHTAG_WORD_CHARS;
    (is_word && long_enough && !STOPWORDS.contains(&token)).then(|| token.to_string())
}

/// `self-driving` → `#SelfDriving`.
fn camel_case_tag(word: &str) -> String {
    let mut tag = String::from("#");
    for part in word.split('-') {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            tag.extend(first.to_uppercase());
            tag.push_str(chars.as_str());
        }
    }
    tag
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
        assert_eq!(text.title, "Here is the single most important lesson I learned from…");
        let short = describe("Stop doing this.", &["Stop doing this."], 0.0);
        assert_eq!(short.title, "Stop doing this");
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

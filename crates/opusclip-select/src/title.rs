//! Choosing a clip's title: a whole hook phrase from its strongest sentence, never cut mid-phrase.
//!
//! Every sentence of the clip, and every clause of one (split at `, ; : — –`), is a candidate
//! when it fits [`MAX_TITLE_CHARS`], has at least [`MIN_TITLE_WORDS`] words and does not stop on
//! a function word. Leading fillers ("so, um, well") are dropped first. A candidate's strength:
//! a question (+3), a bold or contrarian word (+2), a number (+1), direct address (+1), the
//! share of the clip's keyphrases it holds (up to +2), a whole sentence (+1), the clip's first
//! sentence (+1.5), its length (up to +1 at eight words; a clause needs four); a dangling opener ("it", "this", "the other") costs 4. The strongest wins
//! (ties: the earlier). When nothing fits, the title is the longest opening of the first
//! sentence that ends where a phrase ends (a content word before a function word: "Here is the
//! most important lesson I learned | from …"), else the clip's best keyphrases.

use crate::keyphrases::{content_word, is_stopword, Keyphrase};
use crate::lexicon::{dangling_opening, is_number, normalize, BOLD_WORDS, DIRECT_ADDRESS};

/// Longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 60;
/// Fewest words of a title phrase.
pub const MIN_TITLE_WORDS: usize = 3;
/// Fewest words of a clause (part of a sentence) as a title.
const MIN_CLAUSE_WORDS: usize = 4;
/// A title of this many words earns the full point for saying enough.
const FULL_LENGTH_WORDS: usize = 8;
/// Words that open a spoken sentence without belonging in a title.
const LEADING_FILLERS: [&str; 12] = ["so", "and", "but", "um", "uh", "erm", "well", "like", "okay", "ok", "now", "oh"];

/// The title of a clip whose sentences are `sentences` (at least one) and whose distinct
/// keyphrases are `phrases` (best first).
pub(crate) fn title(sentences: &[String], phrases: &[Keyphrase]) -> String {
    let mut best: Option<(f64, String)> = None;
    for (index, sentence) in sentences.iter().enumerate() {
        let whole = phrase_of(sentence);
        let clauses: Vec<String> = sentence.split([',', ';', ':', '—', '–']).map(phrase_of).collect();
        // A sentence cut off without its closing punctuation (split at a long pause) ends nowhere
        // a title may end: its pieces count as inner clauses.
        let finished = sentence.trim_end().ends_with(['.', '?', '!', '…', '"', '”']);
        let last_clause = if finished { clauses.len().saturating_sub(1) } else { usize::MAX };
        let whole_piece = if finished { Piece::Sentence } else { Piece::Clause };
        let candidates = std::iter::once((whole.clone(), whole_piece)).chain(
            clauses
                .into_iter()
                .enumerate()
                .map(|(at, clause)| (clause, if at == last_clause { Piece::LastClause } else { Piece::Clause })),
        );
        for (candidate, piece) in candidates {
            if piece != whole_piece && candidate == whole {
                continue;
            }
            let Some(strength) = strength(&candidate, phrases, piece, index == 0) else { continue };
            if best.as_ref().is_none_or(|(strongest, _)| strength > *strongest + 1e-9) {
                best = Some((strength, candidate));
            }
        }
    }
    match best {
        Some((_, phrase)) => capitalized(&phrase),
        None => match sentences.first().and_then(|first| opening_phrase(&phrase_of(first))) {
            Some(opening) => capitalized(&opening),
            None => keyphrase_title(phrases, sentences),
        },
    }
}

/// The longest opening of `sentence` of at least [`MIN_TITLE_WORDS`] words that fits a title
/// and ends on a content word followed by a function word (where a phrase ends).
fn opening_phrase(sentence: &str) -> Option<String> {
    let tokens: Vec<&str> = sentence.split_whitespace().collect();
    (MIN_TITLE_WORDS..tokens.len()).rev().find_map(|end| {
        let last = normalize(tokens[end - 1]);
        let next = normalize(tokens[end]);
        let opening = tokens[..end].join(" ");
        let opening = opening.trim_end_matches([',', ';', ':', '-', '—', '–']);
        let fits = opening.chars().count() <= MAX_TITLE_CHARS;
        (fits && !last.is_empty() && !is_stopword(&last) && is_stopword(&next)).then(|| opening.to_string())
    })
}

/// A sentence or clause as a title phrase: trimmed, leading fillers dropped, closing period or
/// ellipsis removed (a question or exclamation mark stays).
fn phrase_of(text: &str) -> String {
    let spoken = without_leading_fillers(text.trim());
    spoken.trim_end_matches(['.', '…']).trim().to_string()
}

/// What part of a sentence a title candidate is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Sentence,
    /// The clause that ends the sentence: it ends where the sentence does.
    LastClause,
    Clause,
}

/// How strong a title `phrase` makes, or `None` when it cannot be one.
fn strength(phrase: &str, phrases: &[Keyphrase], piece: Piece, is_first: bool) -> Option<f64> {
    let is_whole = piece == Piece::Sentence;
    let tokens: Vec<String> = phrase.split_whitespace().map(normalize).filter(|token| !token.is_empty()).collect();
    let fewest_words = if is_whole { MIN_TITLE_WORDS } else { MIN_CLAUSE_WORDS };
    let fits = phrase.chars().count() <= MAX_TITLE_CHARS && tokens.len() >= fewest_words;
    let ends_whole =
        piece != Piece::Clause || phrase.ends_with(['?', '!']) || tokens.last().is_some_and(|last| !is_stopword(last));
    if !fits || !ends_whole {
        return None;
    }
    let has = |list: &[&str]| tokens.iter().any(|token| list.contains(&token.as_str()));
    let mut points = 0.0;
    if phrase.ends_with('?') {
        points += 3.0;
    }
    if has(&BOLD_WORDS) {
        points += 2.0;
    }
    if tokens.iter().any(|token| is_number(token)) {
        points += 1.0;
    }
    if has(&DIRECT_ADDRESS) {
        points += 1.0;
    }
    let content: Vec<String> = phrase.split_whitespace().filter_map(content_word).collect();
    let total: f64 = phrases.iter().map(|keyphrase| keyphrase.score).sum();
    if total > 0.0 {
        let held: f64 = phrases
            .iter()
            .filter(|keyphrase| keyphrase.words.iter().all(|word| content.contains(word)))
            .map(|keyphrase| keyphrase.score)
            .sum();
        points += 2.0 * held / total;
    }
    if is_whole {
        points += 1.0;
    }
    points += tokens.len().min(FULL_LENGTH_WORDS) as f64 / FULL_LENGTH_WORDS as f64;
    if is_first {
        points += 1.5;
    }
    if dangling_opening(&tokens).is_some() {
        points -= 4.0;
    }
    Some(points)
}

/// When no sentence or clause fits: the best keyphrases ("Solar panels and batteries"), else
/// the first sentence's first words up to a whole word (a clip of one very long word).
fn keyphrase_title(phrases: &[Keyphrase], sentences: &[String]) -> String {
    let mut title = String::new();
    for phrase in phrases.iter().take(2) {
        let joined = if title.is_empty() { phrase.text() } else { format!("{title} and {}", phrase.text()) };
        if joined.chars().count() > MAX_TITLE_CHARS {
            break;
        }
        title = joined;
    }
    if title.is_empty() {
        let first = sentences.first().map_or(String::new(), |sentence| phrase_of(sentence));
        title = first.chars().take(MAX_TITLE_CHARS).collect();
    }
    capitalized(&title)
}

/// The sentence without the fillers and conjunctions it opens with (and their commas); the
/// sentence itself when nothing else would be left.
pub(crate) fn without_leading_fillers(sentence: &str) -> &str {
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

fn capitalized(text: &str) -> String {
    let mut characters = text.chars();
    match characters.next() {
        Some(first) => first.to_uppercase().chain(characters).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title_of(sentences: &[&str]) -> String {
        let owned: Vec<String> = sentences.iter().map(|s| s.to_string()).collect();
        title(&owned, &crate::keyphrases::distinct_keyphrases(&sentences.join(" "), 3, 5))
    }

    #[test]
    fn a_title_is_never_cut_mid_phrase() {
        let long = "Here is the single most important lesson I learned from building three companies.";
        let title = title_of(&[long, "Customers pay for outcomes, not features."]);
        assert_eq!(title, "Customers pay for outcomes, not features");
        assert!(!title.contains('…'));
    }

    #[test]
    fn the_strongest_sentence_wins_over_a_dangling_opener() {
        let title = title_of(&[
            "It's not something you learn in school.",
            "Nobody tells you that failing is the real teacher.",
        ]);
        assert_eq!(title, "Nobody tells you that failing is the real teacher");
    }

    #[test]
    fn a_sentence_cut_off_at_a_pause_does_not_end_a_title() {
        let title = title_of(&["Hello.", "When the time reaches 40 seconds, I will say"]);
        assert_eq!(title, "When the time reaches 40 seconds");
        assert!(strength("When the time reaches 40 seconds, I will say", &[], Piece::Clause, true).is_none());
    }

    #[test]
    fn a_question_makes_a_title_and_fillers_go() {
        assert_eq!(title_of(&["So, um, why do we sleep?", "We sleep to remember."]), "Why do we sleep?");
    }

    #[test]
    fn a_phrase_ending_on_a_function_word_or_too_short_is_not_a_title() {
        assert!(strength("the lesson I learned from", &[], Piece::Clause, true).is_none());
        assert!(strength("Hello", &[], Piece::Sentence, true).is_none());
    }

    #[test]
    fn a_long_sentence_gives_its_longest_whole_opening_phrase() {
        let long = "Here is the single most important lesson I learned from building three companies.";
        assert_eq!(title_of(&[long]), "Here is the single most important lesson I learned");
    }

    #[test]
    fn with_nothing_that_fits_the_keyphrases_make_the_title() {
        let sentence = "Solarpanelsoneveryroofinthecountywouldcutthebill ofeveryhouseholdbyhalfandsolarpanels \
                        solarpanelsoneveryroofinthecountywouldcutthebill";
        let title = title_of(&[sentence]);
        assert!(title.starts_with("Solarpanels"), "{title}");
        assert!(title.chars().count() <= MAX_TITLE_CHARS);
    }
}

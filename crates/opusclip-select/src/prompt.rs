//! Steering by `--prompt "topic or keywords"`: keyword similarity between the prompt and a
//! window's words — and, when sentence embeddings are given ([`Prompt::with_meaning`]),
//! similarity by meaning, the better of the two counting — applied to the total as an
//! explained multiplier.

use crate::lexicon::{content_words, stem};
use crate::semantic::PromptMeaning;
use opusclip_core::ScorePart;
use std::collections::BTreeMap;
use std::ops::Range;

/// The multiplier of a window that matches none of the keywords; a full match keeps its total.
pub const PROMPT_FLOOR: f64 = 0.5;
/// How much a keyword said once counts toward the match (said twice or more: 1).
const SAID_ONCE: f64 = 0.7;

/// The keywords of a prompt, as stems.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    /// The prompt as given.
    pub text: String,
    /// Distinct stems of its content words, in order.
    pub keywords: Vec<String>,
    /// The prompt's similarity in meaning to every sentence, when embeddings were given.
    pub meaning: Option<PromptMeaning>,
}

impl Prompt {
    /// The prompt's keywords; `None` when it has no content words.
    pub fn new(text: &str) -> Option<Prompt> {
        let mut keywords: Vec<String> = Vec::new();
        for word in content_words(text) {
            let stemmed = stem(&word);
            if !keywords.contains(&stemmed) {
                keywords.push(stemmed);
            }
        }
        (!keywords.is_empty()).then(|| Prompt { text: text.trim().to_string(), keywords, meaning: None })
    }

    /// The same prompt, also matched by meaning against the sentences (see
    /// [`PromptMeaning`]).
    pub fn with_meaning(self, meaning: PromptMeaning) -> Prompt {
        Prompt { meaning: Some(meaning), ..self }
    }

    /// How well `text` matches, 0..1: the mean over keywords of 0 (absent), 0.7 (said once) or
    /// 1 (said twice or more).
    pub fn similarity(&self, text: &str) -> (f64, Vec<&str>) {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for word in content_words(text) {
            *counts.entry(stem(&word)).or_default() += 1;
        }
        let mut matched = Vec::new();
        let mut sum = 0.0;
        for keyword in &self.keywords {
            match counts.get(keyword).copied().unwrap_or(0) {
                0 => {}
                1 => {
                    sum += SAID_ONCE;
                    matched.push(keyword.as_str());
                }
                _ => {
                    sum += 1.0;
                    matched.push(keyword.as_str());
                }
            }
        }
        (sum / self.keywords.len() as f64, matched)
    }

    /// The `prompt` part for a window's text and the multiplier it puts on the total
    /// (`PROMPT_FLOOR` with no match, 1 with a full one).
    pub fn part(&self, text: &str) -> (ScorePart, f64) {
        self.part_for(text, 0..0)
    }

    /// The `prompt` part for a window's text and its sentences (indices into the sentences the
    /// meaning was measured on): the better of keyword and meaning similarity.
    pub fn part_for(&self, text: &str, sentences: Range<usize>) -> (ScorePart, f64) {
        let (keyword_similarity, matched) = self.similarity(text);
        let meaning = self.meaning.as_ref().and_then(|meaning| meaning.window(sentences));
        let similarity = meaning.map_or(keyword_similarity, |m| m.similarity.max(keyword_similarity));
        let factor = PROMPT_FLOOR + (1.0 - PROMPT_FLOOR) * similarity;
        let found = if matched.is_empty() {
            "none of the keywords".to_string()
        } else {
            let quoted: Vec<String> = matched.iter().map(|k| format!("\"{k}\"")).collect();
            format!("{} of {} keywords ({})", matched.len(), self.keywords.len(), quoted.join(", "))
        };
        let by_meaning = meaning.map_or(String::new(), |m| {
            format!("meaning {:.0}% (best sentence cosine {:.2}, mean {:.2}), ", m.similarity * 100.0, m.best, m.mean)
        });
        let reason = format!("prompt \"{}\": {by_meaning}says {found}; total × {factor:.2}", self.text);
        (ScorePart { value: (similarity * 100.0).clamp(0.0, 100.0), reason }, factor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_distinct_stems_of_content_words() {
        let prompt = Prompt::new("Cooking pasta, the pasta cooks").expect("keywords");
        assert_eq!(prompt.keywords, ["cook", "pasta"]);
        assert!(Prompt::new("the and of").is_none());
        assert!(Prompt::new("   ").is_none());
    }

    #[test]
    fn similarity_counts_keywords_said_once_or_more() {
        let prompt = Prompt::new("pasta salt").expect("keywords");
        assert_eq!(prompt.similarity("We talk about rockets.").0, 0.0);
        assert!((prompt.similarity("Pasta is nice.").0 - 0.35).abs() < 1e-9);
        assert!((prompt.similarity("Pasta, pasta and salted water, salt.").0 - 1.0).abs() < 1e-9);
    }

    #[test]
    fn the_part_explains_the_multiplier() {
        let prompt = Prompt::new("pasta salt").expect("keywords");
        let (part, factor) = prompt.part("Salt the pasta water. More salt.");
        assert!((factor - (PROMPT_FLOOR + (1.0 - PROMPT_FLOOR) * 0.85)).abs() < 1e-9);
        assert_eq!(part.reason, "prompt \"pasta salt\": says 2 of 2 keywords (\"pasta\", \"salt\"); total × 0.93");
        let (none, floor) = prompt.part("Rockets.");
        assert_eq!(floor, PROMPT_FLOOR);
        assert!(none.reason.contains("none of the keywords"));
    }

    #[test]
    fn meaning_counts_when_it_matches_better_than_the_keywords() {
        let sentences = vec![vec![1.0f32, 0.0], vec![0.0, 1.0], vec![0.0, 1.0]];
        let prompt =
            Prompt::new("pasta salt").expect("keywords").with_meaning(PromptMeaning::new(&[1.0, 0.0], &sentences));
        let (part, factor) = prompt.part_for("Boil the noodles in the water.", 0..1);
        assert_eq!((part.value, factor), (100.0, 1.0), "{part:?}");
        assert!(part.reason.starts_with("prompt \"pasta salt\": meaning 100% (best sentence cosine 1.00"), "{part:?}");
        let (far, floor) = prompt.part_for("Pasta talk.", 1..3);
        assert!((far.value - 35.0).abs() < 1e-9, "keywords win: {far:?}");
        assert!((floor - (PROMPT_FLOOR + (1.0 - PROMPT_FLOOR) * 0.35)).abs() < 1e-9);
        assert!(far.reason.contains("meaning 0%") && far.reason.contains("1 of 2 keywords"), "{far:?}");
        let (no_sentences, _) = prompt.part_for("Pasta talk.", 2..2);
        assert!(!no_sentences.reason.contains("meaning"), "{no_sentences:?}");
    }
}

//! The text model of audience reactions: how much a stretch of transcript reads like the
//! stretches of real talks that drew laughter or applause. A logistic regression over
//! [`FEATURE_COUNT`] word-level measurements (rates per 100 words, sentence shapes), fitted on the
//! development half of the TED reaction set (see [`crate::reaction_model`] for how, and
//! [`crate::reaction_fit`] for the fitting code). It feeds the `engagement` part.
//!
//! Every feature is a count normalised by the window's words or sentences — never by time — so
//! the model reads what is said, not how long the audience laughed.

use crate::lexicon::{
    is_contraction, is_number, normalize, CALL_TO_ACTION, COLLECTIVE, DIRECT_ADDRESS, EMOTIONAL_WORDS, FAMILY,
    FIRST_PERSON, INFORMAL, NEGATIONS, REPORTED_SPEECH, THIRD_PERSON,
};
use crate::sentences::ends_sentence;
use opusclip_core::Word;

/// How many features the model reads.
pub const FEATURE_COUNT: usize = 19;
/// Fewer words than this leave the reaction unmeasured.
pub const MIN_REACTION_WORDS: usize = 20;
/// A sentence of at most this many words is short.
pub const SHORT_SENTENCE_WORDS: usize = 5;
/// A word of at least this many letters is long.
pub const LONG_WORD_LETTERS: usize = 9;
/// "thank you" said more often than this counts as this often.
const MAX_THANKS: f64 = 3.0;

/// Each feature: its name and how a reason says that it is high or low.
pub const FEATURES: [(&str, &str, &str); FEATURE_COUNT] = [
    ("first_person", "a first-person story", "little first-person talk"),
    ("reported_speech", "reported speech (\"said\", \"told\")", "no reported speech"),
    ("third_person", "a story about someone (he/she)", "nobody in particular"),
    ("quote_marks", "quoted words", "no quotes"),
    ("contractions", "casual contractions", "formal wording"),
    ("negations", "negations", "few negations"),
    ("sentence_length", "long sentences", "short sentences"),
    ("short_sentences", "short, punchy sentences", "few short sentences"),
    ("questions", "questions", "no questions"),
    ("long_words", "long words", "plain words"),
    ("collective", "big-picture talk (we, the world)", "little big-picture talk"),
    ("call_to_action", "a call to action", "no call to action"),
    ("thank_you", "thanks the audience", "no thanks"),
    ("exclamations", "exclamations", "no exclamations"),
    ("numbers", "numbers", "no numbers"),
    ("family", "family", "no family"),
    ("informal", "casual words", "few casual words"),
    ("direct_address", "speaks to the listener (\"you\")", "does not address the listener"),
    ("emotional", "emotional words", "few emotional words"),
];

/// The measured features of one stretch of transcript, in [`FEATURES`] order.
pub type ReactionFeatures = [f64; FEATURE_COUNT];

/// The features of a stretch of transcript given as its sentences (each a run of words; the
/// last may be unfinished). `None` with fewer than [`MIN_REACTION_WORDS`] words.
pub fn reaction_features(sentences: &[&[Word]]) -> Option<ReactionFeatures> {
    let words: Vec<&Word> = sentences.iter().flat_map(|sentence| sentence.iter()).collect();
    if words.len() < MIN_REACTION_WORDS {
        return None;
    }
    let tokens: Vec<String> = words.iter().map(|word| normalize(&word.text)).collect();
    let word_count = words.len() as f64;
    let per_100 = |count: usize| 100.0 * count as f64 / word_count;
    let in_list = |list: &[&str]| per_100(tokens.iter().filter(|token| list.contains(&token.as_str())).count());
    let sentences: Vec<&[Word]> = sentences.iter().copied().filter(|sentence| !sentence.is_empty()).collect();
    let sentence_count = sentences.len().max(1) as f64;
    let share = |test: &dyn Fn(&[Word]) -> bool| sentences.iter().filter(|s| test(s)).count() as f64 / sentence_count;
    let ends_with = |sentence: &[Word], mark: char| {
        sentence.last().is_some_and(|word| ends_sentence(&word.text) && word.text.contains(mark))
    };
    let quote_marks: usize = words.iter().map(|word| word.text.chars().filter(|c| is_quote_mark(*c)).count()).sum();
    let thanks = tokens.windows(2).filter(|pair| matches!(pair[0].as_str(), "thank" | "thanks") && pair[1] == "you");
    Some([
        in_list(&FIRST_PERSON),
        in_list(&REPORTED_SPEECH),
        in_list(&THIRD_PERSON),
        per_100(quote_marks),
        per_100(tokens.iter().filter(|token| is_contraction(token)).count()),
        in_list(&NEGATIONS),
        word_count / sentence_count,
        share(&|sentence| sentence.len() <= SHORT_SENTENCE_WORDS),
        share(&|sentence| ends_with(sentence, '?')),
        per_100(
            tokens
                .iter()
                .filter(|token| token.chars().filter(|c| c.is_alphabetic()).count() >= LONG_WORD_LETTERS)
                .count(),
        ),
        in_list(&COLLECTIVE),
        in_list(&CALL_TO_ACTION),
        (thanks.count() as f64).min(MAX_THANKS),
        per_100(words.iter().filter(|word| ends_sentence(&word.text) && word.text.contains('!')).count()),
        per_100(tokens.iter().filter(|token| is_number(token)).count()),
        in_list(&FAMILY),
        in_list(&INFORMAL),
        in_list(&DIRECT_ADDRESS),
        in_list(EMOTIONAL_WORDS),
    ])
}

fn is_quote_mark(character: char) -> bool {
    matches!(character, '"' | '“' | '”')
}

/// A logistic model over standardised features: `p = 1 / (1 + e^-(intercept + Σ coefficient ×
/// (feature − mean) / scale))`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReactionModel {
    pub means: ReactionFeatures,
    pub scales: ReactionFeatures,
    pub coefficients: ReactionFeatures,
    pub intercept: f64,
}

/// What the model says about one stretch of transcript.
#[derive(Debug, Clone, PartialEq)]
pub struct ReactionEstimate {
    /// Probability, 0..1, that a live audience reacted (laughter or applause) to a stretch like it.
    pub probability: f64,
    /// The features that raised it most, as a reason says them, strongest first (at most two).
    pub evidence: Vec<&'static str>,
}

impl ReactionModel {
    /// Each feature's push on the log-odds: coefficient × standardised value.
    pub fn contributions(&self, features: &ReactionFeatures) -> ReactionFeatures {
        std::array::from_fn(|i| {
            let scale = if self.scales[i] > 0.0 { self.scales[i] } else { 1.0 };
            self.coefficients[i] * (features[i] - self.means[i]) / scale
        })
    }

    /// The probability of a reaction, 0..1.
    pub fn probability(&self, features: &ReactionFeatures) -> f64 {
        1.0 / (1.0 + (-self.log_odds(features)).exp())
    }

    /// The log-odds behind [`Self::probability`].
    pub fn log_odds(&self, features: &ReactionFeatures) -> f64 {
        self.intercept + self.contributions(features).iter().sum::<f64>()
    }

    /// The probability with the two features that raised it most.
    pub fn estimate(&self, features: &ReactionFeatures) -> ReactionEstimate {
        let contributions = self.contributions(features);
        let mut order: Vec<usize> = (0..FEATURE_COUNT).filter(|&i| contributions[i] > 0.0).collect();
        order.sort_by(|&a, &b| contributions[b].total_cmp(&contributions[a]).then(a.cmp(&b)));
        let evidence = order
            .into_iter()
            .take(2)
            .map(|i| if features[i] >= self.means[i] { FEATURES[i].1 } else { FEATURES[i].2 })
            .collect();
        ReactionEstimate { probability: self.probability(features), evidence }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reaction_model::REACTION_MODEL;

    fn words_of(text: &str) -> Vec<Word> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, token)| Word {
                text: token.into(),
                start: i as f64 * 0.4,
                end: i as f64 * 0.4 + 0.35,
                confidence: 1.0,
                speaker: None,
            })
            .collect()
    }

    fn features_of(sentences: &[&str]) -> Option<ReactionFeatures> {
        let owned: Vec<Vec<Word>> = sentences.iter().map(|s| words_of(s)).collect();
        let slices: Vec<&[Word]> = owned.iter().map(Vec::as_slice).collect();
        reaction_features(&slices)
    }

    const STORY: [&str; 5] = [
        "My wife looked at me and said, \"You did what?\"",
        "I didn't know.",
        "I mean, I'm a surgeon, so that's not that funny.",
        "She goes, \"Oh, okay.\"",
        "And I told her it was a little bit my fault!",
    ];
    const LECTURE: [&str; 3] = [
        "Global agricultural productivity across developing countries has increased substantially in recent years.",
        "Consequently, international organizations recommend comprehensive investments in infrastructure.",
        "Our research demonstrates considerable heterogeneity across populations and environmental conditions.",
    ];

    #[test]
    fn features_count_what_the_words_say() {
        let story = features_of(&STORY).expect("enough words");
        let lecture = features_of(&LECTURE).expect("enough words");
        let index = |name: &str| FEATURES.iter().position(|f| f.0 == name).unwrap();
        for name in ["first_person", "reported_speech", "quote_marks", "contractions", "family", "short_sentences"] {
            assert!(story[index(name)] > lecture[index(name)], "{name}: {story:?} vs {lecture:?}");
        }
        assert!(lecture[index("long_words")] > story[index("long_words")]);
        assert!(lecture[index("sentence_length")] > story[index("sentence_length")]);
        let story_words = STORY.iter().map(|s| s.split_whitespace().count()).sum::<usize>() as f64;
        assert!((story[index("exclamations")] - 100.0 / story_words).abs() < 1e-9, "one exclamation");
        assert_eq!(lecture[index("exclamations")], 0.0);
        assert_eq!(features_of(&["Thank you very much.", "Thank you."]), None, "too few words");
        let thanks = features_of(&[
            "Thank you so much, thank you, thank you, thank you all, it was a joy to be here with every one of you.",
        ])
        .unwrap();
        assert_eq!(thanks[index("thank_you")], MAX_THANKS);
    }

    #[test]
    fn the_fitted_model_reads_a_story_as_likelier_to_draw_a_reaction() {
        let story = REACTION_MODEL.estimate(&features_of(&STORY).unwrap());
        let lecture = REACTION_MODEL.estimate(&features_of(&LECTURE).unwrap());
        assert!(story.probability > lecture.probability, "{story:?} {lecture:?}");
        assert!((0.0..=1.0).contains(&story.probability) && (0.0..=1.0).contains(&lecture.probability));
        assert!(!story.evidence.is_empty() && story.evidence.len() <= 2, "{story:?}");
    }

    #[test]
    fn contributions_follow_the_coefficients() {
        let mut model = ReactionModel {
            means: [0.0; FEATURE_COUNT],
            scales: [1.0; FEATURE_COUNT],
            coefficients: [0.0; FEATURE_COUNT],
            intercept: 0.0,
        };
        let features = [1.0; FEATURE_COUNT];
        assert_eq!(model.probability(&features), 0.5);
        model.coefficients[3] = 2.0;
        model.scales[3] = 0.0; // a constant feature: its scale counts as 1
        let estimate = model.estimate(&features);
        assert!((estimate.probability - 1.0 / (1.0 + (-2.0f64).exp())).abs() < 1e-12);
        assert_eq!(estimate.evidence, [FEATURES[3].1]);
    }
}

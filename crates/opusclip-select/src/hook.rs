//! The `hook` part of the score: how strongly a clip opens.
//!
//! With words, the opening (the first sentence, and anything said in the first
//! [`HOOK_SECONDS`]) earns points for a question, a strong opener ("here's", "the secret",
//! "why", "how", ...), a bold or contrarian claim ("never", "wrong", "myth", "nobody", ...),
//! a number and direct address ("you"), and loses points for a filler or continuation opener
//! ("um", "so", "and", ...). Without words, the opening is judged by its sound: how much of the
//! first [`HOOK_SECONDS`] has sound and how loud it is against the rest of the clip.

use crate::lexicon::{is_number, is_weak_opener, normalize, BOLD_WORDS, DIRECT_ADDRESS};
use crate::refine::is_question;
use crate::score::Window;
use crate::signals::Signals;
use opusclip_core::{ScorePart, Word};

/// How much of a clip's start counts as its opening, in seconds.
pub const HOOK_SECONDS: f64 = 3.0;

/// Points every opening starts with.
const BASE_POINTS: f64 = 30.0;
/// Points for an opening sentence that is a question.
const QUESTION_POINTS: f64 = 30.0;
/// Points for a strong opener phrase.
const OPENER_POINTS: f64 = 25.0;
/// Points for a bold or contrarian claim in the opening (when no strong opener matched).
const BOLD_POINTS: f64 = 15.0;
/// Points for a number in the opening.
const NUMBER_POINTS: f64 = 15.0;
/// Points for addressing the viewer ("you").
const DIRECT_ADDRESS_POINTS: f64 = 15.0;
/// Points taken for opening with a filler or continuation word.
const FILLER_PENALTY: f64 = 20.0;
/// Longest quote of the opening inside a reason, in characters.
const QUOTE_CHARS: usize = 48;

/// Opening phrases that grab attention, matched against the first words.
const STRONG_OPENERS: [&str; 24] = [
    "here's",
    "here is",
    "the secret",
    "the truth",
    "the problem",
    "the reason",
    "the biggest",
    "the best",
    "the worst",
    "the one thing",
    "never",
    "why",
    "how",
    "what if",
    "imagine",
    "stop",
    "nobody",
    "everyone",
    "most people",
    "if you",
    "did you know",
    "this is why",
    "listen",
    "warning",
];

/// Hook from the words of the opening: `first_sentence` is the window's first sentence's text,
/// `opening_words` its words plus any others said in the first [`HOOK_SECONDS`].
pub fn hook_from_words(first_sentence: &str, opening_words: &[&Word]) -> ScorePart {
    let tokens: Vec<String> =
        opening_words.iter().map(|word| normalize(&word.text)).filter(|token| !token.is_empty()).collect();
    let mut points = BASE_POINTS;
    let mut findings = Vec::new();
    if is_question(first_sentence) {
        points += QUESTION_POINTS;
        findings.push("opens with a question".to_string());
    }
    if let Some(opener) = strong_opener(&tokens) {
        points += OPENER_POINTS;
        findings.push(format!("strong opener \"{opener}\""));
    } else if let Some(bold) = tokens.iter().find(|t| BOLD_WORDS.contains(&t.as_str())) {
        points += BOLD_POINTS;
        findings.push(format!("a bold claim (\"{bold}\")"));
    }
    if let Some(number) = tokens.iter().find(|token| is_number(token)) {
        points += NUMBER_POINTS;
        findings.push(format!("a number early (\"{number}\")"));
    }
    if let Some(address) = tokens.iter().find(|t| DIRECT_ADDRESS.contains(&t.as_str())) {
        points += DIRECT_ADDRESS_POINTS;
        findings.push(format!("speaks to the viewer (\"{address}\")"));
    }
    if let Some(filler) = tokens.first().filter(|t| is_weak_opener(t)) {
        points -= FILLER_PENALTY;
        findings.push(format!("opens with filler \"{filler}\""));
    }
    if findings.is_empty() {
        findings.push("plain opening".to_string());
    }
    // The first finding carries the quote of the opening it is about.
    findings[0] = format!("{}: {}", findings[0], quote(first_sentence));
    ScorePart { value: points.clamp(0.0, 100.0), reason: findings.join("; ") }
}

/// Hook without words, from the sound of the first [`HOOK_SECONDS`]: 60 points for the share
/// of it with sound, 40 for how much louder it is than the clip as a whole (−3 dB → 0,
/// +3 dB → 40).
pub fn hook_from_audio(window: &Window, signals: &Signals) -> ScorePart {
    let opening_end = (window.start + HOOK_SECONDS).min(window.end);
    let Some(onset_share) = signals.non_silent_share(window.start, opening_end) else {
        return ScorePart { value: 50.0, reason: "no transcript or audio to judge the opening".into() };
    };
    let opening = signals.voiced_levels(window.start, opening_end);
    let whole = signals.voiced_levels(window.start, window.end);
    let sound = format!("no transcript; {:.0}% of the first {HOOK_SECONDS:.0} s has sound", onset_share * 100.0);
    match (mean(&opening), mean(&whole)) {
        (Some(opening_db), Some(whole_db)) => {
            let lift_db = opening_db - whole_db;
            let lift_points = 40.0 * ((lift_db + 3.0) / 6.0).clamp(0.0, 1.0);
            ScorePart {
                value: (60.0 * onset_share + lift_points).clamp(0.0, 100.0),
                reason: format!("{sound}, {lift_db:+.1} dB against the clip's average"),
            }
        }
        (None, Some(_)) => {
            ScorePart { value: (60.0 * onset_share).clamp(0.0, 100.0), reason: format!("{sound}, a silent opening") }
        }
        _ => ScorePart { value: (60.0 * onset_share + 20.0).clamp(0.0, 100.0), reason: sound },
    }
}

/// Mean of `values`, `None` when empty.
pub(crate) fn mean(values: &[f32]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    Some(values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64)
}

/// The strong opener the first tokens start with, if any.
fn strong_opener(tokens: &[String]) -> Option<&'static str> {
    STRONG_OPENERS.into_iter().find(|phrase| {
        let phrase_tokens: Vec<&str> = phrase.split(' ').collect();
        phrase_tokens.len() <= tokens.len()
            && phrase_tokens.iter().zip(tokens).all(|(expected, token)| *expected == token)
    })
}

/// The opening quoted and cut to [`QUOTE_CHARS`] characters on a word boundary.
fn quote(sentence: &str) -> String {
    let sentence = sentence.trim();
    if sentence.chars().count() <= QUOTE_CHARS {
        return format!("\"{sentence}\"");
    }
    let cut: String = sentence.chars().take(QUOTE_CHARS).collect();
    let shortened = match cut.rfind(' ') {
        Some(space) if space > 0 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("\"{}…\"", shortened.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::{AudioLevels, Silence};

    fn words(text: &str) -> Vec<Word> {
        text.split_whitespace()
            .enumerate()
            .map(|(i, token)| Word {
                text: token.into(),
                start: i as f64 * 0.3,
                end: i as f64 * 0.3 + 0.25,
                confidence: 1.0,
                speaker: None,
            })
            .collect()
    }

    fn hook(text: &str) -> ScorePart {
        let words = words(text);
        let refs: Vec<&Word> = words.iter().collect();
        hook_from_words(text, &refs)
    }

    #[test]
    fn a_question_beats_a_filler_opener() {
        let question = hook("Why do most startups fail?");
        let filler = hook("Um so we went to the store.");
        assert!(question.value > filler.value + 30.0, "{question:?} {filler:?}");
        assert!(question.reason.contains("opens with a question: \"Why do most startups fail?\""));
        assert!(filler.reason.contains("filler \"um\": \"Um so we"), "{}", filler.reason);
    }

    #[test]
    fn each_feature_adds_points() {
        let plain = hook("The weather was fine.").value;
        assert_eq!(plain, BASE_POINTS);
        assert!(hook("Here's what happened.").value > plain);
        assert!(hook("The secret is patience.").value > plain);
        assert!(hook("It took 3 years.").value > plain);
        assert!(hook("It took three years.").value > plain);
        assert!(hook("This changes your morning.").value > plain);
        assert!(hook("It was a quiet morning?").value > plain);
    }

    #[test]
    fn reasons_name_the_evidence_and_stay_on_one_line() {
        let part = hook("Here’s why you should never quit your job in 2024, seriously, everyone.");
        assert!(part.reason.starts_with("strong opener \"here's\": \"Here’s why"), "{}", part.reason);
        assert!(part.reason.contains("\"2024\""));
        assert!(part.reason.contains("\"you\""));
        assert!(part.reason.contains('…'));
        assert_eq!(part.reason.matches("\"Here’s").count(), 1, "{}", part.reason);
        assert!(!part.reason.contains('\n'));
        assert!(part.value <= 100.0);
    }

    #[test]
    fn filler_only_counts_as_the_first_word() {
        assert_eq!(hook("We went, like, home.").value, BASE_POINTS);
        assert_eq!(hook("So we went home.").value, BASE_POINTS - FILLER_PENALTY);
    }

    fn window(start: f64, end: f64) -> Window {
        Window::new(start, end, 0, 0)
    }

    #[test]
    fn audio_hook_prefers_a_loud_start_over_a_silent_one() {
        // 30 s of levels at 10 hops/s: loud in the first 3 s, normal after.
        let mut db = vec![-30.0_f32; 300];
        db[..30].fill(-20.0);
        let levels = AudioLevels { hop_seconds: 0.1, db };
        let loud_start = Signals { levels: Some(&levels), ..Signals::empty(30.0) };
        let silences = [Silence { start: 0.0, end: 3.0 }];
        let silent_start = Signals { silences: &silences, ..loud_start };
        let loud = hook_from_audio(&window(0.0, 30.0), &loud_start);
        let silent = hook_from_audio(&window(0.0, 30.0), &silent_start);
        assert!(loud.value > 90.0, "{loud:?}");
        assert!(silent.value < 20.0, "{silent:?}");
        assert!(loud.reason.contains("100% of the first 3 s has sound"));
        let unknown = hook_from_audio(&window(0.0, 30.0), &Signals::empty(30.0));
        assert_eq!(unknown.value, 50.0);
    }
}

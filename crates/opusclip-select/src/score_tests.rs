//! Tests of the clip score: the total, the weights, the text-only path, the prompt.

use super::*;
use crate::sentences::sentences;
use opusclip_core::{BoxF, FaceBox, FaceFrame};

fn transcript(text: &str, words_per_second: f64) -> Vec<Word> {
    let step = 1.0 / words_per_second;
    text.split_whitespace()
        .enumerate()
        .map(|(i, token)| Word {
            text: token.into(),
            start: i as f64 * step,
            end: i as f64 * step + step * 0.9,
            confidence: 1.0,
            speaker: None,
        })
        .collect()
}

fn whole(sentences: &[Sentence]) -> Window {
    Window {
        start: sentences[0].start,
        end: sentences[sentences.len() - 1].end,
        first_sentence: 0,
        end_sentence: sentences.len(),
        setup: None,
    }
}

fn scorer() -> ClipScorer {
    ClipScorer::new(ScoreWeights::default(), vec![LengthRange::new(5.0, 30.0)])
}

fn rate(scorer: &ClipScorer, text: &str) -> Score {
    let words = transcript(text, 2.5);
    let sentences = sentences(&words);
    scorer.score(&whole(&sentences), &sentences, &words, &Signals::empty(100.0))
}

#[test]
fn total_is_the_weighted_mean_of_the_six_parts() {
    let score = rate(&scorer(), "Why do most people never finish what they start? It is because they plan too much.");
    let names: Vec<&str> = score.parts.keys().map(String::as_str).collect();
    let mut expected_names = PART_NAMES.to_vec();
    expected_names.sort();
    assert_eq!(names, expected_names);
    let weights = ScoreWeights::default().normalized();
    let expected: f64 = PART_NAMES.iter().map(|name| score.parts[*name].value * weights.get(name).unwrap_or(0.0)).sum();
    assert!((score.total - expected).abs() < 1e-9, "{} vs {expected}", score.total);
    assert!(score.parts["hook"].reason.contains("opens with a question"));
    assert!(score.parts.values().all(|p| (0.0..=100.0).contains(&p.value) && !p.reason.contains('\n')));
}

#[test]
fn a_question_window_outscores_a_filler_window() {
    let question = rate(&scorer(), "Why do you keep losing money? Here is the answer.");
    let filler = rate(&scorer(), "Um so yeah we were kind of there. And then it was fine.");
    assert!(question.total > filler.total, "{question:?} {filler:?}");
}

#[test]
fn the_weights_decide_what_counts() {
    let lively_plain = "The report lists the figures for each quarter and the totals for the year in one table.";
    let slow_question = "Why?";
    let only = |name: &str| {
        let mut weights =
            ScoreWeights { hook: 0.0, coherence: 0.0, engagement: 0.0, pacing: 0.0, visual: 0.0, length_fit: 0.0 };
        weights.set(name, 1.0);
        ClipScorer::new(weights, vec![LengthRange::new(1.0, 30.0)])
    };
    let hook_scorer = only("hook");
    assert!(rate(&hook_scorer, slow_question).total > rate(&hook_scorer, lively_plain).total);
    let score = rate(&hook_scorer, lively_plain);
    assert_eq!(score.total, score.parts["hook"].value);
    let pacing_scorer = only("pacing");
    assert_eq!(rate(&pacing_scorer, lively_plain).total, rate(&pacing_scorer, lively_plain).parts["pacing"].value);
}

#[test]
fn windows_without_sentences_use_words_in_time_or_audio() {
    let words = transcript("You will never guess this.", 2.0);
    let window = Window::new(0.0, 30.0, 0, 0);
    let signals = Signals::empty(30.0);
    let with_words = scorer().score(&window, &[], &words, &signals);
    assert!(
        with_words.parts["hook"].reason.starts_with("a bold claim (\"never\"): \"You will never guess this.\""),
        "{}",
        with_words.parts["hook"].reason
    );
    let without = scorer().score(&window, &[], &[], &signals);
    assert!(without.parts["hook"].reason.contains("no transcript"));
    assert!(without.parts["coherence"].reason.contains("no transcript"));
    assert!((0.0..=100.0).contains(&without.total));
}

#[test]
fn window_over_holds_the_sentences_wholly_inside() {
    let words = transcript("One two three. Four five six. Seven eight nine.", 1.0);
    let sentences = sentences(&words);
    let window = Window::over(&sentences, 2.5, 8.95);
    assert_eq!((window.first_sentence, window.end_sentence), (1, 3));
    assert_eq!((window.start, window.end), (2.5, 8.95));
    let inside_one = Window::over(&sentences, 3.5, 4.5);
    assert_eq!(inside_one.first_sentence, inside_one.end_sentence);
}

#[test]
fn a_prompt_multiplies_the_total_and_says_so() {
    let text = "Salt the pasta water well. The pasta needs salt.";
    let plain = rate(&scorer(), text);
    let steered = ClipScorer { prompt: Prompt::new("pasta salt"), ..scorer() };
    let matching = rate(&steered, text);
    assert!((matching.total - plain.total).abs() < 1e-9, "a full match keeps the total");
    assert!(matching.parts[PROMPT_PART].reason.contains("2 of 2 keywords"));
    let off_topic = rate(&steered, "Rockets need fuel and a launch pad.");
    let unsteered = rate(&scorer(), "Rockets need fuel and a launch pad.");
    assert!((off_topic.total - unsteered.total * PROMPT_FLOOR).abs() < 1e-9);
    assert!(off_topic.parts[PROMPT_PART].reason.contains("total × 0.50"));
}

#[test]
fn rescoring_visual_uses_the_faces_and_keeps_the_prompt() {
    let words = transcript("Salt the pasta water well. The pasta needs salt.", 2.5);
    let sentences = sentences(&words);
    let window = whole(&sentences);
    let steered = ClipScorer { prompt: Prompt::new("pasta rockets"), ..scorer() };
    let mut score = steered.score(&window, &sentences, &words, &Signals::empty(100.0));
    let face = FaceBox { bbox: BoxF { x: 0.0, y: 0.0, w: 5.0, h: 5.0 }, score: 1.0 };
    let faces: Vec<FaceFrame> = (0..4).map(|i| FaceFrame { t: i as f64, faces: vec![face] }).collect();
    let signals = Signals { faces: &faces, ..Signals::empty(100.0) };
    let before = score.total;
    steered.rescore_visual(&mut score, &window, &signals);
    assert_eq!(score.parts["visual"].value, 100.0);
    assert!(score.total > before);
    let again = steered.score(&window, &sentences, &words, &signals);
    assert!((again.total - score.total).abs() < 1e-9);
}

#[test]
fn weighted_total_skips_missing_parts() {
    let parts = BTreeMap::from([("hook".to_string(), ScorePart { value: 80.0, reason: String::new() })]);
    assert_eq!(weighted_total(&parts, &ScoreWeights::default()), 80.0);
    assert_eq!(weighted_total(&BTreeMap::new(), &ScoreWeights::default()), 0.0);
}

#[test]
fn windows_overlap_only_when_they_share_time() {
    let at = |start, end| Window::new(start, end, 0, 0);
    assert!(at(0.0, 10.0).overlaps(&at(9.0, 20.0)));
    assert!(!at(0.0, 10.0).overlaps(&at(10.0, 20.0)));
}

#[test]
fn sentence_embeddings_make_engagement_read_reactions_from_meaning() {
    let text = "I told my mother I would be home. She said that is what you said last year. \
        So I stayed another year. Nobody was surprised at all.";
    let words = transcript(text, 2.5);
    let sentences = sentences(&words);
    let model = crate::semantic_reaction_model::shipped_semantic_reaction_model();
    // Sentences pointing along the punchline reading's weights, and against them.
    let along: Vec<f32> = model.punchline.weights.clone();
    let against: Vec<f32> = along.iter().map(|w| -w).collect();
    let with = |vector: &Vec<f32>| ClipScorer {
        sentence_embeddings: Some(Arc::new(vec![vector.clone(); sentences.len()])),
        ..scorer()
    };
    let engagement = |scorer: &ClipScorer| rate(scorer, text).parts["engagement"].clone();
    let (funny, flat) = (engagement(&with(&along)), engagement(&with(&against)));
    assert!(funny.reason.contains("sentence embeddings"), "{}", funny.reason);
    assert!(funny.value > flat.value, "{funny:?} vs {flat:?}");
    // Embeddings that do not match the sentences are ignored: the word-rate model speaks.
    let mismatched = ClipScorer { sentence_embeddings: Some(Arc::new(vec![along.clone()])), ..scorer() };
    let fallback = engagement(&mismatched);
    assert!(!fallback.reason.contains("sentence embeddings"), "{}", fallback.reason);
    assert_eq!(fallback, engagement(&scorer()));
}

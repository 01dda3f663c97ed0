//! The evaluation's sentence-embedding side: which sentences of a talk the caller must embed
//! ([`talk_sentence_texts`], split exactly as the scorer splits them), and the training talks the
//! embedding reaction model is fitted on ([`semantic_training_talks`]: dev windows as sentence
//! ranges with the word-rate model's reading of their words, and each laugh's punchline — the
//! last sentence that started before it). Pure: the caller computes the embeddings.

use crate::engagement::window_word_rate_log_odds;
use crate::evaluation::{talk_windows, words_from_cues, EvaluationOptions, EvaluationWindow, Reaction, Split, Talk};
use crate::parts::WindowView;
use crate::score::Window;
use crate::semantic_reaction_fit::{SemanticTalk, SemanticWindow};
use crate::sentences::sentences;
use crate::signals::Signals;
use opusclip_core::Sentence;
use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

/// Each talk's sentence embeddings, by talk key.
pub type TalkEmbeddings = HashMap<String, Arc<Vec<Vec<f32>>>>;

/// The texts of a talk's sentences (markers stripped), in the order the scorer numbers them.
pub fn talk_sentence_texts(talk: &Talk) -> Vec<String> {
    sentences(&words_from_cues(&talk.cues)).into_iter().map(|sentence| sentence.text).collect()
}

/// The talks of `split` to fit the embedding reaction model on: windows (whole sentences, as
/// the scorer takes them) reacted to by laughter or applause, and punchlines of laughter. Talks
/// without embeddings, or whose embeddings do not match their sentences, are left out.
pub fn semantic_training_talks(
    talks: &[Talk],
    split: Split,
    options: &EvaluationOptions,
    embeddings: &TalkEmbeddings,
) -> Vec<SemanticTalk> {
    talks
        .iter()
        .filter(|talk| split.contains(&talk.key))
        .filter_map(|talk| {
            let vectors = embeddings.get(&talk.key)?;
            let words = words_from_cues(&talk.cues);
            let sentences = sentences(&words);
            if sentences.len() != vectors.len() || sentences.is_empty() {
                return None;
            }
            let mut punchlines = vec![false; sentences.len()];
            for cue in talk.cues.iter().filter(|cue| Reaction::Laughter.marks(&cue.text)) {
                if let Some(last) = sentences.iter().rposition(|sentence| sentence.start < cue.start) {
                    punchlines[last] = true;
                }
            }
            let signals = Signals::empty(words.last().map_or(0.0, |word| word.end));
            let windows = whole_sentence_windows(talk, &sentences, options)
                .map(|(window, whole)| SemanticWindow {
                    sentences: whole.first_sentence..whole.end_sentence,
                    reacted: window.laughter || window.applause,
                    word_rate_log_odds: window_word_rate_log_odds(&WindowView::new(
                        &whole, &sentences, &words, &signals,
                    )),
                })
                .collect();
            Some(SemanticTalk { sentences: vectors.as_ref().clone(), punchlines, windows })
        })
        .collect()
}

/// The sentences (as ranges, split as the scorer splits them) of each of the talk's evaluation
/// windows that holds at least one whole sentence.
pub fn talk_window_sentence_ranges(talk: &Talk, options: &EvaluationOptions) -> Vec<Range<usize>> {
    let sentences = sentences(&words_from_cues(&talk.cues));
    whole_sentence_windows(talk, &sentences, options)
        .map(|(_, whole)| whole.first_sentence..whole.end_sentence)
        .collect()
}

/// The talk's evaluation windows that hold at least one whole sentence of `sentences`, each with
/// the scorer's window over those sentences.
fn whole_sentence_windows<'a>(
    talk: &Talk,
    sentences: &'a [Sentence],
    options: &EvaluationOptions,
) -> impl Iterator<Item = (EvaluationWindow, Window)> + 'a {
    talk_windows(talk, options)
        .into_iter()
        .map(|window| {
            let whole = Window::over(sentences, window.start, window.end);
            (window, whole)
        })
        .filter(|(_, whole)| whole.first_sentence < whole.end_sentence)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::Cue;

    /// 16 sentences: a laugh after the third (at 12 s), applause after "Thank you." (72 s).
    fn talk() -> Talk {
        let cue = |start: f64, text: &str| Cue { start, text: text.to_string() };
        let mut cues = vec![
            cue(0.0, "I went to the shop."),
            cue(4.0, "The shop was closed."),
            cue(8.0, "So I bought a shop."),
            cue(12.0, "(Laughter)"),
            cue(14.0, "It is still closed."),
        ];
        cues.extend((0..10).map(|i| cue(20.0 + 5.0 * i as f64, "We talk about shops.")));
        cues.extend([cue(70.0, "Thank you."), cue(72.0, "(Applause)"), cue(76.0, "Bye now.")]);
        Talk { key: "Someone — Something".into(), cues }
    }

    #[test]
    fn sentences_are_numbered_like_the_scorer_and_markers_are_gone() {
        let texts = talk_sentence_texts(&talk());
        assert_eq!(texts.len(), 16, "{texts:?}");
        assert!(texts.iter().all(|text| !text.contains("Laughter")), "{texts:?}");
        assert_eq!(texts[2], "So I bought a shop.");
    }

    #[test]
    fn the_sentence_before_a_laugh_is_its_punchline_and_windows_carry_reactions() {
        let talk = talk();
        let vectors: Vec<Vec<f32>> = (0..16).map(|i| vec![i as f32, 1.0]).collect();
        let embeddings = TalkEmbeddings::from([(talk.key.clone(), Arc::new(vectors))]);
        let options = EvaluationOptions { split: Split::All, ..EvaluationOptions::default() };
        let trained = semantic_training_talks(std::slice::from_ref(&talk), Split::All, &options, &embeddings);
        assert_eq!(trained.len(), 1);
        assert_eq!(trained[0].punchlines.iter().filter(|&&p| p).count(), 1);
        assert!(trained[0].punchlines[2], "{:?}", trained[0].punchlines);
        assert!(!trained[0].windows.is_empty());
        assert!(trained[0].windows[0].reacted, "the first window holds the laugh at 12 s");
        assert!(trained[0].windows.iter().all(|window| window.sentences.end <= 16));
        assert!(
            trained[0].windows.iter().all(|window| window.word_rate_log_odds.is_some_and(f64::is_finite)),
            "every whole window of this talk has words enough for the word-rate model"
        );
        // Embeddings that do not match the sentences leave the talk out.
        let wrong = TalkEmbeddings::from([(talk.key.clone(), Arc::new(vec![vec![0.0, 1.0]]))]);
        assert!(semantic_training_talks(std::slice::from_ref(&talk), Split::All, &options, &wrong).is_empty());
        let ranges = talk_window_sentence_ranges(&talk, &options);
        let trained_ranges: Vec<_> = trained[0].windows.iter().map(|window| window.sentences.clone()).collect();
        assert_eq!(ranges, trained_ranges, "the same windows as the model is fitted on");
    }
}

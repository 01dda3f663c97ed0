//! The evaluation's timeline of a talk: cue time that no word fills (a laugh, applause, a long
//! pause) cut out, so reaction timing never reaches the scorer as fewer words per window.

use crate::evaluation::{strip_markers, Cue, LAST_CUE_SECONDS_PER_WORD};
use opusclip_core::Word;

/// A cue's words take at most this many times the talk's median seconds per word; the rest of
/// its time (a laugh, applause, a long pause after it) is cut from the evaluation's timeline.
pub const MAX_WORD_SECONDS_OVER_MEDIAN: f64 = 1.5;

/// The talk's time with what no word fills cut out: each cue with words keeps at most
/// [`MAX_WORD_SECONDS_OVER_MEDIAN`] × the median seconds per word, and marker-only cues keep
/// nothing. Words, windows and reaction times all live on it, so a reaction's own time never
/// shows up as fewer words in the windows before it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Timeline {
    /// Per cue with words: its start in the talk, its start on the timeline, the seconds kept,
    /// and its marker-free words.
    pub(crate) pieces: Vec<(f64, f64, f64, Vec<String>)>,
}

impl Timeline {
    pub(crate) fn of(cues: &[Cue]) -> Timeline {
        let texts = strip_markers(&cues.iter().map(|cue| cue.text.as_str()).collect::<Vec<_>>());
        let with_words: Vec<usize> = (0..cues.len()).filter(|&index| !texts[index].trim().is_empty()).collect();
        let natural: Vec<(usize, f64, Vec<String>)> = with_words
            .iter()
            .enumerate()
            .map(|(position, &index)| {
                let tokens: Vec<String> = texts[index].split_whitespace().map(str::to_string).collect();
                let span = match with_words.get(position + 1) {
                    Some(&next) => (cues[next].start - cues[index].start).max(0.0),
                    None => LAST_CUE_SECONDS_PER_WORD * tokens.len() as f64,
                };
                (index, span, tokens)
            })
            .collect();
        let mut per_word: Vec<f64> = natural.iter().map(|(_, span, tokens)| span / tokens.len() as f64).collect();
        per_word.sort_by(f64::total_cmp);
        let median = per_word.get(per_word.len() / 2).copied().unwrap_or(LAST_CUE_SECONDS_PER_WORD);
        let cap = MAX_WORD_SECONDS_OVER_MEDIAN * median.max(f64::EPSILON);
        let mut reached = 0.0;
        let mut pieces = Vec::with_capacity(natural.len());
        for (index, span, tokens) in natural {
            let kept = span.min(cap * tokens.len() as f64);
            let start = cues[index].start;
            let on_timeline = if pieces.is_empty() { start } else { reached };
            pieces.push((start, on_timeline, kept, tokens));
            reached = on_timeline + kept;
        }
        Timeline { pieces }
    }

    /// Where talk time `t` lies on the timeline (time cut out maps to the end of what was kept
    /// before it).
    pub(crate) fn at(&self, t: f64) -> f64 {
        let found = self.pieces.partition_point(|piece| piece.0 <= t);
        match found.checked_sub(1).map(|index| &self.pieces[index]) {
            Some(&(start, on_timeline, kept, _)) => on_timeline + (t - start).min(kept),
            None => self.pieces.first().map_or(t, |piece| piece.1.min(t)),
        }
    }

    pub(crate) fn words(&self) -> Vec<Word> {
        let mut words = Vec::new();
        for (_, on_timeline, kept, tokens) in &self.pieces {
            let step = kept / tokens.len() as f64;
            for (position, token) in tokens.iter().enumerate() {
                let start = on_timeline + step * position as f64;
                words.push(Word { text: token.clone(), start, end: start + step, confidence: 1.0, speaker: None });
            }
        }
        words
    }
}

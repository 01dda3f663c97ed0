//! The `length_fit` part, and the measurements several parts share: what the window says (its
//! words, sentences and refinement context) and how its loudness spreads.

use crate::refine::RefineContext;
use crate::score::Window;
use crate::signals::Signals;
use opusclip_core::{ScorePart, Sentence, Word};
use std::ops::Range;

/// Standard deviation of voiced loudness (dB) at which loudness spread counts in full.
pub const FULL_LEVEL_STD_DB: f64 = 8.0;
/// 5th-to-95th percentile range of voiced loudness (dB) at which loudness range counts in full.
pub const FULL_LEVEL_RANGE_DB: f64 = 24.0;
/// Fewer voiced hops than this leave loudness unmeasured.
const MIN_DYNAMICS_HOPS: usize = 10;
/// The value of a part nothing could be measured for.
pub const NEUTRAL: f64 = 50.0;

/// A window as the parts read it.
pub struct WindowView<'a> {
    pub window: &'a Window,
    /// The whole transcript's sentences and words.
    pub sentences: &'a [Sentence],
    pub words: &'a [Word],
    /// Indices of the window's words: its sentences' words, or (for windows without
    /// sentences) those whose middle lies inside it.
    pub word_range: Range<usize>,
    pub signals: &'a Signals<'a>,
    /// The boundary rules, for coherence.
    pub context: RefineContext<'a>,
}

impl<'a> WindowView<'a> {
    /// The view of `window` over a transcript.
    pub fn new(window: &'a Window, sentences: &'a [Sentence], words: &'a [Word], signals: &'a Signals<'a>) -> Self {
        let context = RefineContext::new(sentences, words, signals, &[], (f64::NEG_INFINITY, f64::INFINITY));
        let word_range = sentence_word_range(window, sentences, words.len()).unwrap_or_else(|| {
            let inside = |word: &Word| {
                let middle = (word.start + word.end) / 2.0;
                middle >= window.start && middle < window.end
            };
            match (words.iter().position(inside), words.iter().rposition(inside)) {
                (Some(first), Some(last)) => first..last + 1,
                _ => 0..0,
            }
        });
        WindowView { window, sentences, words, word_range, signals, context }
    }

    /// The window's words.
    pub fn spoken(&self) -> &'a [Word] {
        &self.words[self.word_range.clone()]
    }

    /// The window's words joined with spaces.
    pub fn text(&self) -> String {
        self.spoken().iter().map(|word| word.text.trim()).collect::<Vec<_>>().join(" ")
    }

    /// The index of the sentence holding word `index`.
    pub fn sentence_of(&self, index: usize) -> Option<usize> {
        let found = self.sentences.partition_point(|s| s.end_word <= index);
        self.sentences.get(found).filter(|s| s.first_word <= index).map(|_| found)
    }
}

/// The word indices covered by the window's sentences, when it has valid ones.
fn sentence_word_range(window: &Window, sentences: &[Sentence], word_count: usize) -> Option<Range<usize>> {
    if window.first_sentence >= window.end_sentence || window.end_sentence > sentences.len() {
        return None;
    }
    let first = sentences[window.first_sentence].first_word.min(word_count);
    let end = sentences[window.end_sentence - 1].end_word.clamp(first, word_count);
    Some(first..end)
}

/// How the voiced loudness of a window spreads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessSpread {
    /// Standard deviation, dB.
    pub std_db: f64,
    /// 5th-to-95th percentile range, dB.
    pub range_db: f64,
    /// Voiced hops measured.
    pub hops: usize,
    /// Median voiced level, dBFS.
    pub median_db: f64,
}

impl LoudnessSpread {
    /// 0..1: half from the deviation (full at [`FULL_LEVEL_STD_DB`]), half from the range (full
    /// at [`FULL_LEVEL_RANGE_DB`]).
    pub fn dynamics(&self) -> f64 {
        0.5 * (self.std_db / FULL_LEVEL_STD_DB).min(1.0) + 0.5 * (self.range_db / FULL_LEVEL_RANGE_DB).min(1.0)
    }
}

/// The spread of the window's voiced loudness (silences and hops under the voiced floor left
/// out); `None` without enough voiced audio.
pub fn loudness_spread(window: &Window, signals: &Signals) -> Option<LoudnessSpread> {
    let mut voiced = signals.voiced_levels(window.start, window.end);
    if voiced.len() < MIN_DYNAMICS_HOPS {
        return None;
    }
    let std_db = standard_deviation(&voiced);
    let range_db = percentile(&mut voiced, 0.95) - percentile(&mut voiced, 0.05);
    let median_db = percentile(&mut voiced, 0.5);
    Some(LoudnessSpread { std_db, range_db, hops: voiced.len(), median_db })
}

/// Closeness of the window's length to the middle of the nearest fitting range: 100 at the
/// middle, 50 at either bound, less outside. `ranges` are `(min, max)` pairs; the best is used.
pub fn length_fit(window: &Window, ranges: &[(f64, f64)]) -> ScorePart {
    let length = window.played_duration();
    let fit = |&(min, max): &(f64, f64)| {
        let ideal = (min + max) / 2.0;
        let half_range = (max - min) / 2.0;
        let off = (length - ideal).abs();
        let value = if half_range > 0.0 {
            100.0 - 50.0 * off / half_range
        } else if off < 1e-9 {
            100.0
        } else {
            50.0
        };
        (value.clamp(0.0, 100.0), ideal, off)
    };
    match ranges.iter().map(fit).max_by(|a, b| a.0.total_cmp(&b.0)) {
        Some((value, ideal, off)) => {
            ScorePart { value, reason: format!("{length:.1} s, {off:.1} s from the ideal {ideal:.1} s") }
        }
        None => ScorePart { value: NEUTRAL, reason: format!("{length:.1} s, no length asked for") },
    }
}

fn standard_deviation(values: &[f32]) -> f64 {
    let count = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / count;
    let variance = values.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / count;
    variance.sqrt()
}

/// The `fraction` percentile of non-empty `values` (nearest rank); reorders `values`.
pub(crate) fn percentile(values: &mut [f32], fraction: f64) -> f64 {
    let last = values.len() - 1;
    let index = ((last as f64 * fraction).round() as usize).min(last);
    let (_, value, _) = values.select_nth_unstable_by(index, f32::total_cmp);
    *value as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::AudioLevels;

    fn window(start: f64, end: f64) -> Window {
        Window::new(start, end, 0, 0)
    }

    #[test]
    fn varied_loudness_spreads_more_and_silence_is_ignored() {
        let flat = AudioLevels { hop_seconds: 0.1, db: vec![-25.0; 300] };
        let varied = AudioLevels { hop_seconds: 0.1, db: (0..300).map(|i| -35.0 + (i % 20) as f32).collect() };
        let mut flat_with_gaps = flat.clone();
        for hop in flat_with_gaps.db.iter_mut().step_by(3) {
            *hop = -100.0;
        }
        let spread = |levels: &AudioLevels| {
            let signals = Signals { levels: Some(levels), ..Signals::empty(30.0) };
            loudness_spread(&window(0.0, 30.0), &signals)
        };
        let varied_spread = spread(&varied).expect("enough hops");
        assert!(varied_spread.dynamics() > 0.65, "{varied_spread:?}");
        assert_eq!(varied_spread.hops, 300);
        assert_eq!(spread(&flat).map(|s| s.dynamics()), Some(0.0));
        assert_eq!(spread(&flat_with_gaps).map(|s| s.dynamics()), Some(0.0));
        assert_eq!(spread(&flat).map(|s| s.median_db), Some(-25.0));
        assert!(loudness_spread(&window(0.0, 30.0), &Signals::empty(30.0)).is_none());
    }

    #[test]
    fn length_fit_peaks_in_the_middle_of_the_best_range() {
        let one = [(20.0, 60.0)];
        assert_eq!(length_fit(&window(0.0, 40.0), &one).value, 100.0);
        assert_eq!(length_fit(&window(0.0, 20.0), &one).value, 50.0);
        assert_eq!(length_fit(&window(0.0, 60.0), &one).value, 50.0);
        assert!(length_fit(&window(0.0, 35.0), &one).value > 50.0);
        assert_eq!(length_fit(&window(0.0, 30.0), &[(30.0, 30.0)]).value, 100.0);
        assert_eq!(length_fit(&window(10.0, 44.0), &one).reason, "34.0 s, 6.0 s from the ideal 40.0 s");
        // With two ranges, the one the length sits best in counts.
        let two = [(15.0, 30.0), (30.0, 60.0)];
        assert_eq!(length_fit(&window(0.0, 22.5), &two).value, 100.0);
        assert_eq!(length_fit(&window(0.0, 45.0), &two).value, 100.0);
    }
}

//! The `density`, `dynamics` and `length_fit` parts of the baseline score.

use crate::signals::Signals;
use crate::Window;
use opusclip_core::{ScorePart, Word};

/// Words per second at which the rate half of `density` is full (brisk conversational speech).
pub const FULL_WORDS_PER_SECOND: f64 = 2.5;
/// Standard deviation of voiced loudness (dB) at which the spread half of `dynamics` is full.
pub const FULL_LEVEL_STD_DB: f64 = 8.0;
/// 5th-to-95th percentile range of voiced loudness (dB) at which the range half of `dynamics`
/// is full.
pub const FULL_LEVEL_RANGE_DB: f64 = 24.0;
/// Fewer voiced hops than this leave `dynamics` neutral.
const MIN_DYNAMICS_HOPS: usize = 10;
/// The value of a part nothing could be measured for.
const NEUTRAL: f64 = 50.0;

/// Speech density from words: half from words per second (full at
/// [`FULL_WORDS_PER_SECOND`]), half from the share of the window covered by words.
pub fn density_from_words(window: &Window, words: &[&Word]) -> ScorePart {
    let length = window.duration().max(f64::EPSILON);
    let rate = words.len() as f64 / length;
    let share = (covered_seconds(window, words) / length).clamp(0.0, 1.0);
    let rate_points = 50.0 * (rate / FULL_WORDS_PER_SECOND).min(1.0);
    ScorePart {
        value: (rate_points + 50.0 * share).clamp(0.0, 100.0),
        reason: format!("{rate:.1} words/s, {:.0}% of the window has speech", share * 100.0),
    }
}

/// Speech density without words: the share of the window with sound.
pub fn density_from_audio(window: &Window, signals: &Signals) -> ScorePart {
    match signals.non_silent_share(window.start, window.end) {
        Some(share) => ScorePart {
            value: (share * 100.0).clamp(0.0, 100.0),
            reason: format!("no transcript; {:.0}% of the window has sound", share * 100.0),
        },
        None => ScorePart { value: NEUTRAL, reason: "no transcript or audio to measure speech".into() },
    }
}

/// Loudness dynamics over the window's voiced hops: half from the standard deviation (full at
/// [`FULL_LEVEL_STD_DB`]), half from the 5–95th percentile range (full at
/// [`FULL_LEVEL_RANGE_DB`]). Neutral without enough audio.
pub fn dynamics(window: &Window, signals: &Signals) -> ScorePart {
    let mut voiced = signals.voiced_levels(window.start, window.end);
    if voiced.len() < MIN_DYNAMICS_HOPS {
        let reason = if signals.levels.is_none() {
            "no audio levels to measure dynamics"
        } else {
            "too little sound in the window to measure dynamics"
        };
        return ScorePart { value: NEUTRAL, reason: reason.into() };
    }
    let std_db = standard_deviation(&voiced);
    let range_db = percentile(&mut voiced, 0.95) - percentile(&mut voiced, 0.05);
    let value = 50.0 * (std_db / FULL_LEVEL_STD_DB).min(1.0) + 50.0 * (range_db / FULL_LEVEL_RANGE_DB).min(1.0);
    ScorePart {
        value: value.clamp(0.0, 100.0),
        reason: format!(
            "loudness varies {std_db:.1} dB (std dev), {range_db:.0} dB range over {} voiced hops",
            voiced.len()
        ),
    }
}

/// Closeness of the window's length to the middle of `[min_seconds, max_seconds]`: 100 at the
/// middle, 50 at either bound, less outside.
pub fn length_fit(window: &Window, min_seconds: f64, max_seconds: f64) -> ScorePart {
    let length = window.duration();
    let ideal = (min_seconds + max_seconds) / 2.0;
    let half_range = (max_seconds - min_seconds) / 2.0;
    let off = (length - ideal).abs();
    let value = if half_range > 0.0 {
        100.0 - 50.0 * off / half_range
    } else if off < 1e-9 {
        100.0
    } else {
        50.0
    };
    ScorePart {
        value: value.clamp(0.0, 100.0),
        reason: format!("{length:.1} s, {off:.1} s from the ideal {ideal:.1} s"),
    }
}

/// Seconds of the window covered by at least one word.
fn covered_seconds(window: &Window, words: &[&Word]) -> f64 {
    crate::signals::union_length(words.iter().map(|word| (word.start, word.end)), window.start, window.end)
}

fn standard_deviation(values: &[f32]) -> f64 {
    let count = values.len() as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / count;
    let variance = values.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / count;
    variance.sqrt()
}

/// The `fraction` percentile of non-empty `values` (nearest rank); reorders `values`.
fn percentile(values: &mut [f32], fraction: f64) -> f64 {
    let last = values.len() - 1;
    let index = ((last as f64 * fraction).round() as usize).min(last);
    let (_, value, _) = values.select_nth_unstable_by(index, f32::total_cmp);
    *value as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::{AudioLevels, Silence};

    fn window(start: f64, end: f64) -> Window {
        Window { start, end, first_sentence: 0, end_sentence: 0 }
    }

    /// `count` words of `length` seconds each, one every `step` seconds from 0.
    fn spaced_words(count: usize, step: f64, length: f64) -> Vec<Word> {
        (0..count)
            .map(|i| Word {
                text: "word".into(),
                start: i as f64 * step,
                end: i as f64 * step + length,
                confidence: 1.0,
                speaker: None,
            })
            .collect()
    }

    #[test]
    fn dense_speech_scores_higher_density() {
        let dense = spaced_words(75, 0.4, 0.38);
        let sparse = spaced_words(15, 2.0, 0.3);
        let dense_refs: Vec<&Word> = dense.iter().collect();
        let sparse_refs: Vec<&Word> = sparse.iter().collect();
        let dense_part = density_from_words(&window(0.0, 30.0), &dense_refs);
        let sparse_part = density_from_words(&window(0.0, 30.0), &sparse_refs);
        assert!(dense_part.value > 90.0, "{dense_part:?}");
        assert!(sparse_part.value < 30.0, "{sparse_part:?}");
        assert_eq!(dense_part.reason, "2.5 words/s, 95% of the window has speech");
    }

    #[test]
    fn density_without_words_uses_the_share_with_sound() {
        let silences = [Silence { start: 0.0, end: 10.0 }];
        let signals = Signals { silences: &silences, ..Signals::empty(40.0) };
        let part = density_from_audio(&window(0.0, 40.0), &signals);
        assert!((part.value - 75.0).abs() < 1e-9);
        assert!(part.reason.contains("75% of the window has sound"));
        let unknown = density_from_audio(&window(0.0, 40.0), &Signals::empty(40.0));
        assert_eq!(unknown.value, NEUTRAL);
    }

    #[test]
    fn varied_loudness_scores_higher_dynamics_and_silence_is_ignored() {
        let flat = AudioLevels { hop_seconds: 0.1, db: vec![-25.0; 300] };
        let varied = AudioLevels { hop_seconds: 0.1, db: (0..300).map(|i| -35.0 + (i % 20) as f32).collect() };
        let mut flat_with_gaps = flat.clone();
        for hop in flat_with_gaps.db.iter_mut().step_by(3) {
            *hop = -100.0;
        }
        let score = |levels: &AudioLevels| {
            let signals = Signals { levels: Some(levels), ..Signals::empty(30.0) };
            dynamics(&window(0.0, 30.0), &signals)
        };
        let varied_part = score(&varied);
        assert!(varied_part.value > 65.0, "{varied_part:?}");
        assert_eq!(score(&flat).value, 0.0);
        assert_eq!(score(&flat_with_gaps).value, 0.0);
        assert!(varied_part.reason.contains("300 voiced hops"));
        assert_eq!(dynamics(&window(0.0, 30.0), &Signals::empty(30.0)).value, NEUTRAL);
    }

    #[test]
    fn length_fit_peaks_in_the_middle() {
        assert_eq!(length_fit(&window(0.0, 40.0), 20.0, 60.0).value, 100.0);
        assert_eq!(length_fit(&window(0.0, 20.0), 20.0, 60.0).value, 50.0);
        assert_eq!(length_fit(&window(0.0, 60.0), 20.0, 60.0).value, 50.0);
        assert!(length_fit(&window(0.0, 35.0), 20.0, 60.0).value > 50.0);
        assert_eq!(length_fit(&window(0.0, 30.0), 30.0, 30.0).value, 100.0);
        let reason = length_fit(&window(10.0, 44.0), 20.0, 60.0).reason;
        assert_eq!(reason, "34.0 s, 6.0 s from the ideal 40.0 s");
    }
}

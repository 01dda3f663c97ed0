//! The `pacing` part: words per second near a lively talking rate, dead air penalised.
//!
//! The rate earns 100 points between [`LIVELY_MIN_WPS`] and [`LIVELY_MAX_WPS`] words per second,
//! falling linearly to 0 at [`SLOW_WPS`] and [`FAST_WPS`]. Dead air ([`crate::dead_air`]: gaps of
//! at least [`DEAD_AIR_SECONDS`] without words that are silent, or hold wordless sound past a
//! laugh's length) costs [`DEAD_AIR_POINTS_PER_SHARE`] points per unit share of the window, at
//! most [`MAX_DEAD_AIR_PENALTY`]; the reason states its true seconds. Without words, pacing is
//! the share of the window with sound.

use crate::dead_air::dead_air;
pub use crate::dead_air::DEAD_AIR_SECONDS;
use crate::parts::{WindowView, NEUTRAL};
use opusclip_core::ScorePart;

/// Lower end of a lively talking rate, words per second (~140 wpm).
pub const LIVELY_MIN_WPS: f64 = 2.3;
/// Upper end of a lively talking rate, words per second (~210 wpm).
pub const LIVELY_MAX_WPS: f64 = 3.5;
/// A rate this slow earns no rate points.
pub const SLOW_WPS: f64 = 0.8;
/// A rate this fast earns no rate points.
pub const FAST_WPS: f64 = 5.5;
/// Points lost per unit of dead share (10 % dead air costs 20 points).
pub const DEAD_AIR_POINTS_PER_SHARE: f64 = 200.0;
/// Most points dead air can cost.
pub const MAX_DEAD_AIR_PENALTY: f64 = 60.0;

/// Pacing of the window's words, or of its sound when it has none.
pub fn pacing(view: &WindowView) -> ScorePart {
    let spoken = view.spoken();
    if spoken.is_empty() {
        return pacing_from_audio(view);
    }
    let length = view.window.duration().max(f64::EPSILON);
    let rate = spoken.len() as f64 / length;
    let rate_points = rate_points(rate);
    let dead = dead_air(view.window.start, view.window.end, spoken, view.signals);
    let penalty = (DEAD_AIR_POINTS_PER_SHARE * dead.seconds() / length).min(MAX_DEAD_AIR_PENALTY);
    ScorePart {
        value: (rate_points - penalty).clamp(0.0, 100.0),
        reason: format!("{rate:.1} words/s (lively: {LIVELY_MIN_WPS}–{LIVELY_MAX_WPS}); {}", dead.describe()),
    }
}

/// 0..100 for a rate of `words_per_second`.
pub fn rate_points(words_per_second: f64) -> f64 {
    let points = if words_per_second.is_nan() {
        0.0
    } else if words_per_second < LIVELY_MIN_WPS {
        100.0 * (words_per_second - SLOW_WPS) / (LIVELY_MIN_WPS - SLOW_WPS)
    } else if words_per_second > LIVELY_MAX_WPS {
        100.0 * (FAST_WPS - words_per_second) / (FAST_WPS - LIVELY_MAX_WPS)
    } else {
        100.0
    };
    points.clamp(0.0, 100.0)
}

/// Pacing without words: the share of the window with sound.
fn pacing_from_audio(view: &WindowView) -> ScorePart {
    match view.signals.non_silent_share(view.window.start, view.window.end) {
        Some(share) => ScorePart {
            value: (share * 100.0).clamp(0.0, 100.0),
            reason: format!("no transcript; {:.0}% of the window has sound", share * 100.0),
        },
        None => ScorePart { value: NEUTRAL, reason: "no transcript or audio to measure pacing".into() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::score::Window;
    use crate::signals::Signals;
    use opusclip_core::{AudioLevels, Silence, Word};

    fn window(start: f64, end: f64) -> Window {
        Window::new(start, end, 0, 0)
    }

    /// `count` words of `length` seconds each, one every `step` seconds from `from`.
    fn spaced_words(count: usize, from: f64, step: f64, length: f64) -> Vec<Word> {
        (0..count)
            .map(|i| Word {
                text: "word".into(),
                start: from + i as f64 * step,
                end: from + i as f64 * step + length,
                confidence: 1.0,
                speaker: None,
            })
            .collect()
    }

    fn pace(words: &[Word], signals: &Signals, start: f64, end: f64) -> ScorePart {
        let window = window(start, end);
        pacing(&WindowView::new(&window, &[], words, signals))
    }

    #[test]
    fn a_lively_rate_beats_a_slow_or_rushed_one() {
        let signals = Signals::empty(30.0);
        let lively = pace(&spaced_words(84, 0.0, 0.357, 0.33), &signals, 0.0, 30.0);
        let slow = pace(&spaced_words(36, 0.0, 0.83, 0.8), &signals, 0.0, 30.0);
        let rushed = pace(&spaced_words(165, 0.0, 0.18, 0.17), &signals, 0.0, 30.0);
        assert_eq!(lively.value, 100.0, "{lively:?}");
        assert!(slow.value < 40.0 && rushed.value < 40.0, "{slow:?} {rushed:?}");
        assert_eq!(lively.reason, "2.8 words/s (lively: 2.3–3.5); no dead air");
        assert_eq!(rate_points(f64::NAN), 0.0);
    }

    #[test]
    fn dead_air_costs_points_unless_it_is_a_short_sound() {
        // 2.8 words/s for 20 s, then 10 s without words.
        let words = spaced_words(56, 0.0, 0.357, 0.33);
        let quiet = pace(&words, &Signals::empty(30.0), 0.0, 30.0);
        assert!(quiet.reason.contains("10.0 s dead air in 1 gap (33% of the clip)"), "{quiet:?}");
        assert!(quiet.value < 40.0, "{quiet:?}");
        // A 2 s wordless gap with sound (a laugh, applause) is not dead air.
        let levels = AudioLevels { hop_seconds: 0.1, db: vec![-20.0; 300] };
        let laugh = pace(&words, &Signals { levels: Some(&levels), ..Signals::empty(30.0) }, 0.0, 22.0);
        assert!(laugh.reason.contains("no dead air"), "{laugh:?}");
        // Ten seconds of sound without words is dead past the first three.
        let loud = pace(&words, &Signals { levels: Some(&levels), ..Signals::empty(30.0) }, 0.0, 30.0);
        assert!(loud.reason.contains("7.0 s dead air in 1 gap"), "{loud:?}");
        // A detected silence makes all of it dead.
        let silences = [Silence { start: 20.0, end: 30.0 }];
        let silent = Signals { levels: Some(&levels), silences: &silences, ..Signals::empty(30.0) };
        assert!(pace(&words, &silent, 0.0, 30.0).value < 40.0);
    }

    #[test]
    fn without_words_pacing_is_the_share_with_sound() {
        let silences = [Silence { start: 0.0, end: 10.0 }];
        let signals = Signals { silences: &silences, ..Signals::empty(40.0) };
        let part = pace(&[], &signals, 0.0, 40.0);
        assert!((part.value - 75.0).abs() < 1e-9);
        assert!(part.reason.contains("75% of the window has sound"));
        assert_eq!(pace(&[], &Signals::empty(40.0), 0.0, 40.0).value, NEUTRAL);
    }
}

//! Dead air: the seconds of a window in which nobody speaks, measured from the words and the
//! audio levels together. A stretch of at least [`DEAD_AIR_SECONDS`] without words is dead where
//! the audio is silent, and also, past [`WORDLESS_SOUND_ALLOWANCE`] seconds, where it has sound
//! but no words (music, noise, a silent face with room tone); a laugh or applause shorter than
//! that allowance is not dead air. A window more than [`MAX_DEAD_SHARE`] dead never ranks above
//! one that is not.

use crate::signals::Signals;
use opusclip_core::Word;

/// A gap between words at least this long can be dead air, seconds; shorter ones are the
/// pauses of speech (a lecturer's breath between sentences is often a second).
pub const DEAD_AIR_SECONDS: f64 = 1.5;
/// Seconds of sound without words a gap may hold before the rest counts as dead air (a laugh,
/// applause, a sound effect).
pub const WORDLESS_SOUND_ALLOWANCE: f64 = 3.0;
/// A window with more than this share of dead air ranks below every window with less.
pub const MAX_DEAD_SHARE: f64 = 0.15;
/// Dead air shorter than this inside one gap is not counted (level hops straddling words).
const MIN_COUNTED_SECONDS: f64 = 0.5;

/// How much of a window is dead air.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeadAir {
    /// Seconds without words and without sound.
    pub silent_seconds: f64,
    /// Seconds without words but with sound, past the allowance of each gap.
    pub wordless_sound_seconds: f64,
    /// How many gaps between words hold the dead air.
    pub gaps: usize,
    /// The window's length, seconds.
    pub window_seconds: f64,
}

impl DeadAir {
    /// Seconds of dead air: silent plus wordless sound past its allowance.
    pub fn seconds(&self) -> f64 {
        self.silent_seconds + self.wordless_sound_seconds
    }

    /// Dead air as a share (0..1) of the window.
    pub fn share(&self) -> f64 {
        if self.window_seconds > 0.0 {
            (self.seconds() / self.window_seconds).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Whether the window is more than [`MAX_DEAD_SHARE`] dead.
    pub fn too_much(&self) -> bool {
        self.share() > MAX_DEAD_SHARE + 1e-9
    }

    /// One line for a reason: "no dead air", or the seconds, gaps and share.
    pub fn describe(&self) -> String {
        if self.gaps == 0 {
            return "no dead air".to_string();
        }
        let gaps = if self.gaps == 1 { "1 gap".to_string() } else { format!("{} gaps", self.gaps) };
        let sound = if self.wordless_sound_seconds >= 0.05 {
            format!(", {:.1} s of it sound without words", self.wordless_sound_seconds)
        } else {
            String::new()
        };
        format!("{:.1} s dead air in {gaps} ({:.0}% of the clip{sound})", self.seconds(), self.share() * 100.0)
    }
}

/// The dead air of `[start, end)` given the words spoken in it (in time order). Without words,
/// only silence counts: the whole window is one gap, and its sound is what there is to hear.
pub fn dead_air(start: f64, end: f64, words: &[Word], signals: &Signals) -> DeadAir {
    let window_seconds = (end - start).max(0.0);
    let mut measured = DeadAir { window_seconds, ..DeadAir::default() };
    if window_seconds <= 0.0 {
        return measured;
    }
    let allowance = if words.is_empty() { f64::INFINITY } else { WORDLESS_SOUND_ALLOWANCE };
    for (from, to) in wordless_gaps(start, end, words) {
        let length = to - from;
        let silent = match signals.non_silent_share(from, to) {
            Some(sound) => length * (1.0 - sound),
            None if words.is_empty() => 0.0,
            None => length,
        };
        let wordless_sound = (length - silent - allowance).max(0.0);
        if silent + wordless_sound >= MIN_COUNTED_SECONDS {
            measured.silent_seconds += silent;
            measured.wordless_sound_seconds += wordless_sound;
            measured.gaps += 1;
        }
    }
    measured
}

/// The stretches of `[start, end)` of at least [`DEAD_AIR_SECONDS`] that no word covers.
fn wordless_gaps(start: f64, end: f64, words: &[Word]) -> Vec<(f64, f64)> {
    let mut gaps = Vec::new();
    let mut reached = start;
    for word in words {
        if !(word.start.is_finite() && word.end.is_finite()) {
            continue;
        }
        let word_start = word.start.clamp(start, end);
        if word_start - reached >= DEAD_AIR_SECONDS {
            gaps.push((reached, word_start));
        }
        reached = reached.max(word.end.min(end));
    }
    if end - reached >= DEAD_AIR_SECONDS {
        gaps.push((reached, end));
    }
    gaps
}

/// The words whose middle lies in `[start, end)`, from words sorted by time.
pub fn words_within(words: &[Word], start: f64, end: f64) -> &[Word] {
    let middle = |word: &Word| (word.start + word.end) / 2.0;
    let first = words.partition_point(|word| middle(word) < start);
    let last = words.partition_point(|word| middle(word) < end).max(first);
    &words[first..last]
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::{AudioLevels, Silence};

    fn word(start: f64, end: f64) -> Word {
        Word { text: "word".into(), start, end, confidence: 1.0, speaker: None }
    }

    /// Levels at `db` every 0.1 s for `seconds`, with `quiet` stretches at -80 dB.
    fn levels(seconds: f64, quiet: &[(f64, f64)]) -> AudioLevels {
        let hops = (seconds * 10.0).round() as usize;
        let db = (0..hops)
            .map(|hop| {
                let t = hop as f64 / 10.0 + 0.05;
                if quiet.iter().any(|&(from, to)| t >= from && t < to) {
                    -80.0
                } else {
                    -20.0
                }
            })
            .collect();
        AudioLevels { hop_seconds: 0.1, db }
    }

    #[test]
    fn silence_between_words_is_dead_air_measured_from_the_levels() {
        let words = [word(0.0, 2.0), word(12.0, 14.0)];
        let levels = levels(20.0, &[(2.0, 12.0)]);
        let silences = [Silence { start: 2.0, end: 12.0 }];
        let signals = Signals { levels: Some(&levels), silences: &silences, ..Signals::empty(20.0) };
        let measured = dead_air(0.0, 14.0, &words, &signals);
        assert!((measured.silent_seconds - 10.0).abs() < 0.11, "{measured:?}");
        assert_eq!(measured.gaps, 1);
        assert!(measured.too_much());
        assert!(
            measured.describe().starts_with("10.0 s dead air in 1 gap (71% of the clip"),
            "{}",
            measured.describe()
        );
    }

    #[test]
    fn a_short_laugh_is_not_dead_air_but_a_long_wordless_stretch_is() {
        let words = [word(0.0, 5.0), word(7.0, 12.0), word(22.0, 25.0)];
        let levels = levels(25.0, &[]);
        let signals = Signals { levels: Some(&levels), ..Signals::empty(25.0) };
        let measured = dead_air(0.0, 25.0, &words, &signals);
        assert_eq!(measured.silent_seconds, 0.0);
        assert!((measured.wordless_sound_seconds - 7.0).abs() < 1e-9, "{measured:?}");
        assert_eq!(measured.gaps, 1, "the 2 s laugh is allowed; the 10 s stretch is not");
    }

    #[test]
    fn pauses_of_speech_are_not_dead_air() {
        let words: Vec<Word> = (0..20).map(|i| word(i as f64, i as f64 + 0.3)).collect();
        let signals = Signals::empty(20.0);
        let measured = dead_air(0.0, 19.3, &words, &signals);
        assert_eq!(measured, DeadAir { window_seconds: 19.3, ..DeadAir::default() });
        assert_eq!(measured.describe(), "no dead air");
    }

    #[test]
    fn without_words_only_silence_counts() {
        let levels = levels(10.0, &[(0.0, 1.0)]);
        let silences = [Silence { start: 0.0, end: 1.0 }];
        let signals = Signals { levels: Some(&levels), silences: &silences, ..Signals::empty(10.0) };
        let measured = dead_air(0.0, 10.0, &[], &signals);
        assert!((measured.silent_seconds - 1.0).abs() < 0.11, "{measured:?}");
        assert_eq!(measured.wordless_sound_seconds, 0.0);
        assert!(!measured.too_much());
        assert_eq!(dead_air(0.0, 10.0, &[], &Signals::empty(10.0)).seconds(), 0.0, "nothing known: nothing dead");
    }

    #[test]
    fn words_within_takes_words_by_their_middle() {
        let words = [word(0.0, 1.0), word(1.0, 2.0), word(2.0, 3.0)];
        assert_eq!(words_within(&words, 0.6, 2.6).len(), 2);
        assert_eq!(words_within(&words, 0.6, 2.4).len(), 1);
        assert!(words_within(&words, 5.0, 6.0).is_empty());
    }
}

//! Silence judged against the recording itself, not a fixed level: a quiet voice recorded at
//! −40 dBFS is speech, where a fixed −35 dBFS threshold called it silence and whole phrases were
//! never transcribed or were dropped after. The threshold sits [`SPEECH_TO_SILENCE_DB`] below the
//! recording's loud level (its 95th-percentile 100 ms level; speech at −18 dBFS puts silence
//! below −43 dBFS), never above the fixed −35 dBFS
//! and never below −60 dBFS. [`LevelHistogram`] keeps that percentile online in constant memory,
//! for the gate that sees the stream before its end.

/// How far below the recording's loud level silence starts, dB.
pub const SPEECH_TO_SILENCE_DB: f32 = 25.0;
/// The highest threshold used: the old fixed one, right for recordings at normal level.
pub const LOUDEST_THRESHOLD_DB: f32 = -35.0;
/// The lowest threshold used: below it, hiss and room tone.
pub const QUIETEST_THRESHOLD_DB: f32 = -60.0;
/// The percentile of hop levels taken as the recording's loud level.
const LOUD_PERCENTILE: f64 = 0.95;
/// Levels below this are digital silence and not counted.
const FLOOR_DB: f32 = -100.0;

/// The silence threshold for a recording whose loud level is `loud_db`.
pub fn threshold_for_loud_level(loud_db: f32) -> f32 {
    (loud_db - SPEECH_TO_SILENCE_DB).clamp(QUIETEST_THRESHOLD_DB, LOUDEST_THRESHOLD_DB)
}

/// The silence threshold for a whole recording's 100 ms levels (dBFS).
pub fn silence_threshold(levels_db: &[f32]) -> f32 {
    let mut histogram = LevelHistogram::default();
    levels_db.iter().for_each(|&db| histogram.add(db));
    histogram.threshold()
}

/// Counts of hop levels in 1 dB bins from −100 to 0 dBFS.
#[derive(Debug, Clone)]
pub struct LevelHistogram {
    counts: [u64; 101],
    total: u64,
}

impl Default for LevelHistogram {
    fn default() -> Self {
        LevelHistogram { counts: [0; 101], total: 0 }
    }
}

impl LevelHistogram {
    /// Count one hop's level; digital silence is not counted.
    pub fn add(&mut self, db: f32) {
        if db.is_nan() || db <= FLOOR_DB {
            return;
        }
        let bin = (db - FLOOR_DB).round().clamp(0.0, 100.0) as usize;
        self.counts[bin] += 1;
        self.total += 1;
    }

    /// The loud level so far (`None` before any sound).
    pub fn loud_level(&self) -> Option<f32> {
        if self.total == 0 {
            return None;
        }
        let wanted = (self.total as f64 * LOUD_PERCENTILE).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (bin, &count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= wanted {
                return Some(FLOOR_DB + bin as f32);
            }
        }
        Some(0.0)
    }

    /// The silence threshold so far: [`LOUDEST_THRESHOLD_DB`] before any sound.
    pub fn threshold(&self) -> f32 {
        self.loud_level().map_or(LOUDEST_THRESHOLD_DB, threshold_for_loud_level)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_threshold_follows_the_recordings_loud_level_within_its_bounds() {
        // Speech at -18 dBFS: silence below -43 dBFS.
        let normal: Vec<f32> = (0..100).map(|i| if i % 2 == 0 { -18.0 } else { -70.0 }).collect();
        assert_eq!(silence_threshold(&normal), -43.0);
        // Very loud speech never raises the threshold above the old fixed -35 dBFS.
        let loud: Vec<f32> = (0..100).map(|i| if i % 2 == 0 { -3.0 } else { -70.0 }).collect();
        assert_eq!(silence_threshold(&loud), -35.0);
        // A quiet voice at −40 dBFS over −75 dBFS room tone: speech must stay above threshold.
        let quiet: Vec<f32> = (0..100).map(|i| if i % 2 == 0 { -40.0 } else { -75.0 }).collect();
        let threshold = silence_threshold(&quiet);
        assert_eq!(threshold, -60.0);
        assert!(-44.0 > threshold && -75.0 < threshold);
    }

    #[test]
    fn silence_alone_and_digital_zero_fall_back_to_the_fixed_threshold() {
        assert_eq!(silence_threshold(&[]), -35.0);
        assert_eq!(silence_threshold(&[-120.0, f32::NEG_INFINITY, f32::NAN]), -35.0);
    }

    #[test]
    fn the_online_histogram_agrees_with_the_whole_recording() {
        let levels: Vec<f32> = (0..1000).map(|i| -30.0 - (i % 40) as f32).collect();
        let mut histogram = LevelHistogram::default();
        levels.iter().for_each(|&db| histogram.add(db));
        // 25 hops at each of -69 … -30 dBFS: the 950th quietest is -32.
        assert_eq!(histogram.loud_level(), Some(-32.0));
        assert_eq!(histogram.threshold(), silence_threshold(&levels));
    }
}

//! Audio levels and silences from 16 kHz mono samples: the RMS level in dBFS of every 100 ms
//! hop, and the stretches below a threshold that last long enough to count as pauses.

use opusclip_core::{AudioLevels, Silence};

/// Hop of the level meter, in seconds.
pub const HOP_SECONDS: f64 = 0.1;
/// Level reported for digital silence.
pub const FLOOR_DB: f32 = -100.0;

/// Streams samples into per-hop RMS levels; memory grows by one f32 per 100 ms.
#[derive(Debug, Clone)]
pub struct LevelMeter {
    hop_samples: usize,
    sum_squares: f64,
    count: usize,
    levels: Vec<f32>,
}

impl LevelMeter {
    pub fn new(sample_rate: u32) -> LevelMeter {
        LevelMeter {
            hop_samples: ((f64::from(sample_rate) * HOP_SECONDS).round() as usize).max(1),
            sum_squares: 0.0,
            count: 0,
            levels: Vec::new(),
        }
    }

    pub fn push(&mut self, samples: &[f32]) {
        for &sample in samples {
            self.sum_squares += f64::from(sample) * f64::from(sample);
            self.count += 1;
            if self.count == self.hop_samples {
                self.close_hop();
            }
        }
    }

    fn close_hop(&mut self) {
        let mean = self.sum_squares / self.count.max(1) as f64;
        let db = if mean <= 1e-10 { FLOOR_DB } else { (10.0 * mean.log10()) as f32 };
        self.levels.push(db.max(FLOOR_DB));
        self.sum_squares = 0.0;
        self.count = 0;
    }

    /// The levels so far, closing a final partial hop.
    pub fn finish(mut self) -> AudioLevels {
        if self.count > 0 {
            self.close_hop();
        }
        AudioLevels { hop_seconds: HOP_SECONDS, db: self.levels }
    }
}

/// Parameters of silence detection.
#[derive(Debug, Clone, Copy)]
pub struct SilenceParams {
    /// A hop is silent below this level (dBFS).
    pub threshold_db: f32,
    /// Shortest silence reported, in seconds.
    pub min_duration: f64,
}

impl Default for SilenceParams {
    fn default() -> Self {
        SilenceParams { threshold_db: -35.0, min_duration: 0.3 }
    }
}

/// Stretches of at least `min_duration` whose level stays below `threshold_db`.
pub fn silences(levels: &AudioLevels, params: SilenceParams) -> Vec<Silence> {
    let mut found = Vec::new();
    let mut run_start: Option<usize> = None;
    let hop = levels.hop_seconds;
    let close = |start: usize, end: usize, found: &mut Vec<Silence>| {
        let silence = Silence { start: start as f64 * hop, end: end as f64 * hop };
        if silence.end - silence.start >= params.min_duration - 1e-9 {
            found.push(silence);
        }
    };
    for (index, &db) in levels.db.iter().enumerate() {
        match (db < params.threshold_db, run_start) {
            (true, None) => run_start = Some(index),
            (false, Some(start)) => {
                close(start, index, &mut found);
                run_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run_start {
        close(start, levels.db.len(), &mut found);
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tone(seconds: f64, amplitude: f32) -> Vec<f32> {
        let n = (seconds * 16_000.0) as usize;
        (0..n).map(|i| amplitude * (i as f32 * 0.1).sin()).collect()
    }

    #[test]
    fn level_of_a_full_scale_sine_is_minus_3_db() {
        let mut meter = LevelMeter::new(16_000);
        meter.push(&tone(1.0, 1.0));
        let levels = meter.finish();
        assert_eq!(levels.db.len(), 10);
        assert!((levels.db[5] + 3.01).abs() < 0.1, "{}", levels.db[5]);
    }

    #[test]
    fn silence_is_found_between_tones() {
        let mut meter = LevelMeter::new(16_000);
        meter.push(&tone(1.0, 0.5));
        meter.push(&vec![0.0; 8_000]);
        meter.push(&tone(1.0, 0.5));
        meter.push(&vec![0.0; 2_000]); // 0.125 s: too short to count
        meter.push(&tone(0.5, 0.5));
        let found = silences(&meter.finish(), SilenceParams::default());
        assert_eq!(found.len(), 1, "{found:?}");
        assert!((found[0].start - 1.0).abs() < 0.11 && (found[0].end - 1.5).abs() < 0.11);
    }

    #[test]
    fn trailing_silence_is_closed() {
        let levels = AudioLevels { hop_seconds: 0.1, db: vec![-10.0, -60.0, -60.0, -60.0, -60.0] };
        let found = silences(&levels, SilenceParams::default());
        assert_eq!(found, vec![Silence { start: 0.1, end: 0.5 }]);
    }
}

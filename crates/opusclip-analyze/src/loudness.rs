//! Loudness (EBU R128 / ITU BS.1770, with the `ebur128` crate) and energy peaks. The meter
//! reads momentary (400 ms) and short-term (3 s) loudness every 100 ms and the integrated
//! loudness at the end. Mono input counts as one front channel (weight 1): a 1 kHz sine whose
//! RMS is -20 dBFS reads -20 LUFS, so a sine whose *peak* is -20 dBFS reads -23 LUFS.
//!
//! Energy peaks are moments that are loud *for this video*: the level of each hop as a z-score
//! against the mean and standard deviation of the video's voiced hops, kept where it is a local
//! maximum above a threshold, at most one per `PEAK_SEPARATION_SECONDS`.

use ebur128::{EbuR128, Mode};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Interval between loudness readings, in seconds.
pub const READING_SECONDS: f64 = 0.1;
/// Loudness reported for silence (where the measure is minus infinity), in LUFS.
pub const LOUDNESS_FLOOR_LUFS: f64 = -100.0;
/// Hops quieter than this (dBFS) are not voiced and do not set the mean and spread.
pub const VOICED_MIN_DB: f32 = -50.0;
/// Fewest seconds between two energy peaks.
pub const PEAK_SEPARATION_SECONDS: f64 = 1.0;

/// Why the meter could not measure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoudnessError {
    /// The sample rate is outside what the meter accepts (16 Hz to 2.8 MHz).
    UnsupportedSampleRate(u32),
    /// The meter refused the samples or a query.
    Meter(String),
}

impl fmt::Display for LoudnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoudnessError::UnsupportedSampleRate(rate) => write!(f, "unsupported sample rate for loudness: {rate} Hz"),
            LoudnessError::Meter(reason) => write!(f, "loudness meter failed: {reason}"),
        }
    }
}

impl std::error::Error for LoudnessError {}

/// Loudness at one moment, in LUFS; `t` is the end of the measured windows, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LoudnessReading {
    pub t: f64,
    /// Over the last 400 ms.
    pub momentary: f64,
    /// Over the last 3 s.
    pub short_term: f64,
}

/// All readings of a stream and its integrated (gated, whole-programme) loudness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoudnessSummary {
    pub readings: Vec<LoudnessReading>,
    /// `None` when every block was gated away (silence).
    pub integrated: Option<f64>,
}

/// Streams mono f32 samples into loudness readings; memory grows by one reading per 100 ms.
pub struct LoudnessMeter {
    meter: EbuR128,
    sample_rate: u32,
    samples_per_reading: usize,
    samples_in_reading: usize,
    samples_seen: u64,
    readings: Vec<LoudnessReading>,
}

impl fmt::Debug for LoudnessMeter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoudnessMeter")
            .field("sample_rate", &self.sample_rate)
            .field("readings", &self.readings.len())
            .finish()
    }
}

fn meter_error(error: ebur128::Error) -> LoudnessError {
    LoudnessError::Meter(error.to_string())
}

/// Minus infinity (silence) becomes [`LOUDNESS_FLOOR_LUFS`], so readings stay finite.
fn finite_loudness(lufs: f64) -> f64 {
    if lufs.is_finite() {
        lufs.max(LOUDNESS_FLOOR_LUFS)
    } else {
        LOUDNESS_FLOOR_LUFS
    }
}

impl LoudnessMeter {
    /// A meter for mono samples at `sample_rate` (the pipeline's 16 kHz).
    pub fn new(sample_rate: u32) -> Result<LoudnessMeter, LoudnessError> {
        // The histogram keeps the integrated measure in constant memory (0.1 LU steps).
        let mode = Mode::M | Mode::S | Mode::I | Mode::HISTOGRAM;
        let meter =
            EbuR128::new(1, sample_rate, mode).map_err(|_| LoudnessError::UnsupportedSampleRate(sample_rate))?;
        let samples_per_reading = ((f64::from(sample_rate) * READING_SECONDS).round() as usize).max(1);
        Ok(LoudnessMeter {
            meter,
            sample_rate,
            samples_per_reading,
            samples_in_reading: 0,
            samples_seen: 0,
            readings: Vec::new(),
        })
    }

    /// Feed the next samples; returns how many readings this made.
    pub fn push(&mut self, mut samples: &[f32]) -> Result<usize, LoudnessError> {
        let before = self.readings.len();
        while !samples.is_empty() {
            let room = self.samples_per_reading - self.samples_in_reading;
            let (now, rest) = samples.split_at(room.min(samples.len()));
            self.meter.add_frames_f32(now).map_err(meter_error)?;
            self.samples_in_reading += now.len();
            self.samples_seen += now.len() as u64;
            samples = rest;
            if self.samples_in_reading == self.samples_per_reading {
                self.samples_in_reading = 0;
                self.read()?;
            }
        }
        Ok(self.readings.len() - before)
    }

    fn read(&mut self) -> Result<(), LoudnessError> {
        let reading = LoudnessReading {
            t: self.samples_seen as f64 / f64::from(self.sample_rate),
            momentary: finite_loudness(self.meter.loudness_momentary().map_err(meter_error)?),
            short_term: finite_loudness(self.meter.loudness_shortterm().map_err(meter_error)?),
        };
        self.readings.push(reading);
        Ok(())
    }

    /// The readings so far.
    pub fn readings(&self) -> &[LoudnessReading] {
        &self.readings
    }

    /// All readings (the last partial 100 ms is read too) and the integrated loudness.
    pub fn finish(mut self) -> Result<LoudnessSummary, LoudnessError> {
        if self.samples_in_reading > 0 {
            self.read()?;
        }
        let integrated = self.meter.loudness_global().map_err(meter_error)?;
        Ok(LoudnessSummary { readings: self.readings, integrated: integrated.is_finite().then_some(integrated) })
    }
}

/// A moment that is loud for this video: `t` is the middle of the hop, `z` its level's
/// z-score against the video's voiced hops.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EnergyPeak {
    pub t: f64,
    pub z: f32,
}

/// Energy peaks of per-hop levels (dBFS, as [`crate::audio::LevelMeter`] makes them): hops
/// whose z-score reaches `z_threshold` and that are the loudest within
/// [`PEAK_SEPARATION_SECONDS`] of themselves, in time order. The mean and spread come from the
/// voiced hops (at least [`VOICED_MIN_DB`]); no peaks when fewer than two hops are voiced or
/// all voiced hops are equally loud.
pub fn energy_peaks(levels_db: &[f32], hop_seconds: f64, z_threshold: f32) -> Vec<EnergyPeak> {
    let Some((mean, spread)) = voiced_mean_and_spread(levels_db) else {
        return Vec::new();
    };
    let z_of = |db: f32| (db - mean) / spread;
    let reach = if hop_seconds > 0.0 { (PEAK_SEPARATION_SECONDS / hop_seconds).round() as usize } else { 0 };
    let mut candidates: Vec<usize> = (0..levels_db.len())
        .filter(|&index| levels_db[index] >= VOICED_MIN_DB && z_of(levels_db[index]) >= z_threshold)
        .collect();
    // Loudest first; a candidate stands when no louder one already stands within reach.
    candidates.sort_by(|&a, &b| levels_db[b].total_cmp(&levels_db[a]).then(a.cmp(&b)));
    let mut kept: Vec<usize> = Vec::new();
    for index in candidates {
        if kept.iter().all(|&other| other.abs_diff(index) > reach) {
            kept.push(index);
        }
    }
    kept.sort_unstable();
    kept.into_iter()
        .map(|index| EnergyPeak { t: (index as f64 + 0.5) * hop_seconds, z: z_of(levels_db[index]) })
        .collect()
}

/// Mean and (population) standard deviation of the voiced levels.
fn voiced_mean_and_spread(levels_db: &[f32]) -> Option<(f32, f32)> {
    let voiced: Vec<f64> = levels_db.iter().filter(|&&db| db >= VOICED_MIN_DB).map(|&db| f64::from(db)).collect();
    if voiced.len() < 2 {
        return None;
    }
    let mean = voiced.iter().sum::<f64>() / voiced.len() as f64;
    let variance = voiced.iter().map(|db| (db - mean).powi(2)).sum::<f64>() / voiced.len() as f64;
    let spread = variance.sqrt();
    (spread > 1e-6).then_some((mean as f32, spread as f32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(seconds: f64, peak: f32) -> Vec<f32> {
        let count = (seconds * 16_000.0) as usize;
        (0..count).map(|i| peak * (2.0 * std::f32::consts::PI * 1000.0 * i as f32 / 16_000.0).sin()).collect()
    }

    fn measure(samples: &[f32]) -> LoudnessSummary {
        let mut meter = LoudnessMeter::new(16_000).expect("16 kHz is supported");
        // Uneven chunks, as a decoder hands them.
        for chunk in samples.chunks(1_234) {
            meter.push(chunk).expect("mono samples");
        }
        meter.finish().expect("a summary")
    }

    #[test]
    fn sine_at_minus_20_dbfs_rms_reads_minus_20_lufs() {
        let rms_minus_20 = 0.1 * std::f32::consts::SQRT_2;
        let summary = measure(&sine(5.0, rms_minus_20));
        assert_eq!(summary.readings.len(), 50);
        let last = summary.readings[49];
        assert!((last.t - 5.0).abs() < 1e-9);
        assert!((last.momentary + 20.0).abs() < 0.3, "{last:?}");
        assert!((last.short_term + 20.0).abs() < 0.3, "{last:?}");
        let integrated = summary.integrated.unwrap_or(f64::NAN);
        assert!((integrated + 20.0).abs() < 0.3, "{integrated}");
        // A sine whose peak is -20 dBFS is 3 dB quieter.
        let peak_minus_20 = measure(&sine(5.0, 0.1)).integrated.unwrap_or(f64::NAN);
        assert!((peak_minus_20 + 23.01).abs() < 0.3, "{peak_minus_20}");
    }

    #[test]
    fn silence_has_no_integrated_loudness_and_floor_readings() {
        let summary = measure(&vec![0.0; 16_050]);
        assert_eq!(summary.readings.len(), 11); // 10 full readings and the partial one
        assert_eq!(summary.integrated, None);
        assert!(summary.readings.iter().all(|reading| reading.momentary == LOUDNESS_FLOOR_LUFS));
    }

    #[test]
    fn unsupported_rate_is_an_error() {
        assert!(matches!(LoudnessMeter::new(0), Err(LoudnessError::UnsupportedSampleRate(0))));
    }

    #[test]
    fn energy_peaks_find_a_planted_burst() {
        // 60 s of speech-like levels around -30 dBFS, pauses at -80, a loud burst at 31.0 s.
        let mut levels: Vec<f32> = (0..600).map(|i| -30.0 + 3.0 * ((i as f32) * 0.7).sin()).collect();
        for pause in levels.iter_mut().skip(100).take(20) {
            *pause = -80.0;
        }
        levels[310] = -12.0;
        levels[311] = -14.0; // the burst's tail: same peak, not a second one
        let peaks = energy_peaks(&levels, 0.1, 3.0);
        assert_eq!(peaks.len(), 1, "{peaks:?}");
        assert!((peaks[0].t - 31.05).abs() < 1e-6);
        assert!(peaks[0].z > 5.0, "{}", peaks[0].z);
    }

    #[test]
    fn peaks_are_separated_and_flat_levels_have_none() {
        let mut levels = vec![-30.0f32; 300];
        levels[100] = -10.0;
        levels[105] = -11.0; // within 1 s of a louder one
        levels[200] = -11.0;
        let peaks = energy_peaks(&levels, 0.1, 2.0);
        assert_eq!(peaks.iter().map(|p| (p.t * 100.0).round() as i64).collect::<Vec<_>>(), vec![1005, 2005]);
        assert!(energy_peaks(&[-30.0; 50], 0.1, 1.0).is_empty());
        assert!(energy_peaks(&[-90.0; 50], 0.1, 1.0).is_empty());
    }
}

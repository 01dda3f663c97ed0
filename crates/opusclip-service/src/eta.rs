//! How fast each stage runs on this machine: seconds per unit of work (a second of source, of
//! chosen clips, or of rendered output), learnt from every finished stage and kept in
//! `DATA_DIR/stage-speeds.json`, so a job's ETA comes from what this machine measured rather
//! than from the time its first stages happened to take.

use opusclip_pipeline::Workload;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

/// Stages in the order a clip job runs them, as the pipeline names them.
pub const CLIP_STAGES: [&str; 8] = ["probe", "transcript", "survey", "topics", "select", "look", "reframe", "render"];

/// Weight of a new measurement against what was known (an exponential average: a machine that
/// got busier shows within two or three jobs).
const LEARNING_RATE: f64 = 0.5;

/// Seconds per unit for a stage never measured here: a 2-core machine with a release build
/// (survey ≈80× realtime on key frames, Whisper base ≈0.15 real-time factor, the close look
/// decoding the clips at full rate, x264 rendering 1080x1920 at ≈25 fps).
fn prior(key: &str) -> f64 {
    match key {
        "probe" => 0.001,
        "transcript" => 0.0005,
        "survey" => 0.0125,
        "survey+speech" => 0.16,
        "topics" => 0.001,
        "select" => 0.002,
        "look" => 0.3,
        "reframe" => 0.01,
        "render" => 1.2,
        _ => 0.0,
    }
}

/// The work a stage scales with, in a job of `workload`; the key its speed is kept under.
pub fn units(stage: &str, workload: &Workload) -> Option<(String, f64)> {
    let per_output = workload.clip_seconds * workload.outputs.max(1) as f64;
    match stage {
        "survey" if workload.transcribes => Some(("survey+speech".into(), workload.source_seconds)),
        "probe" | "transcript" | "survey" | "topics" | "select" => Some((stage.into(), workload.source_seconds)),
        "look" | "reframe" => Some((stage.into(), workload.clip_seconds)),
        "render" => Some((stage.into(), per_output)),
        _ => None,
    }
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Speed {
    seconds_per_unit: f64,
    samples: u32,
}

/// The measured speeds, shared by every job of this process.
#[derive(Debug, Default)]
pub struct StageSpeeds {
    speeds: Mutex<BTreeMap<String, Speed>>,
    file: Option<PathBuf>,
}

impl StageSpeeds {
    /// Speeds kept in `file` (read now, rewritten after each measurement); a missing or
    /// unreadable file starts from the priors.
    pub fn at(file: PathBuf) -> StageSpeeds {
        let speeds =
            std::fs::read(&file).ok().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        StageSpeeds { speeds: Mutex::new(speeds), file: Some(file) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Speed>> {
        self.speeds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Seconds `stage` should take for `workload` here; `None` for stages that do not scale
    /// with it (fetching, the LLM).
    pub fn predict(&self, stage: &str, workload: &Workload) -> Option<f64> {
        let (key, units) = units(stage, workload)?;
        let per_unit = self.lock().get(&key).map_or_else(|| prior(&key), |speed| speed.seconds_per_unit);
        Some(per_unit * units)
    }

    /// Learn from `stage` having taken `seconds` for `workload`.
    pub fn record(&self, stage: &str, workload: &Workload, seconds: f64) {
        let Some((key, units)) = units(stage, workload) else { return };
        if units.is_nan() || units <= 0.0 || !seconds.is_finite() || seconds < 0.0 {
            return;
        }
        let measured = seconds / units;
        let snapshot = {
            let mut speeds = self.lock();
            let speed = speeds.entry(key).or_insert(Speed { seconds_per_unit: measured, samples: 0 });
            if speed.samples > 0 {
                speed.seconds_per_unit += LEARNING_RATE * (measured - speed.seconds_per_unit);
            }
            speed.samples += 1;
            speeds.clone()
        };
        if let Some(file) = &self.file {
            let staging = file.with_extension("json.partial");
            let written = serde_json::to_vec_pretty(&snapshot)
                .ok()
                .and_then(|bytes| std::fs::write(&staging, bytes).ok())
                .and_then(|()| std::fs::rename(&staging, file).ok());
            if written.is_none() {
                tracing::debug!(file = %file.display(), "could not keep the stage speeds");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(source_seconds: f64) -> Workload {
        Workload { source_seconds, clip_seconds: 120.0, outputs: 2, transcribes: false }
    }

    #[test]
    fn a_measurement_replaces_the_prior_then_is_averaged() {
        let speeds = StageSpeeds::default();
        assert!((speeds.predict("render", &job(600.0)).unwrap() - 1.2 * 240.0).abs() < 1e-9);
        speeds.record("render", &job(600.0), 480.0);
        assert!((speeds.predict("render", &job(60.0)).unwrap() - 480.0).abs() < 1e-9, "2 s per output second");
        speeds.record("render", &job(600.0), 240.0);
        assert!((speeds.predict("render", &job(60.0)).unwrap() - 360.0).abs() < 1e-9);
        assert_eq!(speeds.predict("fetch", &job(60.0)), None);
    }

    #[test]
    fn speeds_survive_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("stage-speeds.json");
        StageSpeeds::at(file.clone()).record("survey", &job(1000.0), 50.0);
        let again = StageSpeeds::at(file);
        assert!((again.predict("survey", &job(100.0)).unwrap() - 5.0).abs() < 1e-9);
        let speech = Workload { transcribes: true, ..job(100.0) };
        assert!((again.predict("survey", &speech).unwrap() - 16.0).abs() < 1e-9, "speech is its own speed");
    }
}

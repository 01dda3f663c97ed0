//! Turns the pipeline's progress events into a job's stage, overall percent and ETA: each stage
//! has a share of the whole (rendering and the close look are the big ones), the percent is the
//! finished shares plus the running stage's fraction of its share, and the ETA extrapolates the
//! time spent so far.

use crate::metrics::Metrics;
use opusclip_pipeline::Progress;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Share of the whole job per stage name (unknown stages count as 5).
const STAGE_SHARES: [(&str, f64); 8] = [
    ("fetch", 5.0),
    ("probe", 2.0),
    ("transcript", 6.0),
    ("survey", 18.0),
    ("select", 2.0),
    ("look", 25.0),
    ("reframe", 2.0),
    ("render", 40.0),
];

fn share(stage: &str) -> f64 {
    STAGE_SHARES.iter().find(|(name, _)| *name == stage).map(|(_, share)| *share).unwrap_or(5.0)
}

/// What the job's record shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub stage: String,
    pub percent: f64,
    pub eta_seconds: Option<f64>,
}

#[derive(Debug)]
struct State {
    stage: String,
    fraction: f64,
    finished: Vec<String>,
    stage_seconds: Vec<(String, f64)>,
}

/// Progress of one job, shared between the pipeline's thread and the task that records it.
#[derive(Debug, Clone)]
pub struct JobProgress {
    state: Arc<Mutex<State>>,
    started: Instant,
    metrics: Arc<Metrics>,
}

impl JobProgress {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        let state = State { stage: "queued".into(), fraction: 0.0, finished: Vec::new(), stage_seconds: Vec::new() };
        JobProgress { state: Arc::new(Mutex::new(state)), started: Instant::now(), metrics }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stage, percent (0–99 until the job is published) and ETA now.
    pub fn snapshot(&self) -> Snapshot {
        let state = self.lock();
        // The fetch share counts only for jobs that fetch (URL sources).
        let fetched = state.finished.iter().any(|s| s == "fetch") || state.stage == "fetch";
        let total: f64 =
            STAGE_SHARES.iter().filter(|(name, _)| fetched || *name != "fetch").map(|(_, share)| share).sum();
        let done: f64 = state.finished.iter().map(|stage| share(stage)).sum();
        let running = if state.finished.contains(&state.stage) { 0.0 } else { share(&state.stage) * state.fraction };
        let percent = ((done + running) / total * 100.0).clamp(0.0, 99.0);
        let elapsed = self.started.elapsed().as_secs_f64();
        let eta_seconds = (percent >= 3.0).then(|| elapsed * (100.0 - percent) / percent);
        Snapshot { stage: state.stage.clone(), percent: (percent * 10.0).round() / 10.0, eta_seconds }
    }

    /// Seconds per stage so far, as JSON `{stage: seconds}`.
    pub fn stage_seconds(&self) -> serde_json::Value {
        let state = self.lock();
        let map: serde_json::Map<String, serde_json::Value> =
            state.stage_seconds.iter().map(|(name, seconds)| (name.clone(), serde_json::json!(seconds))).collect();
        serde_json::Value::Object(map)
    }
}

impl Progress for JobProgress {
    fn stage(&self, name: &str) {
        let mut state = self.lock();
        state.stage = name.to_string();
        state.fraction = 0.0;
    }

    fn advance(&self, fraction: f64) {
        if fraction.is_finite() {
            self.lock().fraction = fraction.clamp(0.0, 1.0);
        }
    }

    fn stage_done(&self, name: &str, seconds: f64) {
        self.metrics.record_stage(name, seconds);
        let mut state = self.lock();
        if !state.finished.iter().any(|stage| stage == name) {
            state.finished.push(name.to_string());
        }
        match state.stage_seconds.iter_mut().find(|(stage, _)| stage == name) {
            Some(entry) => entry.1 += seconds,
            None => state.stage_seconds.push((name.to_string(), seconds)),
        }
    }

    fn warn(&self, message: &str) {
        tracing::warn!(message, "job warning");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_grows_through_the_stages_and_stops_short_of_100() {
        let progress = JobProgress::new(Arc::new(Metrics::default()));
        assert_eq!(progress.snapshot().percent, 0.0);
        let mut last = 0.0;
        for stage in ["probe", "transcript", "survey", "select", "look", "reframe", "render"] {
            progress.stage(stage);
            progress.advance(0.5);
            let middle = progress.snapshot();
            assert!(middle.percent >= last, "{stage}: {} < {last}", middle.percent);
            assert_eq!(middle.stage, stage);
            progress.stage_done(stage, 0.1);
            last = progress.snapshot().percent;
        }
        assert!(last > 95.0 && last <= 99.0, "{last}");
        assert!(progress.snapshot().eta_seconds.is_some());
        assert_eq!(progress.stage_seconds()["render"], 0.1);
    }
}

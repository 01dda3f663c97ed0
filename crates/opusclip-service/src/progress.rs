//! Turns the pipeline's progress events into a job's stage, overall percent and ETA. Once the
//! job's size is known (its `Workload`), the ETA is this machine's measured speed of every stage
//! still to come (`eta::StageSpeeds`) plus what the running stage has left — its prediction
//! early on, its own pace as it goes — and the percent is the time spent over the time the
//! whole job should take, never going back. Before that (and for jobs that report no size) each
//! stage has a fixed share and the ETA extrapolates the time spent so far.

use crate::eta::{StageSpeeds, CLIP_STAGES};
use crate::metrics::Metrics;
use opusclip_pipeline::{Progress, Workload};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Share of the whole job per stage name (unknown stages count as 5), for jobs of unknown size.
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
    /// Job clock when the running stage began.
    stage_began: f64,
    finished: Vec<String>,
    stage_seconds: Vec<(String, f64)>,
    workload: Option<Workload>,
    /// Finished stages whose speed is not yet learnt (they ended before the size was known).
    unlearnt: Vec<(String, f64)>,
    /// Predicted and actual seconds of this job's finished stages: how much slower (or faster)
    /// this machine is today than what it learnt.
    predicted_done: f64,
    actual_done: f64,
    last_percent: f64,
}

impl State {
    /// This job's stages so far over what was predicted for them (1 until 10 predicted seconds
    /// have passed; between 1/4 and 4): a loaded machine is slow in every stage.
    fn pace_today(&self) -> f64 {
        if self.predicted_done < 10.0 {
            return 1.0;
        }
        (self.actual_done / self.predicted_done).clamp(0.25, 4.0)
    }
}

/// The share of a stage after which its own pace alone foretells its end (its progress reports
/// are even enough by then).
const TRUST_OWN_PACE_AT: f64 = 0.2;

/// Seconds since the job began.
type Clock = Arc<dyn Fn() -> f64 + Send + Sync>;

/// Progress of one job, shared between the pipeline's thread and the task that records it.
#[derive(Clone)]
pub struct JobProgress {
    state: Arc<Mutex<State>>,
    /// Set when the job is canceled or its lease lost: the engine's loops stop on it.
    cancel: Arc<std::sync::atomic::AtomicBool>,
    clock: Clock,
    metrics: Arc<Metrics>,
    speeds: Arc<StageSpeeds>,
}

impl std::fmt::Debug for JobProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobProgress").field("state", &self.state).finish_non_exhaustive()
    }
}

impl JobProgress {
    pub fn new(metrics: Arc<Metrics>, speeds: Arc<StageSpeeds>) -> Self {
        let started = Instant::now();
        Self::with_clock(metrics, speeds, Arc::new(move || started.elapsed().as_secs_f64()))
    }

    fn with_clock(metrics: Arc<Metrics>, speeds: Arc<StageSpeeds>, clock: Clock) -> Self {
        let state = State {
            stage: "queued".into(),
            fraction: 0.0,
            stage_began: 0.0,
            finished: Vec::new(),
            stage_seconds: Vec::new(),
            workload: None,
            unlearnt: Vec::new(),
            predicted_done: 0.0,
            actual_done: 0.0,
            last_percent: 0.0,
        };
        JobProgress {
            state: Arc::new(Mutex::new(state)),
            cancel: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            clock,
            metrics,
            speeds,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stage, percent (0–99 until the job is published) and ETA now.
    pub fn snapshot(&self) -> Snapshot {
        let elapsed = (self.clock)();
        let mut state = self.lock();
        let (percent, eta_seconds) = match state.workload {
            Some(workload) => {
                let eta = self.remaining(&state, &workload, elapsed);
                let percent = if elapsed + eta > 0.0 { 100.0 * elapsed / (elapsed + eta) } else { 0.0 };
                (percent, Some(eta))
            }
            None => by_shares(&state, elapsed),
        };
        let percent = percent.clamp(state.last_percent, 99.0);
        state.last_percent = percent;
        Snapshot { stage: state.stage.clone(), percent: (percent * 10.0).round() / 10.0, eta_seconds }
    }

    /// Seconds the job should still take: the running stage's rest and every stage after it.
    fn remaining(&self, state: &State, workload: &Workload, elapsed: f64) -> f64 {
        let running = state.stage.as_str();
        let today = state.pace_today();
        let running_rest = if state.finished.iter().any(|s| s == running) {
            0.0
        } else {
            let fraction = state.fraction;
            let in_stage = (elapsed - state.stage_began).max(0.0);
            let own_pace = (fraction >= 0.02).then(|| in_stage * (1.0 - fraction) / fraction);
            let predicted = self.speeds.predict(running, workload).map(|seconds| seconds * today);
            match (predicted, own_pace) {
                (Some(predicted), Some(pace)) => {
                    let trust = (fraction / TRUST_OWN_PACE_AT).min(1.0);
                    trust * pace + (1.0 - trust) * predicted * (1.0 - fraction)
                }
                (Some(predicted), None) => (predicted - in_stage).max(predicted * 0.1),
                (None, Some(pace)) => pace,
                (None, None) => 0.0,
            }
        };
        let after = match CLIP_STAGES.iter().position(|stage| *stage == running) {
            Some(index) => &CLIP_STAGES[index + 1..],
            None => &CLIP_STAGES[..],
        };
        let to_come: f64 = after
            .iter()
            .filter(|stage| !state.finished.iter().any(|done| done == *stage))
            .filter_map(|stage| self.speeds.predict(stage, workload))
            .sum();
        running_rest + to_come * today
    }

    /// Compare a finished stage with its prediction, then learn its speed.
    fn learn(&self, state: &mut State, stage: &str, workload: &Workload, seconds: f64) {
        if let Some(predicted) = self.speeds.predict(stage, workload) {
            state.predicted_done += predicted;
            state.actual_done += seconds;
        }
        self.speeds.record(stage, workload, seconds);
    }

    /// The flag the engine's thread watches (`opusclip_core::cancel`).
    pub fn cancel_flag(&self) -> Arc<std::sync::atomic::AtomicBool> {
        self.cancel.clone()
    }

    /// Stop the engine's work at its next check (within a second or so in every stage).
    pub fn cancel(&self) {
        self.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    /// Seconds per stage so far, as JSON `{stage: seconds}`.
    pub fn stage_seconds(&self) -> serde_json::Value {
        let state = self.lock();
        let map: serde_json::Map<String, serde_json::Value> =
            state.stage_seconds.iter().map(|(name, seconds)| (name.clone(), serde_json::json!(seconds))).collect();
        serde_json::Value::Object(map)
    }
}

/// Percent from fixed stage shares, ETA by extrapolating the time spent.
fn by_shares(state: &State, elapsed: f64) -> (f64, Option<f64>) {
    // The fetch share counts only for jobs that fetch (URL sources).
    let fetched = state.finished.iter().any(|s| s == "fetch") || state.stage == "fetch";
    let total: f64 = STAGE_SHARES.iter().filter(|(name, _)| fetched || *name != "fetch").map(|(_, share)| share).sum();
    let done: f64 = state.finished.iter().map(|stage| share(stage)).sum();
    let running = if state.finished.contains(&state.stage) { 0.0 } else { share(&state.stage) * state.fraction };
    let percent = ((done + running) / total * 100.0).clamp(0.0, 99.0);
    // Extrapolating from the first quick stages foretold 85 s for a 735 s job: wait for a tenth.
    (percent, (percent >= 10.0).then(|| elapsed * (100.0 - percent) / percent))
}

impl Progress for JobProgress {
    fn stage(&self, name: &str) {
        let now = (self.clock)();
        let mut state = self.lock();
        state.stage = name.to_string();
        state.fraction = 0.0;
        state.stage_began = now;
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
        match state.workload {
            Some(workload) => self.learn(&mut state, name, &workload, seconds),
            None => state.unlearnt.push((name.to_string(), seconds)),
        }
    }

    fn warn(&self, message: &str) {
        tracing::warn!(message, "job warning");
    }

    fn workload(&self, workload: &Workload) {
        let mut state = self.lock();
        state.workload = Some(*workload);
        for (stage, seconds) in std::mem::take(&mut state.unlearnt) {
            self.learn(&mut state, &stage, workload, seconds);
        }
    }
}

#[cfg(test)]
mod tests;

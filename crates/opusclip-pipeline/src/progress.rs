//! Progress events from the stages to whoever shows them (a terminal bar, a job record).

/// Receives stage boundaries and progress. Implementations must be cheap; calls come from the
/// stage's thread.
pub trait Progress {
    /// A stage begins.
    fn stage(&self, _name: &str) {}
    /// Fraction of the current stage done, 0..1.
    fn advance(&self, _fraction: f64) {}
    /// A stage ended after `seconds`.
    fn stage_done(&self, _name: &str, _seconds: f64) {}
    /// Something the user should know (also written to the manifest's warnings).
    fn warn(&self, _message: &str) {}
    /// How much work the job holds, once it is known (after probing; again, exact, once the
    /// clips are chosen): what an ETA scales the stages' measured speeds by.
    fn workload(&self, _workload: &Workload) {}
}

/// The size of a job in the units stage speeds are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Workload {
    /// Seconds of source (probe, transcript, survey, select scale with it).
    pub source_seconds: f64,
    /// Seconds of the chosen clips, summed (the close look scales with it).
    pub clip_seconds: f64,
    /// Outputs per clip (render scales with clip seconds × outputs).
    pub outputs: usize,
    /// Whether speech recognition runs during the survey.
    pub transcribes: bool,
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

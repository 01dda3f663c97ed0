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
}

/// Progress that goes nowhere.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;

impl Progress for NoProgress {}

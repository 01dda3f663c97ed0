//! What the user asks of clip selection: how many clips and how long each may be.

use opusclip_core::{Error, Result};
use serde_json::json;

/// How many clips to choose and the bounds of their length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelectOptions {
    /// How many clips to return at most (default 5).
    pub clips: usize,
    /// Shortest allowed clip, in seconds (default 20).
    pub min_seconds: f64,
    /// Longest allowed clip, in seconds (default 60).
    pub max_seconds: f64,
}

impl Default for SelectOptions {
    fn default() -> Self {
        SelectOptions { clips: 5, min_seconds: 20.0, max_seconds: 60.0 }
    }
}

impl SelectOptions {
    /// Check the options, reporting every problem at once as `Error::InvalidInput`.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.clips == 0 {
            problems.push("the number of clips must be at least 1".to_string());
        }
        if !self.min_seconds.is_finite() || self.min_seconds <= 0.0 {
            problems.push(format!("the minimum clip length must be more than 0 s, got {}", self.min_seconds));
        }
        if !self.max_seconds.is_finite() {
            problems.push(format!("the maximum clip length must be a number of seconds, got {}", self.max_seconds));
        }
        if self.min_seconds > self.max_seconds {
            problems.push(format!(
                "the minimum clip length ({} s) is above the maximum ({} s)",
                self.min_seconds, self.max_seconds
            ));
        }
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::invalid_input(problems.join("; ")).with_details(json!({
            "clips": self.clips,
            "min_seconds": self.min_seconds,
            "max_seconds": self.max_seconds,
        })))
    }

    /// Whether a span of `seconds` is within `[min_seconds, max_seconds]`.
    pub fn fits(&self, seconds: f64) -> bool {
        seconds >= self.min_seconds && seconds <= self.max_seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::ErrorCode;

    fn options(clips: usize, min_seconds: f64, max_seconds: f64) -> SelectOptions {
        SelectOptions { clips, min_seconds, max_seconds }
    }

    fn message(options: SelectOptions) -> String {
        let err = options.validate().expect_err("should be rejected");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        err.to_string()
    }

    #[test]
    fn defaults_are_valid() {
        let defaults = SelectOptions::default();
        assert_eq!((defaults.clips, defaults.min_seconds, defaults.max_seconds), (5, 20.0, 60.0));
        assert!(defaults.validate().is_ok());
        assert!(options(1, 30.0, 30.0).validate().is_ok());
    }

    #[test]
    fn rejects_min_above_max() {
        assert!(message(options(5, 61.0, 60.0)).contains("above the maximum"));
    }

    #[test]
    fn rejects_non_positive_min() {
        assert!(message(options(5, 0.0, 60.0)).contains("more than 0"));
        assert!(message(options(5, -3.0, 60.0)).contains("more than 0"));
        assert!(message(options(5, f64::NAN, 60.0)).contains("more than 0"));
    }

    #[test]
    fn rejects_zero_clips() {
        assert!(message(options(0, 20.0, 60.0)).contains("at least 1"));
    }

    #[test]
    fn reports_every_problem() {
        let text = message(options(0, 0.0, f64::INFINITY));
        assert_eq!(text.matches("; ").count(), 2, "{text}");
    }

    #[test]
    fn fits_is_inclusive() {
        let bounds = options(1, 20.0, 60.0);
        assert!(bounds.fits(20.0) && bounds.fits(60.0) && bounds.fits(42.0));
        assert!(!bounds.fits(19.99) && !bounds.fits(60.01));
    }
}

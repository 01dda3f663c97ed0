//! What the user asks of clip selection: how many clips, their length ranges, the timeframe to
//! choose from, keywords to steer by and the weights of the score's parts.

use crate::prompt::Prompt;
use crate::ranges::{LengthRange, TimeRange};
use opusclip_core::{Error, Result, ScoreWeights};
use serde_json::json;

/// Most clips one run may ask for.
pub const MAX_CLIPS: usize = 100;

/// How many clips to choose, from where, how long, about what, and how to weigh the score.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectOptions {
    /// How many clips to return at most (default 5).
    pub clips: usize,
    /// Allowed clip lengths; a clip fits when it fits any of them (default one range, 20–60 s).
    pub lengths: Vec<LengthRange>,
    /// Only choose clips inside this part of the source (default: all of it).
    pub timeframe: Option<TimeRange>,
    /// Keywords that steer the choice toward clips about them (`--prompt`).
    pub prompt: Option<String>,
    /// Weights of the score's parts (`opusclip_core::ScoreWeights`, from the Settings/profile).
    pub weights: ScoreWeights,
}

impl Default for SelectOptions {
    fn default() -> Self {
        SelectOptions::new(5, 20.0, 60.0)
    }
}

impl SelectOptions {
    /// `clips` clips of one length range, default weights, the whole source, no prompt.
    pub fn new(clips: usize, min_seconds: f64, max_seconds: f64) -> SelectOptions {
        SelectOptions {
            clips,
            lengths: vec![LengthRange::new(min_seconds, max_seconds)],
            timeframe: None,
            prompt: None,
            weights: ScoreWeights::default(),
        }
    }

    /// Check the options, reporting every problem at once as `Error::InvalidInput`.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.clips == 0 || self.clips > MAX_CLIPS {
            problems.push(format!("the number of clips must be 1..{MAX_CLIPS}, got {}", self.clips));
        }
        if self.lengths.is_empty() {
            problems.push("at least one clip length range is needed".to_string());
        }
        problems.extend(self.lengths.iter().flat_map(LengthRange::problems));
        if let Some(timeframe) = &self.timeframe {
            let timeframe_problems = timeframe.problems();
            let shortest = self.shortest();
            if timeframe_problems.is_empty() && timeframe.duration() < shortest {
                problems.push(format!(
                    "the timeframe {timeframe} ({:.1} s) is shorter than the shortest clip asked for ({shortest} s)",
                    timeframe.duration()
                ));
            }
            problems.extend(timeframe_problems);
        }
        if let Some(prompt) = &self.prompt {
            if Prompt::new(prompt).is_none() {
                problems.push(format!(
                    "the prompt \"{prompt}\" has no keywords to steer by (only short or common words): \
                     name the topic, e.g. --prompt \"pricing startups\""
                ));
            }
        }
        problems.extend(self.weights.problems());
        if problems.is_empty() {
            return Ok(());
        }
        Err(Error::invalid_input(problems.join("; ")).with_details(json!({
            "clips": self.clips,
            "lengths": self.lengths.iter().map(|r| [r.min_seconds, r.max_seconds]).collect::<Vec<_>>(),
            "timeframe": self.timeframe.map(|t| [t.start, t.end]),
            "prompt": self.prompt,
            "problems": problems,
        })))
    }

    /// Whether a span of `seconds` fits any of the length ranges.
    pub fn fits(&self, seconds: f64) -> bool {
        self.lengths.iter().any(|range| range.fits(seconds))
    }

    /// The shortest length any range allows (0 without ranges).
    pub fn shortest(&self) -> f64 {
        self.lengths.iter().map(|r| r.min_seconds).reduce(f64::min).unwrap_or(0.0)
    }

    /// The longest length any range allows (0 without ranges).
    pub fn longest(&self) -> f64 {
        self.lengths.iter().map(|r| r.max_seconds).reduce(f64::max).unwrap_or(0.0)
    }

    /// The length ranges as text, e.g. `15–30 s, 30–60 s`.
    pub fn lengths_text(&self) -> String {
        self.lengths.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }

    /// The part of a source of `duration` seconds clips may come from.
    pub fn bounds(&self, duration: f64) -> (f64, f64) {
        match self.timeframe {
            Some(timeframe) => (timeframe.start.max(0.0), timeframe.end.min(duration)),
            None => (0.0, duration),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::ErrorCode;

    fn message(options: SelectOptions) -> String {
        let err = options.validate().expect_err("should be rejected");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        err.to_string()
    }

    #[test]
    fn defaults_are_valid() {
        let defaults = SelectOptions::default();
        assert_eq!(defaults.clips, 5);
        assert_eq!(defaults.lengths, [LengthRange::new(20.0, 60.0)]);
        assert!(defaults.validate().is_ok());
        assert!(SelectOptions::new(1, 30.0, 30.0).validate().is_ok());
    }

    #[test]
    fn rejects_bad_lengths_and_clip_counts() {
        assert!(message(SelectOptions::new(5, 61.0, 60.0)).contains("above the maximum"));
        assert!(message(SelectOptions::new(5, 0.0, 60.0)).contains("more than 0"));
        assert!(message(SelectOptions::new(5, f64::NAN, 60.0)).contains("more than 0"));
        assert!(message(SelectOptions::new(0, 20.0, 60.0)).contains("1..100, got 0"));
        assert!(message(SelectOptions { lengths: vec![], ..SelectOptions::default() }).contains("at least one"));
    }

    #[test]
    fn reports_every_problem() {
        let text = message(SelectOptions::new(0, 0.0, f64::INFINITY));
        assert_eq!(text.matches("; ").count(), 2, "{text}");
    }

    #[test]
    fn rejects_a_timeframe_shorter_than_the_shortest_clip_and_an_empty_prompt() {
        let short = SelectOptions { timeframe: Some(TimeRange::new(600.0, 610.0)), ..SelectOptions::default() };
        assert!(message(short).contains("10:00–10:10 (10.0 s) is shorter"));
        let backwards = SelectOptions { timeframe: Some(TimeRange::new(60.0, 10.0)), ..SelectOptions::default() };
        assert!(message(backwards).contains("end after its start"));
        let empty = SelectOptions { prompt: Some("the and".into()), ..SelectOptions::default() };
        assert!(message(empty).contains("\"the and\""));
    }

    #[test]
    fn rejects_bad_weights() {
        let weights = ScoreWeights { hook: -1.0, ..ScoreWeights::default() };
        assert!(message(SelectOptions { weights, ..SelectOptions::default() }).contains("hook"));
    }

    #[test]
    fn fits_any_range_and_bounds_clip_to_the_source() {
        let options = SelectOptions {
            lengths: vec![LengthRange::new(15.0, 30.0), LengthRange::new(45.0, 60.0)],
            timeframe: Some(TimeRange::new(100.0, 900.0)),
            ..SelectOptions::default()
        };
        assert!(options.fits(20.0) && options.fits(50.0) && !options.fits(40.0));
        assert_eq!((options.shortest(), options.longest()), (15.0, 60.0));
        assert_eq!(options.bounds(500.0), (100.0, 500.0));
        assert_eq!(SelectOptions::default().bounds(500.0), (0.0, 500.0));
        assert_eq!(options.lengths_text(), "15–30 s, 45–60 s");
    }
}

//! What spans clips may have: length ranges (`--length 15-30,30-60`) and the timeframe of the
//! source to choose from (`--range 00:10:00-00:45:00`), parsed from text and checked.

use opusclip_core::{Error, Result};
use serde_json::json;
use std::fmt;

/// An allowed clip length, `[min_seconds, max_seconds]` inclusive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LengthRange {
    /// Shortest allowed clip, seconds.
    pub min_seconds: f64,
    /// Longest allowed clip, seconds.
    pub max_seconds: f64,
}

impl LengthRange {
    /// A range from `min_seconds` to `max_seconds` (not checked: see [`LengthRange::problems`]).
    pub fn new(min_seconds: f64, max_seconds: f64) -> LengthRange {
        LengthRange { min_seconds, max_seconds }
    }

    /// Whether a span of `seconds` is within the range.
    pub fn fits(&self, seconds: f64) -> bool {
        seconds >= self.min_seconds && seconds <= self.max_seconds
    }

    /// Every problem with the range, each naming the bad value.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
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
        problems
    }

    /// Parse a comma-separated list of `MIN-MAX` ranges in seconds (or clock times), e.g.
    /// `15-30,30-60`. Errors (`invalid_input`) name the part that could not be read.
    pub fn parse_list(text: &str) -> Result<Vec<LengthRange>> {
        let mut ranges = Vec::new();
        for part in text.split(',').map(str::trim) {
            let range = split_pair(part)
                .map(|(min, max)| LengthRange::new(min, max))
                .filter(|range| range.problems().is_empty())
                .ok_or_else(|| {
                    Error::invalid_input(format!(
                        "clip length range \"{part}\" (in --length \"{text}\") is not MIN-MAX seconds with \
                         0 < MIN ≤ MAX: write e.g. --length 15-30,30-60"
                    ))
                    .with_details(json!({ "option": "length", "value": text, "part": part }))
                })?;
            ranges.push(range);
        }
        Ok(ranges)
    }
}

impl fmt::Display for LengthRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{} s", self.min_seconds, self.max_seconds)
    }
}

/// The part of the source clips are chosen from, `[start, end]` in source seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeRange {
    /// Earliest clip start, seconds.
    pub start: f64,
    /// Latest clip end, seconds.
    pub end: f64,
}

impl TimeRange {
    /// A timeframe from `start` to `end` seconds (not checked: see [`TimeRange::problems`]).
    pub fn new(start: f64, end: f64) -> TimeRange {
        TimeRange { start, end }
    }

    /// Parse `START-END` where each side is seconds (`600`, `90.5`) or a clock time (`MM:SS`,
    /// `HH:MM:SS`, optionally with fractions): `00:10:00-00:45:00`. Errors (`invalid_input`)
    /// name the value.
    pub fn parse(text: &str) -> Result<TimeRange> {
        split_pair(text.trim())
            .map(|(start, end)| TimeRange::new(start, end))
            .filter(|range| range.problems().is_empty())
            .ok_or_else(|| {
                Error::invalid_input(format!(
                    "timeframe \"{text}\" is not START-END with START before END: write e.g. --range \
                     00:10:00-00:45:00 or --range 600-2700 (seconds)"
                ))
                .with_details(json!({ "option": "range", "value": text }))
            })
    }

    /// Every problem with the timeframe, each naming the bad value.
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !self.start.is_finite() || self.start < 0.0 {
            problems.push(format!("the timeframe must start at 0 s or later, got {}", self.start));
        }
        if !self.end.is_finite() || self.end <= self.start {
            problems.push(format!("the timeframe must end after its start ({} s), got {}", self.start, self.end));
        }
        problems
    }

    /// Length in seconds.
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }

    /// Whether `[start, end]` lies inside the timeframe.
    pub fn contains(&self, start: f64, end: f64) -> bool {
        start >= self.start && end <= self.end
    }
}

impl fmt::Display for TimeRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}–{}", clock(self.start), clock(self.end))
    }
}

/// Seconds as `H:MM:SS` (or `M:SS` under an hour), fractions kept to a tenth.
pub fn clock(seconds: f64) -> String {
    let tenths = (seconds.max(0.0) * 10.0).round() as u64;
    let (whole, tenth) = (tenths / 10, tenths % 10);
    let fraction = if tenth == 0 { String::new() } else { format!(".{tenth}") };
    match whole / 3600 {
        0 => format!("{}:{:02}{fraction}", whole / 60, whole % 60),
        hours => format!("{hours}:{:02}:{:02}{fraction}", whole / 60 % 60, whole % 60),
    }
}

/// Parse seconds (`90`, `90.5`) or a clock time (`MM:SS`, `HH:MM:SS`, with optional fraction).
pub fn parse_time(text: &str) -> Option<f64> {
    let fields: Vec<&str> = text.trim().split(':').collect();
    if fields.len() > 3 || fields.iter().any(|f| f.is_empty()) {
        return None;
    }
    let mut seconds = 0.0;
    for (index, field) in fields.iter().enumerate() {
        let last = index + 1 == fields.len();
        let value: f64 = if last { field.parse().ok()? } else { field.parse::<u32>().ok()?.into() };
        if !value.is_finite() || value < 0.0 || (index > 0 && value >= 60.0) {
            return None;
        }
        seconds = seconds * 60.0 + value;
    }
    Some(seconds)
}

/// `A-B` (an en dash works too) as two times.
fn split_pair(text: &str) -> Option<(f64, f64)> {
    let (first, second) = text.split_once('-').or_else(|| text.split_once('–'))?;
    Some((parse_time(first)?, parse_time(second)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::ErrorCode;

    #[test]
    fn parses_length_lists() {
        let ranges = LengthRange::parse_list("15-30, 30-60").expect("valid");
        assert_eq!(ranges, [LengthRange::new(15.0, 30.0), LengthRange::new(30.0, 60.0)]);
        assert_eq!(LengthRange::parse_list("0:45-1:30").expect("valid"), [LengthRange::new(45.0, 90.0)]);
        assert_eq!(LengthRange::parse_list("20–20").expect("valid"), [LengthRange::new(20.0, 20.0)]);
    }

    #[test]
    fn bad_lengths_name_the_bad_part() {
        for (text, part) in [("15-30,60-30", "60-30"), ("abc", "abc"), ("0-10", "0-10"), ("15", "15"), ("", "")] {
            let err = LengthRange::parse_list(text).expect_err(text);
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            assert!(err.to_string().contains(&format!("\"{part}\"")), "{err}");
        }
    }

    #[test]
    fn parses_timeframes_in_clock_time_or_seconds() {
        assert_eq!(TimeRange::parse("00:10:00-00:45:00").expect("valid"), TimeRange::new(600.0, 2700.0));
        assert_eq!(TimeRange::parse("600-2700").expect("valid"), TimeRange::new(600.0, 2700.0));
        assert_eq!(TimeRange::parse("1:30.5-2:00").expect("valid"), TimeRange::new(90.5, 120.0));
    }

    #[test]
    fn bad_timeframes_are_named() {
        for text in ["45:00-10:00", "10:75-20:00", "a-b", "600", "-5-10", "1:2:3:4-5"] {
            let err = TimeRange::parse(text).expect_err(text);
            assert_eq!(err.code(), ErrorCode::InvalidInput);
            assert!(err.to_string().contains(text), "{err}");
        }
    }

    #[test]
    fn clock_times_read_back() {
        assert_eq!(clock(2700.0), "45:00");
        assert_eq!(clock(3725.5), "1:02:05.5");
        assert_eq!(parse_time(&clock(3725.5)), Some(3725.5));
        assert_eq!(TimeRange::new(600.0, 2700.0).to_string(), "10:00–45:00");
    }

    #[test]
    fn fits_and_contains_are_inclusive() {
        let range = LengthRange::new(20.0, 60.0);
        assert!(range.fits(20.0) && range.fits(60.0) && !range.fits(60.01) && !range.fits(19.99));
        let timeframe = TimeRange::new(10.0, 20.0);
        assert!(timeframe.contains(10.0, 20.0) && !timeframe.contains(9.9, 15.0));
    }
}

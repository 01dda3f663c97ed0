//! Subtitle import: SRT, WebVTT, ASS/SSA and JSON transcripts (whisper.cpp, OpenAI) parsed into
//! [`Cue`]s (time span plus clean text).
//!
//! The parsers are forgiving about what real files contain (a byte-order mark, CRLF line ends,
//! no trailing blank line, cue numbers missing, formatting tags, cue settings) and strict about
//! what makes the timing unusable: a bad timestamp, a cue that ends before it starts, text with
//! no timing line, or a file without cues is an [`Error::Transcript`] that names the line.

mod ass;
mod json_transcript;
mod markup;
mod srt;
mod vtt;

use opusclip_core::{Error, Result};
use serde_json::json;
use std::path::Path;

pub use ass::parse_ass;
pub use json_transcript::parse_transcript_json;
pub use srt::parse_srt;
pub use vtt::parse_vtt;

/// One subtitle cue: a time span of the source and the text shown during it, free of markup.
/// Lines of a multi-line cue are joined with `\n`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Start, in seconds.
    pub start: f64,
    /// End, in seconds; never before `start`.
    pub end: f64,
    /// The cue's text without formatting tags.
    pub text: String,
}

/// The largest subtitle file read (the service accepts half of it): ten hours of dense speech
/// as SRT is under 5 MiB, so anything past this is refused before it is read.
pub const MAX_SUBTITLE_FILE_BYTES: u64 = 32 << 20;

/// Reads a subtitle file and parses it as SRT, WebVTT, ASS or JSON: by the extension (`.srt`,
/// `.vtt`, `.ass`/`.ssa`, `.json`), otherwise by its content (`WEBVTT`, `[Script Info]`, `{`).
/// Errors name the file and, for syntax problems, the line.
pub fn parse_subtitles(path: &Path) -> Result<Vec<Cue>> {
    let size = std::fs::metadata(path).map_err(|source| Error::io("read subtitle file", path, source))?.len();
    if size > MAX_SUBTITLE_FILE_BYTES {
        return Err(Error::transcript(format!(
            "subtitle file {} is {} MiB; a transcript of ten hours of speech is a few MiB, and more than {} MiB \
             is not a transcript: supply the right file",
            path.display(),
            size >> 20,
            MAX_SUBTITLE_FILE_BYTES >> 20
        ))
        .with_details(json!({ "bytes": size, "limit_bytes": MAX_SUBTITLE_FILE_BYTES })));
    }
    let bytes = std::fs::read(path).map_err(|source| Error::io("read subtitle file", path, source))?;
    let text = String::from_utf8_lossy(&bytes);
    let parsed = match detect_format(path, &text) {
        SubtitleFormat::Srt => parse_srt(&text),
        SubtitleFormat::WebVtt => parse_vtt(&text),
        SubtitleFormat::Ass => parse_ass(&text),
        SubtitleFormat::Json => parse_transcript_json(&text),
    };
    parsed.map_err(|error| name_file_in_error(error, path))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SubtitleFormat {
    Srt,
    WebVtt,
    Ass,
    Json,
}

fn detect_format(path: &Path, text: &str) -> SubtitleFormat {
    let extension = path.extension().and_then(|extension| extension.to_str()).map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("srt") => SubtitleFormat::Srt,
        Some("vtt") => SubtitleFormat::WebVtt,
        Some("ass" | "ssa") => SubtitleFormat::Ass,
        Some("json") => SubtitleFormat::Json,
        _ if strip_bom(text).trim_start().starts_with("WEBVTT") => SubtitleFormat::WebVtt,
        _ if strip_bom(text).trim_start().starts_with("[Script Info]") => SubtitleFormat::Ass,
        _ if strip_bom(text).trim_start().starts_with('{') => SubtitleFormat::Json,
        _ => SubtitleFormat::Srt,
    }
}

fn name_file_in_error(error: Error, path: &Path) -> Error {
    match error {
        Error::Transcript { message, details } => {
            Error::Transcript { message: format!("subtitle file {}: {message}", path.display()), details }
        }
        other => other,
    }
}

/// The text without a leading UTF-8 byte-order mark.
fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// The lines of a file, numbered from 1, without BOM and without `\r` line-end remnants.
fn numbered_lines(text: &str) -> Vec<(usize, &str)> {
    strip_bom(text)
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .enumerate()
        .map(|(index, line)| (index + 1, line))
        .collect()
}

/// Splits numbered lines into blocks separated by blank (or whitespace-only) lines.
fn blocks<'a>(lines: &[(usize, &'a str)]) -> Vec<Vec<(usize, &'a str)>> {
    let mut all_blocks = Vec::new();
    let mut current = Vec::new();
    for &(number, line) in lines {
        if line.trim().is_empty() {
            if !current.is_empty() {
                all_blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push((number, line));
        }
    }
    if !current.is_empty() {
        all_blocks.push(current);
    }
    all_blocks
}

/// Parses a timestamp `[HH:]MM:SS(.|,)fff` into seconds. Hours may have any number of digits,
/// minutes and seconds have two (and are below 60 when hours are given); the fraction is
/// optional and may have one to nine digits.
pub(crate) fn parse_timestamp(text: &str) -> Option<f64> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let (hours, minutes, seconds_part) = match parts.as_slice() {
        [hours, minutes, seconds] => (parse_digits(hours)?, parse_two_digits(minutes)?, *seconds),
        [minutes, seconds] => (0, parse_two_digits(minutes)?, *seconds),
        _ => return None,
    };
    let (whole_seconds, fraction) = match seconds_part.find(['.', ',']) {
        Some(separator) => (&seconds_part[..separator], parse_fraction(&seconds_part[separator + 1..])?),
        None => (seconds_part, 0.0),
    };
    let whole_seconds = parse_two_digits(whole_seconds)?;
    let minutes_in_range = parts.len() == 2 || minutes < 60;
    if !minutes_in_range || whole_seconds >= 60 {
        return None;
    }
    Some((hours * 3600 + minutes * 60 + whole_seconds) as f64 + fraction)
}

fn parse_two_digits(text: &str) -> Option<u64> {
    if text.len() != 2 {
        return None;
    }
    parse_digits(text)
}

fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() || text.len() > 9 || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// The digits after the decimal separator as a fraction of a second (at least one digit).
fn parse_fraction(digits: &str) -> Option<f64> {
    let value = parse_digits(digits)?;
    Some(value as f64 / 10f64.powi(digits.len() as i32))
}

/// A timing line split into its start and end timestamps (cue settings after the end dropped).
struct TimingLine<'a> {
    start: &'a str,
    end: &'a str,
}

fn split_timing_line(line: &str) -> Option<TimingLine<'_>> {
    let (start, rest) = line.split_once("-->")?;
    let end = rest.split_whitespace().next().unwrap_or("");
    Some(TimingLine { start: start.trim(), end })
}

/// Parses a timing line (`start --> end [settings]`) into seconds, or explains what is wrong.
fn parse_timing_line(format: &str, line_number: usize, line: &str, expected_shape: &str) -> Result<(f64, f64)> {
    let timing = split_timing_line(line).ok_or_else(|| {
        syntax_error(
            format,
            line_number,
            format!("expected a timing line, found `{}`", excerpt(line)),
            &format!("write it as `{expected_shape}`"),
        )
    })?;
    let parse = |timestamp: &str| {
        parse_timestamp(timestamp).ok_or_else(|| {
            syntax_error(
                format,
                line_number,
                format!("bad timestamp `{}` in `{}`", excerpt(timestamp), excerpt(line)),
                &format!("timestamps look like `{expected_shape}`"),
            )
        })
    };
    let start = parse(timing.start)?;
    let end = parse(timing.end)?;
    if end < start {
        return Err(syntax_error(
            format,
            line_number,
            format!("the cue ends ({}) before it starts ({})", excerpt(timing.end), excerpt(timing.start)),
            "swap or correct the two timestamps",
        ));
    }
    Ok((start, end))
}

/// The most characters of a file's own text an error message quotes.
const EXCERPT_CHARS: usize = 60;

/// A line of the user's file as an error quotes it: trimmed, control characters shown as `?`,
/// and cut to [`EXCERPT_CHARS`] with `…`, so a garbage file cannot fill a message with raw bytes.
pub(crate) fn excerpt(line: &str) -> String {
    let trimmed = line.trim();
    let mut quoted: String =
        trimmed.chars().take(EXCERPT_CHARS).map(|c| if c.is_control() { '?' } else { c }).collect();
    if trimmed.chars().nth(EXCERPT_CHARS).is_some() {
        quoted.push('…');
    }
    quoted
}

/// An [`Error::Transcript`] naming the format, the line, what is wrong and what to do.
fn syntax_error(format: &str, line_number: usize, problem: String, remedy: &str) -> Error {
    Error::transcript(format!("{format} line {line_number}: {problem}; {remedy}, or supply another transcript"))
        .with_details(json!({ "format": format, "line": line_number }))
}

/// The error for a file that parsed but held no cue at all.
fn no_cues_error(format: &str, expected_shape: &str) -> Error {
    Error::transcript(format!(
        "{format} file has no cues; expected blocks with a timing line like `{expected_shape}` \
         followed by text — check that the file is really {format}"
    ))
    .with_details(json!({ "format": format }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_with_and_without_hours() {
        assert_eq!(parse_timestamp("01:02:03,456"), Some(3723.456));
        assert_eq!(parse_timestamp("01:02:03.456"), Some(3723.456));
        assert_eq!(parse_timestamp("02:03.5"), Some(123.5));
        assert_eq!(parse_timestamp("100:00:00.000"), Some(360000.0));
        assert_eq!(parse_timestamp("00:00:07"), Some(7.0));
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        for bad in
            ["", "1", "00:00:0x,000", "00:61:00,000", "00:00:60,000", "a:b", "00:00:01,", "-1:00", "00:4.000", "0:1:02"]
        {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn format_is_detected_by_extension_then_content() {
        assert_eq!(detect_format(Path::new("a.SRT"), "WEBVTT"), SubtitleFormat::Srt);
        assert_eq!(detect_format(Path::new("a.vtt"), "1\n"), SubtitleFormat::WebVtt);
        assert_eq!(detect_format(Path::new("a.txt"), "\u{feff}WEBVTT\n"), SubtitleFormat::WebVtt);
        assert_eq!(detect_format(Path::new("subs"), "1\n00:00:01,000"), SubtitleFormat::Srt);
    }

    #[test]
    fn parse_subtitles_reads_by_content_and_names_the_file_in_errors() {
        let directory = tempfile::tempdir().expect("temp dir");
        let good = directory.path().join("captions.txt");
        std::fs::write(&good, "WEBVTT\n\n00:01.000 --> 00:02.000\nHi\n").expect("write");
        let cues = parse_subtitles(&good).expect("parses as WebVTT");
        assert_eq!(cues, vec![Cue { start: 1.0, end: 2.0, text: "Hi".into() }]);

        let bad = directory.path().join("broken.srt");
        std::fs::write(&bad, "1\n00:00:01,000 --> 00:00:xx,000\nHi\n").expect("write");
        let message = parse_subtitles(&bad).expect_err("bad timestamp").to_string();
        assert!(message.contains("broken.srt"), "{message}");
        assert!(message.contains("line 2"), "{message}");
    }

    #[test]
    fn a_missing_file_is_an_io_error() {
        let error = parse_subtitles(Path::new("/nonexistent/subs.srt")).expect_err("missing");
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
    }
}

//! WebVTT (`.vtt`) parsing: a `WEBVTT` header, then cue blocks (optional identifier, timing line
//! with optional cue settings, payload), with `NOTE`, `STYLE` and `REGION` blocks skipped.

use super::markup::clean_cue_text;
use super::{blocks, excerpt, no_cues_error, numbered_lines, parse_timing_line, syntax_error, Cue};
use opusclip_core::Result;

const FORMAT: &str = "WebVTT";
const TIMING_SHAPE: &str = "00:01.000 --> 00:02.500";

/// Parses WebVTT text into cues, in file order.
///
/// Hours are optional in timestamps; cue settings after the end time (`align:start line:0`) are
/// ignored; payload tags (`<c.yellow>`, `<v Speaker>`, `<00:00:01.000>`) are stripped.
///
/// ```
/// let cues = opusclip_speech::parse_vtt("WEBVTT\n\n00:01.000 --> 00:02.500 align:start\n<v Ana>Hi</v>\n")?;
/// assert_eq!(cues[0].text, "Hi");
/// # Ok::<(), opusclip_core::Error>(())
/// ```
pub fn parse_vtt(text: &str) -> Result<Vec<Cue>> {
    let lines = numbered_lines(text);
    check_header(&lines)?;
    let mut cues = Vec::new();
    // The first block is the header (its `Kind:`/`Language:` lines are metadata).
    for block in blocks(&lines).iter().skip(1) {
        if is_skipped_block(block[0].1) {
            continue;
        }
        cues.push(parse_cue_block(block)?);
    }
    if cues.is_empty() {
        return Err(no_cues_error(FORMAT, TIMING_SHAPE));
    }
    Ok(cues)
}

fn check_header(lines: &[(usize, &str)]) -> Result<()> {
    let first_line = lines.first().map(|&(_, line)| line).unwrap_or("");
    let rest = first_line.strip_prefix("WEBVTT");
    let header_ok = matches!(rest, Some(rest) if rest.is_empty() || rest.starts_with([' ', '\t']));
    if header_ok {
        return Ok(());
    }
    Err(syntax_error(
        FORMAT,
        1,
        format!("missing `WEBVTT` header, found `{}`", excerpt(first_line)),
        "a WebVTT file starts with the line `WEBVTT`; if this is SubRip, name it .srt",
    ))
}

/// `NOTE` comments, `STYLE` sheets and `REGION` definitions carry no cue.
fn is_skipped_block(first_line: &str) -> bool {
    ["NOTE", "STYLE", "REGION"].iter().any(|keyword| {
        first_line.strip_prefix(keyword).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
    })
}

fn parse_cue_block(block: &[(usize, &str)]) -> Result<Cue> {
    let timing_position = if block[0].1.contains("-->") { 0 } else { 1 };
    let Some(&(timing_number, timing_line)) = block.get(timing_position) else {
        return Err(missing_timing_error(block[0].0 + 1, None));
    };
    if !timing_line.contains("-->") {
        return Err(missing_timing_error(timing_number, Some(timing_line)));
    }
    let (start, end) = parse_timing_line(FORMAT, timing_number, timing_line, TIMING_SHAPE)?;
    let payload: Vec<&str> = block[timing_position + 1..].iter().map(|&(_, line)| line).collect();
    Ok(Cue { start, end, text: clean_cue_text(&payload.join("\n")) })
}

fn missing_timing_error(line_number: usize, found: Option<&str>) -> opusclip_core::Error {
    let problem = match found {
        Some(line) => format!("missing timing line, found `{}`", excerpt(line)),
        None => "missing timing line after the cue identifier".to_string(),
    };
    syntax_error(FORMAT, line_number, problem, &format!("each cue needs a line like `{TIMING_SHAPE}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start: f64, end: f64, text: &str) -> Cue {
        Cue { start, end, text: text.to_string() }
    }

    fn error_message(text: &str) -> String {
        let error = parse_vtt(text).expect_err("malformed input must fail");
        assert!(matches!(error, opusclip_core::Error::Transcript { .. }), "{error:?}");
        error.to_string()
    }

    const GOOD: &str = "WEBVTT - a talk\nKind: captions\nLanguage: en\n\n\
        NOTE this is a comment\nspanning two lines\n\n\
        STYLE\n::cue { color: yellow }\n\n\
        intro\n00:01.000 --> 00:02.500 align:start position:10%\n<v Ana>Hello <c.loud>there</c></v>\n\n\
        00:00:03.000 --> 00:00:05.000\nTwo <00:00:04.000>lines\nof text\n\n\
        1:00:00.000 --> 1:00:01.250 line:0\nLate &amp; last\n";

    #[test]
    fn parses_cues_and_skips_header_notes_and_styles() {
        assert_eq!(
            parse_vtt(GOOD).expect("valid WebVTT"),
            vec![
                cue(1.0, 2.5, "Hello there"),
                cue(3.0, 5.0, "Two lines\nof text"),
                cue(3600.0, 3601.25, "Late & last"),
            ]
        );
    }

    #[test]
    fn bom_crlf_and_missing_trailing_newline_are_accepted() {
        let windows = format!("\u{feff}{}", GOOD.trim_end().replace('\n', "\r\n"));
        assert_eq!(parse_vtt(&windows).expect("valid"), parse_vtt(GOOD).expect("valid"));
    }

    #[test]
    fn missing_header_is_reported_on_line_one() {
        let message = error_message("00:01.000 --> 00:02.000\nHi\n");
        assert!(message.contains("WebVTT line 1"), "{message}");
        assert!(message.contains("WEBVTT"), "{message}");
        assert!(error_message("WEBVTTX\n").contains("line 1"));
    }

    #[test]
    fn bad_timestamp_names_its_line() {
        let message = error_message("WEBVTT\n\n00:01.000 --> 00:02.000\nA\n\n00:03.000 --> 00:4.000\nB\n");
        assert!(message.contains("WebVTT line 6"), "{message}");
        assert!(message.contains("bad timestamp `00:4.000`"), "{message}");
    }

    #[test]
    fn end_before_start_names_its_line() {
        let message = error_message("WEBVTT\n\nid\n00:05.000 --> 00:04.000\nA\n");
        assert!(message.contains("WebVTT line 4"), "{message}");
        assert!(message.contains("before it starts"), "{message}");
    }

    #[test]
    fn identifier_without_timing_line_names_the_line() {
        let message = error_message("WEBVTT\n\ncue-1\njust text\n");
        assert!(message.contains("WebVTT line 4"), "{message}");
        assert!(message.contains("missing timing line"), "{message}");
        let message = error_message("WEBVTT\n\ncue-1\n");
        assert!(message.contains("WebVTT line 4"), "{message}");
    }

    #[test]
    fn header_only_has_no_cues() {
        let message = error_message("WEBVTT\n\nNOTE nothing here\n");
        assert!(message.contains("no cues"), "{message}");
    }
}

//! SubRip (`.srt`) parsing: numbered blocks of a timing line and text, separated by blank lines.

use super::markup::clean_cue_text;
use super::{blocks, excerpt, no_cues_error, numbered_lines, parse_timing_line, syntax_error, Cue};
use opusclip_core::Result;

const FORMAT: &str = "SRT";
const TIMING_SHAPE: &str = "00:00:01,000 --> 00:00:02,500";

/// Parses SubRip text into cues, in file order.
///
/// Cue numbers are optional; a block without a timing line that follows a cue is taken as more
/// text of that cue (a blank line inside a cue, as some editors write). Text is cleaned of
/// formatting tags and `{\an8}`-style overrides; cues whose text is empty after cleaning are kept
/// (they still mark time) but give no words.
///
/// ```
/// let cues = opusclip_speech::parse_srt("1\n00:00:01,000 --> 00:00:02,500\n<i>Hello</i> there\n")?;
/// assert_eq!(cues[0].text, "Hello there");
/// assert_eq!((cues[0].start, cues[0].end), (1.0, 2.5));
/// # Ok::<(), opusclip_core::Error>(())
/// ```
pub fn parse_srt(text: &str) -> Result<Vec<Cue>> {
    let lines = numbered_lines(text);
    let mut cues: Vec<Cue> = Vec::new();
    for block in blocks(&lines) {
        match parse_block(&block)? {
            Block::Cue(cue) => cues.push(cue),
            Block::Continuation(more_text) => match cues.last_mut() {
                Some(previous) => append_text(previous, &more_text),
                None => return Err(missing_timing_error(block[0])),
            },
        }
    }
    if cues.is_empty() {
        return Err(no_cues_error(FORMAT, TIMING_SHAPE));
    }
    Ok(cues)
}

enum Block {
    Cue(Cue),
    /// Text with no cue number and no timing line.
    Continuation(String),
}

fn parse_block(block: &[(usize, &str)]) -> Result<Block> {
    let (first_number, first_line) = block[0];
    let timing_position = if first_line.contains("-->") {
        0
    } else if is_cue_number(first_line) {
        match block.get(1) {
            Some((_, line)) if line.contains("-->") => 1,
            Some(&found) => return Err(missing_timing_error(found)),
            None => return Err(missing_timing_error_after_number(first_number)),
        }
    } else {
        return Ok(Block::Continuation(clean_block_text(block)));
    };
    let (timing_number, timing_line) = block[timing_position];
    let (start, end) = parse_timing_line(FORMAT, timing_number, timing_line, TIMING_SHAPE)?;
    let text = clean_block_text(&block[timing_position + 1..]);
    Ok(Block::Cue(Cue { start, end, text }))
}

fn is_cue_number(line: &str) -> bool {
    let trimmed = line.trim();
    !trimmed.is_empty() && trimmed.bytes().all(|byte| byte.is_ascii_digit())
}

fn clean_block_text(lines: &[(usize, &str)]) -> String {
    let raw: Vec<&str> = lines.iter().map(|&(_, line)| line).collect();
    clean_cue_text(&raw.join("\n"))
}

fn append_text(cue: &mut Cue, more_text: &str) {
    if more_text.is_empty() {
        return;
    }
    if !cue.text.is_empty() {
        cue.text.push('\n');
    }
    cue.text.push_str(more_text);
}

fn missing_timing_error((line_number, line): (usize, &str)) -> opusclip_core::Error {
    syntax_error(
        FORMAT,
        line_number,
        format!("missing timing line, found `{}`", excerpt(line)),
        &format!("each cue needs a line like `{TIMING_SHAPE}` after its number"),
    )
}

fn missing_timing_error_after_number(line_number: usize) -> opusclip_core::Error {
    syntax_error(
        FORMAT,
        line_number + 1,
        "missing timing line after the cue number".to_string(),
        &format!("each cue needs a line like `{TIMING_SHAPE}` after its number"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start: f64, end: f64, text: &str) -> Cue {
        Cue { start, end, text: text.to_string() }
    }

    fn error_message(text: &str) -> String {
        let error = parse_srt(text).expect_err("malformed input must fail");
        assert!(matches!(error, opusclip_core::Error::Transcript { .. }), "{error:?}");
        error.to_string()
    }

    const GOOD: &str = "1\n00:00:01,000 --> 00:00:02,500\nHello there.\n\n\
                        2\n00:00:03,000 --> 00:00:05,000\nTwo lines\nof text\n\n\
                        3\n01:00:00,000 --> 01:00:01,250\nLate cue\n";

    #[test]
    fn parses_well_formed_cues() {
        assert_eq!(
            parse_srt(GOOD).expect("valid SRT"),
            vec![cue(1.0, 2.5, "Hello there."), cue(3.0, 5.0, "Two lines\nof text"), cue(3600.0, 3601.25, "Late cue"),]
        );
    }

    #[test]
    fn bom_crlf_and_missing_trailing_newline_are_accepted() {
        let windows = format!("\u{feff}{}", GOOD.trim_end().replace('\n', "\r\n"));
        assert_eq!(parse_srt(&windows).expect("valid"), parse_srt(GOOD).expect("valid"));
    }

    #[test]
    fn tags_and_overrides_are_stripped() {
        let text = "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<i>Top</i> <font color=\"red\">text</font>\n";
        assert_eq!(parse_srt(text).expect("valid")[0].text, "Top text");
    }

    #[test]
    fn extra_blank_lines_and_missing_numbers_are_tolerated() {
        let text = "\n\n00:00:01,000 --> 00:00:02,000 X1:10 X2:20 Y1:5 Y2:9\nA\n\n\n\n2\n00:00:03,000 --> 00:00:04,000\nB\n\nstill B\n";
        assert_eq!(parse_srt(text).expect("valid"), vec![cue(1.0, 2.0, "A"), cue(3.0, 4.0, "B\nstill B")]);
    }

    #[test]
    fn bad_timestamp_names_its_line() {
        let message = error_message("1\n00:00:01,000 --> 00:00:02,500\nA\n\n2\n00:00:0x,000 --> 00:00:04,000\nB\n");
        assert!(message.contains("SRT line 6"), "{message}");
        assert!(message.contains("bad timestamp `00:00:0x,000`"), "{message}");
    }

    #[test]
    fn end_before_start_names_its_line() {
        let message = error_message("1\n00:00:05,000 --> 00:00:04,000\nA\n");
        assert!(message.contains("SRT line 2"), "{message}");
        assert!(message.contains("ends (00:00:04,000) before it starts"), "{message}");
    }

    #[test]
    fn number_without_timing_line_names_the_line() {
        let message = error_message("1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\nB has no timing\n");
        assert!(message.contains("SRT line 6"), "{message}");
        assert!(message.contains("missing timing line"), "{message}");
        let message = error_message("1\n00:00:01,000 --> 00:00:02,000\nA\n\n2\n");
        assert!(message.contains("SRT line 6"), "{message}");
    }

    #[test]
    fn garbage_is_quoted_briefly_in_the_error() {
        let garbage: String = (0..1800u32).map(|i| char::from(b'!' + (i % 90) as u8)).collect();
        let message = error_message(&format!("1\n{garbage}\n"));
        assert!(message.contains("line 2"), "{message}");
        assert!(message.len() < 300, "{} bytes: {message}", message.len());
        let message = error_message(&format!("00:00:01,000 --> {garbage}\nhi\n"));
        assert!(message.len() < 300, "{} bytes: {message}", message.len());
    }

    #[test]
    fn text_before_any_cue_is_an_error() {
        let message = error_message("Just some words\n00:00:01,000\n");
        assert!(message.contains("SRT line 1"), "{message}");
        assert!(message.contains("missing timing line"), "{message}");
    }

    #[test]
    fn empty_input_has_no_cues() {
        for text in ["", "\u{feff}\r\n\r\n", "   \n"] {
            let message = error_message(text);
            assert!(message.contains("no cues"), "{message}");
        }
    }
}

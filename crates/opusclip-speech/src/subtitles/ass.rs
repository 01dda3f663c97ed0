//! Advanced SubStation Alpha (`.ass`, `.ssa`) import: the `Dialogue:` lines of the `[Events]`
//! section, read through its `Format:` line, with override blocks (`{\b1}`) and `\N` breaks
//! turned into plain text.

use super::markup::clean_cue_text;
use super::{excerpt, numbered_lines, parse_timestamp, Cue};
use opusclip_core::{Error, Result};
use serde_json::json;

fn ass_error(line: usize, problem: &str) -> Error {
    Error::transcript(format!("ASS line {line}: {problem}; fix the line or supply another transcript"))
        .with_details(json!({"format": "ass", "line": line}))
}

/// Parse the dialogue of an ASS/SSA script into cues (in file order).
pub fn parse_ass(text: &str) -> Result<Vec<Cue>> {
    let mut in_events = false;
    let mut columns: Option<Vec<String>> = None;
    let mut cues = Vec::new();
    for (number, line) in numbered_lines(text) {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            in_events = trimmed.eq_ignore_ascii_case("[events]");
            continue;
        }
        if !in_events {
            continue;
        }
        if let Some(format) = trimmed.strip_prefix("Format:") {
            columns = Some(format.split(',').map(|c| c.trim().to_ascii_lowercase()).collect());
        } else if let Some(dialogue) = trimmed.strip_prefix("Dialogue:") {
            let columns =
                columns.as_ref().ok_or_else(|| ass_error(number, "a Dialogue line comes before the Format line"))?;
            cues.push(parse_dialogue(dialogue, columns, number)?);
        }
    }
    if cues.is_empty() {
        return Err(Error::transcript("ASS file has no Dialogue lines in an [Events] section")
            .with_details(json!({"format": "ass", "line": 0})));
    }
    Ok(cues)
}

fn parse_dialogue(fields_text: &str, columns: &[String], number: usize) -> Result<Cue> {
    // Text is the last column and may itself contain commas.
    let fields: Vec<&str> = fields_text.splitn(columns.len(), ',').collect();
    if fields.len() != columns.len() {
        return Err(ass_error(number, &format!("expected {} fields, found {}", columns.len(), fields.len())));
    }
    let field = |name: &str| columns.iter().position(|c| c == name).map(|i| fields[i].trim());
    let time = |name: &str| {
        let raw = field(name).ok_or_else(|| ass_error(number, &format!("the Format line has no {name} column")))?;
        parse_timestamp(raw).ok_or_else(|| ass_error(number, &format!("bad timestamp `{}`", excerpt(raw))))
    };
    let (start, end) = (time("start")?, time("end")?);
    if end < start {
        return Err(ass_error(number, &format!("the cue ends ({end:.2} s) before it starts ({start:.2} s)")));
    }
    let raw_text = field("text").unwrap_or("").replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ");
    Ok(Cue { start, end, text: clean_cue_text(&raw_text) })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str = "[Script Info]\nTitle: x\n\n[V4+ Styles]\nFormat: Name, Fontname\nStyle: Default,Arial\n\n\
        [Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n\
        Dialogue: 0,0:00:01.50,0:00:03.00,Default,,0,0,0,,{\\b1}Hello{\\b0}, world\\Nsecond line\n\
        Comment: 0,0:00:04.00,0:00:05.00,Default,,0,0,0,,ignored\n\
        Dialogue: 0,0:00:04.00,0:00:05.25,Default,,0,0,0,,Bye\n";

    #[test]
    fn dialogue_lines_become_clean_cues() {
        let cues = parse_ass(SCRIPT).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!((cues[0].start, cues[0].end), (1.5, 3.0));
        assert_eq!(cues[0].text, "Hello, world\nsecond line");
        assert_eq!(cues[1].text, "Bye");
    }

    #[test]
    fn errors_name_the_line() {
        let bad = SCRIPT.replace("0:00:04.00,0:00:05.25", "0:00:04.00,0:0x:05.25");
        let message = parse_ass(&bad).unwrap_err().to_string();
        assert!(message.contains("line 12") && message.contains("0:0x:05.25"), "{message}");
        let message = parse_ass("[Events]\nDialogue: 0,0:00:01.00,0:00:02.00,x\n").unwrap_err().to_string();
        assert!(message.contains("line 2") && message.contains("Format"), "{message}");
        assert!(parse_ass("[Script Info]\n").is_err());
    }
}

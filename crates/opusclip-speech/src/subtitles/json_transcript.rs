//! Transcripts other tools wrote as JSON: whisper.cpp's `-oj` output (`transcription[]` with
//! `offsets` in milliseconds) and OpenAI-style verbose JSON (`segments[]` in seconds, with
//! word-level `words[]` when present — then each word becomes its own cue, keeping its time).

use super::markup::clean_cue_text;
use super::Cue;
use opusclip_core::{Error, Result};
use serde_json::{json, Value};

fn json_error(problem: &str) -> Error {
    Error::transcript(format!("transcript JSON: {problem}; supply a whisper.cpp (-oj) or OpenAI verbose JSON file"))
        .with_details(json!({"format": "json"}))
}

/// Parse a whisper.cpp or OpenAI-style JSON transcript into cues.
pub fn parse_transcript_json(text: &str) -> Result<Vec<Cue>> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        Error::transcript(format!("transcript JSON line {}: {}", e.line(), super::excerpt(&e.to_string())))
            .with_details(json!({"format": "json", "line": e.line()}))
    })?;
    let cues = if let Some(items) = value.get("transcription").and_then(Value::as_array) {
        items.iter().map(whisper_cpp_cue).collect::<Result<Vec<_>>>()?
    } else if let Some(segments) = value.get("segments").and_then(Value::as_array) {
        let words: Vec<&Value> =
            segments.iter().filter_map(|s| s.get("words").and_then(Value::as_array)).flatten().collect();
        let words = if words.is_empty() {
            value.get("words").and_then(Value::as_array).map(|w| w.iter().collect()).unwrap_or_default()
        } else {
            words
        };
        if words.is_empty() {
            segments.iter().map(|s| seconds_cue(s, "text")).collect::<Result<Vec<_>>>()?
        } else {
            words.into_iter().map(|w| seconds_cue(w, "word")).collect::<Result<Vec<_>>>()?
        }
    } else {
        return Err(json_error("neither `transcription` nor `segments` found"));
    };
    let cues: Vec<Cue> = cues.into_iter().filter(|c| !c.text.is_empty()).collect();
    if cues.is_empty() {
        return Err(json_error("no text in it"));
    }
    Ok(cues)
}

fn whisper_cpp_cue(item: &Value) -> Result<Cue> {
    let offset = |key: &str| {
        item.pointer(&format!("/offsets/{key}"))
            .and_then(Value::as_f64)
            .ok_or_else(|| json_error(&format!("an item lacks offsets.{key}")))
    };
    let (start, end) = (offset("from")? / 1000.0, offset("to")? / 1000.0);
    let text = item.get("text").and_then(Value::as_str).unwrap_or("");
    checked(start, end, text)
}

fn seconds_cue(item: &Value, text_key: &str) -> Result<Cue> {
    let time =
        |key: &str| item.get(key).and_then(Value::as_f64).ok_or_else(|| json_error(&format!("an entry lacks `{key}`")));
    let text = item.get(text_key).and_then(Value::as_str).unwrap_or("");
    checked(time("start")?, time("end")?, text)
}

fn checked(start: f64, end: f64, text: &str) -> Result<Cue> {
    if !(start.is_finite() && end.is_finite()) || end < start || start < 0.0 {
        return Err(json_error(&format!("an entry has bad times {start}..{end}")));
    }
    Ok(Cue { start, end, text: clean_cue_text(text) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whisper_cpp_output() {
        let text = r#"{"transcription":[{"timestamps":{"from":"00:00:00,000","to":"00:00:02,500"},
            "offsets":{"from":0,"to":2500},"text":" And so my fellow Americans"}]}"#;
        let cues = parse_transcript_json(text).unwrap();
        assert_eq!(cues, vec![Cue { start: 0.0, end: 2.5, text: "And so my fellow Americans".into() }]);
    }

    #[test]
    fn openai_words_are_kept_one_cue_each() {
        let text = r#"{"text":"Hi there","segments":[{"start":0.0,"end":1.0,"text":"Hi there",
            "words":[{"word":"Hi","start":0.1,"end":0.4},{"word":"there","start":0.5,"end":0.9}]}]}"#;
        let cues = parse_transcript_json(text).unwrap();
        assert_eq!(cues.len(), 2);
        assert_eq!((cues[1].start, cues[1].text.as_str()), (0.5, "there"));
        let segments_only = r#"{"segments":[{"start":1.0,"end":2.0,"text":" Hello."}]}"#;
        assert_eq!(parse_transcript_json(segments_only).unwrap()[0].text, "Hello.");
    }

    #[test]
    fn bad_json_names_the_line_and_bad_times_are_refused() {
        let message = parse_transcript_json("{\n\"segments\": [\n}").unwrap_err().to_string();
        assert!(message.contains("line 3"), "{message}");
        assert!(parse_transcript_json(r#"{"segments":[{"start":2.0,"end":1.0,"text":"x"}]}"#).is_err());
        assert!(parse_transcript_json(r#"{"other":1}"#).is_err());
    }
}

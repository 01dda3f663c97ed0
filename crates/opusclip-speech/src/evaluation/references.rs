//! Reading a transcript to evaluate, or to evaluate against, from any format we know: SRT,
//! WebVTT, ASS, whisper.cpp / OpenAI JSON, our own `transcript.json`, Praat TextGrid (Montreal
//! Forced Aligner), GRID `.align` files and plain text (`.txt`, `.lab`).

use super::textgrid::{parse_textgrid, TextGridTier};
use crate::subtitles::{parse_subtitles, Cue};
use crate::words::{spoken_tokens, spread_over};
use opusclip_core::{Error, Result, Transcript, Word};
use serde::Serialize;
use std::path::Path;

/// How well the words' times are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimingDetail {
    /// Each word has its own time (a word alignment, word-level ASR output).
    Words,
    /// Times are known per cue or utterance and spread over its words.
    Cues,
    /// Text only: the times are meaningless.
    None,
}

/// A transcript read for evaluation: its words and how well their times are known.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationTranscript {
    pub words: Vec<Word>,
    pub timing: TimingDetail,
}

/// GRID `.align` times are in units of 1/25 000 s.
const GRID_ALIGN_UNITS_PER_SECOND: f64 = 25_000.0;
/// Labels of pauses in alignment files, not words.
const PAUSE_LABELS: [&str; 5] = ["sil", "sp", "spn", "<eps>", "<sil>"];

/// Reads `path` for evaluation, choosing the format by extension (then by content):
/// `.TextGrid`, `.align`, `.lab`, `.txt` (plain text unless it holds subtitle timing lines),
/// `.json` (ours, whisper.cpp's or OpenAI's), and SRT / WebVTT / ASS.
///
/// Errors name the file. A file without words gives an empty transcript.
pub fn read_evaluation_transcript(path: &Path) -> Result<EvaluationTranscript> {
    let bytes = std::fs::read(path).map_err(|source| Error::io("read transcript", path, source))?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let extension = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).unwrap_or_default();
    let transcript = match extension.as_str() {
        "textgrid" => textgrid_transcript(text),
        "align" => grid_align_transcript(text),
        "lab" => Ok(plain_text_transcript(text)),
        "txt" if !text.contains("-->") => Ok(plain_text_transcript(text)),
        "json" if looks_like_our_transcript(text) => our_transcript(text),
        _ => parse_subtitles(path).map(|cues| cue_transcript(&cues)),
    }
    .map_err(|error| name_file(error, path))?;
    Ok(transcript)
}

/// [`read_evaluation_transcript`] for a reference, which must hold words: an empty one is an
/// error naming the file (an empty hypothesis is fine: every reference word is then deleted).
pub fn read_reference_transcript(path: &Path) -> Result<EvaluationTranscript> {
    let transcript = read_evaluation_transcript(path)?;
    if transcript.words.is_empty() {
        return Err(Error::transcript(format!(
            "the reference {} holds no words to evaluate against; check that it is the right file",
            path.display()
        )));
    }
    Ok(transcript)
}

fn name_file(error: Error, path: &Path) -> Error {
    match error {
        Error::Transcript { message, details } if !message.contains(&path.display().to_string()) => {
            Error::Transcript { message: format!("{}: {message}", path.display()), details }
        }
        other => other,
    }
}

/// Words without times, one after the other a second apart (times are not meant to be used).
pub fn plain_text_transcript(text: &str) -> EvaluationTranscript {
    let words = text
        .split_whitespace()
        .filter(|token| token.chars().any(char::is_alphanumeric))
        .enumerate()
        .map(|(index, token)| untimed_word(token, index))
        .collect();
    EvaluationTranscript { words, timing: TimingDetail::None }
}

fn untimed_word(text: &str, index: usize) -> Word {
    Word { text: text.to_string(), start: index as f64, end: index as f64 + 1.0, confidence: 1.0, speaker: None }
}

fn looks_like_our_transcript(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text).ok().is_some_and(|value| {
        value.get("words").is_some_and(serde_json::Value::is_array) && value.get("segments").is_none()
    })
}

/// `opusclip transcribe --format json` output: word-level times.
fn our_transcript(text: &str) -> Result<EvaluationTranscript> {
    let transcript: Transcript = serde_json::from_str(text).map_err(|error| {
        Error::transcript(format!(
            "transcript JSON line {}: {error}; expected the output of `opusclip transcribe --format json`",
            error.line()
        ))
    })?;
    Ok(EvaluationTranscript { words: transcript.words, timing: TimingDetail::Words })
}

/// Words of subtitle cues, spread over each cue; word-level when every cue holds one word.
fn cue_transcript(cues: &[Cue]) -> EvaluationTranscript {
    let words = crate::words::cues_to_words(cues);
    let one_word_cues = cues.iter().all(|cue| spoken_tokens(&cue.text).1.len() <= 1);
    EvaluationTranscript { words, timing: if one_word_cues { TimingDetail::Words } else { TimingDetail::Cues } }
}

/// A TextGrid's `words` tier (one word per interval) or, without one, every interval tier's
/// utterances (their words spread over each interval, the tier name as speaker).
fn textgrid_transcript(text: &str) -> Result<EvaluationTranscript> {
    let tiers = parse_textgrid(text)?;
    if let Some(words_tier) = tiers.iter().find(|tier| tier.name.eq_ignore_ascii_case("words")) {
        let words = words_tier
            .intervals
            .iter()
            .filter(|interval| !is_pause(&interval.text))
            .flat_map(|interval| interval_words(&interval.text, interval.start, interval.end, None))
            .collect();
        return Ok(EvaluationTranscript { words, timing: TimingDetail::Words });
    }
    Ok(EvaluationTranscript { words: utterance_tier_words(&tiers), timing: TimingDetail::Cues })
}

fn utterance_tier_words(tiers: &[TextGridTier]) -> Vec<Word> {
    let mut words: Vec<Word> = tiers
        .iter()
        .flat_map(|tier| {
            tier.intervals
                .iter()
                .filter(|interval| !is_pause(&interval.text))
                .flat_map(|interval| interval_words(&interval.text, interval.start, interval.end, Some(&tier.name)))
        })
        .collect();
    words.sort_by(|a, b| a.start.total_cmp(&b.start));
    words
}

fn interval_words(text: &str, start: f64, end: f64, speaker: Option<&str>) -> Vec<Word> {
    let tokens: Vec<String> = text.split_whitespace().map(str::to_string).collect();
    tokens
        .iter()
        .zip(spread_over(&tokens, start, end))
        .map(|(token, (word_start, word_end))| Word {
            text: token.clone(),
            start: word_start,
            end: word_end,
            confidence: 1.0,
            speaker: speaker.map(str::to_string),
        })
        .collect()
}

fn is_pause(label: &str) -> bool {
    let label = label.trim();
    label.is_empty() || PAUSE_LABELS.iter().any(|pause| label.eq_ignore_ascii_case(pause))
}

/// A GRID corpus alignment: `start end word` lines in 1/25 000 s, `sil`/`sp` dropped.
pub fn grid_align_transcript(text: &str) -> Result<EvaluationTranscript> {
    let mut words = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.is_empty() {
            continue;
        }
        let parsed = match fields.as_slice() {
            [start, end, label] => start.parse::<f64>().ok().zip(end.parse::<f64>().ok()).map(|times| (times, *label)),
            _ => None,
        };
        let in_order = |start: f64, end: f64| start.is_finite() && end.is_finite() && end >= start && start >= 0.0;
        let Some(((start, end), label)) = parsed.filter(|((start, end), _)| in_order(*start, *end)) else {
            return Err(Error::transcript(format!(
                "alignment line {}: expected `START END WORD` with START <= END in 1/25000 s, found `{}`",
                index + 1,
                crate::subtitles::excerpt(line)
            )));
        };
        if !is_pause(label) {
            let (start, end) = (start / GRID_ALIGN_UNITS_PER_SECOND, end / GRID_ALIGN_UNITS_PER_SECOND);
            words.push(Word { text: label.to_string(), start, end, confidence: 1.0, speaker: None });
        }
    }
    Ok(EvaluationTranscript { words, timing: TimingDetail::Words })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(directory: &Path, name: &str, text: &str) -> std::path::PathBuf {
        let path = directory.join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    fn texts(transcript: &EvaluationTranscript) -> Vec<&str> {
        transcript.words.iter().map(|word| word.text.as_str()).collect()
    }

    #[test]
    fn grid_alignments_with_endless_times_are_refused() {
        // Found by libFuzzer: `1e309` parsed as an infinite end time.
        for text in ["0 1e309 bin\n", "inf 5 bin\n", "NaN 5 bin\n"] {
            assert!(grid_align_transcript(text).is_err(), "{text}");
        }
    }

    #[test]
    fn grid_alignments_are_in_25000ths_and_drop_silence() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path =
            write(directory.path(), "x.align", "0 12250 sil\n12250 19250 set\n19250 27250 white\n27250 30000 sp\n");
        let transcript = read_evaluation_transcript(&path).expect("reads");
        assert_eq!(texts(&transcript), ["set", "white"]);
        assert_eq!((transcript.words[0].start, transcript.words[0].end), (0.49, 0.77));
        assert_eq!(transcript.timing, TimingDetail::Words);
        let broken = write(directory.path(), "broken.align", "0 100 sil\n200 100 set\n");
        let message = read_evaluation_transcript(&broken).expect_err("end before start").to_string();
        assert!(message.contains("line 2") && message.contains("broken.align"), "{message}");
    }

    #[test]
    fn plain_text_and_lab_files_have_no_timing() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = write(directory.path(), "ref.lab", "HE BEGAN A\nCONFUSED - COMPLAINT\n");
        let transcript = read_evaluation_transcript(&path).expect("reads");
        assert_eq!(texts(&transcript), ["HE", "BEGAN", "A", "CONFUSED", "COMPLAINT"]);
        assert_eq!(transcript.timing, TimingDetail::None);
        let empty = write(directory.path(), "empty.txt", " \n");
        assert!(read_evaluation_transcript(&empty).expect("an empty hypothesis is fine").words.is_empty());
        let message = read_reference_transcript(&empty).expect_err("an empty reference").to_string();
        assert!(message.contains("no words") && message.contains("empty.txt"), "{message}");
    }

    #[test]
    fn our_json_and_subtitles_keep_their_detail() {
        let directory = tempfile::tempdir().expect("temp dir");
        let ours = write(
            directory.path(),
            "t.json",
            r#"{"language":"en","source":"whisper","words":[{"text":"Hi","start":0.5,"end":0.9,"confidence":0.8}]}"#,
        );
        let transcript = read_evaluation_transcript(&ours).expect("reads ours");
        assert_eq!((transcript.words[0].start, transcript.timing), (0.5, TimingDetail::Words));
        let srt = write(directory.path(), "s.srt", "1\n00:00:01,000 --> 00:00:03,000\nHello there\n");
        let transcript = read_evaluation_transcript(&srt).expect("reads srt");
        assert_eq!((texts(&transcript), transcript.timing), (vec!["Hello", "there"], TimingDetail::Cues));
        let openai = write(
            directory.path(),
            "o.json",
            r#"{"segments":[{"start":0,"end":1,"text":"a b","words":[{"word":"a","start":0,"end":0.4},{"word":"b","start":0.5,"end":1}]}]}"#,
        );
        assert_eq!(read_evaluation_transcript(&openai).expect("reads openai").timing, TimingDetail::Words);
    }

    #[test]
    fn textgrids_without_a_words_tier_give_speaker_utterances() {
        let grid = "File type = \"ooTextFile\"\nObject class = \"TextGrid\"\n0\n4\n<exists>\n2\n\"IntervalTier\"\n\"anna\"\n0\n4\n2\n0\n1\n\"\"\n1\n2\n\"hello you\"\n\"IntervalTier\"\n\"ben\"\n0\n4\n1\n2.5\n3\n\"hi\"\n";
        let directory = tempfile::tempdir().expect("temp dir");
        let path = write(directory.path(), "talk.TextGrid", grid);
        let transcript = read_evaluation_transcript(&path).expect("reads");
        assert_eq!(texts(&transcript), ["hello", "you", "hi"]);
        assert_eq!(transcript.words[2].speaker.as_deref(), Some("ben"));
        assert_eq!(transcript.timing, TimingDetail::Cues);
    }
}

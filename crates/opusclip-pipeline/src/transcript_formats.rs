//! A whole transcript written as `opusclip transcribe` offers it: JSON (`transcript.json`),
//! SRT and WebVTT cues of whole sentences (long ones split), or plain text, a sentence a line.

use opusclip_captions::{write_srt, write_vtt, CaptionPage, CaptionWord};
use opusclip_core::{Error, Result, Transcript, Word};

/// Most words in one subtitle cue.
pub const MAX_CUE_WORDS: usize = 12;
/// Most characters on one line of a cue.
pub const MAX_LINE_CHARS: usize = 42;

/// Output formats of `opusclip transcribe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TranscriptFormat {
    Json,
    Srt,
    Vtt,
    Txt,
}

impl std::str::FromStr for TranscriptFormat {
    type Err = Error;
    fn from_str(text: &str) -> Result<Self> {
        match text.to_ascii_lowercase().as_str() {
            "json" => Ok(TranscriptFormat::Json),
            "srt" => Ok(TranscriptFormat::Srt),
            "vtt" => Ok(TranscriptFormat::Vtt),
            "txt" | "text" => Ok(TranscriptFormat::Txt),
            other => Err(Error::invalid_input(format!("unknown format '{other}': use json, srt, vtt or txt"))),
        }
    }
}

/// The transcript in `format`.
pub fn render_transcript(transcript: &Transcript, format: TranscriptFormat) -> Result<String> {
    match format {
        TranscriptFormat::Json => serde_json::to_string_pretty(transcript).map_err(|e| Error::Internal(e.to_string())),
        TranscriptFormat::Srt => Ok(write_srt(&cue_pages(&transcript.words))),
        TranscriptFormat::Vtt => Ok(write_vtt(&cue_pages(&transcript.words))),
        TranscriptFormat::Txt => Ok(plain_text(&transcript.words)),
    }
}

fn plain_text(words: &[Word]) -> String {
    let mut text: String = opusclip_select::sentences(words).iter().map(|s| format!("{}\n", s.text)).collect();
    if text.is_empty() && !words.is_empty() {
        text = words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ") + "\n";
    }
    text
}

/// One cue per sentence, split every [`MAX_CUE_WORDS`] words, lines broken near
/// [`MAX_LINE_CHARS`].
fn cue_pages(words: &[Word]) -> Vec<CaptionPage> {
    let mut pages = Vec::new();
    for sentence in opusclip_select::sentences(words) {
        for chunk in words[sentence.first_word..sentence.end_word].chunks(MAX_CUE_WORDS) {
            let cue_words: Vec<CaptionWord> =
                chunk.iter().map(|w| CaptionWord { text: w.text.clone(), start: w.start, end: w.end }).collect();
            let (Some(first), Some(last)) = (cue_words.first(), cue_words.last()) else { continue };
            let (start, end) = (first.start, last.end);
            pages.push(CaptionPage { start, end, lines: break_lines(cue_words), font_size_px: 0.0 });
        }
    }
    pages
}

fn break_lines(words: Vec<CaptionWord>) -> Vec<Vec<CaptionWord>> {
    let total: usize = words.iter().map(|w| w.text.chars().count() + 1).sum();
    if total <= MAX_LINE_CHARS {
        return vec![words];
    }
    // Two lines, split where the first line is closest to half the text.
    let mut best = (usize::MAX, 1);
    let mut running = 0;
    for (index, word) in words.iter().enumerate().take(words.len() - 1) {
        running += word.text.chars().count() + 1;
        let imbalance = running.abs_diff(total - running);
        if imbalance < best.0 {
            best = (imbalance, index + 1);
        }
    }
    let mut first = words;
    let second = first.split_off(best.1);
    vec![first, second]
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::TranscriptSource;

    fn transcript(texts: &[&str]) -> Transcript {
        let words = texts
            .iter()
            .enumerate()
            .map(|(i, t)| Word {
                text: t.to_string(),
                start: i as f64 * 0.5,
                end: i as f64 * 0.5 + 0.4,
                confidence: 1.0,
                speaker: None,
            })
            .collect();
        Transcript { language: Some("en".into()), source: TranscriptSource::Whisper, words, events: Vec::new() }
    }

    #[test]
    fn srt_has_a_cue_per_sentence() {
        let t = transcript(&["Hello", "there.", "How", "are", "you?"]);
        let srt = render_transcript(&t, TranscriptFormat::Srt).unwrap();
        assert_eq!(
            srt,
            "1\n00:00:00,000 --> 00:00:00,900\nHello there.\n\n2\n00:00:01,000 --> 00:00:02,400\nHow are you?\n\n"
        );
    }

    #[test]
    fn text_is_a_sentence_a_line_and_json_round_trips() {
        let t = transcript(&["Hello", "there.", "How", "are", "you?"]);
        assert_eq!(render_transcript(&t, TranscriptFormat::Txt).unwrap(), "Hello there.\nHow are you?\n");
        let json = render_transcript(&t, TranscriptFormat::Json).unwrap();
        assert_eq!(serde_json::from_str::<Transcript>(&json).unwrap(), t);
    }

    #[test]
    fn long_sentences_split_into_cues_of_two_lines() {
        let words: Vec<&str> =
            "one two three four five six seven eight nine ten eleven twelve thirteen fourteen.".split(' ').collect();
        let pages = cue_pages(&transcript(&words).words);
        assert_eq!(pages.len(), 2);
        assert!(pages.iter().all(|p| p.lines.len() <= 2));
        assert!("vtt".parse::<TranscriptFormat>().is_ok() && "doc".parse::<TranscriptFormat>().is_err());
    }
}

//! SRT and WebVTT writers: the side-car caption files delivered next to each clip, one cue
//! per caption page, lines kept as laid out.

use crate::layout::CaptionPage;
use std::fmt::Write as _;

/// A cue: milliseconds and the lines of text.
struct Cue {
    start_ms: u64,
    end_ms: u64,
    lines: Vec<String>,
}

/// Seconds as whole milliseconds (negative and NaN become 0).
fn to_milliseconds(seconds: f64) -> u64 {
    if seconds.is_nan() || seconds <= 0.0 {
        return 0;
    }
    (seconds * 1000.0).round() as u64
}

/// One cue per page, times rounded once, never overlapping the previous cue; pages that
/// round to no time at all are left out.
fn cues(pages: &[CaptionPage]) -> Vec<Cue> {
    let mut cues = Vec::with_capacity(pages.len());
    let mut last_end = 0;
    for page in pages {
        let start_ms = to_milliseconds(page.start).max(last_end);
        let end_ms = to_milliseconds(page.end);
        if end_ms <= start_ms {
            continue;
        }
        let lines = page.lines.iter().map(|line| crate::layout::line_text(line)).collect();
        cues.push(Cue { start_ms, end_ms, lines });
        last_end = end_ms;
    }
    cues
}

/// `HH:MM:SS` followed by `separator` and milliseconds.
fn format_time(milliseconds: u64, separator: char) -> String {
    let hours = milliseconds / 3_600_000;
    let minutes = milliseconds / 60_000 % 60;
    let seconds = milliseconds / 1000 % 60;
    let millis = milliseconds % 1000;
    format!("{hours:02}:{minutes:02}:{seconds:02}{separator}{millis:03}")
}

/// Writes pages as SubRip (`.srt`): numbered cues, `HH:MM:SS,mmm` times.
pub fn write_srt(pages: &[CaptionPage]) -> String {
    let mut srt = String::new();
    for (index, cue) in cues(pages).iter().enumerate() {
        let _ = write!(
            srt,
            "{}\n{} --> {}\n{}\n\n",
            index + 1,
            format_time(cue.start_ms, ','),
            format_time(cue.end_ms, ','),
            cue.lines.join("\n")
        );
    }
    srt
}

/// Writes pages as WebVTT (`.vtt`): a `WEBVTT` header, `HH:MM:SS.mmm` times, text with
/// `&`, `<` and `>` escaped.
pub fn write_vtt(pages: &[CaptionPage]) -> String {
    let mut vtt = String::from("WEBVTT\n\n");
    for cue in cues(pages) {
        let text: Vec<String> = cue.lines.iter().map(|line| escape_vtt_text(line)).collect();
        let _ = write!(
            vtt,
            "{} --> {}\n{}\n\n",
            format_time(cue.start_ms, '.'),
            format_time(cue.end_ms, '.'),
            text.join("\n")
        );
    }
    vtt
}

/// Escapes the characters WebVTT cue text reserves.
fn escape_vtt_text(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::CaptionWord;

    fn page(start: f64, end: f64, lines: &[&[&str]]) -> CaptionPage {
        let lines = lines
            .iter()
            .map(|line| line.iter().map(|text| CaptionWord { text: text.to_string(), start, end }).collect())
            .collect();
        CaptionPage { start, end, lines, font_size_px: 72.0 }
    }

    fn fixture() -> Vec<CaptionPage> {
        vec![page(0.0, 1.5, &[&["Hello", "there"], &["world"]]), page(1.5, 3661.0016, &[&["Fish", "&", "<chips>"]])]
    }

    #[test]
    fn srt_has_numbered_cues_with_comma_milliseconds() {
        let expected = "1\n00:00:00,000 --> 00:00:01,500\nHello there\nworld\n\n\
                        2\n00:00:01,500 --> 01:01:01,002\nFish & <chips>\n\n";
        assert_eq!(write_srt(&fixture()), expected);
    }

    #[test]
    fn vtt_has_header_dot_milliseconds_and_escaped_text() {
        let expected = "WEBVTT\n\n\
                        00:00:00.000 --> 00:00:01.500\nHello there\nworld\n\n\
                        00:00:01.500 --> 01:01:01.002\nFish &amp; &lt;chips&gt;\n\n";
        assert_eq!(write_vtt(&fixture()), expected);
    }

    #[test]
    fn empty_and_overlapping_pages_are_handled() {
        assert_eq!(write_srt(&[]), "");
        assert_eq!(write_vtt(&[]), "WEBVTT\n\n");
        let pages = vec![page(0.0, 2.0, &[&["a"]]), page(1.0, 3.0, &[&["b"]]), page(3.0, 3.0, &[&["gone"]])];
        let srt = write_srt(&pages);
        assert!(srt.contains("2\n00:00:02,000 --> 00:00:03,000\nb\n"), "{srt}");
        assert!(!srt.contains("gone"));
    }
}

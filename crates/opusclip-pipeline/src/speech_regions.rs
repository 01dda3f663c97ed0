//! Guards around speech recognition, from our own audio levels: which stretches hold speech
//! (so silence is never transcribed), and which recognised words to distrust (words inside long
//! silences, phrases repeated in a loop — whisper's classic hallucinations).

use opusclip_core::{Silence, Word};

/// A stretch of the source to transcribe, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeechRegion {
    pub start: f64,
    pub end: f64,
}

/// Padding kept around speech so word edges are not clipped.
pub const REGION_PADDING: f64 = 0.25;
/// Silences shorter than this stay inside a region (pauses between sentences).
pub const REGION_SPLIT_SILENCE: f64 = 1.5;
/// Words whose middle falls in a silence at least this long are dropped.
pub const HALLUCINATION_SILENCE: f64 = 1.0;

/// The stretches of `[0, duration)` outside long silences, padded and merged.
pub fn speech_regions(silences: &[Silence], duration: f64) -> Vec<SpeechRegion> {
    let mut regions = Vec::new();
    let mut cursor = 0.0;
    for silence in silences.iter().filter(|s| s.end - s.start >= REGION_SPLIT_SILENCE) {
        if silence.start > cursor {
            regions.push(SpeechRegion { start: cursor, end: silence.start });
        }
        cursor = cursor.max(silence.end);
    }
    if cursor < duration {
        regions.push(SpeechRegion { start: cursor, end: duration });
    }
    let padded = regions.into_iter().map(|r| SpeechRegion {
        start: (r.start - REGION_PADDING).max(0.0),
        end: (r.end + REGION_PADDING).min(duration),
    });
    let mut merged: Vec<SpeechRegion> = Vec::new();
    for region in padded {
        match merged.last_mut() {
            Some(last) if region.start <= last.end => last.end = last.end.max(region.end),
            _ => merged.push(region),
        }
    }
    merged.retain(|r| r.end - r.start > 0.2);
    merged
}

/// Drop words spoken inside long silences and collapse phrases repeated three or more times
/// in a row to one occurrence.
pub fn drop_hallucinations(words: Vec<Word>, silences: &[Silence]) -> Vec<Word> {
    let long: Vec<&Silence> = silences.iter().filter(|s| s.end - s.start >= HALLUCINATION_SILENCE).collect();
    let heard: Vec<Word> = words
        .into_iter()
        .filter(|w| {
            let middle = (w.start + w.end) / 2.0;
            !long.iter().any(|s| middle > s.start + 0.1 && middle < s.end - 0.1)
        })
        .collect();
    collapse_loops(heard)
}

fn normalized(word: &Word) -> String {
    word.text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Remove the 2nd and later repeats of any 1–8 word phrase that repeats 3+ times in a row.
fn collapse_loops(words: Vec<Word>) -> Vec<Word> {
    let keys: Vec<String> = words.iter().map(normalized).collect();
    let mut keep = vec![true; words.len()];
    let mut at = 0;
    while at < words.len() {
        let mut advanced = false;
        for length in 1..=8 {
            let repeats = count_repeats(&keys, at, length);
            if repeats >= 3 {
                keep[at + length..at + length * repeats].iter_mut().for_each(|kept| *kept = false);
                at += length * repeats;
                advanced = true;
                break;
            }
        }
        if !advanced {
            at += 1;
        }
    }
    words.into_iter().zip(keep).filter_map(|(word, kept)| kept.then_some(word)).collect()
}

fn count_repeats(keys: &[String], at: usize, length: usize) -> usize {
    if at + length > keys.len() || keys[at..at + length].iter().all(String::is_empty) {
        return 0;
    }
    let phrase = &keys[at..at + length];
    let mut repeats = 1;
    while at + length * (repeats + 1) <= keys.len()
        && &keys[at + length * repeats..at + length * (repeats + 1)] == phrase
    {
        repeats += 1;
    }
    repeats
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start: f64) -> Word {
        Word { text: text.into(), start, end: start + 0.3, confidence: 0.9, speaker: None }
    }

    #[test]
    fn regions_skip_long_silences_and_keep_short_pauses() {
        let silences =
            [Silence { start: 0.0, end: 2.0 }, Silence { start: 5.0, end: 5.5 }, Silence { start: 8.0, end: 12.0 }];
        let regions = speech_regions(&silences, 15.0);
        assert_eq!(regions, vec![SpeechRegion { start: 1.75, end: 8.25 }, SpeechRegion { start: 11.75, end: 15.0 }]);
    }

    #[test]
    fn all_silence_gives_no_region() {
        assert!(speech_regions(&[Silence { start: 0.0, end: 10.0 }], 10.0).is_empty());
    }

    #[test]
    fn words_in_long_silence_are_dropped() {
        let words = vec![word("hello", 1.0), word("thanks", 5.0), word("bye", 9.0)];
        let kept = drop_hallucinations(words, &[Silence { start: 4.0, end: 7.0 }]);
        let texts: Vec<&str> = kept.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["hello", "bye"]);
    }

    #[test]
    fn phrase_loops_collapse_but_natural_repeats_stay() {
        let texts = ["thank", "you.", "Thank", "you.", "thank", "you", "so", "so", "good"];
        let words: Vec<Word> = texts.iter().enumerate().map(|(i, t)| word(t, i as f64)).collect();
        let kept = drop_hallucinations(words, &[]);
        let texts: Vec<&str> = kept.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["thank", "you.", "so", "so", "good"]);
    }
}

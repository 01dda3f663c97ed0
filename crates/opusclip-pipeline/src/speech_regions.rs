//! Guards around speech recognition, from our own audio levels: which stretches hold speech
//! (so silence is never transcribed), and which recognised words to distrust (words inside long
//! silences, phrases repeated in a loop — whisper's classic hallucinations).

use crate::relative_level::silence_threshold;
use opusclip_analyze::audio::{silences, SilenceParams};
use opusclip_core::{AudioLevels, Silence, Word};

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

/// Whisper's words cleaned against the recording's own levels: each word's edges are pulled
/// out of the pauses it was stretched over ([`trim_to_speech`]), words that still lie in a long
/// silence and are not confident are dropped, and phrases looped many times are collapsed
/// ([`collapse_loops`]). Silence is judged relative to the recording
/// ([`crate::relative_level::silence_threshold`]), so quiet speech is not mistaken for it.
pub fn drop_hallucinations(words: Vec<Word>, levels: &AudioLevels) -> Vec<Word> {
    let threshold = silence_threshold(&levels.db);
    let pauses = silences(levels, SilenceParams { threshold_db: threshold, min_duration: TRIM_PAUSE });
    let trimmed = trim_to_speech(words, &pauses);
    let long: Vec<Silence> = pauses.into_iter().filter(|s| s.end - s.start >= HALLUCINATION_SILENCE).collect();
    let heard = trimmed.into_iter().filter(|word| !is_heard_in_silence(word, &long)).collect();
    collapse_loops(heard)
}

/// Pauses at least this long pull word edges out of them, seconds.
pub const TRIM_PAUSE: f64 = 0.5;
/// A word this confident (mean token probability) is kept wherever it falls.
pub const TRUSTED_CONFIDENCE: f32 = 0.6;
/// A word is in a silence when at least this share of it lies there.
const SILENT_SHARE: f64 = 0.8;
/// What is left of a word's edge inside a pause after trimming (level hops are 100 ms), s.
const EDGE_MARGIN: f64 = 0.1;

/// Whisper stretches a word over the pause after it ("Americans," timed 1.75–3.49 s across a
/// 2.2–3.2 s pause) or before it. Such an edge is moved to the pause's edge (plus a margin), so
/// captions and cut points follow the voice; a word wholly inside a pause is left for the
/// silence test.
pub fn trim_to_speech(mut words: Vec<Word>, pauses: &[Silence]) -> Vec<Word> {
    for word in &mut words {
        for pause in overlapping(pauses, word.start, word.end) {
            let inside = word.start >= pause.start && word.end <= pause.end;
            if inside || word.end <= pause.start || word.start >= pause.end {
                continue;
            }
            if word.start < pause.start && word.end > pause.start + EDGE_MARGIN {
                word.end = (pause.start + EDGE_MARGIN).max(word.start);
            } else if word.end > pause.end && word.start < pause.end - EDGE_MARGIN {
                word.start = (pause.end - EDGE_MARGIN).min(word.end);
            }
        }
    }
    words
}

/// The silences of `silences` (in time order, not overlapping, as `silences()` finds them) that
/// touch `[start, end]`, found by binary search: a long source has thousands of pauses and
/// hundreds of thousands of words.
fn overlapping(silences: &[Silence], start: f64, end: f64) -> &[Silence] {
    let first = silences.partition_point(|silence| silence.end < start);
    let last = first + silences[first..].partition_point(|silence| silence.start <= end);
    &silences[first..last]
}

/// Whether `word` lies (for the most part) in one of the long silences and is not confident.
fn is_heard_in_silence(word: &Word, long_silences: &[Silence]) -> bool {
    if word.confidence >= TRUSTED_CONFIDENCE {
        return false;
    }
    let length = (word.end - word.start).max(1e-3);
    overlapping(long_silences, word.start, word.end).iter().any(|silence| {
        let overlap = word.end.min(silence.end) - word.start.max(silence.start);
        let middle = (word.start + word.end) / 2.0;
        overlap / length >= SILENT_SHARE
            || (word.end - word.start < 1e-3 && middle > silence.start && middle < silence.end)
    })
}

fn normalized(word: &Word) -> String {
    word.text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Remove the 2nd and later repeats of a 1–8 word phrase looped in a row the way whisper loops:
/// three or more times with low confidence, or more often than people repeat themselves (six
/// times a phrase of two or more words, ten times one word). "words, words, words, words" said
/// with confidence stays.
pub fn collapse_loops(words: Vec<Word>) -> Vec<Word> {
    let keys: Vec<String> = words.iter().map(normalized).collect();
    let mut keep = vec![true; words.len()];
    let mut at = 0;
    while at < words.len() {
        let mut advanced = false;
        for length in 1..=8 {
            let repeats = count_repeats(&keys, at, length);
            if repeats >= 3 && is_loop(&words[at..at + length * repeats], length, repeats) {
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

/// Whether `repeats` copies of a `length`-word phrase (`span`, all of them) look like a loop.
fn is_loop(span: &[Word], length: usize, repeats: usize) -> bool {
    if repeats < 3 {
        return false;
    }
    let confidence = span.iter().map(|word| f64::from(word.confidence)).sum::<f64>() / span.len().max(1) as f64;
    confidence < 0.5 || (length >= 2 && repeats >= 6) || repeats >= 10
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

    fn unsure(text: &str, start: f64) -> Word {
        Word { confidence: 0.3, ..word(text, start) }
    }

    /// 100 ms levels: `loud` dBFS everywhere but the `quiet` stretches, at `floor` dBFS.
    fn levels(seconds: f64, loud: f32, floor: f32, quiet: &[(f64, f64)]) -> AudioLevels {
        let db = (0..(seconds * 10.0) as usize)
            .map(|hop| {
                let t = hop as f64 / 10.0 + 0.05;
                if quiet.iter().any(|&(start, end)| t > start && t < end) {
                    floor
                } else {
                    loud
                }
            })
            .collect();
        AudioLevels { hop_seconds: 0.1, db }
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
    fn unsure_words_in_long_silence_are_dropped_and_confident_ones_kept() {
        let words = vec![word("hello", 1.0), unsure("thanks", 5.0), word("sure", 6.0), word("bye", 9.0)];
        let kept = drop_hallucinations(words, &levels(10.0, -20.0, -70.0, &[(4.0, 7.0)]));
        let texts: Vec<&str> = kept.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["hello", "sure", "bye"]);
    }

    #[test]
    fn a_word_stretched_over_the_pause_after_it_is_trimmed_not_dropped() {
        // JFK: "Americans," timed 1.75-3.49 s across the pause at 2.2-3.2 s.
        let stretched = Word { text: "Americans,".into(), start: 1.75, end: 3.49, confidence: 0.4, speaker: None };
        let kept = drop_hallucinations(vec![stretched], &levels(6.0, -22.0, -65.0, &[(2.2, 3.2)]));
        assert_eq!(kept.len(), 1);
        assert!(kept[0].start <= 1.8 && kept[0].end >= 1.8, "{:?}", kept[0]);
        assert!((kept[0].end - 2.3).abs() < 0.11, "the end moves to the pause: {:?}", kept[0]);
    }

    #[test]
    fn quiet_speech_is_not_silence() {
        // A voice at -40 dBFS over -75 dBFS room tone (mfa's cold corpus is -37 to -44 dB).
        let quiet_voice = levels(8.0, -40.0, -75.0, &[(3.0, 5.0)]);
        let words = vec![unsure("cold", 1.0), unsure("corpus", 2.0), unsure("again", 6.0), unsure("um", 4.0)];
        let kept = drop_hallucinations(words, &quiet_voice);
        let texts: Vec<&str> = kept.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["cold", "corpus", "again"]);
    }

    #[test]
    fn phrase_loops_collapse_but_natural_repeats_stay() {
        let texts = ["thank", "you.", "Thank", "you.", "thank", "you", "so", "so", "good"];
        let words: Vec<Word> = texts.iter().enumerate().map(|(i, t)| unsure(t, i as f64)).collect();
        let kept = collapse_loops(words);
        let texts: Vec<&str> = kept.iter().map(|w| w.text.as_str()).collect();
        assert_eq!(texts, ["thank", "you.", "so", "so", "good"]);
        // Said with confidence, a repetition is speech.
        let texts = ["words,", "words,", "words,", "words."];
        let words: Vec<Word> = texts.iter().enumerate().map(|(i, t)| word(t, i as f64)).collect();
        assert_eq!(collapse_loops(words).len(), 4);
        // A confident loop of a sentence six times over is whisper's, not the speaker's.
        let words: Vec<Word> = (0..12).map(|i| word(if i % 2 == 0 { "thank" } else { "you." }, i as f64)).collect();
        assert_eq!(collapse_loops(words).len(), 2);
    }
}

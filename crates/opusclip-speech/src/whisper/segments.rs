//! Whisper's single-word segments turned into transcript words: times from centiseconds to
//! seconds, confidence from token probabilities, sound tags and bare punctuation handled.

use crate::words::{push_sound_event, sound_kinds, spoken_tokens, spread_over};
use opusclip_core::{SoundEvent, Word};

/// One whisper segment as read from whisper.cpp; with word splitting on, one word.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RecognizedSegment {
    pub(super) text: String,
    /// Times in whisper's centiseconds.
    pub(super) start_centiseconds: i64,
    pub(super) end_centiseconds: i64,
    /// Probabilities of the segment's text tokens (special tokens left out).
    pub(super) token_probabilities: Vec<f32>,
    /// DTW time of the segment's first text token, when DTW timestamps ran.
    pub(super) dtw_start_centiseconds: Option<i64>,
}

/// Moves word boundaries to the DTW token times: a segment (one word) starts at the DTW time
/// of its first token and ends no later than the next segment's DTW start. When whisper's own
/// end falls at or before the DTW start (DTW often runs ahead of the timestamp tokens), the word
/// lasts until the next DTW start, or [`MIN_DTW_WORD_CENTISECONDS`] — never zero. Segments
/// without a DTW time keep whisper's timestamps.
pub(super) fn apply_dtw_times(segments: &mut [RecognizedSegment]) {
    for index in 0..segments.len() {
        let Some(start) = segments[index].dtw_start_centiseconds else { continue };
        let next_start = segments[index + 1..].iter().find_map(|segment| segment.dtw_start_centiseconds);
        let segment = &mut segments[index];
        segment.start_centiseconds = start;
        let natural_end = if segment.end_centiseconds > start {
            segment.end_centiseconds
        } else {
            next_start.filter(|&next| next > start).unwrap_or(start + MIN_DTW_WORD_CENTISECONDS)
        };
        let end = next_start.filter(|&next| next > start).map_or(natural_end, |next| natural_end.min(next));
        segment.end_centiseconds = end.max(start + 1);
    }
}

/// The shortest word DTW times give when nothing else bounds it (100 ms).
const MIN_DTW_WORD_CENTISECONDS: i64 = 10;

/// How many single-word segments a sound tag such as `(upbeat music)` may span.
const MAX_SOUND_TAG_SEGMENTS: usize = 6;

/// Turns recognized segments into words and sound events: sound tags become events, not words
/// (also when split over segments), bare punctuation is joined to the word before, times are in
/// seconds, never going backwards and never past `audio_seconds` (whisper may put timestamps
/// beyond the end of a short input).
pub(super) fn words_from_segments(segments: &[RecognizedSegment], audio_seconds: f64) -> (Vec<Word>, Vec<SoundEvent>) {
    let mut words: Vec<Word> = Vec::new();
    let mut events: Vec<SoundEvent> = Vec::new();
    let seconds = |centiseconds: i64| (centiseconds as f64 / 100.0).clamp(0.0, audio_seconds.max(0.0));
    let mut index = 0;
    while index < segments.len() {
        if let Some(tag_end) = sound_tag_end(segments, index) {
            let text: String = segments[index..=tag_end].iter().map(|segment| segment.text.as_str()).collect();
            let (start, end) =
                (seconds(segments[index].start_centiseconds), seconds(segments[tag_end].end_centiseconds));
            for kind in sound_kinds(&text) {
                push_sound_event(&mut events, SoundEvent { kind, start, end: end.max(start) });
            }
            index = tag_end + 1;
            continue;
        }
        let segment = &segments[index];
        index += 1;
        let (start, end) = (seconds(segment.start_centiseconds), seconds(segment.end_centiseconds));
        for kind in sound_kinds(&segment.text) {
            push_sound_event(&mut events, SoundEvent { kind, start, end: end.max(start) });
        }
        let text = segment.text.trim();
        if is_bare_punctuation(text) {
            if let Some(previous) = words.last_mut() {
                previous.text.push_str(text);
            }
            continue;
        }
        push_segment_words(&mut words, segment, audio_seconds);
    }
    (words, events)
}

/// If segment `index` opens a `[`/`(` tag that a later segment (within reach) closes, the index
/// of the closing segment.
fn sound_tag_end(segments: &[RecognizedSegment], index: usize) -> Option<usize> {
    let text = segments[index].text.trim();
    let closing = match text.chars().next()? {
        '[' => ']',
        '(' => ')',
        _ => return None,
    };
    if text.contains(closing) {
        return None;
    }
    let reach = (index + MAX_SOUND_TAG_SEGMENTS).min(segments.len());
    (index + 1..reach).find(|&later| segments[later].text.contains(closing))
}

fn is_bare_punctuation(text: &str) -> bool {
    !text.is_empty() && text.chars().all(|c| ".,!?;:%…)\"'»”’".contains(c))
}

fn push_segment_words(words: &mut Vec<Word>, segment: &RecognizedSegment, audio_seconds: f64) {
    let (_, tokens) = spoken_tokens(&segment.text);
    if tokens.is_empty() {
        return;
    }
    let audio_end = audio_seconds.max(0.0);
    let previous_end = words.last().map_or(0.0, |word| word.end);
    let start = (segment.start_centiseconds as f64 / 100.0).max(previous_end).min(audio_end);
    let end = (segment.end_centiseconds as f64 / 100.0).max(start).min(audio_end);
    let confidence = mean_probability(&segment.token_probabilities);
    for (text, (word_start, word_end)) in tokens.iter().zip(spread_over(&tokens, start, end)) {
        words.push(Word { text: text.clone(), start: word_start, end: word_end, confidence, speaker: None });
    }
}

fn mean_probability(probabilities: &[f32]) -> f32 {
    if probabilities.is_empty() {
        return 0.0;
    }
    let mean = probabilities.iter().sum::<f32>() / probabilities.len() as f32;
    mean.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::SoundKind;

    fn segment(text: &str, start: i64, end: i64, probabilities: &[f32]) -> RecognizedSegment {
        RecognizedSegment {
            text: text.to_string(),
            start_centiseconds: start,
            end_centiseconds: end,
            token_probabilities: probabilities.to_vec(),
            dtw_start_centiseconds: None,
        }
    }

    #[test]
    fn dtw_times_move_word_starts_and_cap_ends() {
        let mut segments = vec![
            segment(" ask", 0, 80, &[0.9]),
            segment(" not", 80, 150, &[0.9]),
            segment(" what", 150, 200, &[0.9]),
            segment(" your", 200, 260, &[0.9]),
        ];
        for (segment, dtw) in segments.iter_mut().zip([Some(10), Some(60), None, Some(180)]) {
            segment.dtw_start_centiseconds = dtw;
        }
        apply_dtw_times(&mut segments);
        let spans: Vec<(i64, i64)> =
            segments.iter().map(|segment| (segment.start_centiseconds, segment.end_centiseconds)).collect();
        assert_eq!(spans, [(10, 60), (60, 150), (150, 200), (180, 260)]);
        let (words, _) = words_from_segments(&segments, 60.0);
        assert!(words.windows(2).all(|pair| pair[0].end <= pair[1].start + 1e-9 || pair[0].start <= pair[1].start));
        assert!(words.windows(2).all(|pair| pair[0].start <= pair[1].start), "{words:?}");
    }

    #[test]
    fn dtw_never_gives_a_zero_length_word() {
        // DTW ahead of whisper's timestamps: every DTW start at or past the segment's own end.
        let mut segments =
            vec![segment(" And", 0, 30, &[0.9]), segment(" so", 30, 50, &[0.9]), segment(" my", 50, 60, &[0.9])];
        for (segment, dtw) in segments.iter_mut().zip([Some(30), Some(50), Some(60)]) {
            segment.dtw_start_centiseconds = dtw;
        }
        apply_dtw_times(&mut segments);
        let spans: Vec<(i64, i64)> =
            segments.iter().map(|segment| (segment.start_centiseconds, segment.end_centiseconds)).collect();
        assert_eq!(spans, [(30, 50), (50, 60), (60, 70)]);
    }

    #[test]
    fn segments_become_words_with_seconds_and_mean_confidence() {
        let (words, _) = words_from_segments(
            &[
                segment(" Hello", 0, 52, &[0.9, 0.7]),
                segment(" world", 52, 110, &[0.5]),
                segment(".", 110, 112, &[0.99]),
            ],
            60.0,
        );
        let texts: Vec<&str> = words.iter().map(|word| word.text.as_str()).collect();
        assert_eq!(texts, ["Hello", "world."]);
        assert_eq!((words[0].start, words[0].end), (0.0, 0.52));
        assert!((words[0].confidence - 0.8).abs() < 1e-6);
        assert_eq!((words[1].start, words[1].end), (0.52, 1.1));
    }

    #[test]
    fn sound_tags_are_events_not_words_even_when_split() {
        let (words, events) = words_from_segments(
            &[
                segment(" [BLANK_AUDIO]", 0, 100, &[0.9]),
                segment(" (upbeat", 100, 150, &[0.9]),
                segment(" music)", 150, 200, &[0.9]),
                segment(" Welcome", 200, 260, &[0.9]),
                segment(" (unclosed", 260, 300, &[0.9]),
                segment(" back", 300, 340, &[0.9]),
            ],
            60.0,
        );
        let texts: Vec<&str> = words.iter().map(|word| word.text.as_str()).collect();
        assert_eq!(texts, ["Welcome", "back"]);
        let events: Vec<(SoundKind, f64, f64)> =
            events.iter().map(|event| (event.kind, event.start, event.end)).collect();
        assert_eq!(events, [(SoundKind::Music, 1.0, 2.0)], "BLANK_AUDIO names no sound; the split tag is music");
    }

    #[test]
    fn overlapping_segments_never_go_backwards() {
        let (words, _) = words_from_segments(&[segment(" one", 100, 200, &[]), segment(" two", 150, 140, &[])], 60.0);
        assert_eq!(words[1].start, 2.0);
        assert_eq!(words[1].end, 2.0);
        assert_eq!(words[0].confidence, 0.0);
    }

    #[test]
    fn times_past_the_end_of_the_audio_are_clamped() {
        let (words, _) = words_from_segments(
            &[
                segment(" early", 50, 180, &[0.5]),
                segment(" late", 250, 2900, &[0.5]),
                segment(" after", 2900, 3000, &[]),
            ],
            2.0,
        );
        let times: Vec<(f64, f64)> = words.iter().map(|word| (word.start, word.end)).collect();
        assert_eq!(times, [(0.5, 1.8), (2.0, 2.0), (2.0, 2.0)]);
    }
}

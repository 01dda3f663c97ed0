//! Words from subtitle cues: each cue's text split into spoken words whose times are spread over
//! the cue in proportion to their length, sound tags such as `[music]` or `(Laughter)` dropped,
//! and a leading `NAME:` speaker label taken as the speaker of the cue's words.

use crate::subtitles::Cue;
use opusclip_core::{SoundEvent, SoundKind, Transcript, TranscriptSource, Word};

/// Extra weight of every word, in characters, when a cue's time is shared out: short words still
/// take some time, and a pause between words is spread evenly.
const PER_WORD_WEIGHT: f64 = 2.0;

/// Speaker labels longer than this are more likely text than a name.
const MAX_SPEAKER_LABEL_CHARS: usize = 30;

/// Splits every cue into words, spread over the cue in proportion to their character length
/// (plus a constant per word), with confidence 1.0.
///
/// Cues are taken in order of start time. Where a cue overlaps the previous one, its words start
/// after the previous words end, so word times never go backwards; a cue wholly inside an earlier
/// one (it ends before the earlier words do) has its words squeezed to that point.
/// Bracketed sound tags (`[music]`, `(Laughter)`), dialogue dashes and symbols such as `♪` are
/// not words. A leading upper-case label (`JOHN:`, `DR. SMITH:`) becomes the words' speaker.
pub fn cues_to_words(cues: &[Cue]) -> Vec<Word> {
    let mut ordered: Vec<&Cue> = cues.iter().collect();
    ordered.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut words = Vec::new();
    let mut previous_end = f64::NEG_INFINITY;
    for cue in ordered {
        let (speaker, tokens) = spoken_tokens(&cue.text);
        if tokens.is_empty() {
            continue;
        }
        let start = cue.start.max(previous_end);
        let end = cue.end.max(start);
        for (text, (word_start, word_end)) in tokens.iter().zip(spread_over(&tokens, start, end)) {
            words.push(Word {
                text: text.clone(),
                start: word_start,
                end: word_end,
                confidence: 1.0,
                speaker: speaker.clone(),
            });
        }
        previous_end = end;
    }
    words
}

/// The most words a transcript may hold in any [`RATE_WINDOW_SECONDS`]: 20 a second, about twice
/// the fastest speech on record (and rolling captions that repeat each line stay well below it).
pub const MAX_WORDS_PER_SECOND: f64 = 20.0;
/// The span over which the speaking rate is judged.
pub const RATE_WINDOW_SECONDS: f64 = 10.0;

/// Refuses words packed faster than anyone speaks ([`MAX_WORDS_PER_SECOND`] over any
/// [`RATE_WINDOW_SECONDS`]): such a file is not a transcript (duplicated or generated cues), and
/// every later stage would pay for each word. Linear in the number of words once sorted.
pub fn check_speaking_rate(words: &[Word]) -> opusclip_core::Result<()> {
    let limit = (MAX_WORDS_PER_SECOND * RATE_WINDOW_SECONDS) as usize;
    if words.len() <= limit {
        return Ok(());
    }
    let mut starts: Vec<f64> = words.iter().map(|word| word.start).collect();
    starts.sort_by(f64::total_cmp);
    let mut window_start = 0;
    for (index, &start) in starts.iter().enumerate() {
        while start - starts[window_start] >= RATE_WINDOW_SECONDS {
            window_start += 1;
        }
        if index - window_start + 1 > limit {
            let at = starts[window_start];
            return Err(opusclip_core::Error::transcript(format!(
                "the transcript packs more than {limit} words into {RATE_WINDOW_SECONDS} s from {at:.1} s on \
                 ({MAX_WORDS_PER_SECOND} a second is already twice the fastest speech): its cues are \
                 duplicated or it is not a transcript of this media; supply a real transcript, or none for \
                 speech recognition"
            ))
            .with_details(serde_json::json!({ "at_seconds": at, "words_in_window": index - window_start + 1 })));
        }
    }
    Ok(())
}

/// A transcript of the cues' words. Subtitle files say nothing reliable about their language,
/// so `language` is `None`.
pub fn transcript_from_cues(cues: &[Cue], source: TranscriptSource) -> Transcript {
    Transcript { language: None, source, words: cues_to_words(cues), events: cue_sound_events(cues) }
}

/// The non-speech sounds the cues name (`(Laughter)`, `[Music]`, `♪`), each over its cue's time,
/// in order; a sound named by consecutive touching cues is one event.
pub fn cue_sound_events(cues: &[Cue]) -> Vec<SoundEvent> {
    let mut ordered: Vec<&Cue> = cues.iter().collect();
    ordered.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut events = Vec::new();
    for cue in ordered {
        for kind in sound_kinds(&cue.text) {
            push_sound_event(&mut events, SoundEvent { kind, start: cue.start, end: cue.end.max(cue.start) });
        }
    }
    events
}

/// Adds `event`, or lengthens the last event of the same kind when the two touch (within 0.1 s).
pub(crate) fn push_sound_event(events: &mut Vec<SoundEvent>, event: SoundEvent) {
    const TOUCHING_SECONDS: f64 = 0.1;
    if let Some(last) = events.iter_mut().rev().find(|last| last.kind == event.kind) {
        if event.start <= last.end + TOUCHING_SECONDS {
            last.end = last.end.max(event.end);
            return;
        }
    }
    events.push(event);
}

/// The kinds of sound a piece of caption text names, once each, in order: bracketed tags
/// (`[Music]`, `(audience laughs)`) and music symbols outside them (`♪ la la ♪`).
pub(crate) fn sound_kinds(text: &str) -> Vec<SoundKind> {
    let mut kinds = Vec::new();
    for kind in split_sound_tags(text).1.iter().filter_map(|tag| SoundKind::from_tag(tag)) {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds
}

/// The speaker label (if any) and the spoken words of a piece of caption text.
pub(crate) fn spoken_tokens(text: &str) -> (Option<String>, Vec<String>) {
    let without_tags = remove_sound_tags(text);
    let (speaker, spoken) = split_speaker_label(&without_tags);
    let tokens = spoken
        .split_whitespace()
        .filter(|token| token.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect();
    (speaker, tokens)
}

/// Time spans for `tokens` sharing `[start, end]` in proportion to their weight, in order,
/// touching each other, the first starting at `start` and the last ending at `end`.
pub(crate) fn spread_over(tokens: &[String], start: f64, end: f64) -> Vec<(f64, f64)> {
    let weights: Vec<f64> = tokens.iter().map(|token| token.chars().count() as f64 + PER_WORD_WEIGHT).collect();
    let total_weight: f64 = weights.iter().sum();
    let duration = (end - start).max(0.0);
    let mut spans = Vec::with_capacity(tokens.len());
    let mut weight_before = 0.0;
    for (index, weight) in weights.iter().enumerate() {
        let word_start = start + duration * weight_before / total_weight;
        weight_before += weight;
        let is_last = index + 1 == weights.len();
        let word_end = if is_last { end.max(start) } else { start + duration * weight_before / total_weight };
        spans.push((word_start, word_end));
    }
    spans
}

/// Removes `[...]` and `(...)` spans (sound descriptions such as `[upbeat music]`).
fn remove_sound_tags(text: &str) -> String {
    split_sound_tags(text).0
}

/// The text outside `[...]` / `(...)` tags (each closed tag replaced by a space, an unclosed one
/// dropped to the end), and what the text names as sounds, in order: the inside of each closed
/// tag, and `♪` for each music symbol outside them (the symbol stays in the text too).
fn split_sound_tags(text: &str) -> (String, Vec<String>) {
    let mut kept = String::with_capacity(text.len());
    let mut tags = Vec::new();
    let mut open: Option<(char, String)> = None;
    for character in text.chars() {
        match (&mut open, character) {
            (None, '[') => open = Some((']', String::new())),
            (None, '(') => open = Some((')', String::new())),
            (Some((close, inside)), found) if found == *close => {
                tags.push(std::mem::take(inside));
                open = None;
                kept.push(' ');
            }
            (Some((_, inside)), other) => inside.push(other),
            (None, other) => {
                if matches!(other, '♪' | '♫') {
                    tags.push(other.to_string());
                }
                kept.push(other);
            }
        }
    }
    (kept, tags)
}

/// Splits a leading `NAME:` label (upper case, at most a few words) from the text.
fn split_speaker_label(text: &str) -> (Option<String>, &str) {
    let trimmed = text.trim_start().trim_start_matches(['-', '–', '—']).trim_start();
    let Some((label, rest)) = trimmed.split_once(':') else {
        return (None, text);
    };
    let label = label.trim();
    let looks_like_name = !label.is_empty()
        && label.chars().count() <= MAX_SPEAKER_LABEL_CHARS
        && label.chars().any(char::is_alphabetic)
        && label.chars().all(|c| c.is_uppercase() || c.is_ascii_digit() || " .'-".contains(c))
        && (rest.is_empty() || rest.starts_with(char::is_whitespace));
    if looks_like_name {
        (Some(label.to_string()), rest)
    } else {
        (None, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cue(start: f64, end: f64, text: &str) -> Cue {
        Cue { start, end, text: text.to_string() }
    }

    fn texts(words: &[Word]) -> Vec<&str> {
        words.iter().map(|word| word.text.as_str()).collect()
    }

    #[test]
    fn words_faster_than_anyone_speaks_are_refused() {
        let dense: Vec<Cue> = (0..2000).map(|i| cue(i as f64 * 0.01, 30.0, "one two three four five six")).collect();
        let started = std::time::Instant::now();
        let error = check_speaking_rate(&cues_to_words(&dense)).expect_err("12 000 words in 30 s");
        assert!(error.to_string().contains("words into 10 s"), "{error}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // Fast real speech, 7 words a second for ten minutes, passes.
        let fast: Vec<Cue> = (0..600).map(|i| cue(i as f64, i as f64 + 1.0, "a b c d e f g")).collect();
        check_speaking_rate(&cues_to_words(&fast)).expect("fast speech is speech");
    }

    #[test]
    fn sound_tags_become_events_not_words() {
        let cues = [
            cue(0.0, 2.0, "So I said yes. (Laughter)"),
            cue(2.0, 3.0, "(Laughter)"),
            cue(3.0, 5.0, "[BLANK_AUDIO]"),
            cue(5.0, 7.0, "♪ la la ♪"),
            cue(7.0, 8.0, "(Applause) Thank you."),
        ];
        let transcript = transcript_from_cues(&cues, TranscriptSource::File);
        assert_eq!(texts(&transcript.words), ["So", "I", "said", "yes.", "la", "la", "Thank", "you."]);
        let events: Vec<(SoundKind, f64, f64)> =
            transcript.events.iter().map(|event| (event.kind, event.start, event.end)).collect();
        assert_eq!(
            events,
            [(SoundKind::Laughter, 0.0, 3.0), (SoundKind::Music, 5.0, 7.0), (SoundKind::Applause, 7.0, 8.0)]
        );
    }

    #[test]
    fn tags_naming_no_sound_are_not_events() {
        assert!(sound_kinds("[BLANK_AUDIO] (inaudible) [ ]").is_empty());
        assert_eq!(sound_kinds("(upbeat music) [Music]"), [SoundKind::Music]);
        assert_eq!(sound_kinds("[door slams]"), [SoundKind::Other]);
    }

    fn assert_in_order_and_inside(words: &[Word], cues: &[Cue]) {
        for pair in words.windows(2) {
            assert!(pair[0].end <= pair[1].start + 1e-9, "{pair:?}");
        }
        for word in words {
            assert!(word.start <= word.end, "{word:?}");
            assert!(
                cues.iter().any(|c| c.start - 1e-9 <= word.start && word.end <= c.end + 1e-9),
                "{word:?} is outside every cue"
            );
        }
    }

    #[test]
    fn words_fill_the_cue_in_order_and_in_proportion() {
        let cues = [cue(10.0, 12.0, "a bbbbbb"), cue(13.0, 14.0, "Second\ncue")];
        let words = cues_to_words(&cues);
        assert_eq!(texts(&words), ["a", "bbbbbb", "Second", "cue"]);
        assert_in_order_and_inside(&words, &cues);
        assert_eq!(words[0].start, 10.0);
        assert_eq!(words[1].end, 12.0);
        // Weights 1+2 and 6+2: the long word gets 8/11 of the cue.
        assert!((words[0].end - 10.0 - 2.0 * 3.0 / 11.0).abs() < 1e-9, "{:?}", words[0]);
        assert!(words.iter().all(|word| word.confidence == 1.0 && word.speaker.is_none()));
    }

    #[test]
    fn sound_tags_and_symbols_are_not_words() {
        let words = cues_to_words(&[cue(0.0, 3.0, "[upbeat music] ♪ So (Laughter) - we begin [APPLAUSE]")]);
        assert_eq!(texts(&words), ["So", "we", "begin"]);
        assert_eq!(words[0].start, 0.0);
        assert_eq!(words[2].end, 3.0);
    }

    #[test]
    fn a_cue_of_only_sound_tags_gives_no_words() {
        assert!(cues_to_words(&[cue(0.0, 1.0, "[Music]"), cue(1.0, 2.0, "")]).is_empty());
    }

    #[test]
    fn overlapping_and_unsorted_cues_stay_monotonic() {
        let cues = [cue(5.0, 7.0, "later words"), cue(0.0, 6.0, "first long cue")];
        let words = cues_to_words(&cues);
        assert_eq!(texts(&words), ["first", "long", "cue", "later", "words"]);
        for pair in words.windows(2) {
            assert!(pair[0].end <= pair[1].start + 1e-9, "{pair:?}");
        }
        assert_eq!(words[3].start, 6.0);
        assert_eq!(words[4].end, 7.0);
    }

    #[test]
    fn a_cue_inside_a_longer_one_keeps_word_times_in_order() {
        // Found by libFuzzer (an ASS file): a short cue within a long one sent times backwards.
        let cues = [cue(1.0, 62.5, "a long cue"), cue(1.0, 2.5, "inside it"), cue(3.0, 4.0, "then this")];
        let words = cues_to_words(&cues);
        assert_eq!(words.len(), 7);
        for pair in words.windows(2) {
            assert!(pair[0].end <= pair[1].start + 1e-9, "{pair:?}");
        }
    }

    #[test]
    fn upper_case_label_is_the_speaker() {
        let words = cues_to_words(&[cue(0.0, 1.0, "DR. SMITH: Hello all"), cue(1.0, 2.0, "Note: no")]);
        assert_eq!(texts(&words), ["Hello", "all", "Note:", "no"]);
        assert_eq!(words[0].speaker.as_deref(), Some("DR. SMITH"));
        assert_eq!(words[2].speaker, None);
    }

    #[test]
    fn times_like_10_30_are_not_speaker_labels() {
        let (speaker, tokens) = spoken_tokens("AT 10:30 WE MEET");
        assert_eq!(speaker, None);
        assert_eq!(tokens, ["AT", "10:30", "WE", "MEET"]);
    }

    #[test]
    fn transcript_keeps_the_source() {
        let transcript = transcript_from_cues(&[cue(0.0, 1.0, "hi")], TranscriptSource::Embedded);
        assert_eq!(transcript.source, TranscriptSource::Embedded);
        assert_eq!(transcript.language, None);
        assert_eq!(texts(&transcript.words), ["hi"]);
    }

    #[test]
    fn zero_length_cue_gives_zero_length_words() {
        let words = cues_to_words(&[cue(2.0, 2.0, "quick words")]);
        assert!(words.iter().all(|word| word.start == 2.0 && word.end == 2.0));
    }
}

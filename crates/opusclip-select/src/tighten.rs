//! Tight clips: the jump cuts that take pauses and filler words out of a chosen clip
//! (`--cut-pauses`, `--cut-fillers`). A pause is a gap between words longer than the threshold
//! that the audio levels say is quiet — a laugh or applause between words has sound and stays —
//! or a detected silence longer than the threshold wherever the word times put it (speech
//! recognition often stretches a word over the pause after it) that holds no whole word and is
//! clearly quieter than the speech around it ([`SILENCE_CONTRAST_DB`]: in a quiet, noisy
//! recording a "silence" may be soft speech);
//! a filler is "um", "uh", "er", "hmm"… said on its own, or the first of a word said twice in a
//! row ("I I think"). What remains is the clip's kept ranges, each cut listed with its reason.

use crate::parts::percentile;
use crate::signals::Signals;
use opusclip_core::cuts::{KEPT_RANGE_TOLERANCE, KEPT_WORD_SHARE, SHORTEST_KEPT_RANGE};
use opusclip_core::{Cut, CutReason, KeptRange, Word};

/// The default `--cut-pauses` threshold: gaps between words longer than this are shortened.
pub const DEFAULT_PAUSE_SECONDS: f64 = 0.5;

/// Room left around the words on each side of a cut pause, seconds: word times from speech
/// recognition are a little loose, and a breath keeps the speech natural.
pub const PAUSE_PADDING: f64 = 0.12;

/// A cut shorter than this is not worth a jump, seconds.
const SHORTEST_CUT: f64 = 0.2;

/// A gap whose hops are more than this share voiced (a laugh, applause, music) is not a pause.
const MOST_VOICED_PAUSE: f64 = 0.5;

/// A detected silence the word times cover is cut only when its loud hops (the 90th
/// percentile) are at least this far below the median level of the speech within
/// [`SPEECH_AROUND_SECONDS`] of it, dB.
pub const SILENCE_CONTRAST_DB: f32 = 10.0;

/// The most of a word's times a silence cut may take: under the share the captions need to keep
/// a word ([`KEPT_WORD_SHARE`]), with a margin.
const MOST_OF_A_WORD_CUT: f64 = KEPT_WORD_SHARE - 0.05;

/// How far on each side of a silence the speech it is compared with is measured, seconds.
const SPEECH_AROUND_SECONDS: f64 = 3.0;

/// Fewer voiced hops around a silence than this leave it unjudged (kept).
const MIN_SPEECH_HOPS: usize = 5;

/// A content word said this many times in a row or more is emphasis, not a stammer.
const EMPHASIS_RUN: usize = 3;

/// Two identical words closer than this are a repeated start, seconds.
const REPEAT_WITHIN: f64 = 0.6;

/// Sounds that are filler when said as a word of their own.
const FILLERS: [&str; 12] = ["um", "umm", "uh", "uhh", "uhm", "er", "erm", "ah", "hmm", "hm", "mm", "mhm"];

/// What to cut out of a clip.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TightenOptions {
    /// Shorten quiet gaps between words longer than this many seconds; `None` keeps pauses.
    pub pause_seconds: Option<f64>,
    /// Cut filler words and repeated starts.
    pub fillers: bool,
}

impl TightenOptions {
    /// Whether anything is to be cut.
    pub fn any(&self) -> bool {
        self.pause_seconds.is_some() || self.fillers
    }
}

/// A clip after tightening: what it keeps and what was cut.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Tightened {
    /// The kept ranges, in order; empty when nothing was cut (the whole span plays).
    pub kept: Vec<KeptRange>,
    pub cuts: Vec<Cut>,
}

impl Tightened {
    /// Seconds cut out in all.
    pub fn removed_seconds(&self) -> f64 {
        self.cuts.iter().map(|cut| cut.end - cut.start).sum()
    }
}

/// The cuts `options` ask for in the clip `start..end`, given the words (in time order; those
/// outside the span are ignored) and the audio signals.
pub fn tighten(start: f64, end: f64, words: &[Word], signals: &Signals, options: &TightenOptions) -> Tightened {
    let inside: Vec<&Word> = words
        .iter()
        .filter(|w| w.start.is_finite() && w.end.is_finite() && w.start >= start - 1e-6 && w.end <= end + 1e-6)
        .collect();
    let mut cuts = Vec::new();
    if options.fillers {
        cuts.extend(filler_cuts(&inside));
    }
    if let Some(threshold) = options.pause_seconds {
        cuts.extend(pause_cuts(&inside, threshold, signals));
        cuts.extend(silence_cuts(start, end, &inside, threshold, signals));
    }
    let cuts = merged(cuts);
    if cuts.is_empty() {
        return Tightened::default();
    }
    Tightened { kept: kept_between(start, end, &cuts), cuts }
}

/// Filler words and repeated starts, each cut from its start to just before the next word (the
/// pause after it goes too, but for a breath of at most [`PAUSE_PADDING`], half the gap when it
/// is short, so a loose word time never clips the next word), or right up to the next word when
/// that one is cut too ("uh, uh").
fn filler_cuts(words: &[&Word]) -> Vec<Cut> {
    let reasons: Vec<Option<CutReason>> = (0..words.len()).map(|index| filler_reason(words, index)).collect();
    let mut cuts = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let (Some(reason), Some(next)) = (reasons[index], words.get(index + 1)) else { continue };
        let next_is_cut = reasons[index + 1].is_some();
        let breath = if next_is_cut { 0.0 } else { PAUSE_PADDING.min((next.start - word.end).max(0.0) / 2.0) };
        let end = next.start - breath;
        if end - word.start >= SHORTEST_CUT || (next_is_cut && end > word.start) {
            cuts.push(Cut { start: word.start, end, reason, words: word.text.trim().to_string() });
        }
    }
    cuts
}

/// Why word `index` is cut as a filler, if it is: a filler sound, or a word said again at once
/// (a stammer: "I I think") — but not a content word said [`EMPHASIS_RUN`] times or more in a
/// row ("words, words, words"), which is emphasis. The clip's last word is never one (nothing
/// follows to cut up to).
fn filler_reason(words: &[&Word], index: usize) -> Option<CutReason> {
    let (word, next) = (words[index], words.get(index + 1)?);
    let text = normalised(&word.text);
    if FILLERS.contains(&text.as_str()) {
        Some(CutReason::Filler)
    } else if !text.is_empty() && said_again(word, next) && !is_emphasis(words, index, &text) {
        Some(CutReason::Repeat)
    } else {
        None
    }
}

/// Whether `next` repeats `word` at once.
fn said_again(word: &Word, next: &Word) -> bool {
    normalised(&word.text) == normalised(&next.text) && next.start - word.end <= REPEAT_WITHIN
}

/// Whether word `index` (normalised `text`) belongs to a run of at least [`EMPHASIS_RUN`]
/// repeats of a content word.
fn is_emphasis(words: &[&Word], index: usize, text: &str) -> bool {
    if crate::STOPWORDS.contains(&text) {
        return false;
    }
    let mut first = index;
    while first > 0 && said_again(words[first - 1], words[first]) {
        first -= 1;
    }
    let mut last = index;
    while last + 1 < words.len() && said_again(words[last], words[last + 1]) {
        last += 1;
    }
    last - first + 1 >= EMPHASIS_RUN
}

/// Quiet gaps between words longer than `threshold`, each shortened to [`PAUSE_PADDING`] on
/// either side.
fn pause_cuts(words: &[&Word], threshold: f64, signals: &Signals) -> Vec<Cut> {
    let mut cuts = Vec::new();
    for pair in words.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        let gap = after.start - before.end;
        if gap <= threshold {
            continue;
        }
        let (from, to) = (before.end + PAUSE_PADDING, after.start - PAUSE_PADDING);
        if to - from < SHORTEST_CUT {
            continue;
        }
        let voiced = signals.non_silent_share(from, to).unwrap_or(0.0);
        if voiced > MOST_VOICED_PAUSE {
            continue;
        }
        cuts.push(Cut { start: from, end: to, reason: CutReason::Pause, words: String::new() });
    }
    cuts
}

/// Detected silences inside `start..end` longer than `threshold`, each shortened to
/// [`PAUSE_PADDING`] on either side (and never reaching into the clip's first or last
/// [`PAUSE_PADDING`]). A silence stays when it holds a whole word (quiet speech the recogniser
/// heard) or is not clearly quieter than the speech around it ([`SILENCE_CONTRAST_DB`]).
fn silence_cuts(start: f64, end: f64, words: &[&Word], threshold: f64, signals: &Signals) -> Vec<Cut> {
    signals
        .silences
        .iter()
        .filter(|silence| silence.end - silence.start > threshold)
        .filter(|silence| !words.iter().any(|word| word.start >= silence.start && word.end <= silence.end))
        .filter_map(|silence| {
            let (from, to) =
                sparing_words(silence.start.max(start) + PAUSE_PADDING, silence.end.min(end) - PAUSE_PADDING, words)?;
            let long_enough = to - from >= SHORTEST_CUT && to - from + 2.0 * PAUSE_PADDING > threshold;
            let cut = Cut { start: from, end: to, reason: CutReason::Pause, words: String::new() };
            (long_enough && quieter_than_speech_around(from, to, signals)).then_some(cut)
        })
        .collect()
}

/// `from..to` narrowed so that it takes at most [`MOST_OF_A_WORD_CUT`] of any word whose times
/// it overlaps (the captions drop a word mostly cut out: the word's sound is outside the silence,
/// so its caption must stay); `None` when a word lies inside it whole.
fn sparing_words(mut from: f64, mut to: f64, words: &[&Word]) -> Option<(f64, f64)> {
    for word in words {
        if word.end <= from || word.start >= to {
            continue;
        }
        let most = MOST_OF_A_WORD_CUT * (word.end - word.start);
        if word.start < from {
            from = from.max(word.end.min(to) - most);
        } else if word.end > to {
            to = to.min(word.start.max(from) + most);
        } else {
            return None;
        }
    }
    (to > from).then_some((from, to))
}

/// Whether `from..to` is at least [`SILENCE_CONTRAST_DB`] quieter (its 90th-percentile hop) than
/// the median voiced level within [`SPEECH_AROUND_SECONDS`] on either side; false when either
/// cannot be measured.
fn quieter_than_speech_around(from: f64, to: f64, signals: &Signals) -> bool {
    let mut inside = signals.levels_db(from, to);
    let mut around = signals.voiced_levels(from - SPEECH_AROUND_SECONDS, from);
    around.extend(signals.voiced_levels(to, to + SPEECH_AROUND_SECONDS));
    if inside.is_empty() || around.len() < MIN_SPEECH_HOPS {
        return false;
    }
    let loud_inside = percentile(&mut inside, 0.9);
    let speech = percentile(&mut around, 0.5);
    loud_inside <= speech - f64::from(SILENCE_CONTRAST_DB)
}

/// The cuts in time order with overlapping ones joined (the first one's reason kept).
fn merged(mut cuts: Vec<Cut>) -> Vec<Cut> {
    cuts.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut joined: Vec<Cut> = Vec::with_capacity(cuts.len());
    for cut in cuts {
        match joined.last_mut() {
            Some(last) if cut.start <= last.end => last.end = last.end.max(cut.end),
            _ => joined.push(cut),
        }
    }
    joined
}

/// What `start..end` keeps around `cuts` (in order, inside it); a sliver shorter than
/// [`SHORTEST_KEPT_RANGE`] between two cuts (or a cut and an end) goes with them, since no
/// range that short can be played.
fn kept_between(start: f64, end: f64, cuts: &[Cut]) -> Vec<KeptRange> {
    let mut kept = Vec::with_capacity(cuts.len() + 1);
    let mut from = start;
    for cut in cuts {
        if cut.start - from >= SHORTEST_KEPT_RANGE - KEPT_RANGE_TOLERANCE {
            kept.push(KeptRange { start: from, end: cut.start });
        }
        from = from.max(cut.end);
    }
    if end - from >= SHORTEST_KEPT_RANGE - KEPT_RANGE_TOLERANCE {
        kept.push(KeptRange { start: from, end });
    }
    kept
}

/// Lower case without punctuation around it ("Um," → "um").
fn normalised(text: &str) -> String {
    text.trim().trim_matches(|c: char| !c.is_alphanumeric() && c != '\'').to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::{AudioLevels, Silence};

    fn word(text: &str, start: f64, end: f64) -> Word {
        Word { text: text.into(), start, end, confidence: 1.0, speaker: None }
    }

    /// Levels of a 20 s source, loud except where `quiet`.
    fn levels(quiet: &[(f64, f64)]) -> AudioLevels {
        let hop = 0.05;
        let db = (0..400)
            .map(|i| {
                let t = i as f64 * hop;
                if quiet.iter().any(|&(a, b)| t >= a && t < b) {
                    -70.0
                } else {
                    -20.0
                }
            })
            .collect();
        AudioLevels { hop_seconds: hop, db }
    }

    fn pauses() -> TightenOptions {
        TightenOptions { pause_seconds: Some(DEFAULT_PAUSE_SECONDS), fillers: false }
    }

    #[test]
    fn a_quiet_gap_is_shortened_to_the_padding_and_a_short_one_stays() {
        let words = [word("Hello.", 1.0, 1.5), word("So", 3.5, 3.8), word("then", 4.0, 4.3)];
        let quiet = levels(&[(1.5, 3.5)]);
        let silences = [Silence { start: 1.5, end: 3.5 }];
        let signals = Signals { levels: Some(&quiet), silences: &silences, ..Signals::empty(20.0) };
        let tight = tighten(1.0, 4.3, &words, &signals, &pauses());
        assert_eq!(tight.cuts.len(), 1, "{tight:?}");
        let cut = &tight.cuts[0];
        assert!((cut.start - 1.62).abs() < 1e-9 && (cut.end - 3.38).abs() < 1e-9, "{cut:?}");
        assert_eq!(cut.reason, CutReason::Pause);
        assert_eq!(tight.kept, [KeptRange { start: 1.0, end: cut.start }, KeptRange { start: cut.end, end: 4.3 }]);
        assert!((tight.removed_seconds() - 1.76).abs() < 1e-9);
    }

    #[test]
    fn a_silence_inside_a_stretched_word_is_a_pause_and_one_holding_a_word_is_not() {
        // Speech recognition stretched "Hello." over the pause after it: no gap between words.
        let words = [word("Hello.", 1.0, 3.4), word("So", 3.5, 3.8), word("then", 4.0, 4.3)];
        let quiet = levels(&[(1.5, 3.5)]);
        let silences = [Silence { start: 1.5, end: 3.5 }];
        let signals = Signals { levels: Some(&quiet), silences: &silences, ..Signals::empty(20.0) };
        let tight = tighten(1.0, 4.3, &words, &signals, &pauses());
        assert_eq!(tight.cuts.len(), 1, "{tight:?}");
        let cut = &tight.cuts[0];
        // Up to the breath before "So", but no more than 45 % of "Hello.": its caption stays.
        assert!((cut.start - 2.3).abs() < 1e-9 && (cut.end - 3.38).abs() < 1e-9, "{cut:?}");
        // A whole word inside the silence is quiet speech that was heard: the silence stays.
        let whispered = [word("Hello.", 1.0, 1.4), word("psst", 2.2, 2.6), word("So", 3.5, 3.8)];
        let tight = tighten(1.0, 3.8, &whispered, &signals, &pauses());
        assert!(tight.cuts.iter().all(|cut| cut.end <= 2.2 || cut.start >= 2.6), "{tight:?}");
        // A "silence" only a little quieter than the speech around it (soft speech in a quiet,
        // noisy recording) stays.
        let soft =
            AudioLevels { db: quiet.db.iter().map(|&db| if db < -50.0 { -26.0 } else { db }).collect(), ..quiet };
        let signals = Signals { levels: Some(&soft), silences: &silences, ..Signals::empty(20.0) };
        assert_eq!(tighten(1.0, 4.3, &words, &signals, &pauses()), Tightened::default());
        // A silence no longer than the threshold stays.
        let short = [Silence { start: 1.5, end: 1.95 }];
        let signals = Signals { silences: &short, ..Signals::empty(20.0) };
        assert_eq!(tighten(1.0, 4.3, &words, &signals, &pauses()), Tightened::default());
    }

    #[test]
    fn a_sliver_between_two_cuts_goes_with_them() {
        let cut = |start: f64, end: f64| Cut { start, end, reason: CutReason::Pause, words: String::new() };
        let kept = kept_between(0.0, 10.0, &[cut(0.05, 2.0), cut(2.07, 4.0), cut(9.95, 10.0)]);
        assert_eq!(kept, [KeptRange { start: 4.0, end: 9.95 }]);
    }

    #[test]
    fn a_laugh_between_words_is_not_a_pause() {
        let words = [word("joke.", 1.0, 1.5), word("Anyway", 4.0, 4.4)];
        let loud = levels(&[]);
        let signals = Signals { levels: Some(&loud), ..Signals::empty(20.0) };
        assert_eq!(tighten(1.0, 4.4, &words, &signals, &pauses()), Tightened::default());
    }

    #[test]
    fn fillers_and_repeated_starts_are_cut_with_the_gap_after_them() {
        let words = [
            word("I", 1.0, 1.2),
            word("I", 1.3, 1.5),
            word("think,", 1.5, 1.9),
            word("um,", 2.0, 2.4),
            word("yes.", 2.5, 2.9),
        ];
        let options = TightenOptions { pause_seconds: None, fillers: true };
        let tight = tighten(1.0, 2.9, &words, &Signals::empty(20.0), &options);
        // A blip of "uh" just before a longer one (as a forced aligner writes it): one cut, both
        // gone, though the first alone would be too short to cut.
        let stammer =
            [word("the", 0.9, 1.0), word("uh", 1.0, 1.01), word("uh", 1.3, 1.85), word("acoustic", 1.88, 2.5)];
        let both = tighten(0.9, 2.5, &stammer, &Signals::empty(20.0), &options);
        assert_eq!(both.kept, [KeptRange { start: 0.9, end: 1.0 }, KeptRange { start: 1.865, end: 2.5 }], "{both:?}");
        let found: Vec<(CutReason, &str, f64, f64)> =
            tight.cuts.iter().map(|c| (c.reason, c.words.as_str(), c.start, c.end)).collect();
        assert_eq!(found, [(CutReason::Repeat, "I", 1.0, 1.25), (CutReason::Filler, "um,", 2.0, 2.45)]);
        assert_eq!(
            tight.kept,
            [KeptRange { start: 1.25, end: 2.0 }, KeptRange { start: 2.45, end: 2.9 }],
            "the clip opens just before the second I"
        );
    }

    #[test]
    fn a_content_word_said_three_times_is_emphasis_and_a_stammer_of_three_is_cut() {
        let options = TightenOptions { pause_seconds: None, fillers: true };
        let emphasis = [
            word("more", 0.0, 0.3),
            word("words,", 0.3, 0.8),
            word("words,", 0.8, 1.3),
            word("words.", 1.3, 1.8),
            word("Done.", 2.0, 2.4),
        ];
        assert_eq!(tighten(0.0, 2.4, &emphasis, &Signals::empty(20.0), &options), Tightened::default());
        let stammer = [word("I", 0.0, 0.1), word("I", 0.2, 0.3), word("I", 0.4, 0.5), word("think.", 0.6, 1.0)];
        let tight = tighten(0.0, 1.0, &stammer, &Signals::empty(20.0), &options);
        assert_eq!(tight.cuts.len(), 1, "one cut for both first I's: {tight:?}");
        assert_eq!(tight.cuts[0].reason, CutReason::Repeat);
    }

    #[test]
    fn nothing_asked_or_nothing_found_keeps_the_whole_span() {
        let words = [word("Hello", 0.0, 0.4), word("there", 0.5, 0.9)];
        assert!(!TightenOptions::default().any());
        assert_eq!(tighten(0.0, 0.9, &words, &Signals::empty(1.0), &TightenOptions::default()), Tightened::default());
        assert_eq!(tighten(0.0, 0.9, &words, &Signals::empty(1.0), &pauses()), Tightened::default());
    }

    #[test]
    fn words_outside_the_clip_make_no_cut() {
        let words = [word("before", 0.0, 0.4), word("inside", 5.0, 5.4), word("after", 9.0, 9.4)];
        assert_eq!(tighten(4.9, 5.5, &words, &Signals::empty(10.0), &pauses()), Tightened::default());
    }
}

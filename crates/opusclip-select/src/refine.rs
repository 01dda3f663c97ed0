//! Boundary refinement: moving a run of sentences so it starts and ends where a clip should, then
//! padding it into the silence around it and snapping it to a nearby shot cut.
//!
//! Rules, in order (each unit-tested below):
//! 1. **Clean start**: a clip never opens on a continuation or filler ("and", "so", "but", "um",
//!    "like", ...) or a dangling reference ("it", "this", "they're", "the other one", ...). The
//!    start moves back over up to [`MAX_BACKTRACK_SENTENCES`] sentences the opener continues
//!    (closer than [`CONTINUATION_GAP_SECONDS`]) while the clip stays within its maximum;
//!    failing that, a continuation or filler opener moves forward while the clip stays within
//!    its minimum (a dangling reference that cannot be fixed stays, and counts as an issue).
//! 2. **Question with its answer**: a clip that opens on the answer to a question ending at most
//!    [`QUESTION_GAP_SECONDS`] before it takes the question in (dropping sentences from its end
//!    when that is the only way to stay within the maximum).
//! 3. **End on a pause**: a clip ends on a sentence end followed by at least
//!    [`END_PAUSE_SECONDS`] of silence (a gap between words, or a detected silence): the end
//!    moves forward to the next such sentence within the maximum (the payoff rather than before
//!    it), failing that back to the previous one within the minimum.
//! 4. **Padding**: the cut moves into the silence around the speech, up to [`LEAD_PAD_MAX`]
//!    before the first word and [`TAIL_PAD_MAX`] after the last, never closer than
//!    [`WORD_GUARD_SECONDS`] to a neighbouring word, never past the timeframe or the maximum
//!    length (the tail is padded first).
//! 5. **Shot cuts**: a boundary within [`SNAP_FRAMES`] frames of a shot cut moves onto it, when
//!    the cut lies in the same silence (so no word is clipped) and the length still fits.

use crate::lexicon::{dangling_opening, is_weak_opener, normalize};
use crate::ranges::LengthRange;
use crate::sentences::ends_sentence;
use crate::signals::Signals;
use opusclip_core::{Sentence, Word};

/// Longest lead-in of silence before the first word, seconds.
pub const LEAD_PAD_MAX: f64 = 0.35;
/// Longest tail of silence after the last word, seconds.
pub const TAIL_PAD_MAX: f64 = 0.45;
/// Padding stops this far from a neighbouring word, seconds.
pub const WORD_GUARD_SECONDS: f64 = 0.05;
/// A sentence end followed by at least this much silence is a good place to end, seconds.
pub const END_PAUSE_SECONDS: f64 = 0.25;
/// A question ending at most this long before an answer belongs with it, seconds.
pub const QUESTION_GAP_SECONDS: f64 = 2.0;
/// A sentence opening on a continuation continues the previous one when the gap between them
/// is shorter than this, seconds.
pub const CONTINUATION_GAP_SECONDS: f64 = 1.5;
/// How many sentences the start may move back to find a clean opening.
pub const MAX_BACKTRACK_SENTENCES: usize = 2;
/// A boundary this many frames from a shot cut snaps onto it.
pub const SNAP_FRAMES: f64 = 3.0;
/// Frame rate assumed for snapping when the signals do not give one.
pub const DEFAULT_FPS: f64 = 30.0;
/// How close a detected silence must begin to a sentence end to count as its pause, seconds.
const SILENCE_START_TOLERANCE: f64 = 0.15;

/// What refinement reads: the transcript's sentences and words, the signals (silences, cuts,
/// frame rate) and the part of the source clips may come from.
#[derive(Debug, Clone, Copy)]
pub struct RefineContext<'a> {
    pub sentences: &'a [Sentence],
    pub words: &'a [Word],
    pub signals: &'a Signals<'a>,
    /// Shot cut times, sorted.
    pub cuts: &'a [f64],
    /// Earliest start and latest end of any clip (the timeframe within the source).
    pub bounds: (f64, f64),
    /// Whether the transcript has sentence punctuation (otherwise sentences come from pauses).
    pub punctuated: bool,
}

/// A run of sentences `[first, end)` after refinement, with what could not be fixed.
#[derive(Debug, Clone, PartialEq)]
pub struct RefinedSpan {
    pub first: usize,
    pub end: usize,
    /// Rules the span still breaks, in words ("opens on \"and\"", ...); empty when clean.
    pub issues: Vec<String>,
}

impl<'a> RefineContext<'a> {
    /// A context over `sentences` of `words`; `bounds` limits every clip.
    pub fn new(
        sentences: &'a [Sentence],
        words: &'a [Word],
        signals: &'a Signals<'a>,
        cuts: &'a [f64],
        bounds: (f64, f64),
    ) -> Self {
        let punctuated = words.iter().any(|word| ends_sentence(&word.text));
        RefineContext { sentences, words, signals, cuts, bounds, punctuated }
    }

    /// Seconds from the start of sentence `first` to the end of sentence `end - 1`.
    pub fn span_seconds(&self, first: usize, end: usize) -> f64 {
        self.sentences[end - 1].end - self.sentences[first].start
    }

    /// Whether `[first, end)` lies inside the bounds.
    fn in_bounds(&self, first: usize, end: usize) -> bool {
        self.sentences[first].start >= self.bounds.0 && self.sentences[end - 1].end <= self.bounds.1
    }

    /// The filler or continuation sentence `index` opens on, if any.
    pub fn weak_opener(&self, index: usize) -> Option<String> {
        let sentence = &self.sentences[index];
        let token = self.words.get(sentence.first_word).map(|word| normalize(&word.text))?;
        is_weak_opener(&token).then_some(token)
    }

    /// The dangling reference sentence `index` opens on ("it", "this", "the other"), if any. The
    /// transcript's first sentence never dangles: nothing comes before it.
    pub fn dangling_opener(&self, index: usize) -> Option<String> {
        if index == 0 {
            return None;
        }
        let sentence = &self.sentences[index];
        let tokens: Vec<String> = self
            .words
            .get(sentence.first_word..sentence.end_word.min(sentence.first_word + 2))?
            .iter()
            .map(|word| normalize(&word.text))
            .collect();
        dangling_opening(&tokens)
    }

    /// What sentence `index` opens on that needs the sentence before it: a filler or
    /// continuation, or a dangling reference.
    pub fn needs_what_came_before(&self, index: usize) -> Option<String> {
        self.weak_opener(index).or_else(|| self.dangling_opener(index))
    }

    /// Whether sentence `index` is a question.
    pub fn is_question(&self, index: usize) -> bool {
        is_question(&self.sentences[index].text)
    }

    /// The question sentence that sentence `first` answers: the one just before, when it is a
    /// question ending at most [`QUESTION_GAP_SECONDS`] earlier and `first` is not one itself.
    pub fn question_before(&self, first: usize) -> Option<usize> {
        let previous = first.checked_sub(1)?;
        let gap = self.sentences[first].start - self.sentences[previous].end;
        let answers = !self.is_question(first) && self.is_question(previous) && gap <= QUESTION_GAP_SECONDS;
        answers.then_some(previous)
    }

    /// Seconds of silence between the end of sentence `index` and the next word (infinite after
    /// the last word).
    pub fn pause_after(&self, index: usize) -> f64 {
        let sentence = &self.sentences[index];
        match self.words.get(sentence.end_word) {
            Some(next) if (next.start - sentence.end).is_finite() => (next.start - sentence.end).max(0.0),
            Some(_) => 0.0,
            None => f64::INFINITY,
        }
    }

    /// Whether sentence `index` ends a sentence (punctuation, or any pause-split sentence of an
    /// unpunctuated transcript) and is followed by a pause of [`END_PAUSE_SECONDS`].
    pub fn ends_on_pause(&self, index: usize) -> bool {
        let sentence = &self.sentences[index];
        let last_word = sentence.end_word.checked_sub(1).and_then(|i| self.words.get(i));
        let is_end = !self.punctuated || last_word.is_some_and(|word| ends_sentence(&word.text));
        let pause = self.pause_after(index) >= END_PAUSE_SECONDS
            || self.signals.silence_after(sentence.end, SILENCE_START_TOLERANCE, END_PAUSE_SECONDS);
        is_end && pause
    }

    /// What `[first, end)` breaks of rules 1–3.
    pub fn issues(&self, first: usize, end: usize) -> Vec<String> {
        let mut issues = Vec::new();
        let answers_a_question = self.question_before(first).is_some();
        if let Some(word) = self.weak_opener(first) {
            issues.push(format!("opens on \"{word}\""));
        } else if let Some(word) = self.dangling_opener(first).filter(|_| !answers_a_question) {
            issues.push(format!("opens on \"{word}\", which refers to something before it"));
        }
        if answers_a_question {
            issues.push("opens on the answer to a question asked before it".to_string());
        }
        if !self.ends_on_pause(end - 1) {
            issues.push("does not end on a sentence end followed by a pause".to_string());
        }
        issues
    }

    /// Apply rules 1–3 to the run of sentences `[first, end)`, which fits `range`: the result
    /// fits `range` and the bounds too.
    pub fn refine_span(&self, first: usize, end: usize, range: LengthRange) -> RefinedSpan {
        let fits = |first: usize, end: usize| range.fits(self.span_seconds(first, end)) && self.in_bounds(first, end);
        let first = self.clean_start(first, end, range);
        let (first, end, min_end) = match self.question_before(first) {
            Some(question) => match (first + 1..=end).rev().find(|&e| fits(question, e)) {
                Some(trimmed) => (question, trimmed, first + 1),
                None => (first, end, first + 1),
            },
            None => (first, end, first + 1),
        };
        let end = self.end_on_pause(first, end, min_end, range);
        RefinedSpan { first, end, issues: self.issues(first, end) }
    }

    /// Rule 1: back over continued sentences within the maximum, else forward within the minimum.
    fn clean_start(&self, first: usize, end: usize, range: LengthRange) -> usize {
        let mut start = first;
        for _ in 0..MAX_BACKTRACK_SENTENCES {
            if self.needs_what_came_before(start).is_none() || start == 0 {
                break;
            }
            let gap = self.sentences[start].start - self.sentences[start - 1].end;
            let longer_fits = self.span_seconds(start - 1, end) <= range.max_seconds && self.in_bounds(start - 1, end);
            if gap >= CONTINUATION_GAP_SECONDS || !longer_fits {
                break;
            }
            start -= 1;
        }
        if self.weak_opener(start).is_none() {
            return start;
        }
        (first + 1..end)
            .take_while(|&later| self.span_seconds(later, end) >= range.min_seconds)
            .find(|&later| self.weak_opener(later).is_none())
            .unwrap_or(first)
    }

    /// Rule 3: forward to a sentence end with a pause within the maximum, else back to one
    /// within the minimum (never before `min_end`).
    fn end_on_pause(&self, first: usize, end: usize, min_end: usize, range: LengthRange) -> usize {
        if self.ends_on_pause(end - 1) {
            return end;
        }
        let later = (end + 1..=self.sentences.len())
            .take_while(|&e| self.span_seconds(first, e) <= range.max_seconds && self.in_bounds(first, e))
            .find(|&e| self.ends_on_pause(e - 1));
        let earlier = || {
            (min_end..end)
                .rev()
                .take_while(|&e| self.span_seconds(first, e) >= range.min_seconds)
                .find(|&e| self.ends_on_pause(e - 1))
        };
        later.or_else(earlier).unwrap_or(end)
    }

    /// Rules 4 and 5: the padded, snapped `(start, end)` of the run `[first, end)`, at most
    /// `max_seconds` long (never shorter than the run itself).
    pub fn pad_and_snap(&self, first: usize, end: usize, max_seconds: f64) -> (f64, f64) {
        let (speech_start, speech_end) = (self.sentences[first].start, self.sentences[end - 1].end);
        let before = self.sentences[first].first_word.checked_sub(1).and_then(|i| self.words.get(i));
        let after = self.words.get(self.sentences[end - 1].end_word);
        let lead_room = room(&[
            Some(LEAD_PAD_MAX),
            before.map(|w| speech_start - w.end - WORD_GUARD_SECONDS),
            Some(speech_start - self.bounds.0),
        ]);
        let tail_room = room(&[
            Some(TAIL_PAD_MAX),
            after.map(|w| w.start - WORD_GUARD_SECONDS - speech_end),
            Some(self.bounds.1 - speech_end),
        ]);
        let budget = room(&[Some(max_seconds - (speech_end - speech_start))]);
        let tail = tail_room.min(budget);
        let lead = lead_room.min(budget - tail);
        let tolerance =
            SNAP_FRAMES / self.signals.fps.filter(|fps| fps.is_finite() && *fps > 0.0).unwrap_or(DEFAULT_FPS);
        let mut start = speech_start - lead;
        let mut stop = speech_end + tail;
        if let Some(cut) = snap_to_cut(start, self.cuts, tolerance, (speech_start - lead_room, speech_start)) {
            if stop - cut <= max_seconds {
                start = cut;
            }
        }
        if let Some(cut) = snap_to_cut(stop, self.cuts, tolerance, (speech_end, speech_end + tail_room)) {
            if cut - start <= max_seconds {
                stop = cut;
            }
        }
        (start, within_length(start, stop, max_seconds, speech_end))
    }
}

/// The cut in `cuts` (sorted) nearest to `time`, when it is at most `tolerance` away and inside
/// `allowed` (inclusive).
pub fn snap_to_cut(time: f64, cuts: &[f64], tolerance: f64, allowed: (f64, f64)) -> Option<f64> {
    let from = cuts.partition_point(|&cut| cut < time - tolerance);
    cuts[from..]
        .iter()
        .copied()
        .take_while(|&cut| cut <= time + tolerance)
        .filter(|&cut| cut >= allowed.0 && cut <= allowed.1)
        .min_by(|a, b| (a - time).abs().total_cmp(&(b - time).abs()))
}

/// `stop`, lowered by a few units in the last place when rounding put `stop - start` just over
/// `max_seconds` (never below `floor`).
fn within_length(start: f64, stop: f64, max_seconds: f64, floor: f64) -> f64 {
    const MAX_ULPS: usize = 64;
    let mut stop = stop;
    for _ in 0..MAX_ULPS {
        if stop - start <= max_seconds || stop <= floor || stop <= 0.0 || !stop.is_finite() {
            break;
        }
        stop = f64::from_bits(stop.to_bits() - 1);
    }
    stop.max(floor)
}

/// Whether a sentence's text is a question (ends with `?`, closing marks aside).
pub fn is_question(text: &str) -> bool {
    text.trim_end().trim_end_matches(|c: char| !c.is_alphanumeric() && c != '?').ends_with('?')
}

/// The smallest of the known limits, 0 when any is negative or not a number.
fn room(limits: &[Option<f64>]) -> f64 {
    limits
        .iter()
        .flatten()
        .map(|&limit| if limit.is_finite() { limit.max(0.0) } else { 0.0 })
        .fold(f64::INFINITY, f64::min)
}

#[cfg(test)]
#[path = "refine_tests.rs"]
mod tests;

//! Clip selection for `opusclip clip`: from a transcript (or, without one, from the survey's
//! audio and shot cuts) to ranked, explained, non-overlapping candidate clips with titles and
//! hashtags. Pure computation on plain data: no I/O, no C dependencies.
//!
//! # The algorithm
//!
//! 1. **Sentences** ([`sentences`]): words are split after sentence-ending punctuation
//!    (`.`, `?`, `!`, `…`, with closing quotes); a transcript without any is split at pauses of
//!    at least 0.6 s. Sentences over 25 s are split at their longest internal pause.
//! 2. **Windows** ([`select_clips`]): every run of consecutive sentences whose span (first
//!    sentence's start to last sentence's end) is within `[min_seconds, max_seconds]` is a
//!    candidate, so every clip starts and ends on a sentence boundary.
//!    Without words ([`select_clips_without_words`]), boundaries are the midpoints of silences,
//!    the shot cuts, 0 and the duration; every span between two boundaries with a length in
//!    bounds is a candidate (when none is, fixed windows of `max_seconds` snapped to a boundary
//!    within 2 s are used). No words are ever invented.
//! 3. **Scores** ([`Scorer`], [`BaselineScorer`]): each window gets an explained score, every
//!    part `{value 0..100, reason}`:
//!    - `hook` (weight [`HOOK_WEIGHT`] = 0.40): the opening — the first sentence and the first
//!      3 s. 30 base points; +30 for a question, +25 for a strong opener ("here's",
//!      "the secret", "never", "why", "how", ...), +15 for a number, +15 for direct address
//!      ("you"), −20 for a filler first word ("um", "so", "and", ...). Without words: 60 points
//!      for the share of the first 3 s with sound, 40 for its loudness against the clip's
//!      average (−3 dB → 0, +3 dB → 40).
//!    - `density` (weight [`DENSITY_WEIGHT`] = 0.25): half words per second (full at 2.5),
//!      half the share of the window covered by words; without words, the share with sound.
//!    - `dynamics` (weight [`DYNAMICS_WEIGHT`] = 0.15): loudness over the window's voiced hops
//!      (silences and hops under −60 dBFS ignored): half its standard deviation (full at
//!      8 dB), half its 5–95th percentile range (full at 24 dB). 50 when there is no audio.
//!    - `length_fit` (weight [`LENGTH_FIT_WEIGHT`] = 0.20): 100 at the middle of min..max,
//!      50 at either bound.
//!
//!    `total` is the weighted mean of the parts. The survey's key-frame changes are part of
//!    [`Signals`] for later scorers; the baseline does not use them yet.
//! 4. **Choice**: with words, clips are taken one at a time by maximal marginal relevance:
//!    the next is the non-overlapping window with the best `total − 0.3 × 100 × similarity`,
//!    where similarity is the Jaccard overlap of content words with the clips already taken
//!    ([`DIVERSITY_WEIGHT`]), so a talk that repeats itself still yields N different moments;
//!    the penalty only ranks, it never filters. Without words, windows are taken greedily by
//!    total. Either way N clips come back whenever N non-overlapping windows fit, ranked by total
//!    (ties: earlier start), deterministically.
//! 5. **Titles** ([`describe`]): extractive — the hook sentence as title (≤ 60 characters),
//!    the first one or two sentences as description (≤ ~200 characters), 3–5 CamelCased
//!    hashtags from the most frequent content words.

mod describe;
mod hook;
mod options;
mod parts;
mod score;
mod select;
mod sentences;
mod signals;
mod without_words;

pub use describe::{describe, ClipText, MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, STOPWORDS};
pub use hook::HOOK_SECONDS;
pub use options::SelectOptions;
pub use parts::{FULL_LEVEL_RANGE_DB, FULL_LEVEL_STD_DB, FULL_WORDS_PER_SECOND};
pub use score::{
    weighted_total, BaselineScorer, Scorer, Window, DENSITY_WEIGHT, DYNAMICS_WEIGHT, HOOK_WEIGHT, LENGTH_FIT_WEIGHT,
};
pub use select::{select_clips, DIVERSITY_WEIGHT};
pub use sentences::{ends_sentence, sentences, MAX_SENTENCE_SECONDS, PAUSE_SPLIT_SECONDS};
pub use signals::{Signals, VOICED_FLOOR_DB};
pub use without_words::{select_clips_without_words, BOUNDARY_SNAP_SECONDS};

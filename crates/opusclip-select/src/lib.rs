//! Clip selection for `opusclip clip`: from a transcript (or, without one, from the survey's
//! audio and shot cuts) to ranked, explained, non-overlapping candidate clips with titles and
//! hashtags. Pure computation on plain data: no I/O, no C dependencies.
//!
//! # The algorithm
//!
//! 1. **Sentences** ([`sentences`]): words are split after sentence-ending punctuation
//!    (`.`, `?`, `!`, `…`, with closing quotes); a transcript without any is split at pauses of
//!    at least 0.6 s and, when its casing carries information, before a capitalised word after
//!    a pause of 0.2 s. Sentences over 25 s are split at their longest internal pause.
//! 2. **Candidates** ([`select_clips`], [`SelectOptions`]): every run of consecutive sentences
//!    inside the timeframe (`--range`, [`TimeRange`]) whose span fits one of the length ranges
//!    (`--length 15-30,30-60`, [`LengthRange`]; `--min`/`--max` give one range).
//!    Without words ([`select_clips_without_words`]), boundaries are the midpoints of silences,
//!    the shot cuts and the ends of the timeframe; every span between two boundaries that fits
//!    a range is a candidate (when none is, fixed windows of each range's maximum snapped to a
//!    boundary within 2 s are used). No words are ever invented.
//! 3. **Boundary refinement** ([`refine`], pure, a stage of its own): each run is moved so it
//!    (a) never opens on a continuation or filler ("and", "so", "but", "um", "like", ...) —
//!    back over up to two sentences it continues, else forward — nor on a dangling reference
//!    ("it", "this", "they're", "the other") when going back fixes it; (b) takes in the question
//!    (ending ≤ 2 s before) whose answer it opens on, dropping sentences from its end if that
//!    is the only way to fit; (c) ends on a sentence end followed by ≥ 0.25 s of silence (a
//!    word gap or a detected silence) — forward to the payoff, else back. Chosen clips are then
//!    padded into the silence around them (lead ≤ [`LEAD_PAD_MAX`] = 0.35 s, tail ≤
//!    [`TAIL_PAD_MAX`] = 0.45 s, never within 0.05 s of a neighbouring word, never past the
//!    timeframe or the range's maximum, neighbours sharing the gap) and snapped to a shot cut
//!    within 3 frames that lies in the same silence.
//! 4. **Scores** ([`Scorer`], [`ClipScorer`]): six parts, each `{value 0..100, reason}` (one
//!    line), combined as a mean weighted by [`opusclip_core::ScoreWeights`] (Settings /
//!    profile; defaults hook 0.15, coherence 0.10, engagement 0.50, pacing 0.05, visual 0.05,
//!    length_fit 0.15, chosen on the TED dev split):
//!    - `hook` — the first sentence and first 3 s: 30 base points; +30 a question, +25 a
//!      strong opener ("here's", "the secret", "why", "how", ...) or else +15 a bold or
//!      contrarian claim ("never", "wrong", "myth", "nobody", ...), +15 a number, +15 direct
//!      address ("you"), −20 a filler/continuation first word. Without words: the share of the
//!      first 3 s with sound and its loudness against the clip.
//!    - `coherence` — 100, minus 30 for a dangling "this/that/he/she/it/they/..." among the
//!      first three words, 20 for a continuation/filler opener, 20 for starting mid-sentence,
//!      15 for answering a question asked before the clip, 25 for ending mid-sentence (10 for
//!      no pause after the end), up to 20 when the later half's content words do not echo the
//!      earlier half's (one topic) — or, when [`ClipScorer::topics`] holds the transcript's topic
//!      segments, in proportion to the share of its sentences outside its main segment (full at
//!      half of them).
//!    - `engagement` — weighted mean of what can be measured: loudness dynamics (0.30; std
//!      dev full at 8 dB, 5–95 % range full at 24 dB), laughter/applause-like bursts (0.20;
//!      wordless stretches ≥ 0.8 s with sound, or loud runs without words), speech-rate
//!      changes (0.15; variation of words per 5 s), exclamations (0.05), emotional words
//!      (0.10; full at 3 per 100 words), and the audience-reaction text model (0.60; full at
//!      probability 0.5, see [`reaction`]: a logistic model over 19 word-rate features fitted on
//!      the dev half of the TED reaction set; with sentence embeddings, [`semantic_reaction`]
//!      instead, which adds two embedding readings to that model's log-odds).
//!    - `pacing` — 100 between [`LIVELY_MIN_WPS`] and [`LIVELY_MAX_WPS`] words/s, falling to 0
//!      at 0.8 and 5.5; dead air ([`dead_air`]: gaps ≥ [`DEAD_AIR_SECONDS`] without words that
//!      are silent by the audio levels, or hold wordless sound past 3 s) costs 200 points per
//!      unit share, at most 60; the reason states its seconds and share. Without words: the
//!      share with sound. A window more than 15 % dead air is chosen and ranked only after every
//!      window that is not ([`dead_air::MAX_DEAD_SHARE`]).
//!    - `visual` — a face in the sampled frames (the close look: 60 %) and the shot-change
//!      rate (40 %; 40 points for one steady shot, full at 6 cuts/min; exact cuts, else survey
//!      key-frame changes ≥ [`KEYFRAME_CUT_SCORE`]). 50 with the reason "no visual signal"
//!      when there is nothing to look at (the text-only path).
//!    - `length_fit` — 100 at the middle of the range the length sits best in, 50 at its bounds.
//!
//!    With `--prompt` ([`Prompt`]), a `prompt` part (keyword similarity: each keyword stem
//!    said once counts 0.7, twice 1; with sentence embeddings, the better of that and the
//!    similarity by meaning, [`PromptMeaning`]) multiplies the total by 0.5–1
//!    ([`PROMPT_FLOOR`]) and its reason says by how much. The pipeline re-scores `visual` from each clip's close look.
//!    To score any span on its words alone (the TED evaluation): `ClipScorer::new(weights,
//!    lengths).score(&Window::over(&sentences, start, end), &sentences, &words,
//!    &Signals::empty(duration))` (see [`ClipScorer`]).
//!    **Multi-segment clips** ([`setups`]): beside each run that opens on the answer to a
//!    question asked 2–45 s before (with other talk between), the same run joined to that
//!    question competes too, when it scores at least as well; it plays the question, then the
//!    run (its `Candidate::kept_ranges`), its hook is the question's, its `length_fit` is on what
//!    plays, and its coherence reason names the question and the words both say.
//! 5. **Choice**: refined runs that break no boundary rule are taken first, one at a time by
//!    maximal marginal relevance: the next is the non-overlapping window with the best
//!    `total − 0.3 × 100 × similarity` (Jaccard overlap of content words with the clips already
//!    taken, [`DIVERSITY_WEIGHT`]); then refined runs that still break a rule; then, only if N
//!    clips do not fit otherwise, the unrefined runs — so N clips come back whenever N
//!    non-overlapping runs fit; the diversity penalty only ranks. Without words, windows are
//!    taken greedily by total. Ranked by total (ties: earlier start), deterministically.
//! 6. **Titles** ([`describe`]): extractive — the hook sentence as title (≤ 60 characters,
//!    leading fillers dropped, the clause with the clip's keyphrases when it is too long), the
//!    first one or two sentences as description (≤ ~200 characters), 3–5 CamelCased hashtags
//!    from the clip's distinct [`keyphrases`] (RAKE-style, see [`mod@keyphrases`]).
//!
//! Also here: [`topics`] (lexical TF-IDF TextTiling: topic segment ids per sentence, for the
//! "one topic" test of coherence), [`semantic`] (the same TextTiling over sentence embeddings,
//! and `--prompt` similarity by meaning, from embeddings computed by the caller), [`evaluation`] (precision@k of the text-only scorer against
//! TED audience reactions, `opusclip eval highlights`) and [`feedback`] (refitting the score
//! weights from real clip results, `opusclip feedback`).

mod coherence;
pub mod dead_air;
mod describe;
mod engagement;
pub mod evaluation;
pub mod evaluation_fit;
pub mod evaluation_prompt;
pub mod evaluation_semantic;
mod evaluation_timeline;
pub mod feedback;
mod hook;
pub mod keyphrases;
mod lexicon;
pub mod logistic;
mod options;
mod pacing;
mod parts;
mod prompt;
mod ranges;
pub mod reaction;
pub mod reaction_fit;
pub mod reaction_model;
pub mod refine;
mod score;
mod select;
pub mod semantic;
pub mod semantic_reaction;
pub mod semantic_reaction_fit;
pub mod semantic_reaction_model;
mod sentences;
pub mod setups;
mod signals;
pub mod tighten;
mod title;
pub mod topics;
mod visual;
mod without_words;

pub use describe::{describe, ClipText, MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS, STOPWORDS};
pub use hook::HOOK_SECONDS;
pub use keyphrases::{keyphrases, Keyphrase};
pub use options::{SelectOptions, MAX_CLIPS};
pub use pacing::{DEAD_AIR_SECONDS, LIVELY_MAX_WPS, LIVELY_MIN_WPS};
pub use parts::{FULL_LEVEL_RANGE_DB, FULL_LEVEL_STD_DB};
pub use prompt::{Prompt, PROMPT_FLOOR};
pub use ranges::{clock, parse_time, LengthRange, TimeRange};
pub use reaction::{reaction_features, ReactionEstimate, ReactionFeatures, ReactionModel};
pub use reaction_model::REACTION_MODEL;
pub use refine::{RefineContext, RefinedSpan, LEAD_PAD_MAX, TAIL_PAD_MAX};
pub use score::{weighted_total, BaselineScorer, ClipScorer, Scorer, Setup, Window, PROMPT_PART};
pub use select::{select_clips, DIVERSITY_WEIGHT};
pub use semantic::{
    embedding_topic_segments, embedding_topic_segments_with, MeaningMatch, PromptMeaning, EMBEDDING_TOPIC_OPTIONS,
};
pub use sentences::{ends_sentence, sentences, CASING_PAUSE_SECONDS, MAX_SENTENCE_SECONDS, PAUSE_SPLIT_SECONDS};
pub use signals::{Signals, VOICED_FLOOR_DB};
pub use tighten::{tighten, TightenOptions, Tightened, DEFAULT_PAUSE_SECONDS};
pub use topics::{topic_segments, topic_segments_with, TopicOptions, TopicSegmentation};
pub use visual::KEYFRAME_CUT_SCORE;
pub use without_words::{select_clips_without_words, BOUNDARY_SNAP_SECONDS};

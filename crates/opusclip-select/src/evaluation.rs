//! Measuring the text-only clip scorer against real audience reactions (TED talks whose
//! subtitles time every `(Laughter)` and `(Applause)`): sliding windows, precision@k, and the
//! random and position-only baselines it must beat. Pure: the caller reads the data.
//!
//! # The protocol (`../shared/highlights/README.md`)
//!
//! 1. Every parenthesised marker — `(Laughter)`, `(Applause)`, `(Music)`, `(Audience: …)`, also
//!    one that spans several cues — is removed from the text the scorer sees ([`strip_markers`]).
//! 2. Words are made from the cues: each cue's words spread evenly from its start to the start
//!    of the next cue that has words (the last: [`LAST_CUE_SECONDS_PER_WORD`] per word), but over
//!    at most [`MAX_WORD_SECONDS_OVER_MEDIAN`] × the talk's median seconds per word; the time
//!    past that, and every marker-only cue's, is cut from the talk's timeline, on which words,
//!    windows and reactions all lie ([`words_from_cues`]). So a laugh's time never shows up as
//!    fewer words in the windows before it (the "fewest words first" probe measures that).
//!    Applause before the second cue with words or after the start of the last greets the
//!    speaker and is not counted.
//! 3. Windows of [`EvaluationOptions::window_seconds`] slide by
//!    [`EvaluationOptions::step_seconds`] over the transcript (from 0 to the end of its last
//!    cue); only whole windows count.
//! 4. A window is *reacted to* when a reaction cue starts inside it or within
//!    [`EvaluationOptions::after_seconds`] after its end ([`ReactionZone::WindowAndAfter`]), or,
//!    with [`ReactionZone::OnlyAfter`], only in those seconds after its end. The README quotes
//!    22 % chance for laughter after 60 s windows: the first rule is of that order (28 % over
//!    talks with laughter, 20 % over all talks), while "only after" gives 2 %, so the first is
//!    the default.
//! 5. Per talk with at least one reaction of that kind, precision@k is the share of reacted-to
//!    windows among the k best-scored that do not overlap a better one (ties: the earlier
//!    window; [`precision_at_k_disjoint`]) — every method, the random baseline included, under
//!    the same rule; it is averaged over talks.
//!    *Chance* is the mean share of reacted-to windows per talk: what a random ranking scores on
//!    average.
//! 6. Besides the scorer's total, each of its parts and the audience-reaction text model
//!    ([`crate::reaction`]) are ranked alone, so the report shows where the total's lift comes
//!    from. The reaction model's coefficients were fitted on the dev split only
//!    ([`crate::evaluation_fit`]); the holdout split is the figure that counts.

use crate::engagement::window_reaction_features;
use crate::evaluation_semantic::TalkEmbeddings;
use crate::evaluation_timeline::Timeline;
pub use crate::evaluation_timeline::MAX_WORD_SECONDS_OVER_MEDIAN;
use crate::options::SelectOptions;
use crate::parts::WindowView;
use crate::reaction_model::REACTION_MODEL;
use crate::score::{ClipScorer, Scorer, Window};
use crate::sentences::sentences;
use crate::signals::Signals;
use opusclip_core::{ScoreWeights, Word, PART_NAMES};
use std::sync::Arc;

/// Seconds per word given to the last cue, which has no next cue to end it.
pub const LAST_CUE_SECONDS_PER_WORD: f64 = 0.4;
/// Relative-position bins of the learned position prior.
pub const POSITION_BINS: usize = 10;
/// Cues a parenthesised marker may span before an unclosed `(` is taken as a stray character.
const MAX_MARKER_CUES: usize = 4;

/// An audience reaction marked in the subtitles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reaction {
    Laughter,
    Applause,
}

impl Reaction {
    /// Both kinds, in report order.
    pub const ALL: [Reaction; 2] = [Reaction::Laughter, Reaction::Applause];

    /// Lower-case name, as in reports.
    pub fn name(self) -> &'static str {
        match self {
            Reaction::Laughter => "laughter",
            Reaction::Applause => "applause",
        }
    }

    /// Whether a cue's text carries this reaction's marker (`(Laughter)`, any case).
    pub fn marks(self, cue_text: &str) -> bool {
        cue_text.to_lowercase().contains(&format!("({})", self.name()))
    }
}

/// One subtitle cue: when it starts and its raw text (markers included).
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Start in seconds.
    pub start: f64,
    /// Raw text.
    pub text: String,
}

/// One talk of the evaluation set.
#[derive(Debug, Clone, PartialEq)]
pub struct Talk {
    /// A stable name (speaker and headline); decides the talk's split.
    pub key: String,
    /// Its cues in time order.
    pub cues: Vec<Cue>,
}

/// Which reactions make a window reacted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReactionZone {
    /// A reaction starting inside the window or within `after_seconds` of its end.
    WindowAndAfter,
    /// A reaction starting within `after_seconds` after the window's end only.
    OnlyAfter,
}

/// Which talks are evaluated: all, or one half chosen by a hash of the talk's key, so the
/// scorer can be developed on one half and reported on the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    All,
    Dev,
    Holdout,
}

impl Split {
    /// Whether the talk named `key` belongs to this split (FNV-1a hash parity: even is dev).
    pub fn contains(self, key: &str) -> bool {
        let is_dev = fnv1a(key).is_multiple_of(2);
        match self {
            Split::All => true,
            Split::Dev => is_dev,
            Split::Holdout => !is_dev,
        }
    }

    /// The other half (`All` for `All`).
    pub fn complement(self) -> Split {
        match self {
            Split::All => Split::All,
            Split::Dev => Split::Holdout,
            Split::Holdout => Split::Dev,
        }
    }

    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Split::All => "all",
            Split::Dev => "dev",
            Split::Holdout => "holdout",
        }
    }
}

/// The knobs of an evaluation run.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationOptions {
    pub window_seconds: f64,
    pub step_seconds: f64,
    pub after_seconds: f64,
    pub zone: ReactionZone,
    /// Cut-offs k of precision@k.
    pub ks: Vec<usize>,
    pub split: Split,
    /// Seed of the random baseline.
    pub seed: u64,
    /// Random rankings averaged for the random baseline.
    pub random_draws: usize,
    /// The weights the text scorer combines its parts with.
    pub weights: ScoreWeights,
}

impl Default for EvaluationOptions {
    fn default() -> Self {
        EvaluationOptions {
            window_seconds: 60.0,
            step_seconds: 15.0,
            after_seconds: 3.0,
            zone: ReactionZone::WindowAndAfter,
            ks: vec![3, 5],
            split: Split::All,
            seed: 7,
            random_draws: 20,
            weights: ScoreWeights::default(),
        }
    }
}

/// A ranking method compared in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// The select crate's scorer on the window's words only.
    TextScorer,
    /// One part of the text scorer alone (one of [`PART_NAMES`]).
    Part(&'static str),
    /// The audience-reaction text model alone (the main text signal of `engagement`).
    ReactionModel,
    /// The audience-reaction model read from sentence embeddings ([`crate::semantic_reaction`]);
    /// measured only when the talks' sentences were embedded.
    SemanticReaction,
    /// Random scores, averaged over several seeded draws.
    Random,
    /// Later windows first (talks build to their payoff; the closing applause comes last).
    PositionLater,
    /// Windows with the fewest words first: a probe for a timing leak (a reaction's time
    /// showing up as fewer words), which the protocol must keep near chance.
    FewestWords,
    /// The reaction rate per tenth of the talk, learned on the other split's talks (on the same
    /// talks with `Split::All`, so then in-sample).
    PositionPrior,
}

impl Method {
    /// Every method, in report order: the scorer, its parts, the reaction model, the baselines.
    pub fn all() -> Vec<Method> {
        let mut methods = vec![Method::TextScorer];
        methods.extend(PART_NAMES.iter().map(|name| Method::Part(name)));
        methods.extend([
            Method::ReactionModel,
            Method::Random,
            Method::PositionLater,
            Method::PositionPrior,
            Method::FewestWords,
        ]);
        methods
    }

    /// [`Method::all`], with the sentence-embedding reaction model after the word-rate one
    /// when `semantic` (the talks' sentences were embedded).
    pub fn all_with(semantic: bool) -> Vec<Method> {
        let mut methods = Method::all();
        if semantic {
            let at = methods.iter().position(|m| *m == Method::ReactionModel).map_or(methods.len(), |i| i + 1);
            methods.insert(at, Method::SemanticReaction);
        }
        methods
    }

    /// Short name, as in reports.
    pub fn name(self) -> String {
        match self {
            Method::TextScorer => "text scorer".to_string(),
            Method::Part(name) => format!("part: {name}"),
            Method::ReactionModel => "reaction model".to_string(),
            Method::SemanticReaction => "reaction model (embeddings)".to_string(),
            Method::Random => "random".to_string(),
            Method::PositionLater => "position: later first".to_string(),
            Method::PositionPrior => "position prior".to_string(),
            Method::FewestWords => "leak probe: fewest words first".to_string(),
        }
    }
}

/// Precision@k of one method for one reaction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Precision {
    pub method: Method,
    pub reaction: Reaction,
    pub k: usize,
    /// Mean over the talks with at least one such reaction, 0..1.
    pub value: f64,
}

/// What [`evaluate`] measured.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationReport {
    /// Talks in the split that have at least one whole window.
    pub talks: usize,
    /// Their windows.
    pub windows: usize,
    /// Per reaction: the talks it was measured on (those with at least one such reaction).
    pub talks_with: Vec<(Reaction, usize)>,
    /// Per reaction: the mean share of reacted-to windows per talk (expected random precision).
    pub chance: Vec<(Reaction, f64)>,
    pub precisions: Vec<Precision>,
}

impl EvaluationReport {
    /// Whether the sentence-embedding reaction model was measured.
    pub fn has_semantic(&self) -> bool {
        self.precisions.iter().any(|p| p.method == Method::SemanticReaction)
    }

    /// Precision@k of `method` for `reaction`, when measured.
    pub fn precision(&self, method: Method, reaction: Reaction, k: usize) -> Option<f64> {
        self.precisions.iter().find(|p| p.method == method && p.reaction == reaction && p.k == k).map(|p| p.value)
    }

    /// Chance rate of `reaction`.
    pub fn chance_of(&self, reaction: Reaction) -> Option<f64> {
        self.chance.iter().find(|(r, _)| *r == reaction).map(|(_, rate)| *rate)
    }
}

/// One evaluation window of a talk.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluationWindow {
    pub start: f64,
    pub end: f64,
    /// Whether a laughter / applause cue falls in the window's reaction zone.
    pub laughter: bool,
    pub applause: bool,
}

impl EvaluationWindow {
    /// Whether `reaction` falls in this window's reaction zone.
    pub fn reacted(&self, reaction: Reaction) -> bool {
        match reaction {
            Reaction::Laughter => self.laughter,
            Reaction::Applause => self.applause,
        }
    }
}

/// The text of each cue with every parenthesised marker removed, whitespace collapsed. A `(`
/// left open is closed by the first `)` of the next few cues (a marker that spans cues, such as
/// an audience question); when none comes, only the stray `(` is dropped. A stray `)` is dropped.
///
/// ```
/// use opusclip_select::evaluation::strip_markers;
/// let cues = ["So I said (Laughter) hello.", "(Audience: is it", "true?) Yes it is.", "Option A) wins"];
/// assert_eq!(strip_markers(&cues), ["So I said hello.", "", "Yes it is.", "Option A wins"]);
/// ```
pub fn strip_markers<S: AsRef<str>>(cue_texts: &[S]) -> Vec<String> {
    let mut stripped = Vec::with_capacity(cue_texts.len());
    let mut depth = 0usize;
    let mut open_until: Option<usize> = None;
    for (index, text) in cue_texts.iter().enumerate() {
        if open_until.is_some_and(|last| index > last) {
            depth = 0;
        }
        let text = text.as_ref();
        let mut kept = String::new();
        for (position, character) in text.char_indices() {
            match character {
                '(' if depth > 0 || closes_soon(cue_texts, index, &text[position..]) => depth += 1,
                '(' => {}
                ')' => depth = depth.saturating_sub(1),
                _ if depth == 0 => kept.push(character),
                _ => {}
            }
        }
        open_until = if depth > 0 { open_until.or(Some(index + MAX_MARKER_CUES)) } else { None };
        stripped.push(kept.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    stripped
}

/// Whether a `(` at the start of `rest` (the remainder of cue `index`) is closed in that cue or
/// within the next [`MAX_MARKER_CUES`] cues.
fn closes_soon<S: AsRef<str>>(cue_texts: &[S], index: usize, rest: &str) -> bool {
    rest.contains(')') || cue_texts.iter().skip(index + 1).take(MAX_MARKER_CUES).any(|text| text.as_ref().contains(')'))
}

/// Words from cues, on the talk's timeline with unfilled time cut out: each cue's marker-free
/// words spread evenly from its start up to the next cue with words (the last such cue gets
/// [`LAST_CUE_SECONDS_PER_WORD`] per word), but over at most [`MAX_WORD_SECONDS_OVER_MEDIAN`] ×
/// the talk's median seconds per word. Marker-only cues take no time: word timing carries no
/// trace of a reaction.
pub fn words_from_cues(cues: &[Cue]) -> Vec<Word> {
    Timeline::of(cues).words()
}

/// The whole windows of a talk, with which reactions follow each.
pub fn talk_windows(talk: &Talk, options: &EvaluationOptions) -> Vec<EvaluationWindow> {
    let timeline = Timeline::of(&talk.cues);
    windows_on(talk, &timeline, &timeline.words(), options)
}

/// [`talk_windows`] on the talk's timeline and the words laid on it.
fn windows_on(talk: &Talk, timeline: &Timeline, words: &[Word], options: &EvaluationOptions) -> Vec<EvaluationWindow> {
    let Some(last) = talk.cues.last() else {
        return Vec::new();
    };
    let end_of_talk = words.last().map_or(timeline.at(last.start), |word| word.end.max(timeline.at(last.start)));
    // The talk's opening and closing applause (before its second cue with words, after the start
    // of its last) greet the speaker, not a moment.
    let (second_words, last_words) = (
        timeline.pieces.get(1).map_or(f64::NEG_INFINITY, |piece| piece.0),
        timeline.pieces.last().map_or(f64::INFINITY, |piece| piece.0),
    );
    let greeting = |reaction: Reaction, t: f64| reaction == Reaction::Applause && (t < second_words || t > last_words);
    let reaction_times = |reaction: Reaction| -> Vec<f64> {
        talk.cues
            .iter()
            .filter(|cue| reaction.marks(&cue.text) && !greeting(reaction, cue.start))
            .map(|cue| timeline.at(cue.start))
            .collect()
    };
    let (laughs, applause) = (reaction_times(Reaction::Laughter), reaction_times(Reaction::Applause));
    window_starts(end_of_talk, options.window_seconds, options.step_seconds)
        .into_iter()
        .map(|start| {
            let end = start + options.window_seconds;
            let in_zone = |times: &[f64]| times.iter().any(|&t| in_reaction_zone(t, start, end, options));
            EvaluationWindow { start, end, laughter: in_zone(&laughs), applause: in_zone(&applause) }
        })
        .collect()
}

/// Starts of whole windows of `window` seconds every `step` seconds within `0..end`.
pub fn window_starts(end: f64, window: f64, step: f64) -> Vec<f64> {
    if !(window > 0.0 && step > 0.0 && end.is_finite()) {
        return Vec::new();
    }
    (0..).map(|index| index as f64 * step).take_while(|start| start + window <= end + 1e-9).collect()
}

fn in_reaction_zone(time: f64, start: f64, end: f64, options: &EvaluationOptions) -> bool {
    let zone_start = match options.zone {
        ReactionZone::WindowAndAfter => start,
        ReactionZone::OnlyAfter => end,
    };
    time >= zone_start && time <= end + options.after_seconds
}

/// The clip scorer's total for each `(start, end)` span of a talk, from its words alone (no
/// audio, no visual signals), as `opusclip clip` would score a window of the talk's whole
/// sentences. The one place the evaluation calls the scorer.
pub fn text_only_scores(words: &[Word], spans: &[(f64, f64)], weights: &ScoreWeights) -> Vec<f64> {
    text_only_rankings(words, spans, weights).into_iter().map(|ranking| ranking.total).collect()
}

/// What the text-only path says about one window: the scorer's total, each part's value and
/// the reaction model's probability (0 when the window has too few words to measure).
#[derive(Debug, Clone, PartialEq)]
pub struct WindowRanking {
    pub total: f64,
    /// Part values in [`PART_NAMES`] order.
    pub parts: Vec<f64>,
    pub reaction: f64,
    /// The sentence-embedding reaction model's score, when the sentences were embedded.
    pub semantic: Option<f64>,
}

impl WindowRanking {
    /// The value `method` ranks by, for the text-derived methods.
    fn value(&self, method: Method) -> Option<f64> {
        match method {
            Method::TextScorer => Some(self.total),
            Method::Part(name) => PART_NAMES.iter().position(|part| *part == name).map(|index| self.parts[index]),
            Method::ReactionModel => Some(self.reaction),
            Method::SemanticReaction => self.semantic,
            _ => None,
        }
    }
}

/// [`text_only_scores`] with every part and the reaction model's probability.
pub fn text_only_rankings(words: &[Word], spans: &[(f64, f64)], weights: &ScoreWeights) -> Vec<WindowRanking> {
    text_only_rankings_with(words, spans, weights, None)
}

/// [`text_only_rankings`]; with `sentence_embeddings` (one per sentence of `words`, as
/// [`sentences`] splits them) the scorer reads reactions from meaning, as `opusclip clip` does
/// when the embedding model is installed, and the embedding model's own score is reported.
pub fn text_only_rankings_with(
    words: &[Word],
    spans: &[(f64, f64)],
    weights: &ScoreWeights,
    sentence_embeddings: Option<Arc<Vec<Vec<f32>>>>,
) -> Vec<WindowRanking> {
    let sentences = sentences(words);
    let mut scorer = ClipScorer::new(*weights, SelectOptions::default().lengths);
    scorer.sentence_embeddings = sentence_embeddings.filter(|embeddings| embeddings.len() == sentences.len());
    let duration = words.last().map_or(0.0, |word| word.end);
    let signals = Signals::empty(duration);
    spans
        .iter()
        .map(|&(start, end)| {
            let window = Window::over(&sentences, start, end);
            if window.first_sentence == window.end_sentence {
                // No whole sentence inside: nothing to clip, so it ranks last.
                let semantic = scorer.sentence_embeddings.as_ref().map(|_| f64::NEG_INFINITY);
                return WindowRanking { total: 0.0, parts: vec![0.0; PART_NAMES.len()], reaction: 0.0, semantic };
            }
            let score = scorer.score(&window, &sentences, words, &signals);
            let view = WindowView::new(&window, &sentences, words, &signals);
            WindowRanking {
                total: score.total,
                parts: PART_NAMES.iter().map(|name| score.parts.get(*name).map_or(0.0, |part| part.value)).collect(),
                reaction: window_reaction_features(&view).map_or(0.0, |features| REACTION_MODEL.probability(&features)),
                semantic: scorer
                    .sentence_embeddings
                    .as_ref()
                    .map(|_| scorer.semantic_reaction(&view).map_or(f64::NEG_INFINITY, |estimate| estimate.score)),
            }
        })
        .collect()
}

/// Share of reacted-to windows among the `k` best-scored (ties: the earlier window); the
/// denominator is `min(k, windows)`. 0 without windows.
pub fn precision_at_k(scores: &[f64], reacted: &[bool], k: usize) -> f64 {
    let taken = k.min(scores.len()).min(reacted.len());
    if taken == 0 {
        return 0.0;
    }
    let mut order: Vec<usize> = (0..scores.len().min(reacted.len())).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    order[..taken].iter().filter(|&&index| reacted[index]).count() as f64 / taken as f64
}

/// [`precision_at_k`] over windows that may overlap: the k best-scored windows taken in score
/// order (ties: the earlier), each skipped when it overlaps one already taken — one laugh can
/// no longer make five neighbouring windows "right". The denominator is how many were taken.
/// 0 without windows.
pub fn precision_at_k_disjoint(scores: &[f64], reacted: &[bool], spans: &[(f64, f64)], k: usize) -> f64 {
    let count = scores.len().min(reacted.len()).min(spans.len());
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut taken: Vec<usize> = Vec::with_capacity(k);
    for index in order {
        if taken.len() >= k {
            break;
        }
        let (start, end) = spans[index];
        if taken.iter().all(|&other| spans[other].1 <= start || end <= spans[other].0) {
            taken.push(index);
        }
    }
    if taken.is_empty() {
        return 0.0;
    }
    taken.iter().filter(|&&index| reacted[index]).count() as f64 / taken.len() as f64
}

/// `count` pseudo-random scores in 0..1 from `seed` (SplitMix64): the same seed, the same scores.
pub fn random_scores(count: usize, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            (z ^ (z >> 31)) as f64 / u64::MAX as f64
        })
        .collect()
}

/// Position-only scores: the window's index, so later windows rank first.
pub fn later_first_scores(count: usize) -> Vec<f64> {
    (0..count).map(|index| index as f64).collect()
}

/// The reaction rate of windows by relative position in their talk ([`POSITION_BINS`] bins).
#[derive(Debug, Clone, PartialEq)]
pub struct PositionPrior {
    /// Reacted-to share per bin (0 for a bin without windows).
    pub rate_per_bin: Vec<f64>,
}

impl PositionPrior {
    /// Learned from the windows of some talks.
    pub fn fit<'a>(talks: impl IntoIterator<Item = &'a [EvaluationWindow]>, reaction: Reaction) -> PositionPrior {
        let mut reacted = [0.0; POSITION_BINS];
        let mut seen = [0.0; POSITION_BINS];
        for windows in talks {
            for (index, window) in windows.iter().enumerate() {
                let bin = position_bin(index, windows.len());
                seen[bin] += 1.0;
                reacted[bin] += f64::from(u8::from(window.reacted(reaction)));
            }
        }
        let rate_per_bin = reacted.iter().zip(&seen).map(|(r, s)| if *s > 0.0 { r / s } else { 0.0 }).collect();
        PositionPrior { rate_per_bin }
    }

    /// Scores for a talk of `count` windows: its bin's rate; within a bin the later window
    /// ranks first (a bin's rate is about its whole span, and talks close on their payoff).
    pub fn scores(&self, count: usize) -> Vec<f64> {
        (0..count)
            .map(|index| self.rate_per_bin[position_bin(index, count)] + 1e-9 * (index as f64 + 1.0) / count as f64)
            .collect()
    }
}

fn position_bin(index: usize, count: usize) -> usize {
    if count == 0 {
        return 0;
    }
    let relative = (index as f64 + 0.5) / count as f64;
    ((relative * POSITION_BINS as f64) as usize).min(POSITION_BINS - 1)
}

/// A talk ready to rank: its windows, words and which reactions it has at all.
#[derive(Debug, Clone)]
pub(crate) struct PreparedTalk {
    pub(crate) key: String,
    pub(crate) windows: Vec<EvaluationWindow>,
    pub(crate) words: Vec<Word>,
    pub(crate) marked: Vec<Reaction>,
}

/// The talks of `split` that have at least one whole window.
pub(crate) fn prepare(talks: &[Talk], split: Split, options: &EvaluationOptions) -> Vec<PreparedTalk> {
    talks
        .iter()
        .filter(|talk| split.contains(&talk.key))
        .map(|talk| {
            let timeline = Timeline::of(&talk.cues);
            let words = timeline.words();
            let windows = windows_on(talk, &timeline, &words, options);
            // Marked: a counted reaction (not the opening or closing applause) reaches a window.
            let marked = Reaction::ALL
                .into_iter()
                .filter(|&reaction| windows.iter().any(|window| window.reacted(reaction)))
                .collect();
            PreparedTalk { key: talk.key.clone(), windows, words, marked }
        })
        .filter(|talk| !talk.windows.is_empty())
        .collect()
}

/// Evaluate every method on the talks of `options.split`. A reaction is measured on the talks
/// that have at least one such marker (README: "talks with at least one marker").
pub fn evaluate(talks: &[Talk], options: &EvaluationOptions) -> EvaluationReport {
    evaluate_with_embeddings(talks, options, None)
}

/// [`evaluate`]; with `embeddings` (each talk's sentence embeddings by talk key, see
/// [`crate::evaluation_semantic::talk_sentence_texts`]) the scorer reads reactions from meaning
/// and the embedding reaction model is ranked alone too.
pub fn evaluate_with_embeddings(
    talks: &[Talk],
    options: &EvaluationOptions,
    embeddings: Option<&TalkEmbeddings>,
) -> EvaluationReport {
    let evaluated = prepare(talks, options.split, options);
    let training = if options.split == Split::All {
        evaluated.clone()
    } else {
        prepare(talks, options.split.complement(), options)
    };
    let text_rankings: Vec<Vec<WindowRanking>> = evaluated
        .iter()
        .map(|talk| {
            let spans: Vec<(f64, f64)> = talk.windows.iter().map(|window| (window.start, window.end)).collect();
            let talk_embeddings = embeddings.and_then(|all| all.get(&talk.key)).cloned();
            text_only_rankings_with(&talk.words, &spans, &options.weights, talk_embeddings)
        })
        .collect();
    let mut report = EvaluationReport {
        talks: evaluated.len(),
        windows: evaluated.iter().map(|talk| talk.windows.len()).sum(),
        talks_with: Vec::new(),
        chance: Vec::new(),
        precisions: Vec::new(),
    };
    for reaction in Reaction::ALL {
        let prior = PositionPrior::fit(training.iter().map(|talk| talk.windows.as_slice()), reaction);
        let measured: Vec<usize> =
            (0..evaluated.len()).filter(|&talk| evaluated[talk].marked.contains(&reaction)).collect();
        report.talks_with.push((reaction, measured.len()));
        let chance = mean(measured.iter().map(|&talk| {
            let windows = &evaluated[talk].windows;
            windows.iter().filter(|window| window.reacted(reaction)).count() as f64 / windows.len() as f64
        }));
        report.chance.push((reaction, chance));
        for method in Method::all_with(embeddings.is_some()) {
            for &k in &options.ks {
                let value = mean(measured.iter().map(|&talk| {
                    let windows = &evaluated[talk].windows;
                    let reacted: Vec<bool> = windows.iter().map(|window| window.reacted(reaction)).collect();
                    let spans: Vec<(f64, f64)> = windows.iter().map(|window| (window.start, window.end)).collect();
                    let judged = Judged { reacted: &reacted, spans: &spans, words: &evaluated[talk].words, k };
                    method_precision(method, judged, &text_rankings[talk], &prior, (talk, options))
                }));
                report.precisions.push(Precision { method, reaction, k, value });
            }
        }
    }
    report
}

/// One talk's windows as judged: which were reacted to, their spans, and how many to take.
#[derive(Clone, Copy)]
struct Judged<'a> {
    reacted: &'a [bool],
    spans: &'a [(f64, f64)],
    words: &'a [Word],
    k: usize,
}

/// Precision@k of one method on one talk, its top k taken without overlap
/// ([`precision_at_k_disjoint`]) — the random baseline under the same rule.
fn method_precision(
    method: Method,
    judged: Judged,
    text_rankings: &[WindowRanking],
    prior: &PositionPrior,
    (talk, options): (usize, &EvaluationOptions),
) -> f64 {
    let Judged { reacted, spans, words, k } = judged;
    let count = reacted.len();
    let precision = |scores: &[f64]| precision_at_k_disjoint(scores, reacted, spans, k);
    match method {
        Method::TextScorer | Method::Part(_) | Method::ReactionModel | Method::SemanticReaction => {
            let scores: Vec<f64> = text_rankings.iter().map(|r| r.value(method).unwrap_or(0.0)).collect();
            precision(&scores)
        }
        Method::Random => mean((0..options.random_draws.max(1)).map(|draw| {
            let seed = options.seed ^ fnv1a(&format!("{talk}/{draw}"));
            precision(&random_scores(count, seed))
        })),
        Method::PositionLater => precision(&later_first_scores(count)),
        Method::PositionPrior => precision(&prior.scores(count)),
        Method::FewestWords => {
            // Words are in time order: a window's count is the difference of two positions.
            let starting_before = |t: f64| words.partition_point(|word| word.start < t);
            let scores: Vec<f64> =
                spans.iter().map(|&(start, end)| -((starting_before(end) - starting_before(start)) as f64)).collect();
            precision(&scores)
        }
    }
}

pub(crate) fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0usize), |(sum, count), value| (sum + value, count + 1));
    if count == 0 {
        0.0
    } else {
        sum / count as f64
    }
}

/// FNV-1a, 64-bit: a stable hash (unlike `std`'s, it never changes between builds).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
#[path = "evaluation_tests.rs"]
mod tests;

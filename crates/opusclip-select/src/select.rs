//! Choosing clips from a transcript: every run of whole sentences that fits a length range and
//! the timeframe, refined ([`crate::refine`]), scored, chosen by score with a diversity penalty
//! and without overlap, then padded into silence and snapped to cuts. Also the scoring and
//! greedy choice shared with the path without words.

use crate::dead_air::{dead_air, words_within};
use crate::options::SelectOptions;
use crate::ranges::LengthRange;
use crate::refine::{RefineContext, LEAD_PAD_MAX, TAIL_PAD_MAX};
use crate::score::{Scorer, Setup, Window};
use crate::sentences::sentences;
use crate::setups::find_setup;
use crate::signals::Signals;
use crate::visual::KEYFRAME_CUT_SCORE;
use opusclip_core::{Candidate, KeptRange, Result, Score, Sentence, Word};
use std::collections::{BTreeMap, BTreeSet};

/// Decimals a total keeps for ranking.
const TOTAL_DECIMALS: i32 = 6;
/// Weight of the diversity penalty: a window saying the same as one already chosen loses up to
/// this share of 100 points when ranking (maximal marginal relevance; never a filter).
pub const DIVERSITY_WEIGHT: f64 = 0.3;
/// Only the best windows by score compete in the diversity-aware choice.
const DIVERSE_POOL: usize = 4000;

/// A window with its score, and the longest a clip made from it may become when padded.
#[derive(Debug, Clone)]
pub(crate) struct ScoredWindow {
    pub window: Window,
    pub score: Score,
    pub max_seconds: f64,
    /// More than [`crate::dead_air::MAX_DEAD_SHARE`] dead air: ranks below every window that is not.
    pub too_silent: bool,
}

/// A run of sentences `[first, end)` proposed as a clip, with the longest length it may pad to.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Span {
    first: usize,
    end: usize,
    max_seconds: f64,
}

/// Choose up to `options.clips` non-overlapping clips from a transcript, best first.
///
/// Every run of consecutive sentences inside the timeframe whose span fits one of the length
/// ranges is refined by the boundary rules ([`RefineContext::refine_span`]); the refined runs
/// that break no rule are chosen first, by score with the [`DIVERSITY_WEIGHT`] penalty, then
/// those that still break one, then (only when N clips do not fit otherwise) the unrefined
/// runs, so N clips come back whenever N non-overlapping runs fit. Chosen clips are padded and
/// snapped ([`RefineContext::pad_and_snap`]) without overlapping each other, and scored again as
/// cut (ranked by that score). None when the transcript is empty. Errors only for invalid
/// `options`.
pub fn select_clips(
    words: &[Word],
    signals: &Signals,
    options: &SelectOptions,
    scorer: &dyn Scorer,
) -> Result<Vec<Candidate>> {
    options.validate()?;
    let sentences = sentences(words);
    let Some(last) = sentences.last() else {
        return Ok(Vec::new());
    };
    let duration = if signals.duration.is_finite() { signals.duration.max(last.end) } else { last.end };
    let cuts = signals.cut_times(KEYFRAME_CUT_SCORE);
    let context = RefineContext::new(&sentences, words, signals, &cuts, options.bounds(duration));
    let (refined, raw) = candidate_spans(&context, &options.lengths);
    let score = |spans: Vec<Span>| with_setups(score_spans(spans, &context, scorer), &context, scorer);
    let (clean, broken): (Vec<Span>, Vec<Span>) =
        refined.into_iter().partition(|span| context.issues(span.first, span.end).is_empty());
    // Tiers, each chosen from only when the ones before leave room: refined runs that break no
    // rule, those that break one, the unrefined runs — and last, any of them with too much dead
    // air, which never ranks above a spoken window.
    let mut too_silent: Vec<ScoredWindow> = Vec::new();
    let mut tiers: Vec<Vec<ScoredWindow>> = [clean, broken, raw]
        .into_iter()
        .map(|tier| {
            let (silent, spoken): (Vec<ScoredWindow>, Vec<ScoredWindow>) =
                score(tier).into_iter().partition(|scored| scored.too_silent);
            too_silent.extend(silent);
            spoken
        })
        .collect();
    tiers.push(too_silent);
    let mut chosen: Vec<ScoredWindow> = Vec::new();
    for tier in tiers {
        if chosen.len() >= options.clips {
            break;
        }
        let more = choose_diverse(tier, options.clips - chosen.len(), &sentences, &chosen);
        chosen.extend(more);
    }
    let placed = place(&chosen, &context);
    // Scored again as cut (padded), so every reason describes the clip the manifest lists.
    let mut final_windows: Vec<Window> = chosen
        .iter()
        .zip(placed)
        .map(|(scored, placed)| Window {
            start: placed.start,
            end: placed.end,
            setup: scored.window.setup.zip(placed.setup).map(|(setup, (start, end))| Setup { start, end, ..setup }),
            ..scored.window
        })
        .collect();
    final_windows.sort_by(|a, b| a.span_start().total_cmp(&b.span_start()));
    let mut rescored = score_windows(final_windows, &sentences, words, signals, scorer);
    sort_by_rank(&mut rescored);
    Ok(rescored
        .into_iter()
        .map(|scored| {
            let text = window_text(&scored.window, &sentences);
            to_candidate(scored, text)
        })
        .collect())
}

/// The refined runs, and the unrefined runs that refinement moved away from (the fallback).
fn candidate_spans(context: &RefineContext, lengths: &[LengthRange]) -> (Vec<Span>, Vec<Span>) {
    let mut refined: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    let mut raw: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for range in lengths {
        for (first, end) in fitting_runs(context, *range) {
            let keep_longest = |max: &mut f64| *max = max.max(range.max_seconds);
            raw.entry((first, end)).and_modify(keep_longest).or_insert(range.max_seconds);
            let span = context.refine_span(first, end, *range);
            refined.entry((span.first, span.end)).and_modify(keep_longest).or_insert(range.max_seconds);
        }
    }
    let spans = |map: BTreeMap<(usize, usize), f64>| -> Vec<Span> {
        map.into_iter().map(|((first, end), max_seconds)| Span { first, end, max_seconds }).collect()
    };
    raw.retain(|key, _| !refined.contains_key(key));
    (spans(refined), spans(raw))
}

/// Every run of sentences inside the context's bounds whose span fits `range`.
fn fitting_runs(context: &RefineContext, range: LengthRange) -> Vec<(usize, usize)> {
    let sentences = context.sentences;
    let mut runs = Vec::new();
    for first in 0..sentences.len() {
        let starts_inside = sentences[first].start >= context.bounds.0;
        if !starts_inside {
            continue;
        }
        for end in first + 1..=sentences.len() {
            let span = context.span_seconds(first, end);
            if span > range.max_seconds || sentences[end - 1].end > context.bounds.1 {
                break;
            }
            if range.fits(span) {
                runs.push((first, end));
            }
        }
    }
    runs
}

fn score_spans(spans: Vec<Span>, context: &RefineContext, scorer: &dyn Scorer) -> Vec<ScoredWindow> {
    let windows = spans.iter().map(|span| Window {
        start: context.sentences[span.first].start,
        end: context.sentences[span.end - 1].end,
        first_sentence: span.first,
        end_sentence: span.end,
        setup: None,
    });
    let maxima: Vec<f64> = spans.iter().map(|span| span.max_seconds).collect();
    let mut scored = score_windows(windows.collect(), context.sentences, context.words, context.signals, scorer);
    for (scored, max_seconds) in scored.iter_mut().zip(maxima) {
        scored.max_seconds = max_seconds;
    }
    scored
}

/// The windows, and beside each that opens on the answer to a question asked further back the
/// same window joined to that question ([`find_setup`]), when the joined clip scores at least as
/// well (its hook is then the question, and its coherence says why the two belong together).
/// Both compete in the choice; the joined one occupies the source from the question on.
fn with_setups(scored: Vec<ScoredWindow>, context: &RefineContext, scorer: &dyn Scorer) -> Vec<ScoredWindow> {
    let mut all = Vec::with_capacity(scored.len());
    for alone in scored {
        let joined = joined_to_setup(&alone, context, scorer).filter(|joined| joined.score.total >= alone.score.total);
        all.extend(joined);
        all.push(alone);
    }
    all
}

/// `alone` joined to the question it answers, scored, when there is one.
fn joined_to_setup(alone: &ScoredWindow, context: &RefineContext, scorer: &dyn Scorer) -> Option<ScoredWindow> {
    let playable = alone.max_seconds - LEAD_PAD_MAX - TAIL_PAD_MAX;
    let matched = find_setup(context, &alone.window, playable)?;
    let window = Window { setup: Some(matched.setup), ..alone.window };
    let mut joined = score_windows(vec![window], context.sentences, context.words, context.signals, scorer).pop()?;
    joined.max_seconds = alone.max_seconds;
    Some(joined)
}

/// Where a chosen window plays once padded and snapped: its span, and its setup's.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Placed {
    start: f64,
    end: f64,
    setup: Option<(f64, f64)>,
}

impl Placed {
    fn span_start(&self) -> f64 {
        self.setup.map_or(self.start, |(start, _)| start)
    }
}

/// The padded, snapped place of each chosen window (in the order given); where the padding of
/// two neighbours would overlap, both stop at the middle of the silence between them. A setup
/// is padded as a run of its own, within what is left of the clip's maximum.
fn place(chosen: &[ScoredWindow], context: &RefineContext) -> Vec<Placed> {
    let mut placed: Vec<Placed> = chosen
        .iter()
        .map(|scored| {
            let window = &scored.window;
            let setup_seconds = window.setup.map_or(0.0, |setup| setup.end - setup.start);
            let main_max = scored.max_seconds - setup_seconds;
            let (start, end) = context.pad_and_snap(window.first_sentence, window.end_sentence, main_max);
            let setup = window.setup.map(|setup| {
                let left = scored.max_seconds - (end - start);
                let (from, to) = context.pad_and_snap(setup.sentence, setup.sentence + 1, left.max(setup_seconds));
                (from, to.min(start))
            });
            Placed { start, end, setup }
        })
        .collect();
    let mut order: Vec<usize> = (0..chosen.len()).collect();
    order.sort_by(|&a, &b| chosen[a].window.span_start().total_cmp(&chosen[b].window.span_start()));
    for pair in order.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        let (speech_end, speech_start) = (chosen[before].window.end, chosen[after].window.span_start());
        if placed[before].end > placed[after].span_start() {
            let middle = (speech_end + speech_start) / 2.0;
            placed[before].end = placed[before].end.min(middle).max(speech_end);
            let start = placed[after].span_start().max(middle).min(speech_start);
            match &mut placed[after].setup {
                Some(setup) => setup.0 = start,
                None => placed[after].start = start,
            }
        }
    }
    placed
}

/// Score every window. Totals are rounded to [`TOTAL_DECIMALS`] decimals so floating-point noise
/// never decides a tie (ties go to the earlier window); a total outside 0..100 is clamped and
/// one that is not a number counts as 0, so the ranking stays total.
pub(crate) fn score_windows(
    windows: Vec<Window>,
    sentences: &[Sentence],
    words: &[Word],
    signals: &Signals,
    scorer: &dyn Scorer,
) -> Vec<ScoredWindow> {
    windows
        .into_iter()
        .map(|window| {
            let mut score = scorer.score(&window, sentences, words, signals);
            score.total = rank_total(score.total);
            let spoken = words_within(words, window.start, window.end);
            let too_silent = dead_air(window.start, window.end, spoken, signals).too_much();
            ScoredWindow { window, score, max_seconds: window.duration(), too_silent }
        })
        .collect()
}

/// A total as ranked: clamped to 0..100, rounded, NaN made 0.
fn rank_total(total: f64) -> f64 {
    if total.is_nan() {
        return 0.0;
    }
    let scale = 10f64.powi(TOTAL_DECIMALS);
    (total.clamp(0.0, 100.0) * scale).round() / scale
}

/// Rank by total (descending; ties: earlier start, then earlier end) and take windows that do
/// not overlap any taken before, until `clips` are taken.
pub(crate) fn choose_greedily(mut scored: Vec<ScoredWindow>, clips: usize) -> Vec<ScoredWindow> {
    sort_by_rank(&mut scored);
    let mut chosen: Vec<ScoredWindow> = Vec::with_capacity(clips);
    for candidate in scored {
        if chosen.len() >= clips {
            break;
        }
        if chosen.iter().all(|taken| !taken.window.overlaps(&candidate.window)) {
            chosen.push(candidate);
        }
    }
    chosen
}

/// Up to `clips` more windows that overlap neither each other nor `already`: each next one is
/// the best by `total − DIVERSITY_WEIGHT × 100 × similarity` to the clips taken so far (Jaccard
/// similarity of content words), so N clips cover N different moments when the talk repeats
/// itself. Returned best total first.
pub(crate) fn choose_diverse(
    mut scored: Vec<ScoredWindow>,
    clips: usize,
    sentences: &[Sentence],
    already: &[ScoredWindow],
) -> Vec<ScoredWindow> {
    sort_by_rank(&mut scored);
    let free = |window: &Window| already.iter().all(|taken| !taken.window.overlaps(window));
    scored.retain(|candidate| free(&candidate.window));
    let pool = scored.len().min(DIVERSE_POOL.max(clips));
    let vocabulary = |window: &Window| content_words(&window_text(window, sentences));
    let taken_before: Vec<BTreeSet<String>> = already.iter().map(|s| vocabulary(&s.window)).collect();
    let pool_words: Vec<BTreeSet<String>> = scored[..pool].iter().map(|s| vocabulary(&s.window)).collect();
    let mut taken: Vec<usize> = Vec::with_capacity(clips);
    while taken.len() < clips {
        let mut best: Option<(f64, usize)> = None;
        for (index, candidate) in scored[..pool].iter().enumerate() {
            if taken.iter().any(|&t| t == index || scored[t].window.overlaps(&candidate.window)) {
                continue;
            }
            let similarity = taken
                .iter()
                .map(|&t| &pool_words[t])
                .chain(&taken_before)
                .map(|other| jaccard(&pool_words[index], other))
                .fold(0.0, f64::max);
            let value = candidate.score.total - DIVERSITY_WEIGHT * 100.0 * similarity;
            if best.is_none_or(|(best_value, _)| value > best_value + 1e-9) {
                best = Some((value, index));
            }
        }
        match best {
            Some((_, index)) => taken.push(index),
            None => break,
        }
    }
    // Past the pool, plain greedy: N clips come back whenever N non-overlapping ones fit.
    for index in pool..scored.len() {
        if taken.len() >= clips {
            break;
        }
        if taken.iter().all(|&t| !scored[t].window.overlaps(&scored[index].window)) {
            taken.push(index);
        }
    }
    let mut chosen: Vec<ScoredWindow> = taken.into_iter().map(|index| scored[index].clone()).collect();
    sort_by_rank(&mut chosen);
    chosen
}

fn content_words(text: &str) -> BTreeSet<String> {
    crate::lexicon::content_words(text).collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Rank: windows with too much dead air last, then by total (descending), then earlier start
/// and end.
fn sort_by_rank(scored: &mut [ScoredWindow]) {
    scored.sort_by(|a, b| {
        a.too_silent
            .cmp(&b.too_silent)
            .then(b.score.total.total_cmp(&a.score.total))
            .then(a.window.start.total_cmp(&b.window.start))
            .then(a.window.end.total_cmp(&b.window.end))
    });
}

/// The candidate for a chosen window.
pub(crate) fn to_candidate(scored: ScoredWindow, text: String) -> Candidate {
    let window = scored.window;
    let kept_ranges = match window.setup {
        Some(setup) => {
            vec![KeptRange { start: setup.start, end: setup.end }, KeptRange { start: window.start, end: window.end }]
        }
        None => Vec::new(),
    };
    Candidate {
        start: window.span_start(),
        end: window.end,
        first_sentence: window.first_sentence,
        end_sentence: window.end_sentence,
        score: scored.score,
        text,
        kept_ranges,
    }
}

/// The texts of the window's sentences (its setup's first) joined with spaces.
pub(crate) fn window_text(window: &Window, sentences: &[Sentence]) -> String {
    let setup = window.setup.and_then(|setup| sentences.get(setup.sentence));
    setup
        .into_iter()
        .chain(&sentences[window.first_sentence..window.end_sentence])
        .map(|sentence| sentence.text.as_str())
        .filter(|text| !text.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
#[path = "select_tests.rs"]
mod tests;

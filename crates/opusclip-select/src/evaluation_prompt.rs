//! Measuring where `--prompt`'s match by meaning should start and saturate
//! ([`PROMPT_COSINE_NONE`], [`PROMPT_COSINE_FULL`]): each evaluation talk's headline stands for
//! a prompt, and the blended cosine ([`blended_cosine`]) of every window is taken against the
//! talk's own headline and against the headlines of [`OTHER_TALKS`] other talks. Windows of other
//! talks show what a prompt gives stretches about something else (the no-match cut-off should
//! sit near their 90th percentile); each talk's best window against its own headline shows what
//! a stretch on the prompt's topic reaches (the full-match cut-off near their median). Pure: the
//! caller embeds.

use crate::semantic::{blended_cosine, PromptMeaning, PROMPT_COSINE_FULL, PROMPT_COSINE_NONE};
use opusclip_core::stats::interpolated_percentile;
use std::ops::Range;

/// How many other talks' headlines each talk's windows are compared with (the next ones, in
/// order, wrapping around).
pub const OTHER_TALKS: usize = 5;

/// One talk: its headline's embedding, its sentences' embeddings and its windows as sentence
/// ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptTalk<'a> {
    pub headline: Vec<f32>,
    pub sentences: &'a [Vec<f32>],
    pub windows: Vec<Range<usize>>,
}

/// A distribution by its percentiles ([`interpolated_percentile`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percentiles {
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
}

/// What the measurement found, against the shipped cut-offs.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptCutoffReport {
    pub talks: usize,
    /// Blended cosines of windows against other talks' headlines.
    pub other_windows: Percentiles,
    pub other_window_count: usize,
    /// Each talk's best blended cosine against its own headline.
    pub own_best: Percentiles,
    /// Share of other talks' windows above [`PROMPT_COSINE_NONE`] (lifted by an unrelated prompt).
    pub other_share_matched: f64,
    /// Share of talks whose best window reaches [`PROMPT_COSINE_FULL`] against its own headline.
    pub own_best_share_full: f64,
}

/// The measurement over `talks`; `None` when fewer than two talks have windows or no cosine is
/// finite.
pub fn prompt_cutoff_report(talks: &[PromptTalk]) -> Option<PromptCutoffReport> {
    let talks: Vec<&PromptTalk> = talks.iter().filter(|talk| !talk.windows.is_empty()).collect();
    if talks.len() < 2 {
        return None;
    }
    let mut other = Vec::new();
    let mut own_best = Vec::new();
    for (index, talk) in talks.iter().enumerate() {
        own_best.push(window_cosines(&talk.headline, talk).into_iter().fold(f64::NEG_INFINITY, f64::max));
        for step in 1..=OTHER_TALKS.min(talks.len() - 1) {
            let prompt = &talks[(index + step) % talks.len()].headline;
            other.extend(window_cosines(prompt, talk));
        }
    }
    let share = |values: &[f64], test: &dyn Fn(f64) -> bool| {
        values.iter().filter(|&&v| test(v)).count() as f64 / values.len() as f64
    };
    let other_share_matched = share(&other, &|v| v > PROMPT_COSINE_NONE);
    let own_best_share_full = share(&own_best, &|v| v >= PROMPT_COSINE_FULL);
    Some(PromptCutoffReport {
        talks: talks.len(),
        other_windows: percentiles(&other)?,
        other_window_count: other.len(),
        own_best: percentiles(&own_best)?,
        other_share_matched,
        own_best_share_full,
    })
}

/// The blended cosine of each of the talk's windows with `prompt`.
fn window_cosines(prompt: &[f32], talk: &PromptTalk) -> Vec<f64> {
    let meaning = PromptMeaning::new(prompt, talk.sentences);
    talk.windows
        .iter()
        .filter_map(|range| meaning.window(range.clone()))
        .map(|found| blended_cosine(found.best, found.mean))
        .collect()
}

/// The 10th, 50th, 90th and 95th percentiles of the finite `values`; `None` when there are none.
pub fn percentiles(values: &[f64]) -> Option<Percentiles> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let at = |fraction: f64| interpolated_percentile(&sorted, fraction);
    Some(Percentiles { p10: at(0.10), p50: at(0.50), p90: at(0.90), p95: at(0.95) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let values: Vec<f64> = (0..=10).map(f64::from).collect();
        let found = percentiles(&values).expect("values");
        assert_eq!((found.p10, found.p50, found.p90), (1.0, 5.0, 9.0));
        assert!((found.p95 - 9.5).abs() < 1e-12);
        assert_eq!(percentiles(&[1.0, 0.0, f64::NAN]).map(|p| p.p50), Some(0.5), "NaN dropped, then sorted");
        assert_eq!(percentiles(&[]), None);
    }

    /// Talk `topic` has sentences along axis `topic` (with a little of axis 3) and a headline on
    /// the same axis.
    fn sentences(topic: usize) -> Vec<Vec<f32>> {
        (0..6)
            .map(|i| {
                let mut v = vec![0.0f32; 4];
                v[topic] = 1.0;
                v[3] = 0.1 * i as f32;
                v
            })
            .collect()
    }

    #[test]
    fn own_headlines_match_and_other_talks_do_not() {
        let all: Vec<Vec<Vec<f32>>> = (0..3).map(sentences).collect();
        let talks: Vec<PromptTalk> = (0..3)
            .map(|topic| {
                let mut headline = vec![0.0f32; 4];
                headline[topic] = 1.0;
                PromptTalk { headline, sentences: &all[topic], windows: vec![0..3, 3..6] }
            })
            .collect();
        let report = prompt_cutoff_report(&talks).expect("a report");
        assert_eq!(report.talks, 3);
        assert_eq!(report.other_window_count, 3 * 2 * 2, "two other talks, two windows each");
        assert!(report.other_windows.p95.abs() < 1e-9, "orthogonal topics: {report:?}");
        assert!(report.own_best.p10 > 0.95, "{report:?}");
        assert_eq!(report.other_share_matched, 0.0);
        assert_eq!(report.own_best_share_full, 1.0);
        assert!(prompt_cutoff_report(&talks[..1]).is_none(), "one talk has no other talk");
        let mut with_empty = talks.clone();
        with_empty.push(PromptTalk { headline: vec![1.0, 0.0, 0.0, 0.0], sentences: &[], windows: Vec::new() });
        assert_eq!(prompt_cutoff_report(&with_empty), Some(report), "a talk without windows is left out");
    }
}

//! The evaluation report: one row per scored transcript, totals pooled over them, and the
//! plain-text table `opusclip eval asr` prints (the JSON form is these types serialised).

use super::dataset::WordCheckOutcome;
use super::metrics::{AsrScore, TIMING_TOLERANCES};
use super::references::TimingDetail;
use serde::Serialize;
use std::fmt::Write as _;

/// One scored hypothesis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemReport {
    /// The recording's name in a dataset, or the hypothesis file name.
    pub name: String,
    /// Where the reference came from (a path).
    pub reference: String,
    pub reference_timing: TimingDetail,
    /// Where the hypothesis came from (a path, or `whisper:MODEL`).
    pub hypothesis: String,
    pub hypothesis_timing: TimingDetail,
    pub score: AsrScore,
    pub word_checks: Vec<WordCheckOutcome>,
}

/// Totals over every item: WER pooled over all reference words, timing means weighted by the
/// matched words of each item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportTotals {
    pub items: usize,
    pub reference_words: usize,
    pub errors: usize,
    pub word_error_rate: f64,
    pub matched_words: usize,
    pub mean_start_error: Option<f64>,
    pub mean_end_error: Option<f64>,
    pub word_checks: usize,
    pub word_checks_passed: usize,
}

impl ReportTotals {
    /// The totals of `items`.
    pub fn of(items: &[ItemReport]) -> ReportTotals {
        let reference_words: usize = items.iter().map(|item| item.score.counts.reference_words).sum();
        let errors: usize = items.iter().map(|item| item.score.counts.errors()).sum();
        let timed: Vec<_> = items.iter().filter_map(|item| item.score.timing.as_ref()).collect();
        let matched_words: usize = timed.iter().map(|timing| timing.matched_words).sum();
        let weighted = |value: fn(&super::TimingError) -> f64| {
            (matched_words > 0).then(|| {
                timed.iter().map(|timing| value(timing) * timing.matched_words as f64).sum::<f64>()
                    / matched_words as f64
            })
        };
        let checks: Vec<&WordCheckOutcome> = items.iter().flat_map(|item| &item.word_checks).collect();
        ReportTotals {
            items: items.len(),
            reference_words,
            errors,
            word_error_rate: if reference_words == 0 { 0.0 } else { errors as f64 / reference_words as f64 },
            matched_words,
            mean_start_error: weighted(|timing| timing.start.mean),
            mean_end_error: weighted(|timing| timing.end.mean),
            word_checks: checks.len(),
            word_checks_passed: checks.iter().filter(|check| check.passed).count(),
        }
    }
}

/// The report as a table: WER with its edits, then start / end error (mean, median, p90, in
/// milliseconds) and the share of words within each tolerance, one row per item and a total.
pub fn render_table(items: &[ItemReport], totals: &ReportTotals) -> String {
    let name_width = items.iter().map(|item| item.name.chars().count()).max().unwrap_or(4).clamp(5, 40);
    let within_header: Vec<String> = TIMING_TOLERANCES.iter().map(|t| format!("≤{t}s")).collect();
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<name_width$}  {:<5}  {:>5}  {:>4}  {:>4}  {:>4}  {:>6}  {:>5}  {:>17}  {:>17}  {:>5} {:>5} {:>5}",
        "item",
        "ref",
        "words",
        "sub",
        "del",
        "ins",
        "WER%",
        "timed",
        "start ms mean/med/p90",
        "end ms mean/med/p90",
        within_header[0],
        within_header[1],
        within_header[2],
    );
    for item in items {
        let counts = &item.score.counts;
        let _ = write!(
            table,
            "{:<name_width$}  {:<5}  {:>5}  {:>4}  {:>4}  {:>4}  {:>6.2}  ",
            shorten(&item.name, name_width),
            timing_label(item.reference_timing),
            counts.reference_words,
            counts.substitutions,
            counts.deletions,
            counts.insertions,
            item.score.word_error_rate * 100.0,
        );
        match &item.score.timing {
            Some(timing) => {
                let ms = |value: f64| (value * 1000.0).round() as i64;
                let within: Vec<String> =
                    timing.within.iter().map(|within| format!("{:>5.1}", within.fraction * 100.0)).collect();
                let _ = write!(
                    table,
                    "{:>5}  {:>17}  {:>17}  {}",
                    timing.matched_words,
                    format!("{}/{}/{}", ms(timing.start.mean), ms(timing.start.median), ms(timing.start.p90)),
                    format!("{}/{}/{}", ms(timing.end.mean), ms(timing.end.median), ms(timing.end.p90)),
                    within.join(" "),
                );
            }
            None => {
                let _ = write!(table, "{:>5}  {:>17}  {:>17}", "-", "n/a", "n/a");
            }
        }
        for check in &item.word_checks {
            let found = check.found.map_or("not found".to_string(), |(start, end)| format!("{start:.2}–{end:.2} s"));
            let verdict = if check.passed { "ok" } else { "FAIL" };
            let _ = write!(table, "  [{} at {} s: {found} {verdict}]", check.check.word, check.check.at);
        }
        table.push('\n');
    }
    let ms =
        |value: Option<f64>| value.map_or("n/a".to_string(), |value| format!("{}", (value * 1000.0).round() as i64));
    let _ = writeln!(
        table,
        "{:<name_width$}  {:<5}  {:>5}  {:>16}  {:>6.2}  {:>5}  {:>17}  {:>17}{}",
        format!("total ({})", totals.items),
        "",
        totals.reference_words,
        format!("{} errors", totals.errors),
        totals.word_error_rate * 100.0,
        totals.matched_words,
        format!("mean {}", ms(totals.mean_start_error)),
        format!("mean {}", ms(totals.mean_end_error)),
        if totals.word_checks > 0 {
            format!("  word checks {}/{} passed", totals.word_checks_passed, totals.word_checks)
        } else {
            String::new()
        },
    );
    table
}

fn timing_label(timing: TimingDetail) -> &'static str {
    match timing {
        TimingDetail::Words => "words",
        TimingDetail::Cues => "cues",
        TimingDetail::None => "text",
    }
}

fn shorten(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        return name.to_string();
    }
    let tail: String = name.chars().rev().take(width - 1).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::{plain_text_transcript, score_words, WordAtTime};

    fn item(name: &str, reference: &str, hypothesis: &str, timed: bool) -> ItemReport {
        let reference = plain_text_transcript(reference);
        let hypothesis = plain_text_transcript(hypothesis);
        ItemReport {
            name: name.into(),
            reference: "ref.txt".into(),
            reference_timing: if timed { TimingDetail::Words } else { TimingDetail::None },
            hypothesis: "hyp.txt".into(),
            hypothesis_timing: TimingDetail::Words,
            score: score_words(&reference.words, &hypothesis.words, timed).expect("scores"),
            word_checks: Vec::new(),
        }
    }

    #[test]
    fn totals_pool_the_words() {
        let items = [item("a", "one two three four", "one two three four", true), item("b", "x y", "x z", false)];
        let totals = ReportTotals::of(&items);
        assert_eq!((totals.reference_words, totals.errors), (6, 1));
        assert!((totals.word_error_rate - 1.0 / 6.0).abs() < 1e-12);
        assert_eq!((totals.matched_words, totals.mean_start_error), (4, Some(0.0)));
        let table = render_table(&items, &totals);
        assert_eq!(table.lines().count(), 4, "{table}");
        assert!(table.lines().nth(2).is_some_and(|line| line.contains("50.00") && line.contains("n/a")), "{table}");
        assert!(table.lines().nth(3).is_some_and(|line| line.contains("16.67")), "{table}");
    }

    #[test]
    fn word_checks_show_in_the_row_and_the_total() {
        let mut checked = item("jfk", "fellow americans", "fellow americans", true);
        let word = |text: &str, start: f64| opusclip_core::Word {
            text: text.into(),
            start,
            end: start + 1.0,
            confidence: 1.0,
            speaker: None,
        };
        let check = WordAtTime { word: "americans".into(), at: 1.8 };
        checked.word_checks = vec![crate::evaluation::check_word_at_time(&[word("Americans", 1.0)], &check)];
        let totals = ReportTotals::of(std::slice::from_ref(&checked));
        assert_eq!((totals.word_checks, totals.word_checks_passed), (1, 1));
        let table = render_table(&[checked], &totals);
        assert!(table.contains("americans at 1.8 s: 1.00–2.00 s ok"), "{table}");
        assert!(table.contains("word checks 1/1 passed"), "{table}");
    }
}

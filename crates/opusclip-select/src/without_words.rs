//! Choosing clips without a transcript: windows between natural boundaries of the source
//! (silence midpoints and shot cuts), scored from the audio alone. No words are invented.

use crate::options::SelectOptions;
use crate::ranges::LengthRange;
use crate::score::{Scorer, Window};
use crate::select::{choose_greedily, score_windows, to_candidate};
use crate::signals::Signals;
use opusclip_core::{Candidate, Error, Result};
use serde_json::json;

/// How far back a fixed window's end may move to land on a boundary, in seconds.
pub const BOUNDARY_SNAP_SECONDS: f64 = 2.0;

/// Boundaries closer than this are one boundary.
const SAME_BOUNDARY_SECONDS: f64 = 1e-6;

/// Choose up to `options.clips` non-overlapping clips of a source without words, best first.
///
/// Boundaries are the ends of the timeframe (0 and `signals.duration` without one), the middle
/// of every silence and every shot cut in `cuts` (seconds) between them. Every span between two
/// boundaries whose length fits one of the length ranges is a candidate; when none is, the
/// timeframe is cut into windows of each range's maximum whose ends move back to a boundary up
/// to [`BOUNDARY_SNAP_SECONDS`] earlier when there is one. Windows are scored with `scorer`
/// (with no sentences and no words) and taken greedily by score without overlap. Candidates
/// have `first_sentence == end_sentence == 0` and empty `text`. Errors for invalid `options`,
/// a duration that is not positive, or a timeframe that starts after the source ends.
pub fn select_clips_without_words(
    signals: &Signals,
    cuts: &[f64],
    options: &SelectOptions,
    scorer: &dyn Scorer,
) -> Result<Vec<Candidate>> {
    options.validate()?;
    if !signals.duration.is_finite() || signals.duration <= 0.0 {
        return Err(Error::invalid_input(format!(
            "cannot choose clips without a transcript: the source duration must be more than 0 s, got {}",
            signals.duration
        ))
        .with_details(json!({ "duration": signals.duration })));
    }
    let bounds = options.bounds(signals.duration);
    if bounds.1 <= bounds.0 {
        return Err(Error::invalid_input(format!(
            "the timeframe starts at {} s but the source is only {} s long: choose a --range inside it",
            bounds.0, signals.duration
        ))
        .with_details(json!({ "duration": signals.duration, "timeframe_start": bounds.0 })));
    }
    let boundaries = boundaries(signals, cuts, bounds);
    let mut windows = spans_between(&boundaries, options);
    if windows.is_empty() {
        windows = options.lengths.iter().flat_map(|range| fixed_windows(&boundaries, bounds, range)).collect();
    }
    let scored = score_windows(windows, &[], &[], signals, scorer);
    Ok(choose_greedily(scored, options.clips).into_iter().map(|scored| to_candidate(scored, String::new())).collect())
}

/// Sorted, distinct boundaries inside `bounds`, always including both ends.
fn boundaries(signals: &Signals, cuts: &[f64], bounds: (f64, f64)) -> Vec<f64> {
    let silence_middles = signals.silences.iter().map(|silence| (silence.start + silence.end) / 2.0);
    let mut points: Vec<f64> = [bounds.0, bounds.1]
        .into_iter()
        .chain(silence_middles)
        .chain(cuts.iter().copied())
        .filter(|t| t.is_finite() && (bounds.0..=bounds.1).contains(t))
        .collect();
    points.sort_by(f64::total_cmp);
    points.dedup_by(|later, earlier| *later - *earlier < SAME_BOUNDARY_SECONDS);
    points
}

/// Every span between two boundaries whose length fits the options.
fn spans_between(boundaries: &[f64], options: &SelectOptions) -> Vec<Window> {
    let mut windows = Vec::new();
    for (index, &start) in boundaries.iter().enumerate() {
        for &end in &boundaries[index + 1..] {
            if end - start > options.longest() {
                break;
            }
            if options.fits(end - start) {
                windows.push(window(start, end));
            }
        }
    }
    windows
}

/// Consecutive windows of `max_seconds` from the start of `bounds`, each end moved back to the
/// latest boundary within [`BOUNDARY_SNAP_SECONDS`] that keeps the window at least
/// `min_seconds` long; a remainder shorter than `min_seconds` is left out.
fn fixed_windows(boundaries: &[f64], bounds: (f64, f64), range: &LengthRange) -> Vec<Window> {
    let mut windows = Vec::new();
    let (mut start, duration) = bounds;
    while duration - start >= range.min_seconds {
        let target = start + range.max_seconds;
        let end = if target >= duration { duration } else { snap_back(boundaries, start, target, range.min_seconds) };
        if end <= start {
            break;
        }
        // With min == max some lengths cannot be represented from some starts: skip those.
        if let Some(fitting) = fitting_end(start, end, range) {
            windows.push(window(start, fitting));
            start = fitting;
        } else {
            start = end;
        }
    }
    windows
}

/// The latest boundary in `[target - BOUNDARY_SNAP_SECONDS, target]` at least `min_seconds`
/// after `start`, or `target` itself.
fn snap_back(boundaries: &[f64], start: f64, target: f64, min_seconds: f64) -> f64 {
    let earliest = (target - BOUNDARY_SNAP_SECONDS).max(start + min_seconds);
    boundaries.iter().copied().rfind(|&b| b >= earliest && b <= target).unwrap_or(target)
}

/// `end`, or the nearest value a few units in the last place away for which `end - start`
/// fits the bounds (rounding can put `start + max_seconds - start` just outside them); `None`
/// when there is none.
fn fitting_end(start: f64, end: f64, range: &LengthRange) -> Option<f64> {
    const MAX_ULPS: u64 = 16;
    if range.fits(end - start) {
        return Some(end);
    }
    if !(end.is_finite() && end > 0.0) {
        return None;
    }
    let bits = end.to_bits();
    (1..=MAX_ULPS)
        .flat_map(|ulps| [bits - ulps.min(bits), bits + ulps])
        .map(f64::from_bits)
        .find(|&nudged| range.fits(nudged - start))
}

fn window(start: f64, end: f64) -> Window {
    Window::new(start, end, 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ranges::TimeRange;
    use crate::score::ClipScorer;
    use opusclip_core::{AudioLevels, ErrorCode, Silence};

    fn options(clips: usize, min_seconds: f64, max_seconds: f64) -> SelectOptions {
        SelectOptions::new(clips, min_seconds, max_seconds)
    }

    fn choose(signals: &Signals, cuts: &[f64], options: &SelectOptions) -> Vec<Candidate> {
        select_clips_without_words(signals, cuts, options, &ClipScorer::from_options(options)).expect("valid input")
    }

    #[test]
    fn boundaries_are_sorted_distinct_and_inside_the_source() {
        let silences = [Silence { start: 10.0, end: 12.0 }];
        let signals = Signals { silences: &silences, ..Signals::empty(100.0) };
        let found = boundaries(&signals, &[50.0, 11.0, -1.0, 150.0, f64::NAN, 30.0], (0.0, 100.0));
        assert_eq!(found, [0.0, 11.0, 30.0, 50.0, 100.0]);
        assert_eq!(boundaries(&signals, &[50.0, 11.0], (20.0, 60.0)), [20.0, 50.0, 60.0]);
    }

    #[test]
    fn windows_lie_between_boundaries_within_bounds() {
        let cuts = [25.0, 50.0, 80.0, 130.0];
        let chosen = choose(&Signals::empty(150.0), &cuts, &options(5, 20.0, 60.0));
        assert!(!chosen.is_empty());
        let points = [0.0, 25.0, 50.0, 80.0, 130.0, 150.0];
        for clip in &chosen {
            assert!((20.0..=60.0).contains(&clip.duration()), "{clip:?}");
            assert!(points.contains(&clip.start) && points.contains(&clip.end));
            assert!(clip.text.is_empty());
            assert_eq!((clip.first_sentence, clip.end_sentence), (0, 0));
        }
        for (i, a) in chosen.iter().enumerate() {
            assert!(chosen[i + 1..].iter().all(|b| !a.overlaps(b)));
        }
    }

    #[test]
    fn falls_back_to_fixed_windows_snapped_to_nearby_boundaries() {
        // Boundaries 0, 59, 200: no span between two of them fits 20..30 s.
        let cuts = [59.0];
        let bounds = options(9, 20.0, 30.0);
        let points = boundaries(&Signals::empty(200.0), &cuts, (0.0, 200.0));
        let windows = fixed_windows(&points, (0.0, 200.0), &bounds.lengths[0]);
        let ends: Vec<f64> = windows.iter().map(|w| w.end).collect();
        assert_eq!(ends, [30.0, 59.0, 89.0, 119.0, 149.0, 179.0, 200.0]);
        assert_eq!(choose(&Signals::empty(200.0), &cuts, &bounds).len(), 7);
        // A remainder shorter than the minimum is left out.
        let short_tail = fixed_windows(&[0.0, 70.0], (0.0, 70.0), &bounds.lengths[0]);
        assert_eq!(short_tail.len(), 2);
    }

    #[test]
    fn prefers_windows_with_sound() {
        // 0..40 s silent, 40..80 s loud speech-like levels; cuts every 40 s.
        let mut db = vec![-100.0_f32; 800];
        for (i, hop) in db.iter_mut().enumerate().skip(400) {
            *hop = -30.0 + (i % 7) as f32 * 2.0;
        }
        let levels = AudioLevels { hop_seconds: 0.1, db };
        let silences = [Silence { start: 0.0, end: 40.0 }];
        let signals = Signals { levels: Some(&levels), silences: &silences, ..Signals::empty(80.0) };
        let chosen = choose(&signals, &[40.0], &options(1, 20.0, 60.0));
        assert_eq!(chosen.len(), 1);
        assert!(chosen[0].start >= 20.0, "{:?}", chosen[0]);
    }

    #[test]
    fn fixed_windows_stay_within_max_despite_rounding() {
        let length = 9.053242582730395;
        let bounds = options(2, length, length);
        let windows = fixed_windows(&[0.0, 597.5], (0.0, 597.5), &bounds.lengths[0]);
        assert!(!windows.is_empty());
        assert!(windows.iter().all(|w| bounds.fits(w.duration())), "{windows:?}");
        let exact = LengthRange::new(30.0, 30.0);
        assert_eq!(fixed_windows(&[0.0, 100.0], (0.0, 100.0), &exact).len(), 3);
    }

    #[test]
    fn rejects_a_source_without_duration() {
        let defaults = SelectOptions::default();
        let scorer = ClipScorer::from_options(&defaults);
        let err = select_clips_without_words(&Signals::empty(0.0), &[], &defaults, &scorer).expect_err("no duration");
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        let late = SelectOptions { timeframe: Some(TimeRange::new(500.0, 600.0)), ..defaults };
        let err = select_clips_without_words(&Signals::empty(100.0), &[], &late, &scorer).expect_err("after the end");
        assert!(err.to_string().contains("500 s"), "{err}");
    }

    #[test]
    fn clips_without_words_stay_inside_the_timeframe_and_fit_a_range() {
        let cuts: Vec<f64> = (1..40).map(|i| i as f64 * 7.0).collect();
        let framed = SelectOptions {
            clips: 8,
            lengths: vec![LengthRange::new(6.0, 8.0), LengthRange::new(20.0, 22.0)],
            timeframe: Some(TimeRange::new(30.0, 200.0)),
            ..SelectOptions::default()
        };
        let chosen = choose(&Signals::empty(300.0), &cuts, &framed);
        assert_eq!(chosen.len(), 8);
        assert!(chosen.iter().all(|c| c.start >= 30.0 && c.end <= 200.0 && framed.fits(c.duration())), "{chosen:?}");
    }

    #[test]
    fn a_source_shorter_than_min_gives_no_clips() {
        assert!(choose(&Signals::empty(15.0), &[], &options(3, 20.0, 60.0)).is_empty());
    }
}

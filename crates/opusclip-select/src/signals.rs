//! The survey's signals as selection sees them (audio levels, silences, key-frame changes, and
//! once known shot cuts and faces), and the measurements scorers take over a window: how much
//! of it is silent, which loudness values belong to sound rather than silence.

use opusclip_core::{AudioLevels, FaceFrame, Silence, Survey, VisualChange};

/// Levels below this (dBFS) count as silence even outside a detected silence.
pub const VOICED_FLOOR_DB: f32 = -60.0;

/// What the cheap whole-source survey measured, borrowed for selection.
#[derive(Debug, Clone, Copy)]
pub struct Signals<'a> {
    /// Loudness per hop; `None` when the source has no audio.
    pub levels: Option<&'a AudioLevels>,
    /// Stretches of silence, in any order.
    pub silences: &'a [Silence],
    /// Visual change between consecutive key frames.
    pub keyframe_changes: &'a [VisualChange],
    /// Frame-exact shot cuts (source seconds) where they are known (the close look); `None`
    /// when only the key-frame changes are.
    pub shot_cuts: Option<&'a [f64]>,
    /// Faces found in sampled frames (the close look); empty when nobody looked.
    pub faces: &'a [FaceFrame],
    /// Frames per second of the video, when there is one (for snapping to cuts).
    pub fps: Option<f64>,
    /// Duration of the source in seconds.
    pub duration: f64,
}

impl<'a> Signals<'a> {
    /// Borrow the signals of a survey.
    pub fn from_survey(survey: &'a Survey, duration: f64) -> Signals<'a> {
        Signals {
            levels: Some(&survey.levels),
            silences: &survey.silences,
            keyframe_changes: &survey.keyframe_changes,
            shot_cuts: None,
            faces: &[],
            fps: None,
            duration,
        }
    }

    /// Signals of a source nothing was measured for (no audio, no video): the text-only path.
    pub fn empty(duration: f64) -> Signals<'static> {
        Signals { levels: None, silences: &[], keyframe_changes: &[], shot_cuts: None, faces: &[], fps: None, duration }
    }

    /// Shot cuts for snapping clip boundaries: the frame-exact ones when known, else the times
    /// of key frames that changed by at least `keyframe_cut_score` from the one before. Sorted.
    pub fn cut_times(&self, keyframe_cut_score: f32) -> Vec<f64> {
        let mut cuts: Vec<f64> = match self.shot_cuts {
            Some(cuts) => cuts.to_vec(),
            None => self.keyframe_changes.iter().filter(|c| c.score >= keyframe_cut_score).map(|c| c.t).collect(),
        };
        cuts.retain(|t| t.is_finite());
        cuts.sort_by(f64::total_cmp);
        cuts
    }

    /// Whether a detected silence begins within `within` seconds of `at` (either side) and
    /// lasts at least `seconds` past `at`.
    pub fn silence_after(&self, at: f64, within: f64, seconds: f64) -> bool {
        self.silences.iter().any(|s| (s.start - at).abs() <= within && s.end - s.start.max(at) >= seconds)
    }

    /// Seconds of `[start, end)` covered by silences (overlapping silences counted once).
    pub fn silent_seconds(&self, start: f64, end: f64) -> f64 {
        union_length(self.silences.iter().map(|silence| (silence.start, silence.end)), start, end)
    }

    /// Share (0..1) of `[start, end)` with sound rather than silence, or `None` when nothing
    /// about the audio is known. From the levels when there are any (a hop is voiced when it is
    /// outside every silence and at least [`VOICED_FLOOR_DB`]), else from the silences alone.
    pub fn non_silent_share(&self, start: f64, end: f64) -> Option<f64> {
        let length = end - start;
        if length.is_nan() || length <= 0.0 {
            return None;
        }
        if let Some(levels) = self.levels {
            let hops = hops_in(levels, start, end);
            if !hops.is_empty() {
                let voiced = self.voiced_levels(start, end).len();
                return Some(voiced as f64 / hops.len() as f64);
            }
        }
        if self.silences.is_empty() {
            return None;
        }
        Some((1.0 - self.silent_seconds(start, end) / length).clamp(0.0, 1.0))
    }

    /// Loudness values (dBFS) of the hops of `[start, end)` that are outside every silence and
    /// at least [`VOICED_FLOOR_DB`]; empty without levels.
    pub fn voiced_levels(&self, start: f64, end: f64) -> Vec<f32> {
        let Some(levels) = self.levels else {
            return Vec::new();
        };
        let hops = hops_in(levels, start, end);
        let silent = self.silent_hop_mask(levels, &hops);
        hops.clone()
            .zip(silent)
            .filter(|&(index, is_silent)| !is_silent && levels.db[index] >= VOICED_FLOOR_DB)
            .map(|(index, _)| levels.db[index])
            .collect()
    }

    /// Loudness values (dBFS) of the hops whose middle lies in `[start, end)`, silent or not;
    /// empty without levels.
    pub fn levels_db(&self, start: f64, end: f64) -> Vec<f32> {
        let Some(levels) = self.levels else {
            return Vec::new();
        };
        let hop = levels.hop_seconds;
        hops_in(levels, start, end)
            .filter(|&index| {
                let middle = (index as f64 + 0.5) * hop;
                middle >= start && middle < end
            })
            .map(|index| levels.db[index])
            .collect()
    }

    /// For each hop of `hops`, whether its middle lies inside a silence.
    fn silent_hop_mask(&self, levels: &AudioLevels, hops: &std::ops::Range<usize>) -> Vec<bool> {
        let mut mask = vec![false; hops.len()];
        let hop = levels.hop_seconds;
        let (window_start, window_end) = (hops.start as f64 * hop, hops.end as f64 * hop);
        let touching = self.silences.iter().filter(|silence| silence.end > window_start && silence.start < window_end);
        for silence in touching {
            // Hops whose middle `(i + 0.5) * hop` lies in `[silence.start, silence.end)`.
            let first = ((silence.start / hop - 0.5).ceil().max(0.0) as usize).max(hops.start);
            let end = ((silence.end / hop - 0.5).ceil().max(0.0) as usize).min(hops.end);
            for index in first..end.max(first) {
                mask[index - hops.start] = true;
            }
        }
        mask
    }
}

/// Indices of the hops of `levels` inside `[start, end)`, as `AudioLevels::window` selects them.
fn hops_in(levels: &AudioLevels, start: f64, end: f64) -> std::ops::Range<usize> {
    if levels.db.is_empty() || levels.hop_seconds.is_nan() || levels.hop_seconds <= 0.0 {
        return 0..0;
    }
    let count = levels.db.len();
    let first = ((start / levels.hop_seconds).floor().max(0.0) as usize).min(count);
    let last = ((end / levels.hop_seconds).ceil().max(0.0) as usize).clamp(first, count);
    first..last
}

/// Length of the union of `spans` clipped to `[start, end)`: overlapping spans count once.
pub(crate) fn union_length(spans: impl Iterator<Item = (f64, f64)>, start: f64, end: f64) -> f64 {
    let mut pieces: Vec<(f64, f64)> =
        spans.map(|(from, to)| (from.max(start), to.min(end))).filter(|(from, to)| to > from).collect();
    pieces.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut covered = 0.0;
    let mut reached = start;
    for (from, to) in pieces {
        let from = from.max(reached);
        if to > from {
            covered += to - from;
            reached = to;
        }
    }
    covered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn silence(start: f64, end: f64) -> Silence {
        Silence { start, end }
    }

    #[test]
    fn silent_seconds_merges_overlaps_and_clips_to_the_window() {
        let silences = [silence(1.0, 3.0), silence(2.0, 4.0), silence(9.0, 12.0)];
        let signals = Signals { silences: &silences, ..Signals::empty(20.0) };
        assert!((signals.silent_seconds(0.0, 10.0) - 4.0).abs() < 1e-9);
        assert!((signals.silent_seconds(3.5, 9.5) - 1.0).abs() < 1e-9);
        assert_eq!(signals.silent_seconds(5.0, 8.0), 0.0);
    }

    #[test]
    fn voiced_levels_skip_silences_and_digital_silence() {
        // 10 hops of 1 s: hop 2 is digital silence, hops 5..7 are inside a detected silence.
        let mut db = vec![-20.0_f32; 10];
        db[2] = -100.0;
        let levels = AudioLevels { hop_seconds: 1.0, db };
        let silences = [silence(5.0, 7.0)];
        let signals = Signals { levels: Some(&levels), silences: &silences, ..Signals::empty(10.0) };
        assert_eq!(signals.voiced_levels(0.0, 10.0).len(), 7);
        let share = signals.non_silent_share(0.0, 10.0).unwrap_or(-1.0);
        assert!((share - 0.7).abs() < 1e-9, "{share}");
    }

    #[test]
    fn share_falls_back_to_silences_then_to_unknown() {
        let silences = [silence(0.0, 5.0)];
        let only_silences = Signals { silences: &silences, ..Signals::empty(20.0) };
        let share = only_silences.non_silent_share(0.0, 20.0).unwrap_or(-1.0);
        assert!((share - 0.75).abs() < 1e-9);
        assert_eq!(Signals::empty(20.0).non_silent_share(0.0, 20.0), None);
        assert_eq!(only_silences.non_silent_share(5.0, 5.0), None);
    }

    #[test]
    fn from_survey_borrows_everything() {
        let survey = Survey {
            levels: AudioLevels { hop_seconds: 0.1, db: vec![-30.0; 5] },
            silences: vec![silence(0.0, 0.2)],
            keyframe_changes: vec![VisualChange { t: 0.3, score: 9.0 }],
        };
        let signals = Signals::from_survey(&survey, 0.5);
        assert_eq!(signals.voiced_levels(0.0, 0.5).len(), 3);
        assert_eq!(signals.keyframe_changes.len(), 1);
        assert_eq!(signals.duration, 0.5);
    }
}

//! Jump cuts inside a clip: the stretches of the source a clip keeps (`kept_ranges` in its
//! spec), checked and snapped to the source's frames, and the clip seen on its own, cut timeline —
//! words retimed, deleted words gone, the crop path joined with a hard cut at every join — so
//! that captions, caption placement and rendering work on the edited clip unchanged.

use crate::model::{FaceFrame, Word};
use crate::spec::{ClipSpec, CropKeyframe, OutputSpec};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// A stretch of the source a clip keeps, in seconds on the source timeline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct KeptRange {
    pub start: f64,
    pub end: f64,
}

impl KeptRange {
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// Why a stretch was cut out of a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CutReason {
    /// A quiet gap between words (`--cut-pauses`).
    Pause,
    /// A filler word, "um", "uh"… (`--cut-fillers`).
    Filler,
    /// The first of a word said twice in a row (`--cut-fillers`).
    Repeat,
    /// Words or a pause deleted by hand (the editor).
    Deleted,
}

/// One stretch cut out of a clip, source seconds; the manifest lists them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cut {
    pub start: f64,
    pub end: f64,
    pub reason: CutReason,
    /// The words cut ("um"), empty for a pause.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub words: String,
}

/// A kept range shorter than this (seconds) is refused: it would flash by as a frame or two.
pub const SHORTEST_KEPT_RANGE: f64 = 0.1;
/// How far under [`SHORTEST_KEPT_RANGE`] a range may fall by floating-point rounding (0.9 to 1.0
/// is 0.0999… s) and still count as that long.
pub const KEPT_RANGE_TOLERANCE: f64 = 1e-6;

/// How far (seconds) a kept range may stick out of the clip's span before it is refused
/// rather than clipped (a frame's rounding).
const SPAN_SLACK: f64 = 0.05;

/// A word is kept when at least this share of it lies in kept ranges.
pub const KEPT_WORD_SHARE: f64 = 0.5;

/// Frame rate assumed when the source reports none, for snapping.
const FALLBACK_FPS: f64 = 30.0;

/// Checks `spec.kept_ranges`: finite, each at least [`SHORTEST_KEPT_RANGE`] long, in order
/// without overlap, inside the clip's span. An empty list keeps the whole span.
pub fn check_kept_ranges(spec: &ClipSpec) -> Result<()> {
    let refuse = |problem: String| {
        Error::invalid_input(format!(
            "{}: kept_ranges {problem}; each range is {{start, end}} in source seconds, in order, inside {:.2}–{:.2} s",
            spec.id, spec.start, spec.end
        ))
    };
    let mut previous_end = f64::NEG_INFINITY;
    for (index, range) in spec.kept_ranges.iter().enumerate() {
        if !(range.start.is_finite() && range.end.is_finite()) {
            return Err(refuse(format!("#{} is not a pair of numbers", index + 1)));
        }
        if range.duration() < SHORTEST_KEPT_RANGE - KEPT_RANGE_TOLERANCE {
            return Err(refuse(format!(
                "#{} ({:.2}–{:.2} s) is shorter than {SHORTEST_KEPT_RANGE} s",
                index + 1,
                range.start,
                range.end
            )));
        }
        if range.start < spec.start - SPAN_SLACK || range.end > spec.end + SPAN_SLACK {
            return Err(refuse(format!("#{} ({:.2}–{:.2} s) leaves the clip", index + 1, range.start, range.end)));
        }
        if range.start < previous_end {
            return Err(refuse(format!("#{} overlaps or comes before the one before it", index + 1)));
        }
        previous_end = range.end;
    }
    Ok(())
}

/// Where each kept stretch of a clip lands on the clip's own timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct CutTimeline {
    /// The kept ranges on the source, snapped to the source's frames, in order.
    pub kept: Vec<KeptRange>,
}

impl CutTimeline {
    /// The timeline of `spec`: its kept ranges (the whole span when it lists none) clipped to
    /// the span and snapped to the source's frame grid, so that every stretch holds a whole
    /// number of frames and sound and picture stay together across the joins.
    pub fn of(spec: &ClipSpec) -> CutTimeline {
        if spec.kept_ranges.is_empty() {
            // No cuts: the span itself, unsnapped, so a clip without cuts renders as before.
            return CutTimeline { kept: vec![KeptRange { start: spec.start, end: spec.end }] };
        }
        let fps = if spec.source.fps.is_finite() && spec.source.fps > 0.0 { spec.source.fps } else { FALLBACK_FPS };
        let snap = |t: f64| (t * fps).round() / fps;
        let mut kept: Vec<KeptRange> = Vec::with_capacity(spec.kept_ranges.len());
        for range in &spec.kept_ranges {
            let start = snap(range.start.max(spec.start));
            let end = snap(range.end.min(spec.end));
            match kept.last_mut() {
                Some(last) if start <= last.end => last.end = last.end.max(end),
                _ if end > start => kept.push(KeptRange { start, end }),
                _ => {}
            }
        }
        CutTimeline { kept }
    }

    /// Whether the clip keeps more than one stretch (it has jump cuts).
    pub fn has_cuts(&self) -> bool {
        self.kept.len() > 1
    }

    /// Length of the cut clip in seconds.
    pub fn duration(&self) -> f64 {
        self.kept.iter().map(KeptRange::duration).sum()
    }

    /// The clip time (seconds from the cut clip's start) of source time `t`, or `None` when `t`
    /// was cut out.
    pub fn clip_time(&self, t: f64) -> Option<f64> {
        let mut offset = 0.0;
        for range in &self.kept {
            if t >= range.start && t <= range.end {
                return Some(offset + t - range.start);
            }
            offset += range.duration();
        }
        None
    }

    /// The source time shown at clip time `t` (seconds from the cut clip's start).
    pub fn source_time(&self, t: f64) -> f64 {
        let mut offset = 0.0;
        for range in &self.kept {
            if t < offset + range.duration() {
                return range.start + (t - offset).max(0.0);
            }
            offset += range.duration();
        }
        self.kept.last().map_or(t, |range| range.end)
    }

    /// Seconds of the source cut out between the first kept frame and the last.
    pub fn removed(&self) -> f64 {
        match (self.kept.first(), self.kept.last()) {
            (Some(first), Some(last)) => (last.end - first.start) - self.duration(),
            _ => 0.0,
        }
    }

    /// The words as the cut clip shows them: those with at least half their length kept, on the
    /// cut clip's clock counted from `origin` (so a word at clip time 2 s gets `origin + 2`),
    /// clipped to the stretch they are in.
    pub fn words(&self, words: &[Word], origin: f64) -> Vec<Word> {
        words
            .iter()
            .filter_map(|word| {
                let length = (word.end - word.start).max(0.0);
                let range = self.kept.iter().max_by(|a, b| overlap(word, a).total_cmp(&overlap(word, b)))?;
                let kept = overlap(word, range);
                let enough = if length > 0.0 { kept / length >= KEPT_WORD_SHARE } else { kept >= 0.0 };
                if !enough || word.start > range.end || word.end < range.start {
                    return None;
                }
                let start = self.clip_time(word.start.clamp(range.start, range.end))?;
                let end = self.clip_time(word.end.clamp(range.start, range.end))?;
                Some(Word { start: origin + start, end: origin + end, ..word.clone() })
            })
            .collect()
    }

    /// A crop path (times from the uncut clip's start `clip_start`) as the cut clip follows it
    /// (times from the cut clip's start): each kept stretch's part of the path, with a hard cut
    /// (two keyframes at one time) at every join.
    pub fn crop_keyframes(&self, keyframes: &[CropKeyframe], clip_start: f64) -> Vec<CropKeyframe> {
        let mut mapped = Vec::new();
        let mut offset = 0.0;
        for range in &self.kept {
            let (from, to) = (range.start - clip_start, range.end - clip_start);
            let (Some(entering), Some(leaving)) = (crop_at(keyframes, from), crop_arriving_at(keyframes, to)) else {
                return Vec::new();
            };
            mapped.push(CropKeyframe { t: offset, ..entering });
            mapped.extend(
                keyframes
                    .iter()
                    .filter(|k| k.t > from && k.t < to)
                    .map(|k| CropKeyframe { t: offset + k.t - from, ..*k }),
            );
            offset += range.duration();
            mapped.push(CropKeyframe { t: offset, ..leaving });
        }
        mapped
    }

    /// Every crop path of `outputs` (times from the uncut clip's start `clip_start`) moved onto
    /// the cut clock, as [`CutTimeline::crop_keyframes`] does for one.
    pub fn follow_crops(&self, outputs: &mut [OutputSpec], clip_start: f64) {
        for output in outputs {
            output.crop_keyframes = self.crop_keyframes(&output.crop_keyframes, clip_start);
            output.layout = output.layout.map_windows(|path| self.crop_keyframes(path, clip_start));
        }
    }

    /// `spec` (whose timeline this is) with the cuts made and none left: see [`ClipSpec::as_cut`].
    pub fn applied_to(&self, spec: &ClipSpec) -> ClipSpec {
        let mut cut = spec.clone();
        cut.kept_ranges.clear();
        cut.end = spec.start + self.duration();
        cut.words = self.words(&spec.words, spec.start);
        cut.faces = self.faces(&spec.faces, spec.start);
        self.follow_crops(&mut cut.outputs, spec.start);
        cut
    }

    /// Face samples inside kept stretches, on the cut clip's clock counted from `origin`.
    pub fn faces(&self, faces: &[FaceFrame], origin: f64) -> Vec<FaceFrame> {
        faces
            .iter()
            .filter_map(|frame| Some(FaceFrame { t: origin + self.clip_time(frame.t)?, faces: frame.faces.clone() }))
            .collect()
    }
}

/// Seconds of `word` inside `range`.
fn overlap(word: &Word, range: &KeptRange) -> f64 {
    (word.end.min(range.end) - word.start.max(range.start)).max(0.0)
}

/// The crop window the viewer sees at clip time `t` of a path (keyframes in time order): linear
/// between keyframes, held before the first and after the last; at a hard cut (two keyframes
/// with the same time) the window after it. `None` without keyframes.
pub fn crop_at(keyframes: &[CropKeyframe], t: f64) -> Option<CropKeyframe> {
    let first = keyframes.first()?;
    if t < first.t {
        return Some(CropKeyframe { t, ..*first });
    }
    let next = keyframes.partition_point(|key| key.t <= t);
    if next == keyframes.len() || next == 0 {
        return keyframes.get(next.saturating_sub(1)).map(|key| CropKeyframe { t, ..*key });
    }
    Some(interpolate(&keyframes[next - 1], &keyframes[next], t))
}

/// The window at the end `t` of a stretch: the path arriving at `t`, before any hard cut at `t`.
fn crop_arriving_at(keyframes: &[CropKeyframe], t: f64) -> Option<CropKeyframe> {
    let next = keyframes.partition_point(|key| key.t < t);
    if next == 0 || next == keyframes.len() {
        return crop_at(keyframes, t);
    }
    Some(interpolate(&keyframes[next - 1], &keyframes[next], t))
}

fn interpolate(from: &CropKeyframe, to: &CropKeyframe, t: f64) -> CropKeyframe {
    let span = to.t - from.t;
    let along = if span > 0.0 { ((t - from.t) / span).clamp(0.0, 1.0) } else { 1.0 };
    let mix = |a: f64, b: f64| a + (b - a) * along;
    CropKeyframe { t, x: mix(from.x, to.x), y: mix(from.y, to.y), w: mix(from.w, to.w), h: mix(from.h, to.h) }
}

impl ClipSpec {
    /// The clip as its cuts make it, with no cuts left: `start` stays, `end` is `start` plus the
    /// kept length, and words, faces and every crop path are on that continuous clock. A spec
    /// without `kept_ranges` comes back unchanged. Render from `kept_ranges` of `self`, lay
    /// captions out on the result.
    pub fn as_cut(&self) -> ClipSpec {
        if self.kept_ranges.is_empty() {
            return self.clone();
        }
        CutTimeline::of(self).applied_to(self)
    }

    /// Length of the clip as it plays: the kept ranges' total, or the span without cuts.
    pub fn played_duration(&self) -> f64 {
        CutTimeline::of(self).duration()
    }
}

#[cfg(test)]
#[path = "cuts_tests.rs"]
mod tests;

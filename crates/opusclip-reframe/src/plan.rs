//! [`plan_output`] and [`plan_crop`]: the clip's faces are tracked, the active speaker found,
//! a layout chosen, and every shot (split further where a speaker switch moves the subject
//! far) gets its own camera; the spans' paths are joined with hard cuts.

use crate::analysis::ClipAnalysis;
use crate::camera::{plan_span, CameraMode, SpanPath};
use crate::geometry::Frame;
use crate::layout::choose_layout;
use crate::params::ReframeInput;
use crate::path::{simplify, PATH_TOLERANCE};
use crate::shots::ShotSpan;
use crate::subject::{follow_prominent, follow_track, follow_turns, Sample, Sighting};
use crate::target::framing_points;
use crate::tracker::FaceTrack;
use opusclip_core::{Aspect, CropKeyframe, Layout, LayoutKind};

/// The plan of one output of one clip: its layout with the crop keyframes that go into the
/// `ClipSpec`, why that layout, and how the camera moved in each span.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputPlan {
    /// The layout, carrying the lower half's keyframes for a split.
    pub layout: Layout,
    /// The crop keyframes: the followed window (track), the upper half's window (split) or
    /// the whole frame (blur-fit). Clip time, non-decreasing, always inside the frame; a pair
    /// with the same `t` is a cut.
    pub crop_keyframes: Vec<CropKeyframe>,
    /// Why this layout was chosen.
    pub reason: String,
    /// The camera's spans (shots, split at speaker switches), with the mode of each axis; for
    /// a split, the upper half's; empty for blur-fit.
    pub spans: Vec<PlannedSpan>,
}

/// How the camera moved during one span of the clip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlannedSpan {
    /// Clip time, seconds.
    pub start: f64,
    /// Clip time, seconds.
    pub end: f64,
    pub horizontal: CameraMode,
    pub vertical: CameraMode,
}

/// Plan the crop window of one output of one clip with the track layout (whatever
/// [`ReframeInput::layout`] says): one window that follows the subject.
///
/// The keyframes are in clip time (`t = 0` at `clip_start`, the last at the clip's
/// duration), in non-decreasing order, with a constant window size, always inside the
/// source frame. Each span contributes at least two keyframes (its start and its end; more
/// where the camera moves), so a cut shows as two keyframes with the same `t`: the old
/// window, then the new one. Between keyframes the window moves linearly.
///
/// ```
/// use opusclip_core::Aspect;
/// use opusclip_reframe::{plan_crop, ReframeInput};
/// let keyframes = plan_crop(&ReframeInput::new((1920, 1080), Aspect::Vertical, 30.0, 45.0));
/// // No faces: a still, centred window from start to end.
/// assert_eq!(keyframes.len(), 2);
/// assert_eq!((keyframes[0].t, keyframes[1].t), (0.0, 15.0));
/// assert_eq!((keyframes[0].x, keyframes[0].w), (656.0, 608.0));
/// ```
pub fn plan_crop(input: &ReframeInput) -> Vec<CropKeyframe> {
    plan_output(&input.clone().with_layout(Some(LayoutKind::Track))).crop_keyframes
}

/// Plan one output of one clip: choose its layout (or take [`ReframeInput::layout`]) and
/// plan its crop windows.
pub fn plan_output(input: &ReframeInput) -> OutputPlan {
    plan_for_aspect(&ClipAnalysis::new(input), input.aspect)
}

/// Plan several aspect ratios of one clip from one analysis (tracks and speaker turns are
/// found once); [`ReframeInput::aspect`] is ignored.
pub fn plan_outputs(input: &ReframeInput, aspects: &[Aspect]) -> Vec<OutputPlan> {
    let clip = ClipAnalysis::new(input);
    aspects.iter().map(|aspect| plan_for_aspect(&clip, *aspect)).collect()
}

fn plan_for_aspect(clip: &ClipAnalysis, aspect: Aspect) -> OutputPlan {
    let input = clip.input;
    let frame = Frame::new(input.source_size, aspect);
    let params = &clip.params;
    let decision = choose_layout(
        &clip.layout_evidence(),
        (frame.crop_width, frame.crop_height),
        input.layout,
        params.min_speaker_share,
        params.min_face_share,
    );
    let (layout, crop_keyframes, spans) = match decision.kind {
        LayoutKind::Track => {
            let (keyframes, spans) = plan_track(clip, &frame);
            (Layout::Track, keyframes, spans)
        }
        LayoutKind::Split => {
            let half = Frame::split_half(input.source_size, aspect);
            let (upper, lower, spans) = plan_split(clip, &half);
            (Layout::Split { lower_crop_keyframes: lower }, upper, spans)
        }
        LayoutKind::BlurFit => (Layout::BlurFit, whole_frame(clip), Vec::new()),
        LayoutKind::Audiogram => (Layout::Audiogram, Vec::new(), Vec::new()),
    };
    OutputPlan { layout, crop_keyframes, reason: decision.reason, spans }
}

/// The track layout: per shot, follow the speaker of each turn (or the most prominent face),
/// cutting at a speaker switch when the new speaker is far from the old one.
fn plan_track(clip: &ClipAnalysis, frame: &Frame) -> (Vec<CropKeyframe>, Vec<PlannedSpan>) {
    let mut builder = KeyframeBuilder::new(clip, *frame);
    for (shot_index, shot) in clip.shots.iter().enumerate() {
        let samples = &clip.shot_samples[shot_index];
        let tracks = clip.tracks_in_shot(shot_index);
        let turns = &clip.shot_turns[shot_index];
        if turns.is_empty() {
            let sightings = follow_prominent(samples, &tracks, clip.params.hold_after_loss);
            builder.add_span(*shot, &sightings);
            continue;
        }
        let sightings = follow_turns(samples, turns, &clip.tracks);
        let mut span_start = shot.start;
        for pair in turns.windows(2) {
            let switch_at = pair[1].start;
            if switch_at > span_start && switch_at < shot.end && far_apart(clip, frame, pair[0].track, pair[1].track) {
                builder.add_span(ShotSpan { start: span_start, end: switch_at }, &sightings);
                span_start = switch_at;
            }
        }
        builder.add_span(ShotSpan { start: span_start, end: shot.end }, &sightings);
    }
    builder.finish()
}

/// Whether a switch between these two tracks needs a cut: their typical framing points are
/// more than two dead zones apart on an axis.
fn far_apart(clip: &ClipAnalysis, frame: &Frame, from: u32, to: u32) -> bool {
    let framing = |id: u32| {
        clip.tracks.iter().find(|track| track.id == id).map(|track| frame.centre_on_face(&track.median_box()))
    };
    match (framing(from), framing(to)) {
        (Some(a), Some(b)) => {
            let reach = 2.0 * clip.params.dead_zone;
            (a.0 - b.0).abs() > reach * frame.crop_width || (a.1 - b.1).abs() > reach * frame.crop_height
        }
        _ => false,
    }
}

/// The split layout: per shot, the two main speakers (or the two most prominent faces),
/// the left one in the upper half.
fn plan_split(clip: &ClipAnalysis, half: &Frame) -> (Vec<CropKeyframe>, Vec<CropKeyframe>, Vec<PlannedSpan>) {
    let mut upper = KeyframeBuilder::new(clip, *half);
    let mut lower = KeyframeBuilder::new(clip, *half);
    for (shot_index, shot) in clip.shots.iter().enumerate() {
        let samples = &clip.shot_samples[shot_index];
        let [left, right] = clip.main_pair(shot_index);
        upper.add_span(*shot, &follow_track(samples, left));
        lower.add_span(*shot, &follow_track(samples, right));
    }
    let (upper_keyframes, spans) = upper.finish();
    let (lower_keyframes, _) = lower.finish();
    (upper_keyframes, lower_keyframes, spans)
}

/// The blur-fit layout's window: the whole frame for the whole clip.
fn whole_frame(clip: &ClipAnalysis) -> Vec<CropKeyframe> {
    let (width, height) = (f64::from(clip.input.source_size.0), f64::from(clip.input.source_size.1));
    [0.0, clip.duration].iter().map(|&t| CropKeyframe { t, x: 0.0, y: 0.0, w: width, h: height }).collect()
}

/// Collects the keyframes and modes of consecutive spans of one window.
struct KeyframeBuilder<'a> {
    clip: &'a ClipAnalysis<'a>,
    frame: Frame,
    keyframes: Vec<CropKeyframe>,
    spans: Vec<PlannedSpan>,
}

impl<'a> KeyframeBuilder<'a> {
    fn new(clip: &'a ClipAnalysis<'a>, frame: Frame) -> Self {
        KeyframeBuilder { clip, frame, keyframes: Vec::new(), spans: Vec::new() }
    }

    /// Plan the camera over `span` following the sightings that fall inside it.
    fn add_span(&mut self, span: ShotSpan, sightings: &[Sighting]) {
        let inside: Vec<Sighting> = sightings.iter().copied().filter(|s| span.contains(s.t)).collect();
        let points = framing_points(&inside, &self.frame);
        let SpanPath { mut points, horizontal, vertical } =
            plan_span(span.start, span.end, &points, &self.frame, &self.clip.params);
        if let [only] = points[..] {
            points.push(only);
        }
        let clip_start = self.clip.start;
        self.keyframes.extend(
            simplify(&points, PATH_TOLERANCE)
                .iter()
                .map(|point| self.frame.keyframe(point.t - clip_start, (point.x, point.y))),
        );
        self.spans.push(PlannedSpan {
            start: span.start - clip_start,
            end: span.end - clip_start,
            horizontal,
            vertical,
        });
    }

    /// The keyframes with the first at exactly 0 and the last at exactly the clip's
    /// duration (whatever rounding did), and the spans.
    fn finish(mut self) -> (Vec<CropKeyframe>, Vec<PlannedSpan>) {
        if let Some(first) = self.keyframes.first_mut() {
            first.t = 0.0;
        }
        if let Some(last) = self.keyframes.last_mut() {
            last.t = self.clip.duration;
        }
        (self.keyframes, self.spans)
    }
}

/// The two faces a split shows in one shot, left one first; `None` where there is no face.
pub(crate) fn order_left_to_right<'a>(
    first: Option<&'a FaceTrack>,
    second: Option<&'a FaceTrack>,
) -> [Option<&'a FaceTrack>; 2] {
    match (first, second) {
        (Some(a), Some(b)) if b.median_box().center().0 < a.median_box().center().0 => [Some(b), Some(a)],
        _ => [first, second],
    }
}

/// Samples whose frames had a usable face, over all samples (0 without samples).
pub(crate) fn face_share(samples: &[Vec<Sample>], tracks: &[FaceTrack]) -> f64 {
    let total: usize = samples.iter().map(Vec::len).sum();
    if total == 0 {
        return 0.0;
    }
    let mut with_face: Vec<usize> = tracks.iter().flat_map(|track| track.faces.iter().map(|face| face.frame)).collect();
    with_face.sort_unstable();
    with_face.dedup();
    let sampled: usize =
        samples.iter().flatten().filter(|sample| with_face.binary_search(&sample.frame).is_ok()).count();
    sampled as f64 / total as f64
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod scenario_tests;

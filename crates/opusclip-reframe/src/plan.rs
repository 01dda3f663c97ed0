//! [`plan_output`] and [`plan_crop`]: the clip's faces are tracked, the active speaker found,
//! a layout chosen, and every shot (split further where a speaker switch moves the subject
//! far) gets its own camera; the spans' paths are joined with hard cuts.

use crate::analysis::ClipAnalysis;
use crate::camera::{plan_span, CameraMode, SpanPath};
use crate::geometry::Frame;
use crate::layout::{choose_layout, LayoutDecision, LayoutEvidence};
use crate::params::ReframeInput;
use crate::path::{simplify, PATH_TOLERANCE};
use crate::shots::ShotSpan;
use crate::subject::{follow_prominent, follow_track, follow_turns, Sample, Sighting};
use crate::target::framing_points;
use crate::tracker::FaceTrack;
use opusclip_core::{panel_rects, Aspect, CropKeyframe, Layout, LayoutKind};

/// A grid panel's window is this many times as tall as the tallest speaker's face.
const GRID_FACE_HEIGHTS: f64 = 2.0;
/// A screen's face panel is this many times as tall as the face: a camera tile is small and
/// framed close, and a window reaching past the tile would show the slide around it.
const INSET_FACE_HEIGHTS: f64 = 1.6;
/// How much a grid panel may enlarge its window, at most; a camera tile's face panel, more.
const GRID_MAX_ENLARGEMENT: f64 = 2.0;
const INSET_MAX_ENLARGEMENT: f64 = 5.0;

/// The plan of one output of one clip: its layout with the crop keyframes that go into the
/// `ClipSpec`, why that layout, and how the camera moved in each span.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputPlan {
    /// The layout, carrying the lower half's keyframes for a split, the other panels' for
    /// three and four, and the face panel's for a screen.
    pub layout: Layout,
    /// The crop keyframes: the followed window (track), the upper half's or first panel's
    /// window (split, three, four), the screen's still window (screen) or the whole frame
    /// (blur-fit). Clip time, non-decreasing, always inside the frame; a pair
    /// with the same `t` is a cut.
    pub crop_keyframes: Vec<CropKeyframe>,
    /// Why this layout was chosen.
    pub reason: String,
    /// The camera's spans (shots, split at speaker switches), with the mode of each axis; for
    /// a split or grid, the first panel's; for a screen, the face's; empty for blur-fit.
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
    let evidence = clip.layout_evidence();
    let decision = choose_layout(
        &evidence,
        (frame.crop_width, frame.crop_height),
        input.layout,
        params.min_speaker_share,
        params.min_face_share,
    );
    let decision = panels_hold_one_each(decision, &evidence, clip, aspect);
    let (layout, crop_keyframes, spans) = match decision.kind {
        LayoutKind::Track => {
            let (keyframes, spans) = plan_track(clip, &frame);
            (Layout::Track, keyframes, spans)
        }
        LayoutKind::Split | LayoutKind::Three | LayoutKind::Four => {
            let panel = if decision.kind == LayoutKind::Split {
                let (width, height) = aspect.size();
                let (_, _, panel_width, panel_height) = panel_rects(decision.kind, width, height)[0];
                Frame::panel(input.source_size, (panel_width, panel_height))
            } else {
                grid_panel(decision.kind, clip, aspect)
            };
            let (mut paths, spans) = plan_panels(clip, &panel, decision.kind.panel_count());
            let first = paths.remove(0);
            let layout = match decision.kind {
                LayoutKind::Split => Layout::Split { lower_crop_keyframes: paths.remove(0) },
                _ => Layout::Grid { panel_crop_keyframes: paths },
            };
            (layout, first, spans)
        }
        LayoutKind::Screen => {
            let (face_crop_keyframes, screen, spans) = plan_screen(clip, aspect);
            (Layout::Screen { face_crop_keyframes }, screen, spans)
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

/// A split or grid: per shot, the `count` main speakers (or the most prominent faces), left
/// to right, one window each. The spans are the first window's.
fn plan_panels(clip: &ClipAnalysis, panel: &Frame, count: usize) -> (Vec<Vec<CropKeyframe>>, Vec<PlannedSpan>) {
    let mut builders: Vec<KeyframeBuilder> = (0..count).map(|_| KeyframeBuilder::new(clip, *panel)).collect();
    for (shot_index, shot) in clip.shots.iter().enumerate() {
        let samples = &clip.shot_samples[shot_index];
        for (builder, track) in builders.iter_mut().zip(clip.main_group(shot_index, count)) {
            builder.add_span(*shot, &follow_track(samples, track));
        }
    }
    let mut spans = Vec::new();
    let mut paths = Vec::with_capacity(count);
    for (index, builder) in builders.into_iter().enumerate() {
        let (keyframes, builder_spans) = builder.finish();
        if index == 0 {
            spans = builder_spans;
        }
        paths.push(keyframes);
    }
    (paths, spans)
}

/// The panel window of a grid `kind` in an `aspect` output of the clip, zoomed in on the
/// faces its panels show.
fn grid_panel(kind: LayoutKind, clip: &ClipAnalysis, aspect: Aspect) -> Frame {
    let (width, height) = aspect.size();
    let (_, _, panel_width, panel_height) = panel_rects(kind, width, height)[0];
    let face_height = clip.group_face_height(kind.panel_count());
    let zoom = Zoom { face_heights: GRID_FACE_HEIGHTS, max_enlargement: GRID_MAX_ENLARGEMENT };
    Frame::panel(clip.input.source_size, (panel_width, panel_height))
        .zoomed_to(zoom.window_height(face_height, panel_height))
}

/// A three or four layout the planner chose keeps its panels only when each panel's window
/// can show one speaker rather than the row of them: no wider than twice the distance between
/// neighbouring speakers (a square output's 3:1 rows cannot); otherwise one crop follows the
/// speaker. A layout asked for is kept.
fn panels_hold_one_each(
    decision: LayoutDecision,
    evidence: &LayoutEvidence,
    clip: &ClipAnalysis,
    aspect: Aspect,
) -> LayoutDecision {
    if clip.input.layout.is_some() || !matches!(decision.kind, LayoutKind::Three | LayoutKind::Four) {
        return decision;
    }
    let window = grid_panel(decision.kind, clip, aspect);
    let min_share = clip.params.min_speaker_share;
    let speaking = evidence.speakers.iter().filter(|speaker| speaker.share >= min_share);
    let centres: Vec<f64> = speaking.map(|speaker| speaker.face.center().0).collect();
    let closest = centres.windows(2).map(|pair| (pair[1] - pair[0]).abs()).fold(f64::INFINITY, f64::min);
    if window.crop_width <= 2.0 * closest {
        return decision;
    }
    LayoutDecision {
        kind: LayoutKind::Track,
        reason: format!(
            "{}, but a {} panel cannot show one of them alone: one crop follows the speaker",
            decision.reason,
            aspect.label()
        ),
    }
}

/// How far a panel's window zooms in on the faces it shows.
struct Zoom {
    /// The window is this many times as tall as the tallest face...
    face_heights: f64,
    /// ...but never so small that the panel enlarges it more than this.
    max_enlargement: f64,
}

impl Zoom {
    /// The window height for the tallest `face` (0 when none: no zoom) in a panel
    /// `panel_height` output pixels tall: each panel shows one person rather than the row of
    /// them.
    fn window_height(&self, face: f64, panel_height: u32) -> f64 {
        if face.is_nan() || face <= 0.0 {
            return f64::INFINITY;
        }
        (self.face_heights * face).max(f64::from(panel_height) / self.max_enlargement)
    }
}

/// The screen layout: the face panel's window, which follows the speaker zoomed in as a grid
/// panel's does, and the screen's (the largest of the top band's shape, centred, still). The
/// spans are the face's.
fn plan_screen(clip: &ClipAnalysis, aspect: Aspect) -> (Vec<CropKeyframe>, Vec<CropKeyframe>, Vec<PlannedSpan>) {
    let (width, height) = aspect.size();
    let rects = panel_rects(LayoutKind::Screen, width, height);
    let (_, _, band_width, band_height) = rects[0];
    let band = Frame::panel(clip.input.source_size, (band_width, band_height));
    let screen = [0.0, clip.duration].iter().map(|&t| band.keyframe(t, band.centre())).collect();
    let (_, _, face_width, face_height) = rects.get(1).copied().unwrap_or(rects[0]);
    let zoom = Zoom { face_heights: INSET_FACE_HEIGHTS, max_enlargement: INSET_MAX_ENLARGEMENT };
    let face_panel = Frame::panel(clip.input.source_size, (face_width, face_height))
        .zoomed_to(zoom.window_height(clip.group_face_height(1), face_height));
    let (mut paths, spans) = plan_panels(clip, &face_panel, 1);
    (paths.remove(0), screen, spans)
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

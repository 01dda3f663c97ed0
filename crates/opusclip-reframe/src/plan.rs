//! [`plan_crop`]: the clip is split into shots at its cuts, each shot gets its own camera
//! path (today always the tracking camera), and the paths are joined with hard cuts.

use crate::camera::{run_camera, AxisMotion, PathPoint};
use crate::geometry::Frame;
use crate::params::{ReframeInput, ReframeParams};
use crate::path::{simplify, PATH_TOLERANCE};
use crate::shots::{frames_in_shot, split_into_shots, ShotSpan};
use crate::subject::follow_dominant_face;
use crate::target::TargetTimeline;
use opusclip_core::{CropKeyframe, FaceFrame};

/// Plan the crop window of one output of one clip.
///
/// The keyframes are in clip time (`t = 0` at `clip_start`, the last at the clip's
/// duration), in non-decreasing order, with a constant window size, always inside the
/// source frame. Each shot contributes at least two keyframes (its start and its end; more
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
    let params = input.params.sanitized();
    let frame = Frame::new(input.source_size, input.aspect);
    let clip_start = if input.clip_start.is_finite() { input.clip_start } else { 0.0 };
    let duration = input.duration();
    let shots = split_into_shots(clip_start, clip_start + duration, input.cuts);
    let mut keyframes = Vec::new();
    for shot in &shots {
        let path = plan_shot(shot, input.faces, &frame, &params);
        keyframes.extend(
            simplify(&path, PATH_TOLERANCE)
                .iter()
                .map(|point| frame.keyframe(point.t - clip_start, (point.x, point.y))),
        );
    }
    pin_clip_ends(&mut keyframes, duration);
    keyframes
}

/// The camera path over one shot, both ends included (at least two points).
///
/// This is where the camera modes slot in: a stationary or panning shot (or a split layout)
/// produces its path here instead of the tracking camera.
fn plan_shot(shot: &ShotSpan, faces: &[FaceFrame], frame: &Frame, params: &ReframeParams) -> Vec<PathPoint> {
    let mut path = plan_tracking_shot(shot, faces, frame, params);
    if let [only] = path[..] {
        path.push(PathPoint { t: shot.end, ..only });
    }
    path
}

/// The tracking camera: follow the dominant face with a dead zone, smoothing and a speed cap.
fn plan_tracking_shot(shot: &ShotSpan, faces: &[FaceFrame], frame: &Frame, params: &ReframeParams) -> Vec<PathPoint> {
    let frames = frames_in_shot(faces, shot);
    let sightings = follow_dominant_face(&frames, params);
    let mut targets = TargetTimeline::new(&sightings, *frame, params.hold_after_loss);
    let start = targets.initial();
    run_camera(shot.start, shot.end, start, axis_motions(frame, params), |t| targets.at(t))
}

/// The camera's motion limits in pixels: horizontal ones scale with the crop width,
/// vertical ones with the crop height.
fn axis_motions(frame: &Frame, params: &ReframeParams) -> (AxisMotion, AxisMotion) {
    let along = |crop_extent: f64| AxisMotion {
        dead_zone: params.dead_zone * crop_extent,
        max_speed: params.max_speed * crop_extent,
        smoothing: params.smoothing,
    };
    (along(frame.crop_width), along(frame.crop_height))
}

/// Make the first keyframe exactly `0` and the last exactly `duration`, whatever rounding
/// did to `clip_start + duration - clip_start`.
fn pin_clip_ends(keyframes: &mut [CropKeyframe], duration: f64) {
    if let Some(first) = keyframes.first_mut() {
        first.t = 0.0;
    }
    if let Some(last) = keyframes.last_mut() {
        last.t = duration;
    }
}

#[cfg(test)]
mod tests;

//! The crop path of one rendered output as an editor's transform: the source scaled about its
//! centre and moved so the crop window fills the frame, keyframed where the window moves.

use crate::Rate;
use opusclip_core::{CropKeyframe, Layout, OutputSpec};

/// The source's transform at clip frame `frame`: `scale` (1 = one source pixel per frame
/// pixel) and the offset of the source's centre from the frame's centre, in frame pixels
/// (right and down positive).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Motion {
    pub frame: i64,
    pub scale: f64,
    pub offset_x: f64,
    pub offset_y: f64,
}

/// The keyframes of a clip's transform (one when it holds still) and, when the layout cannot
/// be expressed as one transform, what the editor has to do by hand.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MotionPath {
    pub keyframes: Vec<Motion>,
    pub note: Option<String>,
}

/// How far (frame pixels, or 0.1 % of scale) a dropped keyframe may lie from the straight line
/// between the keyframes kept around it.
const TOLERANCE_PX: f64 = 0.5;

/// The transform that shows `output`'s crop path of a `source` (width, height) in a frame of
/// the output's size, keyframes on `rate`'s frames from the clip's start, `length` frames long.
pub fn motion_path(output: &OutputSpec, source: (u32, u32), rate: Rate, length: i64) -> MotionPath {
    let (source_width, source_height) = (f64::from(source.0), f64::from(source.1));
    let frame_width = f64::from(output.width);
    match &output.layout {
        Layout::Track | Layout::Split { .. } | Layout::Grid { .. } | Layout::Screen { .. } => {
            let keyframes = output
                .crop_keyframes
                .iter()
                .filter(|window| window.w > 0.0 && window.h > 0.0)
                .map(|window| window_motion(window, (source_width, source_height), frame_width, rate, length))
                .collect();
            let note = match output.layout {
                Layout::Split { .. } => Some(
                    "split layout: the transform shows the upper speaker's crop; stack the lower speaker's \
                     crop (see the clip's JSON) in a second layer"
                        .to_string(),
                ),
                Layout::Grid { .. } => Some(format!(
                    "{} layout: the transform shows the first panel's crop; the other panels' crops are in the \
                     clip's JSON (panel_crop_keyframes), one layer each",
                    output.layout.kind().label()
                )),
                Layout::Screen { .. } => Some(
                    "screen layout: the transform shows the screen; the face panel's crop is in the clip's JSON \
                     (face_crop_keyframes), for a second layer"
                        .to_string(),
                ),
                _ => None,
            };
            MotionPath { keyframes: simplify(strictly_increasing(keyframes)), note }
        }
        Layout::BlurFit => {
            let scale = (frame_width / source_width).min(f64::from(output.height) / source_height);
            let keyframes = vec![Motion { frame: 0, scale, offset_x: 0.0, offset_y: 0.0 }];
            let note =
                Some("blur-fit layout: the whole picture is fitted; the blurred fill behind it is not exported".into());
            MotionPath { keyframes, note }
        }
        Layout::Audiogram => MotionPath {
            keyframes: Vec::new(),
            note: Some("audiogram: the waveform and title card are rendered, not exported".into()),
        },
    }
}

/// The transform that makes `window` fill the frame's width, centred.
fn window_motion(window: &CropKeyframe, source: (f64, f64), frame_width: f64, rate: Rate, length: i64) -> Motion {
    let scale = frame_width / window.w;
    let window_centre = (window.x + window.w / 2.0, window.y + window.h / 2.0);
    Motion {
        frame: rate.frames(window.t).min(length),
        scale,
        offset_x: (source.0 / 2.0 - window_centre.0) * scale,
        offset_y: (source.1 / 2.0 - window_centre.1) * scale,
    }
}

/// Keyframes on distinct, rising frames. A hard cut (two windows at the same time) keeps its
/// cut frame: the window before it moves one frame earlier when there is room, otherwise the
/// new window one frame later.
fn strictly_increasing(mut keyframes: Vec<Motion>) -> Vec<Motion> {
    keyframes.sort_by_key(|motion| motion.frame);
    let mut rising: Vec<Motion> = Vec::with_capacity(keyframes.len());
    for mut motion in keyframes {
        if let Some(last) = rising.last().copied() {
            if motion.frame <= last.frame {
                let before_last = rising.len().checked_sub(2).map(|i| rising[i].frame);
                if last.frame == motion.frame
                    && before_last.is_none_or(|frame| frame < last.frame - 1)
                    && last.frame > 0
                {
                    rising.last_mut().expect("just read").frame -= 1;
                } else {
                    motion.frame = last.frame + 1;
                }
            }
        }
        rising.push(motion);
    }
    rising
}

/// Leaves out keyframes that lie on the straight line between their kept neighbours.
fn simplify(keyframes: Vec<Motion>) -> Vec<Motion> {
    if keyframes.len() == 2 && same_place(keyframes[0], keyframes[1]) {
        return vec![keyframes[0]];
    }
    if keyframes.len() <= 2 {
        return keyframes;
    }
    let mut kept = vec![keyframes[0]];
    for index in 1..keyframes.len() - 1 {
        let (previous, current, next) = (*kept.last().expect("first kept"), keyframes[index], keyframes[index + 1]);
        let share = (current.frame - previous.frame) as f64 / (next.frame - previous.frame) as f64;
        let between = |a: f64, b: f64| a + (b - a) * share;
        let off_line = (between(previous.offset_x, next.offset_x) - current.offset_x).abs() > TOLERANCE_PX
            || (between(previous.offset_y, next.offset_y) - current.offset_y).abs() > TOLERANCE_PX
            || (between(previous.scale, next.scale) - current.scale).abs() > current.scale * 0.001;
        if off_line {
            kept.push(current);
        }
    }
    let last = *keyframes.last().expect("more than two");
    if kept.len() == 1 && same_place(kept[0], last) {
        return kept;
    }
    kept.push(last);
    kept
}

fn same_place(a: Motion, b: Motion) -> bool {
    (a.offset_x - b.offset_x).abs() <= TOLERANCE_PX
        && (a.offset_y - b.offset_y).abs() <= TOLERANCE_PX
        && (a.scale - b.scale).abs() <= a.scale * 0.001
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::Aspect;

    const RATE: Rate = Rate { timebase: 25, ntsc: false };

    fn track(windows: &[(f64, f64)]) -> OutputSpec {
        OutputSpec {
            aspect: Aspect::Vertical,
            width: 1080,
            height: 1920,
            layout: Layout::Track,
            crop_keyframes: windows.iter().map(|&(t, x)| CropKeyframe { t, x, y: 0.0, w: 405.0, h: 720.0 }).collect(),
        }
    }

    #[test]
    fn a_window_is_scaled_to_the_frame_and_its_centre_moved_to_the_middle() {
        // A 405x720 window at the left edge of a 1280x720 source fills 1080x1920 at 8/3.
        let path = motion_path(&track(&[(0.0, 0.0)]), (1280, 720), RATE, 250);
        let motion = path.keyframes[0];
        assert!((motion.scale - 1080.0 / 405.0).abs() < 1e-9);
        // The window's centre (202.5, 360) is 437.5 source px left of the source's centre.
        assert!((motion.offset_x - 437.5 * motion.scale).abs() < 1e-6, "{motion:?}");
        assert!(motion.offset_y.abs() < 1e-9);
        assert!(path.note.is_none());
    }

    #[test]
    fn a_steady_pan_keeps_its_ends_and_a_hard_cut_keeps_its_frame() {
        let pan: Vec<(f64, f64)> = (0..=10).map(|i| (f64::from(i) * 0.4, f64::from(i) * 20.0)).collect();
        let path = motion_path(&track(&pan), (1280, 720), RATE, 250);
        assert_eq!(path.keyframes.iter().map(|m| m.frame).collect::<Vec<_>>(), vec![0, 100]);

        let cut = motion_path(&track(&[(0.0, 0.0), (4.0, 0.0), (4.0, 800.0), (10.0, 800.0)]), (1280, 720), RATE, 250);
        let frames: Vec<i64> = cut.keyframes.iter().map(|m| m.frame).collect();
        assert_eq!(frames, vec![0, 99, 100, 250], "{cut:?}");
        assert!(cut.keyframes[1].offset_x > 0.0 && cut.keyframes[2].offset_x < 0.0);
    }

    #[test]
    fn a_still_window_is_one_keyframe() {
        let path = motion_path(&track(&[(0.0, 300.0), (5.0, 300.0), (9.0, 300.0)]), (1280, 720), RATE, 250);
        assert_eq!(path.keyframes.len(), 1);
        let path = motion_path(&track(&[(0.0, 300.0), (9.0, 300.0)]), (1280, 720), RATE, 250);
        assert_eq!(path.keyframes.len(), 1);
    }

    #[test]
    fn layouts_that_one_transform_cannot_show_say_so() {
        let mut fit = track(&[(0.0, 0.0)]);
        fit.layout = Layout::BlurFit;
        let path = motion_path(&fit, (1280, 720), RATE, 250);
        assert!((path.keyframes[0].scale - 1080.0 / 1280.0).abs() < 1e-9);
        assert!(path.note.unwrap().contains("blur-fit"));
        fit.layout = Layout::Audiogram;
        assert!(motion_path(&fit, (1280, 720), RATE, 250).keyframes.is_empty());
    }
}

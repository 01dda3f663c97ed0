//! Measures of a planned camera for evaluation against known truth: how often the subject is
//! inside the crop, and how calm the camera is (reversals per second, mean speed and 95th
//! percentile jerk at output scale). The path is sampled as a renderer shows it: linear
//! between keyframes, a pair of keyframes with the same time is a cut, and motion is measured
//! within shots only.

use opusclip_core::{BoxF, CropKeyframe};

/// Steps smaller than this (output pixels per sampled frame) are not motion: they neither
/// start nor reverse a move.
const STILL_STEP: f64 = 0.5;

/// Where the subject truly is at clip time `t` (seconds from the clip's start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TruthBox {
    pub t: f64,
    pub bbox: BoxF,
}

/// How calm a camera path is, at output scale.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CameraMotion {
    /// Direction changes per second, horizontal and vertical counted separately.
    pub reversals_per_second: f64,
    /// Distance travelled by the window centre per second of clip, output pixels.
    pub mean_speed: f64,
    /// 95th percentile of the jerk (third derivative of the centre), output px/s³.
    pub p95_jerk: f64,
}

pub use opusclip_core::cuts::crop_at;

/// Share of `truth` boxes lying entirely inside the crop window at their time (0..1);
/// `None` without truth or keyframes.
pub fn subject_in_frame_share(truth: &[TruthBox], keyframes: &[CropKeyframe]) -> Option<f64> {
    if truth.is_empty() || keyframes.is_empty() {
        return None;
    }
    let inside = truth
        .iter()
        .filter(|truth| {
            crop_at(keyframes, truth.t).is_some_and(|crop| {
                let b = &truth.bbox;
                b.x >= crop.x && b.y >= crop.y && b.x + b.w <= crop.x + crop.w && b.y + b.h <= crop.y + crop.h
            })
        })
        .count();
    Some(inside as f64 / truth.len() as f64)
}

/// How calm the path of `keyframes` is on an output of `output_size` (width, height) when
/// sampled `fps` times per second; all zero for a path without motion or time.
pub fn camera_motion(keyframes: &[CropKeyframe], output_size: (u32, u32), fps: f64) -> CameraMotion {
    let duration = keyframes.last().map_or(0.0, |last| last.t) - keyframes.first().map_or(0.0, |first| first.t);
    let mut motion = CameraMotion { reversals_per_second: 0.0, mean_speed: 0.0, p95_jerk: 0.0 };
    if duration.is_nan() || duration <= 0.0 || fps.is_nan() || fps <= 0.0 {
        return motion;
    }
    let mut reversals = 0usize;
    let mut travel = 0.0;
    let mut jerks = Vec::new();
    for shot in shots(keyframes) {
        let centres = sample_centres(shot, output_size, fps);
        reversals += count_reversals(centres.iter().map(|c| c.0)) + count_reversals(centres.iter().map(|c| c.1));
        travel += centres.windows(2).map(|pair| (pair[1].0 - pair[0].0).hypot(pair[1].1 - pair[0].1)).sum::<f64>();
        jerks.extend(centres.windows(4).map(|w| {
            let third = |axis: fn(&(f64, f64)) -> f64| {
                (axis(&w[3]) - 3.0 * axis(&w[2]) + 3.0 * axis(&w[1]) - axis(&w[0])) * fps.powi(3)
            };
            third(|c| c.0).hypot(third(|c| c.1))
        }));
    }
    motion.reversals_per_second = reversals as f64 / duration;
    motion.mean_speed = travel / duration;
    jerks.sort_by(f64::total_cmp);
    if !jerks.is_empty() {
        let rank = ((0.95 * jerks.len() as f64).ceil() as usize).clamp(1, jerks.len());
        motion.p95_jerk = jerks[rank - 1];
    }
    motion
}

/// The keyframes of each shot: runs split where two keyframes share a time.
fn shots(keyframes: &[CropKeyframe]) -> Vec<&[CropKeyframe]> {
    let mut result = Vec::new();
    let mut first = 0;
    for index in 1..keyframes.len() {
        if keyframes[index].t == keyframes[index - 1].t {
            result.push(&keyframes[first..index]);
            first = index;
        }
    }
    if !keyframes.is_empty() {
        result.push(&keyframes[first..]);
    }
    result
}

/// The window centre of one shot at every `1 / fps` from its start to its end, scaled to the
/// output (output size over crop size).
fn sample_centres(shot: &[CropKeyframe], output_size: (u32, u32), fps: f64) -> Vec<(f64, f64)> {
    let (start, end) = (shot[0].t, shot[shot.len() - 1].t);
    let count = ((end - start) * fps + 1e-9).floor() as usize;
    (0..=count)
        .filter_map(|i| crop_at(shot, start + i as f64 / fps))
        .map(|crop| {
            let scale_x = f64::from(output_size.0) / crop.w.max(f64::EPSILON);
            let scale_y = f64::from(output_size.1) / crop.h.max(f64::EPSILON);
            ((crop.x + crop.w / 2.0) * scale_x, (crop.y + crop.h / 2.0) * scale_y)
        })
        .collect()
}

/// Direction changes along a sequence of positions, ignoring steps under [`STILL_STEP`].
fn count_reversals(positions: impl Iterator<Item = f64>) -> usize {
    let positions: Vec<f64> = positions.collect();
    let mut previous_direction = 0.0;
    let mut reversals = 0;
    for pair in positions.windows(2) {
        let step = pair[1] - pair[0];
        if step.abs() < STILL_STEP {
            continue;
        }
        let direction = step.signum();
        if previous_direction != 0.0 && direction != previous_direction {
            reversals += 1;
        }
        previous_direction = direction;
    }
    reversals
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUTPUT: (u32, u32) = (1080, 1920);

    fn key(t: f64, x: f64) -> CropKeyframe {
        CropKeyframe { t, x, y: 0.0, w: 540.0, h: 960.0 }
    }

    fn truth(t: f64, x: f64) -> TruthBox {
        TruthBox { t, bbox: BoxF { x, y: 100.0, w: 100.0, h: 100.0 } }
    }

    #[test]
    fn subject_in_frame_counts_whole_boxes_only() {
        let keys = [key(0.0, 0.0), key(10.0, 0.0)];
        // Inside, inside at the edge, half out, out.
        let truths = [truth(1.0, 100.0), truth(2.0, 440.0), truth(3.0, 490.0), truth(4.0, 900.0)];
        assert_eq!(subject_in_frame_share(&truths, &keys), Some(0.5));
        assert_eq!(subject_in_frame_share(&[], &keys), None);
    }

    #[test]
    fn a_still_camera_has_no_motion() {
        let motion = camera_motion(&[key(0.0, 200.0), key(10.0, 200.0)], OUTPUT, 30.0);
        assert_eq!(motion, CameraMotion { reversals_per_second: 0.0, mean_speed: 0.0, p95_jerk: 0.0 });
    }

    #[test]
    fn a_constant_pan_has_its_speed_at_output_scale_and_no_jerk() {
        // 100 source px/s on a 540 px crop shown 1080 px wide: 200 output px/s.
        let motion = camera_motion(&[key(0.0, 0.0), key(5.0, 500.0)], OUTPUT, 30.0);
        assert!((motion.mean_speed - 200.0).abs() < 1e-6, "{motion:?}");
        assert_eq!(motion.reversals_per_second, 0.0);
        assert!(motion.p95_jerk < 1e-3, "{motion:?}");
    }

    #[test]
    fn a_zigzag_reverses_at_every_corner() {
        // Out and back four times in 8 s: 7 reversals; 100 px per second both ways.
        let keys: Vec<CropKeyframe> = (0..=8).map(|i| key(i as f64, if i % 2 == 0 { 0.0 } else { 100.0 })).collect();
        let motion = camera_motion(&keys, OUTPUT, 30.0);
        assert!((motion.reversals_per_second - 7.0 / 8.0).abs() < 1e-9, "{motion:?}");
        assert!((motion.mean_speed - 200.0).abs() < 1e-6, "{motion:?}");
    }

    #[test]
    fn a_cubic_path_has_its_known_jerk_and_cuts_are_not_motion() {
        // x = t³ (source px) sampled at 30 fps as keyframes: jerk 6 px/s³, twice that at output scale.
        let mut keys: Vec<CropKeyframe> = (0..=60).map(|i| key(i as f64 / 30.0, (i as f64 / 30.0).powi(3))).collect();
        let motion = camera_motion(&keys, OUTPUT, 30.0);
        assert!((motion.p95_jerk - 12.0).abs() < 1e-3, "{motion:?}");
        let cut_to = key(2.0, 900.0);
        keys.push(cut_to);
        keys.push(CropKeyframe { t: 4.0, ..cut_to });
        let with_cut = camera_motion(&keys, OUTPUT, 30.0);
        assert!((with_cut.mean_speed - 2.0 * 8.0 / 4.0).abs() < 1e-6, "{with_cut:?}");
        assert!((with_cut.p95_jerk - 12.0).abs() < 1e-3, "{with_cut:?}");
    }
}

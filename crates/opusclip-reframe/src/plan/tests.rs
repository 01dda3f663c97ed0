//! Whole-planner scenarios: still, drifting, jumping and lost faces, cuts, and properties
//! that hold for any face track.

use super::*;
use crate::geometry::{center_crop, crop_size};
use crate::params::ReframeParams;
use opusclip_core::{Aspect, BoxF, FaceBox, FaceFrame};
use proptest::prelude::*;

const SOURCE: (u32, u32) = (1920, 1080);
const CROP_WIDTH: f64 = 608.0;
const FACE_SIZE: f64 = 200.0;
/// Slack for keyframe corners rounded to even pixels.
const ROUNDING: f64 = 2.0;
/// Offsets the camera never corrects: the centring tolerance on a 608 px crop.
const CENTRING: f64 = 0.03 * CROP_WIDTH;

/// One 200 px face centred at `centre_x` (y fixed).
fn face_at(t: f64, centre_x: f64) -> FaceFrame {
    FaceFrame {
        t,
        faces: vec![FaceBox {
            bbox: BoxF { x: centre_x - FACE_SIZE / 2.0, y: 300.0, w: FACE_SIZE, h: FACE_SIZE },
            score: 1.0,
        }],
    }
}

/// Faces sampled at 5 fps over `[start, end)`, centred where `centre_x(t)` says.
fn track(start: f64, end: f64, centre_x: impl Fn(f64) -> f64) -> Vec<FaceFrame> {
    let samples = ((end - start) / 0.2).round() as usize;
    (0..samples)
        .map(|i| {
            let t = start + i as f64 * 0.2;
            face_at(t, centre_x(t))
        })
        .collect()
}

fn vertical(start: f64, end: f64) -> ReframeInput<'static> {
    ReframeInput::new(SOURCE, Aspect::Vertical, start, end)
}

fn centre_x(keyframe: &CropKeyframe) -> f64 {
    keyframe.x + keyframe.w / 2.0
}

/// The window centre at `t`, moving linearly between keyframes (the later one of a cut pair).
fn centre_x_at(keyframes: &[CropKeyframe], t: f64) -> f64 {
    let segment = keyframes
        .windows(2)
        .rev()
        .find(|pair| pair[0].t <= t && t <= pair[1].t && pair[0].t < pair[1].t)
        .expect("t inside the clip");
    let along = (t - segment[0].t) / (segment[1].t - segment[0].t);
    centre_x(&segment[0]) + (centre_x(&segment[1]) - centre_x(&segment[0])) * along
}

/// The keyframes of each shot: runs split where two keyframes share a time.
fn shots_of(keyframes: &[CropKeyframe]) -> Vec<&[CropKeyframe]> {
    let mut shots = Vec::new();
    let mut first = 0;
    for index in 1..keyframes.len() {
        if keyframes[index].t == keyframes[index - 1].t {
            shots.push(&keyframes[first..index]);
            first = index;
        }
    }
    shots.push(&keyframes[first..]);
    shots
}

#[test]
fn a_still_face_gives_a_still_camera_on_it() {
    let faces = track(10.0, 20.0, |_| 700.0);
    let keyframes = plan_crop(&vertical(10.0, 20.0).with_faces(&faces));
    assert_eq!(keyframes.len(), 2, "{keyframes:?}");
    assert_eq!((keyframes[0].x, keyframes[0].y), (keyframes[1].x, keyframes[1].y));
    assert_eq!(centre_x(&keyframes[0]), 700.0);
}

#[test]
fn a_slow_drift_inside_the_dead_zone_gives_no_motion() {
    // 60 px over 10 s; the dead zone is 0.12 × 608 ≈ 73 px.
    let faces = track(0.0, 10.0, |t| 900.0 + 6.0 * t);
    let keyframes = plan_crop(&vertical(0.0, 10.0).with_faces(&faces));
    assert!(keyframes.iter().all(|k| k.x == keyframes[0].x && k.y == 0.0), "{keyframes:?}");
}

#[test]
fn a_jump_is_followed_smoothly_with_bounded_speed_and_ends_centred() {
    let faces = track(0.0, 8.0, |t| if t < 2.0 { 500.0 } else { 1400.0 });
    let params = ReframeParams::default();
    let keyframes = plan_crop(&vertical(0.0, 8.0).with_faces(&faces));
    assert!(keyframes.len() > 2, "the camera never moved: {keyframes:?}");
    // The camera may start within the dead zone a moment before the jump, never earlier.
    assert_eq!(centre_x_at(&keyframes, 1.5), 500.0, "moved long before the jump");
    let face_fully_inside = CROP_WIDTH / 2.0 - FACE_SIZE / 2.0;
    assert!(centre_x_at(&keyframes, 2.0) <= 500.0 + face_fully_inside, "left the face before it moved");
    let max_speed = params.max_speed * CROP_WIDTH;
    for pair in keyframes.windows(2) {
        let dt = pair[1].t - pair[0].t;
        assert!(dt > 0.0, "a jump inside the shot: {pair:?}");
        let step = pair[1].x - pair[0].x;
        assert!(step >= 0.0, "moved away from the face: {pair:?}");
        assert!(step <= max_speed * dt + ROUNDING, "too fast: {pair:?}");
        assert!(centre_x(&pair[1]) <= 1400.0 + ROUNDING, "overshoot: {pair:?}");
    }
    assert_eq!(centre_x(&keyframes[0]), 500.0);
    let last = keyframes[keyframes.len() - 1];
    assert!((centre_x(&last) - 1400.0).abs() <= CENTRING + ROUNDING, "ended at {last:?}");
}

#[test]
fn a_cut_with_the_face_on_the_other_side_is_a_same_time_pair() {
    let faces = track(20.0, 30.0, |t| if t < 25.0 { 500.0 } else { 1400.0 });
    let cuts = [25.0];
    let keyframes = plan_crop(&vertical(20.0, 30.0).with_faces(&faces).with_cuts(&cuts));
    let ts: Vec<f64> = keyframes.iter().map(|k| k.t).collect();
    assert_eq!(ts, [0.0, 5.0, 5.0, 10.0], "{keyframes:?}");
    let centres: Vec<f64> = keyframes.iter().map(centre_x).collect();
    assert_eq!(centres, [500.0, 500.0, 1400.0, 1400.0]);
}

#[test]
fn no_faces_gives_the_centred_window_for_every_shot() {
    let centred = center_crop(SOURCE, Aspect::Vertical);
    let cuts = [3.0, 7.0];
    let keyframes = plan_crop(&vertical(0.0, 10.0).with_cuts(&cuts));
    assert_eq!(keyframes.len(), 6);
    for keyframe in &keyframes {
        assert_eq!((keyframe.x, keyframe.y, keyframe.w, keyframe.h), (centred.x, centred.y, centred.w, centred.h));
    }
}

#[test]
fn a_lost_face_is_held_then_the_camera_eases_to_the_centre() {
    let mut faces = track(0.0, 3.0, |_| 400.0);
    faces.extend((15..50).map(|i| FaceFrame { t: i as f64 * 0.2, faces: vec![] }));
    let params = ReframeParams::default();
    let keyframes = plan_crop(&vertical(0.0, 10.0).with_faces(&faces).with_params(params));
    let lost_at = 3.0;
    let recentring = lost_at + params.hold_after_loss;
    assert_eq!(centre_x_at(&keyframes, recentring - 0.6), 400.0, "{keyframes:?}");
    let face_fully_inside = CROP_WIDTH / 2.0 - FACE_SIZE / 2.0;
    assert!(centre_x_at(&keyframes, recentring) <= 400.0 + face_fully_inside, "{keyframes:?}");
    assert!(centre_x_at(&keyframes, recentring + 0.5) > 450.0, "{keyframes:?}");
    let last = keyframes[keyframes.len() - 1];
    assert!((centre_x(&last) - 960.0).abs() <= CENTRING + ROUNDING, "{last:?}");
    let max_speed = params.max_speed * CROP_WIDTH;
    for pair in keyframes.windows(2) {
        assert!((pair[1].x - pair[0].x).abs() <= max_speed * (pair[1].t - pair[0].t) + ROUNDING);
    }
}

#[test]
fn vertical_source_to_portrait_moves_vertically_too() {
    let faces: Vec<FaceFrame> = (0..50)
        .map(|i| {
            let mut frame = face_at(i as f64 * 0.2, 540.0);
            frame.faces[0].bbox.y = if i < 10 { 400.0 } else { 1300.0 };
            frame
        })
        .collect();
    let input = ReframeInput::new((1080, 1920), Aspect::Portrait, 0.0, 10.0).with_faces(&faces);
    let keyframes = plan_crop(&input);
    let first = keyframes[0];
    let last = keyframes[keyframes.len() - 1];
    assert_eq!((first.w, first.h), (1080.0, 1350.0));
    assert_eq!(first.y, 50.0); // face centre 500 at a third of 1350 → y = 50
    assert_eq!(last.y, 570.0); // face centre 1400 would want 950; the frame stops it at 570
}

#[test]
fn times_are_clip_relative() {
    let faces = track(100.0, 112.5, |t| if t < 105.0 { 300.0 } else { 1500.0 });
    let cuts = [50.0, 108.0, 300.0];
    let keyframes = plan_crop(&vertical(100.0, 112.5).with_faces(&faces).with_cuts(&cuts));
    assert_eq!(keyframes[0].t, 0.0);
    assert_eq!(keyframes[keyframes.len() - 1].t, 12.5);
    assert!(keyframes.iter().any(|k| k.t == 8.0));
    assert_eq!(shots_of(&keyframes).len(), 2);
}

#[test]
fn an_empty_clip_still_has_a_window() {
    let keyframes = plan_crop(&vertical(5.0, 5.0));
    assert_eq!(keyframes.len(), 2);
    assert!(keyframes.iter().all(|k| k.t == 0.0 && k.w == CROP_WIDTH));
    let broken = plan_crop(&vertical(f64::NAN, 5.0));
    assert!(broken.iter().all(|k| k.t == 0.0));
}

#[test]
fn a_full_frame_output_never_moves() {
    let faces = track(0.0, 10.0, |t| 200.0 + 150.0 * t);
    let input = ReframeInput::new(SOURCE, Aspect::Wide, 0.0, 10.0).with_faces(&faces);
    let keyframes = plan_crop(&input);
    assert_eq!(keyframes.len(), 2);
    assert!(keyframes.iter().all(|k| (k.x, k.y, k.w, k.h) == (0.0, 0.0, 1920.0, 1080.0)));
}

/// A random face track: per 0.2 s frame up to three faces anywhere (partly outside the frame
/// too), with random scores; plus random cuts and a random aspect.
fn random_clip() -> impl Strategy<Value = (Aspect, f64, Vec<f64>, Vec<FaceFrame>)> {
    let random_face = (-300.0..2200.0f64, -300.0..1300.0f64, 10.0..600.0f64, 0.0..1.0f64)
        .prop_map(|(x, y, size, score)| FaceBox { bbox: BoxF { x, y, w: size, h: size }, score });
    let random_frame = prop::collection::vec(random_face, 0..4);
    (
        prop::sample::select(Aspect::ALL.to_vec()),
        1.0..20.0f64,
        prop::collection::vec(0.0..20.0f64, 0..4),
        prop::collection::vec(random_frame, 0..100),
    )
        .prop_map(|(aspect, duration, cuts, frames)| {
            let faces = frames
                .into_iter()
                .enumerate()
                .map(|(i, faces)| FaceFrame { t: 50.0 + i as f64 * 0.2, faces })
                .collect();
            let cuts = cuts.into_iter().map(|cut| 50.0 + cut).collect();
            (aspect, duration, cuts, faces)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn keyframes_stay_inside_the_frame_in_clip_time(
        (aspect, duration, cuts, faces) in random_clip(),
        source in prop::sample::select(vec![(1920u32, 1080u32), (1280, 720), (768, 576), (1080, 1920)]),
    ) {
        let input = ReframeInput::new(source, aspect, 50.0, 50.0 + duration)
            .with_faces(&faces)
            .with_cuts(&cuts);
        let keyframes = plan_crop(&input);
        let (width, height) = (f64::from(source.0), f64::from(source.1));
        let (crop_width, crop_height) = crop_size(source, aspect);
        prop_assert!(keyframes.len() >= 2);
        prop_assert_eq!(keyframes[0].t, 0.0);
        prop_assert_eq!(keyframes[keyframes.len() - 1].t, input.duration());
        for keyframe in &keyframes {
            prop_assert!(keyframe.x >= 0.0 && keyframe.x + keyframe.w <= width, "{:?}", keyframe);
            prop_assert!(keyframe.y >= 0.0 && keyframe.y + keyframe.h <= height, "{:?}", keyframe);
            prop_assert_eq!((keyframe.w, keyframe.h), (f64::from(crop_width), f64::from(crop_height)));
        }
        for pair in keyframes.windows(2) {
            prop_assert!(pair[0].t <= pair[1].t, "{:?}", pair);
        }
        prop_assert_eq!(plan_crop(&input), keyframes, "not deterministic");
    }

    #[test]
    fn within_a_shot_the_speed_is_bounded(
        (aspect, duration, cuts, faces) in random_clip(),
    ) {
        let params = ReframeParams::default();
        let input = ReframeInput::new(SOURCE, aspect, 50.0, 50.0 + duration)
            .with_faces(&faces)
            .with_cuts(&cuts)
            .with_params(params);
        let keyframes = plan_crop(&input);
        let (crop_width, crop_height) = crop_size(SOURCE, aspect);
        let cut_count = cuts.iter().filter(|cut| 50.0 < **cut && **cut < 50.0 + duration).count();
        let shots = shots_of(&keyframes);
        prop_assert_eq!(shots.len(), cut_count + 1);
        for shot in shots {
            for pair in shot.windows(2) {
                let dt = pair[1].t - pair[0].t;
                let limit_x = params.max_speed * f64::from(crop_width) * dt + ROUNDING;
                let limit_y = params.max_speed * f64::from(crop_height) * dt + ROUNDING;
                prop_assert!((pair[1].x - pair[0].x).abs() <= limit_x, "{:?}", pair);
                prop_assert!((pair[1].y - pair[0].y).abs() <= limit_y, "{:?}", pair);
            }
        }
    }
}

#[test]
fn planning_is_deterministic() {
    let faces = track(0.0, 12.0, |t| 300.0 + 1200.0 * (t * 0.8).sin().abs());
    let cuts = [4.0, 9.5];
    let input = vertical(0.0, 12.0).with_faces(&faces).with_cuts(&cuts);
    let first = plan_crop(&input);
    assert!(first.len() > 6);
    assert_eq!(plan_crop(&input), first);
}

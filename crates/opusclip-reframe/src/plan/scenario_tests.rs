//! Whole-planner scenarios with speakers and layouts: turn-taking with hard cuts, transcript
//! labels, split and blur-fit outputs, and properties over random clips with speech evidence.

use super::*;
use crate::metrics::{crop_at, subject_in_frame_share, TruthBox};
use crate::params::ReframeParams;
use opusclip_core::{BoxF, FaceBox, FaceFrame, Word};
use proptest::prelude::*;

const SOURCE: (u32, u32) = (1920, 1080);
const FACE: f64 = 180.0;
const LEFT_X: f64 = 400.0;
const RIGHT_X: f64 = 1500.0;

use crate::test_noise::Noise;

/// Two seated people, left and right, talking in turns of 4 s (left first); detections at
/// 5 fps with ±8 px jitter, mouth motion high for the speaker, speech all along.
struct TwoSpeakers {
    faces: Vec<FaceFrame>,
    mouth_motion: Vec<Vec<f64>>,
    speech: Vec<f64>,
}

fn speaker_at(t: f64) -> usize {
    ((t / 4.0) as usize) % 2
}

fn two_speakers(seconds: f64) -> TwoSpeakers {
    let mut noise = Noise(77);
    let mut clip = TwoSpeakers { faces: Vec::new(), mouth_motion: Vec::new(), speech: Vec::new() };
    for i in 0..(seconds * 5.0) as usize {
        let t = i as f64 / 5.0;
        let mut jitter = || 16.0 * noise.next() - 8.0;
        let face = |centre_x: f64, jitter_x: f64, jitter_y: f64| FaceBox {
            bbox: BoxF { x: centre_x - FACE / 2.0 + jitter_x, y: 300.0 + jitter_y, w: FACE, h: FACE },
            score: 1.0,
        };
        let (a, b, c, d) = (jitter(), jitter(), jitter(), jitter());
        clip.faces.push(FaceFrame { t, faces: vec![face(LEFT_X, a, b), face(RIGHT_X, c, d)] });
        let speaking = speaker_at(t);
        clip.mouth_motion
            .push((0..2).map(|k| if k == speaking { 0.5 + noise.next() } else { 0.3 * noise.next() }).collect());
        clip.speech.push(0.6 + 0.4 * noise.next());
    }
    clip
}

fn centre_x(key: &CropKeyframe) -> f64 {
    key.x + key.w / 2.0
}

#[test]
fn turn_taking_cuts_to_each_speaker_and_holds_still_between() {
    let clip = two_speakers(24.0);
    let input = ReframeInput::new(SOURCE, Aspect::Vertical, 0.0, 24.0)
        .with_faces(&clip.faces)
        .with_speech(&clip.mouth_motion, &clip.speech)
        .with_layout(Some(LayoutKind::Track));
    let plan = plan_output(&input);
    let keys = &plan.crop_keyframes;
    let truth: Vec<TruthBox> = (0..240)
        .map(|i| {
            let t = i as f64 / 10.0;
            let x = if speaker_at(t) == 0 { LEFT_X } else { RIGHT_X };
            TruthBox { t, bbox: BoxF { x: x - FACE / 2.0, y: 300.0, w: FACE, h: FACE } }
        })
        .collect();
    let share = subject_in_frame_share(&truth, keys).unwrap();
    assert!(share >= 0.9, "right speaker framed {share:.3} of the time: {keys:?}");
    let cuts = keys.windows(2).filter(|pair| pair[0].t == pair[1].t).count();
    assert_eq!(cuts, 5, "one cut per switch: {keys:?}");
    assert_eq!(plan.spans.len(), 6);
    assert!(plan.spans.iter().all(|span| span.horizontal == CameraMode::Stationary), "{:?}", plan.spans);
    assert_eq!(keys.len(), 12, "two keyframes per still span: {keys:?}");
}

#[test]
fn transcript_labels_win_over_mouth_motion() {
    let clip = two_speakers(24.0);
    // The transcript says the right person speaks 8–12 s, which the mouths would give to the left.
    let words: Vec<Word> = (0..48)
        .map(|i| {
            let start = i as f64 * 0.5;
            let label = if (8.0..12.0).contains(&start) {
                "B"
            } else if speaker_at(start) == 0 {
                "A"
            } else {
                "B"
            };
            Word { text: "w".into(), start, end: start + 0.4, confidence: 1.0, speaker: Some(label.into()) }
        })
        .collect();
    let input = ReframeInput::new(SOURCE, Aspect::Vertical, 0.0, 24.0)
        .with_faces(&clip.faces)
        .with_speech(&clip.mouth_motion, &clip.speech)
        .with_words(&words)
        .with_layout(Some(LayoutKind::Track));
    let keys = plan_output(&input).crop_keyframes;
    let framed_right = |t: f64| (centre_x(&crop_at(&keys, t).unwrap()) - RIGHT_X).abs() < 150.0;
    assert!(framed_right(10.0), "{keys:?}");
    assert!(framed_right(6.0) && framed_right(14.0) && !framed_right(2.0) && !framed_right(18.0), "{keys:?}");
    let cuts: Vec<f64> = keys.windows(2).filter(|pair| pair[0].t == pair[1].t).map(|pair| pair[0].t).collect();
    assert_eq!(cuts.len(), 3, "{keys:?}");
}

#[test]
fn two_far_apart_speakers_are_split_in_vertical_outputs_only() {
    let clip = two_speakers(24.0);
    let input = ReframeInput::new(SOURCE, Aspect::Vertical, 0.0, 24.0)
        .with_faces(&clip.faces)
        .with_speech(&clip.mouth_motion, &clip.speech);
    let plans = plan_outputs(&input, &[Aspect::Vertical, Aspect::Wide]);
    let Layout::Split { lower_crop_keyframes } = &plans[0].layout else {
        panic!("expected a split: {:?}", plans[0]);
    };
    assert!(plans[0].reason.contains("two speakers"), "{}", plans[0].reason);
    // Each half is 1216x1080 (9:8); the faces lie beyond its reach, so each half goes to its edge.
    for (keys, corner_x) in [(&plans[0].crop_keyframes, 0.0), (lower_crop_keyframes, 704.0)] {
        assert_eq!(keys.len(), 2, "a still half: {keys:?}");
        assert_eq!((keys[0].x, keys[0].w, keys[0].h), (corner_x, 1216.0, 1080.0), "{keys:?}");
    }
    assert_eq!(plans[1].layout, Layout::Track, "16:9 shows both: {:?}", plans[1]);
}

/// People seated along a row at `centres`, talking in turns of 4 s from the left; as
/// [`two_speakers`] otherwise.
fn round_table(centres: &[f64], seconds: f64) -> TwoSpeakers {
    let mut noise = Noise(31);
    let mut clip = TwoSpeakers { faces: Vec::new(), mouth_motion: Vec::new(), speech: Vec::new() };
    for i in 0..(seconds * 5.0) as usize {
        let t = i as f64 / 5.0;
        let faces = centres
            .iter()
            .map(|centre| FaceBox {
                bbox: BoxF { x: centre - FACE / 2.0 + 8.0 * noise.next(), y: 300.0, w: FACE, h: FACE },
                score: 1.0,
            })
            .collect();
        clip.faces.push(FaceFrame { t, faces });
        let speaking = ((t / 4.0) as usize) % centres.len();
        clip.mouth_motion.push(
            (0..centres.len()).map(|k| if k == speaking { 0.5 + noise.next() } else { 0.3 * noise.next() }).collect(),
        );
        clip.speech.push(0.6 + 0.4 * noise.next());
    }
    clip
}

#[test]
fn three_or_four_people_who_all_talk_get_a_panel_each_left_to_right() {
    for (centres, kind) in
        [(vec![300.0, 960.0, 1620.0], LayoutKind::Three), (vec![250.0, 730.0, 1210.0, 1690.0], LayoutKind::Four)]
    {
        let seconds = 4.0 * centres.len() as f64 * 2.0;
        let clip = round_table(&centres, seconds);
        let input = ReframeInput::new(SOURCE, Aspect::Vertical, 0.0, seconds)
            .with_faces(&clip.faces)
            .with_speech(&clip.mouth_motion, &clip.speech);
        let plans = plan_outputs(&input, &[Aspect::Vertical, Aspect::Wide]);
        assert_eq!(plans[0].layout.kind(), kind, "{:?}", plans[0]);
        assert!(plans[0].reason.starts_with(&format!("{} speakers", centres.len())), "{}", plans[0].reason);
        let Layout::Grid { panel_crop_keyframes } = &plans[0].layout else { unreachable!() };
        let paths: Vec<&Vec<CropKeyframe>> =
            std::iter::once(&plans[0].crop_keyframes).chain(panel_crop_keyframes).collect();
        let (_, _, panel_width, panel_height) = panel_rects(kind, 1080, 1920)[0];
        for (path, centre) in paths.iter().zip(&centres) {
            let window = crop_at(path, seconds / 2.0).unwrap();
            // Zoomed to 2 face heights (not past a 2× enlargement), the panel's shape, each
            // person in their own.
            let zoomed = (2.0 * FACE).max(f64::from(panel_height) / 2.0);
            assert!((window.h - zoomed).abs() <= 2.0, "{window:?}");
            let panel_ratio = f64::from(panel_width) / f64::from(panel_height);
            assert!((window.w / window.h - panel_ratio).abs() < 0.01, "{window:?}");
            assert!(
                window.x <= centre - FACE / 2.0 && centre + FACE / 2.0 <= window.x + window.w,
                "{centre}: {window:?}"
            );
            let nearest =
                centres.iter().min_by(|a, b| (*a - centre_x(&window)).abs().total_cmp(&(*b - centre_x(&window)).abs()));
            assert_eq!(nearest, Some(centre), "each panel shows its own speaker: {window:?}");
        }
        // Landscape: 16:9 holds the whole row in one window.
        if kind == LayoutKind::Three {
            assert_eq!(plans[1].layout, Layout::Track, "{:?}", plans[1]);
        }
    }
    // Three people 260 px apart do not fit one 608 px crop, but a 607x360 row would show all
    // of them too: one crop follows the speaker instead, and says why.
    let clip = round_table(&[700.0, 960.0, 1220.0], 24.0);
    let input = ReframeInput::new(SOURCE, Aspect::Vertical, 0.0, 24.0)
        .with_faces(&clip.faces)
        .with_speech(&clip.mouth_motion, &clip.speech);
    let plan = plan_output(&input);
    assert_eq!(plan.layout, Layout::Track, "{plan:?}");
    assert!(plan.reason.contains("cannot show one of them alone"), "{}", plan.reason);
    assert_eq!(plan_output(&input.clone().with_layout(Some(LayoutKind::Three))).layout.kind(), LayoutKind::Three);
}

/// One face 150 px tall with its top at `top`, in every frame at 5 fps, moving by up to
/// `wander` px.
fn inset(seconds: f64, centre_x: f64, top: f64, wander: f64) -> Vec<FaceFrame> {
    let mut noise = Noise(5);
    (0..(seconds * 5.0) as usize)
        .map(|i| {
            let x = centre_x - 60.0 + wander * noise.next();
            FaceFrame {
                t: i as f64 / 5.0,
                faces: vec![FaceBox { bbox: BoxF { x, y: top, w: 120.0, h: 150.0 }, score: 1.0 }],
            }
        })
        .collect()
}

#[test]
fn a_still_camera_inset_by_the_edge_is_the_screen_layout() {
    let faces = inset(20.0, 1740.0, 820.0, 6.0);
    let input = ReframeInput::new(SOURCE, Aspect::Vertical, 0.0, 20.0).with_faces(&faces);
    let plans = plan_outputs(&input, &[Aspect::Vertical, Aspect::Wide]);
    let Layout::Screen { face_crop_keyframes } = &plans[0].layout else { panic!("{:?}", plans[0]) };
    assert!(plans[0].reason.contains("camera inset"), "{}", plans[0].reason);
    // The screen: the whole 16:9 frame (but a row or two), still. The face panel (1080x1314):
    // zoomed in to 1.6 face heights but no further than a 5× enlargement (262 px tall).
    assert_eq!(plans[0].crop_keyframes.len(), 2);
    let screen = plans[0].crop_keyframes[0];
    assert!(screen.w == 1920.0 && screen.h >= 1076.0, "the band is 1080x606, a hair wider than 16:9: {screen:?}");
    let face = crop_at(face_crop_keyframes, 10.0).unwrap();
    assert!((face.h - 262.0).abs() <= 2.0, "{face:?}");
    assert!(face.x <= 1680.0 && 1806.0 <= face.x + face.w && face.y <= 820.0 && 970.0 <= face.y + face.h, "{face:?}");
    assert_eq!(plans[1].layout, Layout::Track, "16:9 shows the recording as it is");
    // A presenter walking across a stage, standing in the middle, or at a lectern by the edge
    // (the face at mid-height), is no inset.
    let walking: Vec<FaceFrame> = (0..100)
        .map(|i| {
            let x = 200.0 + 15.0 * i as f64;
            FaceFrame {
                t: i as f64 / 5.0,
                faces: vec![FaceBox { bbox: BoxF { x, y: 300.0, w: 120.0, h: 150.0 }, score: 1.0 }],
            }
        })
        .collect();
    let centred = inset(20.0, 960.0, 820.0, 6.0);
    let lectern = inset(20.0, 1740.0, 330.0, 6.0);
    for faces in [&walking, &centred, &lectern] {
        let input = ReframeInput::new(SOURCE, Aspect::Vertical, 0.0, 20.0).with_faces(faces);
        assert_eq!(plan_output(&input).layout, Layout::Track);
    }
}

#[test]
fn without_faces_the_automatic_layout_is_blur_fit_and_track_stays_centred() {
    let input = ReframeInput::new(SOURCE, Aspect::Vertical, 3.0, 13.0);
    let plan = plan_output(&input);
    assert_eq!(plan.layout, Layout::BlurFit);
    let whole = CropKeyframe { t: 0.0, x: 0.0, y: 0.0, w: 1920.0, h: 1080.0 };
    assert_eq!(plan.crop_keyframes, [whole, CropKeyframe { t: 10.0, ..whole }]);
    assert!(plan.spans.is_empty());
    let tracked = plan_crop(&input);
    assert!(tracked.iter().all(|k| (k.x, k.w) == (656.0, 608.0)));
}

#[test]
fn content_to_be_seen_whole_is_blur_fit_even_with_a_face() {
    let clip = two_speakers(6.0);
    let input =
        ReframeInput::new(SOURCE, Aspect::Square, 0.0, 6.0).with_faces(&clip.faces).with_whole_frame_content(true);
    assert_eq!(plan_output(&input).layout, Layout::BlurFit);
    assert_eq!(plan_output(&input.with_whole_frame_content(false)).layout, Layout::Track);
}

/// Random clips with speech evidence: two to three faces that wander, mouth motion and speech
/// at random, random cuts, a random aspect and layout.
/// Aspect, forced layout, cuts, face frames and mouth motion per detection.
type SpeakingClip = (Aspect, Option<LayoutKind>, Vec<f64>, Vec<FaceFrame>, Vec<Vec<f64>>);

fn random_speaking_clip() -> impl Strategy<Value = SpeakingClip> {
    let face = (0.0..1800.0f64, 0.0..900.0f64, 60.0..300.0f64, 0.0..1.0f64);
    let frame = prop::collection::vec(face, 0..4);
    (
        prop::sample::select(Aspect::ALL.to_vec()),
        prop::option::of(prop::sample::select(LayoutKind::ALL.to_vec())),
        prop::collection::vec(0.0..12.0f64, 0..3),
        prop::collection::vec(frame, 0..60),
    )
        .prop_map(|(aspect, layout, cuts, frames)| {
            let mut mouths = Vec::new();
            let faces = frames
                .into_iter()
                .enumerate()
                .map(|(i, faces)| {
                    mouths.push(faces.iter().map(|f| f.3).collect());
                    let faces = faces
                        .into_iter()
                        .map(|(x, y, size, _)| FaceBox { bbox: BoxF { x, y, w: size, h: size }, score: 1.0 })
                        .collect();
                    FaceFrame { t: i as f64 * 0.2, faces }
                })
                .collect();
            (aspect, layout, cuts, faces, mouths)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn every_layout_stays_inside_the_frame_and_within_the_speed_cap(
        (aspect, layout, cuts, faces, mouths) in random_speaking_clip(),
    ) {
        let speech = vec![1.0; faces.len()];
        let input = ReframeInput::new(SOURCE, aspect, 0.0, 12.0)
            .with_faces(&faces)
            .with_cuts(&cuts)
            .with_speech(&mouths, &speech)
            .with_layout(layout);
        let plan = plan_output(&input);
        if plan.layout == Layout::Audiogram {
            // No picture from the source: nothing to crop.
            prop_assert!(plan.crop_keyframes.is_empty());
            return Ok(());
        }
        let lower = match &plan.layout {
            Layout::Split { lower_crop_keyframes } => lower_crop_keyframes.clone(),
            _ => Vec::new(),
        };
        let params = ReframeParams::default();
        for keys in [&plan.crop_keyframes, &lower] {
            for key in keys.iter() {
                prop_assert!(key.x >= 0.0 && key.y >= 0.0 && key.x + key.w <= 1920.0 && key.y + key.h <= 1080.0, "{:?}", key);
            }
            for pair in keys.windows(2) {
                let dt = pair[1].t - pair[0].t;
                prop_assert!(dt >= 0.0);
                if dt > 0.0 {
                    prop_assert!((pair[1].x - pair[0].x).abs() <= params.max_speed * pair[0].w * dt + 2.0, "{:?}", pair);
                    prop_assert!((pair[1].y - pair[0].y).abs() <= params.max_speed * pair[0].h * dt + 2.0, "{:?}", pair);
                }
            }
        }
        prop_assert_eq!(plan.crop_keyframes.first().map(|k| k.t), Some(0.0));
        prop_assert_eq!(plan.crop_keyframes.last().map(|k| k.t), Some(12.0));
        prop_assert_eq!(plan_output(&input), plan, "not deterministic");
    }

    #[test]
    fn a_still_subject_with_detector_jitter_never_moves_the_camera(
        aspect in prop::sample::select(Aspect::ALL.to_vec()),
        centre in (200.0..1720.0f64, 150.0..700.0f64),
        jitter in prop::collection::vec((-8.0..8.0f64, -8.0..8.0f64), 50),
        misses in prop::collection::vec(prop::bool::weighted(0.2), 50),
    ) {
        let faces: Vec<FaceFrame> = jitter
            .iter()
            .zip(&misses)
            .enumerate()
            .map(|(i, ((dx, dy), missed))| {
                let bbox = BoxF { x: centre.0 - 100.0 + dx, y: centre.1 - 100.0 + dy, w: 200.0, h: 200.0 };
                // Detections are missed now and then, never two in a row.
                let seen = !*missed || i % 2 == 0;
                FaceFrame { t: i as f64 * 0.2, faces: if seen { vec![FaceBox { bbox, score: 1.0 }] } else { vec![] } }
            })
            .collect();
        let keys = plan_crop(&ReframeInput::new(SOURCE, aspect, 0.0, 10.0).with_faces(&faces));
        prop_assert_eq!(keys.len(), 2, "{:?}", keys);
        prop_assert_eq!((keys[0].x, keys[0].y), (keys[1].x, keys[1].y));
    }
}

//! From a close look to the outputs of a clip's spec: the look's faces, mouth motion,
//! saliency and borders and the survey's speech energy are handed to the planner
//! (`opusclip_reframe::plan_outputs`), which chooses each output's layout and crop keyframes
//! from one analysis of the clip.
//!
//! * **Borders.** With letterbox or pillarbox bars the planner works inside the active
//!   picture (its coordinates shifted), and the keyframes are shifted back: no crop shows a
//!   bar, and blur-fit shows the picture without them.
//! * **No faces.** When faces are in under [`SALIENCY_FACE_SHARE`] of a window's sampled
//!   frames, the frames without a face get the saliency box instead (a compact moving or
//!   edged mass, e.g. a body seen from behind): the camera follows it. Frames with nothing
//!   compact stay empty, so a window of slides gets blur-fit.
//! * **Mouth motion** of each face has its track's resting level (its 25th percentile over
//!   the window) taken off, so a listener's noise does not compete with a talker's mouth.
//! * **Speech energy** at each face frame is the linear RMS of the survey's 100 ms levels
//!   around it, for matching mouth motion with the voice.

use crate::look::LookSignals;
use opusclip_core::{
    Aspect, AudioLevels, BoxF, CloseLook, CropKeyframe, FaceBox, FaceFrame, Layout, LayoutKind, OutputSpec, Word,
};
use opusclip_reframe::{plan_outputs, track_faces, OutputPlan, ReframeInput, TrackerParams, DEFAULT_MIN_FACE_SHARE};

/// Below this share of sampled frames with a face, saliency stands in for faces.
pub const SALIENCY_FACE_SHARE: f64 = DEFAULT_MIN_FACE_SHARE;

/// Detector score given to a saliency box: below every real face (rustface scores ≥ 2), so a
/// real face is always the more prominent.
pub const SALIENCY_SCORE: f64 = 0.5;

/// Seconds of audio around a face frame averaged into its speech energy (one detail interval).
const SPEECH_WINDOW: f64 = 0.2;

/// The share of a face track's mouth-motion values that lie below its resting level.
pub const BASELINE_PERCENTILE: f64 = 0.25;

/// What reframing one clip needs.
#[derive(Debug, Clone, Copy)]
pub struct ClipFraming<'a> {
    /// Display size of the source.
    pub display: (u32, u32),
    /// The clip's span on the source timeline.
    pub start: f64,
    pub end: f64,
    /// The close look at (at least) the clip's span.
    pub look: &'a CloseLook,
    /// The reframing signals of that look, when measured.
    pub signals: Option<&'a LookSignals>,
    /// The survey's audio levels (speech energy), when any.
    pub levels: Option<&'a AudioLevels>,
    /// Transcript words (speaker labels win over mouth motion).
    pub words: &'a [Word],
    /// A forced layout, or `None` to choose per output.
    pub layout: Option<LayoutKind>,
}

/// One planned output: its spec entry and the plan behind it (layout reason, camera spans).
#[derive(Debug, Clone, PartialEq)]
pub struct FramedOutput {
    pub spec: OutputSpec,
    pub plan: OutputPlan,
}

/// Plan every aspect ratio of one clip from one analysis.
pub fn frame_clip(framing: &ClipFraming, aspects: &[Aspect]) -> Vec<FramedOutput> {
    let area = framing.signals.and_then(|signals| signals.active_area).filter(|area| area.w >= 2.0 && area.h >= 2.0);
    let offset = area.map_or((0.0, 0.0), |area| (area.x, area.y));
    let picture_size = area.map_or(framing.display, |area| (area.w as u32, area.h as u32));
    let (faces, mouth_motion, salient_frames) = subjects(framing, offset, picture_size);
    let speech: Vec<f64> = match framing.levels {
        Some(levels) => faces.iter().map(|frame| speech_energy(levels, frame.t)).collect(),
        None => Vec::new(),
    };
    let first_aspect = aspects.first().copied().unwrap_or(Aspect::Vertical);
    let input = ReframeInput::new(picture_size, first_aspect, framing.start, framing.end)
        .with_faces(&faces)
        .with_cuts(&framing.look.cuts)
        .with_speech(&mouth_motion, &speech)
        .with_words(framing.words)
        .with_layout(framing.layout)
        .with_real_faces(salient_frames == 0);
    plan_outputs(&input, aspects)
        .into_iter()
        .zip(aspects)
        .map(|(mut plan, &aspect)| {
            let (width, height) = aspect.size();
            if salient_frames > 0 && plan.layout == Layout::Track {
                plan.reason = format!("no face found: the crop follows what moves ({salient_frames} frames)");
            }
            let layout = plan.layout.map_windows(|path| shifted(path, offset));
            let spec =
                OutputSpec { aspect, width, height, layout, crop_keyframes: shifted(&plan.crop_keyframes, offset) };
            FramedOutput { spec, plan }
        })
        .collect()
}

/// An output of `aspect` for `[start, end]` of a source `display` pixels large without a look at
/// its picture: the planner's centred window (the whole-video captions job, which keeps the
/// source's own shape).
pub fn unlooked_output(display: (u32, u32), aspect: Aspect, start: f64, end: f64) -> OutputSpec {
    let (width, height) = aspect.size();
    let crop_keyframes = opusclip_reframe::plan_crop(&ReframeInput::new(display, aspect, start, end));
    OutputSpec { aspect, width, height, layout: Layout::Track, crop_keyframes }
}

/// The face frames in active-picture coordinates with their mouth motion (parallel), the
/// saliency boxes standing in for faces when faces are rare, and how many frames got one.
fn subjects(
    framing: &ClipFraming,
    offset: (f64, f64),
    picture_size: (u32, u32),
) -> (Vec<FaceFrame>, Vec<Vec<f64>>, usize) {
    let look_faces = &framing.look.faces;
    let measured = framing.signals.map(|signals| signals.mouth_motion.as_slice()).unwrap_or(&[]);
    let salient = framing.signals.map(|signals| signals.salient.as_slice()).unwrap_or(&[]);
    let in_clip = |frame: &&FaceFrame| frame.t >= framing.start && frame.t < framing.end;
    let sampled = look_faces.iter().filter(in_clip).count();
    let with_face = look_faces.iter().filter(in_clip).filter(|frame| !frame.faces.is_empty()).count();
    let use_saliency = sampled > 0 && (with_face as f64) < SALIENCY_FACE_SHARE * sampled as f64;
    let inside = |bbox: &BoxF| BoxF { x: bbox.x - offset.0, y: bbox.y - offset.1, ..*bbox };
    let within_picture = |bbox: &BoxF| {
        let (cx, cy) = bbox.center();
        cx >= 0.0 && cy >= 0.0 && cx <= f64::from(picture_size.0) && cy <= f64::from(picture_size.1)
    };
    let mut faces = Vec::with_capacity(look_faces.len());
    let mut motion = Vec::with_capacity(look_faces.len());
    let mut salient_frames = 0;
    for (index, frame) in look_faces.iter().enumerate() {
        let energies = measured.get(index);
        let mut kept = Vec::new();
        let mut kept_motion = Vec::new();
        for (face_index, face) in frame.faces.iter().enumerate() {
            let bbox = inside(&face.bbox);
            if within_picture(&bbox) {
                kept.push(FaceBox { bbox, score: face.score });
                kept_motion.push(energies.and_then(|e| e.get(face_index)).copied().unwrap_or(f64::NAN));
            }
        }
        if kept.is_empty() && use_saliency {
            if let Some(bbox) = salient.get(index).copied().flatten().map(|bbox| inside(&bbox)) {
                kept.push(FaceBox { bbox, score: SALIENCY_SCORE });
                kept_motion.push(f64::NAN);
                salient_frames += 1;
            }
        }
        faces.push(FaceFrame { t: frame.t, faces: kept });
        motion.push(kept_motion);
    }
    if measured.is_empty() {
        motion.clear();
    } else {
        subtract_baselines(&faces, framing.look.cuts.as_slice(), &mut motion);
    }
    (faces, motion, salient_frames)
}

/// Each face track's own resting level of mouth motion — the [`BASELINE_PERCENTILE`] of its
/// values over the window: picture noise, a moustache, a listener's small movements — taken
/// off its values, so that a talking mouth stands out against a silent one.
fn subtract_baselines(faces: &[FaceFrame], cuts: &[f64], motion: &mut [Vec<f64>]) {
    for track in track_faces(faces, cuts, &TrackerParams::default()) {
        let mut values: Vec<f64> = track
            .faces
            .iter()
            .filter_map(|face| motion.get(face.frame)?.get(face.detection).copied())
            .filter(|value| value.is_finite())
            .collect();
        if values.is_empty() {
            continue;
        }
        values.sort_by(f64::total_cmp);
        let rank = ((BASELINE_PERCENTILE * values.len() as f64) as usize).min(values.len() - 1);
        let baseline = values[rank];
        for face in &track.faces {
            if let Some(value) = motion.get_mut(face.frame).and_then(|frame| frame.get_mut(face.detection)) {
                *value = (*value - baseline).max(0.0);
            }
        }
    }
}

/// Linear RMS of the audio over [`SPEECH_WINDOW`] around `t` (0 where no level is known).
pub fn speech_energy(levels: &AudioLevels, t: f64) -> f64 {
    let hops = levels.window(t - SPEECH_WINDOW / 2.0, t + SPEECH_WINDOW / 2.0);
    if hops.is_empty() {
        return 0.0;
    }
    let power: f64 = hops.iter().map(|&db| 10f64.powf(f64::from(db) / 10.0)).sum::<f64>() / hops.len() as f64;
    power.sqrt()
}

/// Keyframes moved by `offset` (active picture → full frame).
fn shifted(keyframes: &[CropKeyframe], offset: (f64, f64)) -> Vec<CropKeyframe> {
    keyframes.iter().map(|key| CropKeyframe { x: key.x + offset.0, y: key.y + offset.1, ..*key }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f64) -> FaceBox {
        FaceBox { bbox: BoxF { x, y: 300.0, w: 200.0, h: 200.0 }, score: 5.0 }
    }

    fn look(frames: Vec<FaceFrame>) -> CloseLook {
        CloseLook { start: 0.0, end: 10.0, cuts: Vec::new(), faces: frames, width: 1920, height: 1080 }
    }

    fn framing<'a>(look: &'a CloseLook, signals: Option<&'a LookSignals>) -> ClipFraming<'a> {
        ClipFraming {
            display: (1920, 1080),
            start: 0.0,
            end: 10.0,
            look,
            signals,
            levels: None,
            words: &[],
            layout: None,
        }
    }

    fn signals(frames: usize, salient: Option<BoxF>, active_area: Option<BoxF>) -> LookSignals {
        LookSignals {
            start: 0.0,
            end: 10.0,
            mouth_motion: vec![Vec::new(); frames],
            salient: vec![salient; frames],
            active_area,
        }
    }

    fn frames(count: usize, faces: impl Fn(usize) -> Vec<FaceBox>) -> Vec<FaceFrame> {
        (0..count).map(|i| FaceFrame { t: i as f64 * 0.2, faces: faces(i) }).collect()
    }

    #[test]
    fn speech_energy_is_the_rms_around_the_time() {
        let levels = AudioLevels { hop_seconds: 0.1, db: vec![-100.0, -20.0, -20.0, -20.0, -20.0, -100.0] };
        assert!((speech_energy(&levels, 0.25) - 0.1).abs() < 1e-6);
        assert!(speech_energy(&levels, 0.0) < 0.1 && speech_energy(&levels, 0.0) > 0.0);
        assert_eq!(speech_energy(&levels, 9.0), 0.0);
    }

    #[test]
    fn a_pillarboxed_picture_is_cropped_inside_its_bars() {
        // A 1440-wide picture between 240 px bars, the face at its left edge.
        let look = look(frames(50, |_| vec![face(260.0)]));
        let bars = signals(50, None, Some(BoxF { x: 240.0, y: 0.0, w: 1440.0, h: 1080.0 }));
        let outputs = frame_clip(&framing(&look, Some(&bars)), &[Aspect::Vertical, Aspect::Wide]);
        let vertical = &outputs[0].spec.crop_keyframes;
        assert!(vertical.iter().all(|key| key.x >= 240.0 && key.x + key.w <= 1680.0), "{vertical:?}");
        assert_eq!(vertical[0].x, 240.0, "the face at the picture's left edge pulls the crop there");
        let wide = &outputs[1].spec;
        assert_eq!(wide.layout, Layout::Track);
        assert!(wide.crop_keyframes.iter().all(|key| key.x >= 240.0 && key.x + key.w <= 1680.0 + 1e-9));
        let without = frame_clip(&framing(&look, None), &[Aspect::Vertical]);
        assert!(without[0].spec.crop_keyframes[0].x < 240.0, "without bars the crop may reach the edge");
    }

    #[test]
    fn saliency_stands_in_when_faces_are_rare() {
        let body = BoxF { x: 1400.0, y: 100.0, w: 150.0, h: 150.0 };
        let faceless = look(frames(50, |_| Vec::new()));
        let followed = frame_clip(&framing(&faceless, Some(&signals(50, Some(body), None))), &[Aspect::Vertical]);
        assert_eq!(followed[0].spec.layout, Layout::Track, "{}", followed[0].plan.reason);
        assert!(followed[0].plan.reason.contains("no face found"), "{}", followed[0].plan.reason);
        let centre = followed[0].spec.crop_keyframes[0].x + followed[0].spec.crop_keyframes[0].w / 2.0;
        assert!((centre - 1475.0).abs() < 80.0, "centred on the body: {centre}");
        let nothing = frame_clip(&framing(&faceless, Some(&signals(50, None, None))), &[Aspect::Vertical]);
        assert_eq!(nothing[0].spec.layout, Layout::BlurFit);
        // With faces in most frames, saliency is not used: the face wins.
        let faced = look(frames(50, |i| if i % 4 == 0 { Vec::new() } else { vec![face(300.0)] }));
        let planned = frame_clip(&framing(&faced, Some(&signals(50, Some(body), None))), &[Aspect::Vertical]);
        let key = planned[0].spec.crop_keyframes[0];
        assert!(key.x < 400.0, "{key:?}");
    }

    #[test]
    fn each_face_loses_its_resting_mouth_motion() {
        // The left face rests at 3 and talks at 9 every other frame; the right one rests at 2.
        let look = look(frames(20, |_| vec![face(300.0), face(1400.0)]));
        let mut measured = signals(20, None, None);
        measured.mouth_motion = (0..20).map(|i| vec![if i % 2 == 0 { 9.0 } else { 3.0 }, 2.0]).collect();
        let (_, motion, _) = subjects(&framing(&look, Some(&measured)), (0.0, 0.0), (1920, 1080));
        assert!(motion.iter().all(|frame| frame[1] == 0.0), "{motion:?}");
        assert_eq!((motion[0][0], motion[1][0]), (6.0, 0.0));
    }

    #[test]
    fn a_forced_layout_is_used_for_every_aspect() {
        let look = look(frames(50, |_| vec![face(300.0)]));
        let mut framing = framing(&look, None);
        framing.layout = Some(LayoutKind::BlurFit);
        for output in frame_clip(&framing, &[Aspect::Vertical, Aspect::Square]) {
            assert_eq!(output.spec.layout, Layout::BlurFit);
            assert_eq!((output.spec.crop_keyframes[0].w, output.spec.crop_keyframes[0].h), (1920.0, 1080.0));
        }
    }
}

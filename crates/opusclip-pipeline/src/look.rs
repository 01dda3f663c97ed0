//! The close look: a full-rate decode of one chosen window that finds the exact shot cuts and,
//! a few times per second, the faces — with the signals reframing needs beside them: the
//! mouth motion of every face, a motion/edge saliency centre per detail frame (for when no
//! face is found) and the letterbox/pillarbox borders of the window.

use crate::borders::{to_display, BorderMeter};
use crate::mouth_motion::{mouth_motion, FacePicture};
use crate::saliency::{saliency_profile, salient_box, PixelRect, SaliencyProfile};
use opusclip_analyze::adaptive::AdaptiveParams;
use opusclip_analyze::detector::{ShotDetector, ShotDetectorKind};
/// The face detector a close look is given (made once per job: it loads its model).
pub use opusclip_analyze::faces::FaceDetector;
use opusclip_analyze::shots::ContentWeights;
use opusclip_analyze::GrayView;
use opusclip_core::{BoxF, CloseLook, FaceBox, FaceFrame, ProbeFacts, Result};
use opusclip_media::{decode_window, GrayFrame, WindowOptions};
use std::path::Path;

/// Width of the picture used for shot cuts.
pub const SHOT_WIDTH: u32 = 256;
/// Width of the picture searched for faces.
pub const FACE_WIDTH: u32 = 640;
/// Face detections per second.
pub const FACE_FPS: f64 = 5.0;

/// What the close look measured for reframing, beside the [`CloseLook`] of the same window.
#[derive(Debug, Clone, PartialEq)]
pub struct LookSignals {
    /// The window, source seconds (as the look's).
    pub start: f64,
    pub end: f64,
    /// Mouth motion of every detected face, parallel to the look's `faces`:
    /// `mouth_motion[i][j]` belongs to `faces[i].faces[j]` (mean absolute luma difference per
    /// pixel of the mouth region; `NaN` where not measured).
    pub mouth_motion: Vec<Vec<f64>>,
    /// Per face frame, the saliency centre's box inside the active picture (display pixels),
    /// or `None` when nothing compact is salient.
    pub salient: Vec<Option<BoxF>>,
    /// The active picture (display pixels) when the window has letterbox or pillarbox
    /// borders; `None` when the picture fills the frame.
    pub active_area: Option<BoxF>,
}

impl LookSignals {
    /// The signals measured over the same window as `look`, if any.
    pub fn for_look<'a>(all: &'a [LookSignals], look: &CloseLook) -> Option<&'a LookSignals> {
        all.iter().find(|signals| signals.start == look.start && signals.end == look.end)
    }
}

/// Decode `[start, end)` at full rate and report its cuts and faces.
pub fn close_look(
    path: &Path,
    facts: &ProbeFacts,
    start: f64,
    end: f64,
    detector: &mut FaceDetector,
    progress: &mut dyn FnMut(f64),
) -> Result<CloseLook> {
    close_look_with_signals(path, facts, start, end, detector, progress).map(|(look, _)| look)
}

/// Decode `[start, end)` at full rate and report its cuts and faces, and the signals for
/// reframing.
pub fn close_look_with_signals(
    path: &Path,
    facts: &ProbeFacts,
    start: f64,
    end: f64,
    detector: &mut FaceDetector,
    progress: &mut dyn FnMut(f64),
) -> Result<(CloseLook, LookSignals)> {
    let (display_width, display_height) = facts.video.display_size();
    let options = WindowOptions { start, end, small_width: SHOT_WIDTH, detail_width: FACE_WIDTH, detail_fps: FACE_FPS };
    // The same adaptive detector as `opusclip analyze`, on luma: camera motion does not cut.
    let mut shots = ShotDetector::new(ShotDetectorKind::Adaptive(
        AdaptiveParams {
            min_scene_frames: (facts.video.fps * 0.5).round().max(1.0) as u64,
            ..AdaptiveParams::default()
        },
        ContentWeights::LUMA_ONLY,
    ));
    let mut cuts = Vec::new();
    let mut faces: Vec<FaceFrame> = Vec::new();
    let mut detail = DetailSignals::default();
    let span = (end - start).max(1e-6);
    decode_window(path, facts, options, &mut |frame| {
        let small = GrayView { width: frame.small.width, height: frame.small.height, data: &frame.small.data };
        cuts.extend(shots.push_gray(frame.index, frame.t, small));
        if let Some(picture) = frame.detail {
            let display_per_detail = f64::from(display_width) / f64::from(picture.width.max(1));
            let view = GrayView { width: picture.width, height: picture.height, data: &picture.data };
            let found = detector.detect(view, display_per_detail);
            detail.push(picture, &found, display_per_detail);
            faces.push(FaceFrame { t: frame.t, faces: found });
            progress(((frame.t - start) / span).clamp(0.0, 1.0));
        }
        Ok(())
    })?;
    let signals = detail.finish(start, end, (display_width, display_height));
    let look = CloseLook {
        start,
        end,
        cuts: cuts.into_iter().chain(shots.finish()).map(|cut| cut.t).collect(),
        faces,
        width: display_width,
        height: display_height,
    };
    Ok((look, signals))
}

/// The reframing signals gathered over the detail frames of one window.
#[derive(Debug, Default)]
struct DetailSignals {
    previous: Option<(GrayFrame, Vec<FaceBox>)>,
    mouth_motion: Vec<Vec<f64>>,
    profiles: Vec<SaliencyProfile>,
    borders: BorderMeter,
    display_per_detail: f64,
}

impl DetailSignals {
    fn push(&mut self, picture: &GrayFrame, faces: &[FaceBox], display_per_detail: f64) {
        let view = GrayView { width: picture.width, height: picture.height, data: &picture.data };
        let previous = self.previous.as_ref().map(|(frame, faces)| FacePicture {
            picture: GrayView { width: frame.width, height: frame.height, data: &frame.data },
            faces,
        });
        let detail_per_display = 1.0 / display_per_detail.max(f64::EPSILON);
        self.mouth_motion.push(mouth_motion(previous, FacePicture { picture: view, faces }, detail_per_display));
        self.profiles.push(saliency_profile(previous.map(|p| p.picture), view));
        self.borders.push(view);
        self.display_per_detail = display_per_detail;
        match self.previous.as_mut() {
            Some((frame, kept_faces)) => {
                frame.clone_from(picture);
                kept_faces.clear();
                kept_faces.extend_from_slice(faces);
            }
            None => self.previous = Some((picture.clone(), faces.to_vec())),
        }
    }

    fn finish(self, start: f64, end: f64, display_size: (u32, u32)) -> LookSignals {
        let detail_size = self.borders.picture_size();
        let active = self.borders.active_area();
        // Saliency is looked for a little inside the active picture: the step from a black
        // bar to the picture is an edge, not content.
        let saliency_area = active.map_or(PixelRect::whole(detail_size.0, detail_size.1), |area| PixelRect {
            x0: (area.x0 + 2).min(area.x1),
            y0: (area.y0 + 2).min(area.y1),
            x1: area.x1.saturating_sub(2).max(area.x0),
            y1: area.y1.saturating_sub(2).max(area.y0),
        });
        LookSignals {
            start,
            end,
            mouth_motion: self.mouth_motion,
            salient: self
                .profiles
                .iter()
                .map(|profile| salient_box(profile, saliency_area, self.display_per_detail))
                .collect(),
            active_area: active.map(|area| to_display(area, detail_size, display_size)),
        }
    }
}

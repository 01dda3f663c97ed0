//! The close look: a full-rate decode of one chosen window that finds the exact shot cuts and,
//! a few times per second, the faces.

use opusclip_analyze::adaptive::AdaptiveParams;
use opusclip_analyze::detector::{ShotDetector, ShotDetectorKind};
use opusclip_analyze::faces::FaceDetector;
use opusclip_analyze::shots::ContentWeights;
use opusclip_analyze::GrayView;
use opusclip_core::{CloseLook, FaceFrame, ProbeFacts, Result};
use opusclip_media::{decode_window, WindowOptions};
use std::path::Path;

/// Width of the picture used for shot cuts.
pub const SHOT_WIDTH: u32 = 256;
/// Width of the picture searched for faces.
pub const FACE_WIDTH: u32 = 640;
/// Face detections per second.
pub const FACE_FPS: f64 = 5.0;

/// Decode `[start, end)` at full rate and report its cuts and faces.
pub fn close_look(
    path: &Path,
    facts: &ProbeFacts,
    start: f64,
    end: f64,
    detector: &mut FaceDetector,
    progress: &mut dyn FnMut(f64),
) -> Result<CloseLook> {
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
    let mut faces = Vec::new();
    let span = (end - start).max(1e-6);
    decode_window(path, facts, options, &mut |frame| {
        let small = GrayView { width: frame.small.width, height: frame.small.height, data: &frame.small.data };
        cuts.extend(shots.push_gray(frame.index, frame.t, small));
        if let Some(detail) = frame.detail {
            let scale = f64::from(display_width) / f64::from(detail.width.max(1));
            let view = GrayView { width: detail.width, height: detail.height, data: &detail.data };
            faces.push(FaceFrame { t: frame.t, faces: detector.detect(view, scale) });
            progress(((frame.t - start) / span).clamp(0.0, 1.0));
        }
        Ok(())
    })?;
    Ok(CloseLook {
        start,
        end,
        cuts: cuts.into_iter().chain(shots.finish()).map(|cut| cut.t).collect(),
        faces,
        width: display_width,
        height: display_height,
    })
}

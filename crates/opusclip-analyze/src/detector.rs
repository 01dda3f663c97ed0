//! One call shape for the shot detectors, so the pipeline picks the content or the adaptive
//! detector with a setting and feeds frames the same way: `push_yuv` or `push_gray` per frame,
//! each returning the cuts decided so far, then `finish` for the rest.

use crate::adaptive::{AdaptiveDetector, AdaptiveParams};
use crate::shots::{content_score, ContentDetector, ContentParams, ContentWeights, Cut, FrameDiffer, PlaneDeltas};
use crate::{GrayView, YuvView};

/// Which detector to run, with its parameters.
#[derive(Debug, Clone, Copy)]
pub enum ShotDetectorKind {
    /// Threshold on the content score ([`ContentDetector`]).
    Content(ContentParams),
    /// Ratio of the content score to its neighbourhood ([`AdaptiveDetector`]); the weights
    /// make its content score.
    Adaptive(AdaptiveParams, ContentWeights),
}

impl ShotDetectorKind {
    /// The shortest shot, in frames, that this detector lets through.
    pub fn min_scene_frames(&self) -> u64 {
        match self {
            ShotDetectorKind::Content(params) => params.min_scene_frames,
            ShotDetectorKind::Adaptive(params, _) => params.min_scene_frames,
        }
    }
}

impl Default for ShotDetectorKind {
    fn default() -> Self {
        ShotDetectorKind::Adaptive(AdaptiveParams::default(), ContentWeights::default())
    }
}

/// A shot detector of either kind, fed frames in order.
#[derive(Debug)]
pub enum ShotDetector {
    Content(ContentDetector),
    Adaptive { differ: FrameDiffer, weights: ContentWeights, detector: AdaptiveDetector },
}

impl ShotDetector {
    /// A detector of the given kind.
    pub fn new(kind: ShotDetectorKind) -> ShotDetector {
        match kind {
            ShotDetectorKind::Content(params) => ShotDetector::Content(ContentDetector::new(params)),
            ShotDetectorKind::Adaptive(params, weights) => ShotDetector::Adaptive {
                differ: FrameDiffer::default(),
                weights,
                detector: AdaptiveDetector::new(params),
            },
        }
    }

    /// Feed the next frame as YUV 4:2:0; returns the cuts decided now.
    pub fn push_yuv(&mut self, frame_index: u64, t: f64, frame: YuvView) -> Vec<Cut> {
        match self {
            ShotDetector::Content(detector) => detector.push_yuv(frame_index, t, frame).into_iter().collect(),
            ShotDetector::Adaptive { differ, weights, detector } => {
                let score = score_or_zero(differ.push_yuv(frame), *weights);
                detector.push(frame_index, t, score)
            }
        }
    }

    /// Feed the next frame as a gray picture (luma-only score); returns the cuts decided now.
    pub fn push_gray(&mut self, frame_index: u64, t: f64, frame: GrayView) -> Vec<Cut> {
        match self {
            ShotDetector::Content(detector) => detector.push(frame_index, t, frame).into_iter().collect(),
            ShotDetector::Adaptive { differ, weights, detector } => {
                let score = score_or_zero(differ.push_gray(frame), *weights);
                detector.push(frame_index, t, score)
            }
        }
    }

    /// Feed the next frame as its plane differences from the frame before (measured by a
    /// [`FrameDiffer`] elsewhere, e.g. on a decoding thread); `None` when it has no predecessor.
    /// Returns the cuts decided now.
    pub fn push_deltas(&mut self, frame_index: u64, t: f64, deltas: Option<PlaneDeltas>) -> Vec<Cut> {
        match self {
            ShotDetector::Content(detector) => detector.push_deltas(frame_index, t, deltas).into_iter().collect(),
            ShotDetector::Adaptive { weights, detector, .. } => {
                detector.push(frame_index, t, score_or_zero(deltas, *weights))
            }
        }
    }

    /// The cuts still undecided at the end of the stream.
    pub fn finish(&mut self) -> Vec<Cut> {
        match self {
            ShotDetector::Content(_) => Vec::new(),
            ShotDetector::Adaptive { detector, .. } => detector.finish(),
        }
    }
}

/// The first frame (and the first after a change of size) scores 0, as in PySceneDetect.
fn score_or_zero(deltas: Option<PlaneDeltas>, weights: ContentWeights) -> f32 {
    deltas.map_or(0.0, |deltas| content_score(deltas, weights))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adaptive::AdaptiveParams;
    use crate::flash::FlashMode;

    const WIDTH: usize = 192;
    const HEIGHT: usize = 96;

    /// A smooth random texture (value noise on a 16 px grid), `width` wide, deterministic.
    fn texture(width: usize, seed: u64, offset: u8) -> Vec<u8> {
        let cell = 12;
        let grid_w = width / cell + 2;
        let grid_h = HEIGHT / cell + 2;
        let mut state = seed;
        let grid: Vec<f32> = (0..grid_w * grid_h)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((state >> 33) % 170) as f32
            })
            .collect();
        let mut picture = vec![0u8; width * HEIGHT];
        for y in 0..HEIGHT {
            for x in 0..width {
                let (gx, gy) = (x / cell, y / cell);
                let (fx, fy) = ((x % cell) as f32 / cell as f32, (y % cell) as f32 / cell as f32);
                let at = |i: usize, j: usize| grid[j * grid_w + i];
                let top = at(gx, gy) * (1.0 - fx) + at(gx + 1, gy) * fx;
                let bottom = at(gx, gy + 1) * (1.0 - fx) + at(gx + 1, gy + 1) * fx;
                picture[y * width + x] = (top * (1.0 - fy) + bottom * fy) as u8 + offset;
            }
        }
        picture
    }

    /// Frames of a pan across `scene` at 8 px per frame: frame `index` starts at `8 * index`.
    fn pan_frame(scene: &[u8], scene_width: usize, index: usize) -> Vec<u8> {
        let start = (8 * index) % (scene_width - WIDTH);
        (0..HEIGHT).flat_map(|y| scene[y * scene_width + start..y * scene_width + start + WIDTH].to_vec()).collect()
    }

    /// Runs a pan over 60 frames that cuts to a brighter scene (still panning) at frame 30.
    fn cuts_of_pan(kind: ShotDetectorKind) -> (Vec<u64>, Vec<f32>) {
        let scene_width = 8 * 64 + WIDTH;
        let first = texture(scene_width, 7, 0);
        let second = texture(scene_width, 99, 85);
        let mut detector = ShotDetector::new(kind);
        let mut scores_check = ContentDetector::new(ContentParams::default());
        let (mut cuts, mut scores) = (Vec::new(), Vec::new());
        for index in 0..60 {
            let frame =
                if index < 30 { pan_frame(&first, scene_width, index) } else { pan_frame(&second, scene_width, index) };
            let view = GrayView { width: WIDTH as u32, height: HEIGHT as u32, data: &frame };
            cuts.extend(detector.push_gray(index as u64, index as f64 / 30.0, view));
            scores_check.push(index as u64, 0.0, view);
            scores.extend(scores_check.last_score());
        }
        cuts.extend(detector.finish());
        (cuts.iter().map(|cut| cut.frame).collect(), scores)
    }

    #[test]
    fn adaptive_ignores_a_fast_pan_but_catches_the_cut_inside_it() {
        let (cuts, scores) = cuts_of_pan(ShotDetectorKind::default());
        // The pan really is hard: every frame of it scores above the content threshold.
        let pan_scores: Vec<f32> = scores.iter().enumerate().filter(|(i, _)| *i != 29).map(|(_, s)| *s).collect();
        assert!(pan_scores.iter().all(|&s| s >= 27.0), "{scores:?}");
        assert_eq!(cuts, vec![30], "{scores:?}");
    }

    #[test]
    fn content_detector_cuts_on_the_pan() {
        // Suppressing, it cuts again and again; merging, the pan is one long run of candidates
        // that swallows the real cut too.
        let suppress = ContentParams { flash_mode: FlashMode::Suppress, ..ContentParams::default() };
        let (cuts, _) = cuts_of_pan(ShotDetectorKind::Content(suppress));
        assert!(cuts.len() > 2, "{cuts:?}");
        let (cuts, _) = cuts_of_pan(ShotDetectorKind::Content(ContentParams::default()));
        assert!(!cuts.contains(&30), "{cuts:?}");
    }

    #[test]
    fn yuv_and_gray_frames_feed_the_same_way() {
        let mut detector =
            ShotDetector::new(ShotDetectorKind::Adaptive(AdaptiveParams::default(), ContentWeights::default()));
        let mut cuts = Vec::new();
        for index in 0..40u64 {
            let level = if index < 20 { 30 } else { 200 };
            let (y, u, v) = (vec![level; 16], vec![128u8; 4], vec![128u8; 4]);
            cuts.extend(detector.push_yuv(
                index,
                index as f64 / 25.0,
                YuvView { width: 4, height: 4, y: &y, u: &u, v: &v },
            ));
        }
        cuts.extend(detector.finish());
        assert_eq!(cuts.iter().map(|cut| cut.frame).collect::<Vec<_>>(), vec![20]);
        assert!((cuts[0].t - 0.8).abs() < 1e-9);
    }
}

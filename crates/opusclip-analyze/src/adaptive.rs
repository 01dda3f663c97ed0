//! Hard-cut detection that tolerates fast camera motion, in the manner of PySceneDetect's
//! adaptive detector: each frame's content score is divided by the mean score of the
//! `window_width` frames on each side of it (the frame itself excluded), so a pan whose scores
//! are high but steady gives ratios near 1, while a cut stands out of its neighbourhood. A cut
//! needs `ratio >= adaptive_threshold` and `score >= min_content_val`, and then passes the
//! [`crate::flash`] filter. Deciding needs the scores of the next `window_width` frames, so cuts
//! come out that many frames late; [`AdaptiveDetector::finish`] decides the last frames with the
//! neighbours they have.

use crate::flash::{FlashFilter, FlashMode};
use crate::shots::Cut;
use std::collections::VecDeque;

/// Largest ratio reported (also the ratio of a score after a perfectly still neighbourhood).
pub const MAX_RATIO: f32 = 255.0;

/// Parameters of the adaptive detector (defaults are PySceneDetect's).
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveParams {
    /// Ratio of a frame's score to its neighbours' mean that makes a cut (3.0).
    pub adaptive_threshold: f32,
    /// Frames on each side of a frame that form its neighbourhood (2).
    pub window_width: usize,
    /// Lowest content score that may cut, whatever the ratio (15).
    pub min_content_val: f32,
    /// Fewest frames between two cuts (15).
    pub min_scene_frames: u64,
    /// How cuts closer than `min_scene_frames` are treated.
    pub flash_mode: FlashMode,
}

impl Default for AdaptiveParams {
    fn default() -> Self {
        AdaptiveParams {
            adaptive_threshold: 3.0,
            window_width: 2,
            min_content_val: 15.0,
            min_scene_frames: 15,
            flash_mode: FlashMode::Merge,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct ScoredFrame {
    frame: u64,
    t: f64,
    score: f32,
}

/// Streams content scores (one per frame, in order) into cuts, `window_width` frames late.
#[derive(Debug)]
pub struct AdaptiveDetector {
    params: AdaptiveParams,
    window: VecDeque<ScoredFrame>,
    /// Index in `window` of the next frame to decide.
    next: usize,
    flash: FlashFilter,
}

impl AdaptiveDetector {
    /// A detector with the given parameters.
    pub fn new(params: AdaptiveParams) -> AdaptiveDetector {
        AdaptiveDetector {
            params,
            window: VecDeque::with_capacity(2 * params.window_width + 1),
            next: 0,
            flash: FlashFilter::new(params.flash_mode, params.min_scene_frames),
        }
    }

    /// Feed the content score of the next frame (0 for the first frame, which has nothing to
    /// differ from); returns the cuts that can now be decided (at most one).
    pub fn push(&mut self, frame_index: u64, t: f64, score: f32) -> Vec<Cut> {
        self.flash.observe(frame_index);
        self.window.push_back(ScoredFrame { frame: frame_index, t, score });
        let mut cuts = Vec::new();
        // A frame is decided once `window_width` frames follow it.
        while self.next + self.params.window_width < self.window.len() {
            cuts.extend(self.decide_next());
        }
        cuts
    }

    /// Decides the frames still waiting for followers, with the neighbours they have.
    pub fn finish(&mut self) -> Vec<Cut> {
        let mut cuts = Vec::new();
        while self.next < self.window.len() {
            cuts.extend(self.decide_next());
        }
        cuts
    }

    /// The ratio of the waiting frame `self.next` to its neighbours; advances and trims.
    fn decide_next(&mut self) -> Option<Cut> {
        let target = self.window[self.next];
        let ratio = self.ratio_of(self.next);
        self.next += 1;
        if self.next > self.params.window_width {
            self.window.pop_front();
            self.next -= 1;
        }
        let candidate = ratio >= self.params.adaptive_threshold && target.score >= self.params.min_content_val;
        (candidate && self.flash.keep(target.frame)).then_some(Cut {
            frame: target.frame,
            t: target.t,
            score: target.score,
        })
    }

    fn ratio_of(&self, position: usize) -> f32 {
        let target = self.window[position].score;
        let neighbours: Vec<f32> = self
            .window
            .iter()
            .enumerate()
            .filter(|&(index, _)| index != position)
            .map(|(_, frame)| frame.score)
            .collect();
        adaptive_ratio(target, &neighbours)
    }
}

/// A score divided by the mean of its neighbours' scores, capped at [`MAX_RATIO`]. A positive
/// score after still (all-zero) or absent neighbours gets the cap; a zero score gets 0.
pub fn adaptive_ratio(score: f32, neighbours: &[f32]) -> f32 {
    let mean = if neighbours.is_empty() { 0.0 } else { neighbours.iter().sum::<f32>() / neighbours.len() as f32 };
    if mean > 1e-5 {
        (score / mean).min(MAX_RATIO)
    } else if score > 0.0 {
        MAX_RATIO
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(scores: &[f32]) -> Vec<u64> {
        let mut detector = AdaptiveDetector::new(AdaptiveParams::default());
        let mut cuts = Vec::new();
        for (index, &score) in scores.iter().enumerate() {
            cuts.extend(detector.push(index as u64, index as f64 / 30.0, score));
        }
        cuts.extend(detector.finish());
        cuts.iter().map(|cut| cut.frame).collect()
    }

    #[test]
    fn ratio_is_against_the_neighbours_mean() {
        assert_eq!(adaptive_ratio(30.0, &[10.0, 10.0, 5.0, 15.0]), 3.0);
        assert_eq!(adaptive_ratio(30.0, &[0.0, 0.0]), MAX_RATIO);
        assert_eq!(adaptive_ratio(0.0, &[0.0, 0.0]), 0.0);
        assert_eq!(adaptive_ratio(1000.0, &[0.001]), MAX_RATIO);
    }

    #[test]
    fn a_spike_cuts_a_steady_high_score_does_not() {
        let mut scores = vec![0.0];
        scores.extend(vec![30.0; 40]); // a steady pan: high but flat
        scores.push(120.0); // frame 41: a cut inside the pan
        scores.extend(vec![30.0; 40]);
        assert_eq!(run(&scores), vec![41]);
    }

    #[test]
    fn a_spike_below_min_content_val_does_not_cut() {
        let mut scores = vec![0.0; 30];
        scores[20] = 14.0;
        assert!(run(&scores).is_empty());
        scores[20] = 16.0;
        assert_eq!(run(&scores), vec![20]);
    }

    #[test]
    fn cuts_come_out_window_width_frames_late() {
        let mut detector = AdaptiveDetector::new(AdaptiveParams::default());
        let scores =
            [0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 80.0, 1.0, 1.0];
        let mut decided_at = None;
        for (index, &score) in scores.iter().enumerate() {
            if !detector.push(index as u64, 0.0, score).is_empty() {
                decided_at = Some(index);
            }
        }
        assert_eq!(decided_at, Some(20));
    }

    #[test]
    fn finish_decides_the_last_frames() {
        let mut scores = vec![0.0; 30];
        scores[29] = 60.0;
        assert_eq!(run(&scores), vec![29]);
    }
}

//! Hard-cut detection on consecutive frames, in the manner of PySceneDetect's content
//! detector (luma only here): a cut where the mean absolute difference from the previous frame
//! reaches `threshold`, and no cut closer than `min_scene_frames` to the previous one, so a
//! flash does not split a shot.

use crate::{mean_abs_diff, GrayView};
use opusclip_core::Shot;

/// Parameters of the content detector.
#[derive(Debug, Clone, Copy)]
pub struct ContentParams {
    /// Mean absolute luma difference (0..255) that makes a cut. PySceneDetect's default is 27.
    pub threshold: f32,
    /// Fewest frames between two cuts (PySceneDetect: 15).
    pub min_scene_frames: u64,
}

impl Default for ContentParams {
    fn default() -> Self {
        ContentParams { threshold: 27.0, min_scene_frames: 15 }
    }
}

/// A detected cut: the first frame of the new shot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cut {
    pub frame: u64,
    pub t: f64,
    pub score: f32,
}

/// Streams frames (in order) into cuts; keeps only the previous picture.
#[derive(Debug)]
pub struct ContentDetector {
    params: ContentParams,
    previous: Vec<u8>,
    last_cut_frame: Option<u64>,
    first_frame: Option<u64>,
    cuts: Vec<Cut>,
}

impl ContentDetector {
    pub fn new(params: ContentParams) -> ContentDetector {
        ContentDetector { params, previous: Vec::new(), last_cut_frame: None, first_frame: None, cuts: Vec::new() }
    }

    /// Feed the next frame; returns the cut it starts, if any.
    pub fn push(&mut self, frame_index: u64, t: f64, frame: GrayView) -> Option<Cut> {
        let first = *self.first_frame.get_or_insert(frame_index);
        let mut found = None;
        if self.previous.len() == frame.data.len() {
            let score = mean_abs_diff(&self.previous, frame.data);
            let since = frame_index.saturating_sub(self.last_cut_frame.unwrap_or(first));
            if score >= self.params.threshold && since >= self.params.min_scene_frames {
                let cut = Cut { frame: frame_index, t, score };
                self.cuts.push(cut);
                self.last_cut_frame = Some(frame_index);
                found = Some(cut);
            }
        }
        self.previous.clear();
        self.previous.extend_from_slice(frame.data);
        found
    }

    pub fn cuts(&self) -> &[Cut] {
        &self.cuts
    }

    pub fn finish(self) -> Vec<Cut> {
        self.cuts
    }
}

/// Shots between `start` and `end` split at `cuts` (cuts must be in order).
pub fn shots_from_cuts(cuts: &[Cut], start: (u64, f64), end: (u64, f64)) -> Vec<Shot> {
    let mut shots = Vec::with_capacity(cuts.len() + 1);
    let mut shot_start = start;
    for cut in cuts {
        if cut.frame > shot_start.0 && cut.frame < end.0 {
            shots.push(Shot { start: shot_start.1, end: cut.t, start_frame: shot_start.0, end_frame: cut.frame - 1 });
            shot_start = (cut.frame, cut.t);
        }
    }
    shots.push(Shot { start: shot_start.1, end: end.1, start_frame: shot_start.0, end_frame: end.0 });
    shots
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(detector: &mut ContentDetector, levels: &[u8]) {
        for (index, &level) in levels.iter().enumerate() {
            let data = vec![level; 64];
            detector.push(index as u64, index as f64 / 30.0, GrayView { width: 8, height: 8, data: &data });
        }
    }

    #[test]
    fn cut_is_the_first_frame_of_the_new_shot() {
        let mut detector = ContentDetector::new(ContentParams::default());
        let mut levels = vec![20u8; 40];
        levels.extend(vec![200u8; 40]);
        feed(&mut detector, &levels);
        let cuts = detector.finish();
        assert_eq!(cuts.len(), 1);
        assert_eq!(cuts[0].frame, 40);
    }

    #[test]
    fn flash_shorter_than_min_scene_is_one_shot() {
        let mut detector = ContentDetector::new(ContentParams::default());
        let mut levels = vec![20u8; 40];
        levels.extend(vec![250u8; 3]);
        levels.extend(vec![20u8; 40]);
        feed(&mut detector, &levels);
        // The flash's start may cut, but not its end 3 frames later.
        assert!(detector.finish().len() <= 1);
    }

    #[test]
    fn slow_change_does_not_cut() {
        let mut detector = ContentDetector::new(ContentParams::default());
        let levels: Vec<u8> = (0..200).map(|i| i as u8).collect();
        feed(&mut detector, &levels);
        assert!(detector.finish().is_empty());
    }

    #[test]
    fn shots_cover_the_window() {
        let cuts = [Cut { frame: 30, t: 1.0, score: 50.0 }, Cut { frame: 90, t: 3.0, score: 50.0 }];
        let shots = shots_from_cuts(&cuts, (0, 0.0), (149, 5.0));
        assert_eq!(shots.len(), 3);
        assert_eq!((shots[1].start_frame, shots[1].end_frame), (30, 89));
        assert_eq!(shots[2].end, 5.0);
    }
}

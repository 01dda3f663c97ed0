//! The minimum-scene-length rule shared by the shot detectors, in the manner of
//! PySceneDetect's flash filter: a camera flash, a strobe or a burst of quick edits makes
//! several candidate cuts a few frames apart, and this filter decides which of them stand.
//!
//! - [`FlashMode::Merge`] (the default) chains candidates: a candidate closer than
//!   `min_scene_frames` to the previous *candidate* (kept or not) is dropped, and it becomes the
//!   new reference, so a whole run of rapid candidates yields one cut, at its first frame.
//! - [`FlashMode::Suppress`] drops a candidate closer than `min_scene_frames` to the previous
//!   *kept* cut; a long strobe therefore still cuts every `min_scene_frames` frames.
//!
//! In both modes the first frame of the stream counts as the reference for the first cut, so no
//! shot shorter than `min_scene_frames` is made at the start either.

use serde::{Deserialize, Serialize};

/// How candidates closer than the minimum scene length are treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlashMode {
    /// Chain close candidates into one cut (the first of the run).
    #[default]
    Merge,
    /// Drop candidates too close to the last kept cut.
    Suppress,
}

/// Decides, candidate by candidate and in frame order, which cuts stand.
#[derive(Debug, Clone)]
pub struct FlashFilter {
    mode: FlashMode,
    min_scene_frames: u64,
    reference: Option<u64>,
}

impl FlashFilter {
    /// A filter that keeps shots at least `min_scene_frames` long.
    pub fn new(mode: FlashMode, min_scene_frames: u64) -> FlashFilter {
        FlashFilter { mode, min_scene_frames, reference: None }
    }

    /// Tells the filter a frame was seen; the first one becomes the reference of the first cut.
    pub fn observe(&mut self, frame_index: u64) {
        self.reference.get_or_insert(frame_index);
    }

    /// Whether a candidate cut at `frame_index` (the first frame of the new shot) stands.
    pub fn keep(&mut self, frame_index: u64) -> bool {
        let reference = *self.reference.get_or_insert(frame_index);
        let far_enough = frame_index.saturating_sub(reference) >= self.min_scene_frames;
        match self.mode {
            FlashMode::Suppress => {
                if far_enough {
                    self.reference = Some(frame_index);
                }
            }
            FlashMode::Merge => self.reference = Some(frame_index),
        }
        far_enough
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(mode: FlashMode, candidates: &[u64]) -> Vec<u64> {
        let mut filter = FlashFilter::new(mode, 15);
        filter.observe(0);
        candidates.iter().copied().filter(|&frame| filter.keep(frame)).collect()
    }

    #[test]
    fn three_frame_flash_gives_one_cut_in_both_modes() {
        // A flash over frames 40..43 makes candidates at its start and its end.
        assert_eq!(kept(FlashMode::Merge, &[40, 43]), vec![40]);
        assert_eq!(kept(FlashMode::Suppress, &[40, 43]), vec![40]);
    }

    #[test]
    fn strobe_merges_into_one_cut_but_suppress_cuts_periodically() {
        let strobe: Vec<u64> = (0..10).map(|i| 40 + 5 * i).collect(); // 40, 45, .., 85
        assert_eq!(kept(FlashMode::Merge, &strobe), vec![40]);
        assert_eq!(kept(FlashMode::Suppress, &strobe), vec![40, 55, 70, 85]);
    }

    #[test]
    fn merge_releases_after_a_long_enough_gap() {
        assert_eq!(kept(FlashMode::Merge, &[40, 45, 60, 61, 100]), vec![40, 60, 100]);
    }

    #[test]
    fn no_cut_closer_than_min_scene_to_the_start() {
        assert_eq!(kept(FlashMode::Suppress, &[5, 20]), vec![20]);
        assert_eq!(kept(FlashMode::Merge, &[5, 20]), vec![20]);
    }
}

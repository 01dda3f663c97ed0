//! The survey's coarse visual signal: how much each key frame differs from the one before.

use crate::{changed_share, mean_abs_diff, GrayView};
use opusclip_core::VisualChange;

/// Streams key frames into [`VisualChange`]s; keeps only the previous picture.
#[derive(Debug, Default)]
pub struct KeyframeChanges {
    previous: Vec<u8>,
    previous_size: (u32, u32),
    changes: Vec<VisualChange>,
}

impl KeyframeChanges {
    pub fn push(&mut self, t: f64, frame: GrayView) {
        let size = (frame.width, frame.height);
        if !self.previous.is_empty() && size == self.previous_size {
            let score = mean_abs_diff(&self.previous, frame.data);
            let changed_share = changed_share(&self.previous, frame.data);
            self.changes.push(VisualChange { t, score, changed_share });
        }
        self.previous.clear();
        self.previous.extend_from_slice(frame.data);
        self.previous_size = size;
    }

    pub fn finish(self) -> Vec<VisualChange> {
        self.changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_is_measured_between_consecutive_frames() {
        let mut changes = KeyframeChanges::default();
        let dark = vec![0u8; 16];
        let bright = vec![200u8; 16];
        changes.push(0.0, GrayView { width: 4, height: 4, data: &dark });
        changes.push(2.0, GrayView { width: 4, height: 4, data: &dark });
        changes.push(4.0, GrayView { width: 4, height: 4, data: &bright });
        let found = changes.finish();
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].score, found[0].changed_share), (0.0, 0.0));
        assert_eq!((found[1].t, found[1].score, found[1].changed_share), (4.0, 200.0, 1.0));
    }

    #[test]
    fn a_small_moving_part_shows_as_changed_share_not_in_the_mean() {
        let mut changes = KeyframeChanges::default();
        let slide = vec![230u8; 400];
        let mut with_tile = slide.clone();
        with_tile[..8].fill(90);
        with_tile[8..12].fill(220);
        changes.push(0.0, GrayView { width: 20, height: 20, data: &slide });
        changes.push(5.0, GrayView { width: 20, height: 20, data: &with_tile });
        let found = changes.finish();
        assert!(found[0].score < 3.0, "{found:?}");
        assert_eq!(found[0].changed_share, 0.02);
    }
}

//! The survey's coarse visual signal: how much each key frame differs from the one before.

use crate::{mean_abs_diff, GrayView};
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
            self.changes.push(VisualChange { t, score: mean_abs_diff(&self.previous, frame.data) });
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
        assert_eq!(found[0].score, 0.0);
        assert_eq!((found[1].t, found[1].score), (4.0, 200.0));
    }
}

//! Where the camera wants to be at each moment of a shot: on the followed face while it is
//! seen, held where the face was last seen for `hold_after_loss` seconds after it is lost,
//! then back at the centre of the frame.

use crate::geometry::Frame;
use crate::subject::Sighting;

/// The camera's wish over one shot, asked in increasing time order.
#[derive(Debug, Clone)]
pub(crate) struct TargetTimeline<'a> {
    sightings: &'a [Sighting],
    frame: Frame,
    hold_after_loss: f64,
    /// Index of the first sighting not yet taken into account.
    next_sighting: usize,
    /// Where the camera wants to be while the face is seen or held.
    face_target: (f64, f64),
    /// Time of the first frame without the face since it was last seen.
    lost_since: Option<f64>,
}

impl<'a> TargetTimeline<'a> {
    /// The wish over a shot with these sightings (in time order).
    pub fn new(sightings: &'a [Sighting], frame: Frame, hold_after_loss: f64) -> Self {
        let face_target = sightings
            .iter()
            .find_map(|sighting| sighting.face)
            .map_or_else(|| frame.clamp_centre(frame.centre()), |face| frame.centre_on_face(&face));
        TargetTimeline { sightings, frame, hold_after_loss, next_sighting: 0, face_target, lost_since: None }
    }

    /// Where the camera starts the shot: on the first face seen in it (the cut makes the jump
    /// there free), or the centre when the shot has no face.
    pub fn initial(&self) -> (f64, f64) {
        self.face_target
    }

    /// Where the camera wants to be at `t` (not earlier than the previous call's `t`).
    pub fn at(&mut self, t: f64) -> (f64, f64) {
        while let Some(sighting) = self.sightings.get(self.next_sighting) {
            if sighting.t > t {
                break;
            }
            self.take(sighting);
            self.next_sighting += 1;
        }
        match self.lost_since {
            Some(since) if t - since >= self.hold_after_loss => self.frame.clamp_centre(self.frame.centre()),
            _ => self.face_target,
        }
    }

    fn take(&mut self, sighting: &Sighting) {
        match sighting.face {
            Some(face) => {
                self.face_target = self.frame.centre_on_face(&face);
                self.lost_since = None;
            }
            None => {
                self.lost_since.get_or_insert(sighting.t);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::{Aspect, BoxF};

    fn seen(t: f64, centre_x: f64) -> Sighting {
        Sighting { t, face: Some(BoxF { x: centre_x - 50.0, y: 300.0, w: 100.0, h: 100.0 }) }
    }

    fn missed(t: f64) -> Sighting {
        Sighting { t, face: None }
    }

    fn frame() -> Frame {
        Frame::new((1920, 1080), Aspect::Vertical)
    }

    #[test]
    fn starts_on_the_first_face_even_if_it_appears_late() {
        let sightings = [missed(0.0), missed(0.5), seen(2.0, 400.0)];
        let mut timeline = TargetTimeline::new(&sightings, frame(), 1.0);
        assert_eq!(timeline.initial(), (400.0, 540.0));
        assert_eq!(timeline.at(0.1), (400.0, 540.0));
    }

    #[test]
    fn a_shot_without_faces_wants_the_centre() {
        let sightings = [missed(0.0), missed(1.0)];
        let mut timeline = TargetTimeline::new(&sightings, frame(), 1.0);
        assert_eq!(timeline.initial(), (960.0, 540.0));
        assert_eq!(timeline.at(5.0), (960.0, 540.0));
    }

    #[test]
    fn follows_the_latest_sighting() {
        let sightings = [seen(0.0, 400.0), seen(1.0, 800.0), seen(2.0, 1200.0)];
        let mut timeline = TargetTimeline::new(&sightings, frame(), 1.0);
        assert_eq!(timeline.at(0.5).0, 400.0);
        assert_eq!(timeline.at(1.0).0, 800.0);
        assert_eq!(timeline.at(9.0).0, 1200.0);
    }

    #[test]
    fn holds_after_loss_then_wants_the_centre() {
        let sightings = [seen(0.0, 400.0), missed(1.0), missed(1.5), missed(2.5)];
        let mut timeline = TargetTimeline::new(&sightings, frame(), 1.0);
        assert_eq!(timeline.at(1.2).0, 400.0);
        assert_eq!(timeline.at(1.9).0, 400.0);
        assert_eq!(timeline.at(2.0).0, 960.0);
    }

    #[test]
    fn a_face_found_again_ends_the_loss() {
        let sightings = [seen(0.0, 400.0), missed(1.0), seen(1.5, 500.0), missed(3.0)];
        let mut timeline = TargetTimeline::new(&sightings, frame(), 1.0);
        assert_eq!(timeline.at(2.9).0, 500.0);
        assert_eq!(timeline.at(3.5).0, 500.0);
        assert_eq!(timeline.at(4.0).0, 960.0);
    }
}

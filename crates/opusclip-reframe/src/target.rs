//! Where the camera wants to be at each moment of a span: the window centre that frames the
//! followed face (median-filtered over neighbouring samples, so one bad detection does not
//! move the camera; not yet limited to the frame, so a face beyond reach pulls the camera to
//! the frame's edge), held where the face was last seen for `hold_after_loss` seconds after it
//! is lost, then the centre of the frame.

use crate::geometry::Frame;
use crate::subject::Sighting;
use crate::tracker::median;

/// Samples on each side whose framing points are combined by the median filter (two at
/// 5 fps: a window of about one second).
const MEDIAN_REACH: usize = 2;

/// The window centre that frames the face at one sample, if it was seen.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct FramingPoint {
    pub t: f64,
    pub centre: Option<(f64, f64)>,
}

/// The framing point of each sighting (in time order), median-filtered over the seen
/// neighbours within [`MEDIAN_REACH`] samples on each side.
pub(crate) fn framing_points(sightings: &[Sighting], frame: &Frame) -> Vec<FramingPoint> {
    let raw: Vec<Option<(f64, f64)>> =
        sightings.iter().map(|sighting| sighting.face.map(|face| frame.aim_at_face(&face))).collect();
    sightings
        .iter()
        .enumerate()
        .map(|(index, sighting)| {
            let centre = raw[index].map(|_| {
                let neighbours: Vec<(f64, f64)> = raw
                    [index.saturating_sub(MEDIAN_REACH)..(index + MEDIAN_REACH + 1).min(raw.len())]
                    .iter()
                    .flatten()
                    .copied()
                    .collect();
                (
                    median(neighbours.iter().map(|point| point.0).collect()),
                    median(neighbours.iter().map(|point| point.1).collect()),
                )
            });
            FramingPoint { t: sighting.t, centre }
        })
        .collect()
}

/// The camera's wish over one span, asked in increasing time order.
#[derive(Debug, Clone)]
pub(crate) struct TargetTimeline<'a> {
    points: &'a [FramingPoint],
    frame_centre: (f64, f64),
    hold_after_loss: f64,
    /// Index of the first point not yet taken into account.
    next_point: usize,
    /// Where the camera wants to be while the face is seen or held.
    face_target: Option<(f64, f64)>,
    /// Time of the first sample without the face since it was last seen.
    lost_since: Option<f64>,
}

impl<'a> TargetTimeline<'a> {
    /// The wish over a span with these framing points (in time order). Before the first
    /// sighting the wish is that first sighting (a cut makes the jump there free).
    pub fn new(points: &'a [FramingPoint], frame: &Frame, hold_after_loss: f64) -> Self {
        let face_target = points.iter().find_map(|point| point.centre);
        TargetTimeline {
            points,
            frame_centre: frame.clamp_centre(frame.centre()),
            hold_after_loss,
            next_point: 0,
            face_target,
            lost_since: None,
        }
    }

    /// Where the camera wants to be at `t` (not earlier than the previous call's `t`);
    /// `None` when the span has no face at all.
    pub fn at(&mut self, t: f64) -> Option<(f64, f64)> {
        while let Some(point) = self.points.get(self.next_point) {
            if point.t > t {
                break;
            }
            match point.centre {
                Some(centre) => {
                    self.face_target = Some(centre);
                    self.lost_since = None;
                }
                None => {
                    self.lost_since.get_or_insert(point.t);
                }
            }
            self.next_point += 1;
        }
        let face_target = self.face_target?;
        match self.lost_since {
            Some(since) if t - since >= self.hold_after_loss => Some(self.frame_centre),
            _ => Some(face_target),
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

    fn timeline_x(sightings: &[Sighting], times: &[f64]) -> Vec<Option<f64>> {
        let points = framing_points(sightings, &frame());
        let mut timeline = TargetTimeline::new(&points, &frame(), 1.0);
        times.iter().map(|t| timeline.at(*t).map(|centre| centre.0)).collect()
    }

    #[test]
    fn one_stray_detection_is_filtered_out() {
        let sightings = [seen(0.0, 400.0), seen(0.2, 402.0), seen(0.4, 1500.0), seen(0.6, 398.0), seen(0.8, 401.0)];
        let xs: Vec<f64> = framing_points(&sightings, &frame()).iter().map(|p| p.centre.unwrap().0).collect();
        assert!(xs.iter().all(|x| (398.0..=402.0).contains(x)), "{xs:?}");
    }

    #[test]
    fn starts_on_the_first_face_even_if_it_appears_late() {
        assert_eq!(timeline_x(&[missed(0.0), missed(0.5), seen(2.0, 400.0)], &[0.1, 2.5]), [Some(400.0), Some(400.0)]);
    }

    #[test]
    fn a_span_without_faces_has_no_wish() {
        assert_eq!(timeline_x(&[missed(0.0), missed(1.0)], &[0.0, 5.0]), [None, None]);
    }

    #[test]
    fn holds_after_loss_then_wants_the_centre() {
        let sightings = [seen(0.0, 400.0), missed(1.0), missed(1.5), missed(2.5)];
        assert_eq!(timeline_x(&sightings, &[1.2, 1.9, 2.0]), [Some(400.0), Some(400.0), Some(960.0)]);
    }

    #[test]
    fn a_face_found_again_ends_the_loss() {
        let sightings = [seen(0.0, 500.0), missed(1.0), seen(1.5, 500.0), missed(3.0)];
        assert_eq!(timeline_x(&sightings, &[2.9, 3.5, 4.0]), [Some(500.0), Some(500.0), Some(960.0)]);
    }
}

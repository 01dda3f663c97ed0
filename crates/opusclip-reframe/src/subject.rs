//! Choosing whom the camera follows: per sampled frame the dominant face (largest area ×
//! score), with a preference for the face followed in the frames before (overlap or a near
//! centre), so the camera does not flip between two similar faces.

use crate::params::ReframeParams;
use opusclip_core::{BoxF, FaceBox, FaceFrame};

/// What the planner knows about its subject at one sampled frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sighting {
    /// Source time of the frame.
    pub t: f64,
    /// The followed face, or `None` when the frame has no usable face.
    pub face: Option<BoxF>,
}

/// The followed face in each of `frames` (in time order, all from one shot).
pub(crate) fn follow_dominant_face(frames: &[&FaceFrame], params: &ReframeParams) -> Vec<Sighting> {
    let mut previous: Option<BoxF> = None;
    frames
        .iter()
        .map(|frame| {
            let face = pick_dominant_face(&frame.faces, previous.as_ref(), params);
            if face.is_some() {
                previous = face;
            }
            Sighting { t: frame.t, face }
        })
        .collect()
}

/// The usable face with the highest weight; the first one wins a tie.
fn pick_dominant_face(faces: &[FaceBox], previous: Option<&BoxF>, params: &ReframeParams) -> Option<BoxF> {
    let mut best: Option<(f64, BoxF)> = None;
    for face in faces.iter().filter(|face| is_usable(face, params)) {
        let weight = face_weight(face, previous, params.continuity_bonus);
        if best.is_none_or(|(best_weight, _)| weight > best_weight) {
            best = Some((weight, face.bbox));
        }
    }
    best.map(|(_, bbox)| bbox)
}

/// A face counts when its box is finite and not empty and its score reaches the minimum.
fn is_usable(face: &FaceBox, params: &ReframeParams) -> bool {
    let bbox = &face.bbox;
    let finite = [bbox.x, bbox.y, bbox.w, bbox.h, face.score].iter().all(|value| value.is_finite());
    finite && bbox.w > 0.0 && bbox.h > 0.0 && face.score >= params.min_face_score
}

/// Area × score, raised by up to `1 + continuity_bonus` for a face where the previous one was.
fn face_weight(face: &FaceBox, previous: Option<&BoxF>, continuity_bonus: f64) -> f64 {
    let base = face.bbox.area() * face.score.max(f64::EPSILON);
    let continuity = previous.map_or(0.0, |previous| closeness(&face.bbox, previous));
    base * (1.0 + continuity_bonus * continuity)
}

/// 1 for the same box, falling to 0 as the boxes part: the larger of their overlap (IoU) and
/// how near their centres are (0 at two widths of the previous box apart).
fn closeness(face: &BoxF, previous: &BoxF) -> f64 {
    let (face_x, face_y) = face.center();
    let (previous_x, previous_y) = previous.center();
    let distance = (face_x - previous_x).hypot(face_y - previous_y);
    let centre_closeness = 1.0 - distance / (2.0 * previous.w.max(f64::EPSILON));
    intersection_over_union(face, previous).max(centre_closeness).clamp(0.0, 1.0)
}

/// Area of the overlap over the area of the union; 0 for disjoint boxes.
fn intersection_over_union(a: &BoxF, b: &BoxF) -> f64 {
    let overlap_width = (a.x + a.w).min(b.x + b.w) - a.x.max(b.x);
    let overlap_height = (a.y + a.h).min(b.y + b.h) - a.y.max(b.y);
    if overlap_width <= 0.0 || overlap_height <= 0.0 {
        return 0.0;
    }
    let overlap = overlap_width * overlap_height;
    let union = a.area() + b.area() - overlap;
    if union > 0.0 {
        overlap / union
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face(x: f64, size: f64, score: f64) -> FaceBox {
        FaceBox { bbox: BoxF { x, y: 300.0, w: size, h: size }, score }
    }

    fn frame(t: f64, faces: Vec<FaceBox>) -> FaceFrame {
        FaceFrame { t, faces }
    }

    fn followed_x(frames: &[FaceFrame], params: &ReframeParams) -> Vec<Option<f64>> {
        let refs: Vec<&FaceFrame> = frames.iter().collect();
        follow_dominant_face(&refs, params).iter().map(|sighting| sighting.face.map(|bbox| bbox.x)).collect()
    }

    #[test]
    fn largest_confident_face_wins() {
        let frames = [frame(0.0, vec![face(100.0, 100.0, 1.0), face(900.0, 200.0, 1.0)]), frame(0.2, vec![])];
        let params = ReframeParams { continuity_bonus: 0.0, ..ReframeParams::default() };
        assert_eq!(followed_x(&frames, &params), [Some(900.0), None]);
    }

    #[test]
    fn score_weighs_in_and_weak_faces_are_ignored() {
        let frames = [frame(0.0, vec![face(100.0, 100.0, 0.9), face(900.0, 110.0, 0.1)])];
        let mut params = ReframeParams::default();
        assert_eq!(followed_x(&frames, &params), [Some(100.0)]);
        params.min_face_score = 0.95;
        assert_eq!(followed_x(&frames, &params), [None]);
    }

    #[test]
    fn the_followed_face_keeps_the_camera_against_a_slightly_larger_one() {
        let frames = [
            frame(0.0, vec![face(100.0, 100.0, 1.0)]),
            frame(0.2, vec![face(102.0, 100.0, 1.0), face(900.0, 120.0, 1.0)]),
        ];
        assert_eq!(followed_x(&frames, &ReframeParams::default()), [Some(100.0), Some(102.0)]);
        let no_preference = ReframeParams { continuity_bonus: 0.0, ..ReframeParams::default() };
        assert_eq!(followed_x(&frames, &no_preference), [Some(100.0), Some(900.0)]);
    }

    #[test]
    fn broken_boxes_are_skipped() {
        let mut nan = face(100.0, 100.0, 1.0);
        nan.bbox.w = f64::NAN;
        let empty = face(300.0, 0.0, 1.0);
        let frames = [frame(0.0, vec![nan, empty, face(500.0, 10.0, 1.0)])];
        assert_eq!(followed_x(&frames, &ReframeParams::default()), [Some(500.0)]);
    }

    #[test]
    fn overlap_measures() {
        let a = face(0.0, 100.0, 1.0).bbox;
        let b = face(50.0, 100.0, 1.0).bbox;
        let far = face(1000.0, 100.0, 1.0).bbox;
        assert!((intersection_over_union(&a, &b) - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(intersection_over_union(&a, &far), 0.0);
        assert_eq!(closeness(&a, &a), 1.0);
        assert_eq!(closeness(&far, &a), 0.0);
        assert!((closeness(&b, &a) - 0.75).abs() < 1e-9);
    }
}

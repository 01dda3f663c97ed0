//! Face tracking: the detections of successive sampled frames joined into tracks with stable
//! ids, by overlap (IoU) and centre distance against a constant-velocity prediction. A track
//! survives a short occlusion (a few missed detections) and ends at a shot cut.

use opusclip_core::{BoxF, FaceFrame};

/// Identifies one face track within a clip; ids are never reused.
pub type TrackId = u32;

/// Default for [`TrackerParams::max_gap`].
pub const DEFAULT_MAX_GAP: f64 = 1.0;
/// Default for [`TrackerParams::min_overlap`].
pub const DEFAULT_MIN_OVERLAP: f64 = 0.2;
/// Default for [`TrackerParams::max_centre_distance`].
pub const DEFAULT_MAX_CENTRE_DISTANCE: f64 = 1.0;
/// Default for [`TrackerParams::min_score`].
pub const DEFAULT_MIN_FACE_SCORE: f64 = 0.0;

/// A detection and a prediction whose sizes differ by more than this factor never join.
const MAX_SIZE_RATIO: f64 = 2.0;

/// How detections are joined into tracks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackerParams {
    /// Seconds a track may go unseen and still take a detection again. Default 1.0 s: four
    /// missed detections at 5 fps (an occlusion of 0.8 s) keep the id.
    pub max_gap: f64,
    /// Smallest overlap (intersection over union) between a track's predicted box and a
    /// detection that joins them on its own. Default 0.2.
    pub min_overlap: f64,
    /// Farthest a detection's centre may be from the predicted centre and still join without
    /// overlap, in face widths (the larger of the two). Default 1.0.
    pub max_centre_distance: f64,
    /// Detections with a lower detector score are not tracked. Default 0.0 (keep what the
    /// detector kept; its own threshold already applies).
    pub min_score: f64,
}

impl Default for TrackerParams {
    fn default() -> Self {
        TrackerParams {
            max_gap: DEFAULT_MAX_GAP,
            min_overlap: DEFAULT_MIN_OVERLAP,
            max_centre_distance: DEFAULT_MAX_CENTRE_DISTANCE,
            min_score: DEFAULT_MIN_FACE_SCORE,
        }
    }
}

/// One detection that belongs to a track.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackedFace {
    /// Source time of the frame.
    pub t: f64,
    /// Index of the frame in the slice given to [`track_faces`].
    pub frame: usize,
    /// Index of the detection in that frame's `faces`.
    pub detection: usize,
    /// The detected box, display pixels.
    pub bbox: BoxF,
    /// The detector's score.
    pub score: f64,
}

/// The detections of one face across frames, in time order; all inside one shot.
#[derive(Debug, Clone, PartialEq)]
pub struct FaceTrack {
    /// Stable id: the order in which tracks were started.
    pub id: TrackId,
    /// The detections, in time order (never empty).
    pub faces: Vec<TrackedFace>,
}

impl FaceTrack {
    /// How much the face is on screen: the sum of area × score over its detections.
    pub fn prominence(&self) -> f64 {
        self.faces.iter().map(|face| face.bbox.area() * face.score.max(f64::EPSILON)).sum()
    }

    /// The detection in frame `frame` (an index into the tracked slice), if any.
    pub fn in_frame(&self, frame: usize) -> Option<&TrackedFace> {
        self.faces.iter().find(|face| face.frame == frame)
    }

    /// The box whose corners are the medians of the detections' corners: where the face
    /// typically is.
    pub fn median_box(&self) -> BoxF {
        let median_of = |value: fn(&BoxF) -> f64| median(self.faces.iter().map(|face| value(&face.bbox)).collect());
        let (left, top) = (median_of(|b| b.x), median_of(|b| b.y));
        let (right, bottom) = (median_of(|b| b.x + b.w), median_of(|b| b.y + b.h));
        BoxF { x: left, y: top, w: (right - left).max(0.0), h: (bottom - top).max(0.0) }
    }

    fn last(&self) -> &TrackedFace {
        &self.faces[self.faces.len() - 1]
    }

    /// Where the face should be at `t`: the last box moved on by the velocity between the
    /// last two detections (when they are close enough in time to measure one).
    fn predicted_box(&self, t: f64, max_gap: f64) -> BoxF {
        let last = self.last();
        let mut predicted = last.bbox;
        if let [.., before, _] = self.faces[..] {
            let span = last.t - before.t;
            if span > 0.0 && span <= max_gap {
                let (last_x, last_y) = last.bbox.center();
                let (before_x, before_y) = before.bbox.center();
                let ahead = (t - last.t) / span;
                predicted.x += (last_x - before_x) * ahead;
                predicted.y += (last_y - before_y) * ahead;
            }
        }
        predicted
    }
}

/// Join the detections of `frames` (any order; non-finite times are skipped) into tracks.
/// Every track ends at each of `cuts` (source times): a face after a cut starts a new track.
/// Returns the tracks ordered by id.
pub fn track_faces(frames: &[FaceFrame], cuts: &[f64], params: &TrackerParams) -> Vec<FaceTrack> {
    let mut order: Vec<usize> = (0..frames.len()).filter(|&index| frames[index].t.is_finite()).collect();
    order.sort_by(|&a, &b| frames[a].t.total_cmp(&frames[b].t).then(a.cmp(&b)));
    let mut sorted_cuts: Vec<f64> = cuts.iter().copied().filter(|cut| cut.is_finite()).collect();
    sorted_cuts.sort_by(f64::total_cmp);
    let mut next_cut = 0;
    let mut tracks: Vec<FaceTrack> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for frame_index in order {
        let frame = &frames[frame_index];
        while next_cut < sorted_cuts.len() && sorted_cuts[next_cut] <= frame.t {
            open.clear();
            next_cut += 1;
        }
        open.retain(|&track| frame.t - tracks[track].last().t <= params.max_gap);
        let detections: Vec<(usize, TrackedFace)> = frame
            .faces
            .iter()
            .enumerate()
            .filter(|(_, face)| is_usable(&face.bbox, face.score, params.min_score))
            .map(|(detection, face)| {
                (
                    detection,
                    TrackedFace { t: frame.t, frame: frame_index, detection, bbox: face.bbox, score: face.score },
                )
            })
            .collect();
        let matches = associate(&tracks, &open, &detections, frame.t, params);
        let mut taken = vec![false; detections.len()];
        for (track, detection) in matches {
            tracks[track].faces.push(detections[detection].1);
            taken[detection] = true;
        }
        for (detection, (_, face)) in detections.iter().enumerate() {
            if !taken[detection] {
                open.push(tracks.len());
                tracks.push(FaceTrack { id: tracks.len() as TrackId, faces: vec![*face] });
            }
        }
    }
    tracks
}

/// Pairs (track index, detection index): the cheapest admissible pairs first, each track
/// and each detection used once. Ties go to the earlier track, then the earlier detection.
fn associate(
    tracks: &[FaceTrack],
    open: &[usize],
    detections: &[(usize, TrackedFace)],
    t: f64,
    params: &TrackerParams,
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for &track in open {
        let predicted = tracks[track].predicted_box(t, params.max_gap);
        for (detection, (_, face)) in detections.iter().enumerate() {
            if let Some(cost) = association_cost(&predicted, &face.bbox, params) {
                pairs.push((cost, track, detection));
            }
        }
    }
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut track_used = vec![false; tracks.len()];
    let mut detection_used = vec![false; detections.len()];
    let mut matches = Vec::new();
    for (_, track, detection) in pairs {
        if !track_used[track] && !detection_used[detection] {
            track_used[track] = true;
            detection_used[detection] = true;
            matches.push((track, detection));
        }
    }
    matches
}

/// The cost of joining a detection to a predicted box: (1 − IoU) + centre distance in face
/// widths; `None` when the sizes are too different or the boxes neither overlap enough nor
/// sit close enough.
fn association_cost(predicted: &BoxF, detected: &BoxF, params: &TrackerParams) -> Option<f64> {
    let size_ratio = predicted.w.max(detected.w) / predicted.w.min(detected.w).max(f64::EPSILON);
    if size_ratio > MAX_SIZE_RATIO {
        return None;
    }
    let overlap = intersection_over_union(predicted, detected);
    let (predicted_x, predicted_y) = predicted.center();
    let (detected_x, detected_y) = detected.center();
    let distance = (predicted_x - detected_x).hypot(predicted_y - detected_y) / predicted.w.max(detected.w);
    let admissible = overlap >= params.min_overlap || distance <= params.max_centre_distance;
    admissible.then_some(1.0 - overlap + distance)
}

/// A detection counts when its box is finite and not empty and its score reaches `min_score`.
pub(crate) fn is_usable(bbox: &BoxF, score: f64, min_score: f64) -> bool {
    let finite = [bbox.x, bbox.y, bbox.w, bbox.h, score].iter().all(|value| value.is_finite());
    finite && bbox.w > 0.0 && bbox.h > 0.0 && score >= min_score
}

/// Area of the overlap over the area of the union; 0 for disjoint boxes.
pub(crate) fn intersection_over_union(a: &BoxF, b: &BoxF) -> f64 {
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

/// The median of `values` (the mean of the middle two for an even count); 0 when empty.
pub(crate) fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::FaceBox;
    use proptest::prelude::*;

    const STEP: f64 = 0.2;

    fn face(centre_x: f64, centre_y: f64, size: f64) -> FaceBox {
        FaceBox { bbox: BoxF { x: centre_x - size / 2.0, y: centre_y - size / 2.0, w: size, h: size }, score: 1.0 }
    }

    fn frame(index: usize, faces: Vec<FaceBox>) -> FaceFrame {
        FaceFrame { t: index as f64 * STEP, faces }
    }

    /// The id of the track holding detection `detection` of frame `frame`.
    fn id_of(tracks: &[FaceTrack], frame: usize, detection: usize) -> Option<TrackId> {
        tracks
            .iter()
            .find(|track| track.faces.iter().any(|f| f.frame == frame && f.detection == detection))
            .map(|t| t.id)
    }

    #[test]
    fn a_face_keeps_its_id_across_a_short_occlusion() {
        // 0.6 s without a detection (three frames at 5 fps), and the face moved a little.
        let frames: Vec<FaceFrame> = (0..30)
            .map(|i| match i {
                10..=12 => frame(i, vec![]),
                _ => frame(i, vec![face(500.0 + 3.0 * i as f64, 400.0, 150.0)]),
            })
            .collect();
        let tracks = track_faces(&frames, &[], &TrackerParams::default());
        assert_eq!(tracks.len(), 1, "{tracks:?}");
        assert_eq!(tracks[0].faces.len(), 27);
    }

    #[test]
    fn a_long_absence_starts_a_new_track() {
        let frames: Vec<FaceFrame> = (0..30)
            .map(|i| frame(i, if (10..20).contains(&i) { vec![] } else { vec![face(500.0, 400.0, 150.0)] }))
            .collect();
        let tracks = track_faces(&frames, &[], &TrackerParams::default());
        assert_eq!(tracks.iter().map(|t| t.faces.len()).collect::<Vec<_>>(), [10, 10]);
    }

    #[test]
    fn a_cut_ends_every_track() {
        let frames: Vec<FaceFrame> = (0..10).map(|i| frame(i, vec![face(500.0, 400.0, 150.0)])).collect();
        let tracks = track_faces(&frames, &[1.0], &TrackerParams::default());
        assert_eq!(tracks.len(), 2);
        assert!(tracks[0].faces.iter().all(|f| f.t < 1.0) && tracks[1].faces.iter().all(|f| f.t >= 1.0));
    }

    #[test]
    fn two_crossing_faces_keep_their_ids() {
        // One walks right, one walks left, a little lower; their boxes overlap as they pass.
        // The detections are listed in a different order in every other frame.
        let frames: Vec<FaceFrame> = (0..25)
            .map(|i| {
                let a = face(300.0 + 50.0 * i as f64, 400.0, 150.0);
                let b = face(1500.0 - 50.0 * i as f64, 460.0, 150.0);
                frame(i, if i % 2 == 0 { vec![a, b] } else { vec![b, a] })
            })
            .collect();
        let tracks = track_faces(&frames, &[], &TrackerParams::default());
        assert_eq!(tracks.len(), 2, "{tracks:?}");
        for i in 0..25 {
            let (a, b) = if i % 2 == 0 { (0, 1) } else { (1, 0) };
            assert_eq!(id_of(&tracks, i, a), Some(0), "frame {i}");
            assert_eq!(id_of(&tracks, i, b), Some(1), "frame {i}");
        }
    }

    #[test]
    fn weak_broken_and_far_detections_do_not_join() {
        let mut weak = face(500.0, 400.0, 150.0);
        weak.score = 0.1;
        let mut broken = face(500.0, 400.0, 150.0);
        broken.bbox.w = f64::NAN;
        let frames = [
            frame(0, vec![face(500.0, 400.0, 150.0), weak, broken]),
            frame(1, vec![face(1400.0, 400.0, 150.0)]),
            frame(2, vec![face(1400.0, 400.0, 40.0)]),
        ];
        let params = TrackerParams { min_score: 0.5, ..TrackerParams::default() };
        let tracks = track_faces(&frames, &[], &params);
        assert_eq!(tracks.len(), 3, "{tracks:?}");
        assert!(tracks.iter().all(|t| t.faces.len() == 1));
    }

    #[test]
    fn median_box_and_prominence() {
        let frames: Vec<FaceFrame> =
            [100.0, 104.0, 300.0].iter().enumerate().map(|(i, x)| frame(i, vec![face(*x, 400.0, 100.0)])).collect();
        let params = TrackerParams { max_centre_distance: 3.0, ..TrackerParams::default() };
        let tracks = track_faces(&frames, &[], &params);
        assert_eq!(tracks.len(), 1);
        assert_eq!(tracks[0].median_box(), BoxF { x: 54.0, y: 350.0, w: 100.0, h: 100.0 });
        assert_eq!(tracks[0].prominence(), 30_000.0);
        assert_eq!(median(vec![3.0, 1.0, 2.0, 10.0]), 2.5);
    }

    proptest! {
        #[test]
        fn every_usable_detection_lands_in_exactly_one_track(
            frames in prop::collection::vec(
                prop::collection::vec((0.0..1800.0f64, 0.0..1000.0f64, 20.0..300.0f64), 0..4), 0..40),
            cut in 0.0..8.0f64,
        ) {
            let frames: Vec<FaceFrame> = frames
                .into_iter()
                .enumerate()
                .map(|(i, faces)| frame(i, faces.into_iter().map(|(x, y, size)| face(x, y, size)).collect()))
                .collect();
            let tracks = track_faces(&frames, &[cut], &TrackerParams::default());
            let detections: usize = frames.iter().map(|f| f.faces.len()).sum();
            prop_assert_eq!(tracks.iter().map(|t| t.faces.len()).sum::<usize>(), detections);
            for track in &tracks {
                let on_one_side = track.faces.iter().all(|f| f.t < cut) || track.faces.iter().all(|f| f.t >= cut);
                prop_assert!(on_one_side, "a track crosses the cut");
                prop_assert!(track.faces.windows(2).all(|pair| pair[0].t < pair[1].t));
            }
            prop_assert_eq!(track_faces(&frames, &[cut], &TrackerParams::default()), tracks);
        }
    }
}

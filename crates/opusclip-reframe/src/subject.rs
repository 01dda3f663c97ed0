//! Whom the camera follows at each sampled frame of a span: one given track (a split layout's
//! half), the track of the speaker turn in progress, or — without speaker evidence — the most
//! prominent track, switching to another only when the followed face is gone for good.

use crate::speaker::SpeakerTurn;
use crate::tracker::FaceTrack;
use opusclip_core::BoxF;

/// One sampled frame: its source time and its index in the planner's face frames.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sample {
    pub t: f64,
    pub frame: usize,
}

/// What the planner knows about its subject at one sampled frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Sighting {
    /// Source time of the frame.
    pub t: f64,
    /// The followed face, or `None` when it was not seen in this frame.
    pub face: Option<BoxF>,
}

/// The box of `track` in the frame of `sample`, if the track was seen there.
fn seen_in(track: &FaceTrack, sample: &Sample) -> Option<BoxF> {
    let first = track.faces.partition_point(|face| face.t < sample.t);
    track.faces[first..]
        .iter()
        .take_while(|face| face.t == sample.t)
        .find(|face| face.frame == sample.frame)
        .map(|f| f.bbox)
}

/// Follow one track (or nothing) through the samples.
pub(crate) fn follow_track(samples: &[Sample], track: Option<&FaceTrack>) -> Vec<Sighting> {
    samples
        .iter()
        .map(|sample| Sighting { t: sample.t, face: track.and_then(|track| seen_in(track, sample)) })
        .collect()
}

/// Follow the speaker of the turn in progress at each sample.
pub(crate) fn follow_turns(samples: &[Sample], turns: &[SpeakerTurn], tracks: &[FaceTrack]) -> Vec<Sighting> {
    samples
        .iter()
        .map(|sample| {
            let turn = turns.iter().find(|turn| turn.start <= sample.t && sample.t < turn.end).or(turns.last());
            let track = turn.and_then(|turn| tracks.iter().find(|track| track.id == turn.track));
            Sighting { t: sample.t, face: track.and_then(|track| seen_in(track, sample)) }
        })
        .collect()
}

/// Follow the most prominent of `tracks` (area × score over the span); when the followed face
/// is missing and will not be back within `patience` seconds, switch to the most prominent
/// face seen at that moment.
pub(crate) fn follow_prominent(samples: &[Sample], tracks: &[&FaceTrack], patience: f64) -> Vec<Sighting> {
    let mut ranked: Vec<&FaceTrack> = tracks.to_vec();
    ranked.sort_by(|a, b| b.prominence().total_cmp(&a.prominence()).then(a.id.cmp(&b.id)));
    let Some(mut followed) = ranked.first().copied() else {
        return samples.iter().map(|sample| Sighting { t: sample.t, face: None }).collect();
    };
    samples
        .iter()
        .map(|sample| {
            if let Some(face) = seen_in(followed, sample) {
                return Sighting { t: sample.t, face: Some(face) };
            }
            let back_soon = followed.faces.iter().any(|face| face.t > sample.t && face.t <= sample.t + patience);
            if !back_soon {
                if let Some((track, face)) =
                    ranked.iter().find_map(|track| seen_in(track, sample).map(|face| (*track, face)))
                {
                    followed = track;
                    return Sighting { t: sample.t, face: Some(face) };
                }
            }
            Sighting { t: sample.t, face: None }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tracker::TrackedFace;

    fn bbox(x: f64, size: f64) -> BoxF {
        BoxF { x, y: 300.0, w: size, h: size }
    }

    fn samples(count: usize) -> Vec<Sample> {
        (0..count).map(|frame| Sample { t: frame as f64 * 0.2, frame }).collect()
    }

    /// A track seen in `frames` at `x` with faces of `size`.
    fn track(id: u32, frames: impl IntoIterator<Item = usize>, x: f64, size: f64) -> FaceTrack {
        let faces = frames
            .into_iter()
            .map(|frame| TrackedFace { t: frame as f64 * 0.2, frame, detection: 0, bbox: bbox(x, size), score: 1.0 })
            .collect();
        FaceTrack { id, faces }
    }

    fn followed_x(sightings: &[Sighting]) -> Vec<Option<f64>> {
        sightings.iter().map(|s| s.face.map(|face| face.x)).collect()
    }

    #[test]
    fn the_most_prominent_face_is_followed_through_a_short_gap() {
        let big = track(0, [0, 1, 3, 4], 100.0, 200.0);
        let small = track(1, 0..5, 900.0, 100.0);
        let sightings = follow_prominent(&samples(5), &[&small, &big], 1.0);
        assert_eq!(followed_x(&sightings), [Some(100.0), Some(100.0), None, Some(100.0), Some(100.0)]);
    }

    #[test]
    fn a_face_gone_for_good_hands_over_to_one_still_seen() {
        let big = track(0, 0..3, 100.0, 200.0);
        let small = track(1, 0..8, 900.0, 100.0);
        let sightings = follow_prominent(&samples(8), &[&big, &small], 1.0);
        let expected = [100.0, 100.0, 100.0, 900.0, 900.0, 900.0, 900.0, 900.0].map(Some);
        assert_eq!(followed_x(&sightings), expected);
    }

    #[test]
    fn turns_choose_the_track() {
        let left = track(4, 0..10, 100.0, 100.0);
        let right = track(5, 0..10, 900.0, 100.0);
        let turns = [SpeakerTurn { start: 0.0, end: 1.0, track: 5 }, SpeakerTurn { start: 1.0, end: 2.0, track: 4 }];
        let sightings = follow_turns(&samples(10), &turns, &[left, right]);
        let expected: Vec<Option<f64>> = (0..10).map(|i| Some(if i < 5 { 900.0 } else { 100.0 })).collect();
        assert_eq!(followed_x(&sightings), expected);
    }

    #[test]
    fn one_track_or_none() {
        let only = track(2, [1], 300.0, 100.0);
        assert_eq!(followed_x(&follow_track(&samples(3), Some(&only))), [None, Some(300.0), None]);
        assert_eq!(followed_x(&follow_track(&samples(2), None)), [None, None]);
        assert_eq!(followed_x(&follow_prominent(&samples(2), &[], 1.0)), [None, None]);
    }
}

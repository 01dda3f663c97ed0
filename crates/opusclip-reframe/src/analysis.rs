//! What the planner knows about a clip before it plans any output: its shots, the sampled
//! face frames of each shot, the face tracks, the speaker turns of each shot (from transcript
//! labels, or from mouth motion against speech), and the evidence the layout choice needs.
//! Every aspect ratio of a clip is planned from one such analysis.

use crate::layout::{LayoutEvidence, SpeakerPresence};
use crate::params::{ReframeInput, ReframeParams};
use crate::plan::face_share;
use crate::shots::{split_into_shots, ShotSpan};
use crate::speaker::{active_speakers, label_affinity, turns_from_labels, SpeakerTurn, TrackActivity};
use crate::subject::Sample;
use crate::tracker::{track_faces, FaceTrack, TrackId, TrackedFace};
use opusclip_core::{BoxF, FaceFrame};

/// The most speakers a layout shows side by side (the four layout's grid).
pub(crate) const MAX_PANELS: usize = 4;

/// A camera inset (see [`ClipAnalysis::inset_face`]) is looked for in clips with at least this
/// many face frames.
const INSET_MIN_FRAMES: usize = 10;
/// Share of the face frames with a face.
const INSET_MIN_SHARE: f64 = 0.7;
/// Share of the face frames with more than one face, at most.
const INSET_MAX_CROWD: f64 = 0.2;
/// The face's height over the frame's, at most.
const INSET_MAX_HEIGHT: f64 = 0.22;
/// How close to the left or right edge the face's centre is, as a share of the width.
const INSET_EDGE: f64 = 0.3;
/// How close to the top or bottom the face's centre is (a tile sits in a corner; a presenter
/// at a lectern by the edge of a wide shot has the face in between), as shares of the height.
const INSET_TOP: f64 = 0.25;
const INSET_BOTTOM: f64 = 0.6;
/// How far the face's centre moves (middle 80 %), as a share of the width, at most.
const INSET_STILL: f64 = 0.04;

/// The analysis of one clip.
pub(crate) struct ClipAnalysis<'a> {
    pub input: &'a ReframeInput<'a>,
    /// The input's parameters, sanitized.
    pub params: ReframeParams,
    /// Clip start on the source timeline.
    pub start: f64,
    /// Clip length, seconds (never negative).
    pub duration: f64,
    pub shots: Vec<ShotSpan>,
    /// The sampled frames of each shot, in time order; `Sample::frame` indexes the clip's
    /// frames (see `original_frames`).
    pub shot_samples: Vec<Vec<Sample>>,
    /// The speaker turns of each shot (empty without speaker evidence).
    pub shot_turns: Vec<Vec<SpeakerTurn>>,
    /// Face tracks over the clip's frames, by id.
    pub tracks: Vec<FaceTrack>,
    /// For each of the clip's frames, its index in the input's `faces`.
    original_frames: Vec<usize>,
}

impl<'a> ClipAnalysis<'a> {
    pub fn new(input: &'a ReframeInput<'a>) -> Self {
        let params = input.params.sanitized();
        let start = if input.clip_start.is_finite() { input.clip_start } else { 0.0 };
        let duration = input.duration();
        let shots = split_into_shots(start, start + duration, input.cuts);
        let in_clip = |t: f64| t.is_finite() && start <= t && t < start + duration;
        let original_frames: Vec<usize> = (0..input.faces.len()).filter(|&i| in_clip(input.faces[i].t)).collect();
        let frames: Vec<FaceFrame> = original_frames.iter().map(|&i| input.faces[i].clone()).collect();
        let tracks = track_faces(&frames, input.cuts, &params.tracker);
        let shot_samples = shots
            .iter()
            .map(|shot| {
                let mut samples: Vec<Sample> = frames
                    .iter()
                    .enumerate()
                    .filter(|(_, frame)| shot.contains(frame.t))
                    .map(|(index, frame)| Sample { t: frame.t, frame: index })
                    .collect();
                samples.sort_by(|a, b| a.t.total_cmp(&b.t).then(a.frame.cmp(&b.frame)));
                samples
            })
            .collect();
        let mut analysis = ClipAnalysis {
            input,
            params,
            start,
            duration,
            shots,
            shot_samples,
            shot_turns: Vec::new(),
            tracks,
            original_frames,
        };
        analysis.shot_turns = (0..analysis.shots.len()).map(|index| analysis.turns_in_shot(index)).collect();
        analysis
    }

    /// The tracks of one shot (tracks end at cuts, so each lies in one shot), most
    /// prominent first.
    pub fn tracks_in_shot(&self, shot_index: usize) -> Vec<&FaceTrack> {
        let shot = self.shots[shot_index];
        let mut tracks: Vec<&FaceTrack> = self.tracks.iter().filter(|track| shot.contains(track.faces[0].t)).collect();
        tracks.sort_by(|a, b| b.prominence().total_cmp(&a.prominence()).then(a.id.cmp(&b.id)));
        tracks
    }

    /// The evidence for the layout choice: how often there is a face, and the main speakers
    /// (up to [`MAX_PANELS`], left to right) with the share of the clip each speaks. Speakers
    /// are matched across shots by their place from the left; the faces are those of the shot
    /// where the most people speak (the longest such group when several shots tie).
    pub fn layout_evidence(&self) -> LayoutEvidence {
        let mut shares = [0.0; MAX_PANELS];
        let mut best: Option<(usize, f64, Vec<BoxF>)> = None;
        for shot_index in 0..self.shots.len() {
            let mut speaking = self.speaking_times(shot_index);
            speaking.truncate(MAX_PANELS);
            if speaking.len() < 2 {
                continue;
            }
            speaking.sort_by(|a, b| centre_x(a.0).total_cmp(&centre_x(b.0)).then(a.0.id.cmp(&b.0.id)));
            for (place, (_, time)) in speaking.iter().enumerate() {
                shares[place] += time;
            }
            let least = speaking.iter().map(|(_, time)| *time).fold(f64::INFINITY, f64::min);
            let better = best
                .as_ref()
                .is_none_or(|(count, time, _)| speaking.len() > *count || (speaking.len() == *count && least > *time));
            if better {
                best = Some((speaking.len(), least, speaking.iter().map(|(track, _)| track.median_box()).collect()));
            }
        }
        let duration = self.duration.max(f64::EPSILON);
        let speakers = best.map_or_else(Vec::new, |(_, _, faces)| {
            faces
                .into_iter()
                .zip(shares)
                .map(|(face, share)| SpeakerPresence { share: share / duration, face })
                .collect()
        });
        LayoutEvidence {
            face_share: face_share(&self.shot_samples, &self.tracks),
            speakers,
            whole_frame_content: self.input.whole_frame_content,
            inset_face: self.inset_face(),
        }
    }

    /// The typical box of a face that looks like a camera inset over a screen share: a face in
    /// at least [`INSET_MIN_SHARE`] of the clip's face frames and more than one face in at most
    /// [`INSET_MAX_CROWD`] of them; the largest face of each frame typically at most
    /// [`INSET_MAX_HEIGHT`] of the frame's height, its centre in a corner (the outer
    /// [`INSET_EDGE`] of the width, above [`INSET_TOP`] or below [`INSET_BOTTOM`] of the height),
    /// and still (the middle 80 % of its centres within [`INSET_STILL`] of the width
    /// on each axis). A presenter walking a stage moves; a wide shot's face is not in a corner.
    fn inset_face(&self) -> Option<BoxF> {
        if !self.input.real_faces {
            return None;
        }
        let frames: Vec<&FaceFrame> = self.original_frames.iter().map(|&index| &self.input.faces[index]).collect();
        let largest: Vec<BoxF> = frames
            .iter()
            .filter_map(|frame| frame.faces.iter().map(|face| face.bbox).max_by(|a, b| a.area().total_cmp(&b.area())))
            .collect();
        let crowded = frames.iter().filter(|frame| frame.faces.len() > 1).count();
        let count = frames.len() as f64;
        if frames.len() < INSET_MIN_FRAMES
            || (largest.len() as f64) < INSET_MIN_SHARE * count
            || crowded as f64 > INSET_MAX_CROWD * count
        {
            return None;
        }
        let (width, height) = (f64::from(self.input.source_size.0), f64::from(self.input.source_size.1));
        let spread = |mut values: Vec<f64>| {
            values.sort_by(f64::total_cmp);
            let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
            (at(0.5), at(0.9) - at(0.1))
        };
        let (centre_x, spread_x) = spread(largest.iter().map(|face| face.center().0).collect());
        let (centre_y, spread_y) = spread(largest.iter().map(|face| face.center().1).collect());
        let (face_height, _) = spread(largest.iter().map(|face| face.h).collect());
        let by_an_edge = centre_x < INSET_EDGE * width || centre_x > (1.0 - INSET_EDGE) * width;
        let high_or_low = centre_y < INSET_TOP * height || centre_y > INSET_BOTTOM * height;
        let still = spread_x.max(spread_y) <= INSET_STILL * width;
        if face_height > INSET_MAX_HEIGHT * height || !by_an_edge || !high_or_low || !still {
            return None;
        }
        let (x, _) = spread(largest.iter().map(|face| face.x).collect());
        let (y, _) = spread(largest.iter().map(|face| face.y).collect());
        let (w, _) = spread(largest.iter().map(|face| face.w).collect());
        Some(BoxF { x, y, w, h: face_height })
    }

    /// The `count` faces a split or grid shows in one shot, left to right: those who speak
    /// most, then (to fill the panels) the most prominent others; `None` for a panel no face
    /// is left for.
    pub fn main_group(&self, shot_index: usize, count: usize) -> Vec<Option<&FaceTrack>> {
        let mut chosen: Vec<&FaceTrack> = self.speaking_times(shot_index).into_iter().map(|(track, _)| track).collect();
        for track in self.tracks_in_shot(shot_index) {
            if !chosen.iter().any(|c| c.id == track.id) {
                chosen.push(track);
            }
        }
        chosen.truncate(count);
        chosen.sort_by(|a, b| centre_x(a).total_cmp(&centre_x(b)).then(a.id.cmp(&b.id)));
        let mut group: Vec<Option<&FaceTrack>> = chosen.into_iter().map(Some).collect();
        group.resize(count, None);
        group
    }

    /// The height of the tallest typical face among the `count` faces a split or grid shows in
    /// each shot ([`ClipAnalysis::main_group`]); 0 without faces.
    pub fn group_face_height(&self, count: usize) -> f64 {
        (0..self.shots.len())
            .flat_map(|shot_index| self.main_group(shot_index, count))
            .flatten()
            .map(|track| track.median_box().h)
            .fold(0.0, f64::max)
    }

    /// The tracks that speak in a shot with their speaking time, longest first.
    fn speaking_times(&self, shot_index: usize) -> Vec<(&FaceTrack, f64)> {
        let mut times: Vec<(&FaceTrack, f64)> = Vec::new();
        for turn in &self.shot_turns[shot_index] {
            let Some(track) = self.tracks.iter().find(|track| track.id == turn.track) else { continue };
            match times.iter_mut().find(|(known, _)| known.id == track.id) {
                Some((_, time)) => *time += turn.end - turn.start,
                None => times.push((track, turn.end - turn.start)),
            }
        }
        times.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.id.cmp(&b.0.id)));
        times
    }

    /// The speaker turns of one shot: from the transcript's labels when they can be matched
    /// to faces, else from mouth motion against speech; none without mouth motion.
    fn turns_in_shot(&self, shot_index: usize) -> Vec<SpeakerTurn> {
        let tracks = self.tracks_in_shot(shot_index);
        if self.input.mouth_motion.is_empty() || tracks.is_empty() {
            return Vec::new();
        }
        let samples = &self.shot_samples[shot_index];
        let shot = self.shots[shot_index];
        let span = (shot.start, shot.end);
        let times: Vec<f64> = samples.iter().map(|sample| sample.t).collect();
        let activities: Vec<TrackActivity> = tracks
            .iter()
            .map(|track| TrackActivity {
                track: track.id,
                mouth_motion: samples
                    .iter()
                    .map(|sample| {
                        track.faces.iter().find(|face| face.frame == sample.frame).and_then(|f| self.mouth_of(f))
                    })
                    .collect(),
            })
            .collect();
        let labelled = self.turns_from_transcript(&times, &activities, span);
        if !labelled.is_empty() {
            return labelled;
        }
        let speech: Vec<f64> = if self.input.speech_energy.is_empty() {
            vec![1.0; samples.len()]
        } else {
            samples
                .iter()
                .map(|sample| self.input.speech_energy.get(self.original_frames[sample.frame]).copied().unwrap_or(0.0))
                .collect()
        };
        active_speakers(&times, &speech, &activities, span, &self.params.speaker)
    }

    /// Turns from the transcript's speaker labels in `span`, each label matched to the face
    /// whose mouth moves most while that label speaks (one face per label).
    fn turns_from_transcript(&self, times: &[f64], activities: &[TrackActivity], span: (f64, f64)) -> Vec<SpeakerTurn> {
        let words = self.input.words;
        let mut labels: Vec<&str> = Vec::new();
        for word in words.iter().filter(|word| word.end > span.0 && word.start < span.1) {
            if let Some(label) = word.speaker.as_deref() {
                if !labels.contains(&label) {
                    labels.push(label);
                }
            }
        }
        if labels.is_empty() {
            return Vec::new();
        }
        let label_index = |label: &str| labels.iter().position(|known| *known == label).map(|index| index as TrackId);
        let label_turns = turns_from_labels(words, span, 0.0, label_index);
        let mut pairs: Vec<(f64, usize, usize)> = Vec::new();
        for label in 0..labels.len() {
            let spans: Vec<(f64, f64)> = label_turns
                .iter()
                .filter(|turn| turn.track as usize == label)
                .map(|turn| (turn.start, turn.end))
                .collect();
            let affinity = label_affinity(times, activities, &spans, span, &self.params.speaker);
            pairs.extend(affinity.iter().enumerate().filter(|(_, a)| **a > 0.0).map(|(track, a)| (*a, label, track)));
        }
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut track_of_label: Vec<Option<TrackId>> = vec![None; labels.len()];
        let mut track_taken = vec![false; activities.len()];
        for (_, label, track) in pairs {
            if track_of_label[label].is_none() && !track_taken[track] {
                track_of_label[label] = Some(activities[track].track);
                track_taken[track] = true;
            }
        }
        turns_from_labels(words, span, self.params.speaker.min_hold, |label| {
            label_index(label).and_then(|index| track_of_label[index as usize])
        })
    }

    /// The mouth motion measured for one tracked detection, if any.
    fn mouth_of(&self, face: &TrackedFace) -> Option<f64> {
        let original = *self.original_frames.get(face.frame)?;
        self.input.mouth_motion.get(original)?.get(face.detection).copied().filter(|value| value.is_finite())
    }
}

/// Where a track's face typically is, across the frame.
fn centre_x(track: &FaceTrack) -> f64 {
    track.median_box().center().0
}

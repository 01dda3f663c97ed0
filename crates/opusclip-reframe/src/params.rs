//! What the planner is asked to do ([`ReframeInput`]) and how the virtual camera behaves
//! ([`ReframeParams`]), with documented defaults and a validation that lists every problem.

use crate::speaker::SpeakerParams;
use crate::tracker::TrackerParams;
use opusclip_core::{Aspect, Error, FaceFrame, LayoutKind, Result, Word};

/// Default for [`ReframeParams::dead_zone`].
pub const DEFAULT_DEAD_ZONE: f64 = 0.12;
/// Default for [`ReframeParams::max_speed`].
pub const DEFAULT_MAX_SPEED: f64 = 0.6;
/// Default for [`ReframeParams::smoothing`].
pub const DEFAULT_SMOOTHING: f64 = 0.5;
/// Default for [`ReframeParams::hold_after_loss`].
pub const DEFAULT_HOLD_AFTER_LOSS: f64 = 1.0;
/// Default for [`ReframeParams::stationary_band`].
pub const DEFAULT_STATIONARY_BAND: f64 = 0.24;
/// Default for [`ReframeParams::snap_to_centre`].
pub const DEFAULT_SNAP_TO_CENTRE: f64 = 0.05;
/// Default for [`ReframeParams::centring_tolerance`].
pub const DEFAULT_CENTRING_TOLERANCE: f64 = 0.03;
/// Default for [`ReframeParams::pan_min_travel`].
pub const DEFAULT_PAN_MIN_TRAVEL: f64 = 0.5;
/// Default for [`ReframeParams::min_speaker_share`].
pub const DEFAULT_MIN_SPEAKER_SHARE: f64 = 0.2;
/// Default for [`ReframeParams::min_face_share`].
pub const DEFAULT_MIN_FACE_SHARE: f64 = 0.2;

/// The smallest speed and window length the planner works with, so that a zero never
/// reaches a division.
const MIN_POSITIVE: f64 = 1e-3;

/// How the virtual camera behaves. Every field has a documented default ([`Default`]).
/// Horizontal distances are fractions of the crop width, vertical ones of the crop height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReframeParams {
    /// How far the subject may be from the camera's aim before the camera moves. Default
    /// 0.12: on a 608 px wide 9:16 crop of 1080p the face may wander ±73 px.
    pub dead_zone: f64,
    /// The fastest the camera moves, in crop widths (heights) per second. Default 0.6.
    pub max_speed: f64,
    /// Seconds over which the camera eases into and out of a move (its path is averaged over
    /// this window). Default 0.5 s.
    pub smoothing: f64,
    /// Seconds the camera holds its position after the face is lost before it heads back to
    /// the centre of the frame. Default 1.0 s.
    pub hold_after_loss: f64,
    /// A shot whose subject stays within a band this wide (5th to 95th percentile of its
    /// positions) gets a still camera (stationary mode). Default 0.24 (twice the dead zone).
    pub stationary_band: f64,
    /// A still camera this close to the centre of the frame is put exactly there.
    /// Default 0.05.
    pub snap_to_centre: f64,
    /// Offsets from the subject up to this size are never corrected, so a still subject
    /// never makes the camera creep. Default 0.03.
    pub centring_tolerance: f64,
    /// A subject that moves at least this far in a straight line across a shot (of at least
    /// a second) gets a constant-speed pan. Default 0.5.
    pub pan_min_travel: f64,
    /// A split layout needs each of two speakers to speak at least this share of the clip.
    /// Default 0.2.
    pub min_speaker_share: f64,
    /// With faces in less than this share of the sampled frames, the automatic layout is
    /// blur-fit (nothing to follow). Default 0.2.
    pub min_face_share: f64,
    /// How face detections are joined into tracks.
    pub tracker: TrackerParams,
    /// How the active speaker is decided.
    pub speaker: SpeakerParams,
}

impl Default for ReframeParams {
    fn default() -> Self {
        ReframeParams {
            dead_zone: DEFAULT_DEAD_ZONE,
            max_speed: DEFAULT_MAX_SPEED,
            smoothing: DEFAULT_SMOOTHING,
            hold_after_loss: DEFAULT_HOLD_AFTER_LOSS,
            stationary_band: DEFAULT_STATIONARY_BAND,
            snap_to_centre: DEFAULT_SNAP_TO_CENTRE,
            centring_tolerance: DEFAULT_CENTRING_TOLERANCE,
            pan_min_travel: DEFAULT_PAN_MIN_TRAVEL,
            min_speaker_share: DEFAULT_MIN_SPEAKER_SHARE,
            min_face_share: DEFAULT_MIN_FACE_SHARE,
            tracker: TrackerParams::default(),
            speaker: SpeakerParams::default(),
        }
    }
}

/// One field's name, value, whether it is usable, and what it should be.
type FieldCheck<'a> = (&'a str, f64, bool, &'a str);

impl ReframeParams {
    /// Check every field; all problems are reported at once as [`Error::Configuration`].
    pub fn validate(&self) -> Result<()> {
        let fraction = |value: f64| (0.0..=1.0).contains(&value);
        let tracker = &self.tracker;
        let speaker = &self.speaker;
        let checks: [FieldCheck; 17] = [
            ("dead_zone", self.dead_zone, fraction(self.dead_zone), "0..1 (a fraction of the crop width)"),
            ("max_speed", self.max_speed, self.max_speed > 0.0, "> 0 (crop widths per second)"),
            ("smoothing", self.smoothing, self.smoothing >= 0.0, ">= 0 (seconds)"),
            ("hold_after_loss", self.hold_after_loss, self.hold_after_loss >= 0.0, ">= 0 (seconds)"),
            ("stationary_band", self.stationary_band, fraction(self.stationary_band), "0..1 (of the crop width)"),
            ("snap_to_centre", self.snap_to_centre, fraction(self.snap_to_centre), "0..1 (of the crop width)"),
            ("centring_tolerance", self.centring_tolerance, fraction(self.centring_tolerance), "0..1"),
            ("pan_min_travel", self.pan_min_travel, self.pan_min_travel >= 0.0, ">= 0 (crop widths)"),
            ("min_speaker_share", self.min_speaker_share, fraction(self.min_speaker_share), "0..1"),
            ("min_face_share", self.min_face_share, fraction(self.min_face_share), "0..1"),
            ("tracker.max_gap", tracker.max_gap, tracker.max_gap >= 0.0, ">= 0 (seconds)"),
            ("tracker.min_overlap", tracker.min_overlap, fraction(tracker.min_overlap), "0..1"),
            ("tracker.max_centre_distance", tracker.max_centre_distance, tracker.max_centre_distance >= 0.0, ">= 0"),
            ("tracker.min_score", tracker.min_score, true, "a finite number"),
            ("speaker.window", speaker.window, speaker.window > 0.0, "> 0 (seconds)"),
            ("speaker.switch_cost", speaker.switch_cost, speaker.switch_cost >= 0.0, ">= 0"),
            ("speaker.min_hold", speaker.min_hold, speaker.min_hold >= 0.0, ">= 0 (seconds)"),
        ];
        let speaker_fractions: [FieldCheck; 2] = [
            ("speaker.speech_floor", speaker.speech_floor, fraction(speaker.speech_floor), "0..1"),
            ("speaker.margin", speaker.margin, fraction(speaker.margin), "0..1"),
        ];
        let problems: Vec<String> = checks
            .iter()
            .chain(&speaker_fractions)
            .filter(|(_, value, ok, _)| !value.is_finite() || !ok)
            .map(|(name, value, _, expected)| format!("reframe {name} must be {expected}, got {value}"))
            .collect();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Configuration { problems })
        }
    }

    /// The same parameters with every out-of-range value replaced by the nearest usable one
    /// (non-finite values by the default), so planning never divides by zero or panics.
    pub fn sanitized(&self) -> ReframeParams {
        let defaults = ReframeParams::default();
        let usable = |value: f64, default: f64| if value.is_finite() { value } else { default };
        let fraction = |value: f64, default: f64| usable(value, default).clamp(0.0, 1.0);
        let at_least = |value: f64, default: f64, low: f64| usable(value, default).max(low);
        let tracker = TrackerParams {
            max_gap: at_least(self.tracker.max_gap, defaults.tracker.max_gap, 0.0),
            min_overlap: fraction(self.tracker.min_overlap, defaults.tracker.min_overlap),
            max_centre_distance: at_least(self.tracker.max_centre_distance, defaults.tracker.max_centre_distance, 0.0),
            min_score: usable(self.tracker.min_score, defaults.tracker.min_score),
        };
        let speaker = SpeakerParams {
            window: at_least(self.speaker.window, defaults.speaker.window, MIN_POSITIVE),
            speech_floor: fraction(self.speaker.speech_floor, defaults.speaker.speech_floor),
            margin: fraction(self.speaker.margin, defaults.speaker.margin),
            switch_cost: at_least(self.speaker.switch_cost, defaults.speaker.switch_cost, 0.0),
            min_hold: at_least(self.speaker.min_hold, defaults.speaker.min_hold, 0.0),
        };
        ReframeParams {
            dead_zone: fraction(self.dead_zone, defaults.dead_zone),
            max_speed: at_least(self.max_speed, defaults.max_speed, MIN_POSITIVE),
            smoothing: at_least(self.smoothing, defaults.smoothing, 0.0),
            hold_after_loss: at_least(self.hold_after_loss, defaults.hold_after_loss, 0.0),
            stationary_band: fraction(self.stationary_band, defaults.stationary_band),
            snap_to_centre: fraction(self.snap_to_centre, defaults.snap_to_centre),
            centring_tolerance: fraction(self.centring_tolerance, defaults.centring_tolerance),
            pan_min_travel: at_least(self.pan_min_travel, defaults.pan_min_travel, 0.0),
            min_speaker_share: fraction(self.min_speaker_share, defaults.min_speaker_share),
            min_face_share: fraction(self.min_face_share, defaults.min_face_share),
            tracker,
            speaker,
        }
    }
}

/// Everything [`crate::plan_crop`] and [`crate::plan_output`] need for one output of one
/// clip. Only the frame, aspect and clip span are required; the rest refines the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct ReframeInput<'a> {
    /// Display size of the source (square pixels, rotation applied); boxes and crop windows
    /// live in this space.
    pub source_size: (u32, u32),
    /// The output aspect ratio the crop window must have.
    pub aspect: Aspect,
    /// Clip start on the source timeline, seconds.
    pub clip_start: f64,
    /// Clip end on the source timeline, seconds.
    pub clip_end: f64,
    /// Faces per sampled frame, source time, boxes in display pixels. Frames outside the clip
    /// are ignored; the order does not matter.
    pub faces: &'a [FaceFrame],
    /// Shot cuts on the source timeline; those outside `(clip_start, clip_end)` are ignored.
    pub cuts: &'a [f64],
    /// Mouth-motion energy of every detected face, parallel to `faces`:
    /// `mouth_motion[i][j]` belongs to `faces[i].faces[j]` (per pixel of the mouth region, so
    /// faces of different sizes compare). Empty when not measured: then the most prominent
    /// face is followed.
    pub mouth_motion: &'a [Vec<f64>],
    /// Speech energy of the audio at each face frame, parallel to `faces` (any unit, e.g.
    /// RMS). Empty when not measured.
    pub speech_energy: &'a [f64],
    /// Transcript words (source time); their speaker labels, when present and matched to a
    /// face, decide the active speaker.
    pub words: &'a [Word],
    /// The layout to use, or `None` to choose one ([`crate::choose_layout`]).
    pub layout: Option<LayoutKind>,
    /// The picture must be seen whole (slides, a screen recording): the automatic layout is
    /// blur-fit.
    pub whole_frame_content: bool,
    /// Whether `faces` are real faces, among which a camera inset over a screen share may be
    /// found (the screen layout); false when they stand in for something else (saliency).
    pub real_faces: bool,
    /// How the camera behaves.
    pub params: ReframeParams,
}

impl<'a> ReframeInput<'a> {
    /// A clip with no faces, no cuts, no speech evidence, an automatic layout and default
    /// parameters; fill in the rest with the `with_*` methods.
    pub fn new(source_size: (u32, u32), aspect: Aspect, clip_start: f64, clip_end: f64) -> Self {
        ReframeInput {
            source_size,
            aspect,
            clip_start,
            clip_end,
            faces: &[],
            cuts: &[],
            mouth_motion: &[],
            speech_energy: &[],
            words: &[],
            layout: None,
            whole_frame_content: false,
            real_faces: true,
            params: ReframeParams::default(),
        }
    }

    /// The same input with these face detections.
    pub fn with_faces(mut self, faces: &'a [FaceFrame]) -> Self {
        self.faces = faces;
        self
    }

    /// The same input with these shot cuts.
    pub fn with_cuts(mut self, cuts: &'a [f64]) -> Self {
        self.cuts = cuts;
        self
    }

    /// The same input with mouth motion per detected face and speech energy per face frame
    /// (both parallel to `faces`).
    pub fn with_speech(mut self, mouth_motion: &'a [Vec<f64>], speech_energy: &'a [f64]) -> Self {
        self.mouth_motion = mouth_motion;
        self.speech_energy = speech_energy;
        self
    }

    /// The same input with the transcript's words (for speaker labels).
    pub fn with_words(mut self, words: &'a [Word]) -> Self {
        self.words = words;
        self
    }

    /// The same input with a layout forced (`Some`) or chosen automatically (`None`).
    pub fn with_layout(mut self, layout: Option<LayoutKind>) -> Self {
        self.layout = layout;
        self
    }

    /// The same input, saying whether its faces are real faces (see [`ReframeInput::real_faces`]).
    pub fn with_real_faces(mut self, real: bool) -> Self {
        self.real_faces = real;
        self
    }

    /// The same input, saying whether the picture must be seen whole.
    pub fn with_whole_frame_content(mut self, whole: bool) -> Self {
        self.whole_frame_content = whole;
        self
    }

    /// The same input with these camera parameters.
    pub fn with_params(mut self, params: ReframeParams) -> Self {
        self.params = params;
        self
    }

    /// Clip length in seconds; 0 for an empty or malformed span.
    pub fn duration(&self) -> f64 {
        let duration = self.clip_end - self.clip_start;
        if duration.is_finite() {
            duration.max(0.0)
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(ReframeParams::default().validate().is_ok());
    }

    #[test]
    fn every_bad_value_is_reported() {
        let params = ReframeParams {
            dead_zone: 1.5,
            max_speed: 0.0,
            smoothing: f64::NAN,
            hold_after_loss: -1.0,
            speaker: SpeakerParams { margin: 2.0, ..SpeakerParams::default() },
            ..ReframeParams::default()
        };
        let Err(Error::Configuration { problems }) = params.validate() else {
            panic!("expected a configuration error");
        };
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("speaker.margin")));
        assert!(problems.iter().any(|p| p.contains("dead_zone")));
        assert!(problems.iter().any(|p| p.contains("hold_after_loss")));
    }

    #[test]
    fn sanitized_values_are_usable() {
        let params = ReframeParams {
            dead_zone: -3.0,
            max_speed: 0.0,
            smoothing: f64::INFINITY,
            hold_after_loss: -1.0,
            tracker: TrackerParams { max_gap: f64::NAN, ..TrackerParams::default() },
            ..ReframeParams::default()
        }
        .sanitized();
        assert_eq!(params.tracker.max_gap, TrackerParams::default().max_gap);
        assert_eq!(params.dead_zone, 0.0);
        assert!(params.max_speed > 0.0);
        assert_eq!(params.smoothing, DEFAULT_SMOOTHING);
        assert_eq!(params.hold_after_loss, 0.0);
        assert!(params.validate().is_ok());
    }

    #[test]
    fn duration_is_never_negative() {
        assert_eq!(ReframeInput::new((1920, 1080), Aspect::Vertical, 10.0, 12.5).duration(), 2.5);
        assert_eq!(ReframeInput::new((1920, 1080), Aspect::Vertical, 10.0, 5.0).duration(), 0.0);
        assert_eq!(ReframeInput::new((1920, 1080), Aspect::Vertical, 0.0, f64::NAN).duration(), 0.0);
    }
}

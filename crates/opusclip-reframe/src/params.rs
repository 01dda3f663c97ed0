//! What the planner is asked to do ([`ReframeInput`]) and how the virtual camera behaves
//! ([`ReframeParams`]), with documented defaults and a validation that lists every problem.

use opusclip_core::{Aspect, Error, FaceFrame, Result};

/// Default for [`ReframeParams::dead_zone`].
pub const DEFAULT_DEAD_ZONE: f64 = 0.12;
/// Default for [`ReframeParams::max_speed`].
pub const DEFAULT_MAX_SPEED: f64 = 0.6;
/// Default for [`ReframeParams::smoothing`].
pub const DEFAULT_SMOOTHING: f64 = 0.5;
/// Default for [`ReframeParams::min_face_score`].
pub const DEFAULT_MIN_FACE_SCORE: f64 = 0.0;
/// Default for [`ReframeParams::hold_after_loss`].
pub const DEFAULT_HOLD_AFTER_LOSS: f64 = 1.0;
/// Default for [`ReframeParams::continuity_bonus`].
pub const DEFAULT_CONTINUITY_BONUS: f64 = 1.0;

/// The smallest smoothing time constant and speed the planner works with, so that a zero
/// never reaches a division.
const MIN_POSITIVE: f64 = 1e-3;

/// How the virtual camera behaves. Every field has a documented default ([`Default`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReframeParams {
    /// How far the face centre may move away from the camera centre, as a fraction of the
    /// crop width (crop height for vertical motion), before the camera starts to follow.
    /// Default 0.12: on a 608 px wide 9:16 crop of 1080p the face may wander ±73 px.
    pub dead_zone: f64,
    /// The fastest the camera moves, in crop widths per second (crop heights per second for
    /// vertical motion). Default 0.6.
    pub max_speed: f64,
    /// Time constant of the camera's approach, in seconds: the camera eases toward the face
    /// like a critically damped spring with this time constant. Default 0.5 s.
    pub smoothing: f64,
    /// Faces with a lower detector score are ignored. Default 0.0 (keep what the detector
    /// kept; its own threshold already applies).
    pub min_face_score: f64,
    /// Seconds the camera holds its position after the face is lost before it eases back to
    /// the centre of the frame. Default 1.0 s.
    pub hold_after_loss: f64,
    /// Preference for the face followed so far: a face at the same place as the previous one
    /// weighs `1 + continuity_bonus` times its size × score. Default 1.0 (twice as much).
    pub continuity_bonus: f64,
}

impl Default for ReframeParams {
    fn default() -> Self {
        ReframeParams {
            dead_zone: DEFAULT_DEAD_ZONE,
            max_speed: DEFAULT_MAX_SPEED,
            smoothing: DEFAULT_SMOOTHING,
            min_face_score: DEFAULT_MIN_FACE_SCORE,
            hold_after_loss: DEFAULT_HOLD_AFTER_LOSS,
            continuity_bonus: DEFAULT_CONTINUITY_BONUS,
        }
    }
}

impl ReframeParams {
    /// Check every field; all problems are reported at once as [`Error::Configuration`].
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        let mut check = |name: &str, value: f64, ok: bool, expected: &str| {
            if !value.is_finite() || !ok {
                problems.push(format!("reframe {name} must be {expected}, got {value}"));
            }
        };
        check(
            "dead_zone",
            self.dead_zone,
            (0.0..=1.0).contains(&self.dead_zone),
            "0..1 (a fraction of the crop width)",
        );
        check("max_speed", self.max_speed, self.max_speed > 0.0, "> 0 (crop widths per second)");
        check("smoothing", self.smoothing, self.smoothing >= 0.0, ">= 0 (seconds)");
        check("min_face_score", self.min_face_score, true, "a finite number");
        check("hold_after_loss", self.hold_after_loss, self.hold_after_loss >= 0.0, ">= 0 (seconds)");
        check("continuity_bonus", self.continuity_bonus, self.continuity_bonus >= 0.0, ">= 0");
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
        let finite_or = |value: f64, default: f64| if value.is_finite() { value } else { default };
        ReframeParams {
            dead_zone: finite_or(self.dead_zone, defaults.dead_zone).clamp(0.0, 1.0),
            max_speed: finite_or(self.max_speed, defaults.max_speed).max(MIN_POSITIVE),
            smoothing: finite_or(self.smoothing, defaults.smoothing).max(MIN_POSITIVE),
            min_face_score: finite_or(self.min_face_score, defaults.min_face_score),
            hold_after_loss: finite_or(self.hold_after_loss, defaults.hold_after_loss).max(0.0),
            continuity_bonus: finite_or(self.continuity_bonus, defaults.continuity_bonus).max(0.0),
        }
    }
}

/// Everything [`crate::plan_crop`] needs for one output of one clip.
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
    /// How the camera behaves.
    pub params: ReframeParams,
}

impl<'a> ReframeInput<'a> {
    /// A clip with no faces, no cuts and default parameters; fill in the rest with the
    /// `with_*` methods.
    pub fn new(source_size: (u32, u32), aspect: Aspect, clip_start: f64, clip_end: f64) -> Self {
        ReframeInput {
            source_size,
            aspect,
            clip_start,
            clip_end,
            faces: &[],
            cuts: &[],
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
            ..ReframeParams::default()
        };
        let Err(Error::Configuration { problems }) = params.validate() else {
            panic!("expected a configuration error");
        };
        assert_eq!(problems.len(), 4, "{problems:?}");
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
            ..ReframeParams::default()
        }
        .sanitized();
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

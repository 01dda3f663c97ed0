//! Camera planning for `opusclip clip`: where the crop window of a 9:16 (1:1, 4:5, 16:9)
//! output sits in the source at every moment of a clip, so that it follows the speaker the
//! way a calm camera operator would, and which layout the output uses. Pure computation on
//! plain data: no I/O, no C dependencies.
//!
//! # Inputs
//!
//! [`ReframeInput`]: the source's display size, the output aspect, the clip's span, the face
//! detections sampled a few times per second (boxes and scores), the shot cuts, and
//! optionally the speaker evidence: mouth-motion energy per detected face and speech energy
//! per sampled frame, and the transcript's words with their speaker labels.
//!
//! # The plan, step by step
//!
//! 1. **Shots.** The clip is split at its cuts; each shot is planned on its own, and at a cut
//!    the window jumps (two keyframes with the same `t`: old window, then new).
//! 2. **Tracks** ([`track_faces`]). Detections of successive frames are joined into tracks
//!    with stable ids, greedily by cost `(1 − IoU) + centre distance / face width` against a
//!    constant-velocity prediction of each track, within a gate (IoU ≥ 0.2 or centres within
//!    one face width, sizes within 2×). A track survives [`TrackerParams::max_gap`] = 1 s
//!    unseen (an occlusion of a few detections keeps the id) and ends at every cut.
//! 3. **Active speaker** ([`active_speakers`]). In 0.4 s windows with speech (mean speech
//!    energy ≥ 18 % of the shot's peak), each face's share of the mouth motion is compared;
//!    a window counts only if the leader's share beats the next by 0.25. The turns are the
//!    best sequence of speakers with a cost of 3 won windows per switch (a Viterbi pass,
//!    so a switch lands where the evidence changes, not after a delay; after a pause, in
//!    the middle of the pause), and no turn is shorter than 1 s. Transcript speaker labels, when present, win: each label is matched
//!    to the face whose mouth moves most while it speaks ([`turns_from_labels`]).
//! 4. **Layout** ([`choose_layout`]): *track* — one window following the subject; *split* —
//!    two speakers stacked, when both speak ≥ 20 % of the clip and their faces (with a
//!    margin) do not fit one window of the aspect ratio; *blur-fit* — the whole frame over a
//!    blurred copy, when faces are in under 20 % of the frames or the picture must be seen
//!    whole. [`ReframeInput::layout`] overrides the choice.
//! 5. **Subject.** Within a shot the camera follows the speaker of each turn; a switch to a
//!    speaker more than two dead zones away is a hard cut, a nearer one is a move. Without
//!    speaker evidence it follows the most prominent face (area × score), switching to
//!    another only when that face is gone for good. The framing point puts the face centred
//!    horizontally and, for vertical outputs, in the upper third; it is median-filtered over
//!    about a second of samples. A lost face is held for [`ReframeParams::hold_after_loss`],
//!    then the camera heads for the frame's centre.
//! 6. **Camera per span and axis**, like AutoFlip:
//!    * *stationary* when the framing points (5th–95th percentile) stay within
//!      [`ReframeParams::stationary_band`]: one window for the whole span, at the band's
//!      middle, snapped to the frame's centre when within [`ReframeParams::snap_to_centre`] —
//!      exactly zero motion, whatever the detector's jitter;
//!    * *pan* when the subject crosses at least [`ReframeParams::pan_min_travel`] along a
//!      straight line (least squares, 90 % of points within the dead zone) no faster than the
//!      speed cap, over at least a second: a constant-speed move;
//!    * *track* otherwise: the L1-optimal path (Grundmann et al. 2011, first-derivative term)
//!      minimizing travel plus a heavy cost for the subject outside the dead zone plus a light
//!      cost for it off centre beyond [`ReframeParams::centring_tolerance`], under a hard
//!      speed cap ([`ReframeParams::max_speed`]) and the frame's bounds, solved exactly by
//!      dynamic programming on 0.1 s nodes. Its result is made of exact holds and straight
//!      moves; it never overshoots and never creeps.
//!
//!    The path is then eased (a triangular moving average over
//!    [`ReframeParams::smoothing`] seconds: holds stay exact, speed never rises).
//! 7. **Keyframes.** Only the points where the path bends are kept (linear interpolation
//!    stays within a pixel of the planned path), so a still camera gives two keyframes per
//!    span; corners are on even pixels. Times are clip-relative: the first keyframe is at 0,
//!    the last at the clip's duration.
//!
//! The window is the largest of the output's aspect ratio that fits the source
//! ([`crop_size`]: 608×1080 for 9:16 from 1080p); a split's halves use half the output's
//! height ([`crop_size_for_ratio`]: 1216×1080 for each half of a 9:16 output).
//!
//! # Outputs
//!
//! [`plan_output`] gives an [`OutputPlan`]: the [`opusclip_core::Layout`] (a split carries
//! the lower half's keyframes), the crop keyframes (track: the followed window; split: the
//! upper half's window, the left speaker; blur-fit: the whole frame), the reason for the
//! layout, and each span's camera modes. [`plan_outputs`] plans several aspect ratios from
//! one analysis. [`plan_crop`] is the track layout's keyframes alone.
//!
//! # Evaluation
//!
//! [`subject_in_frame_share`] and [`camera_motion`] (reversals per second, mean speed and
//! p95 jerk at output scale) measure a plan against known truth.
//!
//! ```
//! use opusclip_core::{Aspect, BoxF, FaceBox, FaceFrame};
//! use opusclip_reframe::{plan_crop, ReframeInput};
//!
//! // A speaker sitting still left of centre, sampled five times a second for 10 s.
//! let faces: Vec<FaceFrame> = (0..50)
//!     .map(|i| FaceFrame {
//!         t: 100.0 + i as f64 * 0.2,
//!         faces: vec![FaceBox {
//!             bbox: BoxF { x: 550.0, y: 300.0, w: 200.0, h: 200.0 },
//!             score: 1.0,
//!         }],
//!     })
//!     .collect();
//! let input = ReframeInput::new((1920, 1080), Aspect::Vertical, 100.0, 110.0).with_faces(&faces);
//! let keyframes = plan_crop(&input);
//! assert_eq!(keyframes.len(), 2); // a still camera
//! assert_eq!(keyframes[0].x + keyframes[0].w / 2.0, 650.0); // centred on the face
//! ```

mod analysis;
mod camera;
mod geometry;
mod l1path;
mod layout;
mod metrics;
mod params;
mod path;
mod plan;
mod shots;
mod speaker;
mod subject;
mod target;
#[cfg(test)]
mod test_noise;
mod tracker;

pub use camera::CameraMode;
pub use geometry::{center_crop, crop_size, crop_size_for_ratio};
pub use layout::{choose_layout, LayoutDecision, LayoutEvidence, SpeakerPresence};
pub use metrics::{camera_motion, crop_at, subject_in_frame_share, CameraMotion, TruthBox};
pub use params::{
    ReframeInput, ReframeParams, DEFAULT_CENTRING_TOLERANCE, DEFAULT_DEAD_ZONE, DEFAULT_HOLD_AFTER_LOSS,
    DEFAULT_MAX_SPEED, DEFAULT_MIN_FACE_SHARE, DEFAULT_MIN_SPEAKER_SHARE, DEFAULT_PAN_MIN_TRAVEL, DEFAULT_SMOOTHING,
    DEFAULT_SNAP_TO_CENTRE, DEFAULT_STATIONARY_BAND,
};
pub use plan::{plan_crop, plan_output, plan_outputs, OutputPlan, PlannedSpan};
pub use speaker::{active_speakers, label_affinity, turns_from_labels, SpeakerParams, SpeakerTurn, TrackActivity};
pub use tracker::{track_faces, FaceTrack, TrackId, TrackedFace, TrackerParams, DEFAULT_MIN_FACE_SCORE};

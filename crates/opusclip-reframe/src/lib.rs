//! Camera planning for `opusclip clip`: where the crop window of a 9:16 (1:1, 4:5, 16:9)
//! output sits in the source at every moment of a clip, so that it follows the speaker the
//! way a calm camera operator would. Pure computation on plain data: no I/O, no C
//! dependencies.
//!
//! # The model
//!
//! * **The window** is the largest window of the output's aspect ratio that fits the source
//!   ([`crop_size`]: 608×1080 for 9:16 from 1080p, the full frame for 16:9 from 16:9), in
//!   even pixels. Its size never changes during a clip, and it never leaves the frame.
//! * **Shots.** The clip is split at its cuts. Each shot is planned on its own; at a cut the
//!   window jumps, which shows as two keyframes with the same `t` (old window, then new).
//!   Within a shot the window never jumps.
//! * **Subject.** In every sampled frame the followed face is the one with the largest
//!   area × detector score, weighted up when it is where the followed face was before
//!   ([`ReframeParams::continuity_bonus`]), so the camera does not flip between similar faces.
//!   The window wants the face centred horizontally and, for vertical outputs (9:16, 4:5), in
//!   the upper third of the window; other outputs centre it. The wish is moved inside the frame.
//! * **Camera.** Each shot starts on the first face seen in it (the cut makes the jump free).
//!   The camera holds still while the face stays within the dead zone
//!   ([`ReframeParams::dead_zone`], a fraction of the window width) around the window centre.
//!   Once the face leaves it, the camera eases toward the face like a critically damped
//!   spring with time constant [`ReframeParams::smoothing`], never faster than
//!   [`ReframeParams::max_speed`] window widths per second and never past the face, and comes
//!   to rest on it; then the dead zone applies again. Vertical motion works the same way,
//!   measured in window heights.
//! * **Loss.** When the face is lost, the camera holds for
//!   [`ReframeParams::hold_after_loss`] seconds, then eases back to the centre of the frame.
//!   A shot with no face at all gets the centred window ([`center_crop`]).
//! * **Keyframes.** The camera is simulated at 30 steps per second; only the points where the
//!   path bends are kept (moving linearly between keyframes stays within a pixel of the
//!   simulated path), so a still camera gives two keyframes per shot. Times are clip-relative:
//!   the first keyframe is at 0, the last at the clip's duration.
//!
//! The tracking camera is the first camera mode; AutoFlip-style stationary and panning
//! shots, active-speaker choice and split layouts plug in per shot, where the shot's path is
//! planned.
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

mod camera;
mod geometry;
mod params;
mod path;
mod plan;
mod shots;
mod subject;
mod target;

pub use geometry::{center_crop, crop_size};
pub use params::{
    ReframeInput, ReframeParams, DEFAULT_CONTINUITY_BONUS, DEFAULT_DEAD_ZONE, DEFAULT_HOLD_AFTER_LOSS,
    DEFAULT_MAX_SPEED, DEFAULT_MIN_FACE_SCORE, DEFAULT_SMOOTHING,
};
pub use plan::plan_crop;

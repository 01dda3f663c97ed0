//! Runs the stages of Video-OpusClip in order — probe, survey, transcript, select, close look,
//! reframe, captions, render — times each, reports progress, and writes the outputs
//! (`clip-NN.mp4`, `clip-NN.json`, captions, thumbnail, `manifest.json`) atomically.
//!
//! The whole source is decoded once cheaply (the survey: all audio, key frames only); only the
//! chosen windows are decoded at full rate (the close look). Rendering is driven by a
//! [`opusclip_core::ClipSpec`], so `opusclip render clip-NN.json` re-renders with the same code.

pub mod analysis;
pub mod atomic;
pub mod audio_source;
pub mod audiogram;
pub mod borders;
pub mod caption_place;
pub mod clip;
pub mod export;
pub mod fonts;
pub mod llm;
pub mod look;
pub mod memory;
pub mod mouth_motion;
pub mod options;
pub mod progress;
pub mod reframe;
pub mod relative_level;
pub mod render;
pub mod request;
pub mod saliency;
pub mod sample;
pub mod speech_chunks;
pub mod speech_regions;
pub mod still;
pub mod streaming_asr;
pub mod survey;
pub mod topics;
pub mod transcript;
pub mod transcript_formats;

pub use clip::run_clip;
pub use options::ClipOptions;
pub use progress::{NoProgress, Progress, Workload};
pub use render::{remove_leftovers, render_spec, RenderedClip};
pub use request::{ClipRequest, LocalChoices, RequestFiles};

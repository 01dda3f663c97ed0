//! FFmpeg for Video-OpusClip: reading facts about a file ([`probe`]), the cheap whole-source
//! survey decode and the full-rate close look at chosen windows ([`decode`]), content hashing
//! ([`hash`]), and rendering clips and thumbnails through the ffmpeg CLI ([`render`]).
//!
//! This crate delivers samples and small gray frames; what is computed from them lives in
//! `opusclip-analyze`.

pub mod analysis_decode;
pub mod decode;
pub mod hash;
pub mod probe;
pub mod render;

pub use analysis_decode::{
    analysis_decode, AnalysisCounts, AnalysisFrame, AnalysisOptions, AnalysisSink, DecodedSegment, FrameWork,
};
pub use decode::{decode_window, survey_decode, GrayFrame, SurveyOptions, SurveySink, WindowFrame, WindowOptions};
pub use hash::content_hash;
pub use probe::{container, probe, Container};

/// Initialise FFmpeg once (idempotent) and keep its own logging quiet.
pub fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = ffmpeg_next::init();
        ffmpeg_next::util::log::set_level(ffmpeg_next::util::log::Level::Fatal);
    });
}

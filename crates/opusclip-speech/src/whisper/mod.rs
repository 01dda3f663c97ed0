//! Speech recognition with whisper.cpp (through `whisper-rs`, behind the `whisper` feature):
//! 16 kHz mono samples in, a [`Transcript`] of single words with times and confidences out.
//!
//! The model file is checked here first (see [`check_whisper_model_file`]) so a missing,
//! foreign or truncated file is a clear [`opusclip_core::Error::ModelLoading`], never a crash.

#[cfg(feature = "whisper")]
mod engine;
mod model_file;
// Only the engine feeds segments in; without it the conversion is kept, tested, unused.
#[cfg_attr(not(feature = "whisper"), allow(dead_code))]
mod segments;

use opusclip_core::{Result, Transcript};
use std::path::PathBuf;

pub use model_file::{check_whisper_model_file, WhisperModelHeader, GGML_MAGIC};

/// The sample rate whisper expects.
pub const WHISPER_SAMPLE_RATE: u32 = 16_000;

/// How to run whisper.
#[derive(Debug, Clone, PartialEq)]
pub struct WhisperOptions {
    /// A whisper.cpp ggml model file (e.g. `ggml-base.en.bin`).
    pub model_path: PathBuf,
    /// Spoken language as an ISO 639-1 code (`en`, `de`); `None` or `auto` detects it.
    pub language: Option<String>,
    /// CPU threads; 0 uses every available core.
    pub threads: usize,
    /// Translate into English instead of transcribing (multilingual models only).
    pub translate: bool,
    /// Text that primes the decoder: names, jargon, the style of punctuation wanted.
    pub initial_prompt: Option<String>,
}

impl WhisperOptions {
    /// Options for `model_path`: detect the language, use every core, transcribe, no prompt.
    pub fn new(model_path: impl Into<PathBuf>) -> Self {
        WhisperOptions {
            model_path: model_path.into(),
            language: None,
            threads: 0,
            translate: false,
            initial_prompt: None,
        }
    }

    /// The thread count to run with: `threads`, or every available core when it is 0.
    pub fn effective_threads(&self) -> usize {
        if self.threads > 0 {
            return self.threads;
        }
        std::thread::available_parallelism().map_or(1, |cores| cores.get())
    }
}

/// Transcribes 16 kHz mono samples (-1.0..1.0) with whisper.cpp into single-word [`opusclip_core::Word`]s.
///
/// `progress` is called with the fraction done (0.0..=1.0), from the calling thread. Words carry
/// whisper's times and the mean probability of their tokens as confidence; non-speech tags
/// (`[BLANK_AUDIO]`, `(music)`) are dropped. The transcript's language is the one given, or the
/// one whisper detected.
///
/// A missing, foreign or truncated model is [`opusclip_core::Error::ModelLoading`] naming the
/// path and how to get a model; so is a build without the `whisper` feature.
pub fn transcribe_whisper(
    samples_16k_mono: &[f32],
    options: &WhisperOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<Transcript> {
    check_whisper_model_file(&options.model_path)?;
    #[cfg(feature = "whisper")]
    {
        engine::transcribe(samples_16k_mono, options, progress)
    }
    #[cfg(not(feature = "whisper"))]
    {
        let _ = (samples_16k_mono, progress);
        Err(model_file::model_error(
            &options.model_path,
            "this build of opusclip was built without whisper support (cargo feature `whisper`); \
             rebuild with it, or supply a transcript (SRT/WebVTT) instead",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_default_to_auto_language_and_all_cores() {
        let options = WhisperOptions::new("model.bin");
        assert_eq!(options.language, None);
        assert!(!options.translate);
        assert!(options.effective_threads() >= 1);
        let pinned = WhisperOptions { threads: 3, ..options };
        assert_eq!(pinned.effective_threads(), 3);
    }

    #[test]
    fn missing_model_is_a_model_loading_error() {
        let options = WhisperOptions::new("/nonexistent/ggml-base.en.bin");
        let error = transcribe_whisper(&[0.0; 16_000], &options, &mut |_| {}).expect_err("no model");
        assert!(matches!(error, opusclip_core::Error::ModelLoading { .. }), "{error:?}");
        assert!(error.to_string().contains("/nonexistent/ggml-base.en.bin"), "{error}");
    }

    #[cfg(not(feature = "whisper"))]
    #[test]
    fn without_the_feature_a_good_looking_model_still_fails_with_the_reason() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("tiny.bin");
        let mut bytes = model_file::tests::tiny_en_header();
        bytes.resize(51864 * 384 / 2, 0);
        std::fs::write(&path, bytes).expect("write");
        let error = transcribe_whisper(&[0.0; 16], &WhisperOptions::new(&path), &mut |_| {})
            .expect_err("no whisper in this build");
        assert!(matches!(error, opusclip_core::Error::ModelLoading { .. }), "{error:?}");
        assert!(error.to_string().contains("built without whisper support"), "{error}");
    }
}

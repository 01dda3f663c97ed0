//! Speech recognition with whisper.cpp (through `whisper-rs`, behind the `whisper` feature):
//! 16 kHz mono samples in, a [`Transcript`] of single words with times and confidences out.
//!
//! The model file is checked here first (see [`check_whisper_model_file`]) so a missing,
//! foreign or truncated file is a clear [`opusclip_core::Error::ModelLoading`], never a crash.

mod acceleration;
#[cfg(feature = "whisper")]
mod engine;
mod model_file;
// Without the engine only the stats type is used; the timeline stays tested.
#[cfg_attr(not(feature = "whisper"), allow(dead_code))]
mod run_stats;
// Only the engine feeds segments in; without it the conversion is kept, tested, unused.
#[cfg_attr(not(feature = "whisper"), allow(dead_code))]
mod segments;

use opusclip_core::{Result, Transcript};
use std::path::PathBuf;

pub use acceleration::{alignment_heads_for, AlignmentHeads, WhisperAcceleration, CUDA_BUILT};
pub use model_file::{check_whisper_model_file, WhisperModelHeader, GGML_MAGIC};
pub use run_stats::WhisperRunStats;

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
    /// GPU and flash attention (see [`WhisperAcceleration::from_settings`]); CPU by default.
    pub acceleration: WhisperAcceleration,
    /// Word starts from DTW over the model's alignment heads (whisper.cpp's `-dtw`) instead of
    /// timestamp tokens alone. Needs a standard model shape (tiny … large-v3-turbo); ignored,
    /// with a warning, for other shapes and with flash attention.
    pub dtw_timestamps: bool,
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
            acceleration: WhisperAcceleration::default(),
            dtw_timestamps: false,
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

/// Bounds on whisper's decoding. The defaults are whisper's own; tests and benchmarks bound
/// the work, because a model with random weights decodes noise as long as it is allowed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Decoder steps per window before whisper closes it; 0 keeps whisper's own limit (220).
    pub max_tokens_per_window: u32,
    /// Decode again at higher temperatures when the output looks like a loop (whisper's
    /// default); off, every window is decoded once, greedily.
    pub temperature_fallback: bool,
    /// Decode text tokens only, no timestamp tokens: one segment per window, word times from
    /// whisper's token timing alone.
    pub text_only: bool,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        DecodeLimits { max_tokens_per_window: 0, temperature_fallback: true, text_only: false }
    }
}

/// A transcript and what it took to make it.
#[derive(Debug, Clone, PartialEq)]
pub struct WhisperRun {
    /// The words, as [`transcribe_whisper`] returns them.
    pub transcript: Transcript,
    /// Windows, decoder steps and their times.
    pub stats: WhisperRunStats,
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
    transcribe_whisper_with_stats(samples_16k_mono, options, DecodeLimits::default(), progress)
        .map(|run| run.transcript)
}

/// [`transcribe_whisper`] with bounds on decoding, also returning how many windows were
/// encoded, how many tokens decoded and how long each took (see [`WhisperRunStats`]).
///
/// Word times are clamped to the audio: whisper may place timestamps past the end of a short
/// input.
pub fn transcribe_whisper_with_stats(
    samples_16k_mono: &[f32],
    options: &WhisperOptions,
    limits: DecodeLimits,
    progress: &mut dyn FnMut(f32),
) -> Result<WhisperRun> {
    WhisperSession::load(options)?.transcribe(samples_16k_mono, limits, progress)
}

/// A whisper model loaded once for many pieces of audio (the chunks of a long input): each
/// [`WhisperSession::transcribe`] call reuses the model and its working memory. When the
/// language is detected, the language of the first piece with speech is kept for the rest.
pub struct WhisperSession {
    #[cfg(feature = "whisper")]
    engine: engine::Session,
    #[cfg(not(feature = "whisper"))]
    never: std::convert::Infallible,
}

impl WhisperSession {
    /// Checks the model file and loads it. A missing, foreign or truncated model is
    /// [`opusclip_core::Error::ModelLoading`] naming the path and how to get a model; so is a
    /// build without the `whisper` feature.
    pub fn load(options: &WhisperOptions) -> Result<WhisperSession> {
        let header = check_whisper_model_file(&options.model_path)?;
        #[cfg(feature = "whisper")]
        {
            Ok(WhisperSession { engine: engine::Session::load(options, &header)? })
        }
        #[cfg(not(feature = "whisper"))]
        {
            let _ = header;
            Err(model_file::model_error(
                &options.model_path,
                "this build of opusclip was built without whisper support (cargo feature `whisper`); \
                 rebuild with it, or supply a transcript (SRT/WebVTT) instead",
            ))
        }
    }

    /// Transcribes one piece of 16 kHz mono audio; word times are relative to its start.
    pub fn transcribe(
        &mut self,
        samples_16k_mono: &[f32],
        limits: DecodeLimits,
        progress: &mut dyn FnMut(f32),
    ) -> Result<WhisperRun> {
        #[cfg(feature = "whisper")]
        {
            self.engine.transcribe(samples_16k_mono, limits, progress)
        }
        #[cfg(not(feature = "whisper"))]
        {
            let _ = (samples_16k_mono, limits, progress);
            match self.never {}
        }
    }

    /// The language given, or the one detected so far (`None` before any speech).
    pub fn language(&self) -> Option<&str> {
        #[cfg(feature = "whisper")]
        {
            self.engine.language()
        }
        #[cfg(not(feature = "whisper"))]
        {
            match self.never {}
        }
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
        let limits = DecodeLimits::default();
        assert_eq!(limits.max_tokens_per_window, 0);
        assert!(limits.temperature_fallback && !limits.text_only);
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

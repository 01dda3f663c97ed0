//! Speech recognition with whisper.cpp (through `whisper-rs`, behind the `whisper` feature):
//! 16 kHz mono samples in, a [`Transcript`] of single words with times and confidences out.
//!
//! The model file is checked here first (see [`check_whisper_model_file`]) so a missing,
//! foreign or truncated file is a clear [`opusclip_core::Error::ModelLoading`], never a crash.

mod acceleration;
#[cfg(feature = "whisper")]
mod engine;
mod model_file;
#[cfg(feature = "whisper")]
mod vad_engine;
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
    /// whisper.cpp's Silero VAD model (`opusclip models fetch silero-vad`): when set, words that
    /// fall outside every span the VAD hears as speech are dropped — whisper's "Thank you." over
    /// a music bed, words heard in noise.
    pub vad_model: Option<PathBuf>,
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
            vad_model: None,
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
    #[cfg(feature = "whisper")]
    voice_activity: Option<VoiceActivity>,
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
            let voice_activity = match &options.vad_model {
                Some(path) => Some(VoiceActivity::load(path, options.effective_threads())?),
                None => None,
            };
            Ok(WhisperSession { engine: engine::Session::load(options, &header)?, voice_activity })
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
            let mut run = self.engine.transcribe(samples_16k_mono, limits, progress)?;
            let seconds = samples_16k_mono.len() as f64 / f64::from(WHISPER_SAMPLE_RATE);
            let doubtful = words_look_doubtful(&run.transcript.words, seconds);
            if let Some(voice_activity) = self.voice_activity.as_mut().filter(|_| doubtful) {
                let spans = voice_activity.speech_spans(samples_16k_mono)?;
                let words = std::mem::take(&mut run.transcript.words);
                run.transcript.words = keep_words_in_speech(words, &spans).0;
            }
            Ok(run)
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

/// What the VAD may take away: in a piece of audio where it hears no speech at all (a music
/// bed, noise), every word; where it hears some, only unsure words (mean token probability
/// below [`VAD_UNSURE_CONFIDENCE`]) more than [`VAD_NEIGHBOURHOOD_SECONDS`] from any speech it
/// heard — Silero misses quiet and distant voices, and whisper's confident words there are
/// real (measured: dropping every word outside its spans lost 12 of mfa's 262 words).
/// Returns the words kept and how many were dropped.
pub fn keep_words_in_speech(
    words: Vec<opusclip_core::Word>,
    spans: &[(f64, f64)],
) -> (Vec<opusclip_core::Word>, usize) {
    let before = words.len();
    let kept: Vec<opusclip_core::Word> = if spans.is_empty() {
        Vec::new()
    } else {
        words
            .into_iter()
            .filter(|word| {
                let distance = spans
                    .iter()
                    .map(|&(start, end)| (start - word.end).max(word.start - end).max(0.0))
                    .fold(f64::INFINITY, f64::min);
                word.confidence >= VAD_UNSURE_CONFIDENCE || distance <= VAD_NEIGHBOURHOOD_SECONDS
            })
            .collect()
    };
    let dropped = before - kept.len();
    (kept, dropped)
}

/// Whether whisper's words for a piece of audio look like they may not be speech, so the VAD
/// (which costs about a third of whisper's own time here) is asked: fewer than
/// [`VAD_DOUBT_WORDS_PER_SECOND`] words a second (people say two to three; whisper's "Thank you."
/// over 20 s of music is 0.1), or a mean token probability under [`VAD_UNSURE_CONFIDENCE`].
pub fn words_look_doubtful(words: &[opusclip_core::Word], seconds: f64) -> bool {
    if words.is_empty() {
        return false;
    }
    let rate = words.len() as f64 / seconds.max(1.0);
    let confidence = words.iter().map(|word| word.confidence).sum::<f32>() / words.len() as f32;
    rate < VAD_DOUBT_WORDS_PER_SECOND || confidence < VAD_UNSURE_CONFIDENCE
}

/// Fewer words a second than this make a piece of audio worth a VAD check.
pub const VAD_DOUBT_WORDS_PER_SECOND: f64 = 1.0;

/// Below this mean token probability a word far from any speech the VAD heard is dropped.
pub const VAD_UNSURE_CONFIDENCE: f32 = 0.5;
/// How far from the VAD's speech an unsure word may lie and still be kept, seconds.
pub const VAD_NEIGHBOURHOOD_SECONDS: f64 = 1.0;

/// Silero's speech probability above which a 32 ms frame is speech.
#[cfg(feature = "whisper")]
pub const VAD_THRESHOLD: f32 = 0.5;
/// Shorter bursts are not speech, milliseconds.
#[cfg(feature = "whisper")]
pub const VAD_MIN_SPEECH_MS: i32 = 250;
/// Padding around each speech span, milliseconds.
#[cfg(feature = "whisper")]
pub const VAD_PAD_MS: i32 = 200;

/// whisper.cpp's voice-activity detector (the Silero model, `opusclip models fetch silero-vad`):
/// which stretches of a piece of audio hold speech — not music, not noise, not silence.
pub struct VoiceActivity {
    #[cfg(feature = "whisper")]
    detector: vad_engine::Detector,
    #[cfg(not(feature = "whisper"))]
    never: std::convert::Infallible,
}

impl VoiceActivity {
    /// Load the VAD model at `path` (a whisper.cpp Silero ggml file).
    pub fn load(path: &std::path::Path, threads: usize) -> Result<VoiceActivity> {
        #[cfg(feature = "whisper")]
        {
            Ok(VoiceActivity { detector: vad_engine::Detector::load(path, threads)? })
        }
        #[cfg(not(feature = "whisper"))]
        {
            let _ = threads;
            Err(model_file::model_error(path, "this build has no whisper.cpp (cargo feature `whisper`)"))
        }
    }

    /// The speech spans of 16 kHz mono samples, `(start, end)` in seconds from their start.
    pub fn speech_spans(&mut self, samples_16k_mono: &[f32]) -> Result<Vec<(f64, f64)>> {
        #[cfg(feature = "whisper")]
        {
            self.detector.speech_spans(samples_16k_mono)
        }
        #[cfg(not(feature = "whisper"))]
        {
            let _ = samples_16k_mono;
            match self.never {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vad_drops_everything_without_speech_and_only_unsure_far_words_beside_it() {
        let word = |text: &str, start: f64, confidence: f32| opusclip_core::Word {
            text: text.into(),
            start,
            end: start + 0.4,
            confidence,
            speaker: None,
        };
        let music = vec![word("Thank", 1.0, 0.58), word("you.", 1.4, 0.99)];
        assert_eq!(keep_words_in_speech(music, &[]), (Vec::new(), 2), "no speech heard: nothing kept");
        let words = vec![word("in", 1.0, 0.2), word("near", 3.5, 0.2), word("sure", 8.0, 0.9), word("far", 9.0, 0.2)];
        let (kept, dropped) = keep_words_in_speech(words, &[(0.5, 2.8)]);
        let texts: Vec<&str> = kept.iter().map(|w| w.text.as_str()).collect();
        assert_eq!((texts, dropped), (vec!["in", "near", "sure"], 1));
    }

    #[test]
    fn only_sparse_or_unsure_words_send_a_piece_to_the_vad() {
        let word = |start: f64, confidence: f32| opusclip_core::Word {
            text: "w".into(),
            start,
            end: start + 0.3,
            confidence,
            speaker: None,
        };
        let speech: Vec<_> = (0..50).map(|i| word(i as f64 * 0.4, 0.9)).collect();
        assert!(!words_look_doubtful(&speech, 20.0), "2.5 confident words a second");
        assert!(words_look_doubtful(&[word(3.0, 0.58), word(3.4, 0.99)], 20.0), "two words in 20 s");
        let unsure: Vec<_> = (0..50).map(|i| word(i as f64 * 0.4, 0.3)).collect();
        assert!(words_look_doubtful(&unsure, 20.0));
        assert!(!words_look_doubtful(&[], 20.0), "no words, nothing to drop");
    }

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

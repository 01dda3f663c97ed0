//! The real whisper.cpp inference path, run in CI without any downloaded model: a shape-correct
//! tiny model with seeded random weights (see `opusclip_speech::synthetic_model`) is loaded,
//! encodes a few seconds of generated audio and decodes a bounded number of tokens, and our
//! conversion to words runs on what comes out. Its words are meaningless; these tests check that
//! inference really ran and that the output is well formed, and that damaged model files fail
//! with clean errors.

#![cfg(feature = "whisper")]

use opusclip_core::{Error, Word};
use opusclip_speech::synthetic_model::{write_synthetic_model, ModelShape};
use opusclip_speech::{
    check_whisper_model_file, transcribe_whisper, transcribe_whisper_with_stats, DecodeLimits, WhisperOptions,
    WhisperRun, WhisperRunStats, WHISPER_SAMPLE_RATE,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

/// Length of the generated audio: one (padded) whisper window.
const AUDIO_SECONDS: f64 = 3.0;
/// Decoder steps allowed per window: random weights would otherwise decode up to 220.
const MAX_TOKENS: u32 = 24;
/// The tiny encoder on a 30 s window takes hundreds of milliseconds; a skipped encoder takes ~0.
const MIN_ENCODER_TIME: Duration = Duration::from_millis(5);
const SEED: u64 = 7;

/// The synthetic tiny model, written once per test run into cargo's temp dir for tests.
fn tiny_model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("whisper-inference");
        std::fs::create_dir_all(&directory).expect("create the test model directory");
        let path = directory.join(format!("ggml-synthetic-tiny-seed{SEED}.bin"));
        write_synthetic_model(&path, ModelShape::Tiny, SEED).expect("write the synthetic tiny model");
        path
    })
}

/// Speech-like sound: a 150 Hz voice with harmonics, opened and closed four times a second like
/// syllables, over faint deterministic noise.
fn speechlike_audio(seconds: f64) -> Vec<f32> {
    let rate = f64::from(WHISPER_SAMPLE_RATE);
    let mut noise_state: u32 = 0x1234_5678;
    (0..(seconds * rate) as usize)
        .map(|index| {
            let t = index as f64 / rate;
            let syllable = (std::f64::consts::PI * 4.0 * t).sin().abs();
            let voice: f64 = (1..=5)
                .map(|harmonic| (std::f64::consts::TAU * 150.0 * harmonic as f64 * t).sin() / harmonic as f64)
                .sum();
            noise_state = noise_state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = f64::from(noise_state >> 8) / f64::from(1u32 << 24) - 0.5;
            (0.3 * syllable * voice + 0.02 * noise) as f32
        })
        .collect()
}

fn bounded_limits() -> DecodeLimits {
    DecodeLimits { max_tokens_per_window: MAX_TOKENS, temperature_fallback: false, ..DecodeLimits::default() }
}

/// One thread: `cargo test` runs tests side by side, and ggml's worker threads spin-wait for
/// each other, so two threads per test on a busy 2-core runner are far slower than one.
fn options(model: &Path, language: Option<&str>) -> WhisperOptions {
    WhisperOptions { language: language.map(str::to_string), threads: 1, ..WhisperOptions::new(model) }
}

fn run_bounded(model: &Path, language: Option<&str>, progress: &mut dyn FnMut(f32)) -> WhisperRun {
    transcribe_whisper_with_stats(
        &speechlike_audio(AUDIO_SECONDS),
        &options(model, language),
        bounded_limits(),
        progress,
    )
    .expect("whisper.cpp runs the synthetic model")
}

#[test]
fn the_synthetic_file_has_the_tiny_shape() {
    let model = tiny_model();
    let header = check_whisper_model_file(model).expect("the synthetic model passes the header check");
    assert_eq!(header.vocabulary_size, 51_865);
    assert_eq!(header.audio_layers, 4);
    assert_eq!(header.text_state, 384);
    assert_eq!(header.mel_bands, 80);
    assert_eq!(header.weight_type, 1);
    assert!(header.is_multilingual());
    let bytes = std::fs::metadata(model).expect("model metadata").len();
    assert_eq!(bytes, ModelShape::Tiny.file_bytes());
}

#[test]
fn inference_runs_and_gives_well_formed_words() {
    let mut progress_seen = Vec::new();
    let run = run_bounded(tiny_model(), Some("en"), &mut |fraction| progress_seen.push(fraction));
    assert_inference_ran(&run.stats);
    assert_eq!(run.transcript.language.as_deref(), Some("en"));
    assert_words_well_formed(&run.transcript.words, &run.stats);
    assert_eq!(progress_seen.last(), Some(&1.0), "{progress_seen:?}");
    assert!(progress_seen.windows(2).all(|pair| pair[0] <= pair[1]), "progress goes forward: {progress_seen:?}");
}

#[test]
fn language_detection_runs_on_the_multilingual_synthetic_model() {
    let run = run_bounded(tiny_model(), None, &mut |_| {});
    assert_inference_ran(&run.stats);
    let language = run.transcript.language.expect("a detected language");
    assert!((2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_lowercase()), "{language}");
    assert_words_well_formed(&run.transcript.words, &run.stats);
}

fn assert_inference_ran(stats: &WhisperRunStats) {
    assert_eq!(stats.windows, 1, "3 s of audio is one window: {stats:?}");
    assert!(stats.encoder_time >= MIN_ENCODER_TIME, "the encoder really ran: {stats:?}");
    assert!(stats.decoder_steps >= 1, "the decoder really ran: {stats:?}");
    assert!(stats.decoder_steps <= u64::from(MAX_TOKENS) + 1, "decoding was bounded: {stats:?}");
    assert!(stats.total_time >= stats.encoder_time + stats.decoder_time, "{stats:?}");
    assert!(stats.text_tokens as u64 <= stats.decoder_steps, "{stats:?}");
}

/// Words of the synthetic vocabulary (` w123`, `s124`), inside the audio, in order, at most one
/// per decoded text token.
fn assert_words_well_formed(words: &[Word], stats: &WhisperRunStats) {
    assert!(words.len() <= stats.text_tokens, "{} words from {stats:?}", words.len());
    let mut previous_end = 0.0;
    for word in words {
        assert!(is_synthetic_word(&word.text), "{word:?}");
        assert!(word.start >= previous_end && word.start <= word.end, "times go forward: {words:?}");
        assert!(word.end <= AUDIO_SECONDS, "inside the audio: {words:?}");
        assert!((0.0..=1.0).contains(&word.confidence), "{word:?}");
        previous_end = word.end;
    }
}

/// `w12`, `s14`, or several glued (`w10s14`): what the synthetic vocabulary spells.
fn is_synthetic_word(text: &str) -> bool {
    let mut pieces = text.split(['w', 's']);
    let starts_with_a_letter = pieces.next() == Some("");
    !text.is_empty()
        && starts_with_a_letter
        && pieces.all(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn synthetic_word_pattern() {
    assert!(is_synthetic_word("w12") && is_synthetic_word("s4") && is_synthetic_word("w10s14"));
    assert!(
        !is_synthetic_word("") && !is_synthetic_word("w") && !is_synthetic_word("hello") && !is_synthetic_word("w1x")
    );
}

fn assert_model_loading_error(result: opusclip_core::Result<impl std::fmt::Debug>, path: &Path, needle: &str) {
    let error = result.expect_err("a damaged model must fail");
    assert!(matches!(error, Error::ModelLoading { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(message.contains(needle), "{message}");
}

#[test]
fn a_truncated_model_is_rejected_by_whisper_cpp_cleanly() {
    let bytes = std::fs::read(tiny_model()).expect("read the synthetic model");
    let directory = tempfile::tempdir().expect("temp dir");
    let cut = directory.path().join("cut-in-half.bin");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write the truncated copy");
    // Half a tiny model is big enough for the header check, so whisper.cpp's loader must say no.
    check_whisper_model_file(&cut).expect("the header check cannot see the missing tensors");
    let result = transcribe_whisper(&speechlike_audio(1.0), &options(&cut, Some("en")), &mut |_| {});
    assert_model_loading_error(result, &cut, "could not load");
}

#[test]
fn wrong_magic_and_missing_models_are_clean_errors() {
    let mut bytes = std::fs::read(tiny_model()).expect("read the synthetic model");
    let directory = tempfile::tempdir().expect("temp dir");
    bytes[..4].copy_from_slice(b"GGUF");
    let foreign = directory.path().join("model.gguf");
    std::fs::write(&foreign, &bytes).expect("write the foreign copy");
    let audio = speechlike_audio(1.0);
    assert_model_loading_error(transcribe_whisper(&audio, &options(&foreign, None), &mut |_| {}), &foreign, "GGUF");
    let missing = directory.path().join("ggml-tiny.bin");
    let result = transcribe_whisper_with_stats(&audio, &options(&missing, None), bounded_limits(), &mut |_| {});
    assert_model_loading_error(result, &missing, "cannot open");
}

//! A whisper session reused over several pieces of audio (as the streaming pass uses it), and
//! DTW token timestamps, run for real on the synthetic tiny model (random weights, so only the
//! shapes and the order of the times are checked, never the words).

#![cfg(feature = "whisper")]

use opusclip_core::Word;
use opusclip_speech::synthetic_model::{write_synthetic_model, ModelShape};
use opusclip_speech::{DecodeLimits, WhisperOptions, WhisperRun, WhisperSession, WHISPER_SAMPLE_RATE};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const MAX_TOKENS: u32 = 16;
const SEED: u64 = 11;

fn tiny_model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let directory = Path::new(env!("CARGO_TARGET_TMPDIR")).join("whisper-session");
        std::fs::create_dir_all(&directory).expect("create the test model directory");
        let path = directory.join(format!("ggml-synthetic-tiny-seed{SEED}.bin"));
        write_synthetic_model(&path, ModelShape::Tiny, SEED).expect("write the synthetic tiny model");
        path
    })
}

/// A buzzing 140 Hz voice opened and closed three times a second.
fn voice(seconds: f64) -> Vec<f32> {
    let rate = f64::from(WHISPER_SAMPLE_RATE);
    (0..(seconds * rate) as usize)
        .map(|index| {
            let t = index as f64 / rate;
            let envelope = (std::f64::consts::PI * 3.0 * t).sin().abs();
            let buzz: f64 = (1..=4).map(|h| (std::f64::consts::TAU * 140.0 * h as f64 * t).sin() / h as f64).sum();
            (0.3 * envelope * buzz) as f32
        })
        .collect()
}

fn limits() -> DecodeLimits {
    DecodeLimits { max_tokens_per_window: MAX_TOKENS, temperature_fallback: false, ..DecodeLimits::default() }
}

fn options() -> WhisperOptions {
    WhisperOptions { threads: 1, ..WhisperOptions::new(tiny_model()) }
}

fn assert_ran_and_well_formed(run: &WhisperRun, seconds: f64) {
    assert_eq!(run.stats.windows, 1, "{:?}", run.stats);
    assert!(run.stats.encoder_time >= Duration::from_millis(5), "the encoder ran: {:?}", run.stats);
    assert!(run.stats.decoder_steps >= 1 && run.stats.decoder_steps <= u64::from(MAX_TOKENS) + 1, "{:?}", run.stats);
    assert_monotonic_inside(&run.transcript.words, seconds);
}

fn assert_monotonic_inside(words: &[Word], seconds: f64) {
    assert!(words.len() <= MAX_TOKENS as usize, "bounded: {}", words.len());
    let mut previous_end = 0.0;
    for word in words {
        assert!(word.start >= previous_end && word.start <= word.end, "times go forward: {words:?}");
        assert!(word.end <= seconds + 1e-9, "inside the audio: {words:?}");
        previous_end = word.end;
    }
}

#[test]
fn one_session_transcribes_piece_after_piece_and_keeps_the_detected_language() {
    let mut session = WhisperSession::load(&options()).expect("the synthetic model loads");
    assert_eq!(session.language(), None, "nothing detected yet");
    let first = session.transcribe(&voice(2.0), limits(), &mut |_| {}).expect("first piece");
    assert_ran_and_well_formed(&first, 2.0);
    let detected = first.transcript.language.clone().expect("a detected language");
    assert_eq!(session.language(), Some(detected.as_str()));
    let second = session.transcribe(&voice(3.0), limits(), &mut |_| {}).expect("second piece");
    assert_ran_and_well_formed(&second, 3.0);
    assert_eq!(second.transcript.language.as_deref(), Some(detected.as_str()), "the language is kept");
    let empty = session.transcribe(&[], limits(), &mut |_| {}).expect("no audio");
    assert!(empty.transcript.words.is_empty() && empty.stats.windows == 0);
}

#[test]
fn dtw_timestamps_run_on_the_tiny_alignment_heads() {
    let audio = voice(3.0);
    let english = |dtw_timestamps| WhisperOptions { language: Some("en".into()), dtw_timestamps, ..options() };
    let plain = WhisperSession::load(&english(false))
        .and_then(|mut session| session.transcribe(&audio, limits(), &mut |_| {}))
        .expect("token timestamps");
    let aligned = WhisperSession::load(&english(true))
        .and_then(|mut session| session.transcribe(&audio, limits(), &mut |_| {}))
        .expect("DTW timestamps");
    assert_ran_and_well_formed(&aligned, 3.0);
    let texts = |run: &WhisperRun| run.transcript.words.iter().map(|word| word.text.clone()).collect::<Vec<_>>();
    assert_eq!(texts(&plain), texts(&aligned), "DTW changes times, never the decoded words");
}

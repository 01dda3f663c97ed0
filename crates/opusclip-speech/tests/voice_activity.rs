//! whisper.cpp's Silero VAD with the model converted from the `silero-vad` wheel
//! (`opusclip models fetch silero-vad`, which `make test` runs): JFK's speech is found with its
//! pause, a synthetic music bed holds no speech, silence holds none.

use opusclip_speech::models::ModelStore;
use opusclip_speech::VoiceActivity;
use std::path::{Path, PathBuf};
use std::process::Command;

fn vad_model() -> Option<PathBuf> {
    match ModelStore::in_cache_dir(None).and_then(|store| store.installed_path("silero-vad")) {
        Ok(path) => Some(path),
        Err(error) => {
            let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
            assert!(!required, "the VAD model is required (OPUSCLIP_REQUIRE_SERVICES=1): {error}");
            eprintln!("skipped: {error}");
            None
        }
    }
}

/// 16 kHz mono f32 samples of `input` through the ffmpeg CLI (`lavfi` inputs allowed).
fn samples(input: &[&str]) -> Vec<f32> {
    let output = Command::new("ffmpeg")
        .args(["-loglevel", "error"])
        .args(input)
        .args(["-ac", "1", "-ar", "16000", "-f", "f32le", "-"])
        .output()
        .expect("run ffmpeg");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect()
}

#[test]
fn speech_is_found_and_music_and_silence_are_not() {
    let Some(model) = vad_model() else { return };
    let mut vad = VoiceActivity::load(&model, 2).expect("whisper.cpp loads the converted Silero model");

    let jfk = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media/speech/jfk/jfk.flac");
    if jfk.is_file() {
        let spans = vad.speech_spans(&samples(&["-i", jfk.to_str().expect("utf-8")])).expect("vad runs");
        eprintln!("jfk speech spans: {spans:?}");
        let covered = |t: f64| spans.iter().any(|&(start, end)| start <= t && t <= end);
        for t in [0.5, 1.8, 4.0, 6.0, 9.5] {
            assert!(covered(t), "speech at {t} s: {spans:?}");
        }
        assert!(!covered(2.7), "the pause after \"Americans\" is not speech: {spans:?}");
    }

    let music = "aevalsrc=0.2*sin(2*PI*(220+110*floor(mod(t\\,4)))*t)+0.15*sin(2*PI*330*t)*lt(mod(t\\,0.5)\\,0.25)+0.1*sin(2*PI*55*t):s=16000:d=12";
    let spans = vad.speech_spans(&samples(&["-f", "lavfi", "-i", music])).expect("vad runs");
    assert!(spans.is_empty(), "a music bed holds no speech: {spans:?}");
    let spans = vad.speech_spans(&vec![0.0; 16_000 * 5]).expect("vad runs");
    assert!(spans.is_empty(), "silence holds no speech: {spans:?}");
}

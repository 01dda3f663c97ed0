//! Peak memory of the streaming audio pass (decode → levels → energy gate → ~28 s chunks →
//! whisper), to show it is flat in input length; `--keep-samples` runs the old way (every
//! sample kept in memory) for comparison.
//!
//! ```text
//! cargo run --release -p opusclip-pipeline --example audio_pass_memory -- INPUT [--keep-samples]
//!     [--model ggml.bin [--max-tokens N]]   # N > 0: at most N tokens a window, no fallback
//! ```
//! Prints one JSON line: seconds decoded, chunks, speech seconds, the most samples the gate
//! held, wall time and the process's peak resident memory (VmHWM).

use opusclip_pipeline::audio_source::{audio_decoder, probe_video_or_audio};
use opusclip_pipeline::memory::peak_rss_bytes;
use opusclip_pipeline::streaming_asr::stream_speech;
use opusclip_pipeline::NoProgress;
use opusclip_speech::{DecodeLimits, WhisperOptions, WhisperSession};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut input = None;
    let mut model = None;
    let mut keep_samples = false;
    let mut max_tokens = 0u32;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--keep-samples" => keep_samples = true,
            "--model" => model = args.next().map(PathBuf::from),
            "--max-tokens" => max_tokens = args.next().ok_or("--max-tokens needs a number")?.parse()?,
            _ => input = Some(PathBuf::from(arg)),
        }
    }
    let input = input.ok_or("usage: audio_pass_memory INPUT [--keep-samples] [--model PATH [--max-tokens N]]")?;
    let started = Instant::now();
    let facts = probe_video_or_audio(&input)?;
    let report = if keep_samples {
        let facts = facts.ok_or("--keep-samples needs a video input")?;
        let surveyed = opusclip_pipeline::survey::run_survey_audio(&input, &facts, &NoProgress)?;
        let samples = surveyed.samples.map_or(0, |samples| samples.len());
        serde_json::json!({"mode": "keep_samples", "seconds": samples as f64 / 16_000.0})
    } else {
        let mut session = match &model {
            Some(path) => Some(WhisperSession::load(&WhisperOptions {
                language: Some("en".into()),
                ..WhisperOptions::new(path)
            })?),
            None => None,
        };
        // A bound on tokens is for models with random weights: decode each window once, greedily.
        let limits = DecodeLimits {
            max_tokens_per_window: max_tokens,
            temperature_fallback: max_tokens == 0,
            ..DecodeLimits::default()
        };
        let streamed = stream_speech(audio_decoder(&input, facts.as_ref()), session.as_mut(), limits, &NoProgress)?;
        serde_json::json!({
            "mode": if model.is_some() { "streaming_whisper" } else { "streaming_audio_pass" },
            "seconds": streamed.audio_samples as f64 / 16_000.0,
            "chunks": streamed.chunks,
            "speech_seconds": streamed.speech_seconds,
            "most_buffered_samples": streamed.most_buffered_samples,
            "whisper_windows": streamed.whisper.windows,
            "words": streamed.transcript.map_or(0, |transcript| transcript.words.len()),
        })
    };
    let mut report = report;
    report["wall_seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
    report["peak_rss_mib"] = serde_json::json!(peak_rss_bytes() as f64 / (1024.0 * 1024.0));
    println!("{report}");
    Ok(())
}

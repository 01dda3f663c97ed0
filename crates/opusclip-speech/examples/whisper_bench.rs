//! Speed of whisper.cpp on this machine, without downloading a model: synthetic models of the
//! tiny, base and small shapes (random weights, so the words are noise, but the compute per
//! encoder window and per decoded token is the real model's) on 1 and 2 threads.
//!
//! For each it reports the encoder time per 30 s window, the decoder time per token (greedy,
//! text tokens only, no temperature fallback) and the real-time factor they imply for a window
//! of ~110 tokens: `(encoder + 110 × token) / 30 s`.
//!
//! ```text
//! cargo run --release -p opusclip-speech --example whisper_bench -- [tiny base small] [--threads 1,2] [--tokens 110] [--repeat 1]
//! ```

use opusclip_speech::synthetic_model::{write_synthetic_model, ModelShape};
use opusclip_speech::{
    transcribe_whisper_with_stats, DecodeLimits, WhisperOptions, WhisperRunStats, WHISPER_SAMPLE_RATE,
};
use std::time::{Duration, Instant};

/// Seconds of audio whisper encodes at once.
const WINDOW_SECONDS: f64 = 30.0;

/// What to measure, from the command line.
struct BenchPlan {
    shapes: Vec<ModelShape>,
    threads: Vec<usize>,
    tokens_per_window: u32,
    repeats: usize,
}

/// One measured row of the table.
struct Measurement {
    shape: ModelShape,
    threads: usize,
    encoder: Duration,
    per_token: Duration,
    steps: u64,
}

impl Measurement {
    fn real_time_factor(&self, tokens_per_window: u32) -> f64 {
        (self.encoder.as_secs_f64() + f64::from(tokens_per_window) * self.per_token.as_secs_f64()) / WINDOW_SECONDS
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let plan = parse_plan(std::env::args().skip(1))?;
    let directory = tempfile::tempdir()?;
    let audio = window_of_audio();
    let mut rows = Vec::new();
    for &shape in &plan.shapes {
        let path = directory.path().join(format!("ggml-synthetic-{}.bin", shape.name()));
        let started = Instant::now();
        write_synthetic_model(&path, shape, 1)?;
        eprintln!("wrote the {} model in {:.1} s", shape.name(), started.elapsed().as_secs_f64());
        for &threads in &plan.threads {
            let stats = best_of(&plan, || measure(&path, &audio, threads, plan.tokens_per_window))?;
            let row = to_row(shape, threads, &stats)?;
            eprintln!("{}", format_row(&row, plan.tokens_per_window));
            rows.push(row);
        }
        std::fs::remove_file(&path)?;
    }
    print_table(&rows, plan.tokens_per_window);
    Ok(())
}

fn parse_plan(mut args: impl Iterator<Item = String>) -> Result<BenchPlan, String> {
    let mut plan = BenchPlan { shapes: Vec::new(), threads: vec![1, 2], tokens_per_window: 110, repeats: 1 };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--threads" => plan.threads = parse_list(&value()?)?,
            "--tokens" => plan.tokens_per_window = value()?.parse().map_err(|_| "--tokens takes a number")?,
            "--repeat" => plan.repeats = value()?.parse().map_err(|_| "--repeat takes a number")?,
            name => plan.shapes.push(shape_named(name)?),
        }
    }
    if plan.shapes.is_empty() {
        plan.shapes = ModelShape::ALL.to_vec();
    }
    plan.repeats = plan.repeats.max(1);
    Ok(plan)
}

fn parse_list(text: &str) -> Result<Vec<usize>, String> {
    text.split(',').map(|item| item.trim().parse().map_err(|_| format!("not a thread count: {item}"))).collect()
}

fn shape_named(name: &str) -> Result<ModelShape, String> {
    ModelShape::ALL
        .into_iter()
        .find(|shape| shape.name() == name)
        .ok_or(format!("unknown shape {name}; use tiny, base or small"))
}

/// 30 s of a voice-like tone: the content does not change the compute, only its length does.
fn window_of_audio() -> Vec<f32> {
    let rate = f64::from(WHISPER_SAMPLE_RATE);
    (0..(WINDOW_SECONDS * rate) as usize)
        .map(|index| {
            let t = index as f64 / rate;
            (0.3 * (std::f64::consts::PI * 4.0 * t).sin().abs() * (std::f64::consts::TAU * 150.0 * t).sin()) as f32
        })
        .collect()
}

fn measure(
    model: &std::path::Path,
    audio: &[f32],
    threads: usize,
    tokens: u32,
) -> Result<WhisperRunStats, opusclip_core::Error> {
    let options = WhisperOptions { language: Some("en".into()), threads, ..WhisperOptions::new(model) };
    let limits = DecodeLimits { max_tokens_per_window: tokens, temperature_fallback: false, text_only: true };
    Ok(transcribe_whisper_with_stats(audio, &options, limits, &mut |_| {})?.stats)
}

/// The run with the fastest encoder of `plan.repeats` (the least disturbed by other work).
fn best_of(
    plan: &BenchPlan,
    mut run: impl FnMut() -> Result<WhisperRunStats, opusclip_core::Error>,
) -> Result<WhisperRunStats, opusclip_core::Error> {
    let mut best = run()?;
    for _ in 1..plan.repeats {
        let next = run()?;
        if next.encoder_time < best.encoder_time {
            best = next;
        }
    }
    Ok(best)
}

fn to_row(shape: ModelShape, threads: usize, stats: &WhisperRunStats) -> Result<Measurement, String> {
    let encoder = stats.encoder_time_per_window().ok_or("no window was encoded")?;
    let per_token = stats.decoder_time_per_step().ok_or("fewer than two tokens were decoded")?;
    Ok(Measurement { shape, threads, encoder, per_token, steps: stats.decoder_steps })
}

fn format_row(row: &Measurement, tokens_per_window: u32) -> String {
    format!(
        "| {:<5} | {} | {:>8.0} | {:>7.1} | {:>5} | {:>6.3} |",
        row.shape.name(),
        row.threads,
        row.encoder.as_secs_f64() * 1000.0,
        row.per_token.as_secs_f64() * 1000.0,
        row.steps,
        row.real_time_factor(tokens_per_window)
    )
}

fn print_table(rows: &[Measurement], tokens_per_window: u32) {
    println!(
        "| shape | threads | encoder ms / window | decoder ms / token | tokens | RTF @ {tokens_per_window} tokens |"
    );
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!("{}", format_row(row, tokens_per_window));
    }
}

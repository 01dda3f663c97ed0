//! The transcript stage: the words come from the first source found — a subtitle file the
//! user gave, a subtitle stream inside the input, or whisper with a model the user gave.
//! Without any, the run goes on without words (and says so); it never invents them.

use crate::audio_source::{audio_decoder, probe_video_or_audio};
use crate::options::ClipOptions;
use crate::speech_regions::drop_hallucinations;
use crate::streaming_asr::{decode_slice, stream_speech};
use opusclip_core::{Result, Silence, Transcript, TranscriptSource};
use opusclip_speech::{DecodeLimits, WhisperAcceleration, WhisperOptions, WhisperSession};
use std::path::Path;

/// Where the words will come from, decided before the survey (whisper needs its samples).
#[derive(Debug)]
pub enum TranscriptPlan {
    /// Words already read from a file or an embedded stream.
    Ready(Transcript),
    /// Run whisper on the survey's samples with this model.
    Whisper(std::path::PathBuf),
    /// No source of words.
    None,
}

/// The message shown when no transcript source exists.
pub const NO_TRANSCRIPT_HINT: &str = "no transcript: clips are chosen from audio and shot changes and have no captions. \
     Give one with --transcript FILE.srt|.vtt, or speech recognition with --whisper-model ggml-base.en.bin (or MODEL_PATH)";

/// Decide the source of words: `--transcript`, then an embedded stream, then whisper.
pub fn plan_transcript(input: &Path, has_subtitle_stream: bool, options: &ClipOptions) -> Result<TranscriptPlan> {
    if let Some(file) = &options.transcript {
        let cues = opusclip_speech::parse_subtitles(file)?;
        return Ok(TranscriptPlan::Ready(opusclip_speech::transcript_from_cues(&cues, TranscriptSource::File)));
    }
    if has_subtitle_stream {
        if let Some(cues) = opusclip_speech::extract_embedded_subtitles(input, None)? {
            if !cues.is_empty() {
                return Ok(TranscriptPlan::Ready(opusclip_speech::transcript_from_cues(
                    &cues,
                    TranscriptSource::Embedded,
                )));
            }
        }
    }
    if let Some(model) = &options.whisper_model {
        return Ok(TranscriptPlan::Whisper(model.clone()));
    }
    Ok(TranscriptPlan::None)
}

/// Where `opusclip transcribe` took its words from, and the words.
#[derive(Debug)]
pub struct TranscribeOutcome {
    pub transcript: Transcript,
    pub seconds: f64,
}

/// How whisper runs, beyond what [`ClipOptions`] says: the hardware (from `DEVICE`,
/// `ENABLE_GPU`, `MIXED_PRECISION` through [`WhisperAcceleration::from_settings`]) and DTW word
/// timestamps. The default is the CPU with whisper's token timestamps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AsrRuntime {
    pub acceleration: WhisperAcceleration,
    pub dtw_timestamps: bool,
}

/// `opusclip transcribe`: the words of `input` from `--transcript`, an embedded stream (unless
/// `force_asr`), or whisper on the CPU (see [`transcribe_source_with`]).
pub fn transcribe_source(
    input: &Path,
    options: &ClipOptions,
    force_asr: bool,
    progress: &dyn crate::Progress,
) -> Result<TranscribeOutcome> {
    transcribe_source_with(input, options, force_asr, AsrRuntime::default(), progress)
}

/// [`transcribe_source`] with a choice of hardware and timestamps. Whisper runs while the audio
/// is decoded (one pass, audio only; audio-only files through the `ffmpeg` CLI), on ~28 s chunks
/// of speech, so memory stays flat however long the input.
pub fn transcribe_source_with(
    input: &Path,
    options: &ClipOptions,
    force_asr: bool,
    runtime: AsrRuntime,
    progress: &dyn crate::Progress,
) -> Result<TranscribeOutcome> {
    let started = std::time::Instant::now();
    let facts = probe_video_or_audio(input)?;
    let has_subtitle_stream = facts.as_ref().is_some_and(|facts| !facts.subtitles.is_empty());
    let plan = if force_asr {
        match &options.whisper_model {
            Some(model) => TranscriptPlan::Whisper(model.clone()),
            None => TranscriptPlan::None,
        }
    } else {
        plan_transcript(input, has_subtitle_stream, options)?
    };
    let transcript = match plan {
        TranscriptPlan::Ready(transcript) => transcript,
        TranscriptPlan::None => {
            return Err(opusclip_core::Error::model(
                "no transcript source: give --transcript FILE, or a whisper model with --whisper-model PATH \
                 (or MODEL_PATH); `opusclip models fetch base.en` downloads one",
            ))
        }
        TranscriptPlan::Whisper(model) => {
            let mut session = WhisperSession::load(&whisper_options(&model, options, runtime))?;
            progress.stage("transcribe");
            let decode = audio_decoder(input, facts.as_ref());
            let streamed = stream_speech(decode, Some(&mut session), DecodeLimits::default(), progress)?;
            progress.stage_done("transcribe", started.elapsed().as_secs_f64());
            streamed.transcript.unwrap_or(Transcript {
                language: None,
                source: TranscriptSource::Whisper,
                words: Vec::new(),
            })
        }
    };
    Ok(TranscribeOutcome { transcript, seconds: started.elapsed().as_secs_f64() })
}

/// The whisper options of a run: model, language, threads, prompt, translation, runtime.
pub fn whisper_options(model: &Path, options: &ClipOptions, runtime: AsrRuntime) -> WhisperOptions {
    let mut whisper = WhisperOptions::new(model);
    whisper.language = options.language.clone();
    whisper.threads = options.threads;
    whisper.initial_prompt = options.asr_prompt.clone();
    whisper.translate = options.translate;
    whisper.acceleration = runtime.acceleration;
    whisper.dtw_timestamps = runtime.dtw_timestamps;
    whisper
}

/// Run whisper over the speech in samples already decoded (by the survey of `opusclip clip`):
/// the same gate and chunks as the streaming pass, so long silences are never transcribed, and
/// words in silences or in repeated-phrase loops are dropped after it.
pub fn transcribe(
    samples: &[f32],
    silences: &[Silence],
    model: &Path,
    options: &ClipOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<Transcript> {
    let mut session = WhisperSession::load(&whisper_options(model, options, AsrRuntime::default()))?;
    let forward = ForwardProgress(std::cell::RefCell::new(progress));
    let streamed = stream_speech(decode_slice(samples), Some(&mut session), DecodeLimits::default(), &forward)?;
    let mut transcript = streamed.transcript.unwrap_or(Transcript {
        language: session.language().map(str::to_string),
        source: TranscriptSource::Whisper,
        words: Vec::new(),
    });
    transcript.words = drop_hallucinations(std::mem::take(&mut transcript.words), silences);
    Ok(transcript)
}

/// A [`crate::Progress`] that forwards fractions to a closure.
struct ForwardProgress<'a>(std::cell::RefCell<&'a mut dyn FnMut(f32)>);

impl crate::Progress for ForwardProgress<'_> {
    fn advance(&self, fraction: f64) {
        if let Ok(mut forward) = self.0.try_borrow_mut() {
            forward(fraction as f32);
        }
    }
}

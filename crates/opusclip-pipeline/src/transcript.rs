//! The transcript stage: the words come from the first source found — a subtitle file the
//! user gave, a subtitle stream inside the input, or whisper with a model the user gave.
//! Without any, the run goes on without words (and says so); it never invents them.

use crate::options::ClipOptions;
use opusclip_core::{Result, Transcript, TranscriptSource};
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

/// Run whisper over the survey's samples.
pub fn transcribe(
    samples: &[f32],
    model: &Path,
    options: &ClipOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<Transcript> {
    let mut whisper = opusclip_speech::WhisperOptions::new(model);
    whisper.language = options.language.clone();
    whisper.threads = options.threads;
    opusclip_speech::transcribe_whisper(samples, &whisper, progress)
}

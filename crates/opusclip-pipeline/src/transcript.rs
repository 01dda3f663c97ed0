//! The transcript stage: the words come from the first source found — a subtitle file the
//! user gave, a subtitle stream inside the input, or whisper with a model the user gave.
//! Without any, the run goes on without words (and says so); it never invents them.

use crate::options::ClipOptions;
use crate::speech_regions::{drop_hallucinations, speech_regions, SpeechRegion};
use opusclip_core::{Result, Silence, Transcript, TranscriptSource};
use opusclip_media::decode::AUDIO_RATE;
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

/// `opusclip transcribe`: the words of `input` from `--transcript`, an embedded stream (unless
/// `force_asr`), or whisper over the speech of a survey that decodes the audio only.
pub fn transcribe_source(
    input: &Path,
    options: &ClipOptions,
    force_asr: bool,
    progress: &dyn crate::Progress,
) -> Result<TranscribeOutcome> {
    let started = std::time::Instant::now();
    let facts = opusclip_media::probe(input)?;
    let plan = if force_asr {
        match &options.whisper_model {
            Some(model) => TranscriptPlan::Whisper(model.clone()),
            None => TranscriptPlan::None,
        }
    } else {
        plan_transcript(input, !facts.subtitles.is_empty(), options)?
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
            progress.stage("audio");
            let surveyed = crate::survey::run_survey_audio(input, &facts, progress)?;
            progress.stage_done("audio", started.elapsed().as_secs_f64());
            progress.stage("whisper");
            let samples = surveyed.samples.as_deref().unwrap_or(&[]);
            let words = transcribe(samples, &surveyed.survey.silences, &model, options, &mut |f| {
                progress.advance(f64::from(f))
            })?;
            progress.stage_done("whisper", started.elapsed().as_secs_f64());
            words
        }
    };
    Ok(TranscribeOutcome { transcript, seconds: started.elapsed().as_secs_f64() })
}

/// Zero samples put between speech regions when they are joined for whisper.
const REGION_GAP_SECONDS: f64 = 0.5;

/// Run whisper over the speech in the survey's samples: long silences are cut out before
/// recognition (never transcribed), and words in silences or in repeated-phrase loops are
/// dropped after it.
pub fn transcribe(
    samples: &[f32],
    silences: &[Silence],
    model: &Path,
    options: &ClipOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<Transcript> {
    let rate = f64::from(AUDIO_RATE);
    let duration = samples.len() as f64 / rate;
    let regions = speech_regions(silences, duration);
    let (joined, offsets) = join_regions(samples, &regions, rate);
    let mut whisper = opusclip_speech::WhisperOptions::new(model);
    whisper.language = options.language.clone();
    whisper.threads = options.threads;
    whisper.initial_prompt = options.asr_prompt.clone();
    whisper.translate = options.translate;
    let mut transcript = opusclip_speech::transcribe_whisper(&joined, &whisper, progress)?;
    for word in &mut transcript.words {
        let shift = source_offset(&offsets, word.start);
        word.start += shift;
        word.end += shift;
    }
    transcript.words = drop_hallucinations(std::mem::take(&mut transcript.words), silences);
    Ok(transcript)
}

/// The regions' samples end to end with short gaps, and for each region its start in the
/// joined audio and the shift back to source time.
fn join_regions(samples: &[f32], regions: &[SpeechRegion], rate: f64) -> (Vec<f32>, Vec<(f64, f64)>) {
    let gap = vec![0.0f32; (REGION_GAP_SECONDS * rate) as usize];
    let mut joined = Vec::new();
    let mut offsets = Vec::new();
    for region in regions {
        let first = ((region.start * rate) as usize).min(samples.len());
        let last = ((region.end * rate) as usize).clamp(first, samples.len());
        let joined_start = joined.len() as f64 / rate;
        offsets.push((joined_start, region.start - joined_start));
        joined.extend_from_slice(&samples[first..last]);
        joined.extend_from_slice(&gap);
    }
    (joined, offsets)
}

/// How far a time in the joined audio is from the source time it came from.
fn source_offset(offsets: &[(f64, f64)], joined_time: f64) -> f64 {
    offsets.iter().rev().find(|(start, _)| joined_time >= *start).or(offsets.first()).map_or(0.0, |(_, shift)| *shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joined_regions_map_back_to_source_time() {
        let samples: Vec<f32> = (0..100).map(|i| i as f32).collect();
        let regions = [SpeechRegion { start: 1.0, end: 3.0 }, SpeechRegion { start: 6.0, end: 7.0 }];
        let (joined, offsets) = join_regions(&samples, &regions, 10.0);
        // 20 samples, 5 of gap, 10 samples, 5 of gap.
        assert_eq!(joined.len(), 40);
        assert_eq!(joined[0], 10.0);
        assert_eq!(joined[25], 60.0);
        assert_eq!(source_offset(&offsets, 0.5), 1.0);
        assert_eq!(source_offset(&offsets, 2.6), 6.0 - 2.5);
    }
}

//! The transcript stage: the words come from the first source found — a subtitle file the
//! user gave, a subtitle stream inside the input, or whisper with a model the user gave.
//! Without any, the run goes on without words (and says so); it never invents them.

use crate::audio_source::{audio_decoder, probe_video_or_audio};
use crate::options::ClipOptions;
use crate::streaming_asr::{decode_slice, stream_speech};
use opusclip_core::{Result, Transcript, TranscriptSource};
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
        let transcript = opusclip_speech::transcript_from_cues(&cues, TranscriptSource::File);
        opusclip_speech::check_speaking_rate(&transcript.words)?;
        return Ok(TranscriptPlan::Ready(transcript));
    }
    if has_subtitle_stream {
        if let Some(cues) = opusclip_speech::extract_embedded_subtitles(input, None)? {
            if !cues.is_empty() {
                let transcript = opusclip_speech::transcript_from_cues(&cues, TranscriptSource::Embedded);
                opusclip_speech::check_speaking_rate(&transcript.words)?;
                return Ok(TranscriptPlan::Ready(transcript));
            }
        }
    }
    if let Some(model) = &options.whisper_model {
        return Ok(TranscriptPlan::Whisper(model.clone()));
    }
    Ok(TranscriptPlan::None)
}

/// Keeps only the words and sound events that lie within the media's `duration` (a subtitle file
/// may run past the end of its video), clamping the last ones to the end. Returns a warning
/// when anything was left out. A media file without a known duration keeps everything.
pub fn keep_within(transcript: &mut Transcript, duration: f64) -> Option<String> {
    if !(duration.is_finite() && duration > 0.0) {
        return None;
    }
    let before = transcript.words.len();
    transcript.words.retain(|word| word.start < duration);
    for word in &mut transcript.words {
        word.end = word.end.min(duration);
    }
    transcript.events.retain(|event| event.start < duration);
    for event in &mut transcript.events {
        event.end = event.end.min(duration);
    }
    let dropped = before - transcript.words.len();
    (dropped > 0).then(|| {
        format!(
            "the transcript runs past the end of the media ({}): its last {dropped} words are left out; \
             check that the transcript belongs to this video",
            opusclip_select::clock(duration)
        )
    })
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
                 (or MODEL_PATH); `opusclip models fetch base` installs one",
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
                events: Vec::new(),
            })
        }
    };
    Ok(TranscribeOutcome { transcript, seconds: started.elapsed().as_secs_f64() })
}

/// whisper.cpp alone on the whole audio of `input`: no gate, no chunks, no clean-up after —
/// the yardstick the project's speech pass is measured against (`opusclip eval asr --raw`). It
/// holds all samples in memory, so it is for evaluation recordings, not long sources.
pub fn transcribe_raw(input: &Path, model: &Path, options: &ClipOptions, runtime: AsrRuntime) -> Result<Transcript> {
    let facts = probe_video_or_audio(input)?;
    let mut samples = Vec::new();
    audio_decoder(input, facts.as_ref())(&mut |block| samples.extend_from_slice(block), &mut |_| {})?;
    let whisper = WhisperOptions { vad_model: None, ..whisper_options(model, options, runtime) };
    let run = opusclip_speech::transcribe_whisper_with_stats(&samples, &whisper, DecodeLimits::default(), &mut |_| {})?;
    Ok(run.transcript)
}

/// The whisper model used when none is named: `MODEL_PATH`, else Whisper base in the model
/// cache (`opusclip models fetch base-q8_0` as `make demo` runs it, or `fetch base` as `make
/// test` does; the 8-bit one first), else none.
pub fn default_whisper_model(settings: &opusclip_core::Settings) -> Option<std::path::PathBuf> {
    settings.model_path.clone().or_else(|| {
        let store = opusclip_speech::models::ModelStore::in_cache_dir(settings.cache_dir.as_deref()).ok()?;
        DEFAULT_WHISPER_MODELS.iter().find_map(|name| store.installed_path(name).ok())
    })
}

/// The installed models transcription uses without `--whisper-model`, in order of preference:
/// base with 8-bit weights (faster, the same word error rate), then base.
pub const DEFAULT_WHISPER_MODELS: [&str; 2] = [opusclip_speech::models::BASE_Q8_0_NAME, "base"];

/// The VAD model used when there is one: Silero in the model cache (`opusclip models fetch
/// silero-vad`, which `make demo` and `make test` run).
pub fn default_vad_model(settings: &opusclip_core::Settings) -> Option<std::path::PathBuf> {
    let store = opusclip_speech::models::ModelStore::in_cache_dir(settings.cache_dir.as_deref()).ok()?;
    store.installed_path(opusclip_speech::models::SILERO_VAD_NAME).ok()
}

/// The words `--censor` masks: the default profanity list plus the user's comma-separated words
/// (`--censor "darn, heck*"`); `None` when not asked (`Some("")` is a bare `--censor`).
pub fn censor_list(extra_words: Option<&str>) -> Option<opusclip_captions::CensorList> {
    let extra = extra_words?.split([',', '\n', ';']).map(str::trim);
    Some(opusclip_captions::CensorList::new(opusclip_captions::DEFAULT_CENSOR_LIST.iter().copied().chain(extra)))
}

/// Mask the listed words of `transcript` (see [`opusclip_captions::censor`]); returns how many.
pub fn censor_transcript(transcript: &mut Transcript, list: &opusclip_captions::CensorList) -> usize {
    opusclip_captions::censor_words(&mut transcript.words, list)
}

/// A user's vocabulary (`"Sal Khan, 3Blue1Brown"`) as whisper's initial prompt: the terms as
/// written, joined by commas, so the decoder has seen their spelling; `None` when empty.
pub fn vocabulary_prompt(vocabulary: Option<&str>) -> Option<String> {
    let terms: Vec<&str> = vocabulary?.split([',', '\n', ';']).map(str::trim).filter(|term| !term.is_empty()).collect();
    (!terms.is_empty()).then(|| format!("{}.", terms.join(", ")))
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
    whisper.vad_model = options.vad_model.clone();
    whisper
}

/// Run whisper over the speech in samples already decoded (by the survey of `opusclip clip`):
/// the same gate and chunks as the streaming pass, so long silences are never transcribed, and
/// words in silences or in repeated-phrase loops are dropped after it.
pub fn transcribe(
    samples: &[f32],
    model: &Path,
    options: &ClipOptions,
    progress: &mut dyn FnMut(f32),
) -> Result<Transcript> {
    let mut session = WhisperSession::load(&whisper_options(model, options, AsrRuntime::default()))?;
    let forward = ForwardProgress(std::cell::RefCell::new(progress));
    let streamed = stream_speech(decode_slice(samples), Some(&mut session), DecodeLimits::default(), &forward)?;
    Ok(streamed.transcript.unwrap_or(Transcript {
        language: session.language().map(str::to_string),
        source: TranscriptSource::Whisper,
        words: Vec::new(),
        events: Vec::new(),
    }))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, start: f64, end: f64) -> opusclip_core::Word {
        opusclip_core::Word { text: text.into(), start, end, confidence: 1.0, speaker: None }
    }

    #[test]
    fn words_past_the_media_end_are_left_out_with_a_warning() {
        let mut transcript = Transcript {
            language: None,
            source: TranscriptSource::File,
            words: vec![word("one", 1.0, 2.0), word("two", 4.5, 5.5), word("three", 6.0, 7.0)],
            events: vec![opusclip_core::SoundEvent { kind: opusclip_core::SoundKind::Music, start: 3.0, end: 9.0 }],
        };
        let warning = keep_within(&mut transcript, 5.0).expect("a word was dropped");
        assert!(warning.contains("1 words"), "{warning}");
        assert_eq!(transcript.words.iter().map(|w| w.end).collect::<Vec<_>>(), [2.0, 5.0]);
        assert_eq!(transcript.events[0].end, 5.0);
        assert_eq!(keep_within(&mut transcript, 5.0), None);
        assert_eq!(keep_within(&mut transcript, f64::NAN), None);
    }

    #[test]
    fn censor_adds_the_users_words_to_the_default_list() {
        assert_eq!(censor_list(None), None);
        let bare = censor_list(Some("")).expect("asked");
        assert!(bare.matches("shit") && !bare.matches("darn"));
        let mine = censor_list(Some("darn, frick*")).expect("asked");
        assert!(mine.matches("Darn!") && mine.matches("fricking") && mine.matches("shit"));
    }

    #[test]
    fn vocabulary_becomes_one_comma_separated_prompt() {
        assert_eq!(
            vocabulary_prompt(Some(" Sal Khan,3Blue1Brown ;\nKhan Academy ")).as_deref(),
            Some("Sal Khan, 3Blue1Brown, Khan Academy.")
        );
        assert_eq!(vocabulary_prompt(Some(" , ;")), None);
        assert_eq!(vocabulary_prompt(None), None);
    }

    #[test]
    fn the_cached_base_model_is_the_default_and_model_path_wins() {
        let cache = tempfile::tempdir().expect("temp dir");
        let settings = opusclip_core::Settings { cache_dir: Some(cache.path().to_path_buf()), ..Default::default() };
        assert_eq!(default_whisper_model(&settings), None, "nothing cached, nothing configured");
        std::fs::create_dir_all(cache.path().join("models")).expect("models dir");
        std::fs::write(cache.path().join("models/ggml-base.bin"), b"model").expect("write");
        assert_eq!(default_whisper_model(&settings), Some(cache.path().join("models/ggml-base.bin")));
        let configured = opusclip_core::Settings { model_path: Some("/m/ggml-small.bin".into()), ..settings };
        assert_eq!(default_whisper_model(&configured), Some(std::path::PathBuf::from("/m/ggml-small.bin")));
    }
}

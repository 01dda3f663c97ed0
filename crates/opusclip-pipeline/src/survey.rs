//! The survey stage: one cheap pass over the whole source that yields audio levels, silences
//! and the key-frame visual signal. With a whisper model the same pass also feeds speech
//! recognition as it decodes ([`run_survey_with_speech`]), so no sample is kept.

use crate::options::ClipOptions;
use crate::progress::{NoProgress, Progress};
use crate::streaming_asr::stream_speech;
use crate::transcript::{whisper_options, AsrRuntime};
use opusclip_analyze::audio::{silences, LevelMeter, SilenceParams};
use opusclip_analyze::keyframes::KeyframeChanges;
use opusclip_analyze::GrayView;
use opusclip_core::{ProbeFacts, Result, Survey, Transcript, TranscriptSource};
use opusclip_media::decode::{SurveySink, AUDIO_RATE};
use opusclip_media::{survey_decode, GrayFrame, SurveyOptions};
use opusclip_speech::{DecodeLimits, WhisperSession};
use std::path::Path;

/// What the survey found, plus the samples when they were asked for.
#[derive(Debug)]
pub struct SurveyResult {
    pub survey: Survey,
    /// 16 kHz mono samples of the whole source, when `keep_audio` was set.
    pub samples: Option<Vec<f32>>,
}

struct Collector<'a> {
    meter: LevelMeter,
    keyframes: KeyframeChanges,
    samples: Option<Vec<f32>>,
    progress: &'a dyn Progress,
}

impl SurveySink for Collector<'_> {
    fn audio(&mut self, samples: &[f32]) {
        self.meter.push(samples);
        if let Some(kept) = self.samples.as_mut() {
            kept.extend_from_slice(samples);
        }
    }
    fn keyframe(&mut self, frame: &GrayFrame) {
        self.keyframes.push(frame.t, GrayView { width: frame.width, height: frame.height, data: &frame.data });
    }
    fn progress(&mut self, fraction: f64) {
        self.progress.advance(fraction);
    }
}

/// Decode only the audio of `path` (for speech recognition): levels, silences and samples.
pub fn run_survey_audio(path: &Path, facts: &ProbeFacts, progress: &dyn Progress) -> Result<SurveyResult> {
    run(path, facts, SurveyOptions { keyframes: false, ..SurveyOptions::default() }, true, progress)
}

/// Run the survey over `path`.
pub fn run_survey(path: &Path, facts: &ProbeFacts, keep_audio: bool, progress: &dyn Progress) -> Result<SurveyResult> {
    run(path, facts, SurveyOptions::default(), keep_audio, progress)
}

/// The survey and speech recognition in one decode: the audio goes to the level meter and,
/// gated into ~28 s chunks of speech, to whisper on a worker thread while the decode goes on.
/// Memory stays flat however long the source; words in silences or in repeated-phrase loops
/// are dropped by the speech pass, as in [`crate::transcript::transcribe`].
pub fn run_survey_with_speech(
    path: &Path,
    facts: &ProbeFacts,
    model: &Path,
    options: &ClipOptions,
    progress: &dyn Progress,
) -> Result<(SurveyResult, Transcript)> {
    let mut session = WhisperSession::load(&whisper_options(model, options, AsrRuntime::default()))?;
    let mut collector = Collector {
        meter: LevelMeter::new(AUDIO_RATE),
        keyframes: KeyframeChanges::default(),
        samples: None,
        progress,
    };
    let collector_ref = &mut collector;
    let decode = Box::new(move |emit: &mut dyn FnMut(&[f32]), _fraction: &mut dyn FnMut(f64)| {
        let mut forward = ForwardAudio { collector: collector_ref, emit };
        survey_decode(path, facts, SurveyOptions::default(), &mut forward).map(|_| ())
    });
    // The speech pass meters the levels, finds the silences and drops words in them; the
    // survey takes its levels and silences from it rather than metering the audio twice.
    let streamed = stream_speech(decode, Some(&mut session), DecodeLimits::default(), &NoProgress)?; // the survey reports progress
    let transcript = streamed.transcript.unwrap_or(Transcript {
        language: session.language().map(str::to_string),
        source: TranscriptSource::Whisper,
        words: Vec::new(),
        events: Vec::new(),
    });
    let survey =
        Survey { levels: streamed.levels, silences: streamed.silences, keyframe_changes: collector.keyframes.finish() };
    Ok((SurveyResult { survey, samples: None }, transcript))
}

/// Passes the survey's audio on to speech recognition (which meters it), its key frames and
/// progress to the collector.
struct ForwardAudio<'c, 'p, 'e> {
    collector: &'c mut Collector<'p>,
    emit: &'e mut dyn FnMut(&[f32]),
}

impl SurveySink for ForwardAudio<'_, '_, '_> {
    fn audio(&mut self, samples: &[f32]) {
        (self.emit)(samples);
    }
    fn keyframe(&mut self, frame: &GrayFrame) {
        self.collector.keyframe(frame);
    }
    fn progress(&mut self, fraction: f64) {
        self.collector.progress(fraction);
    }
}

fn run(
    path: &Path,
    facts: &ProbeFacts,
    options: SurveyOptions,
    keep_audio: bool,
    progress: &dyn Progress,
) -> Result<SurveyResult> {
    let mut collector = Collector {
        meter: LevelMeter::new(AUDIO_RATE),
        keyframes: KeyframeChanges::default(),
        samples: keep_audio.then(Vec::new),
        progress,
    };
    survey_decode(path, facts, options, &mut collector)?;
    let levels = collector.meter.finish();
    let found_silences = silences(&levels, SilenceParams::default());
    Ok(SurveyResult {
        survey: Survey { levels, silences: found_silences, keyframe_changes: collector.keyframes.finish() },
        samples: collector.samples,
    })
}

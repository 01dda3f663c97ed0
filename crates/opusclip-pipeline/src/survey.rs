//! The survey stage: one cheap pass over the whole source that yields audio levels, silences
//! and the key-frame visual signal — and, only when speech recognition will need them, the
//! 16 kHz samples themselves.

use crate::progress::Progress;
use opusclip_analyze::audio::{silences, LevelMeter, SilenceParams};
use opusclip_analyze::keyframes::KeyframeChanges;
use opusclip_analyze::GrayView;
use opusclip_core::{ProbeFacts, Result, Survey};
use opusclip_media::decode::{SurveySink, AUDIO_RATE};
use opusclip_media::{survey_decode, GrayFrame, SurveyOptions};
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

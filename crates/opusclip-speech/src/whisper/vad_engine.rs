//! whisper.cpp's Silero voice-activity detector behind [`super::VoiceActivity`].

use opusclip_core::{Error, Result};
use std::path::Path;
use whisper_rs::{WhisperVadContext, WhisperVadContextParams, WhisperVadParams};

/// A loaded VAD model.
pub(super) struct Detector {
    context: WhisperVadContext,
}

impl Detector {
    pub(super) fn load(path: &Path, threads: usize) -> Result<Detector> {
        let text = path.to_str().ok_or_else(|| Error::model(format!("{} is not a UTF-8 path", path.display())))?;
        let mut params = WhisperVadContextParams::new();
        params.set_n_threads(i32::try_from(threads.max(1)).unwrap_or(1));
        params.set_use_gpu(false);
        let context = WhisperVadContext::new(text, params).map_err(|error| {
            Error::model(format!(
                "whisper.cpp could not load the VAD model {} ({error}); fetch it again with \
                 `opusclip models fetch silero-vad --force`",
                path.display()
            ))
        })?;
        Ok(Detector { context })
    }

    /// Speech spans of 16 kHz mono `samples`, seconds from their start.
    pub(super) fn speech_spans(&mut self, samples: &[f32]) -> Result<Vec<(f64, f64)>> {
        let mut params = WhisperVadParams::new();
        params.set_threshold(super::VAD_THRESHOLD);
        params.set_min_speech_duration(super::VAD_MIN_SPEECH_MS);
        params.set_speech_pad(super::VAD_PAD_MS);
        let segments = self
            .context
            .segments_from_samples(params, samples)
            .map_err(|error| Error::video(format!("voice-activity detection failed ({error})")))?;
        let count = segments.num_segments();
        let spans = (0..count)
            .filter_map(|index| {
                Some((segments.get_segment_start_timestamp(index)?, segments.get_segment_end_timestamp(index)?))
            })
            .map(|(start, end)| (f64::from(start) / 100.0, f64::from(end) / 100.0))
            .collect();
        Ok(spans)
    }
}

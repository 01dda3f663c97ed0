//! What one whisper run did and how long it took: encoder windows, decoder steps and their
//! times, taken from whisper.cpp's encoder-begin and logits-filter callbacks. They tell "the
//! model ran" from "nothing happened", and give the speed benchmark its per-window and
//! per-token figures.

use std::time::{Duration, Instant};

/// Counts and times of one whisper run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WhisperRunStats {
    /// 30-second windows the encoder ran on.
    pub windows: u32,
    /// Encoder time summed over the windows: from the start of each window's encoder to the
    /// first logits of its decoder (so it includes one batched pass over the few prompt tokens).
    pub encoder_time: Duration,
    /// Tokens sampled by the decoder, over all windows (with temperature fallback, every
    /// decoder of every attempt counts).
    pub decoder_steps: u64,
    /// Time between consecutive decoder steps of a window, summed.
    pub decoder_time: Duration,
    /// How many step-to-step intervals `decoder_time` covers.
    pub decoder_intervals: u64,
    /// Segments whisper returned (with word splitting, about one per word).
    pub segments: usize,
    /// Text tokens in those segments (special and timestamp tokens left out).
    pub text_tokens: usize,
    /// Wall time of the whole run: mel spectrogram, encoder, decoder, timestamps.
    pub total_time: Duration,
}

impl WhisperRunStats {
    /// Mean decoder time per token, when at least two steps of one window were seen. Exact for
    /// greedy decoding without temperature fallback (one decoder per step).
    pub fn decoder_time_per_step(&self) -> Option<Duration> {
        let intervals = u32::try_from(self.decoder_intervals).ok().filter(|&count| count > 0)?;
        Some(self.decoder_time / intervals)
    }

    /// Mean encoder time per window, when a window ran.
    pub fn encoder_time_per_window(&self) -> Option<Duration> {
        (self.windows > 0).then(|| self.encoder_time / self.windows)
    }
}

/// The callbacks' running record; folded into [`WhisperRunStats`] after the run.
#[derive(Debug, Default)]
pub(super) struct Timeline {
    stats: WhisperRunStats,
    /// When the current window's encoder started, until its first logits arrive.
    window_start: Option<Instant>,
    /// The previous decoder step of the current window.
    last_step: Option<Instant>,
}

impl Timeline {
    /// whisper.cpp is about to encode a window.
    pub(super) fn encoder_begins(&mut self, now: Instant) {
        self.stats.windows = self.stats.windows.saturating_add(1);
        self.window_start = Some(now);
        self.last_step = None;
    }

    /// whisper.cpp has logits for one decoder step.
    pub(super) fn decoder_step(&mut self, now: Instant) {
        self.stats.decoder_steps = self.stats.decoder_steps.saturating_add(1);
        if let Some(start) = self.window_start.take() {
            self.stats.encoder_time = self.stats.encoder_time.saturating_add(now.saturating_duration_since(start));
        } else if let Some(previous) = self.last_step {
            self.stats.decoder_time = self.stats.decoder_time.saturating_add(now.saturating_duration_since(previous));
            self.stats.decoder_intervals = self.stats.decoder_intervals.saturating_add(1);
        }
        self.last_step = Some(now);
    }

    /// The counts and times so far.
    pub(super) fn stats(&self) -> WhisperRunStats {
        self.stats
    }
}

/// whisper.cpp's callbacks, pointed at a [`Timeline`] behind a mutex.
#[cfg(feature = "whisper")]
pub(super) mod callbacks {
    use super::Timeline;
    use std::ffi::{c_int, c_void};
    use std::sync::Mutex;
    use std::time::Instant;
    use whisper_rs::{FullParams, WhisperSysContext, WhisperSysState, WhisperTokenData};

    /// Points the encoder-begin and logits-filter callbacks of `params` at `timeline`.
    ///
    /// `timeline` must outlive every `full()` run made with `params`; the callbacks only lock
    /// it and record the time (they never touch whisper's context, state or logits).
    pub(in crate::whisper) fn install(params: &mut FullParams<'_, '_>, timeline: &Mutex<Timeline>) {
        let user_data = std::ptr::from_ref(timeline).cast_mut().cast::<c_void>();
        // SAFETY: the callbacks match whisper.cpp's signatures, read `user_data` only as the
        // `&Mutex<Timeline>` given here, which the caller keeps alive for the run.
        unsafe {
            params.set_start_encoder_callback(Some(on_encoder_begin));
            params.set_start_encoder_callback_user_data(user_data);
            params.set_filter_logits_callback(Some(on_logits));
            params.set_filter_logits_callback_user_data(user_data);
        }
    }

    /// Records the start of a window; returning `true` lets whisper.cpp go on.
    unsafe extern "C" fn on_encoder_begin(
        _context: *mut WhisperSysContext,
        _state: *mut WhisperSysState,
        user_data: *mut c_void,
    ) -> bool {
        let now = Instant::now();
        // SAFETY: `user_data` is the live `&Mutex<Timeline>` set by `install`.
        if let Some(timeline) = unsafe { user_data.cast::<Mutex<Timeline>>().as_ref() } {
            if let Ok(mut timeline) = timeline.lock() {
                timeline.encoder_begins(now);
            }
        }
        true
    }

    /// Records a decoder step; the logits are left as they are.
    unsafe extern "C" fn on_logits(
        _context: *mut WhisperSysContext,
        _state: *mut WhisperSysState,
        _tokens: *const WhisperTokenData,
        _token_count: c_int,
        _logits: *mut f32,
        user_data: *mut c_void,
    ) {
        let now = Instant::now();
        // SAFETY: `user_data` is the live `&Mutex<Timeline>` set by `install`.
        if let Some(timeline) = unsafe { user_data.cast::<Mutex<Timeline>>().as_ref() } {
            if let Ok(mut timeline) = timeline.lock() {
                timeline.decoder_step(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoder_and_decoder_times_are_split_per_window() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut timeline = Timeline::default();
        assert_eq!(timeline.stats(), WhisperRunStats::default());
        timeline.encoder_begins(at(0));
        timeline.decoder_step(at(300));
        timeline.decoder_step(at(310));
        timeline.decoder_step(at(330));
        timeline.encoder_begins(at(1000));
        timeline.decoder_step(at(1200));
        timeline.decoder_step(at(1210));
        let stats = timeline.stats();
        assert_eq!(stats.windows, 2);
        assert_eq!(stats.decoder_steps, 5);
        assert_eq!(stats.encoder_time, Duration::from_millis(500));
        assert_eq!(stats.encoder_time_per_window(), Some(Duration::from_millis(250)));
        assert_eq!(stats.decoder_intervals, 3);
        assert_eq!(stats.decoder_time, Duration::from_millis(40));
        assert_eq!(stats.decoder_time_per_step(), Some(Duration::from_nanos(13_333_333)));
    }

    #[test]
    fn no_steps_means_no_per_step_time() {
        let mut timeline = Timeline::default();
        timeline.encoder_begins(Instant::now());
        timeline.decoder_step(Instant::now());
        assert_eq!(timeline.stats().decoder_time_per_step(), None);
        assert_eq!(WhisperRunStats::default().encoder_time_per_window(), None);
    }
}

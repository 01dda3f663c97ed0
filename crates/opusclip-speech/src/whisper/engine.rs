//! The whisper.cpp calls: load the model (GPU and DTW choices included), run `full()` with
//! word-level segments on a worker thread while progress is forwarded on the caller's thread
//! (and windows, decoder steps and their times are recorded), and read the segments back.

use super::acceleration::{alignment_heads_for, AlignmentHeads};
use super::model_file::{model_error, WhisperModelHeader};
use super::run_stats::{callbacks, Timeline, WhisperRunStats};
use super::segments::{apply_dtw_times, words_from_segments, RecognizedSegment};
use super::{DecodeLimits, WhisperOptions, WhisperRun, WHISPER_SAMPLE_RATE};
use opusclip_core::{Error, Result, Transcript, TranscriptSource};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters,
    WhisperState,
};

/// How often the caller's progress callback is fed while whisper runs.
const PROGRESS_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A loaded model with one reusable whisper state: pieces of audio are transcribed one after
/// another without loading the model again.
pub(super) struct Session {
    context: WhisperContext,
    state: WhisperState,
    options: WhisperOptions,
    /// The language given, or the one detected in the first piece (kept for the rest).
    language: Option<String>,
    dtw_timestamps: bool,
}

impl Session {
    /// Loads the model (whose header has been checked) with the options' hardware choice and,
    /// when asked and the model has a preset, DTW alignment heads.
    pub(super) fn load(options: &WhisperOptions, header: &WhisperModelHeader) -> Result<Session> {
        // whisper.cpp logs to stderr by default; route it into `tracing` instead.
        whisper_rs::install_logging_hooks();
        let requested_language = requested_language(options)?;
        let dtw_heads = dtw_heads(options, header);
        let context = load_context(options, dtw_heads)?;
        let language = fit_language_to_model(requested_language, &context, options)?;
        let state = context
            .create_state()
            .map_err(|error| Error::video(format!("whisper could not create its state: {error}")))?;
        let dtw_timestamps = dtw_heads.is_some() && !options.acceleration.flash_attention;
        Ok(Session { context, state, options: options.clone(), language, dtw_timestamps })
    }

    /// The language transcribed: the one given, or the one detected so far.
    pub(super) fn language(&self) -> Option<&str> {
        self.language.as_deref()
    }

    /// Runs whisper on `samples`; times in the transcript are relative to their start.
    pub(super) fn transcribe(
        &mut self,
        samples: &[f32],
        limits: DecodeLimits,
        progress: &mut dyn FnMut(f32),
    ) -> Result<WhisperRun> {
        if samples.is_empty() {
            progress(1.0);
            let transcript = Transcript {
                language: self.language.clone(),
                source: TranscriptSource::Whisper,
                words: Vec::new(),
                events: Vec::new(),
            };
            return Ok(WhisperRun { transcript, stats: WhisperRunStats::default() });
        }
        let call = WhisperCall { samples, options: &self.options, limits, language: self.language.as_deref() };
        let mut stats = run_with_progress(&mut self.state, &call, progress)?;
        let mut segments = read_segments(&self.context, &self.state)?;
        if self.dtw_timestamps {
            apply_dtw_times(&mut segments);
        }
        stats.segments = segments.len();
        stats.text_tokens = segments.iter().map(|segment| segment.token_probabilities.len()).sum();
        let language = if self.options.translate {
            Some("en".to_string())
        } else {
            self.language.clone().or_else(|| detected_language(&self.state))
        };
        if self.language.is_none() && !self.options.translate {
            self.language.clone_from(&language);
        }
        let audio_seconds = samples.len() as f64 / f64::from(WHISPER_SAMPLE_RATE);
        let (words, events) = words_from_segments(&segments, audio_seconds);
        Ok(WhisperRun { transcript: Transcript { language, source: TranscriptSource::Whisper, words, events }, stats })
    }
}

/// Everything one `full()` call needs.
struct WhisperCall<'a> {
    samples: &'a [f32],
    options: &'a WhisperOptions,
    limits: DecodeLimits,
    language: Option<&'a str>,
}

/// The language asked for, checked against whisper's list; `None` for auto-detection.
fn requested_language(options: &WhisperOptions) -> Result<Option<String>> {
    let Some(language) = options.language.as_deref().map(str::trim) else {
        return Ok(None);
    };
    if language.is_empty() || language.eq_ignore_ascii_case("auto") {
        return Ok(None);
    }
    let code = language.to_ascii_lowercase();
    let known = !code.contains('\0') && whisper_rs::get_lang_id(&code).is_some();
    if !known {
        return Err(Error::invalid_input(format!(
            "whisper does not know the language `{language}`; use an ISO 639-1 code such as en, \
             de, fr or es, or leave the language unset to detect it"
        )));
    }
    Ok(Some(code))
}

/// English-only (`.en`) models always transcribe English: auto-detection is skipped (it would
/// run an extra pass for nothing) and another language is refused rather than garbled.
fn fit_language_to_model(
    requested: Option<String>,
    context: &WhisperContext,
    options: &WhisperOptions,
) -> Result<Option<String>> {
    if context.is_multilingual() {
        return Ok(requested);
    }
    match requested.as_deref() {
        None | Some("en") => Ok(Some("en".to_string())),
        Some(other) => Err(Error::invalid_input(format!(
            "the whisper model {} is English-only, so it cannot transcribe `{other}`; use a \
             multilingual model (e.g. ggml-base.bin instead of ggml-base.en.bin) or leave the \
             language unset",
            options.model_path.display()
        ))),
    }
}

fn load_context(options: &WhisperOptions, dtw_heads: Option<AlignmentHeads>) -> Result<WhisperContext> {
    let mut parameters = WhisperContextParameters::default();
    parameters.use_gpu(options.acceleration.use_gpu).flash_attn(options.acceleration.flash_attention);
    if let Some(heads) = dtw_heads {
        let mode = DtwMode::ModelPreset { model_preset: dtw_preset(heads) };
        parameters.dtw_parameters(DtwParameters { mode, ..DtwParameters::default() });
    }
    WhisperContext::new_with_params(&options.model_path, parameters).map_err(|error| {
        model_error(&options.model_path, &format!("whisper.cpp could not load it ({error}); the file may be damaged"))
    })
}

/// The DTW alignment heads to load, when DTW timestamps are asked for and the model has a
/// preset (flash attention rules DTW out, so none are loaded with it).
fn dtw_heads(options: &WhisperOptions, header: &WhisperModelHeader) -> Option<AlignmentHeads> {
    if !options.dtw_timestamps || options.acceleration.flash_attention {
        return None;
    }
    let heads = alignment_heads_for(header, &options.model_path);
    if heads.is_none() {
        tracing::warn!(model = %options.model_path.display(), "no DTW alignment-head preset fits this model; using whisper's token timestamps");
    }
    heads
}

fn dtw_preset(heads: AlignmentHeads) -> DtwModelPreset {
    match heads {
        AlignmentHeads::TinyEn => DtwModelPreset::TinyEn,
        AlignmentHeads::Tiny => DtwModelPreset::Tiny,
        AlignmentHeads::BaseEn => DtwModelPreset::BaseEn,
        AlignmentHeads::Base => DtwModelPreset::Base,
        AlignmentHeads::SmallEn => DtwModelPreset::SmallEn,
        AlignmentHeads::Small => DtwModelPreset::Small,
        AlignmentHeads::MediumEn => DtwModelPreset::MediumEn,
        AlignmentHeads::Medium => DtwModelPreset::Medium,
        AlignmentHeads::LargeV2 => DtwModelPreset::LargeV2,
        AlignmentHeads::LargeV3 => DtwModelPreset::LargeV3,
        AlignmentHeads::LargeV3Turbo => DtwModelPreset::LargeV3Turbo,
    }
}

/// Runs `full()` on `state` on a scoped worker thread and forwards its percentage to
/// `progress` here.
fn run_with_progress(
    state: &mut WhisperState,
    call: &WhisperCall<'_>,
    progress: &mut dyn FnMut(f32),
) -> Result<WhisperRunStats> {
    let percent_done = Arc::new(AtomicI32::new(0));
    let reporter = Arc::clone(&percent_done);
    // Outlives the worker, so the callbacks' pointer to it stays valid for the whole run.
    let timeline = Mutex::new(Timeline::default());
    let outcome = std::thread::scope(|scope| {
        let timeline = &timeline;
        let (options, language, limits, samples) = (call.options, call.language, call.limits, call.samples);
        let worker = scope.spawn(move || {
            let mut params = full_params(options, language, limits);
            // whisper-rs keeps this closure for good (a few bytes per run); it only stores.
            params.set_progress_callback_safe(move |percent: i32| {
                reporter.store(percent, Ordering::Relaxed);
            });
            callbacks::install(&mut params, timeline);
            let started = Instant::now();
            let result = state.full(params, samples);
            result.map(|()| started.elapsed())
        });
        let mut last_reported = -1;
        while !worker.is_finished() {
            report_progress(&percent_done, &mut last_reported, progress);
            std::thread::sleep(PROGRESS_POLL_INTERVAL);
        }
        worker.join()
    });
    let total_time = outcome
        .map_err(|_| Error::Internal("the whisper worker thread panicked".to_string()))?
        .map_err(|error| Error::video(format!("whisper failed to transcribe the audio: {error}")))?;
    progress(1.0);
    let recorded = timeline.lock().map_err(|_| Error::Internal("the whisper timeline was poisoned".to_string()))?;
    Ok(WhisperRunStats { total_time, ..recorded.stats() })
}

fn report_progress(percent_done: &AtomicI32, last_reported: &mut i32, progress: &mut dyn FnMut(f32)) {
    let percent = percent_done.load(Ordering::Relaxed).clamp(0, 100);
    if percent != *last_reported {
        *last_reported = percent;
        progress(percent as f32 / 100.0);
    }
}

/// Parameters for single-word segments with token timestamps and nothing printed.
fn full_params<'a>(
    options: &WhisperOptions,
    language: Option<&'a str>,
    limits: DecodeLimits,
) -> FullParams<'a, 'static> {
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 5 });
    params.set_max_tokens(i32::try_from(limits.max_tokens_per_window).unwrap_or(i32::MAX));
    if !limits.temperature_fallback {
        params.set_temperature_inc(0.0);
    }
    params.set_no_timestamps(limits.text_only);
    params.set_n_threads(i32::try_from(options.effective_threads()).unwrap_or(i32::MAX));
    params.set_language(Some(language.unwrap_or("auto")));
    params.set_translate(options.translate);
    params.set_token_timestamps(true);
    params.set_split_on_word(true);
    params.set_max_len(1);
    params.set_suppress_nst(true);
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_special(false);
    params.set_print_timestamps(false);
    if let Some(prompt) = options.initial_prompt.as_deref() {
        let prompt = prompt.replace('\0', " ");
        if !prompt.trim().is_empty() {
            params.set_initial_prompt(&prompt);
        }
    }
    params
}

fn read_segments(context: &WhisperContext, state: &WhisperState) -> Result<Vec<RecognizedSegment>> {
    let end_of_text = context.token_eot();
    let mut segments = Vec::new();
    for segment in state.as_iter() {
        let text_bytes =
            segment.to_bytes().map_err(|error| Error::video(format!("whisper returned no segment text: {error}")))?;
        let text_tokens: Vec<_> = (0..segment.n_tokens())
            .filter_map(|token_index| segment.get_token(token_index))
            .filter(|token| token.token_id() < end_of_text)
            .collect();
        let token_probabilities = text_tokens.iter().map(|token| token.token_probability()).collect();
        let dtw_start_centiseconds =
            text_tokens.first().map(|token| token.token_data().t_dtw).filter(|&centiseconds| centiseconds >= 0);
        segments.push(RecognizedSegment {
            text: String::from_utf8_lossy(text_bytes).into_owned(),
            start_centiseconds: segment.start_timestamp(),
            end_centiseconds: segment.end_timestamp(),
            token_probabilities,
            dtw_start_centiseconds,
        });
    }
    Ok(segments)
}

fn detected_language(state: &WhisperState) -> Option<String> {
    let id = state.full_lang_id_from_state();
    if id < 0 {
        return None;
    }
    whisper_rs::get_lang_str(id).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::whisper::model_file::tests::tiny_en_header;
    use crate::whisper::transcribe_whisper;

    #[test]
    fn a_file_that_passes_the_header_check_but_is_not_a_model_fails_cleanly() {
        let directory = tempfile::tempdir().expect("temp dir");
        let path = directory.path().join("zeros.bin");
        let mut bytes = tiny_en_header();
        bytes.resize(51864 * 384 / 2, 0);
        std::fs::write(&path, bytes).expect("write");
        let options = WhisperOptions::new(&path);
        let error = transcribe_whisper(&[0.0; 1600], &options, &mut |_| {}).expect_err("whisper.cpp must reject it");
        assert!(matches!(error, Error::ModelLoading { .. }), "{error:?}");
        assert!(error.to_string().contains("could not load"), "{error}");
    }

    #[test]
    fn unknown_language_is_rejected_before_loading() {
        let options = WhisperOptions { language: Some("klingon".into()), ..WhisperOptions::new("unused.bin") };
        let error = requested_language(&options).expect_err("unknown language");
        assert!(error.to_string().contains("klingon"), "{error}");
        let auto = WhisperOptions { language: Some("AUTO".into()), ..WhisperOptions::new("unused.bin") };
        assert_eq!(requested_language(&auto).expect("auto is fine"), None);
        let german = WhisperOptions { language: Some("DE".into()), ..WhisperOptions::new("unused.bin") };
        assert_eq!(requested_language(&german).expect("known"), Some("de".into()));
    }
}

//! What the user asks of one `opusclip clip` run.

use opusclip_core::{Aspect, CaptionStyle, Error, LayoutKind, Result, ScoreWeights};
use opusclip_select::{LengthRange, Prompt, SelectOptions, TimeRange, MAX_CLIPS};
use std::path::PathBuf;

/// The shortest and longest pause `--cut-pauses` may name, seconds: below the shortest, cuts
/// would chop speech apart; above the longest, nothing is a pause.
pub const MIN_CUT_PAUSE: f64 = 0.3;
pub const MAX_CUT_PAUSE: f64 = 5.0;

/// Options of `opusclip clip`, validated before any work starts.
#[derive(Debug, Clone)]
pub struct ClipOptions {
    /// How many clips to make.
    pub clips: usize,
    /// Shortest and longest clip, seconds (`--min`/`--max`: one length range), used when
    /// `lengths` is empty.
    pub min_seconds: f64,
    pub max_seconds: f64,
    /// Several allowed length ranges (`--length 15-30,30-60`); replace `min`/`max` when given.
    pub lengths: Vec<LengthRange>,
    /// Only choose clips inside this part of the source (`--range 00:10:00-00:45:00`).
    pub timeframe: Option<TimeRange>,
    /// Keywords that steer the choice toward clips about them (`--prompt`).
    pub prompt: Option<String>,
    /// Weights of the clip score's parts (from the Settings / a profile; defaults otherwise).
    pub score_weights: ScoreWeights,
    /// Output aspect ratios; the first names `clip-NN.mp4`.
    pub aspects: Vec<Aspect>,
    /// The layout of every output (`--layout`), or `None` to choose per clip and aspect.
    pub layout: Option<LayoutKind>,
    /// A subtitle file (SRT or WebVTT) with the words.
    pub transcript: Option<PathBuf>,
    /// A whisper ggml model for speech recognition when no subtitles exist.
    pub whisper_model: Option<PathBuf>,
    /// Spoken language for whisper (`None`: detect).
    pub language: Option<String>,
    pub caption_style: CaptionStyle,
    /// Integrated loudness of the clips' audio, LUFS (`--loudness`); `None` keeps the level.
    pub loudness: Option<f64>,
    /// A logo laid over every output (`--template` with a `[watermark]`).
    pub watermark: Option<opusclip_core::Watermark>,
    /// Extra directory searched for caption fonts.
    pub font_dir: Option<PathBuf>,
    /// Threads for speech recognition.
    pub threads: usize,
    /// Words and names that prime speech recognition (whisper's initial prompt).
    pub asr_prompt: Option<String>,
    /// Translate speech into English instead of transcribing it (multilingual models).
    pub translate: bool,
    /// whisper.cpp's Silero VAD model: words outside the speech it hears are dropped (music,
    /// noise). `None`: no VAD, the energy gate and the level checks alone.
    pub vad_model: Option<PathBuf>,
    /// Words masked in captions, titles, hashtags and transcripts (`S***`), when set.
    pub censor: Option<opusclip_captions::CensorList>,
    /// The sentence-embedding model's directory (all-MiniLM-L6-v2): topics by TextTiling over
    /// embeddings and `--prompt` by meaning. `None` (or a model that fails): TF-IDF topics and
    /// keyword prompts.
    pub embedding_model: Option<PathBuf>,
    /// Sentences per embedding batch (`BATCH_SIZE`).
    pub embedding_batch: usize,
    /// An OpenAI-compatible server that reranks the clips and rewrites their titles (`LLM_URL`);
    /// `None`: extractive titles, score order.
    pub llm: Option<crate::llm::LlmConfig>,
    /// Pauses and filler words cut out of each clip as jump cuts (`--cut-pauses`, `--cut-fillers`).
    pub tighten: opusclip_select::TightenOptions,
}

impl Default for ClipOptions {
    fn default() -> Self {
        ClipOptions {
            clips: 5,
            min_seconds: 20.0,
            max_seconds: 60.0,
            lengths: Vec::new(),
            timeframe: None,
            prompt: None,
            score_weights: ScoreWeights::default(),
            aspects: vec![Aspect::Vertical],
            layout: None,
            transcript: None,
            whisper_model: None,
            language: None,
            caption_style: CaptionStyle::default(),
            loudness: opusclip_core::loudness::default_loudness(),
            watermark: None,
            font_dir: None,
            threads: 2,
            asr_prompt: None,
            translate: false,
            vad_model: None,
            censor: None,
            embedding_model: None,
            embedding_batch: opusclip_embed::DEFAULT_BATCH_SIZE,
            llm: None,
            tighten: opusclip_select::TightenOptions::default(),
        }
    }
}

impl ClipOptions {
    /// The length ranges asked for: `lengths`, or the one `min`..`max` range.
    pub fn length_ranges(&self) -> Vec<LengthRange> {
        if self.lengths.is_empty() {
            vec![LengthRange::new(self.min_seconds, self.max_seconds)]
        } else {
            self.lengths.clone()
        }
    }

    /// What clip selection is asked for.
    pub fn select_options(&self) -> SelectOptions {
        SelectOptions {
            clips: self.clips,
            lengths: self.length_ranges(),
            timeframe: self.timeframe,
            prompt: self.prompt.clone(),
            weights: self.score_weights,
        }
    }

    /// Every problem with the options, at once.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.clips == 0 || self.clips > MAX_CLIPS {
            problems.push(format!("--clips must be 1..{MAX_CLIPS}, got {}", self.clips));
        }
        if self.lengths.is_empty() {
            if self.min_seconds.is_nan() || self.min_seconds <= 0.0 {
                problems.push(format!("--min must be more than 0 s, got {}", self.min_seconds));
            }
            if self.max_seconds.is_nan() || self.max_seconds < self.min_seconds {
                problems.push(format!("--max ({}) must be at least --min ({})", self.max_seconds, self.min_seconds));
            }
        }
        for range in &self.lengths {
            problems.extend(range.problems().into_iter().map(|problem| format!("--length {range}: {problem}")));
        }
        if let Some(timeframe) = &self.timeframe {
            problems.extend(timeframe.problems().into_iter().map(|problem| format!("--range {timeframe}: {problem}")));
            let shortest = self.length_ranges().iter().map(|r| r.min_seconds).fold(f64::INFINITY, f64::min);
            if timeframe.problems().is_empty() && timeframe.duration() < shortest {
                problems.push(format!(
                    "--range {timeframe} lasts {:.1} s, less than the shortest clip asked for ({shortest} s)",
                    timeframe.duration()
                ));
            }
        }
        if let Some(prompt) = &self.prompt {
            if Prompt::new(prompt).is_none() {
                problems.push(format!("--prompt \"{prompt}\" has no keywords to steer by: name the topic"));
            }
        }
        problems.extend(self.score_weights.problems());
        if self.aspects.is_empty() {
            problems.push("at least one --aspect is needed".to_string());
        }
        if let Some(pause) = self.tighten.pause_seconds {
            if !(MIN_CUT_PAUSE..=MAX_CUT_PAUSE).contains(&pause) {
                problems.push(format!(
                    "--cut-pauses {pause}: cut pauses longer than {MIN_CUT_PAUSE}–{MAX_CUT_PAUSE} s (default {})",
                    opusclip_select::DEFAULT_PAUSE_SECONDS
                ));
            }
        }
        if let Some(path) = &self.transcript {
            if !path.is_file() {
                problems.push(format!("--transcript {} does not exist", path.display()));
            }
        }
        if let Some(path) = &self.whisper_model {
            if !path.is_file() {
                problems.push(format!("--whisper-model {} does not exist", path.display()));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid_input(problems.join("; ")).with_details(serde_json::json!({ "problems": problems })))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_are_all_listed() {
        assert!(ClipOptions::default().validate().is_ok());
        let bad = ClipOptions { clips: 0, min_seconds: 30.0, max_seconds: 10.0, ..ClipOptions::default() };
        let message = bad.validate().unwrap_err().to_string();
        assert!(message.contains("--clips") && message.contains("--max"), "{message}");
    }

    #[test]
    fn length_ranges_replace_min_and_max_and_reach_selection() {
        let ranges = vec![LengthRange::new(15.0, 30.0), LengthRange::new(30.0, 60.0)];
        let options = ClipOptions {
            lengths: ranges.clone(),
            min_seconds: 99.0, // ignored once ranges are given
            timeframe: Some(TimeRange::new(600.0, 2700.0)),
            prompt: Some("pricing".into()),
            ..ClipOptions::default()
        };
        assert!(options.validate().is_ok());
        let select = options.select_options();
        assert_eq!(select.lengths, ranges);
        assert_eq!(select.timeframe, options.timeframe);
        assert_eq!(select.prompt.as_deref(), Some("pricing"));
        assert_eq!(ClipOptions::default().length_ranges(), [LengthRange::new(20.0, 60.0)]);
    }

    #[test]
    fn bad_ranges_timeframes_prompts_and_weights_are_named() {
        let bad = ClipOptions {
            lengths: vec![LengthRange::new(30.0, 15.0)],
            timeframe: Some(TimeRange::new(100.0, 105.0)),
            prompt: Some("the of".into()),
            score_weights: ScoreWeights { pacing: -1.0, ..ScoreWeights::default() },
            ..ClipOptions::default()
        };
        let err = bad.validate().unwrap_err();
        assert_eq!(err.code(), opusclip_core::ErrorCode::InvalidInput);
        let message = err.to_string();
        for named in ["--length 30–15 s", "--range 1:40–1:45", "--prompt \"the of\"", "pacing"] {
            assert!(message.contains(named), "{named} missing from {message}");
        }
    }
}

//! What the user asks of one `opusclip clip` run.

use opusclip_core::{Aspect, CaptionStyle, Error, Result};
use std::path::PathBuf;

/// Options of `opusclip clip`, validated before any work starts.
#[derive(Debug, Clone)]
pub struct ClipOptions {
    /// How many clips to make.
    pub clips: usize,
    /// Shortest and longest clip, seconds.
    pub min_seconds: f64,
    pub max_seconds: f64,
    /// Output aspect ratios; the first names `clip-NN.mp4`.
    pub aspects: Vec<Aspect>,
    /// A subtitle file (SRT or WebVTT) with the words.
    pub transcript: Option<PathBuf>,
    /// A whisper ggml model for speech recognition when no subtitles exist.
    pub whisper_model: Option<PathBuf>,
    /// Spoken language for whisper (`None`: detect).
    pub language: Option<String>,
    pub caption_style: CaptionStyle,
    /// Extra directory searched for caption fonts.
    pub font_dir: Option<PathBuf>,
    /// Threads for speech recognition.
    pub threads: usize,
    /// Words and names that prime speech recognition (whisper's initial prompt).
    pub asr_prompt: Option<String>,
    /// Translate speech into English instead of transcribing it (multilingual models).
    pub translate: bool,
}

impl Default for ClipOptions {
    fn default() -> Self {
        ClipOptions {
            clips: 5,
            min_seconds: 20.0,
            max_seconds: 60.0,
            aspects: vec![Aspect::Vertical],
            transcript: None,
            whisper_model: None,
            language: None,
            caption_style: CaptionStyle::default(),
            font_dir: None,
            threads: 2,
            asr_prompt: None,
            translate: false,
        }
    }
}

impl ClipOptions {
    /// Every problem with the options, at once.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.clips == 0 || self.clips > 100 {
            problems.push(format!("--clips must be 1..100, got {}", self.clips));
        }
        if self.min_seconds.is_nan() || self.min_seconds <= 0.0 {
            problems.push(format!("--min must be more than 0 s, got {}", self.min_seconds));
        }
        if self.max_seconds.is_nan() || self.max_seconds < self.min_seconds {
            problems.push(format!("--max ({}) must be at least --min ({})", self.max_seconds, self.min_seconds));
        }
        if self.aspects.is_empty() {
            problems.push("at least one --aspect is needed".to_string());
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
}

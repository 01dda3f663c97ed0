//! Plain data passed between stages: probe facts, words, sentences, shots, audio levels,
//! face detections, candidates and scores. Times are seconds on the source's timeline.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Facts about a media file, read once by the probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeFacts {
    /// Container format name(s) as FFmpeg reports them (e.g. `mov,mp4,m4a,3gp,3g2,mj2`).
    pub format: String,
    pub duration: f64,
    pub video: VideoFacts,
    pub audio: Option<AudioFacts>,
    /// Subtitle streams, in stream order.
    pub subtitles: Vec<SubtitleFacts>,
}

/// The first (best) video stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VideoFacts {
    pub index: usize,
    pub codec: String,
    /// Coded size in pixels.
    pub width: u32,
    pub height: u32,
    /// Sample aspect ratio (pixel shape) as numerator/denominator; 1/1 for square pixels.
    pub sar_num: u32,
    pub sar_den: u32,
    /// Clockwise rotation from the display matrix, one of 0, 90, 180, 270.
    pub rotation: u32,
    /// Average frame rate (frames / duration), robust for variable frame rate input.
    pub fps: f64,
    /// The stream's nominal rate; differs from `fps` for variable frame rate input.
    pub nominal_fps: f64,
    pub variable_frame_rate: bool,
    /// Presentation time of the first frame, in seconds.
    pub start_time: f64,
    pub frame_count: Option<u64>,
}

impl VideoFacts {
    /// Size as displayed: square pixels, rotation applied. Crop keyframes live in this space.
    pub fn display_size(&self) -> (u32, u32) {
        let sar = if self.sar_num == 0 || self.sar_den == 0 { 1.0 } else { self.sar_num as f64 / self.sar_den as f64 };
        let (mut w, mut h) = (self.width as f64, self.height as f64);
        if sar > 1.0 {
            w *= sar;
        } else if sar < 1.0 {
            h /= sar;
        }
        let (w, h) = (even(w), even(h));
        if self.rotation == 90 || self.rotation == 270 {
            (h, w)
        } else {
            (w, h)
        }
    }
}

fn even(v: f64) -> u32 {
    ((v / 2.0).round() as u32).max(1) * 2
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioFacts {
    pub index: usize,
    pub codec: String,
    pub sample_rate: u32,
    pub channels: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubtitleFacts {
    pub index: usize,
    pub codec: String,
    pub language: Option<String>,
}

/// One spoken word with its time span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub start: f64,
    pub end: f64,
    /// 0..1; 1 for words taken from a human transcript.
    pub confidence: f32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
}

/// Where a transcript's words came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TranscriptSource {
    /// A subtitle file given by the user (SRT or WebVTT).
    File,
    /// A subtitle stream inside the input.
    Embedded,
    /// Speech recognition (whisper.cpp).
    Whisper,
}

/// `transcript.json`: the words of the whole source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transcript {
    pub language: Option<String>,
    pub source: TranscriptSource,
    pub words: Vec<Word>,
    /// Sounds that are not speech (applause, laughter, music), kept as markers beside the words:
    /// never caption words, titles or hashtags, but a signal for choosing moments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<SoundEvent>,
}

/// A non-speech sound heard in the source, from a tag such as `[Music]`, `(Applause)` or `♪`
/// in whisper's output or a subtitle cue. Times are the tag's, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SoundEvent {
    pub kind: SoundKind,
    pub start: f64,
    pub end: f64,
}

/// What a non-speech tag names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SoundKind {
    Applause,
    Laughter,
    Music,
    /// Any other named sound (`[door slams]`, `(coughs)`).
    Other,
}

impl SoundKind {
    /// The kind a tag's text names (`"Laughter"`, `"upbeat music"`, `"♪"`); `None` for tags that
    /// name no sound (`BLANK_AUDIO`, `silence`, `inaudible`) or are empty.
    ///
    /// ```
    /// use opusclip_core::SoundKind;
    /// assert_eq!(SoundKind::from_tag("(audience laughs)"), Some(SoundKind::Laughter));
    /// assert_eq!(SoundKind::from_tag("[BLANK_AUDIO]"), None);
    /// ```
    pub fn from_tag(tag: &str) -> Option<SoundKind> {
        let lower = tag.to_lowercase();
        let has = |needles: &[&str]| needles.iter().any(|needle| lower.contains(needle));
        if has(&["blank", "silence", "inaudible", "no speech", "unintelligible"]) {
            return None;
        }
        if has(&["applau", "clap", "cheer"]) {
            Some(SoundKind::Applause)
        } else if has(&["laugh", "chuckl", "giggl"]) {
            Some(SoundKind::Laughter)
        } else if has(&["music", "♪", "♫", "sing", "song"]) {
            Some(SoundKind::Music)
        } else if lower.chars().any(char::is_alphabetic) {
            Some(SoundKind::Other)
        } else {
            None
        }
    }
}

/// A sentence: a run of words `[first_word, end_word)` of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sentence {
    pub first_word: usize,
    pub end_word: usize,
    pub start: f64,
    pub end: f64,
    pub text: String,
}

/// A shot: the frames between two cuts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shot {
    pub start: f64,
    pub end: f64,
    pub start_frame: u64,
    pub end_frame: u64,
}

/// A stretch of silence.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Silence {
    pub start: f64,
    pub end: f64,
}

/// Loudness of the audio in fixed hops (dBFS of the RMS over each hop; -100 for digital silence).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AudioLevels {
    pub hop_seconds: f64,
    pub db: Vec<f32>,
}

impl AudioLevels {
    /// Levels inside `[start, end)`.
    pub fn window(&self, start: f64, end: f64) -> &[f32] {
        if self.db.is_empty() || self.hop_seconds <= 0.0 {
            return &[];
        }
        let first = ((start / self.hop_seconds).floor().max(0.0) as usize).min(self.db.len());
        let last = ((end / self.hop_seconds).ceil().max(0.0) as usize).clamp(first, self.db.len());
        &self.db[first..last]
    }
}

/// A visual change measured between consecutive key frames of the survey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VisualChange {
    /// Time of the later key frame.
    pub t: f64,
    /// Mean absolute luma difference, 0..255.
    pub score: f32,
}

/// The cheap whole-source pass: every audio sample, key frames only for video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    pub levels: AudioLevels,
    pub silences: Vec<Silence>,
    pub keyframe_changes: Vec<VisualChange>,
}

/// A box in display pixels of the source.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BoxF {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl BoxF {
    pub fn center(&self) -> (f64, f64) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
    pub fn area(&self) -> f64 {
        self.w.max(0.0) * self.h.max(0.0)
    }
}

/// The faces found in one sampled frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FaceFrame {
    pub t: f64,
    pub faces: Vec<FaceBox>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FaceBox {
    pub bbox: BoxF,
    pub score: f64,
}

/// What the close look at a chosen window found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CloseLook {
    pub start: f64,
    pub end: f64,
    /// Cut times (source seconds) inside the window, frame exact.
    pub cuts: Vec<f64>,
    pub faces: Vec<FaceFrame>,
    /// Display size of the frames the boxes refer to.
    pub width: u32,
    pub height: u32,
}

/// One named part of a score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorePart {
    /// 0..100.
    pub value: f64,
    pub reason: String,
}

/// An explained score: `total` plus named parts, all 0..100.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Score {
    pub total: f64,
    pub parts: BTreeMap<String, ScorePart>,
}

/// A window of the source proposed as a clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub start: f64,
    pub end: f64,
    /// Index of the first sentence and one past the last (empty when chosen without words).
    pub first_sentence: usize,
    pub end_sentence: usize,
    pub score: Score,
    /// The text played: the setup's sentence, when there is one, then the clip's sentences.
    pub text: String,
    /// The parts of `start..end` the clip plays, when it joins two (a question and the answer
    /// that comes after other talk); empty when it plays the whole span.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_ranges: Vec<crate::KeptRange>,
}

impl Candidate {
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
    /// Seconds played: the kept ranges' total, or the whole span.
    pub fn played_duration(&self) -> f64 {
        if self.kept_ranges.is_empty() {
            self.duration()
        } else {
            self.kept_ranges.iter().map(crate::KeptRange::duration).sum()
        }
    }
    /// Whether the clip plays `start..end` whole (inside one kept range, or its span).
    pub fn plays(&self, start: f64, end: f64) -> bool {
        let inside = |from: f64, to: f64| start >= from - 1e-6 && end <= to + 1e-6;
        if self.kept_ranges.is_empty() {
            inside(self.start, self.end)
        } else {
            self.kept_ranges.iter().any(|range| inside(range.start, range.end))
        }
    }
    pub fn overlaps(&self, other: &Candidate) -> bool {
        self.start < other.end && other.start < self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(w: u32, h: u32, sar: (u32, u32), rotation: u32) -> VideoFacts {
        VideoFacts {
            index: 0,
            codec: "h264".into(),
            width: w,
            height: h,
            sar_num: sar.0,
            sar_den: sar.1,
            rotation,
            fps: 25.0,
            nominal_fps: 25.0,
            variable_frame_rate: false,
            start_time: 0.0,
            frame_count: None,
        }
    }

    #[test]
    fn display_size_applies_sar_and_rotation() {
        assert_eq!(facts(1920, 1080, (1, 1), 0).display_size(), (1920, 1080));
        assert_eq!(facts(704, 576, (12, 11), 0).display_size(), (768, 576));
        assert_eq!(facts(1920, 1080, (1, 1), 90).display_size(), (1080, 1920));
        assert_eq!(facts(640, 480, (0, 1), 0).display_size(), (640, 480));
    }

    #[test]
    fn level_window_is_clamped() {
        let levels = AudioLevels { hop_seconds: 0.1, db: vec![-20.0; 10] };
        assert_eq!(levels.window(0.2, 0.5).len(), 3);
        assert_eq!(levels.window(0.5, 99.0).len(), 5);
        assert!(levels.window(5.0, 6.0).is_empty());
    }
}

//! The `ClipSpec` that drives rendering (one per clip, `clip-NN.json`) and the run's
//! `manifest.json`. Both are versioned JSON contracts (`schema_version`).

use crate::brand::{CaptionAnimation, Watermark};
use crate::layout::Layout;
use crate::model::{FaceFrame, ProbeFacts, Score, Word};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Output aspect ratios and the size each renders at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Aspect {
    #[serde(rename = "9:16")]
    Vertical,
    #[serde(rename = "1:1")]
    Square,
    #[serde(rename = "4:5")]
    Portrait,
    #[serde(rename = "16:9")]
    Wide,
}

impl Aspect {
    pub const ALL: [Aspect; 4] = [Aspect::Vertical, Aspect::Square, Aspect::Portrait, Aspect::Wide];

    /// Output size in pixels.
    pub fn size(self) -> (u32, u32) {
        match self {
            Aspect::Vertical => (1080, 1920),
            Aspect::Square => (1080, 1080),
            Aspect::Portrait => (1080, 1350),
            Aspect::Wide => (1920, 1080),
        }
    }
    /// Width over height.
    pub fn ratio(self) -> f64 {
        let (w, h) = self.size();
        w as f64 / h as f64
    }
    /// As written on the command line and in JSON, e.g. `9:16`.
    pub fn label(self) -> &'static str {
        match self {
            Aspect::Vertical => "9:16",
            Aspect::Square => "1:1",
            Aspect::Portrait => "4:5",
            Aspect::Wide => "16:9",
        }
    }
    /// The file-name suffix for outputs after the first, e.g. `1x1`.
    pub fn file_tag(self) -> &'static str {
        match self {
            Aspect::Vertical => "9x16",
            Aspect::Square => "1x1",
            Aspect::Portrait => "4x5",
            Aspect::Wide => "16x9",
        }
    }
}

impl FromStr for Aspect {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let normalized = text.trim().replace(['x', '/'], ":");
        Aspect::ALL
            .into_iter()
            .find(|aspect| aspect.label() == normalized)
            .ok_or_else(|| format!("unknown aspect ratio '{text}': use one of 9:16, 1:1, 4:5, 16:9"))
    }
}

/// Where the crop window is at time `t` (seconds from the clip's start), in display pixels
/// of the source. Between keyframes the window moves linearly; a keyframe pair with the same
/// `t` is a hard cut.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CropKeyframe {
    pub t: f64,
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// One rendered output of a clip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputSpec {
    pub aspect: Aspect,
    pub width: u32,
    pub height: u32,
    /// How the frame is composed; flattened: `layout` (and `lower_crop_keyframes` for a split,
    /// `panel_crop_keyframes` for three and four, `face_crop_keyframes` for a screen).
    #[serde(flatten)]
    pub layout: Layout,
    pub crop_keyframes: Vec<CropKeyframe>,
}

impl OutputSpec {
    /// How many output pixels one source pixel becomes at most over the clip: a panel's width
    /// over the narrowest crop window shown in it (the whole output for track), or, for
    /// blur-fit, the scale that fits the whole picture inside the output. Above about 2 the
    /// picture looks soft.
    ///
    /// ```
    /// use opusclip_core::{Aspect, CropKeyframe, Layout, OutputSpec};
    /// let window = CropKeyframe { t: 0.0, x: 0.0, y: 0.0, w: 270.0, h: 480.0 };
    /// let output = OutputSpec { aspect: Aspect::Vertical, width: 1080, height: 1920, layout: Layout::Track, crop_keyframes: vec![window] };
    /// assert_eq!(output.enlargement(), 4.0);
    /// ```
    pub fn enlargement(&self) -> f64 {
        match &self.layout {
            Layout::Track | Layout::Split { .. } | Layout::Grid { .. } | Layout::Screen { .. } => self
                .panels()
                .iter()
                .flat_map(|panel| {
                    panel.crop_keyframes.iter().filter(|k| k.w > 0.0).map(|k| f64::from(panel.width) / k.w)
                })
                .fold(0.0, f64::max),
            Layout::BlurFit => self
                .crop_keyframes
                .iter()
                .filter(|k| k.w > 0.0 && k.h > 0.0)
                .map(|k| (f64::from(self.width) / k.w).min(f64::from(self.height) / k.h))
                .fold(0.0, f64::max),
            Layout::Audiogram => 0.0,
        }
    }
}

/// How captions look. Colours are `RRGGBB` hex.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionStyle {
    pub enabled: bool,
    pub font: String,
    /// Font size in pixels at a 1080-wide output; scaled for other widths.
    pub font_size: u32,
    pub text_color: String,
    pub highlight_color: String,
    pub outline_color: String,
    pub outline: u32,
    /// Size of the spoken word relative to the others, in percent.
    pub highlight_scale: u32,
    pub max_lines: u32,
    pub uppercase: bool,
    /// Where the caption block sits (`auto` when a spec does not say).
    #[serde(default)]
    pub position: CaptionPosition,
    /// How the spoken word is marked (`none` when a spec does not say).
    #[serde(default)]
    pub animation: CaptionAnimation,
    /// Drop-shadow depth in pixels at a 1080-wide output (0: none).
    #[serde(default)]
    pub shadow: u32,
    /// The clip's keywords (the spec's `keywords`) are drawn in this colour (`RRGGBB`) when set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword_color: Option<String>,
    /// A TrueType/OpenType font file (absolute path) the captions are drawn in, from a brand
    /// template's `font_file`; its family name replaces `font` when rendering, and lines are
    /// measured with its glyphs. `None`: `font` as fontconfig finds it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub font_file: Option<String>,
    /// A closing card's text ("Follow @studio for more"), from a brand template's `outro`: shown
    /// in the middle of every output over the clip's last seconds. `None`: no card.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outro: Option<String>,
    /// An emoji after one strong word per caption page ("money 💰"), when the word has one:
    /// off unless asked for (`--emoji`, a template's `emoji = true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub emoji: bool,
}

/// Where the caption block sits in an output, as a spec or `--caption-position` names it:
/// `auto` (the engine's choice: clear of the faces the spec lists, in the empty band of a
/// blur-fit, on the seam of a split, else the lower band at 70 % of the height), `top`, `middle`,
/// `bottom`, or `NN%` (the bottom of the block at NN % of the height from the top, 10–90).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CaptionPosition {
    #[default]
    Auto,
    Top,
    Middle,
    Bottom,
    /// The bottom of the block at this percentage of the frame height from the top.
    Percent(u8),
}

impl CaptionPosition {
    /// Reads `auto`, `top`, `middle`, `bottom` or `NN%`; anything else is refused naming them.
    ///
    /// ```
    /// use opusclip_core::CaptionPosition;
    /// assert_eq!(CaptionPosition::parse("62%")?, CaptionPosition::Percent(62));
    /// assert_eq!(CaptionPosition::parse("Top")?, CaptionPosition::Top);
    /// assert!(CaptionPosition::parse("95%").is_err());
    /// # Ok::<(), opusclip_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> crate::Result<CaptionPosition> {
        let text = text.trim().to_ascii_lowercase();
        let refuse = || {
            crate::Error::invalid_input(format!(
                "caption position {text:?}: use auto, top, middle, bottom, or a height percentage from 10% to 90%"
            ))
        };
        Ok(match text.as_str() {
            "auto" => CaptionPosition::Auto,
            "top" => CaptionPosition::Top,
            "middle" | "center" | "centre" => CaptionPosition::Middle,
            "bottom" => CaptionPosition::Bottom,
            _ => {
                let percent: u8 = text.strip_suffix('%').ok_or_else(refuse)?.trim().parse().map_err(|_| refuse())?;
                if !(10..=90).contains(&percent) {
                    return Err(refuse());
                }
                CaptionPosition::Percent(percent)
            }
        })
    }

    /// The name `parse` reads back.
    pub fn label(self) -> String {
        match self {
            CaptionPosition::Auto => "auto".into(),
            CaptionPosition::Top => "top".into(),
            CaptionPosition::Middle => "middle".into(),
            CaptionPosition::Bottom => "bottom".into(),
            CaptionPosition::Percent(percent) => format!("{percent}%"),
        }
    }
}

impl Serialize for CaptionPosition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.label())
    }
}

impl<'de> Deserialize<'de> for CaptionPosition {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CaptionPosition::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Default for CaptionStyle {
    fn default() -> Self {
        CaptionStyle {
            enabled: true,
            font: "DejaVu Sans".into(),
            font_size: 72,
            text_color: "FFFFFF".into(),
            highlight_color: "FFD700".into(),
            outline_color: "000000".into(),
            outline: 5,
            highlight_scale: 115,
            max_lines: 2,
            uppercase: false,
            position: CaptionPosition::Auto,
            animation: CaptionAnimation::None,
            shadow: 0,
            keyword_color: None,
            font_file: None,
            outro: None,
            emoji: false,
        }
    }
}

/// The source a spec renders from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRef {
    pub path: String,
    /// Content hash (see `opusclip-media`'s `content_hash`).
    pub hash: String,
    /// Display size of the source (square pixels, rotation applied).
    pub display_width: u32,
    pub display_height: u32,
    pub fps: f64,
    pub has_audio: bool,
}

/// `clip-NN.json`: everything needed to render one clip again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClipSpec {
    pub schema_version: u32,
    /// Stable id, e.g. `clip-01`; output files are named after it.
    pub id: String,
    pub source: SourceRef,
    pub start: f64,
    pub end: f64,
    /// Words of the clip plus a margin on both sides, on the source timeline.
    pub words: Vec<Word>,
    pub outputs: Vec<OutputSpec>,
    pub caption_style: CaptionStyle,
    pub title: String,
    /// The faces seen in the clip (source display pixels, source timeline, about two samples
    /// a second): `auto` captions are placed clear of them in every output, so a re-render
    /// after an edited crop still keeps the captions off the faces. Empty when none were seen
    /// or the spec predates them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub faces: Vec<FaceFrame>,
    /// Integrated loudness the audio is brought to, LUFS (true peak at most −1 dBTP); `null`
    /// keeps the recorded level. A spec without the field gets −14 (TikTok, Reels, Shorts).
    #[serde(default = "crate::loudness::default_loudness")]
    pub loudness: Option<f64>,
    /// The clip's keyphrases, split into words: drawn in `caption_style.keyword_color` when set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// A logo laid over every output, when a template gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watermark: Option<Watermark>,
    /// The stretches of the source the clip keeps, in order inside `start..end`: what lies between
    /// them (pauses, filler words, words deleted in the editor) is cut out as jump cuts, and the
    /// captions are retimed. Empty (or absent): the whole span plays. See [`crate::cuts`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept_ranges: Vec<crate::cuts::KeptRange>,
}

impl ClipSpec {
    pub fn duration(&self) -> f64 {
        self.end - self.start
    }
}

/// Paths of one rendered output, relative to the manifest's directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputFile {
    pub aspect: Aspect,
    pub path: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionFiles {
    pub srt: Option<String>,
    pub vtt: Option<String>,
}

/// A clip as listed in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestClip {
    pub id: String,
    pub rank: u32,
    pub start: f64,
    pub end: f64,
    pub duration: f64,
    pub score: Score,
    pub title: String,
    pub description: String,
    pub hashtags: Vec<String>,
    pub transcript: String,
    pub outputs: Vec<OutputFile>,
    pub captions: CaptionFiles,
    pub thumbnail: Option<String>,
    pub spec: String,
    /// Who wrote `title`, `description` and `hashtags`: [`TITLES_EXTRACTIVE`] (the clip's own
    /// words) or `llm:<model>` (rewritten by the `LLM_URL` server).
    #[serde(default = "titles_extractive")]
    pub titles_by: String,
    /// Every stretch cut out of the clip as a jump cut (`--cut-pauses`, `--cut-fillers`), with
    /// its reason; `duration` is what plays after them. Absent when nothing was cut.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cuts: Vec<crate::cuts::Cut>,
}

/// `titles_by` of a clip whose title, description and hashtags come from its own words.
pub const TITLES_EXTRACTIVE: &str = "extractive";

fn titles_extractive() -> String {
    TITLES_EXTRACTIVE.to_string()
}

/// Wall time of one pipeline stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageTiming {
    pub name: String,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestSource {
    pub path: String,
    pub hash: String,
    pub probe: ProbeFacts,
}

/// `manifest.json`: what one run of `opusclip clip` produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub schema_version: u32,
    pub source: ManifestSource,
    /// Where the words came from (`file`, `embedded`, `whisper`), or null without a transcript.
    pub transcript_source: Option<crate::model::TranscriptSource>,
    pub clips: Vec<ManifestClip>,
    pub stages: Vec<StageTiming>,
    pub peak_memory_bytes: u64,
    pub tool_version: String,
    /// Things the user should know (e.g. "no transcript: clips have no captions").
    #[serde(default)]
    pub warnings: Vec<String>,
    /// How the transcript was split into topics; absent without a transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topics: Option<ManifestTopics>,
}

/// The transcript's topic segments as the manifest lists them, and how they were found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestTopics {
    /// `minilm` (TextTiling over all-MiniLM-L6-v2 sentence embeddings) or `tfidf` (lexical
    /// TextTiling, used when the embedding model is not installed).
    pub method: String,
    /// The segments in order; together they cover every sentence.
    pub segments: Vec<TopicSpan>,
    /// How `--prompt` was matched: `meaning` (embeddings, keywords counting when better) or
    /// `keywords`; absent without a prompt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_match: Option<String>,
}

/// One topic segment: a run of whole sentences.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TopicSpan {
    /// Start of its first sentence, in source seconds.
    pub start: f64,
    /// End of its last sentence, in source seconds.
    pub end: f64,
    /// Index of its first sentence.
    pub first_sentence: usize,
    /// One past its last sentence.
    pub end_sentence: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspect_parses_labels_and_tags() {
        assert_eq!("9:16".parse::<Aspect>(), Ok(Aspect::Vertical));
        assert_eq!("1x1".parse::<Aspect>(), Ok(Aspect::Square));
        assert_eq!("16/9".parse::<Aspect>(), Ok(Aspect::Wide));
        assert!("3:2".parse::<Aspect>().unwrap_err().contains("9:16"));
    }

    #[test]
    fn aspect_serializes_as_label() {
        assert_eq!(serde_json::to_string(&Aspect::Portrait).unwrap(), "\"4:5\"");
    }
}

//! Captions for Video-OpusClip: turns the transcript words of a clip into caption pages laid
//! out for an output frame, and writes them as ASS (burned in by libass, with the spoken word
//! highlighted word by word), SRT and WebVTT.
//!
//! The crate is pure computation: no I/O, no C dependencies. Text is measured with
//! [`FontMetrics`] (built from font bytes the caller reads, e.g. DejaVu Sans Bold) or, when no
//! font file is available, with the built-in [`ApproxMetrics`]. Lines are broken by measured
//! width so that every line stays inside the frame's [`SafeArea`] even while its widest word
//! is enlarged as the spoken word.
//!
//! ```
//! use opusclip_captions::{plan_pages, write_srt, ApproxMetrics};
//! use opusclip_core::{CaptionStyle, Word};
//!
//! let word = |text: &str, start: f64, end: f64| Word {
//!     text: text.into(),
//!     start,
//!     end,
//!     confidence: 1.0,
//!     speaker: None,
//! };
//! // Source timeline: the clip runs from 10 s to 20 s.
//! let words = vec![word("Captions", 10.0, 10.5), word("matter.", 10.5, 11.0)];
//! let style = CaptionStyle::default();
//! let pages = plan_pages(&words, 10.0, 20.0, &style, (1080, 1920), &ApproxMetrics);
//! assert_eq!(pages.len(), 1);
//! assert_eq!(
//!     write_srt(&pages),
//!     "1\n00:00:00,000 --> 00:00:01,500\nCaptions matter.\n\n"
//! );
//! ```

pub mod ass;
pub mod censor;
pub mod emoji;
pub mod layout;
pub mod marks;
pub mod measure;
pub mod placement;
pub mod subtitles;

pub use ass::{ass_colour, escape_ass_text, write_ass};
pub use censor::{censor_words, CensorList, DEFAULT_CENSOR_LIST};
pub use layout::{plan_pages, CaptionPage, CaptionWord, SafeArea};
pub use measure::{ApproxMetrics, FontMetrics, TextMeasure};
pub use placement::{block_height, place_block, CaptionPlacement, CaptionScene, Rect};
pub use subtitles::{write_srt, write_vtt};

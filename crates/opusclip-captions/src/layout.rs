//! Caption layout: which words of a clip are shown together (a page), how a page is broken
//! into lines, and when each page is on screen.
//!
//! Lines are broken by measured width, so every line fits the frame's safe area even while
//! its widest word is drawn enlarged as the spoken word, and at [`MAX_LINE_CHARS`] characters. Pages break at long pauses, at
//! sentence ends once a page has a few words, and before they grow too long to read at a
//! glance. All times on pages are clip-relative seconds.

use crate::measure::TextMeasure;
use opusclip_core::{CaptionStyle, Word};
use serde::{Deserialize, Serialize};

/// A silence between two words longer than this (seconds) always starts a new page.
pub const PAUSE_BREAK_SECONDS: f64 = 0.7;
/// A sentence end starts a new page once the page has at least this many words.
pub const MIN_WORDS_BEFORE_SENTENCE_BREAK: usize = 3;
/// The most words one page shows.
pub const MAX_WORDS_PER_PAGE: usize = 8;
/// The most characters (spaces included) a line holds however wide the frame: the broadcast
/// subtitle rule (BBC, Netflix), past which a line takes too long to read at a glance. A single
/// longer word still gets its line.
pub const MAX_LINE_CHARS: usize = 42;
/// How long a page stays up after its last word ends, unless the next page starts earlier.
pub const HOLD_SECONDS: f64 = 0.5;
/// Output width (of the smaller frame dimension) at which `CaptionStyle::font_size` applies.
pub const REFERENCE_SIZE_PX: f64 = 1080.0;

/// The part of the frame captions must stay inside, in output pixels: 10 % margins left and
/// right, 20 % top and bottom (clear of platform buttons and overlays).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafeArea {
    /// Left edge.
    pub x0: u32,
    /// Right edge.
    pub x1: u32,
    /// Top edge.
    pub y0: u32,
    /// Bottom edge.
    pub y1: u32,
}

impl SafeArea {
    /// Fraction of the width kept clear on each side.
    pub const HORIZONTAL_MARGIN: f64 = 0.10;
    /// Fraction of the height kept clear at the top and at the bottom.
    pub const VERTICAL_MARGIN: f64 = 0.20;

    /// The safe area of a `width` x `height` output frame.
    pub fn for_frame(width: u32, height: u32) -> SafeArea {
        let margin_x = (f64::from(width) * Self::HORIZONTAL_MARGIN).round() as u32;
        let margin_y = (f64::from(height) * Self::VERTICAL_MARGIN).round() as u32;
        SafeArea { x0: margin_x, x1: width.saturating_sub(margin_x), y0: margin_y, y1: height.saturating_sub(margin_y) }
    }

    /// Usable width in pixels.
    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }

    /// Usable height in pixels.
    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }
}

/// One word as shown in a caption, with clip-relative times.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionWord {
    /// The word as displayed (trimmed, upper-cased when the style asks); plain text, not
    /// escaped for any subtitle format.
    pub text: String,
    /// Seconds from the clip's start.
    pub start: f64,
    /// Seconds from the clip's start.
    pub end: f64,
}

/// Words shown on screen together, broken into lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaptionPage {
    /// When the page appears, seconds from the clip's start.
    pub start: f64,
    /// When the page disappears, seconds from the clip's start.
    pub end: f64,
    /// Lines top to bottom, each a run of words.
    pub lines: Vec<Vec<CaptionWord>>,
    /// Font size (pixels per em) of this page; smaller than the style's only for a page
    /// holding a single word too wide for the safe area.
    pub font_size_px: f64,
}

impl CaptionPage {
    /// Every word of the page in reading order.
    pub fn words(&self) -> impl Iterator<Item = &CaptionWord> {
        self.lines.iter().flatten()
    }

    /// Plain text of the page: words joined by spaces, lines by `\n`.
    pub fn text(&self) -> String {
        self.lines.iter().map(|line| line_text(line)).collect::<Vec<_>>().join("\n")
    }
}

/// Words of one line joined by single spaces.
pub fn line_text(line: &[CaptionWord]) -> String {
    line.iter().map(|word| word.text.as_str()).collect::<Vec<_>>().join(" ")
}

/// How much captions scale for a frame: the smaller dimension over 1080.
pub fn frame_scale(frame: (u32, u32)) -> f64 {
    f64::from(frame.0.min(frame.1)) / REFERENCE_SIZE_PX
}

/// The style's font size in pixels for an output `frame`, rounded down to 1/100 px.
pub fn base_font_size_px(style: &CaptionStyle, frame: (u32, u32)) -> f64 {
    floor_hundredths(f64::from(style.font_size) * frame_scale(frame))
}

/// The style's outline thickness in pixels for an output `frame`.
pub fn outline_px(style: &CaptionStyle, frame: (u32, u32)) -> f64 {
    f64::from(style.outline) * frame_scale(frame)
}

/// Width a line takes on screen when its widest word is the enlarged spoken word: the plain
/// width (words and spaces) plus that word's enlargement plus the outline on both sides.
pub fn drawn_line_width(plain_width: f64, widest_word_width: f64, style: &CaptionStyle, frame: (u32, u32)) -> f64 {
    plain_width + widest_word_width * (highlight_factor(style) - 1.0) + 2.0 * outline_px(style, frame)
}

/// Lays out the words of the clip `[clip_start, clip_end]` (source seconds) as caption pages
/// for an output `frame` of (width, height) pixels. Words are taken when they overlap the
/// clip; their times become clip-relative and are clamped to the clip.
pub fn plan_pages(
    words: &[Word],
    clip_start: f64,
    clip_end: f64,
    style: &CaptionStyle,
    frame: (u32, u32),
    measure: &dyn TextMeasure,
) -> Vec<CaptionPage> {
    let duration = clip_end - clip_start;
    if !duration.is_finite() || duration <= 0.0 || !clip_start.is_finite() {
        return Vec::new();
    }
    let clip_words = clip_relative_words(words, clip_start, duration, style.uppercase);
    let fitter = LineFitter {
        measure,
        style,
        frame,
        font_size_px: base_font_size_px(style, frame),
        safe_width: f64::from(SafeArea::for_frame(frame.0, frame.1).width()),
    };
    let max_lines = style.max_lines.max(1) as usize;
    let drafts = group_into_pages(clip_words, &fitter, max_lines);
    time_pages(drafts, duration)
}

/// The words overlapping the clip, cleaned, sorted and converted to clip-relative times.
fn clip_relative_words(words: &[Word], clip_start: f64, duration: f64, uppercase: bool) -> Vec<CaptionWord> {
    let clip_end = clip_start + duration;
    let mut kept: Vec<CaptionWord> = words
        .iter()
        .filter(|word| overlaps_clip(word, clip_start, clip_end))
        .filter_map(|word| {
            let text = display_text(&word.text, uppercase)?;
            let start = (word.start - clip_start).clamp(0.0, duration);
            let end = (word.end - clip_start).clamp(start, duration);
            Some(CaptionWord { text, start, end })
        })
        .collect();
    kept.sort_by(|a, b| a.start.total_cmp(&b.start));
    kept
}

/// Whether a word is spoken inside `[clip_start, clip_end)`; a word with no duration counts
/// when its instant lies inside.
fn overlaps_clip(word: &Word, clip_start: f64, clip_end: f64) -> bool {
    if !word.start.is_finite() || !word.end.is_finite() {
        return false;
    }
    if word.end <= word.start {
        return word.start >= clip_start && word.start < clip_end;
    }
    word.start < clip_end && word.end > clip_start
}

/// The text shown for a transcript word: whitespace collapsed, control characters dropped;
/// `None` when nothing visible is left.
fn display_text(raw: &str, uppercase: bool) -> Option<String> {
    let cleaned = raw
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if cleaned.is_empty() {
        return None;
    }
    Some(if uppercase { cleaned.to_uppercase() } else { cleaned })
}

/// The spoken word's size relative to the others (never below 1).
pub fn highlight_factor(style: &CaptionStyle) -> f64 {
    f64::from(style.highlight_scale.max(100)) / 100.0
}

fn floor_hundredths(value: f64) -> f64 {
    (value * 100.0).floor() / 100.0
}

/// Decides whether words fit on a line at the style's font size.
struct LineFitter<'a> {
    measure: &'a dyn TextMeasure,
    style: &'a CaptionStyle,
    frame: (u32, u32),
    font_size_px: f64,
    safe_width: f64,
}

impl LineFitter<'_> {
    fn word_width(&self, text: &str) -> f64 {
        self.measure.advance_width(text, self.font_size_px)
    }

    fn space_width(&self) -> f64 {
        self.measure.advance_width(" ", self.font_size_px)
    }

    /// Whether `line` extended by a word of `word_width` pixels and `word_chars` characters still
    /// fits, by width and by [`MAX_LINE_CHARS`].
    fn fits(&self, line: &LineWidth, word_width: f64, word_chars: usize) -> bool {
        let plain = if line.word_count == 0 { word_width } else { line.plain + self.space_width() + word_width };
        let widest = line.widest.max(word_width);
        let short_enough = line.word_count == 0 || line.chars + 1 + word_chars <= MAX_LINE_CHARS;
        short_enough && drawn_line_width(plain, widest, self.style, self.frame) <= self.safe_width
    }

    /// Font size at which a single word too wide for a line just fits.
    fn shrunk_font_size(&self, word_width: f64) -> f64 {
        let available = self.safe_width - 2.0 * outline_px(self.style, self.frame);
        let needed = word_width * highlight_factor(self.style);
        if available <= 0.0 || needed <= 0.0 {
            return 1.0;
        }
        floor_hundredths(self.font_size_px * available / needed).max(1.0)
    }
}

/// Running width of the line being filled.
#[derive(Default)]
struct LineWidth {
    plain: f64,
    widest: f64,
    word_count: usize,
    chars: usize,
}

/// A page before its times are settled.
struct PageDraft {
    lines: Vec<Vec<CaptionWord>>,
    font_size_px: f64,
}

/// Fills pages word by word; see the module comment for the rules.
fn group_into_pages(words: Vec<CaptionWord>, fitter: &LineFitter<'_>, max_lines: usize) -> Vec<PageDraft> {
    let mut builder = PageBuilder::new(fitter.font_size_px);
    for word in words {
        let width = fitter.word_width(&word.text);
        let chars = word.text.chars().count();
        if !fitter.fits(&LineWidth::default(), width, chars) {
            builder.finish_page();
            let font_size_px = fitter.shrunk_font_size(width);
            builder.pages.push(PageDraft { lines: vec![vec![word]], font_size_px });
            continue;
        }
        if builder.should_break_before(&word) {
            builder.finish_page();
        }
        if !builder.is_empty() && !fitter.fits(&builder.line, width, chars) {
            if builder.lines.len() < max_lines {
                builder.start_line();
            } else {
                builder.finish_page();
            }
        }
        builder.push(word, width, fitter.space_width());
    }
    builder.finish_page();
    builder.pages
}

/// The page being filled and the pages done.
struct PageBuilder {
    pages: Vec<PageDraft>,
    lines: Vec<Vec<CaptionWord>>,
    line: LineWidth,
    font_size_px: f64,
}

impl PageBuilder {
    fn new(font_size_px: f64) -> PageBuilder {
        PageBuilder { pages: Vec::new(), lines: Vec::new(), line: LineWidth::default(), font_size_px }
    }

    fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    fn word_count(&self) -> usize {
        self.lines.iter().map(Vec::len).sum()
    }

    fn last_word(&self) -> Option<&CaptionWord> {
        self.lines.last().and_then(|line| line.last())
    }

    /// A long pause, a finished sentence on a page with a few words, or a full page.
    fn should_break_before(&self, next: &CaptionWord) -> bool {
        let Some(previous) = self.last_word() else {
            return false;
        };
        let count = self.word_count();
        next.start - previous.end > PAUSE_BREAK_SECONDS
            || (ends_sentence(&previous.text) && count >= MIN_WORDS_BEFORE_SENTENCE_BREAK)
            || count >= MAX_WORDS_PER_PAGE
    }

    fn start_line(&mut self) {
        self.lines.push(Vec::new());
        self.line = LineWidth::default();
    }

    fn push(&mut self, word: CaptionWord, width: f64, space_width: f64) {
        if self.lines.is_empty() {
            self.start_line();
        }
        if self.line.word_count > 0 {
            self.line.plain += space_width;
            self.line.chars += 1;
        }
        self.line.chars += word.text.chars().count();
        self.line.plain += width;
        self.line.widest = self.line.widest.max(width);
        self.line.word_count += 1;
        if let Some(line) = self.lines.last_mut() {
            line.push(word);
        }
    }

    fn finish_page(&mut self) {
        if self.lines.is_empty() {
            return;
        }
        self.pages.push(PageDraft { lines: std::mem::take(&mut self.lines), font_size_px: self.font_size_px });
        self.line = LineWidth::default();
    }
}

/// Whether a word ends a sentence (`.`, `?`, `!`, `…`, also before closing quotes).
pub fn ends_sentence(text: &str) -> bool {
    let trimmed = text.trim_end_matches(['"', '\'', ')', ']', '}', '\u{201D}', '\u{2019}', '\u{BB}']);
    trimmed.ends_with(['.', '?', '!', '\u{2026}', '\u{3002}', '\u{FF1F}', '\u{FF01}'])
}

/// Settles each page's on-screen time: from its first word's start to the next page's start
/// or its last word's end plus [`HOLD_SECONDS`], whichever is first, never past the clip.
fn time_pages(drafts: Vec<PageDraft>, duration: f64) -> Vec<CaptionPage> {
    let starts: Vec<f64> = drafts.iter().map(|draft| first_start(&draft.lines)).collect();
    drafts
        .into_iter()
        .enumerate()
        .map(|(index, draft)| {
            let start = starts[index];
            let next_start = starts.get(index + 1).copied().unwrap_or(duration);
            let last_end = draft.lines.iter().flatten().map(|w| w.end).fold(start, f64::max);
            let end = (last_end + HOLD_SECONDS).min(next_start).min(duration).max(start);
            let lines = clamp_word_times(draft.lines, start, end);
            CaptionPage { start, end, lines, font_size_px: draft.font_size_px }
        })
        .collect()
}

fn first_start(lines: &[Vec<CaptionWord>]) -> f64 {
    lines.iter().flatten().next().map_or(0.0, |word| word.start)
}

/// Keeps every word's times inside its page's.
fn clamp_word_times(lines: Vec<Vec<CaptionWord>>, start: f64, end: f64) -> Vec<Vec<CaptionWord>> {
    lines
        .into_iter()
        .map(|line| {
            line.into_iter()
                .map(|word| {
                    let word_start = word.start.clamp(start, end);
                    CaptionWord { start: word_start, end: word.end.clamp(word_start, end), text: word.text }
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;

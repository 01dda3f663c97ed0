//! The ASS (Advanced SubStation Alpha) writer: the caption track burned into clips by
//! libass. Each page is shown whole, with the word being spoken coloured and enlarged; one
//! Dialogue event per word interval, back to back, so the highlight moves word by word with
//! no flicker.

use crate::layout::{base_font_size_px, frame_scale, outline_px, CaptionPage, CaptionWord, SafeArea};
use crate::marks::WordMarks;
use crate::measure::TextMeasure;
use opusclip_core::{CaptionPosition, CaptionStyle, Error, Result};
use std::fmt::Write as _;

/// Where the bottom of the caption block sits, as a fraction of the frame height from the top
/// (inside the safe area's lower edge at 80 %).
pub const TEXT_BOTTOM_FRACTION: f64 = 0.70;

/// Where the top of the block sits for `top`, as a fraction of the height: below the row of tabs
/// and the camera notch that TikTok, Reels and Shorts draw at the top.
pub const TEXT_TOP_FRACTION: f64 = 0.12;

/// Name of the one style every event uses.
const STYLE_NAME: &str = "Default";

/// An `RRGGBB` hex colour (optionally with a leading `#`) as an ASS override colour,
/// `&HAABBGGRR&` with opaque alpha: `FFD700` becomes `&H0000D7FF&`.
pub fn ass_colour(rrggbb: &str) -> Result<String> {
    let (red, green, blue) = parse_rgb(rrggbb)?;
    Ok(format!("&H00{blue:02X}{green:02X}{red:02X}&"))
}

/// Parses `RRGGBB` (optionally `#RRGGBB`) into its channels.
fn parse_rgb(rrggbb: &str) -> Result<(u8, u8, u8)> {
    let hex = rrggbb.trim().trim_start_matches('#');
    let invalid = || Error::invalid_input(format!("colour {rrggbb:?} is not RRGGBB hex"));
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(invalid());
    }
    let channel = |at: usize| u8::from_str_radix(&hex[at..at + 2], 16).map_err(|_| invalid());
    Ok((channel(0)?, channel(2)?, channel(4)?))
}

/// The colour for a Style line (`&HAABBGGRR`, no trailing `&`); `fallback` when `rrggbb`
/// does not parse.
fn style_colour(rrggbb: &str, fallback: &str) -> String {
    let colour = ass_colour(rrggbb).or_else(|_| ass_colour(fallback)).unwrap_or_else(|_| "&H00FFFFFF&".to_string());
    colour.trim_end_matches('&').to_string()
}

/// Escapes transcript text for an ASS Dialogue line: braces become `\{` `\}` (literal braces
/// in libass), a backslash gets a zero-width space after it so it never starts a tag such as
/// `\N`, and line breaks become spaces.
pub fn escape_ass_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => escaped.push_str("\\\u{200B}"),
            '{' => escaped.push_str("\\{"),
            '}' => escaped.push_str("\\}"),
            '\n' | '\r' => escaped.push(' '),
            other => escaped.push(other),
        }
    }
    escaped
}

/// Seconds as whole centiseconds (negative and NaN become 0); every event time goes through
/// this once, so shared boundaries stay equal.
pub fn to_centiseconds(seconds: f64) -> u64 {
    if seconds.is_nan() || seconds <= 0.0 {
        return 0;
    }
    (seconds * 100.0).round() as u64
}

/// An ASS timestamp `H:MM:SS.cc`.
pub fn format_ass_time(centiseconds: u64) -> String {
    let hours = centiseconds / 360_000;
    let minutes = centiseconds / 6_000 % 60;
    let seconds = centiseconds / 100 % 60;
    let hundredths = centiseconds % 100;
    format!("{hours}:{minutes:02}:{seconds:02}.{hundredths:02}")
}

/// MarginV for bottom-centred text whose bottom sits at [`TEXT_BOTTOM_FRACTION`] of `height`.
pub fn bottom_margin(height: u32) -> u32 {
    let bottom = (f64::from(height) * TEXT_BOTTOM_FRACTION).round() as u32;
    height.saturating_sub(bottom)
}

/// The ASS alignment (numpad: 2 bottom-centre, 5 middle, 8 top-centre) and MarginV that put the
/// caption block where `position` says on a frame `height` pixels tall.
pub fn placement(position: CaptionPosition, height: u32) -> (u8, u32) {
    let at = |fraction: f64| (f64::from(height) * fraction).round() as u32;
    match position {
        CaptionPosition::Auto | CaptionPosition::Bottom => (2, bottom_margin(height)),
        CaptionPosition::Top => (8, at(TEXT_TOP_FRACTION)),
        CaptionPosition::Middle => (5, 0),
        CaptionPosition::Percent(percent) => (2, height.saturating_sub(at(f64::from(percent) / 100.0))),
    }
}

/// A title card's size relative to the captions' font size.
pub const TITLE_SCALE: f64 = 0.9;

/// The most lines a title card takes; a longer title ends in an ellipsis.
pub const TITLE_MAX_LINES: usize = 3;

/// A Dialogue line showing `title` for the first `duration` seconds at the top of the rows
/// captions may use (an audiogram's title card), in the style's text colour at
/// [`TITLE_SCALE`] of its size, broken into lines that fit the safe width (the script does not
/// wrap by itself).
pub fn title_event(
    title: &str,
    style: &CaptionStyle,
    frame: (u32, u32),
    duration: f64,
    measure: &dyn TextMeasure,
) -> String {
    let (top, _) = crate::placement::caption_rows(frame);
    let size_px = base_font_size_px(style, frame) * TITLE_SCALE;
    let width = f64::from(SafeArea::for_frame(frame.0, frame.1).width()) - 2.0 * outline_px(style, frame);
    let lines = title_lines(title, width, |text| measure.advance_width(text, size_px));
    let text: Vec<String> = lines.iter().map(|line| escape_ass_text(line)).collect();
    let colour = ass_colour(&style.text_color).unwrap_or_else(|_| "&H00FFFFFF&".into());
    format!(
        "Dialogue: 1,{},{},{STYLE_NAME},,0,0,{},,{{\\an8\\fs{}\\c{colour}}}{}\n",
        format_ass_time(0),
        format_ass_time(to_centiseconds(duration)),
        top as u32,
        format_size(size_px),
        text.join("\\N")
    )
}

/// How long a closing card (a brand template's `outro`) shows at the end of a clip, seconds (at
/// most the last third of a shorter clip).
pub const OUTRO_SECONDS: f64 = 2.5;

/// Where a closing card's top sits when nothing is in the way, as a share of the frame's height:
/// just under the usual bottom captions (which end at 70 %).
pub const OUTRO_HEIGHT_SHARE: f64 = 0.72;

/// How many seconds the closing card of a clip `duration` seconds long shows, at its end.
pub fn outro_seconds(duration: f64) -> f64 {
    OUTRO_SECONDS.min(duration / 3.0)
}

/// A closing card laid out for one frame: its text broken into lines that fit the safe width,
/// at the captions' size, and the height of its ink in pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct OutroCard {
    lines: Vec<String>,
    size_px: f64,
    pub height: f64,
}

impl OutroCard {
    /// `text` laid out in `style` on a `frame` of (width, height) pixels.
    pub fn new(text: &str, style: &CaptionStyle, frame: (u32, u32), measure: &dyn TextMeasure) -> OutroCard {
        let size_px = base_font_size_px(style, frame);
        let outline = outline_px(style, frame);
        let width = f64::from(SafeArea::for_frame(frame.0, frame.1).width()) - 2.0 * outline;
        let lines = title_lines(text, width, |line| measure.advance_width(line, size_px));
        let rows = lines.len().max(1) as f64;
        let height = size_px * ((rows - 1.0) * crate::placement::LINE_HEIGHT_EM + 1.0) + 2.0 * outline;
        OutroCard { lines, size_px, height }
    }

    /// A Dialogue line showing the card with its top `top` pixels down the frame, centred
    /// across, over the last [`outro_seconds`] of a clip `duration` seconds long, fading in, in
    /// the style's highlight colour, on a layer over the captions'.
    pub fn event(&self, style: &CaptionStyle, frame: (u32, u32), duration: f64, top: f64) -> String {
        let text: Vec<String> = self.lines.iter().map(|line| escape_ass_text(line)).collect();
        let colour = ass_colour(&style.highlight_color).unwrap_or_else(|_| "&H00FFFFFF&".into());
        format!(
            "Dialogue: 2,{},{},{STYLE_NAME},,0,0,0,,{{\\an8\\pos({},{})\\fs{}\\c{colour}\\fad(200,0)}}{}\n",
            format_ass_time(to_centiseconds(duration - outro_seconds(duration))),
            format_ass_time(to_centiseconds(duration)),
            frame.0 / 2,
            top.round().max(0.0),
            format_size(self.size_px),
            text.join("\\N")
        )
    }
}

/// `title`'s words packed greedily into lines no wider than `width` (a single longer word
/// keeps its own line), at most [`TITLE_MAX_LINES`], the last ending in `…` when words are left.
fn title_lines(title: &str, width: f64, measured: impl Fn(&str) -> f64) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in title.split_whitespace() {
        let joined = lines.last().map(|line| format!("{line} {word}"));
        match joined {
            Some(longer) if measured(&longer) <= width => *lines.last_mut().expect("a line") = longer,
            _ if lines.len() == TITLE_MAX_LINES => {
                let last = lines.last_mut().expect("a line");
                last.push('…');
                break;
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// Writes the ASS file for `pages` on an output `frame` of (width, height) pixels; the words
/// of `keywords` are drawn in the style's keyword colour when it has one.
pub fn write_ass(pages: &[CaptionPage], style: &CaptionStyle, keywords: &[String], frame: (u32, u32)) -> String {
    let mut ass = String::new();
    write_script_info(&mut ass, frame);
    write_style(&mut ass, style, frame);
    write_events(&mut ass, pages, style, keywords, frame);
    ass
}

fn write_script_info(ass: &mut String, frame: (u32, u32)) {
    let (width, height) = frame;
    let _ = write!(
        ass,
        "[Script Info]\n\
         ; Written by Video-OpusClip\n\
         ScriptType: v4.00+\n\
         PlayResX: {width}\n\
         PlayResY: {height}\n\
         WrapStyle: 2\n\
         ScaledBorderAndShadow: yes\n\
         YCbCr Matrix: None\n\n"
    );
}

fn write_style(ass: &mut String, style: &CaptionStyle, frame: (u32, u32)) {
    let defaults = CaptionStyle::default();
    let safe = SafeArea::for_frame(frame.0, frame.1);
    let font = style.font.replace(',', " ");
    let size = format_size(base_font_size_px(style, frame));
    let primary = style_colour(&style.text_color, &defaults.text_color);
    let secondary = style_colour(&style.highlight_color, &defaults.highlight_color);
    let outline_colour = style_colour(&style.outline_color, &defaults.outline_color);
    let outline = format_size(f64::from(style.outline) * frame_scale(frame));
    let shadow = format_size(f64::from(style.shadow) * frame_scale(frame));
    let margin_left = safe.x0;
    let margin_right = frame.0.saturating_sub(safe.x1);
    let (alignment, margin_vertical) = placement(style.position, frame.1);
    let _ = write!(
        ass,
        "[V4+ Styles]\n\
         Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, \
         BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, \
         BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n\
         Style: {STYLE_NAME},{font},{size},{primary},{secondary},{outline_colour},&H80000000,\
         -1,0,0,0,100,100,0,0,1,{outline},{shadow},{alignment},{margin_left},{margin_right},{margin_vertical},1\n\n"
    );
}

fn write_events(ass: &mut String, pages: &[CaptionPage], style: &CaptionStyle, keywords: &[String], frame: (u32, u32)) {
    ass.push_str("[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n");
    let marks = WordMarks::new(style, base_font_size_px(style, frame), keywords);
    let mut last_end = 0;
    for page in pages {
        for event in page_events(page, &marks, &mut last_end) {
            let _ = writeln!(
                ass,
                "Dialogue: 0,{},{},{STYLE_NAME},,0,0,0,,{}",
                format_ass_time(event.start),
                format_ass_time(event.end),
                event.text
            );
        }
    }
}

/// One Dialogue event, times in centiseconds.
struct Event {
    start: u64,
    end: u64,
    text: String,
}

/// The events of one page: word `k` is highlighted from its start (the page's start for the
/// first word) to the next word's start (the page's end for the last). Boundaries are rounded
/// once and shared, and never earlier than the previous event's end, so events neither
/// overlap nor leave gaps; intervals that round to nothing are dropped.
fn page_events(page: &CaptionPage, marks: &WordMarks, last_end: &mut u64) -> Vec<Event> {
    let words: Vec<&CaptionWord> = page.words().collect();
    let mut bounds = Vec::with_capacity(words.len() + 1);
    let mut previous = to_centiseconds(page.start).max(*last_end);
    bounds.push(previous);
    let later_starts = words.iter().skip(1).map(|word| word.start);
    for time in later_starts.chain(std::iter::once(page.end)) {
        previous = to_centiseconds(time.min(page.end)).max(previous);
        bounds.push(previous);
    }
    let size_tag = marks.page_size_tag(page);
    let mut events = Vec::new();
    for (index, pair) in bounds.windows(2).enumerate() {
        if pair[0] < pair[1] {
            events.push(Event { start: pair[0], end: pair[1], text: marks.page_text(page, index, &size_tag) });
        }
    }
    *last_end = previous;
    events
}

/// A size with at most two decimals and no trailing zeros (`72`, `40.5`).
pub(crate) fn format_size(value: f64) -> String {
    let text = format!("{:.2}", (value * 100.0 + 1e-6).floor() / 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
#[path = "ass_tests.rs"]
mod tests;

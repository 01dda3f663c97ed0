//! The ASS (Advanced SubStation Alpha) writer: the caption track burned into clips by
//! libass. Each page is shown whole, with the word being spoken coloured and enlarged; one
//! Dialogue event per word interval, back to back, so the highlight moves word by word with
//! no flicker.

use crate::layout::{base_font_size_px, frame_scale, CaptionPage, CaptionWord, SafeArea};
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

/// Writes the ASS file for `pages` on an output `frame` of (width, height) pixels.
pub fn write_ass(pages: &[CaptionPage], style: &CaptionStyle, frame: (u32, u32)) -> String {
    let mut ass = String::new();
    write_script_info(&mut ass, frame);
    write_style(&mut ass, style, frame);
    write_events(&mut ass, pages, style, frame);
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
         -1,0,0,0,100,100,0,0,1,{outline},0,{alignment},{margin_left},{margin_right},{margin_vertical},1\n\n"
    );
}

fn write_events(ass: &mut String, pages: &[CaptionPage], style: &CaptionStyle, frame: (u32, u32)) {
    ass.push_str("[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n");
    let highlight = HighlightTags::new(style, base_font_size_px(style, frame));
    let mut last_end = 0;
    for page in pages {
        for event in page_events(page, &highlight, &mut last_end) {
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

/// The override tags around the spoken word.
struct HighlightTags {
    colour: String,
    scale: u32,
    base_font_size_px: f64,
}

impl HighlightTags {
    fn new(style: &CaptionStyle, base_font_size_px: f64) -> HighlightTags {
        let defaults = CaptionStyle::default();
        let colour = ass_colour(&style.highlight_color)
            .or_else(|_| ass_colour(&defaults.highlight_color))
            .unwrap_or_else(|_| "&H0000D7FF&".to_string());
        HighlightTags { colour, scale: style.highlight_scale.max(1), base_font_size_px }
    }

    /// `{\fsN}` for a page drawn smaller than the style, else nothing.
    fn page_size_tag(&self, page: &CaptionPage) -> String {
        if (page.font_size_px - self.base_font_size_px).abs() < 0.005 {
            String::new()
        } else {
            format!("\\fs{}", format_size(page.font_size_px))
        }
    }
}

/// The events of one page: word `k` is highlighted from its start (the page's start for the
/// first word) to the next word's start (the page's end for the last). Boundaries are rounded
/// once and shared, and never earlier than the previous event's end, so events neither
/// overlap nor leave gaps; intervals that round to nothing are dropped.
fn page_events(page: &CaptionPage, highlight: &HighlightTags, last_end: &mut u64) -> Vec<Event> {
    let words: Vec<&CaptionWord> = page.words().collect();
    let mut bounds = Vec::with_capacity(words.len() + 1);
    let mut previous = to_centiseconds(page.start).max(*last_end);
    bounds.push(previous);
    let later_starts = words.iter().skip(1).map(|word| word.start);
    for time in later_starts.chain(std::iter::once(page.end)) {
        previous = to_centiseconds(time.min(page.end)).max(previous);
        bounds.push(previous);
    }
    let size_tag = highlight.page_size_tag(page);
    let mut events = Vec::new();
    for (index, pair) in bounds.windows(2).enumerate() {
        if pair[0] < pair[1] {
            events.push(Event { start: pair[0], end: pair[1], text: page_text(page, index, highlight, &size_tag) });
        }
    }
    *last_end = previous;
    events
}

/// The whole page as Dialogue text with word `highlighted` (reading order) marked.
fn page_text(page: &CaptionPage, highlighted: usize, highlight: &HighlightTags, size_tag: &str) -> String {
    let mut text = String::new();
    if !size_tag.is_empty() {
        let _ = write!(text, "{{{size_tag}}}");
    }
    let mut index = 0;
    for (line_number, line) in page.lines.iter().enumerate() {
        if line_number > 0 {
            text.push_str("\\N");
        }
        for (position, word) in line.iter().enumerate() {
            if position > 0 {
                text.push(' ');
            }
            let escaped = escape_ass_text(&word.text);
            if index == highlighted {
                let scale = highlight.scale;
                let _ = write!(text, "{{\\c{}\\fscx{scale}\\fscy{scale}}}{escaped}{{\\r{size_tag}}}", highlight.colour);
            } else {
                text.push_str(&escaped);
            }
            index += 1;
        }
    }
    text
}

/// A size with at most two decimals and no trailing zeros (`72`, `40.5`).
fn format_size(value: f64) -> String {
    let text = format!("{:.2}", (value * 100.0 + 1e-6).floor() / 100.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
#[path = "ass_tests.rs"]
mod tests;

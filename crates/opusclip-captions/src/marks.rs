//! How each word of a caption page is drawn while one of them is spoken: the spoken word in
//! the highlight colour and size — at once, or popping up over [`POP_MS`] — the words already
//! spoken kept in the highlight colour for karaoke, the clip's keywords in the keyword colour,
//! and (when asked for) an emoji after one word of the page.

use crate::ass::{ass_colour, escape_ass_text, format_size};
use crate::emoji::{emoji_for, EMOJI_FONT};
use crate::layout::CaptionPage;
use opusclip_core::{CaptionAnimation, CaptionStyle};
use std::collections::HashSet;
use std::fmt::Write as _;

/// How long the spoken word takes to grow to its size with the `pop` animation, ms.
pub const POP_MS: u32 = 80;

/// The override tags of one style's words.
pub(crate) struct WordMarks {
    colour: String,
    scale: u32,
    base_font_size_px: f64,
    animation: CaptionAnimation,
    keyword_colour: Option<String>,
    keywords: HashSet<String>,
    emoji: bool,
}

/// A word as keywords are compared: lower-case letters and digits only.
pub fn keyword_key(text: &str) -> String {
    text.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

impl WordMarks {
    pub(crate) fn new(style: &CaptionStyle, base_font_size_px: f64, keywords: &[String]) -> WordMarks {
        let defaults = CaptionStyle::default();
        let colour = ass_colour(&style.highlight_color)
            .or_else(|_| ass_colour(&defaults.highlight_color))
            .unwrap_or_else(|_| "&H0000D7FF&".to_string());
        let keyword_colour = style.keyword_color.as_deref().and_then(|rgb| ass_colour(rgb).ok());
        let keywords = keywords.iter().map(|word| keyword_key(word)).filter(|key| key.len() >= 3).collect();
        WordMarks {
            colour,
            scale: style.highlight_scale.max(1),
            base_font_size_px,
            animation: style.animation,
            keyword_colour,
            keywords,
            emoji: style.emoji,
        }
    }

    /// The word of `page` (reading order) followed by an emoji, and the emoji: the first word
    /// that has one, a keyword first; none unless the style asks for emoji.
    fn page_emoji(&self, page: &CaptionPage) -> Option<(usize, &'static str)> {
        if !self.emoji {
            return None;
        }
        let words: Vec<(usize, &'static str, bool)> = page
            .lines
            .iter()
            .flatten()
            .enumerate()
            .filter_map(|(index, word)| {
                emoji_for(&word.text).map(|emoji| (index, emoji, self.keywords.contains(&keyword_key(&word.text))))
            })
            .collect();
        let keyword = words.iter().find(|(_, _, keyword)| *keyword);
        keyword.or(words.first()).map(|&(index, emoji, _)| (index, emoji))
    }

    /// `{\fsN}` for a page drawn smaller than the style, else nothing.
    pub(crate) fn page_size_tag(&self, page: &CaptionPage) -> String {
        if (page.font_size_px - self.base_font_size_px).abs() < 0.005 {
            String::new()
        } else {
            format!("\\fs{}", format_size(page.font_size_px))
        }
    }

    /// The whole page as Dialogue text while word `spoken` (reading order) is spoken.
    pub(crate) fn page_text(&self, page: &CaptionPage, spoken: usize, size_tag: &str) -> String {
        let mut text = String::new();
        if !size_tag.is_empty() {
            let _ = write!(text, "{{{size_tag}}}");
        }
        let emoji = self.page_emoji(page);
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
                match self.word_tags(index, spoken, &word.text) {
                    Some(tags) => {
                        let _ = write!(text, "{{{tags}}}{escaped}{{\\r{size_tag}}}");
                    }
                    None => text.push_str(&escaped),
                }
                if let Some((_, picture)) = emoji.filter(|(at, _)| *at == index) {
                    let _ = write!(text, " {{\\fn{EMOJI_FONT}}}{picture}{{\\r{size_tag}}}");
                }
                index += 1;
            }
        }
        text
    }

    /// The tags of word `index` while word `spoken` is spoken, or `None` for a plain word.
    fn word_tags(&self, index: usize, spoken: usize, text: &str) -> Option<String> {
        let scale = self.scale;
        if index == spoken {
            return Some(match self.animation {
                CaptionAnimation::Pop => {
                    format!("\\c{}\\fscx100\\fscy100\\t(0,{POP_MS},\\fscx{scale}\\fscy{scale})", self.colour)
                }
                CaptionAnimation::None | CaptionAnimation::Karaoke => {
                    format!("\\c{}\\fscx{scale}\\fscy{scale}", self.colour)
                }
            });
        }
        if index < spoken && self.animation == CaptionAnimation::Karaoke {
            return Some(format!("\\c{}", self.colour));
        }
        let colour = self.keyword_colour.as_ref()?;
        self.keywords.contains(&keyword_key(text)).then(|| format!("\\c{colour}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::CaptionWord;

    fn page() -> CaptionPage {
        let word = |text: &str, start: f64| CaptionWord { text: text.into(), start, end: start + 0.3 };
        CaptionPage {
            start: 0.0,
            end: 2.0,
            lines: vec![vec![word("Pricing", 0.0), word("beats", 0.4)], vec![word("growth.", 0.8)]],
            font_size_px: 72.0,
        }
    }

    fn marks(animation: CaptionAnimation, keyword_color: Option<&str>) -> WordMarks {
        let style =
            CaptionStyle { animation, keyword_color: keyword_color.map(String::from), ..CaptionStyle::default() };
        WordMarks::new(&style, 72.0, &["pricing".into(), "growth".into(), "a".into()])
    }

    #[test]
    fn the_spoken_word_is_coloured_and_enlarged() {
        let text = marks(CaptionAnimation::None, None).page_text(&page(), 1, "");
        assert_eq!(text, "Pricing {\\c&H0000D7FF&\\fscx115\\fscy115}beats{\\r} \\Ngrowth.".replace(" \\N", "\\N"));
    }

    #[test]
    fn pop_grows_the_spoken_word_from_its_start() {
        let text = marks(CaptionAnimation::Pop, None).page_text(&page(), 0, "");
        assert!(
            text.starts_with("{\\c&H0000D7FF&\\fscx100\\fscy100\\t(0,80,\\fscx115\\fscy115)}Pricing{\\r}"),
            "{text}"
        );
    }

    #[test]
    fn karaoke_keeps_the_words_already_spoken_coloured() {
        let text = marks(CaptionAnimation::Karaoke, None).page_text(&page(), 2, "");
        assert_eq!(text.matches("\\c&H0000D7FF&").count(), 3, "{text}");
        let first = marks(CaptionAnimation::Karaoke, None).page_text(&page(), 0, "");
        assert_eq!(first.matches("\\c&H0000D7FF&").count(), 1, "{first}");
    }

    #[test]
    fn keywords_take_the_keyword_colour_unless_spoken() {
        let text = marks(CaptionAnimation::None, Some("00E5FF")).page_text(&page(), 1, "");
        assert!(text.starts_with("{\\c&H00FFE500&}Pricing{\\r}"), "{text}");
        assert!(text.ends_with("{\\c&H00FFE500&}growth.{\\r}"), "punctuation aside: {text}");
        let without = marks(CaptionAnimation::None, None).page_text(&page(), 1, "");
        assert!(!without.contains("FFE500"), "no keyword colour, no keyword marks: {without}");
        assert_eq!(keyword_key("Growth,"), "growth");
    }

    #[test]
    fn emoji_follow_one_word_per_page_a_keyword_first_and_only_when_asked() {
        let asked = CaptionStyle { emoji: true, ..CaptionStyle::default() };
        let word = |text: &str, start: f64| CaptionWord { text: text.into(), start, end: start + 0.3 };
        let page = CaptionPage {
            start: 0.0,
            end: 2.0,
            lines: vec![vec![word("Money", 0.0), word("and", 0.4)], vec![word("growth.", 0.8), word("ideas", 1.2)]],
            font_size_px: 72.0,
        };
        let plain = WordMarks::new(&asked, 72.0, &[]).page_text(&page, 1, "");
        assert!(plain.starts_with("Money {\\fnSymbola}💰{\\r} "), "{plain}");
        assert_eq!(plain.matches("{\\fnSymbola}").count(), 1, "one per page: {plain}");
        let keyed = WordMarks::new(&asked, 72.0, &["growth".into()]).page_text(&page, 0, "");
        assert!(keyed.contains("growth. {\\fnSymbola}📈{\\r}"), "the keyword's emoji: {keyed}");
        assert!(!keyed.contains("💰"), "{keyed}");
        let off = WordMarks::new(&CaptionStyle::default(), 72.0, &[]).page_text(&page, 1, "");
        assert!(!off.contains("Symbola"), "{off}");
        assert_eq!(crate::emoji::emoji_for("Idea!"), Some("💡"));
        assert_eq!(crate::emoji::emoji_for("table"), None);
    }
}

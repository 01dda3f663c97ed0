//! Text measuring: how wide a run of text is when drawn at a given font size. Line breaking
//! uses it so that no caption line ever leaves the safe area.
//!
//! Two measurers: [`FontMetrics`], read from the bytes of the TrueType/OpenType font that the
//! renderer will use, and [`ApproxMetrics`], a built-in approximation of DejaVu Sans Bold for
//! when no font file can be found.
//!
//! Widths are horizontal advances at `font_size_px` pixels per em, without kerning. libass
//! sizes a font so that its ascent plus descent (not its em) equals the ASS font size, which
//! draws the em a little smaller than `font_size_px`; measured widths are therefore a slight
//! over-estimate, a margin that also absorbs kerning and hinting differences.

use opusclip_core::{Error, Result};
use std::collections::HashMap;

/// Measures the advance width of text.
pub trait TextMeasure {
    /// Width in pixels of `text` drawn at `font_size_px` pixels per em.
    fn advance_width(&self, text: &str, font_size_px: f64) -> f64;
}

/// Horizontal advances read out of a font file; owns its data (no borrow of the font bytes).
#[derive(Debug, Clone, PartialEq)]
pub struct FontMetrics {
    units_per_em: f64,
    advances: HashMap<char, u16>,
    fallback_advance: f64,
}

impl FontMetrics {
    /// Reads units per em and the advance of every character the font maps. Characters the
    /// font lacks measure as the font's `.notdef` glyph (or half an em when that is empty).
    pub fn from_ttf_bytes(bytes: &[u8]) -> Result<FontMetrics> {
        let face = ttf_parser::Face::parse(bytes, 0)
            .map_err(|e| Error::invalid_input(format!("not a usable TrueType/OpenType font: {e}")))?;
        let units_per_em = f64::from(face.units_per_em());
        if units_per_em <= 0.0 {
            return Err(Error::invalid_input("font declares zero units per em"));
        }
        let advances = character_advances(&face);
        if advances.is_empty() {
            return Err(Error::invalid_input("font has no Unicode character map with horizontal advances"));
        }
        let notdef_advance = face.glyph_hor_advance(ttf_parser::GlyphId(0)).map_or(0.0, f64::from);
        let fallback_advance = if notdef_advance > 0.0 { notdef_advance } else { units_per_em / 2.0 };
        Ok(FontMetrics { units_per_em, advances, fallback_advance })
    }

    /// The family name the font declares (its typographic family when it has one), as a
    /// subtitle renderer looks it up.
    pub fn family_name(bytes: &[u8]) -> Result<String> {
        let face = ttf_parser::Face::parse(bytes, 0)
            .map_err(|e| Error::invalid_input(format!("not a usable TrueType/OpenType font: {e}")))?;
        let named =
            |id: u16| face.names().into_iter().filter(|name| name.name_id == id).find_map(|name| name.to_string());
        named(ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
            .or_else(|| named(ttf_parser::name_id::FAMILY))
            .map(|family| family.trim().to_string())
            .filter(|family| !family.is_empty())
            .ok_or_else(|| Error::invalid_input("the font declares no family name"))
    }

    /// Font design units per em.
    pub fn units_per_em(&self) -> f64 {
        self.units_per_em
    }

    /// Whether the font has a glyph for `character`.
    pub fn has_glyph(&self, character: char) -> bool {
        self.advances.contains_key(&character)
    }

    fn advance_units(&self, character: char) -> f64 {
        if is_zero_width(character) {
            return 0.0;
        }
        self.advances.get(&character).map_or(self.fallback_advance, |&units| f64::from(units))
    }
}

impl TextMeasure for FontMetrics {
    fn advance_width(&self, text: &str, font_size_px: f64) -> f64 {
        let units: f64 = text.chars().map(|c| self.advance_units(c)).sum();
        units * font_size_px / self.units_per_em
    }
}

/// Advance of every Unicode character mapped by the face's Unicode cmap subtables.
fn character_advances(face: &ttf_parser::Face<'_>) -> HashMap<char, u16> {
    let mut advances = HashMap::new();
    let Some(cmap) = face.tables().cmap else {
        return advances;
    };
    for subtable in cmap.subtables {
        if !subtable.is_unicode() {
            continue;
        }
        subtable.codepoints(|codepoint| {
            let Some(character) = char::from_u32(codepoint) else {
                return;
            };
            if advances.contains_key(&character) {
                return;
            }
            let advance = subtable.glyph_index(codepoint).and_then(|glyph| face.glyph_hor_advance(glyph));
            if let Some(advance) = advance {
                advances.insert(character, advance);
            }
        });
    }
    advances
}

/// Characters that take no horizontal space (joiners, marks used only for shaping).
fn is_zero_width(character: char) -> bool {
    matches!(
        character,
        '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' | '\u{0300}'..='\u{036F}'
    )
}

/// A built-in approximation of DejaVu Sans Bold's advances, used when no font file is found.
/// Characters are grouped into width classes; the approximation errs on the wide side.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ApproxMetrics;

impl ApproxMetrics {
    /// Approximate advance of `character` in ems.
    pub fn advance_em(character: char) -> f64 {
        if is_zero_width(character) {
            return 0.0;
        }
        match character {
            ' ' | '\u{00A0}' => 0.35,
            'i' | 'j' | 'l' => 0.35,
            'I' | 'J' => 0.38,
            '\'' | '\u{2019}' | '\u{2018}' => 0.36,
            '.' | ',' | '|' | '/' | '\\' => 0.38,
            ':' | ';' => 0.40,
            '-' => 0.42,
            '!' | '(' | ')' | '[' | ']' => 0.46,
            'f' | 't' => 0.46,
            'r' => 0.50,
            '"' | '\u{201C}' | '\u{201D}' => 0.60,
            'c' | 's' | 'z' => 0.60,
            'm' => 1.04,
            'w' => 0.93,
            'M' => 1.0,
            'W' => 1.11,
            'a'..='z' => 0.69,
            'A'..='Z' => 0.78,
            '0'..='9' => 0.70,
            '?' => 0.59,
            '{' | '}' => 0.71,
            '%' | '@' | '\u{2026}' | '\u{2014}' => 1.0,
            c if is_wide_script(c) => 1.0,
            c if c.is_alphabetic() => 0.74,
            _ => 0.84,
        }
    }
}

impl TextMeasure for ApproxMetrics {
    fn advance_width(&self, text: &str, font_size_px: f64) -> f64 {
        let ems: f64 = text.chars().map(ApproxMetrics::advance_em).sum();
        ems * font_size_px
    }
}

/// CJK ideographs, kana, hangul and full-width forms: one em each.
fn is_wide_script(character: char) -> bool {
    matches!(
        character,
        '\u{1100}'..='\u{11FF}'
            | '\u{2E80}'..='\u{9FFF}'
            | '\u{AC00}'..='\u{D7AF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF00}'..='\u{FF60}'
            | '\u{20000}'..='\u{3FFFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEJAVU_BOLD: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

    fn dejavu_bold() -> Option<FontMetrics> {
        match std::fs::read(DEJAVU_BOLD) {
            Ok(bytes) => Some(FontMetrics::from_ttf_bytes(&bytes).expect("DejaVu parses")),
            Err(e) => {
                println!("skipped: {DEJAVU_BOLD} not readable ({e}); install fonts-dejavu-core");
                None
            }
        }
    }

    #[test]
    fn rejects_bytes_that_are_not_a_font() {
        assert!(FontMetrics::from_ttf_bytes(b"definitely not a font").is_err());
        assert!(FontMetrics::from_ttf_bytes(&[]).is_err());
        assert!(FontMetrics::family_name(b"definitely not a font").is_err());
    }

    #[test]
    fn a_font_file_names_its_family() {
        let Ok(bytes) = std::fs::read(DEJAVU_BOLD) else { return };
        assert_eq!(FontMetrics::family_name(&bytes).unwrap(), "DejaVu Sans");
    }

    #[test]
    fn real_font_wide_letters_are_wider_than_narrow_ones() {
        let Some(font) = dejavu_bold() else { return };
        assert!(font.advance_width("W", 72.0) > 2.0 * font.advance_width("i", 72.0));
        assert!(font.advance_width("m", 72.0) > font.advance_width("n", 72.0));
        assert!(font.has_glyph('a') && !font.has_glyph('\u{10FFFD}'));
    }

    #[test]
    fn real_font_width_scales_linearly_with_size() {
        let Some(font) = dejavu_bold() else { return };
        let small = font.advance_width("Scaling text", 36.0);
        let large = font.advance_width("Scaling text", 108.0);
        assert!(small > 0.0);
        assert!((large - 3.0 * small).abs() < 1e-9, "{small} {large}");
    }

    #[test]
    fn real_font_missing_glyphs_use_the_fallback_advance() {
        let Some(font) = dejavu_bold() else { return };
        let missing = font.advance_width("\u{10FFFD}", 100.0);
        assert!(missing > 0.0);
        assert_eq!(font.advance_width("\u{200B}", 100.0), 0.0);
    }

    #[test]
    fn approximation_is_close_to_the_real_font() {
        let Some(font) = dejavu_bold() else { return };
        let samples = [
            "So the thing nobody tells you about building a company is this!",
            "WE MEASURED EVERY WORD, AND THE RESULTS WERE SURPRISING.",
            "minimum jitter with 42 windows",
        ];
        for sample in samples {
            let real = font.advance_width(sample, 72.0);
            let approx = ApproxMetrics.advance_width(sample, 72.0);
            let error = (approx - real).abs() / real;
            assert!(error < 0.15, "{sample:?}: approx {approx:.1} real {real:.1}");
        }
    }

    #[test]
    fn approximation_orders_classes_as_the_brief_says() {
        let em = ApproxMetrics::advance_em;
        assert!(em('i') < em('a') && em('a') < em('m'));
        assert!(em('.') < em('a') && em('W') > em('A'));
        assert!((em(' ') - 0.35).abs() < 1e-9);
        assert!((ApproxMetrics.advance_width("ab", 10.0) - 13.8).abs() < 1e-9);
    }
}

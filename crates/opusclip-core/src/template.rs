//! Brand template files for `opusclip clip --template FILE` (TOML, or JSON when the file ends
//! in `.json` or starts with `{`): a caption look built on a preset — font, size, colours,
//! outline, shadow, spoken-word scale and animation, keyword colour, lines, capitals, position —
//! an optional closing card (`outro`) and an optional watermark. Unknown keys and out-of-range values are refused naming them.
//!
//! ```toml
//! base = "bold"
//! text_color = "FFFFFF"
//! highlight_color = "FF3366"
//! keyword_color = "00E5FF"
//! animation = "pop"
//! shadow = 3
//! uppercase = true
//! emoji = true        # an emoji after one strong word per caption ("money 💰")
//! position = "auto"
//!
//! font_file = "Brand-Bold.ttf" # relative to the template's folder; its family is used
//! outro = "Follow @studio for more" # a closing card over each clip's last seconds
//!
//! [watermark]
//! image = "logo.png"        # relative to the template's folder
//! corner = "top-right"
//! width = 0.15              # share of the output width
//! opacity = 0.85
//! ```

use crate::brand::{CaptionAnimation, Watermark};
use crate::{caption_style_named, CaptionPosition, CaptionStyle, Error, Result, DEFAULT_CAPTION_STYLE};
use serde::Deserialize;
use std::path::Path;

/// A template file's largest accepted size.
pub const MAX_TEMPLATE_BYTES: u64 = 64 * 1024;

/// What a template sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub style: CaptionStyle,
    pub watermark: Option<Watermark>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateFile {
    base: Option<String>,
    font: Option<String>,
    font_size: Option<u32>,
    text_color: Option<String>,
    highlight_color: Option<String>,
    outline_color: Option<String>,
    outline: Option<u32>,
    shadow: Option<u32>,
    highlight_scale: Option<u32>,
    max_lines: Option<u32>,
    uppercase: Option<bool>,
    position: Option<String>,
    animation: Option<CaptionAnimation>,
    keyword_color: Option<String>,
    font_file: Option<String>,
    outro: Option<String>,
    emoji: Option<bool>,
    watermark: Option<Watermark>,
}

/// The longest closing card, in characters.
pub const MAX_OUTRO_CHARS: usize = 80;

/// Reads the template at `path`; a watermark image and a font file are taken relative to the
/// template's folder and must exist.
pub fn read_template(path: &Path) -> Result<Template> {
    let refuse = |what: String| Error::invalid_input(format!("template {}: {what}", path.display()));
    let size = std::fs::metadata(path).map_err(|e| refuse(format!("cannot be read ({e})")))?.len();
    if size > MAX_TEMPLATE_BYTES {
        return Err(refuse(format!("{size} bytes; a template is at most {MAX_TEMPLATE_BYTES}")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| refuse(format!("cannot be read as text ({e})")))?;
    let is_json = path.extension().is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
    let mut template = parse_template(&text, is_json).map_err(|error| refuse(error.to_string()))?;
    if let Some(watermark) = template.watermark.as_mut() {
        let image = path.parent().unwrap_or(Path::new(".")).join(&watermark.image);
        if !image.is_file() {
            return Err(refuse(format!("its watermark image {} is not there", image.display())));
        }
        let image = std::fs::canonicalize(&image).unwrap_or(image);
        watermark.image = image.display().to_string();
    }
    if let Some(font_file) = template.style.font_file.as_mut() {
        let file = path.parent().unwrap_or(Path::new(".")).join(&*font_file);
        if !file.is_file() {
            return Err(refuse(format!("its font file {} is not there", file.display())));
        }
        let file = std::fs::canonicalize(&file).unwrap_or(file);
        *font_file = file.display().to_string();
    }
    Ok(template)
}

/// Parses a template's text (JSON when `is_json` or when it starts with `{`, else TOML).
///
/// ```
/// use opusclip_core::template::parse_template;
/// let template = parse_template("base = \"punch\"\nanimation = \"karaoke\"\nshadow = 2", false)?;
/// assert!(template.style.uppercase, "punch's capitals are kept");
/// assert_eq!(template.style.shadow, 2);
/// assert!(parse_template("colour = \"red\"", false).is_err(), "unknown keys are refused");
/// # Ok::<(), opusclip_core::Error>(())
/// ```
pub fn parse_template(text: &str, is_json: bool) -> Result<Template> {
    let file: TemplateFile = if is_json || text.trim_start().starts_with('{') {
        serde_json::from_str(text).map_err(|e| Error::invalid_input(format!("not valid template JSON: {e}")))?
    } else {
        toml::from_str(text).map_err(|e| {
            let line = e.span().and_then(|span| text.get(..span.start)).map(|before| before.lines().count().max(1));
            let quoted = line.and_then(|number| text.lines().nth(number - 1)).map(str::trim).unwrap_or_default();
            Error::invalid_input(format!("not valid template TOML at `{quoted}`: {}", e.message()))
        })?
    };
    let mut style = caption_style_named(file.base.as_deref().unwrap_or(DEFAULT_CAPTION_STYLE))?;
    style.enabled = true;
    if let Some(font) = file.font.filter(|font| !font.trim().is_empty()) {
        style.font = font.trim().to_string();
    }
    set_number(&mut style.font_size, file.font_size, "font_size", 12, 200)?;
    set_number(&mut style.outline, file.outline, "outline", 0, 20)?;
    set_number(&mut style.shadow, file.shadow, "shadow", 0, 20)?;
    set_number(&mut style.highlight_scale, file.highlight_scale, "highlight_scale", 100, 200)?;
    set_number(&mut style.max_lines, file.max_lines, "max_lines", 1, 3)?;
    set_colour(&mut style.text_color, file.text_color, "text_color")?;
    set_colour(&mut style.highlight_color, file.highlight_color, "highlight_color")?;
    set_colour(&mut style.outline_color, file.outline_color, "outline_color")?;
    if let Some(colour) = file.keyword_color {
        style.keyword_color = Some(checked_colour(&colour, "keyword_color")?);
    }
    if let Some(emoji) = file.emoji {
        style.emoji = emoji;
    }
    if let Some(uppercase) = file.uppercase {
        style.uppercase = uppercase;
    }
    if let Some(position) = file.position {
        style.position = CaptionPosition::parse(&position)?;
    }
    if let Some(animation) = file.animation {
        style.animation = animation;
    }
    style.font_file = file.font_file.map(|name| name.trim().to_string()).filter(|name| !name.is_empty());
    style.outro = checked_outro(file.outro)?;
    if let Some(watermark) = &file.watermark {
        watermark.check()?;
    }
    Ok(Template { style, watermark: file.watermark })
}

/// The closing card's text, trimmed (`None` when empty); refused when longer than
/// [`MAX_OUTRO_CHARS`] or holding a line break or a control character.
fn checked_outro(outro: Option<String>) -> Result<Option<String>> {
    let Some(text) = outro.map(|text| text.trim().to_string()).filter(|text| !text.is_empty()) else {
        return Ok(None);
    };
    if text.chars().count() > MAX_OUTRO_CHARS || text.chars().any(char::is_control) {
        return Err(Error::invalid_input(format!(
            "outro {text:?}: give one line of at most {MAX_OUTRO_CHARS} characters"
        )));
    }
    Ok(Some(text))
}

fn set_number(field: &mut u32, value: Option<u32>, name: &str, low: u32, high: u32) -> Result<()> {
    match value {
        None => Ok(()),
        Some(value) if (low..=high).contains(&value) => {
            *field = value;
            Ok(())
        }
        Some(value) => Err(Error::invalid_input(format!("{name} {value}: give {low} to {high}"))),
    }
}

fn set_colour(field: &mut String, value: Option<String>, name: &str) -> Result<()> {
    if let Some(value) = value {
        *field = checked_colour(&value, name)?;
    }
    Ok(())
}

/// `RRGGBB` (a leading `#` dropped), or a refusal naming the field.
fn checked_colour(value: &str, name: &str) -> Result<String> {
    let hex = value.trim().trim_start_matches('#');
    if hex.len() == 6 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
        Ok(hex.to_ascii_uppercase())
    } else {
        Err(Error::invalid_input(format!("{name} {value:?}: give a colour as RRGGBB hex, e.g. FFD700")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brand::Corner;

    #[test]
    fn a_toml_template_sets_the_look_and_the_watermark() {
        let text = "base = \"clean\"\nfont_size = 80\nhighlight_color = \"#ff3366\"\nkeyword_color = \"00e5ff\"\n\
                    animation = \"pop\"\nposition = \"top\"\n[watermark]\nimage = \"logo.png\"\ncorner = \"bottom-left\"\n";
        let template = parse_template(text, false).unwrap();
        assert_eq!(template.style.font_size, 80);
        assert_eq!(template.style.highlight_color, "FF3366");
        assert_eq!(template.style.keyword_color.as_deref(), Some("00E5FF"));
        assert_eq!(template.style.animation, CaptionAnimation::Pop);
        assert_eq!(template.style.position, CaptionPosition::Top);
        assert_eq!(template.style.outline, 3, "clean's outline is kept");
        let watermark = template.watermark.unwrap();
        assert_eq!((watermark.corner, watermark.width, watermark.opacity), (Corner::BottomLeft, 0.15, 0.85));
    }

    #[test]
    fn an_outro_is_one_short_line() {
        let template = parse_template("outro = \"  Follow @studio for more \"", false).unwrap();
        assert_eq!(template.style.outro.as_deref(), Some("Follow @studio for more"));
        assert_eq!(parse_template("outro = \"\"", false).unwrap().style.outro, None);
        assert!(parse_template("outro = \"two\\nlines\"", false).is_err());
        assert!(parse_template(&format!("outro = \"{}\"", "x".repeat(81)), false).is_err());
    }

    #[test]
    fn json_is_read_too() {
        let template = parse_template(r#"{"animation": "karaoke", "uppercase": true}"#, false).unwrap();
        assert_eq!(template.style.animation, CaptionAnimation::Karaoke);
        assert!(template.style.uppercase);
        assert_eq!(template.style.font_size, 72, "the bold base");
    }

    #[test]
    fn bad_values_are_refused_by_name() {
        for (text, named) in [
            ("font_size = 400", "font_size"),
            ("highlight_color = \"gold\"", "highlight_color"),
            ("animation = \"spin\"", "animation"),
            ("base = \"comic\"", "comic"),
            ("position = \"95%\"", "95%"),
            ("[watermark]\nimage = \"a.png\"\nopacity = 2.0", "opacity"),
            ("[watermark]\ncorner = \"top-right\"", "image"),
            ("shadows = 2", "shadows"),
        ] {
            let error = parse_template(text, false).expect_err(text).to_string();
            assert!(error.contains(named), "{text}: {error}");
        }
    }

    #[test]
    fn a_watermark_image_is_found_beside_the_template() {
        let dir = std::env::temp_dir().join(format!("opusclip-template-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let template_path = dir.join("brand.toml");
        std::fs::write(&template_path, "[watermark]\nimage = \"logo.png\"\n").unwrap();
        let missing = read_template(&template_path).expect_err("no logo yet").to_string();
        assert!(missing.contains("logo.png") && missing.contains("not there"), "{missing}");
        std::fs::write(dir.join("logo.png"), b"png").unwrap();
        let template = read_template(&template_path).unwrap();
        assert!(template.watermark.unwrap().image.ends_with("logo.png"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

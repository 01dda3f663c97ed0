//! The named caption looks (`bold`, `clean`, `punch`, `single`, plus `none`): the one table that
//! `opusclip clip --caption-style`, the service's `caption_style` field and the web page share.

use crate::error::{Error, Result};
use crate::spec::CaptionStyle;
use serde_json::{json, Value};

/// One named caption look: the [`CaptionStyle`] fields it sets (the font stays the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaptionPreset {
    /// As written on the command line and in the API, e.g. `bold`.
    pub name: &'static str,
    /// What a person reads in a list, e.g. "Bold, yellow spoken word".
    pub label: &'static str,
    pub font_size: u32,
    pub text_color: &'static str,
    pub highlight_color: &'static str,
    pub outline_color: &'static str,
    pub outline: u32,
    pub highlight_scale: u32,
    pub max_lines: u32,
    pub uppercase: bool,
}

/// The caption looks, the default (`CaptionStyle::default()`) first.
pub const CAPTION_PRESETS: [CaptionPreset; 4] = [
    CaptionPreset {
        name: "bold",
        label: "Bold, yellow spoken word",
        font_size: 72,
        text_color: "FFFFFF",
        highlight_color: "FFD700",
        outline_color: "000000",
        outline: 5,
        highlight_scale: 115,
        max_lines: 2,
        uppercase: false,
    },
    CaptionPreset {
        name: "clean",
        label: "Clean white",
        font_size: 60,
        text_color: "FFFFFF",
        highlight_color: "FFFFFF",
        outline_color: "000000",
        outline: 3,
        highlight_scale: 100,
        max_lines: 2,
        uppercase: false,
    },
    CaptionPreset {
        name: "punch",
        label: "Capitals, green spoken word",
        font_size: 80,
        text_color: "FFFFFF",
        highlight_color: "39FF14",
        outline_color: "000000",
        outline: 6,
        highlight_scale: 120,
        max_lines: 2,
        uppercase: true,
    },
    CaptionPreset {
        name: "single",
        label: "One line, cyan spoken word",
        font_size: 68,
        text_color: "FFFFFF",
        highlight_color: "00E5FF",
        outline_color: "000000",
        outline: 5,
        highlight_scale: 110,
        max_lines: 1,
        uppercase: false,
    },
];

/// The look used when none is asked for.
pub const DEFAULT_CAPTION_STYLE: &str = "bold";

/// The name that turns burned-in captions off (SRT/VTT are still written).
pub const NO_CAPTIONS: &str = "none";

/// What a person reads for [`NO_CAPTIONS`] in a list.
pub const NO_CAPTIONS_LABEL: &str = "No captions";

impl CaptionPreset {
    /// The preset called `name` (not `none`).
    pub fn find(name: &str) -> Option<&'static CaptionPreset> {
        CAPTION_PRESETS.iter().find(|preset| preset.name == name)
    }

    /// The full style: this look on the default font, captions on.
    pub fn style(&self) -> CaptionStyle {
        CaptionStyle {
            enabled: true,
            font_size: self.font_size,
            text_color: self.text_color.into(),
            highlight_color: self.highlight_color.into(),
            outline_color: self.outline_color.into(),
            outline: self.outline,
            highlight_scale: self.highlight_scale,
            max_lines: self.max_lines,
            uppercase: self.uppercase,
            ..CaptionStyle::default()
        }
    }

    /// Whether `style` has this look (font aside).
    pub fn matches(&self, style: &CaptionStyle) -> bool {
        let mut same = self.style();
        same.font.clone_from(&style.font);
        style.enabled && &same == style
    }
}

/// Every name `--caption-style` / `caption_style` takes: the presets, then `none`.
pub fn caption_style_names() -> Vec<&'static str> {
    CAPTION_PRESETS.iter().map(|preset| preset.name).chain([NO_CAPTIONS]).collect()
}

/// The style a name stands for (case and surrounding spaces ignored); `none` is the default look
/// with captions off. An unknown name is `INVALID_INPUT_ERROR` listing the valid ones.
pub fn caption_style_named(name: &str) -> Result<CaptionStyle> {
    let normalized = name.trim().to_ascii_lowercase();
    if normalized == NO_CAPTIONS {
        return Ok(CaptionStyle { enabled: false, ..CaptionStyle::default() });
    }
    CaptionPreset::find(&normalized).map(CaptionPreset::style).ok_or_else(|| {
        let valid = caption_style_names();
        Error::invalid_input(format!("unknown caption style {name:?}: use one of {}", valid.join(", ")))
            .with_details(json!({ "field": "caption_style", "value": name, "valid": valid }))
    })
}

/// The name of the look `style` has: a preset, `none` when captions are off, `None` for a
/// custom look.
pub fn caption_style_name(style: &CaptionStyle) -> Option<&'static str> {
    if !style.enabled {
        return Some(NO_CAPTIONS);
    }
    CAPTION_PRESETS.iter().find(|preset| preset.matches(style)).map(|preset| preset.name)
}

/// The table as JSON for the web page: `[{name, label, look}]` in order, `none` last, `look`
/// holding the [`CaptionStyle`] fields each sets (`none`: `{enabled: false}`).
pub fn caption_presets_json() -> Value {
    let mut table = Vec::new();
    for preset in &CAPTION_PRESETS {
        let look = json!({
            "enabled": true,
            "font_size": preset.font_size,
            "text_color": preset.text_color,
            "highlight_color": preset.highlight_color,
            "outline_color": preset.outline_color,
            "outline": preset.outline,
            "highlight_scale": preset.highlight_scale,
            "max_lines": preset.max_lines,
            "uppercase": preset.uppercase,
        });
        table.push(json!({ "name": preset.name, "label": preset.label, "look": look }));
    }
    table.push(json!({ "name": NO_CAPTIONS, "label": NO_CAPTIONS_LABEL, "look": { "enabled": false } }));
    Value::Array(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_look_is_the_default_preset() {
        assert_eq!(caption_style_named(DEFAULT_CAPTION_STYLE).unwrap(), CaptionStyle::default());
        assert_eq!(caption_style_name(&CaptionStyle::default()), Some(DEFAULT_CAPTION_STYLE));
    }

    #[test]
    fn names_parse_round_trip_and_unknown_ones_list_the_valid() {
        for name in caption_style_names() {
            let style = caption_style_named(name).unwrap();
            assert_eq!(caption_style_name(&style), Some(name), "{name} round-trips");
        }
        let punch = caption_style_named(" Punch ").unwrap();
        assert!(punch.uppercase && punch.enabled && punch.highlight_color == "39FF14");
        assert!(!caption_style_named("NONE").unwrap().enabled);
        let error = caption_style_named("comic").unwrap_err();
        assert_eq!(error.code(), crate::ErrorCode::InvalidInput);
        assert!(error.to_string().contains("bold, clean, punch, single, none"), "{error}");
        assert_eq!(error.to_body()["details"]["valid"], json!(["bold", "clean", "punch", "single", "none"]));
    }

    #[test]
    fn a_custom_look_has_no_name_and_the_json_table_has_every_field() {
        let custom = CaptionStyle { font_size: 50, ..CaptionStyle::default() };
        assert_eq!(caption_style_name(&custom), None);
        let table = caption_presets_json();
        let names: Vec<&str> = table.as_array().unwrap().iter().filter_map(|p| p["name"].as_str()).collect();
        assert_eq!(names, caption_style_names());
        let style = serde_json::to_value(caption_style_named("single").unwrap()).unwrap();
        for (field, value) in table[3]["look"].as_object().unwrap() {
            assert_eq!(&style[field], value, "{field} is a CaptionStyle field with the preset's value");
        }
    }
}

//! The loudness a clip's audio is brought to: a platform preset or a number of LUFS, as
//! `--loudness`, the service's `loudness` field and a spec's `loudness` name it.

use crate::{Error, Result};

/// TikTok, Instagram Reels, YouTube Shorts and YouTube all play back at about −14 LUFS.
pub const DEFAULT_LOUDNESS_LUFS: f64 = -14.0;

/// The range of targets accepted, LUFS.
pub const LOUDNESS_RANGE_LUFS: (f64, f64) = (-40.0, -5.0);

/// The presets by name, with their integrated loudness in LUFS.
pub const LOUDNESS_PRESETS: [(&str, f64); 7] = [
    ("tiktok", -14.0),
    ("reels", -14.0),
    ("instagram", -14.0),
    ("shorts", -14.0),
    ("youtube", -14.0),
    ("podcast", -16.0),
    ("broadcast", -23.0),
];

/// Reads a loudness target: `off` (keep the recorded level), a preset name, or a number of
/// LUFS from −40 to −5 (`-16` or `-16LUFS`).
///
/// ```
/// use opusclip_core::parse_loudness;
/// assert_eq!(parse_loudness("tiktok")?, Some(-14.0));
/// assert_eq!(parse_loudness("-16 LUFS")?, Some(-16.0));
/// assert_eq!(parse_loudness("off")?, None);
/// assert!(parse_loudness("-2").is_err());
/// # Ok::<(), opusclip_core::Error>(())
/// ```
pub fn parse_loudness(text: &str) -> Result<Option<f64>> {
    let lowered = text.trim().to_ascii_lowercase();
    if matches!(lowered.as_str(), "off" | "none" | "original") {
        return Ok(None);
    }
    if let Some((_, lufs)) = LOUDNESS_PRESETS.iter().find(|(name, _)| *name == lowered) {
        return Ok(Some(*lufs));
    }
    let number = lowered.trim_end_matches("lufs").trim();
    match number.parse::<f64>() {
        Ok(lufs) => check_loudness(lufs).map(Some),
        Err(_) => Err(refusal(text)),
    }
}

/// Refuses a target outside [`LOUDNESS_RANGE_LUFS`] (or not a number).
pub fn check_loudness(lufs: f64) -> Result<f64> {
    let (low, high) = LOUDNESS_RANGE_LUFS;
    if lufs.is_finite() && (low..=high).contains(&lufs) {
        Ok(lufs)
    } else {
        Err(refusal(&lufs.to_string()))
    }
}

fn refusal(text: &str) -> Error {
    let names: Vec<&str> = LOUDNESS_PRESETS.iter().map(|(name, _)| *name).collect();
    Error::invalid_input(format!(
        "loudness {text:?}: use off, a preset ({}), or LUFS from -40 to -5 such as -14",
        names.join(", ")
    ))
}

/// What a spec without a `loudness` field gets.
pub fn default_loudness() -> Option<f64> {
    Some(DEFAULT_LOUDNESS_LUFS)
}

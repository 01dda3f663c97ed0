//! Loudness normalisation of a clip's audio, EBU R 128 style in two passes: ffmpeg's
//! `loudnorm` first measures the clip's span (integrated loudness, true peak, loudness range,
//! gating threshold), then the encode applies it with those measurements, linearly where the
//! true-peak ceiling allows — so a clip lands on the platform's target (−14 LUFS integrated,
//! −1 dBTP for TikTok, Reels, Shorts and YouTube) whatever level it was recorded at.

use super::crop_expression::format_number;
use opusclip_core::{Error, Result};
use std::path::Path;
use std::process::{Command, Stdio};

/// The audio sample rate of a normalised output, Hz.
pub const SAMPLE_RATE: u32 = 48_000;

/// The true-peak ceiling every target uses, dBTP.
pub const TRUE_PEAK_CEILING: f64 = -1.0;

/// Loudness range allowed before `loudnorm` compresses, LU (its own default is 7; speech
/// rarely exceeds 11, so 11 keeps the linear mode for most clips).
const LOUDNESS_RANGE: f64 = 11.0;

/// Below this integrated loudness a span is silence: nothing to normalise.
const SILENCE_LUFS: f64 = -70.0;

/// What the first pass measured of a span.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measured {
    pub integrated: f64,
    pub true_peak: f64,
    pub range: f64,
    pub threshold: f64,
    /// The gain loudnorm's own second pass is told to add for its limiter's effect, LU.
    pub offset: f64,
}

/// Measures the first audio stream of `source` over `[start, start + duration)` — only over
/// `kept` (seconds from `start`) when the clip keeps parts of its span, as a jump-cut or joined
/// clip plays them; `None` when that is silent (no gain can bring silence to a target).
pub fn measure(source: &Path, start: f64, duration: f64, kept: &[(f64, f64)], target: f64) -> Result<Option<Measured>> {
    let output = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-nostats", "-ss", &format_number(start), "-t", &format_number(duration)])
        .arg("-i")
        .arg(source)
        .args(["-map", "0:a:0", "-af", &format!("{}{}", kept_only(kept), first_pass(target)), "-f", "null", "-"])
        .stdin(Stdio::null())
        .output()
        .map_err(|error| Error::video(format!("could not run ffmpeg to measure loudness: {error}")))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        return Err(Error::video(format!("measuring the clip's loudness failed: {}", tail.join(" / "))));
    }
    parse_measurement(&stderr)
        .map(|measured| (measured.integrated > SILENCE_LUFS).then_some(measured))
        .ok_or_else(|| Error::video("ffmpeg's loudnorm printed no measurement"))
}

/// The filters that keep only the `kept` stretches (seconds from the span's start) of the sound,
/// joined, ahead of the meter; nothing when the whole span is kept.
fn kept_only(kept: &[(f64, f64)]) -> String {
    if kept.is_empty() {
        return String::new();
    }
    let ranges: Vec<String> =
        kept.iter().map(|(from, to)| format!("between(t,{},{})", format_number(*from), format_number(*to))).collect();
    format!("aselect='{}',asetpts=N/SR/TB,", ranges.join("+"))
}

/// The first pass's filter: measure only, print JSON.
fn first_pass(target: f64) -> String {
    format!(
        "loudnorm=I={}:TP={}:LRA={}:print_format=json",
        format_number(target),
        format_number(TRUE_PEAK_CEILING),
        format_number(LOUDNESS_RANGE)
    )
}

/// The second pass's audio filter for `target` LUFS with the first pass's `measured` values
/// (held inside the ranges loudnorm accepts). loudnorm works at 192 kHz: the output is
/// resampled to [`SAMPLE_RATE`] by the encoder's `-ar` (ffmpeg 5.1 cannot link an `aresample`
/// filter after loudnorm).
pub fn second_pass(target: f64, measured: &Measured) -> String {
    format!(
        "loudnorm=I={}:TP={}:LRA={}:measured_I={}:measured_TP={}:measured_LRA={}:measured_thresh={}:offset={}:\
         linear=true",
        format_number(target),
        format_number(TRUE_PEAK_CEILING),
        format_number(LOUDNESS_RANGE),
        format_number(measured.integrated.clamp(-99.0, 0.0)),
        format_number(measured.true_peak.clamp(-99.0, 99.0)),
        format_number(measured.range.clamp(0.0, 99.0)),
        format_number(measured.threshold.clamp(-99.0, 0.0)),
        format_number(measured.offset.clamp(-99.0, 99.0))
    )
}

/// The JSON block loudnorm prints last on stderr, read for its four input values.
fn parse_measurement(stderr: &str) -> Option<Measured> {
    let start = stderr.rfind('{')?;
    let end = start + stderr[start..].find('}')? + 1;
    let json: serde_json::Value = serde_json::from_str(&stderr[start..end]).ok()?;
    let value = |key: &str| -> Option<f64> {
        let text = json.get(key)?.as_str()?;
        match text.trim() {
            "-inf" => Some(f64::NEG_INFINITY),
            "inf" => Some(f64::INFINITY),
            number => number.parse().ok(),
        }
    };
    Some(Measured {
        integrated: value("input_i")?,
        true_peak: value("input_tp")?,
        range: value("input_lra")?,
        threshold: value("input_thresh")?,
        offset: value("target_offset").unwrap_or(0.0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRINTED: &str = "[Parsed_loudnorm_0 @ 0x55] \n{\n\t\"input_i\" : \"-27.61\",\n\t\"input_tp\" : \"-4.47\",\n\
        \t\"input_lra\" : \"18.06\",\n\t\"input_thresh\" : \"-39.20\",\n\t\"output_i\" : \"-16.58\",\n\
        \t\"normalization_type\" : \"dynamic\",\n\t\"target_offset\" : \"0.58\"\n}\n";

    #[test]
    fn the_printed_measurement_is_read() {
        let measured = parse_measurement(PRINTED).unwrap();
        let expected = Measured { integrated: -27.61, true_peak: -4.47, range: 18.06, threshold: -39.2, offset: 0.58 };
        assert_eq!(measured, expected);
        let filter = second_pass(-14.0, &measured);
        assert!(filter.starts_with("loudnorm=I=-14:TP=-1:LRA=11:measured_I=-27.61:measured_TP=-4.47"), "{filter}");
        assert!(filter.ends_with("measured_thresh=-39.2:offset=0.58:linear=true"), "{filter}");
    }

    #[test]
    fn silence_and_garbage_are_told_apart() {
        let silent = PRINTED.replace("\"-27.61\"", "\"-inf\"");
        assert_eq!(parse_measurement(&silent).unwrap().integrated, f64::NEG_INFINITY);
        assert_eq!(parse_measurement("no json here"), None);
        assert_eq!(parse_measurement("{ \"input_i\" : \"x\" }"), None);
    }
}

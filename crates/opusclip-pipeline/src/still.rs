//! Telling a still picture from video: a podcast uploaded as one image over its sound is clipped
//! as audiograms (the image blurred behind the waveform), not reframed around a face that never
//! moves. The survey's key frames say whether the picture might be still; a few seconds decoded
//! at full rate confirm it (a slide with a small camera tile changes little between key frames,
//! but its tile moves from frame to frame).

use opusclip_analyze::changed_share;
use opusclip_core::{ProbeFacts, Result, Survey};
use opusclip_media::{decode_window, WindowOptions};
use std::path::Path;

/// A source this long or longer can be judged a still picture, seconds.
pub const STILL_MIN_SECONDS: f64 = 10.0;
/// Key frames no more different than this (mean absolute luma difference, 0–255) show the same
/// picture: encoding noise on a still stays far below it, a moving speaker far above.
pub const STILL_MAX_CHANGE: f32 = 0.5;
/// Share of the pixels (of a 256-px-wide picture) that may change between two consecutive
/// frames of a still: none should (the same image decodes the same), so this only forgives a
/// few; a speaker in a camera tile over a slide moves several times more (measured: 0.14–0.42 %
/// of the pixels between frames 10 s apart of a 360x288 tile on 1920x1080).
pub const STILL_MAX_CHANGED_SHARE: f32 = 0.0005;
/// Where the full-rate check decodes, as shares of the source's length, and for how long.
const CONFIRM_AT: [f64; 3] = [0.1, 0.5, 0.9];
const CONFIRM_SECONDS: f64 = 1.5;
/// Width of the pictures compared.
const CONFIRM_WIDTH: u32 = 256;
/// Fewest key-frame changes measured before a picture is judged still.
const STILL_MIN_CHANGES: usize = 2;

/// Whether the survey saw one unchanging picture over the whole source (a podcast uploaded as a
/// still image over its sound): at least [`STILL_MIN_CHANGES`] key-frame changes over at least
/// [`STILL_MIN_SECONDS`], none above [`STILL_MAX_CHANGE`]; [`picture_moves`] confirms it. An
/// audio-only input's stand-in is a still too (its clips are audiograms already).
pub fn is_still_picture(survey: &Survey, duration: f64) -> bool {
    let changes = &survey.keyframe_changes;
    duration >= STILL_MIN_SECONDS
        && changes.len() >= STILL_MIN_CHANGES
        && changes.iter().all(|change| change.score <= STILL_MAX_CHANGE)
}

/// Whether any two consecutive frames in a few short stretches of the source (1.5 s at 10 %,
/// 50 % and 90 % of its length) differ by more than [`STILL_MAX_CHANGED_SHARE`] of their pixels:
/// the check that a picture the survey found still really is, before its clips become
/// audiograms. Costs about 110 decoded frames at 25 fps.
pub fn picture_moves(path: &Path, facts: &ProbeFacts) -> Result<bool> {
    let duration = facts.duration;
    for share in CONFIRM_AT {
        let start = (share * duration).min((duration - CONFIRM_SECONDS).max(0.0));
        let options = WindowOptions {
            start,
            end: (start + CONFIRM_SECONDS).min(duration),
            small_width: CONFIRM_WIDTH,
            detail_width: CONFIRM_WIDTH,
            detail_fps: 0.0,
        };
        let mut previous: Vec<u8> = Vec::new();
        let mut moved = false;
        decode_window(path, facts, options, &mut |frame| {
            if !moved && !previous.is_empty() {
                moved = changed_share(&previous, &frame.small.data) > STILL_MAX_CHANGED_SHARE;
            }
            previous.clone_from(&frame.small.data);
            Ok(())
        })?;
        if moved {
            return Ok(true);
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::{AudioLevels, VisualChange};

    fn survey(scores: &[f32]) -> Survey {
        let keyframe_changes =
            scores.iter().enumerate().map(|(i, &score)| VisualChange { t: i as f64 * 10.0, score }).collect();
        Survey { levels: AudioLevels { hop_seconds: 0.1, db: Vec::new() }, silences: Vec::new(), keyframe_changes }
    }

    #[test]
    fn one_unchanging_picture_is_still_and_a_change_or_too_little_evidence_is_not() {
        assert!(is_still_picture(&survey(&[0.2, 0.4, 0.1]), 60.0));
        assert!(!is_still_picture(&survey(&[0.2, 6.5, 0.1]), 60.0), "a slide change");
        assert!(!is_still_picture(&survey(&[0.2]), 60.0), "one change is too little to tell");
        assert!(!is_still_picture(&survey(&[0.2, 0.3]), 8.0), "too short to tell");
        assert!(!is_still_picture(&survey(&[]), 600.0), "no key frames compared");
    }
}

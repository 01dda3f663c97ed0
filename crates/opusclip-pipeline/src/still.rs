//! Telling a still picture from video: a podcast uploaded as one image over its sound is clipped
//! as audiograms (the image blurred behind the waveform), not reframed around a face that never
//! moves.

use opusclip_core::Survey;

/// A source this long or longer can be judged a still picture, seconds.
pub const STILL_MIN_SECONDS: f64 = 10.0;
/// Key frames no more different than this (mean absolute luma difference, 0–255) show the same
/// picture: encoding noise on a still stays far below it, a moving speaker far above.
pub const STILL_MAX_CHANGE: f32 = 0.5;
/// Fewest key-frame changes measured before a picture is judged still.
const STILL_MIN_CHANGES: usize = 2;

/// Whether the survey saw one unchanging picture over the whole source (a podcast uploaded as a
/// still image over its sound): at least [`STILL_MIN_CHANGES`] key-frame changes over at least
/// [`STILL_MIN_SECONDS`], none above [`STILL_MAX_CHANGE`]. An audio-only input's stand-in is a
/// still too (its clips are audiograms already).
pub fn is_still_picture(survey: &Survey, duration: f64) -> bool {
    let changes = &survey.keyframe_changes;
    duration >= STILL_MIN_SECONDS
        && changes.len() >= STILL_MIN_CHANGES
        && changes.iter().all(|change| change.score <= STILL_MAX_CHANGE)
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

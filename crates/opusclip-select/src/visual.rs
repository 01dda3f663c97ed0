//! The `visual` part: a face on screen and the rate of shot changes, from whatever the signals
//! hold — the close look's faces and exact cuts, or the survey's key-frame changes. Neutral (50,
//! "no visual signal") when there is nothing to look at, as on the text-only path.

use crate::parts::NEUTRAL;
use crate::score::Window;
use crate::signals::Signals;
use opusclip_core::ScorePart;

/// A key-frame change at least this large (mean absolute luma difference) counts as a shot
/// change when exact cuts are not known.
pub const KEYFRAME_CUT_SCORE: f32 = 27.0;
/// Shot changes per minute at which the cut-rate signal is full.
pub const FULL_CUTS_PER_MINUTE: f64 = 6.0;
/// Points of a window with no shot change (a single steady shot is fine, not great).
const STEADY_SHOT_POINTS: f64 = 40.0;
/// Share of the value from faces when both faces and cuts are known.
const FACE_SHARE: f64 = 0.6;

/// The visual part of `window`.
pub fn visual(window: &Window, signals: &Signals) -> ScorePart {
    let faces = face_share(window, signals);
    let cuts = cut_rate(window, signals);
    match (faces, cuts) {
        (None, None) => ScorePart { value: NEUTRAL, reason: "no visual signal".into() },
        (Some((share, frames)), None) => ScorePart {
            value: 100.0 * share,
            reason: format!("a face in {:.0}% of {frames} sampled frames", share * 100.0),
        },
        (None, Some((per_minute, said))) => {
            ScorePart { value: cut_points(per_minute), reason: format!("{said}; faces not looked for") }
        }
        (Some((share, frames)), Some((per_minute, said))) => ScorePart {
            value: (FACE_SHARE * 100.0 * share + (1.0 - FACE_SHARE) * cut_points(per_minute)).clamp(0.0, 100.0),
            reason: format!("a face in {:.0}% of {frames} sampled frames; {said}", share * 100.0),
        },
    }
}

/// 0..100 for `per_minute` shot changes: [`STEADY_SHOT_POINTS`] for none, full at
/// [`FULL_CUTS_PER_MINUTE`].
fn cut_points(per_minute: f64) -> f64 {
    (STEADY_SHOT_POINTS + (100.0 - STEADY_SHOT_POINTS) * (per_minute / FULL_CUTS_PER_MINUTE).min(1.0)).clamp(0.0, 100.0)
}

/// Share of the window's sampled frames with at least one face, and how many were sampled.
fn face_share(window: &Window, signals: &Signals) -> Option<(f64, usize)> {
    let frames: Vec<bool> = signals
        .faces
        .iter()
        .filter(|frame| frame.t >= window.start && frame.t < window.end)
        .map(|frame| !frame.faces.is_empty())
        .collect();
    if frames.is_empty() {
        return None;
    }
    Some((frames.iter().filter(|&&face| face).count() as f64 / frames.len() as f64, frames.len()))
}

/// Shot changes per minute inside the window, and how to say it; `None` when neither exact
/// cuts nor key-frame changes are known.
fn cut_rate(window: &Window, signals: &Signals) -> Option<(f64, String)> {
    let minutes = (window.duration() / 60.0).max(1e-9);
    let inside = |t: f64| t > window.start && t < window.end;
    let (count, kind) = match signals.shot_cuts {
        Some(cuts) => (cuts.iter().filter(|&&t| inside(t)).count(), "shot cuts"),
        None if !signals.keyframe_changes.is_empty() => (
            signals.keyframe_changes.iter().filter(|c| c.score >= KEYFRAME_CUT_SCORE && inside(c.t)).count(),
            "key-frame shot changes",
        ),
        None => return None,
    };
    let per_minute = count as f64 / minutes;
    Some((per_minute, format!("{count} {kind} ({per_minute:.1}/min)")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use opusclip_core::{BoxF, FaceBox, FaceFrame, VisualChange};

    fn window(start: f64, end: f64) -> Window {
        Window::new(start, end, 0, 0)
    }

    fn frames(with_face: &[bool]) -> Vec<FaceFrame> {
        let face = FaceBox { bbox: BoxF { x: 0.0, y: 0.0, w: 10.0, h: 10.0 }, score: 1.0 };
        with_face
            .iter()
            .enumerate()
            .map(|(i, &has)| FaceFrame { t: i as f64, faces: if has { vec![face] } else { vec![] } })
            .collect()
    }

    #[test]
    fn no_visual_signal_is_neutral_and_says_so() {
        let part = visual(&window(0.0, 30.0), &Signals::empty(30.0));
        assert_eq!(part.value, NEUTRAL);
        assert_eq!(part.reason, "no visual signal");
    }

    #[test]
    fn faces_on_screen_raise_the_part() {
        let faces = frames(&[true, true, true, false]);
        let signals = Signals { faces: &faces, ..Signals::empty(30.0) };
        let part = visual(&window(0.0, 30.0), &signals);
        assert_eq!(part.value, 75.0);
        assert_eq!(part.reason, "a face in 75% of 4 sampled frames");
        let none = frames(&[false, false]);
        assert_eq!(visual(&window(0.0, 30.0), &Signals { faces: &none, ..Signals::empty(30.0) }).value, 0.0);
    }

    #[test]
    fn shot_changes_raise_the_part_exact_cuts_first() {
        let changes = [VisualChange { t: 10.0, score: 40.0 }, VisualChange { t: 20.0, score: 5.0 }];
        let keyframes = Signals { keyframe_changes: &changes, ..Signals::empty(60.0) };
        let part = visual(&window(0.0, 60.0), &keyframes);
        assert!(part.reason.starts_with("1 key-frame shot changes (1.0/min)"), "{}", part.reason);
        assert!((part.value - 50.0).abs() < 1e-9);
        let cuts = [5.0, 15.0, 25.0, 35.0, 45.0, 55.0];
        let exact = Signals { shot_cuts: Some(&cuts), ..keyframes };
        assert_eq!(visual(&window(0.0, 60.0), &exact).value, 100.0);
        let steady = Signals { shot_cuts: Some(&[]), ..keyframes };
        assert_eq!(visual(&window(0.0, 60.0), &steady).value, STEADY_SHOT_POINTS);
    }

    #[test]
    fn faces_and_cuts_combine() {
        let faces = frames(&[true, true]);
        let signals = Signals { faces: &faces, shot_cuts: Some(&[]), ..Signals::empty(30.0) };
        let part = visual(&window(0.0, 30.0), &signals);
        assert!((part.value - (FACE_SHARE * 100.0 + (1.0 - FACE_SHARE) * STEADY_SHOT_POINTS)).abs() < 1e-9);
        assert!(part.reason.contains("0 shot cuts"), "{}", part.reason);
    }
}

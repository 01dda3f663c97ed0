//! Choosing an output's layout: **track** (one crop following the subject), **split** (two
//! speakers stacked, when both speak enough and do not fit one crop), **three** or **four**
//! (a panel per speaker, when three or four speak enough and do not fit one crop),
//! **screen** (a screen share above its camera inset's face, in 9:16 outputs), or
//! **blur-fit** (the
//! whole frame over a blurred copy, when nothing salient is found or the picture must be seen
//! whole). A layout asked for explicitly always wins.

use opusclip_core::{BoxF, LayoutKind};

/// The screen layout is chosen for outputs whose crop is narrower than this (width over
/// height): 9:16, where the face panel below a 16:9 band is taller than wide. A square or 4:5
/// output's face panel would be a wide strip, wider than a camera tile: those show the whole
/// picture fitted instead.
const SCREEN_MAX_CROP_RATIO: f64 = 0.7;

/// Room kept around each face when checking whether two faces fit one crop, in face widths
/// (heights) on each side.
const FIT_MARGIN: f64 = 0.25;

/// What the layout choice looks at, for one clip.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutEvidence {
    /// Share of the clip's sampled frames with at least one usable face (0..1).
    pub face_share: f64,
    /// The two main speakers, left one first: the share of the clip each speaks (0..1) and
    /// where its face typically is. Empty or one entry when there is no pair.
    pub speakers: Vec<SpeakerPresence>,
    /// The picture must be seen whole (slides, a screen recording).
    pub whole_frame_content: bool,
    /// The typical box of a face that looks like a camera inset over a screen share (small,
    /// still, near the left or right edge, alone), when there is one.
    pub inset_face: Option<BoxF>,
}

/// One of the main speakers of a clip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpeakerPresence {
    /// Share of the clip's duration this speaker speaks (0..1).
    pub share: f64,
    /// The face's typical box (display pixels).
    pub face: BoxF,
}

/// The layout chosen for one output, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutDecision {
    pub kind: LayoutKind,
    /// A sentence saying why, for logs and the evaluation table.
    pub reason: String,
}

/// Choose the layout of an output whose crop window is `crop_size` (width, height, display
/// pixels): `requested` when given; with a camera inset, screen in a 9:16 output and blur-fit
/// in a square or 4:5 one; blur-fit for content that must be seen whole or when
/// faces are in less than `min_face_share` of the frames; three (four) when three (four)
/// speakers each speak at least `min_speaker_share` of the clip and their faces do not fit one
/// crop; split when two such speakers (the two who speak most) do not; track otherwise.
///
/// ```
/// use opusclip_core::{BoxF, LayoutKind};
/// use opusclip_reframe::{choose_layout, LayoutEvidence, SpeakerPresence};
/// let face = |x| BoxF { x, y: 300.0, w: 200.0, h: 200.0 };
/// let evidence = LayoutEvidence {
///     face_share: 0.95,
///     speakers: vec![
///         SpeakerPresence { share: 0.45, face: face(300.0) },
///         SpeakerPresence { share: 0.40, face: face(1400.0) },
///     ],
///     whole_frame_content: false,
///     inset_face: None,
/// };
/// // Two people 1100 px apart do not fit a 608 px wide 9:16 crop of 1080p.
/// assert_eq!(choose_layout(&evidence, (608.0, 1080.0), None, 0.2, 0.2).kind, LayoutKind::Split);
/// // Everything fits a 16:9 crop.
/// assert_eq!(choose_layout(&evidence, (1920.0, 1080.0), None, 0.2, 0.2).kind, LayoutKind::Track);
/// ```
pub fn choose_layout(
    evidence: &LayoutEvidence,
    crop_size: (f64, f64),
    requested: Option<LayoutKind>,
    min_speaker_share: f64,
    min_face_share: f64,
) -> LayoutDecision {
    let decide = |kind: LayoutKind, reason: String| LayoutDecision { kind, reason };
    if let Some(kind) = requested {
        return decide(kind, format!("{} was asked for", kind.label()));
    }
    if evidence.inset_face.is_some() {
        let inset =
            "a small, still face by the edge of a picture it does not fill (a screen share with a camera inset)";
        if crop_size.0 < SCREEN_MAX_CROP_RATIO * crop_size.1 {
            return decide(LayoutKind::Screen, format!("{inset}: the screen above, the face below"));
        }
        if crop_size.0 < 1.5 * crop_size.1 {
            return decide(LayoutKind::BlurFit, format!("{inset}: the whole picture, fitted"));
        }
    }
    if evidence.whole_frame_content {
        return decide(LayoutKind::BlurFit, "the picture must be seen whole".into());
    }
    if evidence.face_share.is_nan() || evidence.face_share < min_face_share {
        return decide(
            LayoutKind::BlurFit,
            format!("faces in only {:.0} % of the frames: nothing to follow", 100.0 * evidence.face_share.max(0.0)),
        );
    }
    let speaking: Vec<&SpeakerPresence> =
        evidence.speakers.iter().filter(|speaker| speaker.share >= min_speaker_share).collect();
    let shares = |group: &[&SpeakerPresence]| {
        let percents: Vec<String> = group.iter().map(|speaker| format!("{:.0} %", 100.0 * speaker.share)).collect();
        percents.join(", ")
    };
    if speaking.len() >= 3 && !group_fits_one_crop(&speaking, crop_size) {
        let kind = if speaking.len() >= 4 { LayoutKind::Four } else { LayoutKind::Three };
        let group = &speaking[..kind.panel_count()];
        return decide(
            kind,
            format!("{} speakers ({} of the clip) too far apart for one crop", group.len(), shares(group)),
        );
    }
    let mut pair = speaking.clone();
    pair.sort_by(|a, b| b.share.total_cmp(&a.share));
    if let [first, second, ..] = pair[..] {
        if !fits_one_crop(&first.face, &second.face, crop_size) {
            return decide(
                LayoutKind::Split,
                format!(
                    "two speakers ({:.0} % and {:.0} % of the clip) too far apart for one crop",
                    100.0 * first.share,
                    100.0 * second.share
                ),
            );
        }
    }
    decide(LayoutKind::Track, "one crop follows the speaker".into())
}

/// Whether both faces, each with a margin of [`FIT_MARGIN`] face sizes, fit in one window of
/// `crop_size`.
pub(crate) fn fits_one_crop(first: &BoxF, second: &BoxF, crop_size: (f64, f64)) -> bool {
    faces_fit_one_crop([first, second], crop_size)
}

/// Whether every speaker's face fits one window of `crop_size`, as [`fits_one_crop`].
fn group_fits_one_crop(group: &[&SpeakerPresence], crop_size: (f64, f64)) -> bool {
    faces_fit_one_crop(group.iter().map(|speaker| &speaker.face), crop_size)
}

fn faces_fit_one_crop<'a>(faces: impl IntoIterator<Item = &'a BoxF>, crop_size: (f64, f64)) -> bool {
    let (mut left, mut top, mut right, mut bottom) =
        (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
    for face in faces {
        left = left.min(face.x - FIT_MARGIN * face.w);
        top = top.min(face.y - FIT_MARGIN * face.h);
        right = right.max(face.x + (1.0 + FIT_MARGIN) * face.w);
        bottom = bottom.max(face.y + (1.0 + FIT_MARGIN) * face.h);
    }
    right - left <= crop_size.0 && bottom - top <= crop_size.1
}

#[cfg(test)]
mod tests {
    use super::*;

    const VERTICAL_CROP: (f64, f64) = (608.0, 1080.0);

    fn face(x: f64) -> BoxF {
        BoxF { x, y: 300.0, w: 200.0, h: 200.0 }
    }

    fn two_speakers(first_share: f64, second_share: f64, second_x: f64) -> LayoutEvidence {
        LayoutEvidence {
            face_share: 1.0,
            speakers: vec![
                SpeakerPresence { share: first_share, face: face(300.0) },
                SpeakerPresence { share: second_share, face: face(second_x) },
            ],
            whole_frame_content: false,
            inset_face: None,
        }
    }

    fn choose(evidence: &LayoutEvidence, requested: Option<LayoutKind>) -> LayoutKind {
        choose_layout(evidence, VERTICAL_CROP, requested, 0.2, 0.2).kind
    }

    #[test]
    fn one_speaker_is_tracked() {
        let evidence = LayoutEvidence {
            face_share: 0.9,
            speakers: vec![SpeakerPresence { share: 0.8, face: face(300.0) }],
            whole_frame_content: false,
            inset_face: None,
        };
        assert_eq!(choose(&evidence, None), LayoutKind::Track);
    }

    #[test]
    fn two_far_apart_speakers_who_both_talk_are_split() {
        assert_eq!(choose(&two_speakers(0.5, 0.3, 1400.0), None), LayoutKind::Split);
    }

    #[test]
    fn a_listener_who_hardly_speaks_is_not_given_half_the_screen() {
        assert_eq!(choose(&two_speakers(0.8, 0.1, 1400.0), None), LayoutKind::Track);
    }

    #[test]
    fn two_speakers_who_fit_one_crop_are_tracked() {
        // Faces at 300–500 and 620–820: 650 px with margins > 608; at 560 they fit.
        assert_eq!(choose(&two_speakers(0.5, 0.5, 620.0), None), LayoutKind::Split);
        assert_eq!(choose(&two_speakers(0.5, 0.5, 500.0), None), LayoutKind::Track);
    }

    fn speakers_at(shares_and_places: &[(f64, f64)]) -> LayoutEvidence {
        LayoutEvidence {
            face_share: 1.0,
            speakers: shares_and_places.iter().map(|&(share, x)| SpeakerPresence { share, face: face(x) }).collect(),
            whole_frame_content: false,
            inset_face: None,
        }
    }

    #[test]
    fn three_or_four_speakers_who_all_talk_get_a_panel_each() {
        let three =
            choose_layout(&speakers_at(&[(0.3, 100.0), (0.3, 800.0), (0.3, 1500.0)]), VERTICAL_CROP, None, 0.2, 0.2);
        assert_eq!(three.kind, LayoutKind::Three);
        assert!(three.reason.starts_with("3 speakers (30 %, 30 %, 30 % of the clip)"), "{}", three.reason);
        let four = speakers_at(&[(0.25, 100.0), (0.25, 600.0), (0.25, 1100.0), (0.25, 1600.0)]);
        assert_eq!(choose(&four, None), LayoutKind::Four);
        // One of four hardly speaks: three panels.
        let quiet = speakers_at(&[(0.3, 100.0), (0.05, 600.0), (0.3, 1100.0), (0.3, 1600.0)]);
        assert_eq!(choose(&quiet, None), LayoutKind::Three);
        // Two of three speak: the two who speak are split, not the quiet one.
        let pair =
            choose_layout(&speakers_at(&[(0.5, 100.0), (0.1, 800.0), (0.35, 1500.0)]), VERTICAL_CROP, None, 0.2, 0.2);
        assert_eq!(pair.kind, LayoutKind::Split);
        assert!(pair.reason.contains("50 % and 35 %"), "{}", pair.reason);
        // Three who fit one wide crop stay tracked.
        let close = speakers_at(&[(0.3, 100.0), (0.3, 800.0), (0.3, 1500.0)]);
        assert_eq!(choose_layout(&close, (1920.0, 1080.0), None, 0.2, 0.2).kind, LayoutKind::Track);
    }

    #[test]
    fn no_faces_or_whole_frame_content_is_blur_fit() {
        let mut evidence = two_speakers(0.5, 0.5, 1400.0);
        evidence.face_share = 0.1;
        let decision = choose_layout(&evidence, VERTICAL_CROP, None, 0.2, 0.2);
        assert_eq!(decision.kind, LayoutKind::BlurFit);
        assert!(decision.reason.contains("10 %"), "{}", decision.reason);
        evidence.face_share = f64::NAN;
        assert_eq!(choose(&evidence, None), LayoutKind::BlurFit);
        let slides = LayoutEvidence { whole_frame_content: true, ..two_speakers(0.5, 0.5, 1400.0) };
        assert_eq!(choose(&slides, None), LayoutKind::BlurFit);
    }

    #[test]
    fn a_camera_inset_over_a_screen_is_the_screen_layout_in_9x16_fitted_in_a_square_left_in_16x9() {
        let inset = BoxF { x: 1650.0, y: 800.0, w: 120.0, h: 150.0 };
        let evidence = LayoutEvidence {
            face_share: 0.95,
            speakers: Vec::new(),
            whole_frame_content: false,
            inset_face: Some(inset),
        };
        let decision = choose_layout(&evidence, VERTICAL_CROP, None, 0.2, 0.2);
        assert_eq!(decision.kind, LayoutKind::Screen);
        assert!(decision.reason.contains("camera inset"), "{}", decision.reason);
        assert_eq!(choose_layout(&evidence, (1080.0, 1080.0), None, 0.2, 0.2).kind, LayoutKind::BlurFit);
        assert_eq!(choose_layout(&evidence, (1920.0, 1080.0), None, 0.2, 0.2).kind, LayoutKind::Track);
    }

    #[test]
    fn a_requested_layout_wins() {
        let evidence = two_speakers(0.5, 0.5, 1400.0);
        for kind in LayoutKind::ALL {
            assert_eq!(choose(&evidence, Some(kind)), kind);
        }
    }
}

//! Fades to and from black, in the manner of PySceneDetect's threshold detector (method
//! FLOOR, threshold 12 on a 0..255 mean intensity, fade bias 0): a fade-out where the mean
//! intensity of the picture drops below the threshold, a fade-in where it comes back to it or
//! above. A fade is an event with a span, never a hard cut: the span of a fade-out runs from the
//! start of the steady darkening that leads under the threshold to the first dark frame; the
//! span of a fade-in from the first frame back above the threshold to the end of the steady
//! brightening that follows.
//!
//! A picture that comes out of a *hold* on black — black and steady for at least the shortest
//! scene — starts a new shot: the detector reports that first brighter frame as an
//! [`Emergence`], and the analysis turns one that held long enough into a cut. A fade through
//! black with no hold (out, then straight back in) stays a pair of fades. This is the case of
//! PySceneDetect's `testvideo.mp4` frame 394: a fade-out, 34 frames of black, then a new shot
//! fading in; its golden cut is the first frame of the new shot.
//!
//! The mean intensity is that of the luma plane, in full range: limited-range video (black at
//! 16, as most decoders give) is stretched to 0..255 first, so black reads 0 as it does in
//! PySceneDetect's RGB means.

use crate::GrayView;
use serde::{Deserialize, Serialize};

/// Direction of a fade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FadeKind {
    /// Into black.
    Out,
    /// Out of black.
    In,
}

/// A fade: its direction and its span, in frames (inclusive) and seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FadeEvent {
    pub kind: FadeKind,
    pub start_frame: u64,
    pub end_frame: u64,
    pub start: f64,
    pub end: f64,
}

/// A picture coming out of a steady hold on black.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Emergence {
    /// First frame brighter than the hold.
    pub frame: u64,
    pub t: f64,
    /// How many frames the hold lasted (steady black, before `frame`).
    pub hold_frames: u64,
}

/// Emergences from a hold of at least `min_hold_frames` whose hold no detected cut already
/// bounds: the first frames of shots that came out of black after a fade-out. A hold that a
/// hard cut started (a cut into black, then a fade-in) already belongs to the new shot, so the
/// picture coming out of it is no second cut; a cut within `min_hold_frames` of either end of
/// the hold counts as bounding it.
pub fn cuts_out_of_black(emergences: &[Emergence], detected_cuts: &[u64], min_hold_frames: u64) -> Vec<Emergence> {
    let margin = min_hold_frames.max(1);
    emergences
        .iter()
        .filter(|e| e.hold_frames >= margin)
        .filter(|e| {
            let hold_start = e.frame - e.hold_frames;
            !detected_cuts.iter().any(|&cut| cut + margin > hold_start && cut < e.frame + margin)
        })
        .copied()
        .collect()
}

/// How much brighter than a hold on black (full-range intensity) a frame must be to end it.
pub const HOLD_TOLERANCE: f32 = 2.0;

/// Range of the luma samples handed to the detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LumaRange {
    /// 16..235 (video range; most video).
    #[default]
    Limited,
    /// 0..255 (JPEG range).
    Full,
}

/// Parameters of the fade detector.
#[derive(Debug, Clone, Copy)]
pub struct FadeParams {
    /// Mean full-range intensity (0..255) below which a picture counts as black (12).
    pub threshold: f32,
    /// Range of the luma samples.
    pub luma_range: LumaRange,
}

impl Default for FadeParams {
    fn default() -> Self {
        FadeParams { threshold: 12.0, luma_range: LumaRange::Limited }
    }
}

/// Mean intensity of a luma plane, in full range 0..255.
pub fn mean_intensity(luma: &[u8], range: LumaRange) -> f32 {
    if luma.is_empty() {
        return 0.0;
    }
    let mean = luma.iter().map(|&sample| u64::from(sample)).sum::<u64>() as f32 / luma.len() as f32;
    match range {
        LumaRange::Full => mean,
        LumaRange::Limited => ((mean - 16.0) * 255.0 / 219.0).clamp(0.0, 255.0),
    }
}

#[derive(Debug, Clone, Copy)]
struct FrameMark {
    frame: u64,
    t: f64,
}

/// Streams frames (in order) into fade events; keeps a few numbers, no pictures.
#[derive(Debug)]
pub struct FadeDetector {
    params: FadeParams,
    previous_intensity: Option<f32>,
    /// Whether the last frame was below the threshold.
    dark: bool,
    /// First frame of the current run of strictly darkening frames.
    darkening_since: Option<FrameMark>,
    /// A fade-in still brightening: its first bright frame and its latest frame.
    rising: Option<(FrameMark, FrameMark)>,
    /// The frame before this one.
    last: Option<FrameMark>,
    events: Vec<FadeEvent>,
    /// A steady hold on black: its first frame and its level.
    hold: Option<(FrameMark, f32)>,
    emergences: Vec<Emergence>,
}

impl FadeDetector {
    /// A detector with the given parameters.
    pub fn new(params: FadeParams) -> FadeDetector {
        FadeDetector {
            params,
            previous_intensity: None,
            dark: false,
            darkening_since: None,
            rising: None,
            last: None,
            events: Vec::new(),
            hold: None,
            emergences: Vec::new(),
        }
    }

    /// Feed the next frame's luma; returns a fade that ended with it, if any.
    pub fn push(&mut self, frame_index: u64, t: f64, luma: GrayView) -> Option<FadeEvent> {
        let intensity = mean_intensity(luma.data, self.params.luma_range);
        self.push_intensity(frame_index, t, intensity)
    }

    /// Feed the next frame's mean full-range intensity (0..255); returns a fade that ended
    /// with it, if any.
    pub fn push_intensity(&mut self, frame_index: u64, t: f64, intensity: f32) -> Option<FadeEvent> {
        let mark = FrameMark { frame: frame_index, t };
        let previous = self.previous_intensity.replace(intensity);
        let darker = previous.is_some_and(|before| intensity < before);
        let brighter = previous.is_some_and(|before| intensity > before);
        let is_dark = intensity < self.params.threshold;
        self.darkening_since = if darker { self.darkening_since.or(self.last) } else { None };
        self.last = Some(mark);
        self.track_hold(mark, intensity, is_dark && !brighter);
        let mut ended = self.continue_rise(mark, brighter && !is_dark);
        match (previous.is_some(), self.dark, is_dark) {
            (true, false, true) => {
                let first = self.darkening_since.unwrap_or(mark);
                ended = Some(self.emit(FadeKind::Out, first, mark));
            }
            (_, true, false) => self.rising = Some((mark, mark)),
            _ => {}
        }
        self.dark = is_dark;
        ended
    }

    /// Follows a steady hold on black: a black frame no brighter than the one before (re)starts
    /// it, a frame brighter than it by more than [`HOLD_TOLERANCE`] ends it with an [`Emergence`].
    fn track_hold(&mut self, mark: FrameMark, intensity: f32, dark_and_not_rising: bool) {
        match self.hold {
            Some((start, level)) if intensity > level + HOLD_TOLERANCE => {
                self.hold = None;
                let hold_frames = mark.frame.saturating_sub(start.frame);
                self.emergences.push(Emergence { frame: mark.frame, t: mark.t, hold_frames });
            }
            Some((_, level)) if intensity >= level => {}
            _ if dark_and_not_rising => self.hold = Some((mark, intensity)),
            _ => self.hold = None,
        }
    }

    /// Pictures that came out of a hold on black so far, in order.
    pub fn emergences(&self) -> &[Emergence] {
        &self.emergences
    }

    /// Extends a rising fade-in by `mark`, or closes it (returning it) when the rise stopped.
    fn continue_rise(&mut self, mark: FrameMark, still_rising: bool) -> Option<FadeEvent> {
        let (first, latest) = self.rising?;
        if still_rising {
            self.rising = Some((first, mark));
            return None;
        }
        self.rising = None;
        Some(self.emit(FadeKind::In, first, latest))
    }

    fn emit(&mut self, kind: FadeKind, first: FrameMark, last: FrameMark) -> FadeEvent {
        let event = FadeEvent { kind, start_frame: first.frame, end_frame: last.frame, start: first.t, end: last.t };
        self.events.push(event);
        event
    }

    /// All fades, in order; a fade-in still brightening at the end closes at the last frame.
    pub fn finish(mut self) -> Vec<FadeEvent> {
        if let Some((first, latest)) = self.rising.take() {
            self.emit(FadeKind::In, first, latest);
        }
        self.events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mean full-range intensity of each frame: steady, fade out over 10 frames, black, fade in
    /// over 10 frames, steady.
    fn ramp() -> Vec<f32> {
        let mut levels = vec![150.0; 20]; // frames 0..20
        levels.extend((1..=10).map(|step| 150.0 - 15.0 * step as f32)); // 20..30, reaching 0
        levels.extend(vec![0.0; 10]); // 30..40
        levels.extend((1..=10).map(|step| 15.0 * step as f32)); // 40..50, reaching 150
        levels.extend(vec![150.0; 20]); // 50..70
        levels
    }

    fn detect(levels: &[f32]) -> Vec<FadeEvent> {
        let mut detector = FadeDetector::new(FadeParams::default());
        for (index, &level) in levels.iter().enumerate() {
            detector.push_intensity(index as u64, index as f64 / 10.0, level);
        }
        detector.finish()
    }

    #[test]
    fn fade_out_then_in_gives_two_events() {
        let events = detect(&ramp());
        assert_eq!(events.len(), 2, "{events:?}");
        // Darkening starts after frame 19; 150 - 15 * 10 = 0 < 12 first at frame 29 (value 0),
        // since frame 28 reads 15.
        assert_eq!((events[0].kind, events[0].start_frame, events[0].end_frame), (FadeKind::Out, 19, 29));
        // Back above 12 at frame 40 (15); brightening until frame 49 (150).
        assert_eq!((events[1].kind, events[1].start_frame, events[1].end_frame), (FadeKind::In, 40, 49));
        assert!((events[1].end - 4.9).abs() < 1e-9);
    }

    #[test]
    fn fades_from_limited_range_luma() {
        let mut detector = FadeDetector::new(FadeParams::default());
        let mut levels: Vec<u8> = vec![120; 10];
        levels.extend([90, 60, 30, 16, 16, 16, 30, 60, 90, 120, 120]);
        let mut ended = Vec::new();
        for (index, &level) in levels.iter().enumerate() {
            let luma = vec![level; 64];
            ended.extend(detector.push(index as u64, index as f64, GrayView { width: 8, height: 8, data: &luma }));
        }
        let events = detector.finish();
        assert_eq!(ended, events);
        let spans: Vec<_> = events.iter().map(|e| (e.kind, e.start_frame, e.end_frame)).collect();
        assert_eq!(spans, vec![(FadeKind::Out, 9, 13), (FadeKind::In, 16, 19)]);
        assert_eq!(mean_intensity(&[16, 16], LumaRange::Limited), 0.0);
        assert_eq!(mean_intensity(&[16, 16], LumaRange::Full), 16.0);
    }

    #[test]
    fn a_video_that_starts_black_only_fades_in_and_a_rise_at_the_end_closes() {
        let events = detect(&[0.0, 0.0, 50.0, 100.0]);
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].kind, events[0].start_frame, events[0].end_frame), (FadeKind::In, 2, 3));
    }

    #[test]
    fn a_picture_out_of_a_long_hold_on_black_emerges_at_its_first_brighter_frame() {
        // Fade out, 34 frames of black with a little noise, then a slow fade in (testvideo.mp4).
        let mut levels: Vec<f32> = (0..10).map(|step| 60.0 - 6.0 * step as f32).collect(); // 0..10
        levels.extend((0..34).map(|i| if i % 3 == 1 { 0.6 } else { 0.0 })); // 10..44
        levels.extend((1..=20).map(|step| 3.5 * step as f32)); // 44..64
        let mut detector = FadeDetector::new(FadeParams::default());
        for (index, &level) in levels.iter().enumerate() {
            detector.push_intensity(index as u64, index as f64 / 24.0, level);
        }
        let emergences = detector.emergences().to_vec();
        assert_eq!(emergences.len(), 1, "{emergences:?}");
        assert_eq!(emergences[0].frame, 44);
        assert_eq!(emergences[0].hold_frames, 34);
        let fades = detector.finish();
        assert_eq!(fades.len(), 2, "still reported as fades too: {fades:?}");
    }

    #[test]
    fn a_fade_straight_through_black_has_only_a_short_hold() {
        let mut detector = FadeDetector::new(FadeParams::default());
        for (index, &level) in ramp().iter().enumerate() {
            detector.push_intensity(index as u64, index as f64 / 10.0, level);
        }
        // The ramp reaches 0 at frame 29 and rises at frame 40: a hold of 11 frames.
        let emergences = detector.emergences().to_vec();
        assert_eq!(emergences.len(), 1);
        assert_eq!((emergences[0].frame, emergences[0].hold_frames), (40, 11));
        let mut detector = FadeDetector::new(FadeParams::default());
        for (index, level) in [100.0, 50.0, 5.0, 0.0, 0.0, 1.0, 5.0, 50.0, 100.0].into_iter().enumerate() {
            detector.push_intensity(index as u64, index as f64, level);
        }
        assert_eq!(detector.emergences()[0].hold_frames, 3, "frames 3, 4 and 5 (within tolerance)");
    }

    #[test]
    fn only_long_holds_not_already_cut_become_cuts() {
        let emergences = [
            Emergence { frame: 100, t: 4.0, hold_frames: 34 },
            Emergence { frame: 200, t: 8.0, hold_frames: 2 },
            Emergence { frame: 300, t: 12.0, hold_frames: 20 },
        ];
        let cuts = cuts_out_of_black(&emergences, &[305], 15);
        assert_eq!(cuts, vec![emergences[0]], "short hold and already-detected cut are left out");
        assert_eq!(cuts_out_of_black(&emergences, &[], 15).len(), 2);
        // A hard cut into black started the hold (testvideo.mp4 frames 180..211): no second cut.
        let into_black = [Emergence { frame: 211, t: 8.8, hold_frames: 31 }];
        assert!(cuts_out_of_black(&into_black, &[180], 15).is_empty());
        assert_eq!(cuts_out_of_black(&into_black, &[150], 15).len(), 1, "a cut well before the hold does not bound it");
    }

    #[test]
    fn events_serialize_with_snake_case_kinds() {
        let event = FadeEvent { kind: FadeKind::Out, start_frame: 1, end_frame: 2, start: 0.5, end: 1.0 };
        let json = serde_json::to_string(&event).unwrap_or_default();
        assert_eq!(json, r#"{"kind":"out","start_frame":1,"end_frame":2,"start":0.5,"end":1.0}"#);
    }
}

use super::*;
use crate::layout::Layout;
use crate::spec::{Aspect, CaptionStyle, OutputSpec, SourceRef};

fn word(text: &str, start: f64, end: f64) -> Word {
    Word { text: text.into(), start, end, confidence: 1.0, speaker: None }
}

fn key(t: f64, x: f64) -> CropKeyframe {
    CropKeyframe { t, x, y: 0.0, w: 608.0, h: 1080.0 }
}

fn spec(kept: &[(f64, f64)]) -> ClipSpec {
    ClipSpec {
        schema_version: 1,
        id: "clip-01".into(),
        source: SourceRef {
            path: "talk.mp4".into(),
            hash: String::new(),
            display_width: 1920,
            display_height: 1080,
            fps: 25.0,
            has_audio: true,
        },
        start: 10.0,
        end: 20.0,
        words: vec![
            word("one", 10.0, 10.5),
            word("two", 11.0, 11.4),
            word("three", 14.0, 14.6),
            word("four", 19.0, 19.8),
        ],
        outputs: vec![OutputSpec {
            aspect: Aspect::Vertical,
            width: 1080,
            height: 1920,
            layout: Layout::Track,
            crop_keyframes: vec![key(0.0, 0.0), key(10.0, 1000.0)],
        }],
        caption_style: CaptionStyle::default(),
        title: String::new(),
        faces: Vec::new(),
        loudness: None,
        keywords: Vec::new(),
        watermark: None,
        kept_ranges: kept.iter().map(|&(start, end)| KeptRange { start, end }).collect(),
    }
}

#[test]
fn a_spec_without_kept_ranges_plays_its_whole_span_unchanged() {
    let whole = spec(&[]);
    assert_eq!(whole.as_cut(), whole);
    assert_eq!(whole.played_duration(), 10.0);
    assert!(!CutTimeline::of(&whole).has_cuts());
    assert!(check_kept_ranges(&whole).is_ok());
}

#[test]
fn kept_ranges_are_snapped_to_frames_and_merged() {
    // 25 fps: frames every 0.04 s. 10.01 snaps to 10.0, 12.03 to 12.04; the third touches the second.
    let timeline = CutTimeline::of(&spec(&[(10.01, 12.03), (13.0, 15.0), (15.0, 16.0)]));
    assert_eq!(
        timeline.kept,
        [KeptRange { start: 10.0, end: 12.04 }, KeptRange { start: 13.0, end: 16.0 }],
        "{timeline:?}"
    );
    assert!((timeline.duration() - 5.04).abs() < 1e-9);
    assert!((timeline.removed() - 0.96).abs() < 1e-9);
}

#[test]
fn clip_and_source_times_map_both_ways() {
    let timeline = CutTimeline::of(&spec(&[(10.0, 12.0), (14.0, 20.0)]));
    assert_eq!(timeline.clip_time(11.0), Some(1.0));
    assert_eq!(timeline.clip_time(13.0), None, "cut out");
    assert_eq!(timeline.clip_time(15.0), Some(3.0));
    assert_eq!(timeline.source_time(1.0), 11.0);
    assert_eq!(timeline.source_time(3.0), 15.0);
    assert_eq!(timeline.source_time(99.0), 20.0);
}

#[test]
fn the_cut_clip_drops_cut_words_and_retimes_the_rest() {
    // "two" (11.0–11.4) is cut out; "three" moves from 14.0 to clip time 1.0 (origin 10).
    let cut = spec(&[(10.0, 11.0), (14.0, 20.0)]).as_cut();
    let texts: Vec<&str> = cut.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["one", "three", "four"]);
    assert_eq!((cut.words[1].start, cut.words[1].end), (11.0, 11.6));
    assert_eq!(cut.end, 17.0);
    assert!(cut.kept_ranges.is_empty());
}

#[test]
fn a_word_mostly_cut_out_is_dropped_and_one_mostly_kept_is_clipped() {
    // "three" is 14.0–14.6: keeping 14.0–14.2 keeps a third of it (dropped); 13.9–14.48 keeps 80 %.
    let dropped = spec(&[(10.0, 12.0), (13.96, 14.2)]).as_cut();
    assert!(!dropped.words.iter().any(|w| w.text == "three"), "{:?}", dropped.words);
    let kept = spec(&[(10.0, 12.0), (13.88, 14.48)]).as_cut();
    let three = kept.words.iter().find(|w| w.text == "three").expect("kept");
    assert!((three.end - (10.0 + 2.0 + 0.6)).abs() < 1e-9, "{three:?}");
}

#[test]
fn the_crop_path_is_joined_with_a_hard_cut() {
    // The path runs x = 100·t over the clip; keeping 0–2 s and 6–8 s joins x 200 to x 600.
    let cut = spec(&[(10.0, 12.0), (16.0, 18.0)]).as_cut();
    let path: Vec<(f64, f64)> = cut.outputs[0].crop_keyframes.iter().map(|k| (k.t, k.x)).collect();
    assert_eq!(path, [(0.0, 0.0), (2.0, 200.0), (2.0, 600.0), (4.0, 800.0)]);
    assert!(cut.outputs[0].crop_keyframes.iter().all(|k| k.w == 608.0 && k.h == 1080.0));
}

#[test]
fn keyframes_inside_a_kept_range_stay_and_a_cut_at_a_hard_cut_keeps_the_side_it_shows() {
    let mut with_cut = spec(&[(10.0, 13.0), (15.0, 20.0)]);
    with_cut.outputs[0].crop_keyframes = vec![key(0.0, 0.0), key(1.0, 50.0), key(3.0, 50.0), key(3.0, 900.0)];
    let path: Vec<(f64, f64)> = with_cut.as_cut().outputs[0].crop_keyframes.iter().map(|k| (k.t, k.x)).collect();
    // The stretch ends at the source's own hard cut: the window before it (50), then 900 after.
    assert_eq!(path, [(0.0, 0.0), (1.0, 50.0), (3.0, 50.0), (3.0, 900.0), (8.0, 900.0)]);
}

#[test]
fn faces_outside_kept_ranges_are_dropped() {
    let mut with_faces = spec(&[(10.0, 12.0), (16.0, 20.0)]);
    with_faces.faces = [11.0, 13.0, 17.0].iter().map(|&t| FaceFrame { t, faces: Vec::new() }).collect();
    let times: Vec<f64> = with_faces.as_cut().faces.iter().map(|f| f.t).collect();
    assert_eq!(times, [11.0, 13.0]);
}

#[test]
fn bad_kept_ranges_are_refused_with_the_reason() {
    let problems = [
        (vec![(12.0, 11.0)], "shorter than"),
        (vec![(10.0, 10.05)], "shorter than"),
        (vec![(9.0, 12.0)], "leaves the clip"),
        (vec![(15.0, 21.0)], "leaves the clip"),
        (vec![(10.0, 14.0), (13.0, 15.0)], "overlaps"),
        (vec![(14.0, 15.0), (10.0, 12.0)], "overlaps"),
        (vec![(f64::NAN, 12.0)], "not a pair"),
    ];
    for (kept, expected) in problems {
        let error = check_kept_ranges(&spec(&kept)).expect_err(expected).to_string();
        assert!(error.contains(expected) && error.contains("kept_ranges"), "{kept:?}: {error}");
    }
    assert!(check_kept_ranges(&spec(&[(10.0, 12.0), (12.5, 20.0)])).is_ok());
}

#[test]
fn kept_ranges_round_trip_through_json_and_are_absent_when_empty() {
    let json = serde_json::to_value(spec(&[(10.0, 12.0)])).unwrap();
    assert_eq!(json["kept_ranges"], serde_json::json!([{ "start": 10.0, "end": 12.0 }]));
    assert!(serde_json::to_value(spec(&[])).unwrap().get("kept_ranges").is_none());
    let back: ClipSpec = serde_json::from_value(json).unwrap();
    assert_eq!(back.kept_ranges.len(), 1);
}

#[test]
fn crop_at_interpolates_and_cuts_to_the_later_window() {
    let keys = [key(0.0, 0.0), key(2.0, 100.0), key(2.0, 500.0), key(4.0, 500.0)];
    assert_eq!(crop_at(&keys, 1.0).unwrap().x, 50.0);
    assert_eq!(crop_at(&keys, 2.0).unwrap().x, 500.0);
    assert_eq!(crop_arriving_at(&keys, 2.0).unwrap().x, 100.0);
    assert_eq!(crop_at(&keys, 9.0).unwrap().x, 500.0);
    assert_eq!(crop_at(&keys, -1.0).unwrap().x, 0.0);
    assert!(crop_at(&[], 1.0).is_none());
}

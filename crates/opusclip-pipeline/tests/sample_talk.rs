//! The sample talk: its SRT holds the synthesized sentences' real times, and a long talk is
//! made of whole passes joined end to end.

use opusclip_pipeline::sample::{make_sample_talk, SampleOptions};

#[test]
fn a_long_sample_repeats_the_pass_with_shifted_cues() {
    let dir = tempfile::tempdir().unwrap();
    let once = SampleOptions { width: 320, height: 180, paragraphs: Some(1), ..SampleOptions::default() };
    let single = make_sample_talk(&dir.path().join("one"), &once).unwrap();
    let twice = SampleOptions { min_duration: single.duration * 1.5, ..once };
    let double = make_sample_talk(&dir.path().join("two"), &twice).unwrap();
    assert_eq!(double.cues.len(), 2 * single.cues.len());
    assert!((double.duration - 2.0 * single.duration).abs() < 0.2, "{} vs {}", double.duration, single.duration);
    let facts = opusclip_media::probe(&double.video).unwrap();
    assert!((facts.duration - double.duration).abs() < 0.2);
    let shift = double.cues[single.cues.len()].0 - double.cues[0].0;
    assert!((shift - double.duration / 2.0).abs() < 0.1, "{shift}");
    // Cues are ordered, inside the talk, and the SRT parses back to the same count.
    assert!(double.cues.windows(2).all(|pair| pair[0].1 <= pair[1].0));
    assert!(double.cues.last().unwrap().1 <= facts.duration);
    let parsed = opusclip_speech::parse_subtitles(&double.srt).unwrap();
    assert_eq!(parsed.len(), double.cues.len());
}

/// The benchmark's input must cost what a camera recording costs: a real bitrate, not the
/// flat drawing's few kilobits.
#[test]
fn a_camera_like_sample_has_a_camera_bitrate() {
    let dir = tempfile::tempdir().unwrap();
    let options =
        SampleOptions { width: 1280, height: 720, paragraphs: Some(1), camera_like: true, ..SampleOptions::default() };
    let talk = make_sample_talk(dir.path(), &options).unwrap();
    let bytes = std::fs::metadata(&talk.video).unwrap().len() as f64;
    let megabits_per_second = bytes * 8.0 / talk.duration / 1e6;
    assert!((4.0..=8.0).contains(&megabits_per_second), "{megabits_per_second:.2} Mb/s");
}

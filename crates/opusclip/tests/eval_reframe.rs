//! `opusclip eval reframe` on one small generated overlay video: two real GRID speakers, left
//! and right on a 1920x1080 canvas, taking two 6 s turns with their own voices. The 9:16
//! output splits them (both talk, too far apart for one crop); forced to track, the crop
//! shows whoever talks and cuts between them without moving in between. Needs
//! `../shared/media` beside the clone; skipped (with a note) without it.

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_media() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media");
    if path.join("speech/grid").is_dir() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared/media/speech/grid is not beside the repository");
        None
    }
}

/// `opusclip --json eval reframe ARGS` on the shared media, its scenes kept in `work`: the
/// JSON report.
fn eval_reframe(args: &[&str], media: &Path, work: &Path) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(["--json", "eval", "reframe"])
        .args(args)
        .arg("--media")
        .arg(media)
        .arg("--work")
        .arg(work)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("JSON on stdout")
}

#[test]
fn turn_taking_speakers_are_split_or_followed_by_voice() {
    let Some(media) = shared_media() else { return };
    let work = tempfile::tempdir().unwrap();
    let report = eval_reframe(&["--scene", "turns", "--seconds", "12", "--aspect", "9:16"], &media, work.path());
    let scene = &report["scenes"][0];
    assert_eq!(scene["scene"], "turns");
    assert!(scene["face_share"].as_f64().unwrap() > 0.9, "{scene}");
    let outputs = scene["outputs"].as_array().unwrap();
    let auto = outputs.iter().find(|o| o["scene"] == "turns").expect("the automatic layout");
    assert_eq!(auto["layout"], "split", "{auto}");
    assert!(auto["subject_in_frame"].as_f64().unwrap() >= 0.98, "{auto}");
    assert_eq!(auto["mean_speed"].as_f64().unwrap(), 0.0, "two still speakers, two still halves: {auto}");

    let track = outputs.iter().find(|o| o["scene"] == "turns (track forced)").expect("the forced track");
    assert_eq!(track["layout"], "track");
    assert!(track["right_speaker"].as_f64().unwrap() >= 0.9, "{track}");
    assert_eq!(track["cuts"], 1, "one hard cut at the one speaker switch: {track}");
    assert!(track["reversals_per_second"].as_f64().unwrap() <= 0.15, "{track}");
    assert!(
        work.path().read_dir().unwrap().any(|entry| entry.unwrap().file_name().to_string_lossy().ends_with(".mp4")),
        "the generated scene is kept in --work"
    );
}

/// Three real GRID speakers side by side, taking 6 s turns: the 9:16 output gives each a row
/// of their own (all three in frame all along), 16:9 holds the row in one crop, and forced to
/// track the crop cuts to whoever talks.
#[test]
fn three_speakers_taking_turns_get_a_panel_each() {
    let Some(media) = shared_media() else { return };
    let work = tempfile::tempdir().unwrap();
    let report = eval_reframe(&["--scene", "trio", "--aspect", "9:16", "--aspect", "16:9"], &media, work.path());
    let outputs = report["scenes"][0]["outputs"].as_array().unwrap();
    let row = |scene: &str, aspect: &str| {
        outputs.iter().find(|o| o["scene"] == scene && o["aspect"] == aspect).cloned().expect("a row")
    };
    let vertical = row("trio", "9:16");
    assert_eq!(vertical["layout"], "three", "{vertical}");
    assert!(vertical["reason"].as_str().unwrap().starts_with("3 speakers"), "{vertical}");
    assert!(vertical["everyone_in_frame"].as_f64().unwrap() >= 0.98, "{vertical}");
    assert!(vertical["subject_in_frame"].as_f64().unwrap() >= 0.98, "{vertical}");
    let wide = row("trio", "16:9");
    assert_eq!(wide["layout"], "track", "{wide}");
    assert!(wide["everyone_in_frame"].as_f64().unwrap() >= 0.98, "{wide}");
    let forced = row("trio (track forced)", "9:16");
    assert!(forced["right_speaker"].as_f64().unwrap() >= 0.9, "{forced}");
    assert_eq!(forced["cuts"], 2, "one cut at each speaker switch: {forced}");
}

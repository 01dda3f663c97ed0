//! What a run leaves in its output folder when things go wrong: a transcript longer than its
//! video, a one-frame video, a transcript denser than speech, an output folder that cannot be
//! written, and a run stopped with SIGTERM mid-render. Every case ends in playable clips or a
//! typed error, and never in a half-written file, a hidden leftover or a spec without its video.

#[path = "support/outputs.rs"]
mod outputs;

use outputs::{assert_output_folder_is_whole, assert_typed_outcome, ffmpeg, talk_video, transcript};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn opusclip(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opusclip")).args(args).current_dir(cwd).output().unwrap()
}

#[test]
fn a_transcript_longer_than_its_video_gives_playable_clips_or_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    talk_video("short.mp4", 5, "640x360", dir.path());
    std::fs::write(dir.path().join("long.srt"), transcript(30)).unwrap();
    let output = opusclip(
        &["clip", "short.mp4", "--transcript", "long.srt", "-o", "out", "--clips", "2", "--min", "2", "--max", "10"]
            .iter()
            .chain(&["--no-embeddings", "--json"])
            .copied()
            .collect::<Vec<_>>(),
        dir.path(),
    );
    assert_typed_outcome(&output);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    let out = dir.path().join("out");
    assert_output_folder_is_whole(&out);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    for clip in manifest["clips"].as_array().unwrap() {
        assert!(clip["end"].as_f64().unwrap() <= 5.05, "{clip}");
    }
    assert!(manifest["warnings"].to_string().contains("runs past the end of the media"), "{}", manifest["warnings"]);

    // A one-frame video with the same transcript.
    ffmpeg(&["-f", "lavfi", "-i", "testsrc2=s=320x240:r=25:d=0.04", "-frames:v", "1", "one.mp4"], dir.path());
    let output = opusclip(&["clip", "one.mp4", "--transcript", "long.srt", "-o", "one", "--json"], dir.path());
    assert_typed_outcome(&output);
    assert_output_folder_is_whole(&dir.path().join("one"));
}

#[test]
fn a_transcript_denser_than_speech_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    talk_video("v.mp4", 3, "320x240", dir.path());
    let cue = "00:00:01,000 --> 00:00:29,000\none two three four five six seven eight nine ten\n\n";
    std::fs::write(dir.path().join("dense.srt"), cue.repeat(5000)).unwrap();
    let output = opusclip(&["clip", "v.mp4", "--transcript", "dense.srt", "-o", "out", "--json"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let body: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
    assert_eq!(body["code"], "TRANSCRIPT_ERROR", "{body}");
    assert!(body.to_string().contains("words into 10 s"), "{body}");
}

#[test]
fn an_unwritable_output_folder_is_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    talk_video("v.mp4", 3, "320x240", dir.path());
    std::fs::write(dir.path().join("a-file"), b"x").unwrap();
    let output = opusclip(&["-v", "clip", "v.mp4", "-o", "a-file/out", "--json"], dir.path());
    assert_eq!(output.status.code(), Some(4), "I/O errors exit 4");
    let body: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
    assert_eq!(body["code"], "IO_ERROR", "{body}");
    // Refused before the probe: no stage ran, so none logged its end.
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(!log.contains("stage finished"), "{log}");
    let output = opusclip(
        &["-v", "clip", "v.mp4", "-o", "out", "--json", "--clips", "1", "--min", "2", "--max", "3"],
        dir.path(),
    );
    assert!(String::from_utf8_lossy(&output.stderr).contains("stage finished"), "the log names finished stages");
}

#[test]
fn sigterm_mid_render_leaves_only_finished_clips() {
    let dir = tempfile::tempdir().unwrap();
    talk_video("talk.mp4", 60, "1280x720", dir.path());
    std::fs::write(dir.path().join("talk.srt"), transcript(58)).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(["clip", "talk.mp4", "--transcript", "talk.srt", "-o", "out", "--clips", "3", "--min", "10"])
        .args(["--max", "18", "--aspect", "9:16", "--aspect", "1:1", "--no-embeddings", "--json"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let out = dir.path().join("out");
    let deadline = Instant::now() + Duration::from_secs(300);
    let rendering = loop {
        let staging = std::fs::read_dir(&out)
            .ok()
            .and_then(|entries| entries.flatten().find(|e| e.file_name().to_string_lossy().ends_with(".rendering")));
        if let Some(staging) = staging {
            break staging.path();
        }
        assert!(child.try_wait().unwrap().is_none(), "the run ended before any clip was rendering");
        assert!(Instant::now() < deadline, "no clip started rendering within 300 s");
        std::thread::sleep(Duration::from_millis(50));
    };
    std::thread::sleep(Duration::from_millis(300));
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "SIGTERM exits 128 + 15");
    assert!(!rendering.exists(), "the staging folder {} is left", rendering.display());
    assert_output_folder_is_whole(&out);
}

#[test]
fn a_full_disk_is_an_io_error_and_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let mounted = Command::new("mount").args(["-t", "tmpfs", "-o", "size=3m", "tmpfs"]).arg(&small).output();
    if !mounted.is_ok_and(|output| output.status.success()) {
        eprintln!("skipped: cannot mount a 3 MiB tmpfs here (needs root)");
        return;
    }
    talk_video("talk.mp4", 40, "1280x720", dir.path());
    std::fs::write(dir.path().join("talk.srt"), transcript(38)).unwrap();
    let output = opusclip(
        &["clip", "talk.mp4", "--transcript", "talk.srt", "-o", "small/out", "--clips", "2", "--min", "10"]
            .iter()
            .chain(&["--max", "18", "--no-embeddings", "--json"])
            .copied()
            .collect::<Vec<_>>(),
        dir.path(),
    );
    let left: Vec<String> = std::fs::read_dir(small.join("out"))
        .map(|entries| entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    let _ = Command::new("umount").arg(&small).status();
    assert_eq!(output.status.code(), Some(4), "a full disk exits 4: {}", String::from_utf8_lossy(&output.stdout));
    let body: serde_json::Value = serde_json::from_str(String::from_utf8_lossy(&output.stdout).trim()).unwrap();
    assert_eq!(body["code"], "IO_ERROR", "{body}");
    assert!(body["details"]["path"].as_str().unwrap().ends_with("small/out"), "names the output folder: {body}");
    assert!(left.iter().all(|name| !name.starts_with('.')), "leftovers on the full disk: {left:?}");
}

#[test]
fn a_small_source_blown_up_is_named_in_the_warnings() {
    let dir = tempfile::tempdir().unwrap();
    talk_video("small.mp4", 12, "320x240", dir.path());
    std::fs::write(dir.path().join("small.srt"), transcript(12)).unwrap();
    let output = opusclip(
        &["clip", "small.mp4", "--transcript", "small.srt", "-o", "out", "--clips", "1", "--min", "3", "--max", "8"]
            .iter()
            .chain(&["--no-embeddings", "--json"])
            .copied()
            .collect::<Vec<_>>(),
        dir.path(),
    );
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap()).unwrap();
    let warnings = manifest["warnings"].to_string();
    // A 240-pixel-tall source in a 1920-tall output: 8x for a tracked crop, 4.5x fitted.
    assert!(warnings.contains("9:16 enlarges the source up to"), "{warnings}");
    assert!(warnings.contains("clip-01"), "{warnings}");
}

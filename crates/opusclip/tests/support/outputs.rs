//! What a run must leave behind, checked the same way by every test of hostile input: playable
//! clips whose specs match them and no hidden leftovers, or a typed error; and the small media
//! makers those tests share.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn ffmpeg(args: &[&str], cwd: &Path) {
    let status =
        Command::new("ffmpeg").args(["-nostdin", "-v", "error", "-y"]).args(args).current_dir(cwd).status().unwrap();
    assert!(status.success(), "ffmpeg {args:?}");
}

pub fn talk_video(name: &str, seconds: u32, size: &str, cwd: &Path) {
    let video = format!("testsrc2=s={size}:r=30:d={seconds}");
    let audio = format!("sine=f=200:d={seconds}");
    ffmpeg(
        &["-f", "lavfi", "-i", &video, "-f", "lavfi", "-i", &audio, "-c:v", "libx264", "-preset", "ultrafast"]
            .iter()
            .chain(&["-c:a", "aac", "-shortest", name])
            .copied()
            .collect::<Vec<_>>(),
        cwd,
    );
}

/// An SRT of `seconds` seconds: one sentence every two seconds.
pub fn transcript(seconds: u32) -> String {
    (0..seconds / 2)
        .map(|i| {
            let (start, end) = (i * 2, i * 2 + 2);
            format!(
                "{}\n00:00:{start:02},000 --> 00:00:{end:02},000\nThis is sentence number {} of the talk.\n\n",
                i + 1,
                i + 1
            )
        })
        .collect()
}

pub fn seconds_of(file: &Path) -> Option<f64> {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_type", "-show_entries"])
        .args(["format=duration", "-of", "csv=p=0"])
        .arg(file)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&probe.stdout);
    let mut lines = text.lines();
    (lines.next()? == "video").then_some(())?;
    lines.next()?.trim().parse().ok()
}

/// Every `clip-NN.json` has its video, every video is playable and as long as its spec, and no
/// hidden unfinished file is left.
pub fn assert_output_folder_is_whole(out: &Path) {
    let Ok(entries) = std::fs::read_dir(out) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "leftover {name} in {}", out.display());
        if let Some(id) = name.strip_suffix(".json").filter(|id| id.starts_with("clip-")) {
            let spec: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap();
            let expected = spec["end"].as_f64().unwrap() - spec["start"].as_f64().unwrap();
            let video = out.join(format!("{id}.mp4"));
            let seconds = seconds_of(&video).unwrap_or_else(|| panic!("{id}.json without a playable {id}.mp4"));
            assert!((seconds - expected).abs() < 0.2, "{id}.mp4 is {seconds} s, its spec {expected} s");
        }
    }
}

/// A typed error on stdout (with `--json`) or success; never anything else.
pub fn assert_typed_outcome(output: &Output) {
    if output.status.success() {
        return;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let body: serde_json::Value = serde_json::from_str(text.trim())
        .unwrap_or_else(|e| panic!("no JSON error ({e}): {text} / {}", String::from_utf8_lossy(&output.stderr)));
    let code = body["code"].as_str().or(body["results"][0]["error"]["code"].as_str());
    assert!(code.is_some_and(|code| code.ends_with("_ERROR")), "{body}");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("panicked"));
}

//! Sources whose pixels are not what is shown — non-square pixels, rotation — still give
//! upright 1080x1920 clips with the crop in display space.

use opusclip_pipeline::{run_clip, ClipOptions, NoProgress};
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_media() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media");
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("skipped: ../shared/media is not beside the repository");
        None
    }
}

fn output_size(video: &Path) -> (u32, u32) {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(video)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let mut parts = text.trim().split(',').map(|v| v.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

fn clip_once(video: &Path, min: f64, max: f64) -> (tempfile::TempDir, opusclip_core::Manifest) {
    let out = tempfile::tempdir().unwrap();
    let options = ClipOptions { clips: 1, min_seconds: min, max_seconds: max, ..ClipOptions::default() };
    let manifest = run_clip(video, out.path(), &options, &NoProgress).unwrap();
    (out, manifest)
}

#[test]
fn anamorphic_source_is_cropped_in_display_pixels() {
    let Some(media) = shared_media() else { return };
    let video = media.join("scenes/issue-195-aspect-ratio.mp4");
    let (out, manifest) = clip_once(&video, 4.0, 8.0);
    let facts = &manifest.source.probe.video;
    assert_ne!(facts.sar_num, facts.sar_den, "the file has non-square pixels");
    let spec: opusclip_core::ClipSpec =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("clip-01.json")).unwrap()).unwrap();
    let (display_w, display_h) = facts.display_size();
    assert_eq!((spec.source.display_width, spec.source.display_height), (display_w, display_h));
    let key = spec.outputs[0].crop_keyframes[0];
    assert!((key.h - f64::from(display_h)).abs() < 2.0 && key.x + key.w <= f64::from(display_w) + 0.5);
    assert_eq!(output_size(&out.path().join("clip-01.mp4")), (1080, 1920));
}

#[test]
fn rotated_phone_video_comes_out_upright() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain.mp4");
    let rotated = dir.path().join("phone.mp4");
    let made = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=640x360:r=25:d=12"])
        .args(["-f", "lavfi", "-i", "sine=d=12", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac"])
        .arg(&plain)
        .status()
        .unwrap()
        .success()
        && Command::new("ffmpeg")
            .args(["-nostdin", "-v", "error", "-y", "-i"])
            .arg(&plain)
            .args(["-c", "copy", "-metadata:s:v:0", "rotate=90"])
            .arg(&rotated)
            .status()
            .unwrap()
            .success();
    assert!(made);
    let (out, manifest) = clip_once(&rotated, 4.0, 8.0);
    assert_eq!(manifest.source.probe.video.display_size(), (360, 640));
    let spec: opusclip_core::ClipSpec =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("clip-01.json")).unwrap()).unwrap();
    // A 360x640 upright source already is 9:16: the crop is the whole picture.
    let key = spec.outputs[0].crop_keyframes[0];
    assert_eq!((key.w.round(), key.h.round()), (360.0, 640.0));
    assert_eq!(output_size(&out.path().join("clip-01.mp4")), (1080, 1920));
}

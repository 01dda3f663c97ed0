//! Rendered clips land on their loudness target: a LibriVox reading (`../shared/media/speech/
//! sonnets`) as recorded and 20 dB quieter, rendered at −14 LUFS and −23 LUFS, measured again by
//! ffmpeg's EBU R 128 meter (`ebur128`): integrated loudness within ±1 LU of the target and true
//! peak at most −1 dBTP (with the meter's 0.5 dB of slack). `None` keeps the recorded level.

use opusclip_core::spec::{Aspect, CropKeyframe, OutputSpec};
use opusclip_core::{KeptRange, Layout};
use opusclip_media::render::{render, RenderJob, RenderOutput, VideoEncoder};
use std::path::{Path, PathBuf};
use std::process::Command;

fn ffmpeg(args: &[&str]) -> String {
    let output = Command::new("ffmpeg").args(["-nostdin", "-hide_banner", "-y"]).args(args).output().unwrap();
    assert!(output.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Sonnet I read aloud under a plain 320x240 picture, `gain_db` louder (negative: quieter).
fn reading(dir: &Path, gain_db: f64) -> Option<PathBuf> {
    reading_with(dir, &format!("volume={gain_db}dB"), &format!("reading{gain_db}.mp4"))
}

/// Sonnet I under a plain picture with its sound through `audio_filter`, as `dir/name`.
fn reading_with(dir: &Path, audio_filter: &str, name: &str) -> Option<PathBuf> {
    let sonnet = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media/speech/sonnets/p001.mp3");
    if !sonnet.is_file() {
        let required = std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|value| value == "1");
        assert!(!required, "{} is required (OPUSCLIP_REQUIRE_SERVICES=1)", sonnet.display());
        eprintln!("skipped: ../shared/media/speech/sonnets is not beside the repository");
        return None;
    }
    let video = dir.join(name);
    ffmpeg(&[
        "-v",
        "error",
        "-f",
        "lavfi",
        "-i",
        "color=c=0x336699:s=320x240:r=25:d=30",
        "-i",
        sonnet.to_str().unwrap(),
        "-af",
        audio_filter,
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-b:a",
        "192k",
        "-t",
        "30",
        video.to_str().unwrap(),
    ]);
    Some(video)
}

/// (integrated loudness LUFS, true peak dBTP) of a file's audio, by ffmpeg's ebur128 meter.
fn measured(path: &Path) -> (f64, f64) {
    let log = ffmpeg(&[
        "-nostats",
        "-i",
        path.to_str().unwrap(),
        "-map",
        "0:a",
        "-af",
        "ebur128=peak=true",
        "-f",
        "null",
        "-",
    ]);
    let summary = &log[log.rfind("Summary:").expect("ebur128 summary")..];
    let value = |label: &str| -> f64 {
        let at = summary.find(label).unwrap_or_else(|| panic!("{label} in {summary}")) + label.len();
        summary[at..].split_whitespace().next().unwrap().parse().unwrap()
    };
    (value("I:"), value("Peak:"))
}

/// Renders 20 s of `source` (from 4 s) at `loudness` into `dir/name`.
fn render_at(source: &Path, loudness: Option<f64>, dir: &Path, name: &str) -> PathBuf {
    render_kept(source, loudness, &[], dir, name)
}

/// Renders the `kept` stretches of 4–24 s of `source` at `loudness` into `dir/name`.
fn render_kept(source: &Path, loudness: Option<f64>, kept: &[KeptRange], dir: &Path, name: &str) -> PathBuf {
    let spec = OutputSpec {
        aspect: Aspect::Square,
        width: 240,
        height: 240,
        layout: Layout::Track,
        crop_keyframes: vec![CropKeyframe { t: 0.0, x: 40.0, y: 0.0, w: 240.0, h: 240.0 }],
    };
    let destination = dir.join(name);
    let job = RenderJob {
        source,
        start: 4.0,
        end: 24.0,
        fps: 25.0,
        has_audio: true,
        loudness,
        watermark: None,
        outputs: vec![RenderOutput { spec: &spec, subtitles_ass: None, destination: &destination }],
        encoder: VideoEncoder::X264,
        kept,
        fonts_dir: None,
        cover: None,
    };
    render(&job, &mut |_| {}).expect("renders");
    destination
}

#[test]
fn clips_land_on_their_loudness_target_from_any_recorded_level() {
    let dir = tempfile::tempdir().unwrap();
    for gain in [0.0, -20.0] {
        let Some(source) = reading(dir.path(), gain) else { return };
        for target in [-14.0, -23.0] {
            let clip = render_at(&source, Some(target), dir.path(), &format!("clip{gain}{target}.mp4"));
            let (integrated, peak) = measured(&clip);
            assert!((integrated - target).abs() <= 1.0, "gain {gain} dB, target {target}: {integrated} LUFS");
            assert!(peak <= -0.5, "gain {gain} dB, target {target}: true peak {peak} dBTP");
        }
    }
}

#[test]
fn without_a_target_the_recorded_level_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let Some(source) = reading(dir.path(), -20.0) else { return };
    let kept = render_at(&source, None, dir.path(), "kept.mp4");
    let normalised = render_at(&source, Some(-14.0), dir.path(), "normalised.mp4");
    let (kept_level, _) = measured(&kept);
    let (normalised_level, _) = measured(&normalised);
    assert!(kept_level < -30.0, "the quiet reading stays quiet: {kept_level} LUFS");
    assert!(normalised_level - kept_level > 15.0, "{kept_level} → {normalised_level}");
}

#[test]
fn a_cut_clip_is_measured_over_the_sound_it_keeps() {
    // 20 dB quieter except 10-18 s: a clip of 4-24 s that keeps only 4-10 s and 18-24 s plays the
    // quiet reading; measured over its whole span the loud middle would set the gain.
    let dir = tempfile::tempdir().unwrap();
    let filter = "volume='if(between(t,10,18),1,0.1)':eval=frame";
    let Some(source) = reading_with(dir.path(), filter, "loud-middle.mp4") else { return };
    let kept = [KeptRange { start: 4.0, end: 10.0 }, KeptRange { start: 18.0, end: 24.0 }];
    let clip = render_kept(&source, Some(-14.0), &kept, dir.path(), "cut.mp4");
    let (integrated, peak) = measured(&clip);
    assert!((integrated + 14.0).abs() <= 1.0, "the kept quiet parts land at {integrated} LUFS");
    assert!(peak <= -0.5, "true peak {peak} dBTP");
}

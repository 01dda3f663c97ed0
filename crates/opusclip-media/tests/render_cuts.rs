//! Jump cuts in a render: a source whose picture brightens and whose tone swells with time, so
//! that a frame's luma and a moment's loudness say which source second it came from, is
//! rendered keeping two ranges; the file is as long as the ranges, and on both sides of the join
//! picture and sound come from the same source second.

use opusclip_core::spec::{Aspect, CropKeyframe, OutputSpec};
use opusclip_core::KeptRange;
use opusclip_core::Layout;
use opusclip_media::render::{render, RenderJob, RenderOutput, VideoEncoder};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Luma of the picture at source second `t`, and the tone's peak amplitude.
const LUMA_PER_SECOND: f64 = 30.0;
const LUMA_AT_ZERO: f64 = 16.0;
const AMPLITUDE_PER_SECOND: f64 = 0.15;

fn tool(program: &str, args: &[&str]) -> Vec<u8> {
    let output = Command::new(program).args(args).stdin(Stdio::null()).output().expect("ffmpeg is installed");
    assert!(output.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// 6 s at 30 fps, 640x360: luma 16 + 30·t, a 440 Hz tone of peak 0.15·t.
fn ramp(dir: &Path, with_picture: bool) -> PathBuf {
    let path = dir.join(if with_picture { "ramp.mp4" } else { "ramp.m4a" });
    let picture =
        format!("nullsrc=s=640x360:r=30:d=6,geq=lum='{LUMA_AT_ZERO}+{LUMA_PER_SECOND}*T':cb=128:cr=128,format=yuv420p");
    let sound = format!("aevalsrc='{AMPLITUDE_PER_SECOND}*t*sin(2*PI*440*t)':s=48000:d=6");
    let mut args = vec!["-v", "error", "-y"];
    if with_picture {
        args.extend(["-f", "lavfi", "-i", &picture]);
    }
    args.extend(["-f", "lavfi", "-i", &sound]);
    if with_picture {
        args.extend(["-c:v", "libx264", "-preset", "ultrafast", "-qp", "0"]);
    }
    args.extend(["-c:a", "aac", "-b:a", "192k", path.to_str().unwrap()]);
    tool("ffmpeg", &args);
    path
}

fn duration(path: &Path, stream: &str) -> f64 {
    let probe = tool(
        "ffprobe",
        &[
            "-v",
            "error",
            "-select_streams",
            stream,
            "-show_entries",
            "stream=duration",
            "-of",
            "json",
            path.to_str().unwrap(),
        ],
    );
    let probe: Value = serde_json::from_slice(&probe).unwrap();
    probe["streams"][0]["duration"].as_str().unwrap().parse().unwrap()
}

/// Mean luma of the frame at `at` seconds, in full range (0–255, as `gray` gives it).
fn luma_at(path: &Path, at: f64) -> f64 {
    let at = at.to_string();
    let frame = tool(
        "ffmpeg",
        &[
            "-v",
            "error",
            "-ss",
            &at,
            "-i",
            path.to_str().unwrap(),
            "-frames:v",
            "1",
            "-vf",
            "scale=32:32",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "gray",
            "-",
        ],
    );
    frame.iter().map(|&v| f64::from(v)).sum::<f64>() / frame.len() as f64
}

/// Peak amplitude of the sound over `at..at+0.1` s.
fn peak_at(path: &Path, at: f64) -> f64 {
    let at = at.to_string();
    let samples = tool(
        "ffmpeg",
        &["-v", "error", "-ss", &at, "-t", "0.1", "-i", path.to_str().unwrap(), "-ac", "1", "-f", "f32le", "-"],
    );
    samples.chunks_exact(4).map(|b| f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]).abs())).fold(0.0, f64::max)
}

fn whole_frame(aspect: Aspect) -> OutputSpec {
    let (width, height) = aspect.size();
    let window = CropKeyframe { t: 0.0, x: 0.0, y: 0.0, w: 640.0, h: 360.0 };
    OutputSpec { aspect, width, height, layout: Layout::BlurFit, crop_keyframes: vec![window] }
}

/// Keeps 0.5–2.0 s and 4.0–5.5 s of the 0.5–5.5 s clip: 3 s, the join at 1.5 s.
const KEPT: [KeptRange; 2] = [KeptRange { start: 0.5, end: 2.0 }, KeptRange { start: 4.0, end: 5.5 }];

fn job<'a>(source: &'a Path, outputs: Vec<RenderOutput<'a>>, loudness: Option<f64>) -> RenderJob<'a> {
    RenderJob {
        source,
        start: 0.5,
        end: 5.5,
        fps: 30.0,
        has_audio: true,
        loudness,
        watermark: None,
        outputs,
        encoder: VideoEncoder::X264,
        kept: &KEPT,
        fonts_dir: None,
        cover: None,
    }
}

#[test]
fn a_cut_clip_is_as_long_as_its_ranges_with_picture_and_sound_together() {
    let dir = tempfile::tempdir().unwrap();
    let source = ramp(dir.path(), true);
    let (wide_spec, square_spec) = (whole_frame(Aspect::Wide), whole_frame(Aspect::Square));
    let (wide, square) = (dir.path().join("wide.mp4"), dir.path().join("square.mp4"));
    let outputs = vec![
        RenderOutput { spec: &wide_spec, subtitles_ass: None, destination: &wide },
        RenderOutput { spec: &square_spec, subtitles_ass: None, destination: &square },
    ];
    let cut = job(&source, outputs, None);
    assert_eq!(cut.played_duration(), 3.0);
    render(&cut, &mut |_| {}).expect("renders");
    for file in [&wide, &square] {
        let (picture, sound) = (duration(file, "v:0"), duration(file, "a:0"));
        assert!(
            (picture - 3.0).abs() < 0.07 && (sound - 3.0).abs() < 0.07,
            "{file:?}: video {picture} s, audio {sound} s"
        );
    }
    // Output second t shows source second t + 0.5 before the join, t + 2.5 after it.
    for (at, source_second) in [(0.5, 1.0), (1.3, 1.8), (1.7, 4.2), (2.6, 5.1)] {
        let luma = luma_at(&wide, at);
        let expected = LUMA_PER_SECOND * source_second * 255.0 / 219.0;
        assert!(
            (luma - expected).abs() < 8.0,
            "picture at {at} s: luma {luma:.1}, source {source_second} s gives {expected:.1}"
        );
        let peak = peak_at(&wide, at);
        let expected = AMPLITUDE_PER_SECOND * (source_second + 0.05);
        assert!(
            (peak - expected).abs() < 0.06,
            "sound at {at} s: peak {peak:.3}, source {source_second} s gives {expected:.3}"
        );
    }
}

/// Ranges more than `SEEK_GAP_SECONDS` apart, each read from an input of its own.
const FAR_APART: [KeptRange; 2] = [KeptRange { start: 0.2, end: 0.7 }, KeptRange { start: 5.75, end: 5.95 }];

#[test]
fn ranges_far_apart_are_read_apart_and_joined_with_picture_and_sound_together() {
    let dir = tempfile::tempdir().unwrap();
    let source = ramp(dir.path(), true);
    let wide_spec = whole_frame(Aspect::Wide);
    let wide = dir.path().join("wide.mp4");
    let outputs = vec![RenderOutput { spec: &wide_spec, subtitles_ass: None, destination: &wide }];
    let far = RenderJob { start: 0.2, end: 5.95, kept: &FAR_APART, ..job(&source, outputs, None) };
    assert_eq!(opusclip_media::render::source_reads(&far).len(), 2, "read apart");
    render(&far, &mut |_| {}).expect("renders");
    let (picture, sound) = (duration(&wide, "v:0"), duration(&wide, "a:0"));
    assert!((picture - 0.7).abs() < 0.07 && (sound - 0.7).abs() < 0.07, "video {picture} s, audio {sound} s");
    for (at, source_second) in [(0.2, 0.4), (0.55, 5.8)] {
        let luma = luma_at(&wide, at);
        let expected = LUMA_PER_SECOND * source_second * 255.0 / 219.0;
        assert!(
            (luma - expected).abs() < 8.0,
            "picture at {at} s: luma {luma:.1}, source {source_second} s: {expected:.1}"
        );
        let peak = peak_at(&wide, at);
        let expected = AMPLITUDE_PER_SECOND * (source_second + 0.05);
        assert!(
            (peak - expected).abs() < 0.06,
            "sound at {at} s: peak {peak:.3}, source {source_second} s: {expected:.3}"
        );
    }
}

#[test]
fn a_cut_clip_is_brought_to_its_loudness_and_an_audiogram_of_a_recording_is_cut_too() {
    let dir = tempfile::tempdir().unwrap();
    let source = ramp(dir.path(), false);
    let (width, height) = Aspect::Square.size();
    let audiogram =
        OutputSpec { aspect: Aspect::Square, width, height, layout: Layout::Audiogram, crop_keyframes: Vec::new() };
    let destination = dir.path().join("audiogram.mp4");
    let outputs = vec![RenderOutput { spec: &audiogram, subtitles_ass: None, destination: &destination }];
    render(&job(&source, outputs, Some(-14.0)), &mut |_| {}).expect("renders");
    let (picture, sound) = (duration(&destination, "v:0"), duration(&destination, "a:0"));
    assert!((picture - 3.0).abs() < 0.1 && (sound - 3.0).abs() < 0.1, "video {picture} s, audio {sound} s");
    // Louder after the join (source 4–5.5 s) than before it (0.5–2 s), as the source was.
    let (before, after) = (peak_at(&destination, 0.6), peak_at(&destination, 2.4));
    assert!(after > before * 1.5, "peaks {before:.3} before the join, {after:.3} after it");
}

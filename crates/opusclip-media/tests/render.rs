//! Integration tests of clip rendering: they generate small sources with ffmpeg's lavfi
//! devices, render them through `opusclip_media::render` and inspect the results with
//! ffprobe and ffmpeg.

use opusclip_core::spec::{Aspect, CropKeyframe, OutputSpec};
use opusclip_core::Error;
use opusclip_core::Layout;
use opusclip_media::render::{check_ffmpeg, render, thumbnail, RenderJob, RenderOutput, VideoEncoder};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const SOURCE_FPS: f64 = 30.0;

/// Runs a helper command that must succeed and returns its stdout. `fixed` is split on
/// whitespace; `paths` are appended as they are (they may contain spaces).
fn run_tool(program: &str, fixed: &str, paths: &[&Path]) -> Vec<u8> {
    let output = Command::new(program)
        .args(fixed.split_whitespace())
        .args(paths)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|err| panic!("{program} must be installed: {err}"));
    assert!(output.status.success(), "{program} {fixed} {paths:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// A 4 s 1280x720 30 fps test pattern with a 440 Hz tone.
fn pattern_with_tone(dir: &Path) -> PathBuf {
    let path = dir.join("pattern.mp4");
    let command = "-v error -f lavfi -i testsrc2=size=1280x720:rate=30:duration=4 \
                   -f lavfi -i sine=frequency=440:duration=4 \
                   -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -shortest -y";
    run_tool("ffmpeg", command, &[&path]);
    path
}

/// A 4 s 1280x720 30 fps still picture whose luma is x/5: a column's brightness says where
/// it came from. No audio.
fn horizontal_gradient(dir: &Path) -> PathBuf {
    let path = dir.join("gradient.mp4");
    let command = "-v error -f lavfi \
                   -i nullsrc=s=1280x720:r=30:d=4,geq=lum=X/5:cb=128:cr=128,format=yuv420p \
                   -c:v libx264 -preset ultrafast -qp 0 -y";
    run_tool("ffmpeg", command, &[&path]);
    path
}

fn keyframe(t: f64, x: f64, w: f64, h: f64) -> CropKeyframe {
    CropKeyframe { t, x, y: 0.0, w, h }
}

fn output_spec(aspect: Aspect, crop_keyframes: Vec<CropKeyframe>) -> OutputSpec {
    let (width, height) = aspect.size();
    OutputSpec { aspect, width, height, layout: Layout::Track, crop_keyframes }
}

/// 9:16 window (405x720) panning from x=0 at t=0 to x=600 at t=2.
fn panning_vertical() -> OutputSpec {
    output_spec(Aspect::Vertical, vec![keyframe(0.0, 0.0, 405.0, 720.0), keyframe(2.0, 600.0, 405.0, 720.0)])
}

fn write_captions(path: &Path) {
    let ass = "[Script Info]\nScriptType: v4.00+\nPlayResX: 1080\nPlayResY: 1920\n\n\
        [V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, \
        OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, \
        Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding\n\
        Style: Default,DejaVu Sans,120,&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,-1,0,0,0,\
        100,100,0,0,1,8,0,2,40,40,400,1\n\n[Events]\n\
        Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n\
        Dialogue: 0,0:00:00.00,0:00:09.00,Default,,0,0,0,,HELLO WORLD\n";
    std::fs::write(path, ass).unwrap();
}

fn ffprobe(path: &Path) -> Value {
    let command = "-v error -count_frames -show_streams -show_format -of json";
    serde_json::from_slice(&run_tool("ffprobe", command, &[path])).unwrap()
}

fn stream<'a>(probe: &'a Value, codec_type: &str) -> Option<&'a Value> {
    probe["streams"].as_array().unwrap().iter().find(|stream| stream["codec_type"] == codec_type)
}

fn number(value: &Value) -> f64 {
    value.as_str().and_then(|text| text.parse().ok()).unwrap()
}

/// The luma plane of the frame at `at` seconds of an output.
fn luma_at(path: &Path, at: f64, width: usize, height: usize) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-ss", &at.to_string(), "-i"])
        .arg(path)
        .args("-frames:v 1 -f rawvideo -pix_fmt yuv420p -".split_whitespace())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "no frame at {at} s of {path:?}");
    let mut frame = output.stdout;
    assert!(frame.len() >= width * height, "short frame at {at} s");
    frame.truncate(width * height);
    frame
}

fn mean_abs_difference(a: &[u8], b: &[u8]) -> f64 {
    let total: u64 = a.iter().zip(b).map(|(x, y)| u64::from(x.abs_diff(*y))).sum();
    total as f64 / a.len() as f64
}

/// Mean luma of the leftmost `columns` columns.
fn left_edge_luma(frame: &[u8], width: usize, columns: usize) -> f64 {
    let rows = frame.len() / width;
    let total: u64 = frame.chunks(width).flat_map(|row| &row[..columns]).map(|&value| u64::from(value)).sum();
    total as f64 / (rows * columns) as f64
}

/// Every frame's luma plane, `width` × `height` bytes each.
fn luma_frames(path: &Path, width: usize, height: usize) -> Vec<Vec<u8>> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args("-map 0:v -f rawvideo -pix_fmt gray -".split_whitespace())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(output.status.success(), "decoding {path:?} failed");
    output.stdout.chunks_exact(width * height).map(<[u8]>::to_vec).collect()
}

fn file_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// An output without captions.
fn uncaptioned<'a>(spec: &'a OutputSpec, destination: &'a Path) -> RenderOutput<'a> {
    RenderOutput { spec, subtitles_ass: None, destination }
}

/// An output with burned-in captions.
fn captioned<'a>(spec: &'a OutputSpec, ass: &'a Path, destination: &'a Path) -> RenderOutput<'a> {
    RenderOutput { spec, subtitles_ass: Some(ass), destination }
}

fn job<'a>(source: &'a Path, has_audio: bool, outputs: Vec<RenderOutput<'a>>) -> RenderJob<'a> {
    RenderJob {
        source,
        start: 1.0,
        end: 3.0,
        fps: SOURCE_FPS,
        has_audio,
        loudness: None,
        watermark: None,
        outputs,
        encoder: VideoEncoder::X264,
        kept: &[],
        fonts_dir: None,
        cover: None,
    }
}

#[test]
fn ffmpeg_has_what_rendering_needs() {
    check_ffmpeg().expect("ffmpeg with libx264 and libass");
}

#[test]
fn renders_a_captioned_vertical_clip_with_audio() {
    let dir = tempfile::tempdir().unwrap();
    let source = pattern_with_tone(dir.path());
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let captions = dir.path().join("clip-01.ass");
    write_captions(&captions);
    let spec = panning_vertical();
    let destination = out_dir.join("clip-01.mp4");
    let outputs = vec![captioned(&spec, &captions, &destination)];
    let mut fractions = Vec::new();
    render(&job(&source, true, outputs), &mut |fraction| fractions.push(fraction)).unwrap();

    let probe = ffprobe(&destination);
    let video = stream(&probe, "video").expect("a video stream");
    assert_eq!(video["codec_name"], "h264");
    assert_eq!((video["width"].as_u64(), video["height"].as_u64()), (Some(1080), Some(1920)));
    assert_eq!(video["pix_fmt"], "yuv420p");
    let frames = number(&video["nb_read_frames"]);
    assert!((frames - 60.0).abs() <= 1.0, "{frames} frames");
    let duration = number(&video["duration"]);
    assert!((duration - 2.0).abs() <= 1.0 / SOURCE_FPS + 1e-3, "{duration} s");
    assert_eq!(stream(&probe, "audio").expect("an audio stream")["codec_name"], "aac");

    assert_eq!(fractions.last(), Some(&1.0), "{fractions:?}");
    assert!(fractions.windows(2).all(|pair| pair[0] <= pair[1]), "{fractions:?}");
    assert!(fractions.iter().all(|f| (0.0..=1.0).contains(f)));
    assert_eq!(file_names(&out_dir), ["clip-01.mp4"], "no temporary files left");
}

#[test]
fn renders_two_aspects_in_one_call() {
    let dir = tempfile::tempdir().unwrap();
    let source = horizontal_gradient(dir.path());
    let vertical = panning_vertical();
    let square = output_spec(Aspect::Square, vec![keyframe(0.0, 280.0, 720.0, 720.0)]);
    let (vertical_path, square_path) = (dir.path().join("a.mp4"), dir.path().join("a.1x1.mp4"));
    let outputs = vec![uncaptioned(&vertical, &vertical_path), uncaptioned(&square, &square_path)];
    render(&job(&source, false, outputs), &mut |_| {}).unwrap();

    for (path, size) in [(&vertical_path, (1080, 1920)), (&square_path, (1080, 1080))] {
        let probe = ffprobe(path);
        let video = stream(&probe, "video").expect("a video stream");
        assert_eq!((video["width"].as_u64(), video["height"].as_u64()), (Some(size.0), Some(size.1)));
        let frames = number(&video["nb_read_frames"]);
        assert!((frames - 60.0).abs() <= 1.0, "{path:?}: {frames} frames");
        assert!(stream(&probe, "audio").is_none(), "a source without audio gives none");
    }
}

#[test]
fn crop_follows_keyframes_from_the_clip_start() {
    let dir = tempfile::tempdir().unwrap();
    let source = horizontal_gradient(dir.path());
    let (moving_spec, still_spec) =
        (panning_vertical(), output_spec(Aspect::Vertical, vec![keyframe(0.0, 300.0, 405.0, 720.0)]));
    let (moving, still) = (dir.path().join("moving.mp4"), dir.path().join("still.mp4"));
    let outputs = vec![uncaptioned(&moving_spec, &moving), uncaptioned(&still_spec, &still)];
    render(&job(&source, false, outputs), &mut |_| {}).unwrap();

    // x(t) = 300·t on the clip's own clock: if t started at the source time (1 s) instead,
    // the first frame would already show x = 300.
    for (at, expected_x) in [(0.0, 0.0), (1.0, 300.0), (1.9, 570.0)] {
        let frame = luma_at(&moving, at, 1080, 1920);
        let source_x = left_edge_luma(&frame, 1080, 2) * 5.0;
        assert!((source_x - expected_x).abs() < 15.0, "at {at} s: x {source_x}");
    }
    let (first, late) = (luma_at(&moving, 0.0, 1080, 1920), luma_at(&moving, 1.9, 1080, 1920));
    assert!(mean_abs_difference(&first, &late) > 50.0, "the moving crop moves");
    let (first, late) = (luma_at(&still, 0.0, 1080, 1920), luma_at(&still, 1.9, 1080, 1920));
    assert!(mean_abs_difference(&first, &late) < 1.0, "a still crop stays");
}

#[test]
fn captions_are_burned_in_from_an_awkward_path() {
    let dir = tempfile::tempdir().unwrap();
    let source = horizontal_gradient(dir.path());
    let awkward_dir = dir.path().join("it's a: [test], dir; \\ ok");
    std::fs::create_dir(&awkward_dir).unwrap();
    let captions = awkward_dir.join("clip's: captions.ass");
    write_captions(&captions);
    let spec = panning_vertical();
    let (plain, with_captions) = (dir.path().join("plain.mp4"), awkward_dir.join("out, 1.mp4"));
    let outputs = vec![uncaptioned(&spec, &plain), captioned(&spec, &captions, &with_captions)];
    render(&job(&source, false, outputs), &mut |_| {}).unwrap();

    let difference = mean_abs_difference(&luma_at(&plain, 0.5, 1080, 1920), &luma_at(&with_captions, 0.5, 1080, 1920));
    assert!(difference > 2.0, "captions change the picture ({difference})");
}

/// Two renders of one job give the same frames. Not bit for bit: with two threads, libx264's
/// threaded lookahead (ffmpeg 5.1 here) now and then decides a few frames differently, which
/// `-x264-params sync-lookahead=0` or sliced threads would stop at about 30 % more encoding time
/// on two cores (measured on a 30 s 1080x1920 render: 11.4 s against 15.0 s). So every frame must
/// match its twin to within 1 grey level on average, a tenth of what one frame of motion moves
/// in this pattern (about 9.7): the same frames at the same times, encoded alike.
#[test]
fn rendering_twice_gives_the_same_frames() {
    let dir = tempfile::tempdir().unwrap();
    let source = pattern_with_tone(dir.path());
    let spec = panning_vertical();
    let (first, second) = (dir.path().join("first.mp4"), dir.path().join("second.mp4"));
    for destination in [&first, &second] {
        let outputs = vec![uncaptioned(&spec, destination)];
        render(&job(&source, true, outputs), &mut |_| {}).unwrap();
    }
    let (first_frames, second_frames) = (luma_frames(&first, 1080, 1920), luma_frames(&second, 1080, 1920));
    assert_eq!(first_frames.len(), 60);
    assert_eq!(first_frames.len(), second_frames.len());
    for (index, (a, b)) in first_frames.iter().zip(&second_frames).enumerate() {
        let difference = mean_abs_difference(a, b);
        assert!(difference < 1.0, "frame {index} differs by {difference:.2} grey levels between two renders");
    }
    let motion = mean_abs_difference(&first_frames[30], &first_frames[31]);
    assert!(motion > 5.0, "the pattern moves between frames ({motion:.2}), so a shifted frame would show");
}

#[test]
fn a_failed_render_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.mp4");
    let spec = panning_vertical();
    let destination = dir.path().join("clip-01.mp4");
    let outputs = vec![uncaptioned(&spec, &destination)];
    let error = render(&job(&missing, true, outputs), &mut |_| {}).unwrap_err();

    let Error::VideoProcessing { details, .. } = &error else {
        panic!("expected VideoProcessing, got {error:?}");
    };
    assert!(details["stderr"].as_str().unwrap().contains("missing.mp4"), "{details}");
    assert!(details["command"].as_str().unwrap().contains("libx264"), "{details}");
    assert!(file_names(dir.path()).is_empty(), "{:?}", file_names(dir.path()));
}

#[test]
fn invalid_jobs_are_rejected_before_ffmpeg_runs() {
    let dir = tempfile::tempdir().unwrap();
    let spec = output_spec(Aspect::Vertical, Vec::new());
    let destination = dir.path().join("clip-01.mp4");
    let outputs = vec![uncaptioned(&spec, &destination)];
    let error = render(&job(&destination, false, outputs), &mut |_| {}).unwrap_err();
    assert!(matches!(error, Error::InvalidInput { .. }), "{error:?}");
    let empty = RenderJob { end: 1.0, ..job(&destination, false, Vec::new()) };
    assert!(matches!(render(&empty, &mut |_| {}), Err(Error::InvalidInput { .. })));
}

#[test]
fn thumbnail_is_a_jpeg_of_the_requested_size() {
    let dir = tempfile::tempdir().unwrap();
    let source = pattern_with_tone(dir.path());
    let destination = dir.path().join("clip-01.jpg");
    let crop = keyframe(0.0, 400.0, 405.0, 720.0);
    thumbnail(&source, 1.5, &crop, (540, 960), &destination).unwrap();

    let probe = ffprobe(&destination);
    let video = stream(&probe, "video").expect("an image");
    assert_eq!(video["codec_name"], "mjpeg");
    assert_eq!((video["width"].as_u64(), video["height"].as_u64()), (Some(540), Some(960)));
    assert_eq!(file_names(dir.path()), ["clip-01.jpg", "pattern.mp4"]);

    let past_the_end = thumbnail(&source, 60.0, &crop, (540, 960), &dir.path().join("late.jpg"));
    assert!(matches!(past_the_end, Err(Error::VideoProcessing { .. })), "{past_the_end:?}");
    assert_eq!(file_names(dir.path()), ["clip-01.jpg", "pattern.mp4"]);
}

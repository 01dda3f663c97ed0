//! A corpus of odd media, made at test time with ffmpeg: audio only, one frame, 16x16, 4K60,
//! rotations, HEVC, VP9, AV1, 10-bit, 4:4:4, interlaced, several audio tracks, timestamps from
//! 10 000 s, variable frame rate, anamorphic pixels, truncated and empty files, and names with
//! spaces, quotes and non-ASCII. `opusclip clip` on each must end in playable clips or a typed
//! error within its time limit: never a panic, a hang, a partial file or a spec without its video.

#[path = "support/outputs.rs"]
mod outputs;

use outputs::{assert_output_folder_is_whole, assert_typed_outcome, ffmpeg};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A run past this is a hang (the largest file is two seconds of 4K60).
const RUN_LIMIT: Duration = Duration::from_secs(240);

const TONE: &str = "sine=f=300:d=3";

/// One odd file: its name and the ffmpeg arguments that make it from lavfi sources, or a
/// maker for files ffmpeg cannot write on purpose.
struct Case {
    name: &'static str,
    ffmpeg: &'static [&'static str],
    /// An encoder the case needs (skipped with a note when this ffmpeg lacks it).
    encoder: Option<&'static str>,
}

const fn case(name: &'static str, ffmpeg: &'static [&'static str]) -> Case {
    Case { name, ffmpeg, encoder: None }
}

const fn needs(name: &'static str, encoder: &'static str, ffmpeg: &'static [&'static str]) -> Case {
    Case { name, ffmpeg, encoder: Some(encoder) }
}

const V: &str = "testsrc2=s=320x240:r=25:d=3";

const CASES: &[Case] = &[
    case("audio only.m4a", &["-f", "lavfi", "-i", TONE, "-c:a", "aac"]),
    case("audio-only.mp3", &["-f", "lavfi", "-i", TONE]),
    case("audio-only.wav", &["-f", "lavfi", "-i", TONE]),
    case("one-frame.mp4", &["-f", "lavfi", "-i", V, "-frames:v", "1"]),
    case("tiny-16x16.mp4", &["-f", "lavfi", "-i", "testsrc2=s=16x16:r=25:d=3", "-f", "lavfi", "-i", TONE, "-shortest"]),
    case("uhd-4k60.mp4", &["-f", "lavfi", "-i", "testsrc2=s=3840x2160:r=60:d=2", "-preset", "ultrafast"]),
    // Rotated by `rotate_by_stream_copy` below (ffmpeg writes the display matrix only when copying).
    case("rotated-90.mp4", &["-f", "lavfi", "-i", V]),
    case("rotated-270.mp4", &["-f", "lavfi", "-i", V, "-f", "lavfi", "-i", TONE, "-shortest"]),
    case("rotated-180.mov", &["-f", "lavfi", "-i", V]),
    needs(
        "hevc.mp4",
        "libx265",
        &["-f", "lavfi", "-i", V, "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error"],
    ),
    needs(
        "vp9.webm",
        "libvpx-vp9",
        &[
            "-f",
            "lavfi",
            "-i",
            V,
            "-f",
            "lavfi",
            "-i",
            TONE,
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-c:a",
            "libopus",
        ],
    ),
    needs("av1.mkv", "libsvtav1", &["-f", "lavfi", "-i", V, "-c:v", "libsvtav1", "-preset", "12"]),
    case(
        "ten-bit.mp4",
        &["-f", "lavfi", "-i", V, "-pix_fmt", "yuv420p10le", "-c:v", "libx264", "-profile:v", "high10"],
    ),
    case("yuv444.mp4", &["-f", "lavfi", "-i", V, "-pix_fmt", "yuv444p", "-c:v", "libx264"]),
    case(
        "interlaced.mp4",
        &["-f", "lavfi", "-i", V, "-vf", "tinterlace=4", "-flags", "+ildct+ilme", "-c:v", "libx264"],
    ),
    case(
        "two-audio-tracks.mkv",
        &[
            "-f",
            "lavfi",
            "-i",
            V,
            "-f",
            "lavfi",
            "-i",
            TONE,
            "-f",
            "lavfi",
            "-i",
            "sine=f=600:d=3",
            "-map",
            "0",
            "-map",
            "1",
            "-map",
            "2",
        ],
    ),
    case("starts-at-10000s.mp4", &["-f", "lavfi", "-i", V, "-f", "lavfi", "-i", TONE, "-output_ts_offset", "10000"]),
    case(
        "variable-rate.mkv",
        &["-f", "lavfi", "-i", V, "-vf", "setpts='N/25/TB+if(gt(N,30),0.4*(N-30)/25/TB,0)'", "-fps_mode", "vfr"],
    ),
    case("anamorphic.mp4", &["-f", "lavfi", "-i", V, "-vf", "setsar=4/3"]),
    case("portrait-720x1280.mp4", &["-f", "lavfi", "-i", "testsrc2=s=720x1280:r=30:d=3", "-f", "lavfi", "-i", TONE]),
    case("odd-size-321x239.mp4", &["-f", "lavfi", "-i", "testsrc2=s=321x239:r=25:d=3", "-pix_fmt", "yuv444p"]),
    case("no-audio.mp4", &["-f", "lavfi", "-i", V]),
    case("silent-audio.mp4", &["-f", "lavfi", "-i", V, "-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "3"]),
    case("mono-8khz.mp4", &["-f", "lavfi", "-i", V, "-f", "lavfi", "-i", TONE, "-ar", "8000", "-ac", "1"]),
    case("surround-5.1.mp4", &["-f", "lavfi", "-i", V, "-f", "lavfi", "-i", "sine=f=300:d=3", "-ac", "6"]),
    case("fast-120fps.mp4", &["-f", "lavfi", "-i", "testsrc2=s=320x240:r=120:d=2"]),
    case("slow-1fps.mp4", &["-f", "lavfi", "-i", "testsrc2=s=320x240:r=1:d=5", "-f", "lavfi", "-i", "sine=f=300:d=5"]),
    case("mjpeg.avi", &["-f", "lavfi", "-i", V, "-c:v", "mjpeg"]),
    case("mpeg2.ts", &["-f", "lavfi", "-i", V, "-f", "lavfi", "-i", TONE, "-c:v", "mpeg2video", "-c:a", "mp2"]),
    case("animated.gif", &["-f", "lavfi", "-i", "testsrc2=s=160x120:r=10:d=2"]),
    case("still.png", &["-f", "lavfi", "-i", V, "-frames:v", "1"]),
    case("name with spaces.mp4", &["-f", "lavfi", "-i", V, "-f", "lavfi", "-i", TONE]),
    case("quote's \"name\".mp4", &["-f", "lavfi", "-i", V]),
    case("non-ascii ñandú 日本語.mp4", &["-f", "lavfi", "-i", V, "-f", "lavfi", "-i", TONE]),
    case("moov-at-start.mp4", &["-f", "lavfi", "-i", V, "-movflags", "+faststart"]),
];

/// Files ffmpeg cannot be asked to write: empty, not media, cut in half, garbage after a header.
fn write_broken_files(dir: &Path) -> Vec<&'static str> {
    std::fs::write(dir.join("empty.mp4"), b"").unwrap();
    std::fs::write(dir.join("text.mp4"), "this is not a video\n".repeat(50)).unwrap();
    let whole = std::fs::read(dir.join("moov-at-start.mp4")).unwrap();
    std::fs::write(dir.join("truncated.mp4"), &whole[..whole.len() / 2]).unwrap();
    let mut damaged = whole.clone();
    for byte in damaged.iter_mut().skip(whole.len() / 3).step_by(7) {
        *byte = !*byte;
    }
    std::fs::write(dir.join("damaged.mp4"), damaged).unwrap();
    vec!["empty.mp4", "text.mp4", "truncated.mp4", "damaged.mp4"]
}

/// Gives `rotated-N.*` files their display rotation of N degrees: this ffmpeg writes the
/// display matrix for `-metadata:s:v rotate=N` only when the stream is copied, not encoded.
fn rotate_by_stream_copy(dir: &Path, name: &str) {
    let Some(degrees) = name.strip_prefix("rotated-").and_then(|rest| rest.split('.').next()) else { return };
    let plain = format!("plain-{name}");
    std::fs::rename(dir.join(name), dir.join(&plain)).unwrap();
    let rotate = format!("rotate={degrees}");
    ffmpeg(&["-i", &plain, "-map", "0", "-c", "copy", "-metadata:s:v:0", &rotate, name], dir);
    std::fs::remove_file(dir.join(&plain)).unwrap();
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_streams"])
        .arg(dir.join(name))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&probe.stdout);
    assert!(text.contains("rotation=") || text.contains("rotate="), "{name} did not get its rotation: {text}");
}

fn has_encoder(name: &str) -> bool {
    let listing = Command::new("ffmpeg").args(["-hide_banner", "-encoders"]).output().unwrap();
    String::from_utf8_lossy(&listing.stdout).lines().any(|line| line.split_whitespace().nth(1) == Some(name))
}

/// Runs `opusclip clip` on `input` into `out` with a hard time limit.
fn clip_within_limit(input: &str, out: &str, cwd: &Path) -> std::process::Output {
    let child = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(["clip", input, "-o", out, "--clips", "1", "--min", "1", "--max", "3", "--no-embeddings", "--json"])
        .current_dir(cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let pid = child.id();
    let watchdog = std::thread::spawn(move || loop {
        if started.elapsed() > RUN_LIMIT {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
        if !Path::new(&format!("/proc/{pid}")).exists() {
            return false;
        }
    });
    let output = child.wait_with_output().unwrap();
    let _ = watchdog;
    assert!(started.elapsed() < RUN_LIMIT, "{input}: still running after {RUN_LIMIT:?} (a hang)");
    output
}

#[test]
fn every_odd_file_ends_in_playable_clips_or_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = Vec::new();
    for case in CASES {
        if let Some(encoder) = case.encoder.filter(|encoder| !has_encoder(encoder)) {
            eprintln!("skipped {}: this ffmpeg has no {encoder}", case.name);
            continue;
        }
        let mut args: Vec<&str> = case.ffmpeg.to_vec();
        args.push(case.name);
        ffmpeg(&args, dir.path());
        rotate_by_stream_copy(dir.path(), case.name);
        inputs.push(case.name);
    }
    inputs.extend(write_broken_files(dir.path()));
    assert!(inputs.len() >= 30, "only {} odd files", inputs.len());
    let mut outcomes = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let out = format!("out-{index:02}");
        let output = clip_within_limit(input, &out, dir.path());
        assert_typed_outcome(&output);
        assert_output_folder_is_whole(&dir.path().join(&out));
        let stdout = String::from_utf8_lossy(&output.stdout);
        let body: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_default();
        let code = body["results"][0]["error"]["code"].as_str().or(body["code"].as_str()).unwrap_or("ok").to_string();
        outcomes.push(format!("{input}: {code}"));
    }
    eprintln!("{}", outcomes.join("\n"));
    // The healthy, ordinary files among them must give clips, not errors.
    for healthy in ["name with spaces.mp4", "non-ascii ñandú 日本語.mp4", "ten-bit.mp4", "rotated-270.mp4"] {
        assert!(outcomes.iter().any(|line| line == &format!("{healthy}: ok")), "{healthy} failed: {outcomes:#?}");
    }
}

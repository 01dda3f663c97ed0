//! What the tests on real media and the real Whisper model share: where `../shared/media` is,
//! where `make test` put Whisper base, and whether CI requires them (`OPUSCLIP_REQUIRE_SERVICES=1`
//! turns a skip into a failure).

use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether CI asked for every outside dependency (`OPUSCLIP_REQUIRE_SERVICES=1`).
pub fn required() -> bool {
    std::env::var("OPUSCLIP_REQUIRE_SERVICES").is_ok_and(|value| value == "1")
}

/// `../shared/media/<relative>` beside the repository, or `None` (and a note) when it is absent.
pub fn shared_media(relative: &str) -> Option<PathBuf> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media").join(relative);
    if directory.is_dir() {
        return Some(directory);
    }
    eprintln!("skipped: ../shared/media/{relative} is not beside the repository");
    None
}

/// Whisper base in the model cache, where `make test` put it; without it the test skips, or
/// fails when [`required`].
#[allow(dead_code)] // not every test binary transcribes
pub fn base_model() -> Option<PathBuf> {
    let output = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(["models", "path", "base"])
        .output()
        .expect("run opusclip models path");
    if output.status.success() {
        return Some(PathBuf::from(String::from_utf8_lossy(&output.stdout).trim()));
    }
    assert!(!required(), "Whisper base is required (OPUSCLIP_REQUIRE_SERVICES=1): run `opusclip models fetch base`");
    eprintln!("skipped: Whisper base is not in the model cache (`opusclip models fetch base`)");
    None
}

/// Submits a one-clip job (4–8 s) to `POST {base}/api/jobs` as the page does: the video (sent as
/// `video_name`) and its SRT as multipart file parts. Returns the job id; anything but 202 fails.
#[allow(dead_code)] // used by the service and worker-kill tests only
pub fn submit_clip_job(
    agent: &ureq::Agent,
    base: &str,
    key: &str,
    video_name: &str,
    video: Vec<u8>,
    srt: Vec<u8>,
) -> String {
    let boundary = "opusclipboundary";
    let mut body = Vec::new();
    for (field, file, bytes) in [("file", video_name, video), ("transcript", "talk.srt", srt)] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{file}\"\r\n\r\n")
                .bytes(),
        );
        body.extend(bytes);
        body.extend(b"\r\n");
    }
    for (field, value) in [("clips", "1"), ("min", "4"), ("max", "8")] {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").bytes(),
        );
    }
    body.extend(format!("--{boundary}--\r\n").bytes());
    let mut response = agent
        .post(&format!("{base}/api/jobs"))
        .header("x-api-key", key)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .send(&body[..])
        .unwrap();
    let text = response.body_mut().read_to_string().unwrap_or_default();
    assert_eq!(response.status().as_u16(), 202, "POST /api/jobs: {text}");
    serde_json::from_str::<serde_json::Value>(&text).unwrap()["id"].as_str().unwrap().to_string()
}

/// Keeps a frame of `video` at `at` seconds as `target/screenshots/NAME.png`, for a person to
/// look at after `make test` (the closing notes list them).
#[allow(dead_code)] // used by the tests of the look of outputs only
pub fn keep_screenshot(name: &str, video: &Path, at: f64) {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&folder).expect("create target/screenshots");
    let png = folder.join(format!("{name}.png"));
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-ss", &format!("{at:.2}"), "-i"])
        .arg(video)
        .args(["-frames:v", "1"])
        .arg(&png)
        .status()
        .expect("run ffmpeg");
    assert!(status.success(), "screenshot {name}");
}

//! The `opusclip` binary as a user runs it: typed errors with exit codes, `--json` output, a
//! batch where one input fails and the others still finish, and `render` after an edit.

use std::path::Path;
use std::process::{Command, Output};

fn opusclip(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opusclip")).args(args).current_dir(cwd).output().unwrap()
}

fn json_of(output: &Output) -> serde_json::Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {text}"))
}

fn make_video(path: &Path, seconds: u32) {
    let status = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("testsrc2=s=640x360:r=25:d={seconds}"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("sine=f=220:d={seconds},volume='if(lt(mod(t,6),4),1,0)':eval=frame"))
        .args(["-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-shortest"])
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn missing_input_is_a_typed_json_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = opusclip(&["clip", "/nonexistent/talk.mp4", "--json", "-o", "out"], dir.path());
    assert_eq!(output.status.code(), Some(2), "bad input exits 2, as `probe` does");
    let body = json_of(&output);
    assert_eq!(body["code"], "INVALID_INPUT_ERROR");
    assert!(body["error"].as_str().unwrap().contains("not found"));
    assert_eq!(body["details"]["reason"], "missing");
}

#[test]
fn bad_options_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let output =
        opusclip(&["clip", "x.mp4", "--clips", "0", "--min", "30", "--max", "10", "--aspect", "3:2"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("3:2"), "{stderr}");
    let output = opusclip(&["clip", "x.mp4", "--clips", "0", "--min", "30", "--max", "10"], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--clips") && stderr.contains("--max"), "{stderr}");
}

#[test]
fn help_teaches_the_commands() {
    let dir = tempfile::tempdir().unwrap();
    let output = opusclip(&["--help"], dir.path());
    let text = String::from_utf8_lossy(&output.stdout);
    for command in ["clip", "render", "demo", "probe"] {
        assert!(text.contains(command), "{text}");
    }
    let output = opusclip(&["clip", "--help"], dir.path());
    assert!(String::from_utf8_lossy(&output.stdout).contains("--transcript"));
}

#[test]
fn batch_goes_on_past_a_bad_input_and_render_follows_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("inputs");
    std::fs::create_dir(&inputs).unwrap();
    make_video(&inputs.join("good.mp4"), 30);
    std::fs::write(inputs.join("broken.mp4"), "not a video at all".repeat(100)).unwrap();
    let output =
        opusclip(&["clip", "inputs", "-o", "out", "--clips", "1", "--min", "5", "--max", "10", "--json"], dir.path());
    // The first failure's status: bad input, 2.
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    let body = json_of(&output);
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let broken = results.iter().find(|r| r["input"].as_str().unwrap().ends_with("broken.mp4")).unwrap();
    assert_eq!(broken["error"]["details"]["reason"], "not_media");
    let good = results.iter().find(|r| r["input"].as_str().unwrap().ends_with("good.mp4")).unwrap();
    assert_eq!(good["manifest"]["clips"].as_array().unwrap().len(), 1);
    let clip_dir = dir.path().join("out/good");
    assert!(clip_dir.join("manifest.json").is_file());
    assert!(!dir.path().join("out/broken/manifest.json").exists());

    // Shorten the clip in its spec and render it again.
    let spec_path = clip_dir.join("clip-01.json");
    let mut spec: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&spec_path).unwrap()).unwrap();
    let start = spec["start"].as_f64().unwrap();
    spec["end"] = serde_json::json!(start + 3.0);
    std::fs::write(&spec_path, serde_json::to_string_pretty(&spec).unwrap()).unwrap();
    let output = opusclip(&["render", "out/good/clip-01.json", "--json"], dir.path());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(clip_dir.join("manifest.json")).unwrap()).unwrap();
    assert!((manifest["clips"][0]["duration"].as_f64().unwrap() - 3.0).abs() < 1e-6);
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(clip_dir.join("clip-01.mp4"))
        .output()
        .unwrap();
    let seconds: f64 = String::from_utf8_lossy(&probe.stdout).trim().parse().unwrap();
    assert!((seconds - 3.0).abs() < 0.1, "{seconds}");
}

#[test]
fn probe_prints_facts_as_json() {
    let dir = tempfile::tempdir().unwrap();
    make_video(&dir.path().join("v.mp4"), 2);
    let output = opusclip(&["probe", "v.mp4", "--json"], dir.path());
    assert!(output.status.success());
    let facts = json_of(&output);
    assert_eq!(facts["video"]["width"], 640);
    assert_eq!(facts["audio"]["codec"], "aac");
}

#[test]
fn analyze_writes_the_document_and_scene_lists() {
    let dir = tempfile::tempdir().unwrap();
    let graph = "testsrc2=s=320x240:r=25:d=2[a];smptebars=s=320x240:r=25:d=2[b];[a][b]concat=n=2:v=1:a=0[v]";
    let ok = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-y", "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "v.mp4"])
        .current_dir(dir.path())
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let output = opusclip(&["analyze", "v.mp4", "--no-cache", "--scenes", "csv", "scenes.csv", "--json"], dir.path());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let document = json_of(&output);
    assert_eq!(document["cuts"][0]["frame"], 50);
    assert_eq!(document["shots"].as_array().unwrap().len(), 2);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("analysis.json")).unwrap()).unwrap();
    assert_eq!(written["cuts"], document["cuts"]);
    let csv = std::fs::read_to_string(dir.path().join("scenes.csv")).unwrap();
    assert_eq!(csv.lines().count(), 3, "{csv}");
    let output = opusclip(&["analyze", "v.mp4", "--no-cache", "--scenes", "xml", "s.xml"], dir.path());
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn transcribe_reads_an_embedded_subtitle_stream() {
    let media = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/media/talk/mov_text.mp4");
    if !media.is_file() {
        eprintln!("skipped: ../shared/media is not beside the repository");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let output = opusclip(&["transcribe", media.to_str().unwrap(), "--format", "txt"], dir.path());
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let expected = std::fs::read_to_string(media.with_file_name("subtitles_embedded.txt")).unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_lowercase();
    // The cue texts are the quoted words on the mov_text line.
    let line = expected.lines().find(|l| l.starts_with("mov_text.mp4")).unwrap();
    let cue_texts: Vec<&str> = line.split('"').skip(1).step_by(2).collect();
    assert_eq!(cue_texts.len(), 2);
    for cue in cue_texts {
        assert!(text.split_whitespace().any(|w| w == cue), "{text:?} lacks {cue}");
    }
    // Forcing speech recognition without a model (none configured, an empty model cache) is a
    // clear model error.
    let output = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .args(["transcribe", media.to_str().unwrap(), "--asr", "--json"])
        .current_dir(dir.path())
        .env_remove("MODEL_PATH")
        .env("OPUSCLIP_CACHE_DIR", dir.path().join("empty-cache"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3), "a missing model exits 3");
    assert_eq!(json_of(&output)["code"], "MODEL_LOADING_ERROR");
}

//! Multi-segment clips on real speech: an interview whose question is answered only after 18 s
//! of other talk — spoken by espeak-ng (two voices), under a real GRID speaker's face — goes
//! through `opusclip clip` with the real Whisper base model. The clip must play the question,
//! then the answer, and not the talk between: its spec keeps two ranges, its file is as long as
//! they are (ffprobe), Whisper hears the question and the answer in the rendered file and none of
//! the talk between, and its reason says why the two belong together.
//!
//! Without espeak-ng, the model or the shared media the test says so and skips, unless
//! `OPUSCLIP_REQUIRE_SERVICES=1` makes that a failure.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Command;
use support::{base_model, required, shared_media};

const QUESTION: &str = "Why do most small bakeries close in their first year?";
const BETWEEN: &str = "That is something I have wondered about for a long time. I spent two summers driving from \
    town to town with a notebook. I met forty owners in eleven different states. Most of them had never talked to \
    anyone about their work. Some of them worked through the night and slept in the afternoon.";
const ANSWER: &str = "Small bakeries close because the owners price their bread like a hobby. In the first year \
    they lose money on every single loaf they sell. They never count the hours of labor that go into the dough. \
    The ones that survive raise their prices in the first month, and they keep them there.";
const AFTER: &str =
    "Anyway, the weather on the coast was lovely this spring. It rained only twice in three weeks, and the beaches were empty.";

fn run(program: &str, args: &[&str], cwd: &Path) -> bool {
    Command::new(program).args(args).current_dir(cwd).status().is_ok_and(|status| status.success())
}

/// The interview: each part spoken by espeak-ng (the question in another voice), a second of
/// silence between parts, under a GRID speaker's face looped to its length. `None` without
/// espeak-ng.
fn interview(dir: &Path, face: &Path) -> Option<std::path::PathBuf> {
    let parts = [("en-us+f3", QUESTION), ("en-us+m3", BETWEEN), ("en-us+m3", ANSWER), ("en-us+m3", AFTER)];
    for (index, (voice, text)) in parts.iter().enumerate() {
        if !run("espeak-ng", &["-v", voice, "-s", "150", "-w", &format!("part{index}.wav"), text], dir) {
            assert!(!required(), "espeak-ng is required (OPUSCLIP_REQUIRE_SERVICES=1)");
            eprintln!("skipped: espeak-ng is not installed");
            return None;
        }
    }
    let mut args: Vec<String> = vec!["-v".into(), "error".into(), "-y".into()];
    for index in 0..parts.len() {
        args.extend(["-i".into(), format!("part{index}.wav")]);
        args.extend([
            "-f".into(),
            "lavfi".into(),
            "-t".into(),
            "1".into(),
            "-i".into(),
            "anullsrc=r=22050:cl=mono".into(),
        ]);
    }
    let inputs: String = (0..parts.len() * 2).map(|index| format!("[{index}]")).collect();
    args.extend(["-filter_complex".into(), format!("{inputs}concat=n={}:v=0:a=1", parts.len() * 2)]);
    args.extend(["-ar".into(), "16000".into(), "talk.wav".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(run("ffmpeg", &args, dir), "join the spoken parts");
    let face = face.to_string_lossy();
    let video = [
        "-v",
        "error",
        "-y",
        "-stream_loop",
        "-1",
        "-i",
        &face,
        "-i",
        "talk.wav",
        "-map",
        "0:v",
        "-map",
        "1:a",
        "-shortest",
        "-vf",
        "scale=720:576,fps=25",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-c:a",
        "aac",
        "interview.mp4",
    ];
    assert!(run("ffmpeg", &video, dir), "make the interview video");
    Some(dir.join("interview.mp4"))
}

fn seconds_of(path: &Path) -> f64 {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).trim().parse().unwrap()
}

/// What Whisper base hears in `media`, lower case without punctuation.
fn heard(media: &Path, model: &Path, dir: &Path) -> String {
    let out = dir.join("heard.json");
    let output = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .arg("transcribe")
        .arg(media)
        .args(["--asr", "--whisper-model"])
        .arg(model)
        .args(["--format", "json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let transcript: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let words: Vec<String> = transcript["words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|word| word["text"].as_str().unwrap().trim().to_lowercase().replace(|c: char| !c.is_alphanumeric(), ""))
        .collect();
    words.join(" ")
}

#[test]
fn an_answer_given_after_other_talk_plays_with_its_question_and_without_the_talk() {
    let Some(grid) = shared_media("speech/grid") else { return };
    let Some(model) = base_model() else { return };
    let dir = tempfile::tempdir().unwrap();
    let Some(source) = interview(dir.path(), &grid.join("bbaf2n.mpg")) else { return };
    let out = dir.path().join("clips");
    let output = Command::new(env!("CARGO_BIN_EXE_opusclip"))
        .arg("clip")
        .arg(&source)
        .args(["--whisper-model"])
        .arg(&model)
        .args(["--clips", "1", "--min", "10", "--max", "30", "--aspect", "9:16", "--no-llm", "--json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let manifest: Value = serde_json::from_slice(&output.stdout).unwrap();
    let clip = &manifest["clips"][0];
    let spec: Value = serde_json::from_str(&std::fs::read_to_string(out.join("clip-01.json")).unwrap()).unwrap();
    let kept = spec["kept_ranges"].as_array().expect("the clip keeps two ranges");
    assert_eq!(kept.len(), 2, "{spec}");
    let range = |index: usize| (kept[index]["start"].as_f64().unwrap(), kept[index]["end"].as_f64().unwrap());
    let ((_, question_end), (answer_start, _)) = (range(0), range(1));
    assert!(answer_start - question_end > 15.0, "the talk between is left out: {kept:?}");

    let coherence = clip["score"]["parts"]["coherence"]["reason"].as_str().unwrap();
    assert!(coherence.contains("joins the question asked") && coherence.contains("bakeries"), "{coherence}");
    let title = clip["title"].as_str().unwrap().to_lowercase();
    assert!(title.starts_with("why do most small bakeries"), "{title}");

    let played: f64 = kept.iter().map(|r| r["end"].as_f64().unwrap() - r["start"].as_f64().unwrap()).sum();
    let video = out.join(clip["outputs"][0]["path"].as_str().unwrap());
    assert!((seconds_of(&video) - played).abs() < 0.15, "file {} s, kept {played} s", seconds_of(&video));
    assert!((clip["duration"].as_f64().unwrap() - played).abs() < 0.06, "{clip}");

    let heard = heard(&video, &model, dir.path());
    let question_at = heard.find("bakeries").unwrap_or_else(|| panic!("the question is not heard: {heard}"));
    let answer_at = heard.find("loaf").unwrap_or_else(|| panic!("the answer is not heard: {heard}"));
    assert!(question_at < answer_at, "{heard}");
    for between in ["notebook", "summers", "eleven", "afternoon"] {
        assert!(!heard.contains(between), "\"{between}\" from the talk between is heard: {heard}");
    }
}

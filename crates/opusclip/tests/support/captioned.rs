//! What the tests of captions and layouts on real faces share: GRID speakers looped under an
//! SRT, `opusclip clip` and `render` runs, frames read back, caption boxes found by comparing a
//! captioned frame with the same frame rendered bare, and OCR of the caption pixels.

#![allow(dead_code)]

use crate::support;
use opusclip_analyze::{faces::FaceDetector, GrayView};
use opusclip_core::{BoxF, ClipSpec, Manifest};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The sentence GRID's `bbaf2n` speaks, from `transcripts_from_filename.tsv`.
pub const SENTENCE: &str = "bin blue at f two now";
/// Times the 3-second recording is looped.
pub const LOOPS: usize = 8;

pub fn opusclip(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_opusclip")).args(args).output().unwrap()
}

pub fn ffmpeg(args: &[&str]) -> Output {
    let output = Command::new("ffmpeg").args(["-nostdin", "-v", "error", "-y"]).args(args).output().unwrap();
    assert!(output.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output
}

/// The folder of GRID recordings, or `None` (a failure when CI requires the shared media).
pub fn grid_folder() -> Option<PathBuf> {
    let grid = support::shared_media("speech/grid");
    assert!(
        grid.is_some() || !support::required(),
        "../shared/media/speech/grid is required (OPUSCLIP_REQUIRE_SERVICES=1)"
    );
    grid
}

/// The GRID speaker looped to 24 s through `filter`, as `dir/NAME.mp4`, with its SRT.
pub fn grid_speaker(dir: &Path, name: &str, filter: &str) -> Option<(PathBuf, PathBuf)> {
    let grid = grid_folder()?;
    let video = dir.join(format!("{name}.mp4"));
    looped_scene(&[grid.join("bbaf2n.mpg")], &format!("[0:v]{filter}[v]"), &video);
    Some((video, grid_srt(dir, name)))
}

/// `inputs`, each looped to 24 s, through the filter graph `graph` (its picture ending in
/// `[v]`) with the first input's sound, encoded as `video`.
pub fn looped_scene(inputs: &[PathBuf], graph: &str, video: &Path) {
    let loops = (LOOPS - 1).to_string();
    let mut args: Vec<String> = Vec::new();
    for input in inputs {
        args.extend(["-stream_loop".into(), loops.clone(), "-i".into(), input.to_string_lossy().into()]);
    }
    let encode = ["-filter_complex", graph, "-map", "[v]", "-map", "0:a", "-c:v", "libx264", "-preset", "ultrafast"];
    args.extend(encode.map(String::from));
    args.extend(["-crf", "18", "-c:a", "aac", "-t"].map(String::from));
    args.extend([(LOOPS * 3).to_string(), video.to_string_lossy().into()]);
    ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>());
}

/// `dir/NAME.srt`: the GRID sentence once per 3-second loop.
pub fn grid_srt(dir: &Path, name: &str) -> PathBuf {
    let cue = |index: usize| {
        let start = index as f64 * 3.0 + 0.6;
        let time =
            |seconds: f64| format!("00:00:{:02},{:03}", seconds as u32, (seconds.fract() * 1000.0).round() as u32);
        format!("{}\n{} --> {}\n{SENTENCE}.\n\n", index + 1, time(start), time(start + 1.8))
    };
    let srt = dir.join(format!("{name}.srt"));
    std::fs::write(&srt, (0..LOOPS).map(cue).collect::<String>()).unwrap();
    srt
}

/// Clips `video` once into `out` with the caption position given, in 9:16 and 1:1 (and
/// `extra` arguments).
pub fn clip(video: &Path, srt: &Path, out: &Path, position: &str, extra: &[&str]) -> (Manifest, ClipSpec) {
    let mut args = vec![
        "clip",
        video.to_str().unwrap(),
        "--transcript",
        srt.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--clips",
        "1",
        "--min",
        "12",
        "--max",
        "24",
        "--aspect",
        "9:16",
        "--aspect",
        "1:1",
        "--caption-position",
        position,
        "--no-embeddings",
        "--no-llm",
    ];
    args.extend_from_slice(extra);
    let result = opusclip(&args);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
    let manifest: Manifest =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    let spec_path = out.join(&manifest.clips[0].spec);
    let spec: ClipSpec = serde_json::from_str(&std::fs::read_to_string(spec_path).unwrap()).unwrap();
    (manifest, spec)
}

/// The spec rendered again into `bare` with captions off.
pub fn render_without_captions(spec: &ClipSpec, bare: &Path) {
    render_variant(spec, bare, |variant| variant.caption_style.enabled = false);
}

/// The spec, changed by `change`, rendered again into `dir` (its outputs under the same names).
pub fn render_variant(spec: &ClipSpec, dir: &Path, change: impl FnOnce(&mut ClipSpec)) {
    let mut variant = spec.clone();
    change(&mut variant);
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(format!("{}.json", spec.id));
    std::fs::write(&path, serde_json::to_string(&variant).unwrap()).unwrap();
    let result = opusclip(&["render", path.to_str().unwrap()]);
    assert!(result.status.success(), "{}", String::from_utf8_lossy(&result.stderr));
}

/// One frame at `at` seconds as raw pixels of `format` (`rgb24` or `gray`).
pub fn frame(video: &Path, at: f64, format: &str) -> Vec<u8> {
    let at = format!("{at:.2}");
    let output = ffmpeg(&[
        "-ss",
        &at,
        "-i",
        video.to_str().unwrap(),
        "-frames:v",
        "1",
        "-f",
        "rawvideo",
        "-pix_fmt",
        format,
        "-",
    ]);
    output.stdout
}

/// The bounding box of the pixels where two RGB frames differ clearly (the burned captions).
pub fn caption_box(captioned: &[u8], bare: &[u8], width: u32) -> Option<BoxF> {
    let (mut x0, mut y0, mut x1, mut y1, mut count) = (u32::MAX, u32::MAX, 0, 0, 0);
    for (index, (a, b)) in captioned.chunks_exact(3).zip(bare.chunks_exact(3)).enumerate() {
        if a.iter().zip(b).any(|(p, q)| p.abs_diff(*q) > 60) {
            let (x, y) = (index as u32 % width, index as u32 / width);
            (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
            count += 1;
        }
    }
    (count > 300).then(|| BoxF { x: f64::from(x0), y: f64::from(y0), w: f64::from(x1 - x0), h: f64::from(y1 - y0) })
}

/// Words tesseract reads from the caption pixels (white text, yellow spoken word) that the
/// bare frame lacks, drawn black on white.
pub fn ocr(captioned: &[u8], bare: &[u8], (width, height): (u32, u32), scratch: &Path) -> Vec<String> {
    let mut pgm = format!("P5\n{width} {height}\n255\n").into_bytes();
    pgm.extend(captioned.chunks_exact(3).zip(bare.chunks_exact(3)).map(|(a, b)| {
        let caption_colour = (a[0] > 200 && a[1] > 170) && (a[2] > 200 || a[2] < 90);
        let changed = a.iter().zip(b).any(|(p, q)| p.abs_diff(*q) > 60);
        if caption_colour && changed {
            0u8
        } else {
            255u8
        }
    }));
    tesseract(&pgm, scratch)
}

/// Words tesseract reads in a PGM picture (lower case, letters and digits only).
pub fn tesseract(pgm: &[u8], scratch: &Path) -> Vec<String> {
    let image = scratch.join("ocr.pgm");
    std::fs::write(&image, pgm).unwrap();
    let read = Command::new("tesseract").arg(&image).arg("-").args(["--psm", "6"]).output().expect("tesseract");
    String::from_utf8_lossy(&read.stdout)
        .to_lowercase()
        .split_whitespace()
        .map(|word| word.chars().filter(|c| c.is_alphanumeric()).collect())
        .filter(|word: &String| !word.is_empty())
        .collect()
}

pub fn overlaps(a: &BoxF, b: &BoxF) -> bool {
    a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h
}

/// What was seen on the sampled frames of one output.
#[derive(Debug, Default)]
pub struct Seen {
    pub frames: usize,
    pub with_face: usize,
    pub covered: Vec<String>,
    pub words_read: usize,
    pub caption_tops: Vec<f64>,
}

/// Samples frames while captions are up, finds caption boxes and faces, and OCRs the captions.
pub fn look_at(out: &Path, bare: &Path, manifest: &Manifest, output_index: usize, scratch: &Path) -> Seen {
    let file = &manifest.clips[0].outputs[output_index];
    let (captioned_video, bare_video) = (out.join(&file.path), bare.join(&file.path));
    let mut detector = FaceDetector::new().unwrap();
    let mut seen = Seen::default();
    let duration = manifest.clips[0].duration;
    let sentence: Vec<&str> = SENTENCE.split(' ').collect();
    for step in 0..6 {
        let at = 1.3 + step as f64 * (duration - 3.0) / 6.0;
        let captioned = frame(&captioned_video, at, "rgb24");
        let bare_rgb = frame(&bare_video, at, "rgb24");
        let Some(block) = caption_box(&captioned, &bare_rgb, file.width) else { continue };
        seen.frames += 1;
        seen.caption_tops.push(block.y);
        let gray = frame(&bare_video, at, "gray");
        let faces = detector.detect(GrayView { width: file.width, height: file.height, data: &gray }, 1.0);
        if !faces.is_empty() {
            seen.with_face += 1;
        }
        for face in faces.iter().filter(|face| overlaps(&face.bbox, &block)) {
            seen.covered.push(format!("at {at:.1} s the captions {block:?} cross the face {:?}", face.bbox));
        }
        let words = ocr(&captioned, &bare_rgb, (file.width, file.height), scratch);
        if words.iter().any(|word| sentence.contains(&word.as_str()) && word.len() >= 3) {
            seen.words_read += 1;
        }
    }
    seen
}
